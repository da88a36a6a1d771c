"""Flask sessions through CookiesealSessionInterface: Flask's test client, and a
real Flask server (the example app) driven by curl."""
import pytest
from flask import Flask, flash, get_flashed_messages, request, session

import cookieseal
import cookieseal.flask
from conftest import Curl, flask_server


def make_app(keyring, store):
    app = Flask(__name__)
    # The settings a Flask app shares with the C++ and Go servers' cookie.
    app.config.update(SESSION_COOKIE_NAME="__Host-session", SESSION_COOKIE_SECURE=True,
                      SESSION_COOKIE_SAMESITE="Lax")
    app.session_interface = cookieseal.flask.CookiesealSessionInterface(keyring=keyring, store=store)

    @app.get("/count")
    def count():
        session["n"] = session.get("n", 0) + 1
        return str(session["n"])

    @app.get("/read")
    def read():
        return str(session.get("n", 0))

    @app.get("/static")
    def static_page():
        return "no session here"

    @app.get("/nested")
    def nested():
        session.setdefault("items", [])
        session["items"].append("x")  # nested: not seen without modified
        return str(len(session["items"]))

    @app.get("/nested-marked")
    def nested_marked():
        items = session.setdefault("items", [])
        items.append("x")
        session.modified = True
        return str(len(items))

    @app.get("/len")
    def length():
        return str(len(session.get("items", [])))

    @app.get("/flash")
    def do_flash():
        flash("saved", "notice")
        return "ok"

    @app.get("/flashes")
    def flashes():
        return ",".join(f"{c}:{m}" for c, m in get_flashed_messages(with_categories=True))

    @app.get("/login/<user>")
    def login(user):
        session.login(user)
        return session.subject

    @app.get("/logout")
    def logout():
        session.destroy()
        flash("bye", "notice")
        return "ok"

    @app.get("/everywhere")
    def everywhere():
        app.session_interface.revoke_subject(session.subject)
        session.destroy()
        return "ok"

    @app.get("/remember-query")
    def remember_query():
        session["q"] = dict(request.args)
        return "ok"

    @app.get("/query")
    def query():
        return session.get("q", {})

    @app.get("/whoami")
    def whoami():
        return session.subject or "-"

    return app


@pytest.fixture
def client(keyring, store):
    return make_app(keyring, store).test_client()


def session_cookie(client):
    """The session cookie's value in the test client's jar (Werkzeug 2.2)."""
    for c in client.cookie_jar:
        if c.name == "__Host-session":
            return c.value
    return None


def set_cookies(response):
    return response.headers.getlist("Set-Cookie")


def test_counts_and_caching_headers(client):
    for want in ("1", "2", "3"):
        r = client.get("/count")
        assert r.get_data(as_text=True) == want
    assert r.headers["Cache-Control"] == "no-store"
    assert "Cookie" in r.headers["Vary"]
    assert len(set_cookies(r)) == 1 and "__Host-session=" in set_cookies(r)[0]
    r = client.get("/read")
    assert r.get_data(as_text=True) == "3"
    assert set_cookies(r) == []  # unchanged: no cookie re-sent


def test_modified_semantics_as_flask(client):
    client.get("/count")
    assert client.get("/nested").get_data(as_text=True) == "1"  # setdefault added the key: saved
    assert client.get("/len").get_data(as_text=True) == "1"
    # a nested append alone is not marked: Flask would not save it, nor do we
    assert client.get("/nested").get_data(as_text=True) == "2"
    assert client.get("/len").get_data(as_text=True) == "1"
    assert client.get("/nested-marked").get_data(as_text=True) == "2"
    assert client.get("/len").get_data(as_text=True) == "2"


def test_flashes_are_shown_once(client):
    client.get("/flash")
    assert client.get("/flashes").get_data(as_text=True) == "notice:saved"
    assert client.get("/flashes").get_data(as_text=True) == ""


