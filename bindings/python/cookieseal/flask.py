"""Flask sessions sealed by cookieseal:

    app.session_interface = cookieseal.flask.CookiesealSessionInterface(
        keyring="/etc/cookieseal/keyring", store="/var/lib/app/sessions")

``session`` behaves as Flask's: a dict, saved when ``session.modified`` (set by
every top-level change; set it yourself after changing a nested value).
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

from flask.sessions import SessionInterface, SessionMixin
from werkzeug.datastructures import CallbackDict
from werkzeug.exceptions import ServiceUnavailable

from . import Codec, Error, SessionManager, _values

_FLASHES = "_flashes"  # where flask.flash() keeps [(category, message), ...]


class CookiesealSession(CallbackDict, SessionMixin):
    """The values of one request's cookieseal session, as Flask expects them."""

    def __init__(self, request, initial):
        def on_update(this):
            this.modified = True
            this.accessed = True

        super().__init__(initial, on_update)
        self._request = request
        self.modified = False
        self.accessed = False
        self.new = request.is_new
        #: why the request's cookie was refused (an Error), or None
        self.refused = request.reason if request.refused else None

    def __getitem__(self, key):
        self.accessed = True
        return super().__getitem__(key)

    def get(self, key, default=None):
        self.accessed = True
        return super().get(key, default)

    def setdefault(self, key, default=None):
        self.accessed = True
        return super().setdefault(key, default)

    @property
    def subject(self):
        return self._request.subject

    @property
    def meta(self):
        return dict(self._request.meta)

    def login(self, subject):
        """Log in: fixes the subject, draws a new session id (fixation defence)."""
        self._request.login(subject)
        self.modified = True

    def destroy(self):
        """Ends the session here and server-side; the request goes on with an empty one."""
        self._request.destroy()
        flashes = self.get(_FLASHES)
        dict.clear(self)
        if flashes:  # flashed before the logout: still shown
            dict.__setitem__(self, _FLASHES, flashes)
        self.modified = True


class UndecidedSession(dict, SessionMixin):
    """The session of a request the server could not judge: any use answers 503."""

    def __init__(self, reason):
        super().__init__()
        self.reason = reason
        self.modified = False
        self.new = False

    def _refuse(self, *args, **kwargs):
        e = ServiceUnavailable(f"the session could not be read ({self.reason.name}); retry shortly")
        e.retry_after = 1
        raise e

    __getitem__ = __setitem__ = __delitem__ = __contains__ = __iter__ = __len__ = _refuse
    get = setdefault = pop = popitem = update = clear = keys = values = items = _refuse
    login = destroy = _refuse
    subject = meta = refused = property(_refuse)


def _flashes_to_flask(flashes):
    return [(category, message) for category, messages in flashes.items() for message in messages]


def _flashes_from_flask(pairs):
    grouped = {}
    for pair in pairs or []:
        category, message = (pair[0], pair[1]) if isinstance(pair, (list, tuple)) else ("message", pair)
        grouped.setdefault(str(category), []).append(message)
    return grouped


class CookiesealSessionInterface(SessionInterface):
    """A Flask SessionInterface over a cookieseal Codec (arguments as Codec's).
    The cookie name, lifetime and attributes come from these arguments, not from
    Flask's SESSION_COOKIE_* settings: every server sharing the keyring must seal
    the same cookie the same way."""

    _SESSION_OPTIONS = ("name", "purpose", "path", "domain", "secure", "http_only", "same_site",
                        "partitioned", "browser_session")

    def __init__(self, keyring=None, *, codec=None, **options):
        session_options = {k: options.pop(k) for k in self._SESSION_OPTIONS if k in options}
        # One shared codec (keyring watcher, store connections) for every cookie name.
        self.codec = codec if codec is not None else Codec(keyring, **options)
        self.sessions = SessionManager(self.codec, **session_options)

    def revoke_subject(self, subject):
        """Log out everywhere (every server sharing the store sees it)."""
        self.codec.revoke_subject(subject)

    def open_session(self, app, request):
        # Every Cookie line (HTTP/2 sends one per cookie), never joined by ", ".
        r = self.sessions.request("\n".join(request.headers.getlist("Cookie")))
        if r.undecided:
            reason = r.reason
            r.close()
            return UndecidedSession(reason)
        # A deep copy: a nested change not marked modified must not reach the
        # binding's own copy (which saves any difference), as in Flask.
        values = copy.deepcopy(r.session)
        flashes = r.flashes
        if flashes:
            values[_FLASHES] = _flashes_to_flask(flashes)
        session = CookiesealSession(r, values)
        session._flashes_at_open = flashes
        return session

    def save_session(self, app, session, response):
        if isinstance(session, UndecidedSession):
            return  # no cookie is changed
        r = session._request
        try:
            if session.modified:
                values = {k: v for k, v in session.items() if k != _FLASHES}
                flashes = _flashes_from_flask(dict.get(session, _FLASHES))
                r.session.clear()
                r.session.update(_values.decode_map(json.loads(json.dumps(
                    _values.encode_map(values)))))  # JSON kinds (and bytes) only, as sealed
                if flashes != session._flashes_at_open:
                    r.set_flashes(flashes)
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
