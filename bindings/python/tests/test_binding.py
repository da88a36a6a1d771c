"""The Python API over the C ABI: requests, the three outcomes, flashes, login,
revocation, seal/open, errors as exceptions."""
import ctypes
import json
import threading

import pytest

import cookieseal
from conftest import keyring_text, manager


def cookie_header(headers):
    for name, value in headers:
        if name == "Set-Cookie":
            return value.split(";", 1)[0]
    return None


def test_version():
    assert cookieseal.library_version() == "0.1.0"


def test_a_session_round_trips_through_a_cookie(keyring, store):
    codec = manager(keyring, store=store)
    with codec.request("") as r:
        assert isinstance(r, cookieseal.RequestSession)
        assert r.opened and r.is_new and r.reason is None
        r.session["visits"] = 1
        r.session["roles"] = ["admin", "editor"]
        r.session["prefs"] = {"theme": "dark", "n": 2.5, "ok": True, "none": None}
        headers = r.save()
    names = [n for n, _ in headers]
    assert names == ["Set-Cookie", "Cache-Control", "Vary"]
    assert ("Cache-Control", "no-store") in headers and ("Vary", "Cookie") in headers
    cookie = cookie_header(headers)
    assert cookie.startswith("__Host-session=")
    assert "HttpOnly" in headers[0][1] and "Secure" in headers[0][1]
    with codec.request("theme=x; " + cookie) as r:
        assert r.opened and not r.is_new
        assert r.session == {"visits": 1, "roles": ["admin", "editor"],
                             "prefs": {"theme": "dark", "n": 2.5, "ok": True, "none": None}}
        assert r.meta["key_id"] == "9f3a01c2"
        assert r.save() == [("Vary", "Cookie")]  # unchanged: nothing re-sent


def test_a_managers_settings_are_the_librarys(keyring):
    # The defaults come from the library (the package restates none of them).
    sessions = manager(keyring)
    assert sessions.settings == {
        "name": "__Host-session", "purpose": None, "path": "/", "domain": None, "secure": True,
        "http_only": True, "same_site": "Lax", "partitioned": False, "browser_session": False,
        "max_age": 7 * 24 * 3600, "idle_timeout": 24 * 3600}
    assert sessions.name == "__Host-session"
    prefs = cookieseal.SessionManager(cookieseal.Codec(keyring, max_age=0, idle_timeout=0),
                                      name="prefs", purpose="ui", path="/app",
                                      domain="example.com", same_site=None, http_only=False,
                                      browser_session=True)
    assert prefs.settings == {
        "name": "prefs", "purpose": "ui", "path": "/app", "domain": "example.com",
        "secure": True, "http_only": False, "same_site": None, "partitioned": False,
        "browser_session": True, "max_age": 0, "idle_timeout": None}
    assert prefs.name == "prefs"
    prefs.settings["name"] = "changed"  # a copy
    assert prefs.name == "prefs"


def test_flashes_login_and_destroy(keyring, store):
    codec = manager(keyring, store=store)
    with codec.request("") as r:
        r.login("alice")
        assert r.subject == "alice"
        r.flash("notice", "Welcome")
        r.flash("notice", {"n": 1})
        with pytest.raises(cookieseal.InvalidArgument):
            r.login("mallory")
        cookie = cookie_header(r.save())
    with codec.request(cookie) as r:
        assert r.flashes == {"notice": ["Welcome", {"n": 1}]}
        assert r.take_flashes("notice") == ["Welcome", {"n": 1}]
        assert r.take_flashes("notice") == []
        r.destroy()
        assert r.session == {} and r.subject == ""
        r.flash("notice", "You are logged out")
        after = cookie_header(r.save())
    with codec.request(after) as r:
        assert r.take_flashes("notice") == ["You are logged out"]
    with codec.request(cookie) as r:  # the old cookie is ended server-side
        assert r.refused and isinstance(r.reason, cookieseal.Revoked)


def test_a_refused_cookie_is_cleared_with_its_reason(keyring):
    codec = manager(keyring)
    with codec.request("__Host-session=garbage!") as r:
        assert r.refused and isinstance(r.reason, cookieseal.Malformed)
        assert r.reason.status == 1 and r.reason.name == "malformed"
        headers = r.save()
    assert "Max-Age=0" in headers[0][1]


