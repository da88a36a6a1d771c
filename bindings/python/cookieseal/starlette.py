"""Starlette and FastAPI sessions sealed by cookieseal, a drop-in for
starlette.middleware.sessions.SessionMiddleware:

    app.add_middleware(cookieseal.starlette.SessionMiddleware,
                       keyring="/etc/cookieseal/keyring", store="/var/lib/app/sessions")

``request.session`` is a dict, as with Starlette's (every change is saved;
``request.session.clear()`` logs out: the session ends server-side too), with
``login(subject)`` (a new id, for "log out everywhere"), ``destroy()``,
``subject``, and the flashes other servers share (``flash(key, message)``,
``take_flashes(key)``, ``flashes``). The options are Starlette's
(``session_cookie``, ``max_age``, ``path``, ``same_site``, ``https_only``,
``domain``); ``keyring``, ``store`` and the rest are Codec's, or pass ``codec=``
to share one. ``max_age`` is sealed into the cookie as the session's idle
timeout (a cookie past it is refused wherever it is opened, whatever the
cookie's Max-Age), within the codec's bounds (a codec made here takes it as
its idle timeout); None is a browser session (no Max-Age; the codec's idle
timeout still holds). The session is opened and saved on the event loop
unless that needs the store or the keyring file (an overflowed session, a
revocation check, a key id not loaded yet: the C ABI's nonblocking calls say
so), and then in a worker thread. A request whose cookie cannot be judged answers 503
where the app touches the session, and no cookie is changed.
"""
import typing

import anyio.to_thread
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import Codec, Error, RequestSession, SessionManager
from ._stored import stored

_WEEKS_2 = 14 * 24 * 60 * 60  # Starlette's own default max_age


class CookiesealSession(typing.Dict[str, typing.Any]):
    """The values of one request's session, as Starlette's dict, plus the
    library's login, destroy and subject."""

    def __init__(self, request: RequestSession) -> None:
        super().__init__(request.session)
        self._request = request

    @property
    def subject(self) -> str:
        return self._request.subject

    def login(self, subject: str) -> None:
        """Log in: fixes the subject, draws a new session id (fixation defence)."""
        self._request.login(subject)

    def destroy(self) -> None:
        """Ends the session here and server-side; the request goes on with an
        empty one, so a flash queued now ("You are logged out") still arrives."""
        self._request.destroy()
        super().clear()

    @property
    def flashes(self) -> typing.Dict[str, typing.List[typing.Any]]:
        """Every queued flash, {key: [messages]}, left queued."""
        flashes: typing.Dict[str, typing.List[typing.Any]] = self._request.flashes
        return flashes

    def flash(self, key: str, message: typing.Any) -> None:
        """Queues @message under @key, shown once by whichever server reads it
        (Flask's flash() uses its category as the key, Django's messages theirs)."""
        self._request.flash(key, message)

    def take_flashes(self, key: str) -> typing.List[typing.Any]:
        """The messages queued under @key, removed from the session."""
        taken: typing.List[typing.Any] = self._request.take_flashes(key)
        return taken

    def clear(self) -> None:
        """Starlette's logout: the cookie goes, and the session ends server-side."""
        super().clear()
        self.cleared = True

    cleared = False


class UndecidedSession(typing.Dict[str, typing.Any]):
    """The session of a request the server could not judge: any use answers 503."""

    def __init__(self, reason: Error) -> None:
        super().__init__()
        self.reason = reason

    def _refuse(self, *args: typing.Any, **kwargs: typing.Any) -> typing.NoReturn:
        raise HTTPException(503, f"the session could not be read ({self.reason.name}); "
                                 "retry shortly", headers={"Retry-After": "1"})

    # Every way in refuses (typed as the dict's, deliberately not).
    __getitem__ = __setitem__ = __delitem__ = __contains__ = _refuse
    __iter__ = __len__ = get = setdefault = pop = popitem = _refuse  # type: ignore[assignment]
    update = clear = keys = values = items = _refuse  # type: ignore[assignment]
    login = destroy = flash = take_flashes = _refuse
    subject = flashes = property(_refuse)