def test_login_logout_and_log_out_everywhere(keyring, store):
    app = make_app(keyring, store)
    a, b = app.test_client(), app.test_client()
    assert a.get("/login/alice").get_data(as_text=True) == "alice"
    assert b.get("/login/alice").get_data(as_text=True) == "alice"
    a.get("/everywhere")
    assert b.get("/whoami").get_data(as_text=True) == "-"
    assert a.get("/login/alice").get_data(as_text=True) == "alice"  # at once
    assert a.get("/whoami").get_data(as_text=True) == "alice"
    a.get("/logout")
    assert a.get("/flashes").get_data(as_text=True) == "notice:bye"
    assert a.get("/whoami").get_data(as_text=True) == "-"


def test_an_undecided_request_answers_503_and_keeps_the_cookie(keyring, store, tmp_path):
    client = make_app(keyring, store).test_client()
    client.get("/count")
    cookie_before = session_cookie(client)
    assert cookie_before
    store.rename(tmp_path / "moved")
    r = client.get("/count")
    assert r.status_code == 503
    assert r.headers.get("Retry-After") == "1"
    assert set_cookies(r) == []
    assert client.get("/static").status_code == 200  # views without the session still work
    (tmp_path / "moved").rename(store)
    assert client.get("/read").get_data(as_text=True) == "1"
    assert session_cookie(client) == cookie_before  # the browser kept its cookie


def test_the_example_app_on_a_real_server_with_curl(keyring, store, tmp_path, servers):
    app = flask_server(keyring, store, tmp_path / "flask.log", servers)
    curl = Curl(tmp_path / "jar")
    assert '"visits":0' in curl.get(app.base + "/api/state")
    assert 'id="visits">1<' in curl.get(app.base + "/")
    assert curl.post(app.base + "/login", user="dave") == "303"
    page = curl.get(app.base + "/")
    assert "Logged in as <b>dave</b>" in page and "Welcome, dave!" in page
    assert "Welcome, dave!" not in curl.get(app.base + "/")
    for i in range(30):
        curl.post(app.base + "/cart/add", item=f"item-{i:02d}-" + "0" * 190)
    state = curl.get(app.base + "/api/state")
    assert '"cart_items":30' in state and '"user":"dave"' in state
    assert len(curl.cookie()) < 4000  # the cart went to the store
    headers = curl.headers(app.base + "/")
    assert "Cache-Control: no-store" in headers and "Vary: Cookie" in headers


def test_a_dict_with_the_bridges_tag_names_as_keys_is_stored_as_given(client):
    assert client.get("/remember-query?$bytes=hello!&$object=x").status_code == 200
    response = client.get("/query")
    assert response.status_code == 200
    assert response.get_json() == {"$bytes": "hello!", "$object": "x"}


# --- a drop-in for Flask's own session (ported from what Flask's session tests check) ---

def drop_in_app(keyring, store, **config):
    app = Flask(__name__)
    app.config.update(config)
    app.session_interface = cookieseal.flask.CookiesealSessionInterface(keyring=keyring, store=store)
    return app


def test_session_cookie_settings_are_flasks(keyring, store):
    app = drop_in_app(keyring, store, SESSION_COOKIE_NAME="sid", SESSION_COOKIE_DOMAIN="example.com",
                      SESSION_COOKIE_PATH="/app", SESSION_COOKIE_HTTPONLY=False,
                      SESSION_COOKIE_SECURE=True, SESSION_COOKIE_SAMESITE="Strict")

    @app.get("/app/set")
    def set_():
        session["n"] = 1
        return "ok"

    r = app.test_client().get("/app/set", "http://www.example.com/")
    cookie = r.headers["Set-Cookie"]
    assert cookie.startswith("sid=")
    assert "Domain=example.com" in cookie and "Path=/app" in cookie
    assert "Secure" in cookie and "SameSite=Strict" in cookie and "HttpOnly" not in cookie
    # Flask's defaults: "session", no Secure (http), HttpOnly, no SameSite.
    plain = drop_in_app(keyring, store)
    plain.get("/set")(set_)
    cookie = plain.test_client().get("/set").headers["Set-Cookie"]
    assert cookie.startswith("session=") and "HttpOnly" in cookie and "Secure" not in cookie
    # A __Host- name still enforces its rules.
    bad = drop_in_app(keyring, store, SESSION_COOKIE_NAME="__Host-x", SESSION_COOKIE_SECURE=False,
                      TESTING=True)
    bad.get("/set")(set_)
    with pytest.raises(cookieseal.InvalidArgument, match="__Host-"):
        bad.test_client().get("/set")


