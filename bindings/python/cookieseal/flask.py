"""Flask sessions sealed by cookieseal:

    app.session_interface = cookieseal.flask.CookiesealSessionInterface(
        keyring="/etc/cookieseal/keyring", store="/var/lib/app/sessions")

``session`` behaves as Flask's: a dict, saved when ``session.modified`` (set by
every top-level change; set it yourself after changing a nested value); the
cookie's name and attributes come from Flask's ``SESSION_COOKIE_*`` settings
(a ``__Host-`` name still enforces its rules); ``session.permanent`` makes a
session that lasts ``PERMANENT_SESSION_LIFETIME`` from its last save (within the
codec's bounds: its idle timeout, 24 hours unless ``idle_timeout=`` says more),
a non-permanent one is a browser session; ``SESSION_REFRESH_EACH_REQUEST``
re-sends a permanent session on every request, as Flask does;
``session.clear()`` logs out (subject, id and unread flashes gone, server-side
too). Values are what Flask's own tagged serializer round-trips: tuple, bytes,
Markup, UUID, datetime and nested dicts come back as the same types (C++ and
Go read bytes as bytes, the others in Flask's tagged form, a one-key map such
as ``{" t": [...]}``); a value that cannot be stored fails naming its key.
``flash(message, category)`` is a cookieseal flash under the key ``category``
(``"message"`` by default), so other servers read it there.
Flask's flash()/get_flashed_messages() use cookieseal's flashes, so a flash
set by a C++ or Go server shows here and the other way round. Extras:
``session.login(subject)`` (new id, for "log out everywhere"),
``session.destroy()``, ``session.subject``, ``session.meta``, and
``app.session_interface.revoke_subject(subject)``.

A request whose cookie cannot be judged (the store or the keyring file cannot
answer) is undecided: touching ``session`` raises 503 Service Unavailable, and
no cookie is changed, whatever the view did.
"""
import copy
import json
import threading
from typing import Any, Dict, List, Mapping, NoReturn, Optional, Tuple

from flask import Flask

from flask.json.tag import TagBytes, TaggedJSONSerializer
from flask.sessions import SessionInterface, SessionMixin
from flask.wrappers import Request, Response
from werkzeug.datastructures import CallbackDict
from werkzeug.exceptions import ServiceUnavailable

from . import Codec, Error, RequestSession, SessionManager, _values
from ._values import Flashes

_FLASHES = "_flashes"  # where flask.flash() keeps [(category, message), ...]


class _FlaskTags(TaggedJSONSerializer):
    """Flask's own tags for what JSON cannot carry, less bytes: those travel as
    the library's bytes, which every language reads as bytes."""
    default_tags = [t for t in TaggedJSONSerializer.default_tags if t is not TagBytes]


_tags = _FlaskTags()


def _tagged(values: Mapping[str, Any]) -> Dict[str, Any]:
    """Session values -> what the library stores, each key checked on its own so
    a value that cannot be stored is named."""
    out: Dict[str, Any] = {}
    for key, value in values.items():
        try:
            tagged = _tags.tag(value)
            json.dumps(_values.encode(tagged))
        except (TypeError, ValueError) as e:
            raise TypeError(f"session value {key!r} ({type(value).__name__}) cannot be stored in a "
                            f"cookieseal session: {e}") from e
        out[key] = tagged
    return out


def _untagged(values: Mapping[str, Any]) -> Dict[str, Any]:
    return {key: _untag(value) for key, value in values.items()}


def _untag(value: Any) -> Any:
    # Flask's untag works on one level: walk the containers first.
    if isinstance(value, dict):
        value = {k: _untag(v) for k, v in value.items()}
        if len(value) == 1:
            key = next(iter(value))
            tag = _tags.tags.get(key)
            if tag is not None:
                return tag.to_python(value[key])
        return value
    if isinstance(value, list):
        return [_untag(v) for v in value]
    return value


