"""Django sessions through SESSION_ENGINE = "cookieseal.django": SessionBase's
contract (after Django's own SessionTestsMixin and CookieSessionTests), the
middleware (after SessionMiddlewareTests), Django's test client with auth's
login()/logout(), and runserver on loopback driven by curl."""
import json
import os
from datetime import datetime, timedelta

import pytest
from asgiref.sync import async_to_sync

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "django_site.settings")
import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.exceptions import ImproperlyConfigured  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test import Client, RequestFactory, override_settings  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

import cookieseal  # noqa: E402
import cookieseal.django  # noqa: E402
from cookieseal.django import SessionMiddleware, SessionStore, config  # noqa: E402
from conftest import Curl, opens_at, sleep_past, unix  # noqa: E402
from loopback import django_server  # noqa: E402

NAME = "sessionid"  # Django's SESSION_COOKIE_NAME


@pytest.fixture(scope="module", autouse=True)
def django_environment():
    setup_test_environment()
    call_command("migrate", verbosity=0)  # the in-memory database, for auth's users
    yield


@pytest.fixture
def site(keyring, store):
    with override_settings(COOKIESEAL_KEYRING=str(keyring), COOKIESEAL_STORE=str(store)):
        yield


def cookie(response, name=NAME):
    return response.cookies.get(name)


def opened(value):
    """A cookie value opened by the process's codec: its session JSON."""
    return config.manager(False).open(value)


# --- SessionBase's contract (SessionTestsMixin, CookieSessionTests) ----------

@pytest.fixture
def session(site):
    return SessionStore()


def test_a_new_session_is_neither_accessed_nor_modified(session):
    assert not session.modified and not session.accessed
    assert session.get("cat") is None


def test_store_pop_setdefault_update_and_membership(session):
    session["cat"] = "dog"
    assert session.modified
    assert session.pop("cat") == "dog"
    session.modified = session.accessed = False
    assert session.pop("some key", "does not exist") == "does not exist"
    assert session.accessed and not session.modified
    assert session.setdefault("foo", "bar") == "bar"
    assert session.setdefault("foo", "baz") == "bar"
    session.update({"update key": 1})
    assert session.get("update key") == 1
    session.modified = session.accessed = False
    assert "foo" in session and session.accessed and not session.modified
    assert sorted(session.keys()) == ["foo", "update key"]
    assert sorted(session.values(), key=str) == [1, "bar"]
    session.clear()
    assert list(session.items()) == [] and session.modified


def test_save_then_a_new_store_opens_the_same_data(session):
    session["a"], session["b"] = "c", {"d": [1, 2.5, None, True]}
    session.save()
    key = session.session_key
    assert key and len(key) > 82  # a sealed cookie value, not a random id
    again = SessionStore(key)
    assert dict(again.items()) == {"a": "c", "b": {"d": [1, 2.5, None, True]}}
    assert session.exists(key) is False  # as signed_cookies: no shared key space


def test_cycle_key_keeps_the_data_under_a_new_id(session):
    session["a"] = "c"
    session.save()
    key, before = session.session_key, opened(session.session_key)["meta"]["id"]
    session.cycle_key()
    assert session.session_key != key
    assert opened(session.session_key)["meta"]["id"] != before
    assert dict(session.items()) == {"a": "c"}


def test_flush_ends_the_session_and_its_old_cookie(session):
    session["foo"] = "bar"
    session.save()
    key = session.session_key
    session = SessionStore(key)  # the next request
    session.flush()
    assert session.session_key != key and session.modified and session.accessed
    assert dict(session.items()) == {}
    again = SessionStore(key)
    assert again.get("foo") is None  # ended in the store, not only here
    assert again._request.reason.name == "revoked"