def test_an_undecided_request_sends_nothing(keyring, store, tmp_path):
    codec = manager(keyring, store=store)
    with codec.request("") as r:
        r.session["cart"] = "x" * 6000  # overflows into the store
        cookie = cookie_header(r.save())
    store.rename(tmp_path / "moved")
    with codec.request(cookie) as r:
        assert r.undecided
        assert isinstance(r.reason, cookieseal.StoreUnavailable) and r.reason.undecided
        r.session["visits"] = 5
        with pytest.raises(cookieseal.StoreUnavailable) as e:
            r.save()
        assert e.value.undecided
    (tmp_path / "moved").rename(store)
    with codec.request(cookie) as r:
        assert r.session["cart"] == "x" * 6000


def test_the_diagnostic_function_hears_why(keyring, store, tmp_path, caplog):
    heard = []
    codec = manager(keyring, store=store, diagnostic=heard.append)
    with codec.request("") as r:
        r.session["cart"] = "x" * 6000
        cookie = cookie_header(r.save())
    store.rename(tmp_path / "moved")
    with codec.request(cookie) as r:
        assert r.undecided
    assert any("the store directory is missing" in m for m in heard), heard
    assert "open: the overflow store could not be read" in heard
    # Without a function of its own, a Codec warns on the "cookieseal" logger.
    quiet = manager(keyring, store=str(tmp_path / "moved"))
    (tmp_path / "moved").rename(tmp_path / "gone")
    with caplog.at_level("WARNING", logger="cookieseal"):
        with quiet.request(cookie) as r:
            assert r.undecided
    assert any("the store directory is missing" in rec.getMessage() for rec in caplog.records)


def test_log_out_everywhere_then_log_in_at_once(keyring, store):
    codec = manager(keyring, store=store)
    with codec.request("") as r:
        r.login("bob")
        old = cookie_header(r.save())
    codec.revoke_subject("bob")
    with codec.request("") as r:
        r.login("bob")
        new = cookie_header(r.save())
    with codec.request(old) as r:
        assert isinstance(r.reason, cookieseal.Revoked)
    with codec.request(new) as r:
        assert r.opened and r.subject == "bob"


def test_seal_and_open(keyring):
    codec = manager(keyring)
    cookie = codec.seal({"values": {"n": 1, "b": b"\x00\x01\x02"}, "subject": "carol",
                         "flashes": {"f": ["hi"]}, "constants": {"tenant": "acme"}})
    opened = codec.open(cookie)
    assert opened["values"] == {"n": 1, "b": b"\x00\x01\x02"}
    assert opened["constants"] == {"tenant": "acme"}
    assert opened["meta"]["subject"] == "carol" and opened["meta"]["overflow"] is False
    tampered = cookie[:40] + ("A" if cookie[40] != "A" else "B") + cookie[41:]
    with pytest.raises(cookieseal.AuthenticationFailed):
        codec.open(tampered)
    with pytest.raises(cookieseal.Malformed):
        codec.open("garbage!")
    with pytest.raises(cookieseal.TooLarge):
        codec.seal({"values": {"big": "x" * 6000}})
    with pytest.raises(cookieseal.InvalidArgument):
        codec.seal({"unknown": 1})
    other = manager(keyring_text=keyring_text(key_id="0badc0de"))
    with pytest.raises(cookieseal.UnknownKey):
        other.open(cookie)


def test_bad_configuration_is_a_clear_error(keyring, tmp_path):
    with pytest.raises(cookieseal.KeyringError, match="no-such-file"):
        cookieseal.Codec(tmp_path / "no-such-file")
    keyring.chmod(0o644)
    with pytest.raises(cookieseal.KeyringError, match="chmod 600"):
        cookieseal.Codec(keyring)
    keyring.chmod(0o600)
    with pytest.raises(cookieseal.InvalidArgument, match="__Host-"):
        manager(keyring, secure=False)
    # A store that can never work is configuration, not an outage (never undecided).
    with pytest.raises(cookieseal.ConfigError, match="TLS") as e:
        cookieseal.Codec(keyring, store="rediss://example:6379")
    assert not e.value.undecided
    (tmp_path / "a-file").write_text("")
    with pytest.raises(cookieseal.ConfigError, match="a-file"):
        cookieseal.Codec(keyring, store=tmp_path / "a-file")
    with pytest.raises(cookieseal.InvalidArgument):
        cookieseal.Codec(keyring, max_age=-1)
    with pytest.raises(cookieseal.InvalidArgument, match="max_age"):
        cookieseal.Codec(keyring, max_age=2**64)  # never wrapped to 0 (no lifetime)
    with pytest.raises(cookieseal.InvalidArgument, match="reload_interval"):
        cookieseal.Codec(keyring, reload_interval=-1)  # never wrapped to 49 days
    with pytest.raises(cookieseal.InvalidArgument, match="keyring"):
        cookieseal.Codec()
    with pytest.raises(cookieseal.KeyringError) as e:
        cookieseal.Codec(keyring_text="cookieseal-keyring 1\nkey zz\n")
    assert "keyring_text:2" in str(e.value)  # names the line


