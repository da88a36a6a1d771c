"""One keyring file, three processes: the C++ example shop, the Flask example
app and the cookieseal CLI open each other's cookies. curl keeps one cookie jar
across both servers (same host, different ports), as one browser would."""
import json
import time

from conftest import Curl, cli, flask_server, manager, shop_server


def test_shop_flask_and_cli_share_sessions(tmp_path, servers):
    state, store = tmp_path / "state", tmp_path / "state" / "store"
    shop = shop_server(state, store, tmp_path / "shop.log", servers)  # makes the keyring
    keyring = state / "keyring"
    flask = flask_server(keyring, store, tmp_path / "flask.log", servers)
    browser = Curl(tmp_path / "jar")

    # Created in the shop, opened in Flask: values and flashes.
    assert browser.post(shop.base + "/login", user="alice") == "303"
    shop_page = browser.get(shop.base + "/")  # visits 1 (the shop counts); shows the flash
    assert "Welcome, alice!" in shop_page
    assert browser.post(shop.base + "/cart/add", item="book") == "303"
    page = browser.get(flask.base + "/")
    assert "Logged in as <b>alice</b>" in page
    assert 'id="visits">2<' in page and 'id="cart-items">1<' in page
    # A flash queued by the shop, shown by Flask (and only once).
    browser.get(shop.base + "/api/state")
    assert browser.post(shop.base + "/login", user="alice") == "303"  # same user: a flash
    assert "Welcome, alice!" in browser.get(flask.base + "/")
    assert "Welcome, alice!" not in browser.get(flask.base + "/")

    # Changed in Flask, seen by the shop: the cart, the counter and a flash.
    assert browser.post(flask.base + "/cart/add", item="pen") == "303"
    assert browser.post(flask.base + "/flash", message="From Flask") == "303"
    state_json = json.loads(browser.get(shop.base + "/api/state"))
    assert state_json["user"] == "alice" and state_json["cart_items"] == 2
    assert "From Flask" in browser.get(shop.base + "/")

    # The CLI opens the same cookie with the same keyring file.
    opened = json.loads(cli("open", "--keyring", str(keyring), "--name", "__Host-session",
                            "--store", str(store), browser.cookie()))
    assert opened["meta"]["subject"] == "alice" and opened["values"]["cart"] == ["book", "pen"]

    # An emergency rotation: both pick it up without a logout.
    cli("keyring", "rotate", str(keyring), "--activate-in", "0s")
    time.sleep(1.5)  # the shop's watcher polls each second: it now seals with the new key
    assert browser.post(shop.base + "/cart/add", item="cup") == "303"
    sealed_by = cli("inspect", browser.cookie())
    state_json = json.loads(browser.get(flask.base + "/api/state"))
    assert state_json["user"] == "alice" and state_json["cart_items"] == 3, state_json
    assert browser.post(flask.base + "/cart/add", item="mug") == "303"
    assert json.loads(browser.get(shop.base + "/api/state"))["cart_items"] == 4
    assert json.loads(sealed_by)["key_id"] in open(keyring).read()

    # Log out everywhere in Flask ends the session in the shop (a second browser).
    other = Curl(tmp_path / "other-jar")
    assert other.post(shop.base + "/login", user="alice") == "303"
    assert json.loads(other.get(shop.base + "/api/state"))["user"] == "alice"
    assert browser.post(flask.base + "/logout-everywhere") == "303"
    gone = json.loads(other.get(shop.base + "/api/state"))
    assert gone["user"] == "" and gone["refused"] == "revoked"
    # ...and a login right after, in the shop, holds in Flask.
    assert browser.post(shop.base + "/login", user="alice") == "303"
    assert json.loads(browser.get(flask.base + "/api/state"))["user"] == "alice"


def test_any_bytes_a_cpp_server_stores_open_in_python(tmp_path, servers):
    """A form post of %F8%80%80 to the C++ shop: not UTF-8, yet Flask and the
    Python codec open the session (each bad byte is U+FFFD)."""
    state, store = tmp_path / "state", tmp_path / "state" / "store"
    shop = shop_server(state, store, tmp_path / "shop.log", servers)
    flask = flask_server(state / "keyring", store, tmp_path / "flask.log", servers)
    browser = Curl(tmp_path / "jar")
    code = browser._run("-o", "/dev/null", "-w", "%{http_code}", "--data", "item=%F8%80%80",
                        shop.base + "/cart/add")
    assert code == "303"
    assert json.loads(browser.get(flask.base + "/api/state"))["cart_items"] == 1
    assert 'id="cart-items">1<' in browser.get(flask.base + "/")
    sessions = manager(str(state / "keyring"), store=str(store))
    assert sessions.open(browser.cookie())["values"]["cart"] == ["\ufffd\ufffd\ufffd"]