@pytest.mark.skipif(not hasattr(SessionStore, "aflush"), reason="Django 5's async sessions")
def test_the_async_cycle_and_flush_of_django_5(session):
    session["a"] = "c"
    session.save()
    key, before = session.session_key, opened(session.session_key)["meta"]["id"]
    async_to_sync(session.acycle_key)()
    assert session.session_key != key and dict(session.items()) == {"a": "c"}
    assert opened(session.session_key)["meta"]["id"] != before
    cycled = session.session_key
    session = SessionStore(cycled)  # the next request
    async_to_sync(session.aflush)()
    assert dict(session.items()) == {} and SessionStore(cycled).get("a") is None


def test_an_invalid_key_gives_a_fresh_session(session):
    s = SessionStore("1")  # too short: Django drops it
    s.save()
    assert s.session_key != "1" and s.get("cat") is None
    forged = SessionStore("A" * 120)
    assert forged.get("cat") is None
    assert forged._request.refused


def test_session_key_is_read_only(session):
    with pytest.raises(AttributeError):
        session.session_key = "x" * 40


def test_default_and_custom_expiry(session):
    assert session.get_expiry_age() == settings.SESSION_COOKIE_AGE
    session.set_expiry(0)  # a browser session, still aged as the setting says
    assert session.get_expiry_age() == settings.SESSION_COOKIE_AGE
    now = timezone.now()
    session.set_expiry(10)
    assert session.get_expiry_date(modification=now) == now + timedelta(seconds=10)
    assert session.get_expiry_age(modification=now) == 10
    session.set_expiry(now + timedelta(seconds=10))
    assert session.get_expiry_age(modification=now) == 10
    assert session.get_expiry_date(modification=now) == now + timedelta(seconds=10)
    session.set_expiry(None)
    assert session.get_expiry_age() == settings.SESSION_COOKIE_AGE


def test_a_timedelta_expiry_survives_the_cookie(session):
    session.set_expiry(timedelta(seconds=600))  # a datetime, kept as ISO 8601 text
    session.save()
    again = SessionStore(session.session_key)
    assert 590 <= again.get_expiry_age() <= 600
    assert not again.get_expire_at_browser_close()


def test_get_expire_at_browser_close_follows_the_setting_and_set_expiry(session):
    for default in (False, True):
        with override_settings(SESSION_EXPIRE_AT_BROWSER_CLOSE=default):
            session.set_expiry(10)
            assert session.get_expire_at_browser_close() is False
            session.set_expiry(0)
            assert session.get_expire_at_browser_close() is True
            session.set_expiry(None)
            assert session.get_expire_at_browser_close() is default


def test_a_value_json_cannot_hold_fails_naming_its_key(session):
    session["ok"] = 1
    session["when"] = object()
    with pytest.raises(TypeError, match="'when'") as e:
        session.save()
    assert e.value.__cause__ is not None


def test_a_serializer_other_than_json_is_refused(site):
    with override_settings(
            SESSION_SERIALIZER="django_site.serializers.Other"):
        with pytest.raises(ImproperlyConfigured, match="JSONSerializer"):
            SessionStore()


# --- configuration --------------------------------------------------------------

def test_a_missing_keyring_is_improperly_configured():
    with override_settings(COOKIESEAL_KEYRING=None):
        with pytest.raises(ImproperlyConfigured, match="COOKIESEAL_KEYRING"):
            SessionStore().save()


def test_a_keyring_that_cannot_be_read_says_why(tmp_path):
    with override_settings(COOKIESEAL_KEYRING=str(tmp_path / "nope")):
        with pytest.raises(ImproperlyConfigured, match="nope") as e:
            cookieseal.django.codec()
        assert isinstance(e.value.__cause__, cookieseal.Error)


def test_a_host_prefixed_name_keeps_its_rules(site):
    with override_settings(SESSION_COOKIE_NAME="__Host-sid", SESSION_COOKIE_SECURE=True,
                           SESSION_COOKIE_DOMAIN="example.com"):
        with pytest.raises(ImproperlyConfigured, match="SESSION_COOKIE_"):
            SessionStore().save()


