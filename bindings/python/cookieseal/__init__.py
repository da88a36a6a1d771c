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
import os
import threading
import weakref
from types import TracebackType
from typing import (Any, Callable, ClassVar, Dict, Iterable, List, Mapping, Optional, Tuple, Type,
                    TypedDict, TypeVar, Union)

from . import _native, _values
from ._native import Text
from ._values import Flashes, Object, Value
from .errors import (Ambiguous, AuthenticationFailed, Closed, ConfigError, Error, Expired,
                     HeaderTruncated, InternalError, InvalidArgument, InvalidPayload,
                     KeyNotLoaded, KeyringError, Malformed, NotFound, OutOfMemory, Revoked,
                     StoreUnavailable, TooLarge, UnknownKey, UnsupportedVersion, WouldBlock)

__all__ = [
    "Codec", "SessionManager", "RequestSession", "Error", "Malformed", "UnsupportedVersion",
    "UnknownKey", "AuthenticationFailed", "Expired", "InvalidPayload", "TooLarge",
    "StoreUnavailable", "Revoked", "KeyNotLoaded", "Ambiguous", "HeaderTruncated",
    "InvalidArgument", "OutOfMemory", "NotFound", "KeyringError", "InternalError",
    "ConfigError", "Closed", "WouldBlock", "Object", "Settings", "library_version", "save_all",
]

_OUTCOMES = {0: "opened", 1: "refused", 2: "undecided"}
_SAME_SITE = {None: 0, "Strict": 1, "Lax": 2, "None": 3}


#: response headers, [(name, value), ...]
Headers = List[Tuple[str, str]]
#: a duration in seconds (a float is truncated)
Seconds = Union[int, float]
_Self = TypeVar("_Self", bound="_Handle")
_R = TypeVar("_R")


def library_version() -> str:
    """The version of the loaded libcookieseal-c, e.g. "0.1.0"."""
    return _native._c_text(_native.version())


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=True)


class _Handle:
    """Owns one native handle: closed by close(), by ``with``, or at garbage
    collection. close() is safe at any time, twice, and on any thread: a call
    already inside the library on the handle (ctypes releases the GIL) keeps it
    alive, and the last such call out frees it (as bindings/node's
    owned_handle does); a call after close() raises Closed."""
    _lock: Optional[threading.Lock] = None  # guards the three below; None until _own()
    _handle: Optional[ctypes.c_void_p] = None
    _calls = 0        # calls in flight on the handle
    _closed = True
    _free: ClassVar[Callable[[ctypes.c_void_p], None]]  # the native function that frees it
    _what = "handle"  # for "the ... is closed"

    def _own(self, handle: ctypes.c_void_p) -> None:
        """Takes ownership of a new native handle."""
        self._lock = threading.Lock()
        self._handle = handle
        self._closed = False

    def close(self) -> None:
        """Frees the native handle (once no call is in flight on it); then every
        call raises Closed. Safe twice, and on any thread."""
        lock = self._lock
        if lock is None:  # never owned one (its constructor failed)
            return
        with lock:
            if self._closed:
                return
            self._closed = True
            if self._calls:  # the last call out frees it
                return
            handle, self._handle = self._handle, None
        if handle is not None:
            type(self)._free(handle)

    def _enter(self) -> ctypes.c_void_p:
        """The handle, counted as in flight until _leave(); Closed after close()."""
        lock = self._lock
        if lock is None:
            raise Closed(f"closed: the {self._what} was never made", status=106)
        with lock:
            handle = self._handle
            if self._closed or handle is None:
                raise Closed(f"closed: the {self._what} was closed", status=106)
            self._calls += 1
            return handle

    def _leave(self) -> None:
        """Ends a call that _enter() counted; the last one out after close() frees."""
        lock = self._lock
        assert lock is not None  # _enter() succeeded
        with lock:
            self._calls -= 1
            if self._calls or not self._closed:
                return
            handle, self._handle = self._handle, None
        if handle is not None:
            type(self)._free(handle)

    def _call(self, how: Callable[..., _R], fn: Callable[..., Any], *args: Any) -> _R:
        """how(fn, handle, *args) (one of _native's call_* / text_*), the handle
        kept from being freed until it returns."""
        handle = self._enter()
        try:
            return how(fn, handle, *args)
        finally:
            self._leave()

    def __enter__(self: _Self) -> _Self:
        return self

    def __exit__(self, exc_type: Optional[Type[BaseException]], exc: Optional[BaseException],
                 traceback: Optional[TracebackType]) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # interpreter shutdown
            pass


_log = logging.getLogger("cookieseal")


