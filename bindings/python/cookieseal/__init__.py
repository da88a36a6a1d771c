"""cookieseal for Python: sealed (encrypted, authenticated) session cookies that
C++, Python and Go servers open alike from one keyring file.

    codec = cookieseal.Codec(keyring="/etc/cookieseal/keyring", store="/var/lib/app/sessions")
    with codec.request(environ.get("HTTP_COOKIE", "")) as r:
        if r.undecided:                       # store or keyring file could not answer:
            return respond(503)               # keep the user's cookie, retry later
        r.session["visits"] = r.session.get("visits", 0) + 1
        headers = r.save()                    # [(name, value), ...] to add to the response

Standard library only (ctypes over libcookieseal-c.so.1, the C ABI). The format,
the request logic and the crypto are the C++ library's; this is a thin layer.
Thread-safe: share one Codec; use one request per HTTP request.
"""
import ctypes
import json
import logging

from . import _native
from .errors import (Ambiguous, AuthenticationFailed, Error, Expired, InternalError,
                     InvalidArgument, InvalidPayload, KeyNotLoaded, KeyringError, Malformed,
                     NotFound, OutOfMemory, Revoked, StoreUnavailable, TooLarge, UnknownKey,
                     UnsupportedVersion)

__all__ = [
    "Codec", "Request", "Error", "Malformed", "UnsupportedVersion", "UnknownKey",
    "AuthenticationFailed", "Expired", "InvalidPayload", "TooLarge", "StoreUnavailable",
    "Revoked", "KeyNotLoaded", "Ambiguous", "InvalidArgument", "OutOfMemory", "NotFound",
    "KeyringError", "InternalError", "library_version",
]

_OUTCOMES = {0: "opened", 1: "refused", 2: "undecided"}
_SAME_SITE = {None: 0, "Strict": 1, "Lax": 2, "None": 3}


def library_version():
    """The version of the loaded libcookieseal-c, e.g. "0.1.0"."""
    return _native.version().decode()


def _dumps(value):
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=True)


class _Handle:
    """Owns one native handle: freed by close(), by ``with``, or at garbage collection."""
    _handle = None
    _free = None      # the native function that frees it
    _what = "handle"  # for "the ... is closed"

    def close(self):
        if self._handle:
            type(self)._free(self._handle)
            self._handle = None

    def _live(self):
        if not self._handle:
            raise InvalidArgument(f"the {self._what} is closed", status=100)
        return self._handle

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:  # interpreter shutdown
            pass


_log = logging.getLogger("cookieseal")


def _diagnostic_bridge(diagnostic):
    """The C diagnostic callback for a Python callable (default: log a warning)."""
    say = diagnostic if diagnostic is not None else _log.warning

    def bridge(_context, message, length):
        try:
            say(ctypes.string_at(message, length).decode("utf-8", "replace"))
        except Exception:  # a logger must not turn a failure into a crash in C
            _log.exception("cookieseal diagnostic function failed")
    return bridge


class Codec(_Handle):
    """One kind of session cookie over a keyring: the C ABI's manager.

    keyring: path of a keyring file (watched: reloaded when it changes, and
    checked at once for a key id it lacks); or keyring_text: the file's text.
    store: a directory or redis://host:port URL for sessions over 4 KB and for
    revocation (None: none). Durations are in seconds; 0 turns a bound off.
    diagnostic: called with a message (str) each time something fails and why:
    a request left undecided ("open: the revocation list could not answer"),
    the store's cause ("cannot connect: Redis at 127.0.0.1:6379: Connection
    refused"), a refused keyring reload. Never a password, key or session
    data. Default: a warning on the "cookieseal" logger. It may be called from
    the library's keyring thread.
    """

    def __init__(self, keyring=None, *, keyring_text=None, store=None, name="__Host-session",
                 purpose="", max_age=7 * 24 * 3600, idle_timeout=24 * 3600, leeway=60,
                 store_revocations=True, path="/", domain="", secure=True, http_only=True,
                 same_site="Lax", partitioned=False, browser_session=False, reload_interval=1.0,
                 diagnostic=None):
        if same_site not in _SAME_SITE:
            raise InvalidArgument(f"same_site must be one of {list(_SAME_SITE)}", status=100)
        o = _native.Options()
        _native.options_init(ctypes.byref(o))
        keep = [  # the bytes must outlive the call
            o.set_text("keyring_path", str(keyring) if keyring is not None else None),
            o.set_text("keyring_text", keyring_text),
            o.set_text("cookie_name", name),
            o.set_text("purpose", purpose),
            o.set_text("store", str(store) if store is not None else None),
            o.set_text("path", path),
            o.set_text("domain", domain),
        ]
        o.max_age_seconds = int(max_age)
        o.idle_timeout_seconds = int(idle_timeout)
        o.leeway_seconds = int(leeway)
        o.store_revocations = int(bool(store_revocations))
        o.secure, o.http_only = int(bool(secure)), int(bool(http_only))
        o.same_site = _SAME_SITE[same_site]
        o.partitioned, o.browser_session = int(bool(partitioned)), int(bool(browser_session))
        o.reload_interval_ms = int(reload_interval * 1000)
        # The C callback must outlive the manager: kept on self, freed after it.
        self._diagnostic = _native.DiagnosticFunction(_diagnostic_bridge(diagnostic))
        o.diagnostic = self._diagnostic
        handle = ctypes.c_void_p()
        why = ctypes.c_void_p()
        status = _native.manager_new(ctypes.byref(o), ctypes.byref(handle), ctypes.byref(why))
        del keep
        _native.check(status, _native.take_text(why.value))
        self._handle = handle
        self.name = name

    def request(self, cookie_header=""):
        """The session of one request, from its whole Cookie header ("" if none)."""
        return Request(self, cookie_header or "")

    def seal(self, session):
        """A cookie value for {"values", "constants", "flashes", "subject"} (each optional)."""
        data, n = _native.b(_dumps(session))
        return _native.call_for_text(_native.seal, self._live(), data, n)

    def open(self, cookie):
        """The session in a cookie value: {"values", "constants", "flashes", "meta"}."""
        data, n = _native.b(cookie)
        return json.loads(_native.call_for_text(_native.open_, self._live(), data, n))

    def revoke_subject(self, subject):
        """Log out everywhere: every session of @subject created up to now is refused."""
        data, n = _native.b(subject)
        _native.check(_native.manager_revoke_subject(self._live(), data, n))

    # close() stops the keyring watcher and frees the codec (close requests first).
    _free = staticmethod(_native.manager_free)
    _what = "codec"


