"""Flask sessions through CookiesealSessionInterface: Flask's test client, and a
real Flask server (the example app) driven by curl."""
import pytest
from flask import Flask, flash, get_flashed_messages, request, session

import cookieseal
import cookieseal.flask
from conftest import Curl, flask_server


def make_app(keyring, store):
    app = Flask(__name__)
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
