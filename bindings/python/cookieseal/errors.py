"""Exceptions named after cookieseal's error codes (docs: README, "Errors")."""
from typing import Callable, Dict, Optional, Type

# The library's rule (cookieseal_outcome_of), set by _native: never restated here.
_outcome_of: Optional[Callable[[int], int]] = None


class Error(Exception):
    """Any cookieseal error. ``status`` is the stable number, ``name`` its name."""
    status: Optional[int] = None
    name = "error"

    def __init__(self, message: str, status: Optional[int] = None,
                 name: Optional[str] = None) -> None:
        super().__init__(message)
        if status is not None:
            self.status = status
        if name is not None:
            self.name = name

    @property
    def undecided(self) -> bool:
        """The server could not judge the cookie: answer 503, keep the cookie (the
        library says which errors these are)."""
        return self.status is not None and _outcome_of is not None and _outcome_of(self.status) == 2


class Malformed(Error): status, name = 1, "malformed"
class UnsupportedVersion(Error): status, name = 2, "unsupported_version"
class UnknownKey(Error): status, name = 3, "unknown_key"
class AuthenticationFailed(Error): status, name = 4, "authentication_failed"
class Expired(Error): status, name = 5, "expired"
class InvalidPayload(Error): status, name = 6, "invalid_payload"
class TooLarge(Error): status, name = 7, "too_large"


class StoreUnavailable(Error): status, name = 8, "store_unavailable"


class Revoked(Error): status, name = 9, "revoked"


class KeyNotLoaded(Error): status, name = 10, "key_not_loaded"


class Ambiguous(Error): status, name = 11, "ambiguous"
class HeaderTruncated(Error): status, name = 12, "header_truncated"
class InvalidArgument(Error, ValueError): status, name = 100, "invalid_argument"
class OutOfMemory(Error, MemoryError): status, name = 101, "out_of_memory"
class NotFound(Error, KeyError): status, name = 102, "not_found"
class KeyringError(Error): status, name = 103, "keyring_error"
class InternalError(Error): status, name = 104, "internal_error"
class ConfigError(Error, ValueError): status, name = 105, "config_error"
class Closed(Error, RuntimeError): status, name = 106, "closed"
class WouldBlock(Error): status, name = 107, "would_block"  # the _nonblocking calls answer None

_BY_STATUS: Dict[Optional[int], Type[Error]] = {cls.status: cls for cls in (
    Malformed, UnsupportedVersion, UnknownKey, AuthenticationFailed, Expired, InvalidPayload,
    TooLarge, StoreUnavailable, Revoked, KeyNotLoaded, Ambiguous, HeaderTruncated, InvalidArgument,
    OutOfMemory, NotFound, KeyringError, InternalError, ConfigError, Closed, WouldBlock)}


def from_status(status: int, name: str, message: str) -> Error:
    """The exception for @p status (Error itself for a number this binding does
    not know yet), its text "name: message"."""
    cls = _BY_STATUS.get(status, Error)
    return cls(f"{name}: {message}", status=status, name=name)