def test_the_key_text_the_library_read_is_wiped_after_the_call(monkeypatch, tmp_path):
    # What codec_new was handed: the address and length of the key text, and
    # the options' references that keep that memory alive after the call.
    from cookieseal import _native
    seen = []
    codec_new = _native.codec_new

    def spy(options, out, message):
        o = options._obj
        address = ctypes.c_void_p.from_buffer(o, type(o).keyring_text.offset).value
        seen.append((address, o.keyring_text_len, o._objects))
        header = ctypes.string_at(address, 20)
        assert header == b"cookieseal-keyring 1"
        return codec_new(options, out, message)

    monkeypatch.setattr(_native, "codec_new", spy)
    good = keyring_text()
    for text in (good, good.encode(), bytearray(good.encode())):
        cookieseal.Codec(keyring_text=text).close()
    with pytest.raises(cookieseal.KeyringError):  # the library refuses it: wiped all the same
        cookieseal.Codec(keyring_text=good + "key zz\n")
    assert len(seen) == 4
    for address, n, _ in seen:  # a failure shows counts, never the key text
        zeros = ctypes.string_at(address, n).count(0)
        assert n > 0 and zeros == n, "key text left unwiped"


def test_a_closed_codec_or_request_is_refused(keyring):
    sessions = manager(keyring)
    r = sessions.request("")
    r.close()
    with pytest.raises(cookieseal.Closed):
        r.save()
    sessions.codec.close()
    with pytest.raises(cookieseal.Closed, match="codec was freed"):
        sessions.request("")
    sessions.codec.close()  # twice is fine


def test_closing_the_codec_first_then_using_a_request_is_an_error_not_a_crash(keyring, store):
    sessions = manager(keyring, store=store)
    r = sessions.request("")
    r.session["n"] = 1
    sessions.codec.close()
    with pytest.raises(cookieseal.Closed, match="codec was freed"):
        r.save()
    sessions.close()
    with pytest.raises(cookieseal.Closed):
        r.login("alice")
    r.close()


def test_request_errors_carry_the_librarys_message(keyring):
    sessions = manager(keyring)
    with sessions.request("") as r:
        with pytest.raises(cookieseal.InvalidArgument, match="32"):
            r.flash("k", [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]])
        r.login("alice")
        with pytest.raises(cookieseal.InvalidArgument, match="another subject"):
            r.login("bob")


def test_a_cut_cookie_header_is_undecided(keyring):
    sessions = manager(keyring)
    with sessions.request("pad=" + "x" * 20000) as r:
        assert r.undecided
        assert isinstance(r.reason, cookieseal.HeaderTruncated) and r.reason.undecided


def test_several_cookie_lines_are_read_as_one_list(keyring):
    sessions = manager(keyring)
    with sessions.request("") as r:
        r.session["n"] = 7
        cookie = cookie_header(r.save())
    with sessions.request("theme=dark\n" + cookie + "\nlang=en") as r:
        assert r.opened and not r.is_new and r.session["n"] == 7


def test_one_codec_serves_many_threads(keyring, store):
    codec = manager(keyring, store=store)
    errors = []

    def worker(n):
        try:
            cookie = ""
            for i in range(50):
                with codec.request(cookie) as r:
                    assert r.session.get("n", 0) == i
                    r.session["n"] = i + 1
                    r.session["who"] = n
                    cookie = cookie_header(r.save())
        except Exception as e:  # reported below
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


