"""Exceptions named after cookieseal's error codes (docs: README, "Errors")."""


class Error(Exception):
    """Any cookieseal error. ``status`` is the stable number, ``name`` its name."""
    status = None
    name = "error"
    undecided = False  # the server could not judge: answer 503, keep the cookie

    def __init__(self, message, status=None, name=None):
        super().__init__(message)
        if status is not None:
            self.status = status
        if name is not None:
            self.name = name


class Malformed(Error): status, name = 1, "malformed"
class UnsupportedVersion(Error): status, name = 2, "unsupported_version"
class UnknownKey(Error): status, name = 3, "unknown_key"
class AuthenticationFailed(Error): status, name = 4, "authentication_failed"
class Expired(Error): status, name = 5, "expired"
class InvalidPayload(Error): status, name = 6, "invalid_payload"
class TooLarge(Error): status, name = 7, "too_large"


class StoreUnavailable(Error):
    status, name, undecided = 8, "store_unavailable", True


class Revoked(Error): status, name = 9, "revoked"


class KeyNotLoaded(Error):
    status, name, undecided = 10, "key_not_loaded", True


class Ambiguous(Error): status, name = 11, "ambiguous"
class InvalidArgument(Error, ValueError): status, name = 100, "invalid_argument"
class OutOfMemory(Error, MemoryError): status, name = 101, "out_of_memory"
class NotFound(Error, KeyError): status, name = 102, "not_found"
class KeyringError(Error): status, name = 103, "keyring_error"
class InternalError(Error): status, name = 104, "internal_error"

_BY_STATUS = {cls.status: cls for cls in (
    Malformed, UnsupportedVersion, UnknownKey, AuthenticationFailed, Expired, InvalidPayload,
    TooLarge, StoreUnavailable, Revoked, KeyNotLoaded, Ambiguous, InvalidArgument, OutOfMemory,
    NotFound, KeyringError, InternalError)}


def from_status(status, name, message):
    cls = _BY_STATUS.get(status, Error)
    return cls(f"{name}: {message}", status=status, name=name)


def for_status(status):
    """The exception class for a status number (Error for one this version does not know)."""
    return _BY_STATUS.get(status, Error)
