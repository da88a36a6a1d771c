"""cookieseal.django.SessionMiddleware: Django's SessionMiddleware for the
cookieseal engine. The library writes the cookie (Django's SESSION_COOKIE_*
settings, through the session manager); a request whose cookie cannot be judged
answers 503 and changes no cookie."""
from http.cookies import SimpleCookie
from typing import Any, Callable, Optional

from django.conf import settings
from django.contrib.sessions import middleware
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers

from .. import Error
from .session import SessionStore


def unavailable(error: Error) -> HttpResponse:
    """503: the store or the keyring file could not answer; the browser keeps its cookie."""
    response = HttpResponse(f"the session could not be read ({error.name}); retry shortly\n",
                            status=503, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = "1"
    response["Cache-Control"] = "no-store"
    return response


def _set_cookie(response: HttpResponse, line: str) -> None:
    # Into response.cookies (not a raw header): Django's test client and other
    # middleware read cookies there. The stdlib parser keeps every attribute.
    jar: "SimpleCookie[str]" = SimpleCookie()
    jar.load(line)
    for name, morsel in jar.items():
        response.cookies[name] = morsel


class SessionMiddleware(middleware.SessionMiddleware):  # type: ignore[misc]
    """In MIDDLEWARE in place of django.contrib.sessions.middleware.SessionMiddleware
    (a subclass, so the admin's and auth's checks for it still hold)."""

    def __init__(self, get_response: Optional[Callable[..., Any]] = None) -> None:
        super().__init__(get_response)
        if self.SessionStore is not SessionStore:
            raise ImproperlyConfigured("cookieseal.django.SessionMiddleware needs "
                                       "SESSION_ENGINE = 'cookieseal.django'")

    def process_request(self, request: HttpRequest) -> None:
        request.session = SessionStore(request.COOKIES.get(settings.SESSION_COOKIE_NAME),
                                       cookie_header=request.META.get("HTTP_COOKIE", ""))

    def process_exception(self, request: HttpRequest,
                          exception: Exception) -> Optional[HttpResponse]:
        if isinstance(exception, Error) and exception.undecided:
            return unavailable(exception)
        return None

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        session = getattr(request, "session", None)
        if not isinstance(session, SessionStore):
            return response
        try:
            if session.undecided:  # whatever became of the error on its way out
                return unavailable(session.undecided)
            if session.accessed:
                patch_vary_headers(response, ("Cookie",))
            if not (session.accessed or session.opened or settings.SESSION_SAVE_EVERY_REQUEST):
                return response  # never used: no cookie to change
            if response.status_code == 500:
                return response  # as Django: no session save for 500 responses (#3881)
            try:
                session.commit(values=session.modified or settings.SESSION_SAVE_EVERY_REQUEST)
            except Error as e:
                if not e.undecided:
                    raise
                return unavailable(e)  # the store went away between open and save
            line, headers = session.response_headers()
            if line is not None:
                _set_cookie(response, line)
            for name, value in headers.items():
                if name.lower() == "vary":
                    patch_vary_headers(response, (value,))
                else:  # Cache-Control: no-store replaces the app's own
                    response[name] = value
            return response
        finally:
            session.close()
