"""request.session: a Django SessionBase whose data lives in a cookieseal cookie,
as django.contrib.sessions.backends.signed_cookies keeps it in a signed one."""
import copy
import math
import time
from datetime import datetime, timedelta
from typing import Any, Dict, List, Optional, Tuple

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from .. import Error, RequestSession
from .._stored import stored
from . import config

_USER = "_auth_user_id"      # django.contrib.auth.SESSION_KEY: the logged-in user's pk
_EXPIRY = "_session_expiry"  # where SessionBase.set_expiry keeps a session's own expiry
_JSON = "django.contrib.sessions.serializers.JSONSerializer"


def _cookie_value(set_cookie: str) -> str:
    """The value of a Set-Cookie line the library wrote ("" for a deletion)."""
    return set_cookie.split(";", 1)[0].split("=", 1)[1]


class SessionStore(SessionBase):  # type: ignore[misc]
    """A session in a cookieseal cookie. session_key is the cookie's value, as in
    Django's signed_cookies backend (so Django's test client works unchanged)."""

    def __init__(self, session_key: Optional[str] = None, *,
                 cookie_header: Optional[str] = None) -> None:
        super().__init__(session_key)
        if settings.SESSION_SERIALIZER != _JSON:
            raise ImproperlyConfigured(
                "cookieseal.django stores JSON: SESSION_SERIALIZER must be " + _JSON)
        # From the middleware, every Cookie line (each cookie of that name is judged).
        self._cookie_header = cookie_header
        self._request: Optional[RequestSession] = None
        self._browser_session = False  # the kind of cookie _request seals
        self._flushed = False
        self._cycled = False
        self._set_cookie: Optional[str] = None
        self._headers: Dict[str, str] = {}
        self._flashes: Optional[Dict[str, List[Any]]] = None  # set, to be saved
        #: the Error that left the request undecided (answer 503), or None
        self.undecided: Optional[Error] = None

    # --- the library's request, opened on first use ---------------------------

    def _header(self) -> str:
        if self._set_cookie is not None:  # saved before in this request: the newest cookie
            key = self.session_key
            return f"{settings.SESSION_COOKIE_NAME}={key}" if key else ""
        if self._cookie_header is not None:
            return self._cookie_header
        return f"{settings.SESSION_COOKIE_NAME}={self.session_key}" if self.session_key else ""

    def _open(self) -> RequestSession:
        r = self._request
        if r is None:
            self._browser_session = settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
            r = config.manager(self._browser_session).request(self._header())
            self._request = r
        if r.undecided:
            self.undecided = r.reason
            raise r.reason  # type: ignore[misc]  # never None here
        return r

    @property
    def opened(self) -> bool:
        """Whether this request's cookie was read (or a session begun)."""
        return self._request is not None

    @property
    def subject(self) -> str:
        """Who the session is logged in as for "log out everywhere" ("" if nobody)."""
        user = self._session.get(_USER)  # a login in this request is fixed when saved
        return str(user) if user is not None else self._open().subject

    @property
    def flashes(self) -> Dict[str, List[Any]]:
        """The session's flash messages, {key: [messages]}, shared with Flask, C++
        and Go servers (cookieseal.django.messages keeps Django's messages there)."""
        if self._flashes is not None:
            return self._flashes
        self._session  # noqa: B018 (opens the cookie)
        flashes: Dict[str, List[Any]] = self._open().flashes
        return flashes

    def set_flashes(self, flashes: Dict[str, List[Any]]) -> None:
        """Replaces the flash messages when the session is saved."""
        if self.undecided is None:
            self._flashes = flashes
            self.modified = True

    def load(self) -> Dict[str, Any]:
        # A copy: a nested change that is not marked modified stays unsaved, as in Django.
        return copy.deepcopy(self._open().session)

    def close(self) -> None:
        if self._request is not None:
            self._request.close()

    # --- what SessionBase asks of a backend -----------------------------------

    def exists(self, session_key: Optional[str] = None) -> bool:
        return False  # a cookie session has no shared key space to collide in

    def create(self) -> None:
        self.modified = True

    def save(self, must_create: bool = False) -> None:
        """Seals the session now; session_key becomes the new cookie value."""
        self.commit(values=True)
        self.modified = True  # the middleware sends the new cookie

    def delete(self, session_key: Optional[str] = None) -> None:
        # flush() (logout) ends the session at once, server-side too, as Django's
        # stored backends do (signed_cookies cannot).
        self._flushed = True
        self._session_cache: Dict[str, Any] = {}
        self.save()

    def cycle_key(self) -> None:
        # login(): a new session id for the same data (the library draws it),
        # saved at once as signed_cookies does, so session_key changes now.
        self._session  # noqa: B018
        self._cycled = True
        self.save()

    async def acycle_key(self) -> None:
        # Django 5's alogin(): SessionBase's own acycle_key would delete (end)
        # the session; this keeps it, as cycle_key does.
        await sync_to_async(self.cycle_key)()

    @classmethod
    def clear_expired(cls) -> None:
        pass  # expired cookies are refused where they are opened

    # --- expiry ----------------------------------------------------------------
    # A datetime is kept as ISO 8601 text (the cookie holds JSON, where Django's
    # JSONSerializer would fail on it).

    def _expiry(self) -> Any:
        value = self.get(_EXPIRY)
        return datetime.fromisoformat(value) if isinstance(value, str) else value

    def set_expiry(self, value: Any) -> None:
        if isinstance(value, timedelta):
            value = timezone.now() + value
        if isinstance(value, datetime):
            value = value.isoformat()
        super().set_expiry(value)

    def get_expiry_age(self, **kwargs: Any) -> int:
        kwargs.setdefault("expiry", self._expiry())
        return int(super().get_expiry_age(**kwargs))

    def get_expiry_date(self, **kwargs: Any) -> datetime:
        kwargs.setdefault("expiry", self._expiry())
        date: datetime = super().get_expiry_date(**kwargs)
        return date

    def _lifetime(self, r: RequestSession, restarted: bool) -> Dict[str, Any]:
        """The lifetime to seal into the cookie (set_lifetime's arguments), so
        that set_expiry() is enforced wherever the cookie is opened, not only by
        the cookie's Max-Age: seconds are an idle timeout (counted from each
        save, as Django counts them from the last modification), a datetime the
        absolute end (max_age from the session's created_at), 0 and
        SESSION_EXPIRE_AT_BROWSER_CLOSE a browser session; None the codec's
        (SESSION_COOKIE_AGE). Within the codec's bounds (COOKIESEAL_MAX_AGE,
        7 days by default): a longer expiry is cut to them."""
        browser = bool(self.get_expire_at_browser_close())
        expiry = self._expiry()
        max_age = idle_timeout = None
        if isinstance(expiry, datetime):
            created = r.meta.get("created_at")
            start = time.time() if restarted or not created else datetime.fromisoformat(
                created.replace("Z", "+00:00")).timestamp()
            # A naive datetime is local time, as Django's timezone.now() without USE_TZ.
            max_age = max(1, math.ceil(expiry.timestamp() - start))
        elif isinstance(expiry, (int, float)) and not isinstance(expiry, bool) and expiry > 0:
            idle_timeout = math.ceil(expiry)
        return {"max_age": max_age, "idle_timeout": idle_timeout, "browser_session": browser}

    # --- saving ------------------------------------------------------------------

    def _saving_request(self) -> RequestSession:
        """The request that seals: on the manager of this session's own expiry
        (a browser session or not), which may differ from the one it opened on."""
        if _EXPIRY not in self._session:
            return self._open()
        want = self.get_expire_at_browser_close()
        r = self._open()
        if want != self._browser_session:
            other = config.manager(want).request(self._header())
            if other.undecided:
                self.undecided = other.reason
                raise other.reason  # type: ignore[misc]  # never None here
            r.close()
            self._request, self._browser_session = other, want
            r = other
        return r

    def commit(self, values: bool) -> List[Tuple[str, str]]:
        """Applies what the app did (values when @values, a flush, login, a new
        key) and saves: the response headers the library wants sent. Raises the
        library's Error; ``.undecided`` ones mean 503."""
        self._session  # noqa: B018 (opens the cookie)
        r = self._saving_request()
        user = self._session_cache.get(_USER)
        user = None if user is None else str(user)
        # logout, or another user without one: the old session ends (a request
        # that had no session sends nothing, as Django's flush of nothing)
        if (self._flushed and (not r.is_new or r.subject)) or (
                r.subject and user is not None and user != r.subject):
            r.destroy()
        restarted = False  # created_at is now
        if user is not None and user != r.subject:
            r.login(user)  # a new id and the subject, for "log out everywhere"
            restarted = True
        elif self._cycled:
            r.regenerate_id()
        self._flushed = self._cycled = False
        if self._flashes is not None:
            if self._flashes != r.flashes:
                r.set_flashes(self._flashes)
            self._flashes = None
        if values:
            r.session.clear()
            r.session.update(stored(self._session_cache))
            if self._session_cache:
                lifetime = self._lifetime(r, restarted)
                if lifetime != r.lifetime:
                    r.set_lifetime(**lifetime)
        headers = r.save()
        for name, value in headers:
            if name.lower() == "set-cookie":
                self._set_cookie = value
                self._session_key = _cookie_value(value) or None
            else:
                self._headers[name] = value
        return headers

    def response_headers(self) -> Tuple[Optional[str], Dict[str, str]]:
        """The latest Set-Cookie line (None: none) and the other headers of every save."""
        return self._set_cookie, dict(self._headers)