class CookiesealSession(CallbackDict[str, Any], SessionMixin):
    """The values of one request's cookieseal session, as Flask expects them."""

    def __init__(self, request: RequestSession, initial: Mapping[str, Any]) -> None:
        def on_update(this: "CookiesealSession") -> None:
            this.modified = True
            this.accessed = True

        super().__init__(initial, on_update)
        self._request = request
        self.modified = False
        self.accessed = False
        self.new = request.is_new
        #: why the request's cookie was refused (an Error), or None
        self.refused = request.reason if request.refused else None
        self._flashes_at_open: Flashes = {}  # what open_session saw
        self._lifetime_at_open: Dict[str, Any] = {}

    def __getitem__(self, key: str) -> Any:
        self.accessed = True
        return super().__getitem__(key)

    def get(self, key: str, default: Any = None) -> Any:
        self.accessed = True
        return super().get(key, default)

    def setdefault(self, key: str, default: Any = None) -> Any:
        self.accessed = True
        return super().setdefault(key, default)

    @property
    def subject(self) -> str:
        """Who is logged in ("" for no one)."""
        return self._request.subject

    @property
    def meta(self) -> Dict[str, Any]:
        """The library's meta: id, subject, created_at, key_id, ..."""
        return dict(self._request.meta)

    def login(self, subject: str) -> None:
        """Log in: fixes the subject, draws a new session id (fixation defence)."""
        self._request.login(subject)
        self.modified = True

    def destroy(self) -> None:
        """Ends the session here and server-side (subject, id and unread flashes
        gone); the request goes on with an empty one, so another user can log in
        right after, and a flash set now ("You are logged out") still arrives."""
        self._request.destroy()
        permanent = self.permanent
        dict.clear(self)  # type: ignore[arg-type]  # (mypy misreads dict's inherited clear)
        self._flashes_at_open = {}
        if permanent:
            dict.__setitem__(self, "_permanent", True)
        self.modified = True

    def clear(self) -> None:
        """Flask's logout: as destroy()."""
        self.destroy()


class UndecidedSession(Dict[str, Any], SessionMixin):
    """The session of a request the server could not judge: any use answers 503."""

    def __init__(self, reason: Error) -> None:
        super().__init__()
        self.reason = reason
        self.modified = False
        self.new = False

    def _refuse(self, *args: Any, **kwargs: Any) -> NoReturn:
        e = ServiceUnavailable(f"the session could not be read ({self.reason.name}); retry shortly")
        e.retry_after = 1
        raise e

    # Every way in refuses (typed as the dict's, deliberately not).
    __getitem__ = __setitem__ = __delitem__ = __contains__ = _refuse
    __iter__ = __len__ = get = setdefault = pop = popitem = _refuse  # type: ignore[assignment]
    update = clear = keys = values = items = _refuse  # type: ignore[assignment]
    login = destroy = _refuse
    subject = meta = refused = property(_refuse)


def _flashes_to_flask(flashes: Flashes) -> List[Tuple[str, Any]]:
    return [(category, message) for category, messages in flashes.items() for message in messages]


def _flashes_from_flask(pairs: Optional[List[Any]]) -> Flashes:
    grouped: Flashes = {}
    for pair in pairs or []:
        category, message = (pair[0], pair[1]) if isinstance(pair, (list, tuple)) else ("message", pair)
        grouped.setdefault(str(category), []).append(message)
    return grouped


