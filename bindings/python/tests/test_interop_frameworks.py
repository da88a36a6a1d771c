"""One session across frameworks and languages: the C++ example shop, the Flask
example app, the Django test site, the FastAPI test site and the Go example
server share a keyring file (the shop's), a store and the cookie
(__Host-session); curl keeps one cookie jar across them, as one browser."""
import json
import shutil
import time

from conftest import Curl, cli, flask_server, go_server, shop_server
from loopback import django_server, uvicorn_server

COOKIE = "__Host-session"  # the Flask app's (the library's default)


def state(browser, server):
    return json.loads(browser.get(server.base + "/api/state"))


def key_ids(keyring):
    return {line.split()[1] for line in open(keyring) if line.startswith("key ")}


def test_logged_in_on_flask_is_logged_in_everywhere(tmp_path, servers, go_shop):
    state_dir, store = tmp_path / "state", tmp_path / "state" / "store"
    shop = shop_server(state_dir, store, tmp_path / "shop.log", servers)  # makes the keyring
    keyring = state_dir / "keyring"
    flask = flask_server(keyring, store, tmp_path / "flask.log", servers)
    django = django_server(keyring, store, tmp_path, servers, cookie=COOKIE)
    fastapi = uvicorn_server(keyring, store, tmp_path, servers, cookie=COOKIE)
    go = go_server(go_shop, keyring, store, tmp_path / "go.log", servers)
    everyone = {"flask": flask, "django": django, "fastapi": fastapi, "shop": shop, "go": go}
    browser = Curl(tmp_path / "jar")

    def seen_by_all(who, **want):
        for name, server in everyone.items():
            s = state(who, server)
            assert {k: s[k] for k in want} == want, (name, s)

    assert browser.post(flask.base + "/login", user="alice") == "303"
    assert browser.post(flask.base + "/cart/add", item="pen") == "303"
    assert "Welcome, alice!" in browser.get(flask.base + "/")  # visits 1
    seen_by_all(browser, user="alice", visits=1, cart_items=1)

    # A change in each is seen by all the others.
    assert browser.get(django.base + "/visit") == "2"
    assert browser.get(fastapi.base + "/visit") == "3"
    assert 'id="visits">4<' in browser.get(shop.base + "/")
    assert 'id="visits">5<' in browser.get(go.base + "/")
    assert browser.post(go.base + "/cart/add", item="book") == "303"
    assert browser.post(shop.base + "/cart/add", item="cup") == "303"
    seen_by_all(browser, user="alice", visits=5, cart_items=3)

    # A flash is shown once, by whichever server shows it first: Flask's flash(),
    # Django's messages, FastAPI's session, the C++ shop's and Go's pages alike.
    assert browser.post(flask.base + "/flash", message="From Flask") == "303"
    assert browser.get(django.base + "/messages") == "info|notice|From Flask"
    assert browser.get(django.base + "/messages") == ""
    assert browser.post(flask.base + "/flash", message="From Flask again") == "303"
    assert "From Flask again" in browser.get(go.base + "/")
    assert "From Flask again" not in browser.get(shop.base + "/")
    assert browser.post(go.base + "/flash", message="From Go") == "303"
    assert json.loads(browser.get(fastapi.base + "/messages")) == ["From Go"]
    browser.get(django.base + "/flash?text=From%20Django")  # "saved" (success) and a notice
    assert "From Django" in browser.get(shop.base + "/")  # the shop shows its notices
    assert json.loads(browser.get(fastapi.base + "/flash?message=From%20FastAPI")) == "ok"
    page = browser.get(flask.base + "/")  # Flask shows every category
    assert "From FastAPI" in page and "saved" in page and "From Django" not in page
    seen_by_all(browser, user="alice", cart_items=3)

    # An emergency rotation through the CLI: each server seals with the new key
    # (once its watcher has read the file) and every other opens it; nobody is
    # logged out.
    before = key_ids(keyring)
    cli("keyring", "rotate", str(keyring), "--activate-in", "0s")
    (new_key,) = key_ids(keyring) - before
    cart = 3
    changes = {"flask": flask.base + "/cart/add", "django": django.base + "/visit",
               "fastapi": fastapi.base + "/visit", "shop": shop.base + "/cart/add",
               "go": go.base + "/cart/add"}
    for name, url in changes.items():
        deadline = time.time() + 15  # each watcher polls its file about every second
        while True:
            if url.endswith("/cart/add"):
                assert browser.post(url, item=name) == "303"
                cart += 1
            else:
                browser.get(url)
            sealed_by = json.loads(cli("inspect", browser.cookie(COOKIE)))["key_id"]
            if sealed_by == new_key or time.time() > deadline:
                break
            time.sleep(0.2)
        assert sealed_by == new_key, f"{name} still seals with {sealed_by}, not {new_key}"
        seen_by_all(browser, user="alice")
    seen_by_all(browser, user="alice", cart_items=cart)

    # Log out everywhere on Flask ends a second browser's session on every server.
    other = Curl(tmp_path / "other-jar")
    assert other.post(flask.base + "/login", user="alice") == "303"
    seen_by_all(other, user="alice")
    assert browser.post(flask.base + "/logout-everywhere") == "303"
    for name, server in everyone.items():
        # The same cookie for each server (the first one's reply would clear it).
        jar = tmp_path / f"other-jar-{name}"
        shutil.copy(other.jar, jar)
        s = state(Curl(jar), server)
        assert s["user"] == "", (name, s)
        if "refused" in s:  # the example apps say why (Django's and FastAPI's sites do not)
            assert s["refused"] == "revoked", (name, s)
    assert state(browser, go)["user"] == ""  # the browser that asked is logged out too
    assert other.post(flask.base + "/login", user="alice") == "303"  # a login after it holds
    seen_by_all(other, user="alice")

    # Logged in on the C++ shop or on Go: the same everywhere, the welcome a message.
    for where, user in ((shop, "zoe"), (go, "yann")):
        third = Curl(tmp_path / f"jar-{user}")
        assert third.post(where.base + "/login", user=user) == "303"
        seen_by_all(third, user=user)
        assert f"Welcome, {user}!" in third.get(django.base + "/messages")