def test_codec_bounds_come_from_settings(site):
    with override_settings(COOKIESEAL_MAX_AGE=-1):
        with pytest.raises(ImproperlyConfigured, match="max_age"):
            cookieseal.django.codec()
    codec = cookieseal.django.codec()
    assert cookieseal.django.codec() is codec  # one per process
    with override_settings(SESSION_COOKIE_AGE=1234):
        assert cookieseal.django.codec() is not codec  # made again from the new settings


# --- the middleware (SessionMiddlewareTests) ----------------------------------

def through_middleware(view, cookies=None, status=200):
    request = RequestFactory().get("/")
    if cookies:
        request.META["HTTP_COOKIE"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        request.COOKIES.update(cookies)
    middleware = SessionMiddleware(lambda r: HttpResponse("x", status=status))
    middleware.process_request(request)
    view(request.session)
    return request, middleware.process_response(request, HttpResponse("x", status=status))


def hello(s):
    s["hello"] = "world"


def test_the_cookie_has_djangos_default_attributes(site):
    _, response = through_middleware(hello)
    c = cookie(response)
    assert c["httponly"] and c["samesite"] == "Lax" and c["path"] == "/"
    assert not c["secure"] and not c["domain"]
    # SESSION_COOKIE_AGE (2 weeks) is the idle timeout, within the library's
    # absolute lifetime (7 days by default): the sooner is the cookie's age.
    assert int(c["max-age"]) == min(settings.SESSION_COOKIE_AGE, 7 * 86400)
    assert response["Cache-Control"] == "no-store" and "Cookie" in response["Vary"]


@pytest.mark.parametrize("overrides, check", [
    ({"SESSION_COOKIE_SECURE": True}, lambda c: c["secure"]),
    ({"SESSION_COOKIE_HTTPONLY": False}, lambda c: not c["httponly"] and "HttpOnly" not in str(c)),
    ({"SESSION_COOKIE_SAMESITE": "Strict"}, lambda c: c["samesite"] == "Strict"),
    ({"SESSION_COOKIE_SAMESITE": None}, lambda c: "SameSite" not in str(c)),
    ({"SESSION_COOKIE_PATH": "/app", "SESSION_COOKIE_DOMAIN": "example.com"},
     lambda c: c["path"] == "/app" and c["domain"] == "example.com"),
    ({"SESSION_COOKIE_AGE": 3600}, lambda c: c["max-age"] == 3600 or c["max-age"] == "3600"),
    ({"SESSION_EXPIRE_AT_BROWSER_CLOSE": True}, lambda c: not c["max-age"] and not c["expires"]),
    ({"COOKIESEAL_IDLE_TIMEOUT": 600}, lambda c: int(c["max-age"]) == 600),
])
def test_session_cookie_settings_are_honoured(site, overrides, check):
    with override_settings(**overrides):
        _, response = through_middleware(hello)
        c = cookie(response)
        assert c is not None and check(c), str(c)


def test_a_cookie_named_in_settings_is_the_one_read(site):
    with override_settings(SESSION_COOKIE_NAME="sid"):
        request, response = through_middleware(hello)
        value = cookie(response, "sid").value
        request, response = through_middleware(lambda s: None, {"sid": value})
        assert request.session["hello"] == "world"
    request, _ = through_middleware(lambda s: None, {NAME: value})
    assert request.session.get("hello") is None  # bound to its name: another name refuses it


def test_no_session_save_on_500(site):
    request, response = through_middleware(hello, status=500)
    assert cookie(response) is None


def test_a_flushed_session_deletes_its_cookie(site):
    _, response = through_middleware(hello)
    value = cookie(response).value
    _, response = through_middleware(lambda s: s.flush(), {NAME: value})
    c = cookie(response)
    assert c.value == "" and int(c["max-age"]) == 0


def test_flushing_no_session_sets_no_cookie(site):
    _, response = through_middleware(lambda s: s.flush())
    assert cookie(response) is None


def test_set_expiry_0_is_a_browser_session(site):
    _, response = through_middleware(lambda s: (hello(s), s.set_expiry(0)))
    c = cookie(response)
    assert c.value and not c["max-age"] and not c["expires"]
    with override_settings(SESSION_EXPIRE_AT_BROWSER_CLOSE=True):
        _, response = through_middleware(lambda s: (hello(s), s.set_expiry(None)))
        assert not cookie(response)["max-age"]
        _, response = through_middleware(lambda s: (hello(s), s.set_expiry(300)))
        assert cookie(response)["max-age"]  # its own expiry: not a browser session


def test_a_browser_session_chosen_in_the_view_survives_two_saves_and_a_login(site):
    def view(s):
        hello(s)
        s.set_expiry(0)
        s.save()  # a view may save itself; the middleware saves again
        s.cycle_key()
    _, response = through_middleware(view)
    c = cookie(response)
    assert c.value and not c["max-age"]
    assert opened(c.value)["values"]["hello"] == "world"


def sealed(response):
    """The Set-Cookie's Max-Age (None: none) and the session its value opens to."""
    c = cookie(response)
    return (int(c["max-age"]) if c["max-age"] else None), opened(c.value)


def test_set_expiry_seconds_are_sealed_as_the_idle_timeout(site, keyring):
    _, response = through_middleware(lambda s: (hello(s), s.set_expiry(300)))
    max_age, session = sealed(response)
    assert max_age == 300
    assert session["lifetime"] == {"max_age": None, "idle_timeout": 300, "browser_session": False}
    # Enforced wherever the cookie is opened, whatever a browser does with Max-Age
    # (the CLI's clock moved; its leeway is 60 s).
    issued = unix(session["meta"]["issued_at"])
    value = cookie(response).value
    assert opens_at(keyring, NAME, value, issued + 300 + 60) == 0
    assert opens_at(keyring, NAME, value, issued + 300 + 61) == 14  # expired


def test_set_expiry_to_a_datetime_or_timedelta_ends_the_session_then(site, keyring):
    end = timezone.now().replace(microsecond=0) + timedelta(hours=2)
    for expiry in (end, timedelta(hours=2)):
        _, response = through_middleware(lambda s: (hello(s), s.set_expiry(expiry)))
        max_age, session = sealed(response)
        assert 7200 - 2 <= max_age <= 7200 + 1
        lifetime = session["lifetime"]
        assert lifetime["idle_timeout"] is None and not lifetime["browser_session"]
        expires = unix(session["meta"]["expires_at"])
        if expiry is end:  # the absolute end, from the session's created_at
            assert expires == int(end.timestamp())
        value = cookie(response).value
        assert opens_at(keyring, NAME, value, expires + 60) == 0
        assert opens_at(keyring, NAME, value, expires + 61) == 14


def test_a_naive_datetime_expiry_is_local_time_as_without_use_tz(site):
    with override_settings(USE_TZ=False):
        end = datetime.now().replace(microsecond=0) + timedelta(hours=1)
        _, response = through_middleware(lambda s: (hello(s), s.set_expiry(end)))
        max_age, session = sealed(response)
        assert 3600 - 2 <= max_age <= 3600
        assert unix(session["meta"]["expires_at"]) == int(end.timestamp())


def test_browser_sessions_are_sealed_as_browser_sessions(site):
    _, response = through_middleware(lambda s: (hello(s), s.set_expiry(0)))
    max_age, session = sealed(response)
    assert max_age is None and session["lifetime"]["browser_session"] is True
    with override_settings(SESSION_EXPIRE_AT_BROWSER_CLOSE=True):
        _, response = through_middleware(hello)
        max_age, session = sealed(response)
        assert max_age is None and session["lifetime"]["browser_session"] is True


def test_set_expiry_none_goes_back_to_session_cookie_age(site):
    _, response = through_middleware(lambda s: (hello(s), s.set_expiry(300)))
    value = cookie(response).value
    request, response = through_middleware(lambda s: s.set_expiry(None), {NAME: value})
    max_age, session = sealed(response)
    assert max_age == min(settings.SESSION_COOKIE_AGE, 7 * 86400)
    assert session["lifetime"] == {"max_age": None, "idle_timeout": None, "browser_session": False}
    assert request.session.get_expiry_age() == settings.SESSION_COOKIE_AGE


def test_a_cookie_past_its_set_expiry_is_refused(site):
    with override_settings(COOKIESEAL_LEEWAY=0):
        _, response = through_middleware(lambda s: (hello(s), s.set_expiry(1)))
        _, session = sealed(response)
        sleep_past(unix(session["meta"]["expires_at"]))
        seen = []
        request, response = through_middleware(lambda s: seen.append(s.get("hello")),
                                                {NAME: cookie(response).value})
        assert seen == [None]
        assert request.session._request.reason.name == "expired"
        assert cookie(response).value == ""  # refused: cleared


def test_the_middleware_needs_the_engine(site):
    with override_settings(SESSION_ENGINE="django.contrib.sessions.backends.signed_cookies"):
        with pytest.raises(ImproperlyConfigured, match="SESSION_ENGINE"):
            SessionMiddleware(lambda r: None)


# --- Django's test client, auth's login() and logout() ------------------------

@pytest.fixture
def client(site):
    return Client()


def text(response):
    return response.content.decode()


def test_counts_and_unchanged_sessions_send_no_cookie(client):
    for want in ("1", "2", "3"):
        r = client.get("/count")
        assert text(r) == want
    assert cookie(r) is not None
    r = client.get("/read")
    assert text(r) == "3" and cookie(r) is None


def test_nested_changes_are_saved_as_django_saves_them(client):
    assert text(client.get("/nested")) == "1"  # a new key: modified
    assert text(client.get("/len")) == "1"
    assert text(client.get("/nested")) == "2"  # an append alone is not marked: lost
    assert text(client.get("/len")) == "1"
    assert text(client.get("/nested-marked")) == "2"
    assert text(client.get("/len")) == "2"


def test_login_cycles_the_id_and_fixes_the_subject(client):
    client.get("/count")
    before = client.cookies[NAME].value
    r = client.get("/login/alice")
    user = get_user_model().objects.get(username="alice")
    assert text(r) == str(user.pk)  # the subject is the user's pk, as auth stores it
    after = client.cookies[NAME].value
    assert opened(after)["meta"]["id"] != opened(before)["meta"]["id"]
    assert opened(after)["meta"]["subject"] == str(user.pk)
    assert text(client.get("/read")) == "1"  # the anonymous session's data is kept
    assert text(client.get("/whoami")) == "alice"


def test_logout_flushes_and_the_old_cookie_is_dead(client):
    client.get("/login/bob")
    old = client.cookies[NAME].value
    client.get("/logout")
    assert text(client.get("/whoami")) == "-"
    thief = Client()
    thief.cookies[NAME] = old
    assert text(thief.get("/whoami")) == "-"  # ended server-side, not only in this browser


def test_another_user_logs_in_right_after_on_the_same_browser(client):
    client.get("/login/carol")
    client.get("/logout")
    assert text(client.get("/login/dave")) == str(get_user_model().objects.get(username="dave").pk)
    assert text(client.get("/whoami")) == "dave"
    client.get("/login/erin")  # without a logout: auth flushes, the subject changes
    assert text(client.get("/whoami")) == "erin"


def test_log_out_everywhere(site):
    a, b = Client(), Client()
    a.get("/login/frank")
    b.get("/login/frank")
    assert text(b.get("/whoami")) == "frank"
    a.get("/everywhere")
    assert text(b.get("/whoami")) == "-"
    a.get("/login/frank")  # a login after it holds
    assert text(a.get("/whoami")) == "frank"


def test_the_test_clients_own_login_and_session(client):
    user, _ = get_user_model().objects.get_or_create(username="grace")
    client.force_login(user)  # the test client's own path: SessionStore without the middleware
    assert text(client.get("/whoami")) == "grace"
    s = client.session
    s["n"] = 41
    s.save()
    client.cookies[NAME] = s.session_key  # as with Django's signed_cookies
    assert text(client.get("/count")) == "42"
    assert text(client.get("/whoami")) == "grace"


def test_messages_are_the_sessions_flashes_and_shown_once(client):
    client.get("/flash")
    assert opened(client.cookies[NAME].value)["flashes"] == {"success": ["saved"],
                                                             "notice": ["hi"]}
    # grouped by key (in key order), each key's in the order added
    assert text(client.get("/messages")) == "info|notice|hi,success|None|saved"
    assert text(client.get("/messages")) == ""


def test_a_message_after_logout_is_shown_and_earlier_unread_ones_are_not(client):
    client.get("/login/ivan")
    client.get("/flash?text=secret")  # unread when the user logs out
    client.get("/logout")
    assert text(client.get("/messages")) == "info|notice|bye"


def test_set_expiry_in_a_view(client):
    assert json.loads(text(client.get("/expiry/0"))) == {
        "age": settings.SESSION_COOKIE_AGE, "browser": True}
    assert not client.cookies[NAME]["max-age"]
    r = client.get("/expiry/300")
    assert json.loads(text(r)) == {"age": 300, "browser": False}
    assert int(cookie(r)["max-age"]) == 300
    assert opened(client.cookies[NAME].value)["lifetime"]["idle_timeout"] == 300


def test_save_every_request_keeps_the_session_and_seals_only_when_due(client):
    client.get("/count")
    with override_settings(SESSION_SAVE_EVERY_REQUEST=True):
        r = client.get("/static")  # not touched by the view: opened, nothing due yet
        assert r.status_code == 200 and cookie(r) is None
        assert text(client.get("/read")) == "1"


def test_a_bad_value_is_an_error_naming_it(client):
    with pytest.raises(TypeError, match="'when'"):
        client.get("/bad-value")


def test_a_forged_cookie_gives_a_fresh_session_and_is_cleared(client):
    client.cookies[NAME] = "A" * 120
    r = client.get("/read")
    assert text(r) == "0"
    assert cookie(r).value == "" and int(cookie(r)["max-age"]) == 0


def test_an_undecided_request_answers_503_and_keeps_the_cookie(client, store, tmp_path):
    client.get("/count")
    before = client.cookies[NAME].value
    store.rename(tmp_path / "moved")
    r = client.get("/count")
    assert r.status_code == 503 and r["Retry-After"] == "1"
    assert cookie(r) is None
    assert client.get("/static").status_code == 200  # views without the session still work
    r = client.get("/logout")  # a logout that cannot reach the store changes nothing
    assert r.status_code == 503 and cookie(r) is None
    (tmp_path / "moved").rename(store)
    assert text(client.get("/read")) == "1"
    assert client.cookies[NAME].value == before


# --- a real server ------------------------------------------------------------

def test_runserver_on_loopback_with_curl(keyring, store, tmp_path, servers):
    server = django_server(keyring, store, tmp_path, servers)
    curl = Curl(tmp_path / "jar")
    assert curl.get(server.base + "/count") == "1"
    assert curl.get(server.base + "/count") == "2"
    assert curl.get(server.base + "/login/heidi").isdigit()
    assert curl.get(server.base + "/whoami") == "heidi"
    assert curl.get(server.base + "/read") == "2"
    headers = curl.headers(server.base + "/count")
    assert "HttpOnly" in headers and "SameSite=Lax" in headers and "Cache-Control: no-store" in headers
    assert curl.get(server.base + "/logout") == "ok"
    assert curl.get(server.base + "/whoami") == "-"
