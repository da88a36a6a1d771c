"""The process's one Codec and its session managers, made lazily from Django's
settings (and made again when a test overrides them)."""
import threading
from typing import Any, Dict, Optional

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed

from .. import Codec, Error, SessionManager

# COOKIESEAL_* setting -> Codec argument; one left out keeps the library's default.
_CODEC_SETTINGS = {
    "COOKIESEAL_KEYRING": "keyring",
    "COOKIESEAL_KEYRING_TEXT": "keyring_text",
    "COOKIESEAL_STORE": "store",
    "COOKIESEAL_MAX_AGE": "max_age",
    "COOKIESEAL_IDLE_TIMEOUT": "idle_timeout",
    "COOKIESEAL_LEEWAY": "leeway",
    "COOKIESEAL_STORE_REVOCATIONS": "store_revocations",
    "COOKIESEAL_RELOAD_INTERVAL": "reload_interval",
}
# Django's settings that shape the codec or the cookie: a change makes them again.
_WATCHED = set(_CODEC_SETTINGS) | {
    "COOKIESEAL_PURPOSE", "SESSION_COOKIE_AGE", "SESSION_COOKIE_NAME", "SESSION_COOKIE_PATH",
    "SESSION_COOKIE_DOMAIN", "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE", "SESSION_EXPIRE_AT_BROWSER_CLOSE"}

_lock = threading.Lock()
_codec: Optional[Codec] = None
_managers: Dict[bool, SessionManager] = {}


def _codec_options() -> Dict[str, Any]:
    options = {arg: getattr(settings, name) for name, arg in _CODEC_SETTINGS.items()
               if getattr(settings, name, None) is not None}
    if "keyring" not in options and "keyring_text" not in options:
        raise ImproperlyConfigured(
            "cookieseal.django needs COOKIESEAL_KEYRING (a keyring file's path) or "
            "COOKIESEAL_KEYRING_TEXT in settings")
    # Django's signed cookies end SESSION_COOKIE_AGE after the last save: the
    # library's idle timeout, unless COOKIESEAL_IDLE_TIMEOUT says otherwise.
    options.setdefault("idle_timeout", settings.SESSION_COOKIE_AGE)
    return options


def codec() -> Codec:
    """The process's Codec (keyring watcher, store connections), made on first use."""
    global _codec
    with _lock:
        if _codec is None:
            try:
                _codec = Codec(**_codec_options())
            except Error as e:  # the library's sentence names the file, the URL, the bound
                raise ImproperlyConfigured(f"cookieseal.django: {e}") from e
        return _codec


def manager(browser_session: bool) -> SessionManager:
    """The session cookie as Django's SESSION_COOKIE_* settings describe it; a
    browser session (no Max-Age) or not."""
    c = codec()
    with _lock:
        m = _managers.get(browser_session)
        if m is None:
            same_site = settings.SESSION_COOKIE_SAMESITE  # False/None: no attribute
            same_site = same_site.capitalize() if isinstance(same_site, str) else None
            try:
                m = SessionManager(
                    c, name=settings.SESSION_COOKIE_NAME,
                    purpose=getattr(settings, "COOKIESEAL_PURPOSE", None),
                    path=settings.SESSION_COOKIE_PATH, domain=settings.SESSION_COOKIE_DOMAIN,
                    secure=settings.SESSION_COOKIE_SECURE,
                    http_only=settings.SESSION_COOKIE_HTTPONLY, same_site=same_site,
                    browser_session=browser_session)
            except Error as e:  # e.g. a __Host- name with a Domain
                raise ImproperlyConfigured(f"cookieseal.django: SESSION_COOKIE_*: {e}") from e
            _managers[browser_session] = m
        return m


def _forget(*, setting: str, **kwargs: Any) -> None:
    global _codec
    if setting in _WATCHED:
        with _lock:
            # Dropped, not closed: a request in flight keeps what it uses alive.
            _codec = None
            _managers.clear()


setting_changed.connect(_forget)
