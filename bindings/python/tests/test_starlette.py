"""Starlette and FastAPI sessions through cookieseal.starlette.SessionMiddleware:
Starlette's TestClient (the options of Starlette's own SessionMiddleware and its
tests' expectations), FastAPI, and uvicorn on loopback driven by curl."""
import threading

import pytest
from starlette.applications import Starlette
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route, WebSocketRoute
from starlette.testclient import TestClient

import cookieseal
import cookieseal.starlette
from conftest import Curl, opens_at, sleep_past, unix
from fastapi_site import create_app
from loopback import uvicorn_server


def view_session(request):
    return JSONResponse({"session": dict(request.session)})


async def update_session(request):
    request.session.update(await request.json())
    return JSONResponse({"session": dict(request.session)})


def clear_session(request):
    request.session.clear()
    return JSONResponse({"session": {}})


def nested(request):
    request.session.setdefault("items", []).append("x")
    return PlainTextResponse(str(len(request.session["items"])))


def login(request):
    request.session.login(request.path_params["user"])
    return PlainTextResponse(request.session.subject)


def whoami(request):
    return PlainTextResponse(request.session.subject or "-")


def static(request):
    return PlainTextResponse("no session here")


def bad_value(request):
    request.session["when"] = object()
    return PlainTextResponse("unreachable")


def starlette_app(**options):
    app = Starlette(routes=[
        Route("/view_session", view_session), Route("/update_session", update_session,
                                                    methods=["POST"]),
        Route("/clear_session", clear_session, methods=["POST"]), Route("/nested", nested),
        Route("/login/{user}", login), Route("/whoami", whoami), Route("/static", static),
        Route("/bad-value", bad_value)])
    app.add_middleware(cookieseal.starlette.SessionMiddleware, **options)
    return app


@pytest.fixture
def codec(keyring, store):
    return cookieseal.Codec(keyring, store=store)


@pytest.fixture
def client(codec):
    return TestClient(starlette_app(codec=codec))


def set_cookies(response):
    return response.headers.get_list("set-cookie")


# --- after Starlette's tests/middleware/test_session.py ----------------------

def test_session_round_trip_and_clear(client):
    assert client.get("/view_session").json() == {"session": {}}
    r = client.post("/update_session", json={"some": "data"})
    assert r.json() == {"session": {"some": "data"}}
    cookie = set_cookies(r)[0]
    assert cookie.startswith("session=") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Path=/" in cookie and "Secure" not in cookie
    assert client.get("/view_session").json() == {"session": {"some": "data"}}
    r = client.post("/clear_session")
    assert "Max-Age=0" in set_cookies(r)[0]
    assert client.get("/view_session").json() == {"session": {}}


def test_max_age_is_the_idle_timeout_within_the_librarys_lifetime(codec, keyring, store):
    # Starlette's default max_age (14 days) as the idle timeout; the library's
    # absolute lifetime (7 days by default) is the sooner.
    c = TestClient(starlette_app(keyring=str(keyring), store=str(store)))
    assert f"Max-Age={7 * 86400}" in set_cookies(c.post("/update_session", json={"a": 1}))[0]
    c = TestClient(starlette_app(keyring=str(keyring), max_age=600))
    assert "Max-Age=600" in set_cookies(c.post("/update_session", json={"a": 1}))[0]


def test_max_age_none_is_a_browser_session(codec):
    c = TestClient(starlette_app(codec=codec, max_age=None))
    cookie = set_cookies(c.post("/update_session", json={"a": 1}))[0]
    assert "Max-Age" not in cookie and "Expires" not in cookie


def test_max_age_is_sealed_into_the_cookie_also_on_a_shared_codec(codec, keyring):
    # A shared codec keeps the library's idle timeout (24 hours): max_age is the
    # session's own, sealed, so every server opening the cookie enforces it.
    c = TestClient(starlette_app(codec=codec, max_age=600))
    r = c.post("/update_session", json={"a": 1})
    assert "Max-Age=600" in set_cookies(r)[0]
    value = r.cookies["session"]
    session = cookieseal.SessionManager(codec, name="session").open(value)
    assert session["lifetime"] == {"max_age": None, "idle_timeout": 600, "browser_session": False}
    issued = unix(session["meta"]["issued_at"])
    assert opens_at(keyring, "session", value, issued + 600 + 60) == 0  # the CLI's leeway: 60 s
    assert opens_at(keyring, "session", value, issued + 600 + 61) == 14  # expired
    assert set_cookies(c.get("/view_session")) == []  # sealed once, not on every response


def test_max_age_none_is_sealed_as_a_browser_session(codec):
    c = TestClient(starlette_app(codec=codec, max_age=None))
    r = c.post("/update_session", json={"a": 1})
    session = cookieseal.SessionManager(codec, name="session").open(r.cookies["session"])
    assert session["lifetime"]["browser_session"] is True


