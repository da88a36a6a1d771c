"""One session across frameworks: the C++ example shop, the Flask example app, the
Django test site and the FastAPI test site share a keyring file (the shop's), a
store and the cookie (__Host-session); curl keeps one cookie jar across them, as
one browser."""
import json

from conftest import Curl, flask_server, shop_server
from loopback import django_server, uvicorn_server

COOKIE = "__Host-session"  # the Flask app's (the library's default)


def state(browser, server):
    return json.loads(browser.get(server.base + "/api/state"))


def test_logged_in_on_flask_is_logged_in_on_django_and_fastapi(tmp_path, servers):
    state_dir, store = tmp_path / "state", tmp_path / "state" / "store"
    shop = shop_server(state_dir, store, tmp_path / "shop.log", servers)  # makes the keyring
    keyring = state_dir / "keyring"
    flask = flask_server(keyring, store, tmp_path / "flask.log", servers)
    django = django_server(keyring, store, tmp_path, servers, cookie=COOKIE)
    fastapi = uvicorn_server(keyring, store, tmp_path, servers, cookie=COOKIE)
    browser = Curl(tmp_path / "jar")

    assert browser.post(flask.base + "/login", user="alice") == "303"
    browser.get(flask.base + "/")  # visits 1
    for server in (django, fastapi):
        s = state(browser, server)
        assert s["user"] == "alice" and s["visits"] == 1, (server.base, s)

    # A change in each is seen by the others.
    assert browser.get(django.base + "/visit") == "2"
    assert browser.get(fastapi.base + "/visit") == "3"
    assert state(browser, flask)["visits"] == 3 and state(browser, flask)["user"] == "alice"

    # A flash from Flask is a Django message, and one from Django a Flask flash.
    assert browser.post(flask.base + "/flash", message="From Flask") == "303"
    assert browser.get(django.base + "/messages") == "info|notice|From Flask"
    assert browser.get(django.base + "/messages") == ""
    browser.get(django.base + "/flash?text=From%20Django")
    page = browser.get(flask.base + "/")
    assert "From Django" in page and "saved" in page

    # Log out everywhere on Flask ends a second browser's session on Django and FastAPI.
    other = Curl(tmp_path / "other-jar")
    assert other.post(flask.base + "/login", user="alice") == "303"
    assert state(other, django)["user"] == "alice"
    assert browser.post(flask.base + "/logout-everywhere") == "303"
    assert state(other, django)["user"] == ""
    assert other.post(flask.base + "/login", user="alice") == "303"  # a login after it holds
    assert state(other, fastapi)["user"] == "alice"
    assert state(other, django)["user"] == "alice"

    # Logged in on the C++ shop: the same on Django and FastAPI, its welcome a message.
    third = Curl(tmp_path / "third-jar")
    assert third.post(shop.base + "/login", user="zoe") == "303"
    assert state(third, django)["user"] == "zoe" and state(third, fastapi)["user"] == "zoe"
    assert "Welcome, zoe!" in third.get(django.base + "/messages")