_CLOSE_WITH_CALLS_IN_FLIGHT = r"""
import random, sys, threading, time
import cookieseal
keyring, store, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
big = "x" * 6000  # over the cookie limit: save() writes a store entry, long inside C
unexpected = []


def hammer(calls, stop, after):
    try:
        while not stop.is_set():
            for call in calls:
                try:
                    call()
                except cookieseal.Closed:
                    pass
        for call in calls:  # everything closed now: each call must raise Closed
            try:
                call()
            except cookieseal.Closed:
                continue
            after.append(call)
    except BaseException as e:
        unexpected.append(repr(e))


for n in range(rounds):
    codec = cookieseal.Codec(keyring, store=store)
    m = cookieseal.SessionManager(codec)
    cookie = m.seal({"values": {"n": 1}})
    r = m.request("")

    def save():
        r.session["n"] = r.session.get("n", 0) + 1
        r.session["big"] = big
        r.save()

    def request():
        with m.request(cookie) as q:
            assert q.opened

    calls = [
        [lambda: m.seal({"values": {"big": big}}), lambda: m.open(cookie), request],
        [save, lambda: r.flashes, lambda: r.flash("k", 1), lambda: r.take_flashes("k"),
         r.regenerate_id],
        [lambda: codec.revoke_subject("nobody")],
    ]
    stop, after = threading.Event(), []
    threads = [threading.Thread(target=hammer, args=(c, stop, after)) for c in calls]
    for t in threads:
        t.start()
    time.sleep(random.uniform(0, 0.004))
    handles = [codec, m, r]
    random.shuffle(handles)
    for h in handles:
        h.close()
    stop.set()
    for t in threads:
        t.join()
    assert not unexpected, (n, unexpected)
    assert not after, (n, "calls after close() that did not raise Closed", after)
print("ok")
"""


def test_closing_while_other_threads_are_inside_calls_never_frees_under_them(tmp_path, keyring):
    # Before the in-flight guard, close() freed the handle under a call in C:
    # this crashed (SIGSEGV) or failed with garbage errors within 100 rounds.
    import subprocess
    import sys
    p = subprocess.run([sys.executable, "-c", _CLOSE_WITH_CALLS_IN_FLIGHT, str(keyring),
                        str(tmp_path / "store"), "200"],
                       capture_output=True, text=True, timeout=600)
    assert p.returncode == 0 and p.stdout == "ok\n", (p.returncode, p.stderr[-3000:])


_EXIT_WHILE_THE_KEYRING_THREAD_REPORTS = r"""
import sys, time, cookieseal
path = sys.argv[1]
heard = []
codec = cookieseal.Codec(path, reload_interval=0.005, diagnostic=heard.append)
for i in range(40):  # every changed, broken file is reported on the keyring thread
    with open(path, "w") as f:
        f.write("cookieseal-keyring 1\nkey nonsense%d\n" % i)
    time.sleep(0.003)
sys.exit(0)  # while the keyring thread may be inside the callback
"""


def test_interpreter_exit_while_the_keyring_thread_reports_never_aborts(tmp_path, keyring):
    import subprocess
    import sys
    for run in range(6):
        path = tmp_path / f"keyring-{run}"
        path.write_text(keyring.read_text())
        path.chmod(0o600)
        p = subprocess.run([sys.executable, "-c", _EXIT_WHILE_THE_KEYRING_THREAD_REPORTS, str(path)],
                           capture_output=True, text=True, timeout=60)
        assert p.returncode == 0, (run, p.returncode, p.stderr[-2000:])
        assert "FATAL" not in p.stderr


def test_several_cookies_of_one_request_are_saved_together(keyring, store, tmp_path):
    codec = cookieseal.Codec(keyring, store=store)
    auth = cookieseal.SessionManager(codec)
    # prefs on a codec of its own without a store: it opens while the store is away
    prefs = cookieseal.SessionManager(cookieseal.Codec(keyring), name="prefs", browser_session=True)
    with auth.request("") as a, prefs.request("") as p:
        a.session["user"] = "alice"
        p.session["theme"] = "dark"
        headers = cookieseal.save_all([a, p])
    cookies = [v for n, v in headers if n == "Set-Cookie"]
    assert len(cookies) == 2 and [n for n, _ in headers].count("Vary") == 1
    line = "\n".join(c.split(";")[0] for c in cookies)
    (tmp_path / "moved").mkdir()
    store.rename(tmp_path / "moved" / "store")  # the auth cookie cannot be judged now
    with auth.request(line) as a, prefs.request(line) as p:
        assert a.undecided and p.session["theme"] == "dark"
        p.session["theme"] = "light"
        with pytest.raises(cookieseal.StoreUnavailable) as e:
            cookieseal.save_all([a, p])  # nothing for either
        assert e.value.undecided