def test_a_cookie_past_max_age_is_refused(keyring):
    codec = cookieseal.Codec(keyring, leeway=0)
    c = TestClient(starlette_app(codec=codec, max_age=1))
    value = c.post("/update_session", json={"a": 1}).cookies["session"]
    session = cookieseal.SessionManager(codec, name="session").open(value)
    sleep_past(unix(session["meta"]["expires_at"]))
    # Sent as a browser that ignores Max-Age would (the test client's jar drops it).
    r = TestClient(starlette_app(codec=codec)).get("/view_session",
                                                   headers={"cookie": f"session={value}"})
    assert r.json() == {"session": {}}
    assert "Max-Age=0" in set_cookies(r)[0]  # refused, cleared


@pytest.mark.parametrize("options, want", [
    ({"session_cookie": "sid"}, "sid="),
    ({"https_only": True}, "; Secure"),
    ({"same_site": "strict"}, "SameSite=Strict"),
    ({"same_site": "none", "https_only": True}, "SameSite=None"),
    ({"path": "/app"}, "Path=/app"),
    ({"domain": "example.com"}, "Domain=example.com"),
])
def test_starlettes_options_are_honoured(codec, options, want):
    c = TestClient(starlette_app(codec=codec, **options), base_url="https://example.com")
    r = c.post("/update_session", json={"a": 1})
    assert want in set_cookies(r)[0], set_cookies(r)


def test_a_cookie_for_another_name_does_not_open(codec):
    a = TestClient(starlette_app(codec=codec, session_cookie="a"))
    value = a.post("/update_session", json={"x": 1}).cookies["a"]
    b = TestClient(starlette_app(codec=codec, session_cookie="b"))
    b.cookies["b"] = value
    r = b.get("/view_session")
    assert r.json() == {"session": {}} and "Max-Age=0" in set_cookies(r)[0]  # refused, cleared


def test_every_change_is_saved_nested_ones_too(client):
    assert client.get("/nested").text == "1"
    assert client.get("/nested").text == "2"  # Starlette saves the whole dict
    assert client.get("/view_session").json() == {"session": {"items": ["x", "x"]}}


def test_an_unchanged_session_sends_no_cookie(client):
    client.post("/update_session", json={"a": 1})
    r = client.get("/view_session")
    assert set_cookies(r) == []  # (Starlette re-signs on every response; renewal is the library's)
    assert "cache-control" not in r.headers and r.headers["vary"] == "Cookie"


def test_the_apps_own_cache_control_and_vary_are_kept_in_order(client):
    def cached(request):
        request.session["n"] = 1
        return PlainTextResponse("x", headers={"Cache-Control": "max-age=60",
                                               "Vary": "Accept-Encoding"})

    client.app.router.routes.append(Route("/cached", cached))
    r = client.get("/cached")
    assert r.headers.get_list("cache-control") == ["no-store"]  # a cookie is never cached
    assert r.headers["vary"] == "Accept-Encoding, Cookie"
    assert len(set_cookies(r)) == 1 and set_cookies(r)[0].startswith("session=")


# --- the library's additions ---------------------------------------------------

def test_clear_is_a_logout_that_ends_the_session_server_side(client, codec):
    client.get("/login/alice")
    old = client.cookies["session"]
    client.post("/clear_session")
    assert client.get("/whoami").text == "-"
    thief = TestClient(starlette_app(codec=codec))
    thief.cookies["session"] = old
    assert thief.get("/whoami").text == "-"
    assert client.get("/login/bob").text == "bob"  # another user right after


def test_log_out_everywhere(codec):
    a, b = TestClient(starlette_app(codec=codec)), TestClient(starlette_app(codec=codec))
    a.get("/login/carol")
    b.get("/login/carol")
    codec.revoke_subject("carol")
    assert b.get("/whoami").text == "-"
    assert a.get("/login/carol").text == "carol"
    assert a.get("/whoami").text == "carol"


def test_an_undecided_request_answers_503_and_keeps_the_cookie(client, store, tmp_path):
    client.post("/update_session", json={"n": 1})
    before = client.cookies["session"]
    store.rename(tmp_path / "moved")
    r = client.get("/view_session")
    assert r.status_code == 503 and r.headers["retry-after"] == "1"
    assert set_cookies(r) == []
    assert client.get("/static").status_code == 200  # routes without the session still work
    (tmp_path / "moved").rename(store)
    assert client.get("/view_session").json() == {"session": {"n": 1}}
    assert client.cookies["session"] == before


def test_bad_options_fail_at_start_up_saying_why(codec, tmp_path):
    with pytest.raises(cookieseal.InvalidArgument, match="same_site"):
        starlette_app(codec=codec, same_site="sometimes").build_middleware_stack()
    with pytest.raises(cookieseal.KeyringError, match="nope"):
        starlette_app(keyring=str(tmp_path / "nope")).build_middleware_stack()
    with pytest.raises(cookieseal.Error, match="__Host-"):  # the library's rules for the name
        starlette_app(codec=codec, session_cookie="__Host-s",
                      domain="example.com").build_middleware_stack()


def test_a_bad_value_is_an_error_naming_it(client):
    with pytest.raises(TypeError, match="'when'"):
        client.get("/bad-value")