class CookiesealSessionInterface(SessionInterface):
    """A drop-in for Flask's SecureCookieSessionInterface over a cookieseal
    Codec (arguments as Codec's, or codec= to share one). The cookie's name and
    attributes come from Flask's SESSION_COOKIE_* settings; name=, path=,
    domain=, secure=, http_only=, same_site= given here win over them (servers
    of other languages sharing the cookie must use the same)."""

    _SESSION_OPTIONS = ("name", "purpose", "path", "domain", "secure", "http_only", "same_site",
                        "partitioned")

    def __init__(self, keyring: Optional[str] = None, *, codec: Optional[Codec] = None,
                 **options: Any) -> None:
        self._fixed = {k: options.pop(k) for k in self._SESSION_OPTIONS if k in options}
        # One shared codec (keyring watcher, store connections) for every cookie kind.
        self.codec = codec if codec is not None else Codec(keyring, **options)
        self._managers: Dict[Tuple[Tuple[str, Any], ...], SessionManager] = {}
        self._lock = threading.Lock()

    def _manager(self, app: Flask) -> SessionManager:
        """The session manager of the app's cookie settings (cheap; one per kind)."""
        o: Dict[str, Any] = {"name": self.get_cookie_name(app), "path": self.get_cookie_path(app),
             "domain": self.get_cookie_domain(app) or None,
             "secure": self.get_cookie_secure(app), "http_only": self.get_cookie_httponly(app),
             "same_site": self.get_cookie_samesite(app)}
        o.update(self._fixed)
        key = tuple(sorted(o.items()))
        with self._lock:
            m = self._managers.get(key)
            if m is None:
                m = self._managers[key] = SessionManager(self.codec, **o)
            return m

    @property
    def sessions(self) -> SessionManager:
        """The session manager of the current app."""
        from flask import current_app
        return self._manager(current_app)

    def revoke_subject(self, subject: str) -> None:
        """Log out everywhere (every server sharing the store sees it)."""
        self.codec.revoke_subject(subject)

    def open_session(self, app: Flask, request: Request) -> SessionMixin:
        # Every Cookie line (HTTP/2 sends one per cookie), never joined by ", ".
        r = self._manager(app).request("\n".join(request.headers.getlist("Cookie")))
        if r.undecided:
            reason = r.reason
            r.close()
            assert reason is not None  # an undecided request always has its reason
            return UndecidedSession(reason)
        # A deep copy: a nested change not marked modified must not reach the
        # binding's own copy (which saves any difference), as in Flask.
        values = _untagged(copy.deepcopy(r.session))
        flashes = r.flashes
        if flashes:
            values[_FLASHES] = _flashes_to_flask(flashes)
        session = CookiesealSession(r, values)
        session._flashes_at_open = flashes
        session._lifetime_at_open = dict(r.lifetime)
        return session

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        if not isinstance(session, CookiesealSession):
            return  # undecided (no cookie is changed), or open_session failed
        r = session._request
        try:
            if session.modified:
                values = {k: v for k, v in session.items() if k != _FLASHES}
                flashes = _flashes_from_flask(dict.get(session, _FLASHES))
                r.session.clear()
                r.session.update(_tagged(values))
                if flashes != session._flashes_at_open:
                    r.set_flashes(flashes)
            # A permanent session lasts PERMANENT_SESSION_LIFETIME from its last
            # save (as Flask's signed timestamp does); any other is a browser
            # session. Set when it changes, and on every request where Flask's
            # should_set_cookie says so (SESSION_REFRESH_EACH_REQUEST).
            lifetime: Dict[str, Any] = {
                "max_age": None, "browser_session": not session.permanent,
                "idle_timeout": int(app.permanent_session_lifetime.total_seconds())}
            if self.should_set_cookie(app, session) and (
                    session.permanent or lifetime != session._lifetime_at_open):
                r.set_lifetime(**lifetime)
            headers = r.save()
        except Error as e:
            if not e.undecided:
                raise
            # The store went away between open and save: nothing is sent.
            response.status_code = 503
            response.headers["Retry-After"] = "1"
            response.headers["Cache-Control"] = "no-store"
            response.headers.pop("Location", None)
            response.set_data(f"the session could not be saved ({e.name}); retry shortly\n")
            return
        finally:
            r.close()
        for name, value in headers:
            if name.lower() == "vary":
                response.vary.add(value)
            elif name.lower() == "cache-control":
                response.headers[name] = value  # replaces the app's: one line, never cached
            else:
                response.headers.add(name, value)