class SessionMiddleware:
    """An ASGI middleware putting a cookieseal session in ``scope["session"]``."""

    def __init__(self, app: ASGIApp, keyring: typing.Optional[str] = None, *,
                 codec: typing.Optional[Codec] = None, session_cookie: str = "session",
                 max_age: typing.Optional[int] = _WEEKS_2, path: str = "/",
                 same_site: str = "lax", https_only: bool = False,
                 domain: typing.Optional[str] = None, **codec_options: typing.Any) -> None:
        self.app = app
        if codec is None:
            if max_age:  # Starlette's max_age counts from the last response that set it
                codec_options.setdefault("idle_timeout", max_age)
            codec = Codec(keyring, **codec_options)
        #: the Codec (one per process: pass codec= to share it with other apps)
        self.codec = codec
        #: the lifetime sealed into each session's cookie (set_lifetime's arguments)
        self.lifetime = {"max_age": None, "idle_timeout": max_age or None,
                         "browser_session": max_age is None}
        self.sessions = SessionManager(codec, name=session_cookie, path=path, domain=domain,
                                       secure=https_only, http_only=True,
                                       same_site=same_site.capitalize(),
                                       browser_session=max_age is None)

    def revoke_subject(self, subject: str) -> None:
        """Log out everywhere (every server sharing the store sees it)."""
        self.codec.revoke_subject(subject)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        # Every Cookie line (HTTP/2 sends one per cookie), never joined by ", ".
        header = "\n".join(v.decode("latin-1") for k, v in scope["headers"] if k == b"cookie")
        # On the event loop unless the load needs the store or the keyring
        # file; then in a worker thread, so a stalled store holds up only the
        # requests that need it.
        loaded = self.sessions.request_nonblocking(header)
        r: RequestSession = (loaded if loaded is not None
                             else await anyio.to_thread.run_sync(self.sessions.request, header))
        if r.undecided:
            reason = r.reason
            r.close()
            scope["session"] = UndecidedSession(reason)  # type: ignore[arg-type]  # never None here
            await self.app(scope, receive, send)  # no cookie is changed
            return
        scope["session"] = CookiesealSession(r)
        had_values = bool(r.session)
        replaced = False

        async def send_wrapper(message: Message) -> None:
            nonlocal replaced
            if replaced:
                return  # a 503 went out in place of the app's response
            if message["type"] == "http.response.start":
                try:
                    headers = _save(r, scope["session"], had_values, self.lifetime)
                    if headers is None:  # the save needs the store
                        headers = await anyio.to_thread.run_sync(r.save)
                except Error as e:
                    if not e.undecided:
                        raise
                    replaced = True  # the store went away between open and save
                    await _unavailable(send, e)
                    return
                if headers:
                    _add_headers(message, headers)
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            r.close()


def _add_headers(message: Message, headers: typing.List[typing.Tuple[str, str]]) -> None:
    """The library's response headers into the app's: Set-Cookie added,
    Cache-Control replacing the app's (one line, never cached), Vary merged
    into one line as Starlette's MutableHeaders.add_vary_header does (written on
    the raw list: MutableHeaders costs more than the rest of the save)."""
    raw = message.get("headers")
    raw = message["headers"] = list(raw) if raw is not None else []
    for name, value in headers:
        key, text = name.lower().encode("latin-1"), value.encode("latin-1")
        if key == b"cache-control" or key == b"vary":
            old = [v for k, v in raw if k.lower() == key]
            if old:
                raw[:] = [(k, v) for k, v in raw if k.lower() != key]
                if key == b"vary":
                    text = old[0] + b", " + text
        raw.append((key, text))


def _save(r: RequestSession, session: typing.Dict[str, typing.Any], had_values: bool,
          lifetime: typing.Dict[str, typing.Any]) -> typing.Optional[typing.List[typing.Tuple[str, str]]]:
    """What the app did to the session handed to the request, then its save
    without blocking: the headers, or None where the save needs the store."""
    if not session and (had_values or getattr(session, "cleared", False)):
        r.destroy()  # emptied: Starlette deletes the cookie; this ends the session too
    else:
        # As they are: save() encodes them at once (no copy to keep).
        r.session.clear()
        r.session.update(session)
        # max_age sealed into the cookie, so every server opening it enforces it
        # (once: the library renews the cookie as it slides).
        if session and r.lifetime != lifetime:
            r.set_lifetime(**lifetime)
    try:
        return r.save_nonblocking()
    except (TypeError, ValueError):
        stored(dict(session))  # a value JSON cannot hold: the error names its key
        raise


async def _unavailable(send: Send, error: Error) -> None:
    body = f"the session could not be saved ({error.name}); retry shortly\n".encode()
    await send({"type": "http.response.start", "status": 503, "headers": [
        (b"content-type", b"text/plain; charset=utf-8"), (b"retry-after", b"1"),
        (b"cache-control", b"no-store"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