def session_threads(app, cookie=False, big=False):
    """Where a request to @app's /loop (which changes the session; @big: past a
    cookie's size) had its session opened and saved, and where its async route
    ran: (load thread, save thread, loop thread). @cookie: the request carries
    the cookie a first such request set."""
    seen = {}

    async def loop_thread(request):
        seen["loop"] = threading.get_ident()
        request.session["n"] = "x" * 6000 if big else 1
        return PlainTextResponse("ok")

    app.router.routes.append(Route("/loop", loop_thread))
    client = TestClient(app)
    first = client.get("/loop")  # builds the middleware stack
    middleware = app.middleware_stack
    while not isinstance(middleware, cookieseal.starlette.SessionMiddleware):
        middleware = middleware.app
    real = middleware.sessions

    def recorded(r):
        if r is not None:
            save, save_nonblocking = r.save, r.save_nonblocking

            def save_recorded():
                seen["save"] = threading.get_ident()
                return save()

            def save_nonblocking_recorded():
                headers = save_nonblocking()
                if headers is not None:
                    seen["save"] = threading.get_ident()
                return headers

            r.save, r.save_nonblocking = save_recorded, save_nonblocking_recorded
        return r

    class Recording:
        def request(self, header):
            seen["load"] = threading.get_ident()
            return recorded(real.request(header))

        def request_nonblocking(self, header):
            r = real.request_nonblocking(header)
            if r is not None:
                seen["load"] = threading.get_ident()
            return recorded(r)

    middleware.sessions = Recording()
    client.cookies.clear()
    headers = {"cookie": first.headers["set-cookie"].split(";")[0]} if cookie else {}
    assert client.get("/loop", headers=headers).status_code == 200
    return seen["load"], seen["save"], seen["loop"]


def test_what_needs_no_store_stays_on_the_event_loop_also_with_a_store(codec):
    # A fresh visitor with a small session: nothing to look up, nothing to spill.
    assert len(set(session_threads(starlette_app(codec=codec)))) == 1


def test_what_needs_the_store_is_done_off_the_event_loop(codec):
    load, _, loop = session_threads(starlette_app(codec=codec), cookie=True)  # revocation check
    assert load != loop
    _, save, loop = session_threads(starlette_app(codec=codec), big=True)  # spills into the store
    assert save != loop


def test_without_a_store_the_session_stays_on_the_event_loop(keyring):
    # Nothing to wait for: no thread hop per request.
    app = starlette_app(keyring=str(keyring))
    assert len(set(session_threads(app, cookie=True))) == 1


def test_flashes_are_shared_and_shown_once(client):
    def flash(request):
        request.session.flash("notice", request.query_params["m"])
        return PlainTextResponse("ok")

    def show(request):
        queued = dict(request.session.flashes)
        return JSONResponse({"queued": queued, "taken": request.session.take_flashes("notice")})

    client.app.router.routes.extend([Route("/flash", flash), Route("/show", show)])
    client.get("/flash?m=hi")
    assert client.get("/show").json() == {"queued": {"notice": ["hi"]}, "taken": ["hi"]}
    assert client.get("/show").json() == {"queued": {}, "taken": []}


def test_a_websocket_sees_the_session(codec):
    async def who(websocket):
        await websocket.accept()
        await websocket.send_text(websocket.session.subject or "-")
        await websocket.close()

    app = starlette_app(codec=codec)
    app.router.routes.append(WebSocketRoute("/ws", who))
    client = TestClient(app)
    client.get("/login/judy")
    with client.websocket_connect("/ws") as ws:
        assert ws.receive_text() == "judy"


# --- FastAPI, and uvicorn on loopback ------------------------------------------

def test_fastapi(codec):
    client = TestClient(create_app(codec=codec))
    assert client.get("/count").json() == 1
    assert client.get("/count").json() == 2
    assert client.get("/login/dave").json() == "dave"
    assert client.get("/api/state").json()["user"] == "dave"
    assert client.get("/logout").json() == "ok"
    assert client.get("/whoami").json() == "-"


def test_fastapi_undecided_is_a_503(codec, store, tmp_path):
    client = TestClient(create_app(codec=codec))
    client.get("/count")
    store.rename(tmp_path / "moved")
    r = client.get("/count")
    assert r.status_code == 503 and "could not be read" in r.json()["detail"]
    assert set_cookies(r) == []


def test_uvicorn_on_loopback_with_curl(keyring, store, tmp_path, servers):
    server = uvicorn_server(keyring, store, tmp_path, servers)
    curl = Curl(tmp_path / "jar")
    assert curl.get(server.base + "/count") == "1"
    assert curl.get(server.base + "/count") == "2"
    assert curl.get(server.base + "/login/erin") == '"erin"'
    assert curl.get(server.base + "/whoami") == '"erin"'
    headers = curl.headers(server.base + "/count")
    assert "HttpOnly" in headers and "cache-control: no-store" in headers.lower()
    assert curl.get(server.base + "/logout") == '"ok"'
    assert curl.get(server.base + "/whoami") == '"-"'