def test_permanent_sessions_last_permanent_session_lifetime(keyring, store):
    import datetime
    app = drop_in_app(keyring, store, PERMANENT_SESSION_LIFETIME=datetime.timedelta(hours=2))

    @app.get("/keep")
    def keep():
        session.permanent = True
        session["n"] = session.get("n", 0) + 1
        return str(session["n"])

    @app.get("/plain")
    def plain():
        session["n"] = 1
        return "ok"

    @app.get("/read")
    def read():
        return str(session.get("n"))

    c = app.test_client()
    assert "Max-Age=7200" in c.get("/keep").headers["Set-Cookie"]
    # SESSION_REFRESH_EACH_REQUEST (Flask's default): a permanent session is
    # sent again on a request that only reads it.
    r = c.get("/read")
    assert r.data == b"1" and "Max-Age=7200" in r.headers.get("Set-Cookie", "")
    app.config["SESSION_REFRESH_EACH_REQUEST"] = False
    assert "Set-Cookie" not in c.get("/read").headers
    # Not permanent: a browser session.
    other = app.test_client()
    cookie = other.get("/plain").headers["Set-Cookie"]
    assert "Max-Age" not in cookie and "Expires" not in cookie
    assert "Set-Cookie" not in other.get("/read").headers  # unmodified: not sent


def test_clear_logs_out_so_another_user_can_log_in(keyring, store):
    app = drop_in_app(keyring, store)

    @app.get("/login/<user>")
    def login(user):
        session.login(user)
        flash("Welcome, " + user)
        return session.subject

    @app.get("/switch/<user>")
    def switch(user):
        session.clear()  # the usual Flask logout
        session.login(user)
        return session.subject + " " + ",".join(get_flashed_messages())

    @app.get("/whoami")
    def whoami():
        return (session.subject or "-") + " " + ",".join(get_flashed_messages())

    c = app.test_client()
    assert c.get("/login/alice").data == b"alice"
    # Cleared: subject, id and the unread "Welcome, alice" are gone.
    assert c.get("/switch/bob").data == b"bob "
    assert c.get("/whoami").data == b"bob "


def test_destroy_drops_unread_flashes(keyring, store):
    app = drop_in_app(keyring, store)

    @app.get("/in")
    def in_():
        session.login("alice")
        flash("Welcome, alice!")
        return "ok"

    @app.get("/out")
    def out():
        session.destroy()
        flash("Logged out")
        return "ok"

    @app.get("/show")
    def show():
        return ",".join(get_flashed_messages())

    c = app.test_client()
    c.get("/in")
    c.get("/out")
    assert c.get("/show").data == b"Logged out"


def test_values_round_trip_as_flasks_serializer_does(keyring, store):
    import datetime
    import uuid
    from markupsafe import Markup
    app = drop_in_app(keyring, store, TESTING=True)
    now = datetime.datetime(2026, 12, 1, 10, 0, 0, tzinfo=datetime.timezone.utc)
    u = uuid.uuid4()
    values = {"t": (1, "a"), "b": b"\x00\xff", "m": Markup("<b>x</b>"), "u": u, "d": now,
              "nested": {"x": [(2, 3)], " t": "a key like a tag"}}

    @app.get("/set")
    def set_():
        session.update(values)
        return "ok"

    @app.get("/get")
    def get():
        got = {k: session[k] for k in values}
        assert got == values, got
        assert isinstance(got["t"], tuple) and isinstance(got["m"], Markup)
        return "same"

    @app.get("/bad")
    def bad():
        session["sock"] = object()
        return "?"

    c = app.test_client()
    c.get("/set")
    assert c.get("/get").data == b"same"
    with pytest.raises(TypeError, match="'sock'"):
        c.get("/bad")