class Request(_Handle):
    """One request's session. ``session`` is a dict of its values; change it,
    then ``save()`` for the headers to add. Use as a context manager (or call
    close()) so the native request is freed promptly."""

    def __init__(self, codec, cookie_header):
        self._codec = codec
        handle = ctypes.c_void_p()
        data, n = _native.b(cookie_header)
        _native.check(_native.request_new(codec._live(), data, n, ctypes.byref(handle)))
        self._handle = handle
        reason = ctypes.c_int()
        self.outcome = _OUTCOMES[_native.request_outcome(handle, ctypes.byref(reason))]
        #: why the cookie was refused or undecided: an Error subclass, or None
        self.reason = None if reason.value == 0 else _native.error_for(reason.value)
        self.is_new = bool(_native.request_is_new(handle))
        self._load()

    def _load(self):
        data = json.loads(_native.call_for_text(_native.request_session, self._live()))
        self.meta = data["meta"]
        self.constants = data["constants"]
        self.session = dict(data["values"])
        self._saved_values = _dumps(data["values"])
        self._flashes = data["flashes"]  # None once a flash call changed them

    @property
    def opened(self):
        return self.outcome == "opened"

    @property
    def refused(self):
        return self.outcome == "refused"

    @property
    def undecided(self):
        """The server could not judge the cookie: answer 503; save() sends nothing."""
        return self.outcome == "undecided"

    @property
    def subject(self):
        return self.meta["subject"]

    @property
    def flashes(self):
        """All queued flashes, {key: [messages]}, without consuming them."""
        if self._flashes is None:  # fetched again only after a change
            self._flashes = json.loads(
                _native.call_for_text(_native.request_session, self._live()))["flashes"]
        return self._flashes

    def flash(self, key, message):
        """Queues @message (any JSON value) under @key, to be read once."""
        k, kn = _native.b(key)
        v, vn = _native.b(_dumps(message))
        _native.check(_native.request_flash(self._live(), k, kn, v, vn))
        self._flashes = None

    def take_flashes(self, key):
        """The messages under @key, removed from the session."""
        k, kn = _native.b(key)
        self._flashes = None
        return json.loads(_native.call_for_text(_native.request_take_flashes, self._live(), k, kn))

    def set_flashes(self, flashes):
        """Replaces every queued flash with @flashes ({key: [messages]})."""
        data, n = _native.b(_dumps({"flashes": flashes}))
        _native.check(_native.request_update(self._live(), data, n))
        self._flashes = None

    def login(self, subject):
        """Fixes the subject (for "log out everywhere"), draws a new id, restarts
        created_at. InvalidArgument when another subject is logged in."""
        data, n = _native.b(subject)
        _native.check(_native.request_login(self._live(), data, n))
        self.meta["subject"] = subject

    def regenerate_id(self):
        _native.check(_native.request_regenerate_id(self._live()))

    def destroy(self):
        """Ends the session (server-side too); the request goes on with a fresh,
        empty one, so a flash set now ("You are logged out") still arrives."""
        _native.check(_native.request_destroy(self._live()))
        self._load()

    def save(self):
        """The response headers, [(name, value), ...]: Set-Cookie when needed,
        Cache-Control: no-store with it, Vary: Cookie. Raises StoreUnavailable or
        KeyNotLoaded (``.undecided``) when the request is undecided: answer 503."""
        values = _dumps(self.session)
        if values != self._saved_values:
            data, n = _native.b('{"values":' + values + "}")
            _native.check(_native.request_update(self._live(), data, n))
            self._saved_values = values
        headers = json.loads(_native.call_for_text(_native.request_save, self._live()))
        return [(name, value) for name, value in headers]

    _free = staticmethod(_native.request_free)
    _what = "request"
