"""cookieseal for Python: sealed (encrypted, authenticated) session cookies that
C++, Python and Go servers open alike from one keyring file.

    codec = cookieseal.Codec("/etc/cookieseal/keyring", store="/var/lib/app/sessions")
    sessions = cookieseal.SessionManager(codec)           # one kind of cookie
    with sessions.request(environ.get("HTTP_COOKIE", "")) as r:
        if r.undecided:                       # store or keyring file could not answer:
            return respond(503)               # keep the user's cookie, retry later
        r.session["visits"] = r.session.get("visits", 0) + 1
        headers = r.save()                    # [(name, value), ...] to add to the response

Standard library only (ctypes over libcookieseal-c.so.1, the C ABI). The format,
the request logic and the crypto are the C++ library's; this is a thin layer.
Thread-safe: share one Codec (one per process: its keyring watcher and store
connections) and its SessionManagers; use one RequestSession per HTTP request.
"""
import atexit
import ctypes
import json
import logging
import weakref

from . import _native, _values
from ._values import Object
from .errors import (Ambiguous, AuthenticationFailed, Closed, ConfigError, Error, Expired,
                     HeaderTruncated, InternalError, InvalidArgument, InvalidPayload,
                     KeyNotLoaded, KeyringError, Malformed, NotFound, OutOfMemory, Revoked,
                     StoreUnavailable, TooLarge, UnknownKey, UnsupportedVersion)

__all__ = [
    "Codec", "SessionManager", "RequestSession", "Error", "Malformed", "UnsupportedVersion",
    "UnknownKey", "AuthenticationFailed", "Expired", "InvalidPayload", "TooLarge",
    "StoreUnavailable", "Revoked", "KeyNotLoaded", "Ambiguous", "HeaderTruncated",
    "InvalidArgument", "OutOfMemory", "NotFound", "KeyringError", "InternalError",
    "ConfigError", "Closed", "Object", "library_version", "save_all",
]

_OUTCOMES = {0: "opened", 1: "refused", 2: "undecided"}
_SAME_SITE = {None: 0, "Strict": 1, "Lax": 2, "None": 3}


def library_version():
    """The version of the loaded libcookieseal-c, e.g. "0.1.0"."""
    return _native.version().decode()


def _dumps(value):
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=True)


class _Handle:
    """Owns one native handle: freed by close(), by ``with``, or at garbage
    collection. close() is safe at any time and twice; a call after it raises
    Closed."""
    _handle = None
    _free = None      # the native function that frees it
    _what = "handle"  # for "the ... is closed"

    def close(self):
        handle, self._handle = self._handle, None
        if handle:
            type(self)._free(handle)

    def _live(self):
        handle = self._handle
        if not handle:
            raise Closed(f"closed: the {self._what} was closed", status=106)
        return handle

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