def _diagnostic_bridge(
        diagnostic: Optional[Callable[[str], object]]) -> Callable[[Any, Any, int], None]:
    """The C diagnostic callback for a Python callable (default: log a warning)."""
    say: Callable[[str], object] = _log.warning
    if diagnostic is not None:
        say = diagnostic

    def bridge(_context: Any, message: Any, length: int) -> None:
        try:
            say(ctypes.string_at(message, length).decode("utf-8", "replace"))
        except Exception:  # a logger must not turn a failure into a crash in C
            _log.exception("cookieseal diagnostic function failed")
    return bridge


def _number(value: Any, what: str, low: Seconds, high: Seconds) -> Seconds:
    """A numeric option in [low, high], or InvalidArgument naming it (never wrapped
    into the C type's range)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
        raise InvalidArgument(f"invalid_argument: {what} must be a number, not {value!r}", status=100)
    if not low <= value <= high:
        raise InvalidArgument(f"invalid_argument: {what} must be {low}..{high}, not {value!r}",
                              status=100)
    return value


def _whole(value: Any, what: str, low: int, high: int) -> int:
    return int(_number(value, what, low, high))


_INT64 = 2**63 - 1
_live_codecs: "weakref.WeakSet[Codec]" = weakref.WeakSet()


@atexit.register
def _close_codecs_at_exit() -> None:
    # Before the interpreter finalizes: a keyring thread calling into Python
    # then would be ended in the middle of a callback.
    for codec in list(_live_codecs):
        codec.close()


class Codec(_Handle):
    """What a server shares: the keyring (and its watcher), the store (and its
    connections), the policy's bounds. One per process; every SessionManager
    (one kind of cookie) is made on it.

    keyring: path of a keyring file (watched: reloaded when it changes, and
    checked at once for a key id it lacks); or keyring_text: the file's text
    (str, bytes or bytearray; the copy handed to the library is wiped after
    the call, the caller's own object is not, docs/SECURITY.md).
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

    def __init__(self, keyring: Optional[Union[str, "os.PathLike[str]"]] = None, *,
                 keyring_text: Optional[Text] = None,
                 store: Optional[Union[str, "os.PathLike[str]"]] = None,
                 max_age: Optional[Seconds] = None, idle_timeout: Optional[Seconds] = None,
                 leeway: Optional[Seconds] = None, store_revocations: Optional[bool] = None,
                 reload_interval: Optional[Seconds] = None,
                 diagnostic: Optional[Callable[[str], object]] = None) -> None:
        o = _native.init_options(_native.CodecOptions, _native.codec_options_init)
        keep = [  # the bytes must outlive the call
            o.set_text("keyring_path", str(keyring) if keyring is not None else None),
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
        secret = None  # our copy of the key text, made last and wiped on every path
        try:
            secret = o.set_secret("keyring_text", keyring_text)
            _native.call_shared(_native.codec_new, ctypes.byref(o), ctypes.byref(handle))
        finally:
            if secret is not None:
                _native.wipe(secret)
            del keep
        self._own(handle)
        _live_codecs.add(self)

    def session_manager(self, **options: Any) -> "SessionManager":
        """A SessionManager (one kind of cookie) on this codec."""
        return SessionManager(self, **options)

    def revoke_subject(self, subject: Text) -> None:
        """Log out everywhere: every session of @subject created up to now is refused."""
        data, n = _native.b(subject)
        self._call(_native.call_shared, _native.codec_revoke_subject, data, n)

    # close() stops the keyring watcher; its managers and requests then raise Closed.
    _free = _native.codec_free  # a ctypes function: not bound as a method
    _what = "codec"


class Settings(TypedDict):
    """A SessionManager's effective settings, the library's defaults filled in
    (cookieseal_session_manager_settings). None: not sent (purpose: none bound);
    an empty path sends no Path."""
    name: str
    purpose: Optional[str]
    path: str
    domain: Optional[str]
    secure: bool
    http_only: bool
    same_site: Optional[str]  # "Strict", "Lax", "None", or None (no attribute)
    partitioned: bool
    browser_session: bool
    max_age: int                 # the codec's absolute lifetime, seconds (0: none)
    idle_timeout: Optional[int]  # seconds, or None: no idle timeout


class SessionManager(_Handle):
    """One kind of session cookie on a Codec: its name, purpose and attributes
    (None keeps the library's default; ``settings`` tells what is in force).
    Cheap: make one per cookie name."""

    def __init__(self, codec: Codec, *, name: Optional[str] = None, purpose: Optional[str] = None,
                 path: Optional[str] = None, domain: Optional[str] = None,
                 secure: Optional[bool] = None, http_only: Optional[bool] = None,
                 same_site: Optional[str] = "default", partitioned: Optional[bool] = None,
                 browser_session: Optional[bool] = None) -> None:
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
        codec._call(_native.call_shared, _native.session_manager_new, ctypes.byref(o),
                    ctypes.byref(handle))
        del keep
        self._own(handle)
        self.codec = codec
        # Fixed for the manager's life: asked once, from the library (never restated).
        self._settings: Settings = json.loads(
            self._call(_native.text_shared, _native.session_manager_settings))

    @property
    def settings(self) -> Settings:
        """The cookie's effective settings, the library's defaults filled in:
        name, purpose, path, domain, secure, http_only, same_site, partitioned,
        browser_session, max_age and idle_timeout (seconds)."""
        return self._settings.copy()

    @property
    def name(self) -> str:
        """The cookie's name (settings["name"])."""
        return self._settings["name"]

    def request(self, cookie_header: Optional[str] = "") -> "RequestSession":
        """The session of one request, from its Cookie header ("" if none; several
        Cookie lines joined by "\n", never by ", ")."""
        return RequestSession(self, cookie_header or "")

    def request_nonblocking(self, cookie_header: Optional[str] = "") -> Optional["RequestSession"]:
        """request(), but never waiting on the store or the keyring file, for an
        event loop: None where the load needs either (an overflowed session, a
        revocation check, a key not loaded yet), having changed nothing; then
        call request() in a worker thread."""
        try:
            return RequestSession(self, cookie_header or "", _native.request_new_nonblocking)
        except WouldBlock:
            return None

    def seal(self, session: Mapping[str, Any]) -> str:
        """A cookie value for {"values", "constants", "flashes", "subject"} (each optional)."""
        data, n = _native.b(_dumps(_values.encode_session(session)))
        return self._call(_native.text_shared, _native.seal, data, n)

    def open(self, cookie: str) -> Dict[str, Any]:
        """The session in a cookie value: {"values", "constants", "flashes", "meta"}."""
        data, n = _native.b(cookie)
        return _values.decode_session(
            json.loads(self._call(_native.text_shared, _native.open_, data, n)))

    def revoke_subject(self, subject: Text) -> None:
        """Log out everywhere (this manager's codec.revoke_subject)."""
        self.codec.revoke_subject(subject)

    _free = _native.session_manager_free  # a ctypes function: not bound as a method
    _what = "session manager"


class RequestSession(_Handle):
    """One request's session. ``session`` is a dict of its values; change it,
    then ``save()`` for the headers to add. Use as a context manager (or call
    close()) so the native request is freed promptly."""

    def __init__(self, manager: SessionManager, cookie_header: str,
                 new: Callable[..., int] = _native.request_new) -> None:
        self._manager = manager
        handle = ctypes.c_void_p()
        data, n = _native.b(cookie_header)
        manager._call(_native.call_shared, new, data, n, ctypes.byref(handle))
        self._own(handle)
        # No other thread can reach this request yet: its handle is used as is.
        reason = ctypes.c_int()
        self.outcome = _OUTCOMES[_native.request_outcome(handle, ctypes.byref(reason))]
        #: why the cookie was refused or undecided: an Error subclass, or None
        self.reason = None if reason.value == 0 else _native.error_for(reason.value)
        self.is_new = bool(_native.request_is_new(handle))
        self._load()

    def _load(self) -> None:
        doc = json.loads(self._call(_native.text_request, _native.request_session_json))
        # The values as the library wrote them: decoding makes new containers,
        # so this stays what was loaded whatever the app does to its session.
        self._saved_encoded: Dict[str, Any] = doc["values"]
        self._saved_values: Optional[str] = None  # its JSON text, made when first needed
        data = _values.decode_session(doc)
        #: what the library tells of the session: id, subject, created_at, key_id, ...
        self.meta: Dict[str, Any] = data["meta"]
        self.constants: Dict[str, Value] = data["constants"]
        #: the session's values: change them, then save()
        self.session: Dict[str, Value] = dict(data["values"])
        self._flashes: Optional[Flashes] = data["flashes"]  # None once a flash call changed them
        #: the session's own lifetime: {"max_age", "idle_timeout"} in seconds
        #: (None: the codec's) and "browser_session"
        self.lifetime: Dict[str, Any] = dict(data.get("lifetime") or {})

    @property
    def opened(self) -> bool:
        """The cookie opened (or there was none: a new session)."""
        return self.outcome == "opened"

    @property
    def refused(self) -> bool:
        """The cookie was bad (``reason`` says why): it is cleared on save()."""
        return self.outcome == "refused"

    @property
    def undecided(self) -> bool:
        """The server could not judge the cookie: answer 503; save() sends nothing."""
        return self.outcome == "undecided"

    @property
    def subject(self) -> str:
        """Who is logged in ("" for no one)."""
        subject: str = self.meta["subject"]
        return subject

    @property
    def flashes(self) -> Flashes:
        """All queued flashes, {key: [messages]}, without consuming them."""
        if self._flashes is None:  # fetched again only after a change
            self._flashes = _values.decode_flashes(json.loads(
                self._call(_native.text_request, _native.request_session_json))["flashes"])
        return self._flashes

    def flash(self, key: Text, message: Value) -> None:
        """Queues @message (any JSON value) under @key, to be read once."""
        k, kn = _native.b(key)
        v, vn = _native.b(_dumps(_values.encode(message)))
        self._call(_native.call_request, _native.request_flash, k, kn, v, vn)
        self._flashes = None

    def take_flashes(self, key: Text) -> List[Value]:
        """The messages under @key, removed from the session."""
        k, kn = _native.b(key)
        self._flashes = None
        messages: List[Value] = _values.decode(
            json.loads(self._call(_native.text_request, _native.request_take_flashes, k, kn)))
        return messages

    def set_flashes(self, flashes: Mapping[str, List[Value]]) -> None:
        """Replaces every queued flash with @flashes ({key: [messages]})."""
        data, n = _native.b(_dumps({"flashes": _values.encode_flashes(flashes)}))
        self._call(_native.call_request, _native.request_update, data, n)
        self._flashes = None

    def login(self, subject: str) -> None:
        """Fixes the subject (for "log out everywhere"), draws a new id, restarts
        created_at. InvalidArgument when another subject is logged in."""
        data, n = _native.b(subject)
        self._call(_native.call_request, _native.request_login, data, n)
        self.meta["subject"] = subject

    def set_lifetime(self, max_age: Optional[Seconds] = None,
                     idle_timeout: Optional[Seconds] = None,
                     browser_session: bool = False) -> None:
        """Gives the session its own lifetime, within the codec's bounds (seconds;
        None: the codec's): "remember me" for 30 days, or a browser session
        (a cookie without Max-Age). The cookie is sealed again on save, also
        when the lifetime is unchanged (a refresh)."""
        lifetime: Dict[str, Any] = {
            "max_age": None if max_age is None else _whole(max_age, "max_age", 0, _INT64),
            "idle_timeout": None if idle_timeout is None else
            _whole(idle_timeout, "idle_timeout", 0, _INT64),
            "browser_session": bool(browser_session)}
        data, n = _native.b(_dumps({"lifetime": lifetime}))
        self._call(_native.call_request, _native.request_update, data, n)
        self.lifetime = lifetime

    def regenerate_id(self) -> None:
        """Draws a new session id (keeping values and subject)."""
        self._call(_native.call_request, _native.request_regenerate_id)

    def destroy(self) -> None:
        """Ends the session (server-side too); the request goes on with a fresh,
        empty one, so a flash set now ("You are logged out") still arrives."""
        self._call(_native.call_request, _native.request_destroy)
        self._load()

    def _push(self) -> None:
        """Hands the values changed on the Python side to the native session."""
        encoded = _values.encode_map(self.session)
        values = _dumps(encoded)
        if encoded == self._saved_encoded:
            # Equal as Python values, but 1 == 1.0 == True: only the JSON text
            # tells those apart.
            if self._saved_values is None:
                self._saved_values = _dumps(self._saved_encoded)
            if values == self._saved_values:
                return
        data, n = _native.b('{"values":' + values + "}")
        self._call(_native.call_request, _native.request_update, data, n)
        self._saved_encoded, self._saved_values = encoded, values

    def save(self) -> Headers:
        """The response headers, [(name, value), ...]: Set-Cookie when needed,
        Cache-Control: no-store with it, Vary: Cookie. Raises StoreUnavailable or
        KeyNotLoaded (``.undecided``) when the request is undecided: answer 503."""
        self._push()
        headers = json.loads(self._call(_native.text_request, _native.request_save))
        return [(name, value) for name, value in headers]

    def save_nonblocking(self) -> Optional[Headers]:
        """save(), but never waiting on the store, for an event loop: None where
        the save needs it (a session that overflows or was overflowed, a login
        with revocation checks, a destroyed session), the request unchanged;
        then call save() in a worker thread."""
        self._push()
        try:
            text = self._call(_native.text_request, _native.request_save_nonblocking)
        except WouldBlock:
            return None
        return [(name, value) for name, value in json.loads(text)]

    _free = _native.request_free  # a ctypes function: not bound as a method
    _what = "request"


def save_all(requests: Iterable[RequestSession]) -> Headers:
    """Several cookies of one HTTP request saved together (a "prefs" and an
    "auth" cookie): every header they need, [(name, value), ...], once each; if
    any of them is undecided (or fails), its error, and nothing for any."""
    handles: List[ctypes.c_void_p] = []
    entered: List[RequestSession] = []
    try:
        for r in requests:
            r._push()
            handles.append(r._enter())  # each kept from being freed until the end
            entered.append(r)
        array = (ctypes.c_void_p * len(handles))(*[h.value for h in handles])
        text = _native.text_shared(_native.requests_save, array, len(handles))
    finally:
        for r in entered:
            r._leave()
    return [(name, value) for name, value in json.loads(text)]
