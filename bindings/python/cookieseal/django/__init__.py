"""Django sessions sealed by cookieseal, a drop-in for Django's cookie sessions:

    SESSION_ENGINE = "cookieseal.django"
    COOKIESEAL_KEYRING = "/etc/cookieseal/keyring"
    COOKIESEAL_STORE = "/var/lib/app/sessions"        # or redis://...; optional
    MIDDLEWARE = [..., "cookieseal.django.SessionMiddleware", ...]  # in place of Django's

``request.session`` behaves as with django.contrib.sessions.backends.signed_cookies:
auth's login() draws a new session id and fixes the user as the session's
subject (so ``cookieseal.django.revoke_subject(str(user.pk))`` logs them out
everywhere), logout() ends the session, SESSION_COOKIE_* and
SESSION_EXPIRE_AT_BROWSER_CLOSE shape the cookie, SESSION_COOKIE_AGE is the
idle timeout; set_expiry() is sealed into the cookie (enforced wherever it is
opened, within the codec's bounds). Optional COOKIESEAL_MAX_AGE, COOKIESEAL_IDLE_TIMEOUT,
COOKIESEAL_LEEWAY, COOKIESEAL_STORE_REVOCATIONS, COOKIESEAL_RELOAD_INTERVAL,
COOKIESEAL_PURPOSE, COOKIESEAL_KEYRING_TEXT set the codec (Codec's arguments).
A request whose cookie cannot be judged answers 503 and changes no cookie.
"""
from .. import Codec
from . import config
from .middleware import SessionMiddleware
from .session import SessionStore

__all__ = ["SessionStore", "SessionMiddleware", "codec", "revoke_subject"]


def codec() -> Codec:
    """The process's shared Codec, made from settings on first use."""
    return config.codec()


def revoke_subject(subject: str) -> None:
    """Log out everywhere: every session of @subject (a user's pk as text) ends on
    every server sharing the store."""
    config.codec().revoke_subject(subject)