def saved_and_reopened(codec, values):
    with codec.request("") as r:
        r.session.update(values)
        header = cookie_header(r.save())
    with codec.request(header) as r:
        assert r.opened, r.reason
        return r.session


def test_any_map_key_round_trips_even_the_bridges_tags(keyring):
    codec = manager(keyring)
    values = {
        "$bytes": "a top-level key is only a key",
        "q": {"$bytes": "hello!", "$object": {"$": 1, "$$x": 2}, "plain": [{"$bytes": "x"}]},
        "raw": b"\x00\xff", "obj": cookieseal.Object("shop.cart.v1", b"\x01"),
    }
    assert saved_and_reopened(codec, values) == values
    with codec.request("") as r:
        r.flash("$note", {"$bytes": "not bytes"})
        assert r.take_flashes("$note") == [{"$bytes": "not bytes"}]


@pytest.mark.parametrize("n", [2**63, 2**64, -2**63 - 1, 10**30])
def test_integers_outside_int64_are_refused_not_made_doubles(keyring, n):
    codec = manager(keyring)
    with codec.request("") as r:
        r.session["n"] = n
        with pytest.raises(cookieseal.InvalidArgument, match="does not fit in 64 signed bits"):
            r.save()
    assert saved_and_reopened(codec, {"n": 2**63 - 1, "m": -2**63}) == {"n": 2**63 - 1, "m": -2**63}


def test_json_through_the_c_abi_is_bounded_before_it_is_parsed(keyring):
    import resource
    from cookieseal import _native
    codec = manager(keyring)
    deep = b'{"values":{"a":' + b"[" * 20_000_000 + b"}}"
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with codec.request("") as r:
        with pytest.raises(cookieseal.InvalidArgument, match="larger than 8388608 bytes"):
            r._call(_native.call_request, _native.request_update, deep, len(deep))
        deep = deep[:4_000_000]  # within the size bound: refused at the 35th level
        with pytest.raises(cookieseal.InvalidArgument, match="nesting deeper than 34 levels"):
            r._call(_native.call_request, _native.request_update, deep, len(deep))
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert grown_kib < 64 * 1024, f"peak memory grew by {grown_kib} KiB"


def test_a_session_carries_its_own_lifetime(keyring, store):
    sessions = manager(keyring, store=store)
    with sessions.request("") as r:
        r.session["n"] = 1
        r.set_lifetime(idle_timeout=3600)
        headers = r.save()
    assert "Max-Age=3600" in dict(headers)["Set-Cookie"]
    with sessions.request(cookie_header(headers)) as r:
        assert r.lifetime == {"max_age": None, "idle_timeout": 3600, "browser_session": False}
        r.set_lifetime(browser_session=True)
        assert "Max-Age" not in dict(r.save())["Set-Cookie"]
        with pytest.raises(cookieseal.InvalidArgument, match="idle_timeout"):
            r.set_lifetime(idle_timeout=-5)


def test_the_nonblocking_calls_answer_none_where_the_store_is_needed(keyring, store):
    sessions = manager(keyring, store=store)
    r = sessions.request_nonblocking("")  # no cookie: nothing to look up
    assert isinstance(r, cookieseal.RequestSession) and r.is_new
    r.session["visits"] = 1
    small = r.save_nonblocking()  # inline, no subject: no store call
    assert cookie_header(small)
    r.session["cart"] = "x" * 6000
    assert r.save_nonblocking() is None  # would spill into the store
    big = cookie_header(r.save())  # the request was left as it was: still to save
    assert big
    assert sessions.request_nonblocking(big) is None  # the entry is in the store
    with sessions.request(big) as again:
        assert again.opened and again.session == {"visits": 1, "cart": "x" * 6000}
    # Without a store nothing ever waits.
    plain = manager(keyring)
    with plain.request_nonblocking("") as r:
        r.session["a"] = 1
        cookie = cookie_header(r.save_nonblocking())
    with plain.request_nonblocking(cookie) as r:
        assert r.opened and r.session == {"a": 1}