def _number(value, what, low, high):
    """A numeric option in [low, high], or InvalidArgument naming it (never wrapped
    into the C type's range)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
        raise InvalidArgument(f"invalid_argument: {what} must be a number, not {value!r}", status=100)
    if not low <= value <= high:
        raise InvalidArgument(f"invalid_argument: {what} must be {low}..{high}, not {value!r}",
                              status=100)
    return value


def _whole(value, what, low, high):
    return int(_number(value, what, low, high))


_INT64 = 2**63 - 1
_live_codecs = weakref.WeakSet()


@atexit.register
def _close_codecs_at_exit():
    # Before the interpreter finalizes: a keyring thread calling into Python
    # then would be ended in the middle of a callback.
    for codec in list(_live_codecs):
        codec.close()


class Codec(_Handle):
    """What a server shares: the keyring (and its watcher), the store (and its
    connections), the policy's bounds. One per process; every SessionManager
    (one kind of cookie) is made on it.

    keyring: path of a keyring file (watched: reloaded when it changes, and
    checked at once for a key id it lacks); or keyring_text: the file's text.
    store: a directory or redis://host:port URL for sessions over 4 KB and for
    revocation (None: none). Durations are in seconds; 0 turns a bound off;
    None (every default) keeps the library's default.
    diagnostic: called with a message (str) each time something fails and why:
    a request left undecided ("open: the revocation list could not answer"),
    the store's cause ("cannot connect: Redis at 127.0.0.1:6379: Connection
    refused"), a refused keyring reload. Never a password, key or session
    data. Default: a warning on the "cookieseal" logger. It may be called from
    the library's keyring thread.
    """

    def __init__(self, keyring=None, *, keyring_text=None, store=None, max_age=None,
                 idle_timeout=None, leeway=None, store_revocations=None, reload_interval=None,
                 diagnostic=None):
        o = _native.init_options(_native.CodecOptions, _native.codec_options_init)
        keep = [  # the bytes must outlive the call
            o.set_text("keyring_path", str(keyring) if keyring is not None else None),
            o.set_text("keyring_text", keyring_text),
            o.set_text("store", str(store) if store is not None else None),
        ]
        if max_age is not None:
            o.max_age_seconds = _whole(max_age, "max_age", 0, _INT64)
        if idle_timeout is not None:
            o.idle_timeout_seconds = _whole(idle_timeout, "idle_timeout", 0, _INT64)
        if leeway is not None:
            o.leeway_seconds = _whole(leeway, "leeway", 0, _INT64)
        if store_revocations is not None:
            o.store_revocations = int(bool(store_revocations))
        if reload_interval is not None:
            seconds = _number(reload_interval, "reload_interval", 0, (2**32 - 1) // 1000)
            o.reload_interval_ms = int(seconds * 1000)
        # The C callback must outlive the codec: kept on self, freed after it.
        self._diagnostic = _native.DiagnosticFunction(_diagnostic_bridge(diagnostic))
        o.diagnostic = self._diagnostic
        handle = ctypes.c_void_p()
        try:
            _native.call_shared(_native.codec_new, ctypes.byref(o), ctypes.byref(handle))
        finally:
            if keyring_text is not None:  # wipe our copy of the key text
                ctypes.memset(o.keyring_text, 0, o.keyring_text_len)
            del keep
        self._handle = handle
        _live_codecs.add(self)

    def session_manager(self, **options):
        """A SessionManager (one kind of cookie) on this codec."""
        return SessionManager(self, **options)

    def revoke_subject(self, subject):
        """Log out everywhere: every session of @subject created up to now is refused."""
        data, n = _native.b(subject)
        _native.call_shared(_native.codec_revoke_subject, self._live(), data, n)

    # close() stops the keyring watcher; its managers and requests then raise Closed.
    _free = staticmethod(_native.codec_free)
    _what = "codec"


_SAME_SITE = {None: 0, "Strict": 1, "Lax": 2, "None": 3}


class SessionManager(_Handle):
    """One kind of session cookie on a Codec: its name, purpose and attributes
    (None keeps the library's default: "__Host-session", HttpOnly, Secure,
    SameSite=Lax, Path=/). Cheap: make one per cookie name."""

    def __init__(self, codec, *, name=None, purpose=None, path=None, domain=None, secure=None,
                 http_only=None, same_site="default", partitioned=None, browser_session=None):
        o = _native.init_options(_native.SessionOptions, _native.session_options_init)
        keep = [o.set_text("cookie_name", name), o.set_text("purpose", purpose),
                o.set_text("path", path), o.set_text("domain", domain)]
        for field, value in (("secure", secure), ("http_only", http_only),
                             ("partitioned", partitioned), ("browser_session", browser_session)):
            if value is not None:
                setattr(o, field, int(bool(value)))
        if same_site != "default":
            if same_site not in _SAME_SITE:
                raise InvalidArgument(f"invalid_argument: same_site must be one of "
                                      f"{list(_SAME_SITE)}", status=100)
            o.same_site = _SAME_SITE[same_site]
        handle = ctypes.c_void_p()
        _native.call_shared(_native.session_manager_new, codec._live(), ctypes.byref(o),
                            ctypes.byref(handle))
        del keep
        self._handle = handle
        self.codec = codec
        self.name = name if name is not None else "__Host-session"

    def request(self, cookie_header=""):
        """The session of one request, from its Cookie header ("" if none; several
        Cookie lines joined by "\n", never by ", ")."""
        return RequestSession(self, cookie_header or "")

    def seal(self, session):
        """A cookie value for {"values", "constants", "flashes", "subject"} (each optional)."""
        data, n = _native.b(_dumps(_values.encode_session(session)))
        return _native.text_shared(_native.seal, self._live(), data, n)

    def open(self, cookie):
        """The session in a cookie value: {"values", "constants", "flashes", "meta"}."""
        data, n = _native.b(cookie)
        return _values.decode_session(
            json.loads(_native.text_shared(_native.open_, self._live(), data, n)))

    def revoke_subject(self, subject):
        """Log out everywhere (this manager's codec.revoke_subject)."""
        self.codec.revoke_subject(subject)

    _free = staticmethod(_native.session_manager_free)
    _what = "session manager"


class RequestSession(_Handle):
    """One request's session. ``session`` is a dict of its values; change it,
    then ``save()`` for the headers to add. Use as a context manager (or call
    close()) so the native request is freed promptly."""

    def __init__(self, manager, cookie_header):
        self._manager = manager
        handle = ctypes.c_void_p()
        data, n = _native.b(cookie_header)
        _native.call_shared(_native.request_new, manager._live(), data, n, ctypes.byref(handle))
        self._handle = handle
        reason = ctypes.c_int()
        self.outcome = _OUTCOMES[_native.request_outcome(handle, ctypes.byref(reason))]
        #: why the cookie was refused or undecided: an Error subclass, or None
        self.reason = None if reason.value == 0 else _native.error_for(reason.value)
        self.is_new = bool(_native.request_is_new(handle))
        self._load()

    def _load(self):
        data = _values.decode_session(
            json.loads(_native.text_request(_native.request_session_json, self._live())))
        self.meta = data["meta"]
        self.constants = data["constants"]
        self.session = dict(data["values"])
        self._saved_values = _dumps(_values.encode_map(data["values"]))
        self._flashes = data["flashes"]  # None once a flash call changed them
        #: the session's own lifetime: {"max_age", "idle_timeout"} in seconds
        #: (None: the codec's) and "browser_session"
        self.lifetime = dict(data.get("lifetime") or {})

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
            self._flashes = _values.decode_flashes(json.loads(
                _native.text_request(_native.request_session_json, self._live()))["flashes"])
        return self._flashes

    def flash(self, key, message):
        """Queues @message (any JSON value) under @key, to be read once."""
        k, kn = _native.b(key)
        v, vn = _native.b(_dumps(_values.encode(message)))
        h = self._live()
        _native.check_request(_native.request_flash(h, k, kn, v, vn), h)
        self._flashes = None

    def take_flashes(self, key):
        """The messages under @key, removed from the session."""
        k, kn = _native.b(key)
        self._flashes = None
        return _values.decode(
            json.loads(_native.text_request(_native.request_take_flashes, self._live(), k, kn)))

    def set_flashes(self, flashes):
        """Replaces every queued flash with @flashes ({key: [messages]})."""
        data, n = _native.b(_dumps({"flashes": _values.encode_flashes(flashes)}))
        h = self._live()
        _native.check_request(_native.request_update(h, data, n), h)
        self._flashes = None

    def login(self, subject):
        """Fixes the subject (for "log out everywhere"), draws a new id, restarts
        created_at. InvalidArgument when another subject is logged in."""
        data, n = _native.b(subject)
        h = self._live()
        _native.check_request(_native.request_login(h, data, n), h)
        self.meta["subject"] = subject

    def set_lifetime(self, max_age=None, idle_timeout=None, browser_session=False):
        """Gives the session its own lifetime, within the codec's bounds (seconds;
        None: the codec's): "remember me" for 30 days, or a browser session
        (a cookie without Max-Age). The cookie is sealed again on save, also
        when the lifetime is unchanged (a refresh)."""
        lifetime = {"max_age": None if max_age is None else _whole(max_age, "max_age", 0, _INT64),
                    "idle_timeout": None if idle_timeout is None else
                    _whole(idle_timeout, "idle_timeout", 0, _INT64),
                    "browser_session": bool(browser_session)}
        data, n = _native.b(_dumps({"lifetime": lifetime}))
        h = self._live()
        _native.check_request(_native.request_update(h, data, n), h)
        self.lifetime = lifetime

    def regenerate_id(self):
        h = self._live()
        _native.check_request(_native.request_regenerate_id(h), h)

    def destroy(self):
        """Ends the session (server-side too); the request goes on with a fresh,
        empty one, so a flash set now ("You are logged out") still arrives."""
        h = self._live()
        _native.check_request(_native.request_destroy(h), h)
        self._load()

    def _push(self):
        """Hands the values changed on the Python side to the native session."""
        values = _dumps(_values.encode_map(self.session))
        if values != self._saved_values:
            data, n = _native.b('{"values":' + values + "}")
            h = self._live()
            _native.check_request(_native.request_update(h, data, n), h)
            self._saved_values = values

    def save(self):
        """The response headers, [(name, value), ...]: Set-Cookie when needed,
        Cache-Control: no-store with it, Vary: Cookie. Raises StoreUnavailable or
        KeyNotLoaded (``.undecided``) when the request is undecided: answer 503."""
        self._push()
        headers = json.loads(_native.text_request(_native.request_save, self._live()))
        return [(name, value) for name, value in headers]

    _free = staticmethod(_native.request_free)
    _what = "request"


def save_all(requests):
    """Several cookies of one HTTP request saved together (a "prefs" and an
    "auth" cookie): every header they need, [(name, value), ...], once each; if
    any of them is undecided (or fails), its error, and nothing for any."""
    handles = []
    for r in requests:
        r._push()
        handles.append(r._live())
    array = (ctypes.c_void_p * len(handles))(*[h.value for h in handles])
    text = _native.text_shared(_native.requests_save, array, len(handles))
    return [(name, value) for name, value in json.loads(text)]
