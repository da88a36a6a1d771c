#!/usr/bin/env python3
"""Tests of the real `cookieseal` binary. Usage: cli_test.py CLI CASE

Each CASE is one meson test (tests/meson.build lists them). Cookies with
authentic but hostile payloads are forged with the independent Python
implementation in reference_decoder.py, using the key from the keyring file.
"""
import base64
import json
import os
import stat
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from reference_decoder import ChaCha20Poly1305, b64url_decode, hchacha20  # noqa: E402

CLI = sys.argv[1]
CASES = {}
checks = 0


def case(fn):
    CASES[fn.__name__] = fn
    return fn


def check(cond, what):
    global checks
    checks += 1
    if not cond:
        raise AssertionError(what)


def run(*args, stdin=None, env=None):
    e = dict(os.environ)
    e.pop("COOKIESEAL_KEYRING", None)
    if env:
        e.update(env)
    p = subprocess.run([CLI, *args], input=stdin, capture_output=True, text=True, env=e, timeout=60)
    return p.returncode, p.stdout, p.stderr


def ok(*args, **kw):
    rc, out, err = run(*args, **kw)
    check(rc == 0, f"{args}: exit {rc}, stderr {err!r}")
    return out


def init(d, name="keys"):
    path = os.path.join(d, name)
    ok("keyring", "init", path)
    return path


def key_texts(path):
    return [line.split()[5] for line in open(path) if line.startswith("key ")]


def leb128(n):
    out = bytearray()
    while True:
        b, n = n & 0x7F, n >> 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def forge(path, plaintext, name=b"session", version=1, key_index=0):
    """An authentic envelope around any plaintext, sealed with the file's key."""
    line = [ln for ln in open(path) if ln.startswith("key ")][key_index].split()
    key = b64url_decode(line[5])
    now = int(time.time())
    header = bytes([version]) + int(line[1], 16).to_bytes(4, "big") + struct.pack(">QQ", now, now + 3600)
    nonce = os.urandom(24)
    header += nonce
    ad = header + bytes([len(name)]) + name + b"\0"
    ct = ChaCha20Poly1305(hchacha20(key, nonce[:16])).encrypt(b"\0" * 4 + nonce[16:], plaintext, ad)
    return base64.urlsafe_b64encode(header + ct).decode().rstrip("=")


def seal(path, values, *extra):
    return ok("seal", "--keyring", path, "--name", "session", *extra, stdin=json.dumps(values)).strip()


def expect_exit(code, args, contains=None, **kw):
    rc, out, err = run(*args, **kw)
    check(rc == code, f"{args}: want exit {code}, got {rc} ({err.strip()!r})")
    if contains:
        check(contains in err, f"{args}: stderr {err!r} lacks {contains!r}")
    check(err.count("\n") <= 2, f"{args}: error should be one line, got {err!r}")
    return out, err


@case
def help_everywhere():
    for args in (["--help"], ["keyring", "--help"], ["seal", "--help"], ["open", "--help"],
                 ["inspect", "--help"]):
        out = ok(*args)
        check("usage:" in out, f"{args}: no usage text")
    expect_exit(2, [], "no command")
    expect_exit(2, ["frobnicate"], "unknown command")


@case
def init_creates_private_file_and_refuses_overwrite():
    with tempfile.TemporaryDirectory() as d:
        path = init(d)
        check(stat.S_IMODE(os.stat(path).st_mode) == 0o600, "mode is not 0600")
        before = open(path).read()
        expect_exit(1, ["keyring", "init", path], "already exists")
        check(open(path).read() == before, "init overwrote an existing keyring")


@case
def list_shows_states_never_key_bytes():
    with tempfile.TemporaryDirectory() as d:
        path = init(d)
        ok("keyring", "rotate", path)
        out = ok("keyring", "list", path)
        check("active" in out and "pending" in out, f"states missing: {out}")
        for k in key_texts(path):
            check(k not in out and k[:12] not in out, "list printed key bytes")
        for args in (["keyring", "rotate", path], ["keyring", "prune", path],
                     ["keyring", "end-sessions", path]):
            out = ok(*args)
            for k in key_texts(path):
                check(k[:12] not in out, f"{args} printed key bytes")


@case
def seal_open_round_trip():
    with tempfile.TemporaryDirectory() as d:
        path = init(d)
        values = {"user": "alice", "n": 3, "big": -9007199254740993, "pi": 2.5,
                  "roles": ["a", "b"], "nested": {"x": [1, {"y": None}]}, "t": True,
                  "raw": {"$bytes": "AAEC_w"}, "utf8": "h\u00e9llo"}
        cookie = seal(path, values)
        check(len(cookie) < 400, "cookie unexpectedly large")
        out = json.loads(ok("open", "--keyring", path, "--name", "session", cookie))
        check(out["values"] == values, f"values differ: {out['values']}")
        meta = out["meta"]
        check(len(meta["id"]) == 32 and meta["subject"] == "", f"meta: {meta}")
        check(meta["key_replaced"] is False and len(meta["key_id"]) == 8, f"meta: {meta}")
        check(meta["expires_at"].endswith("Z"), "expires_at is not RFC 3339")
        # "-" reads the cookie from stdin
        out2 = json.loads(ok("open", "--keyring", path, "--name", "session", "-", stdin=cookie + "\n"))
        check(out2["values"] == values, "open - differs")


@case
def seal_full_and_purpose():
    with tempfile.TemporaryDirectory() as d:
        path = init(d)
        full = {"values": {"a": 1}, "constants": {"tenant": "acme"},
                "flashes": {"notice": ["saved", 2]}, "subject": "user-7"}
        cookie = seal(path, full, "--full", "--purpose", "login")
        out = json.loads(ok("open", "--keyring", path, "--name", "session", "--purpose", "login", cookie))
        check(out["values"] == {"a": 1} and out["constants"] == {"tenant": "acme"}, f"{out}")
        check(out["flashes"] == {"notice": ["saved", 2]}, f"flashes: {out['flashes']}")
        check(out["meta"]["subject"] == "user-7", "subject lost")
        expect_exit(13, ["open", "--keyring", path, "--name", "session", cookie], "authentication_failed")
        expect_exit(2, ["seal", "--keyring", path, "--name", "s", "--full"], "unknown member",
                    stdin='{"value": {}}')


@case
def session_lifetime_from_flags_and_json():
    def rfc3339(t):
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))

    def unix(text):
        return int(time.mktime(time.strptime(text, "%Y-%m-%dT%H:%M:%SZ"))) - time.timezone

    def open_json(path, cookie, *extra):
        return json.loads(ok("open", "--keyring", path, "--name", "session", *extra, cookie))

    with tempfile.TemporaryDirectory() as d:
        path = init(d)
        plain = open_json(path, seal(path, {"a": 1}))
        check(plain["lifetime"] == {"max_age": None, "idle_timeout": None, "browser_session": False},
              f"a session without a lifetime: {plain['lifetime']}")

        cookie = seal(path, {"a": 1}, "--session-max-age", "2h", "--session-idle", "30m")
        out = open_json(path, cookie)
        check(out["lifetime"] == {"max_age": 7200, "idle_timeout": 1800, "browser_session": False},
              f"flags: {out['lifetime']}")
        meta = out["meta"]
        check(unix(meta["expires_at"]) == unix(meta["issued_at"]) + 1800,
              f"expires_at follows the session's idle timeout: {meta}")
        later = rfc3339(unix(meta["created_at"]) + 2 * 3600 + 120)
        expect_exit(14, ["open", "--keyring", path, "--name", "session", "--now", later,
                         "--idle", "0", cookie], "expired")

        # Longer than the policy: kept as given, cut to the policy's in force.
        out = open_json(path, seal(path, {}, "--session-max-age", "30d", "--browser-session"))
        check(out["lifetime"] == {"max_age": 30 * 86400, "idle_timeout": None,
                                  "browser_session": True}, f"browser session: {out['lifetime']}")
        check(unix(out["meta"]["expires_at"]) == unix(out["meta"]["issued_at"]) + 86400,
              f"clamped to the 24 h idle policy: {out['meta']}")

        # The JSON member, with a flag overriding one of its fields.
        full = {"values": {"a": 1}, "lifetime": {"max_age": 600, "idle_timeout": 300}}
        out = open_json(path, seal(path, full, "--full", "--session-idle", "1m"))
        check(out["lifetime"] == {"max_age": 600, "idle_timeout": 60, "browser_session": False},
              f"JSON + flag: {out['lifetime']}")

        expect_exit(2, ["seal", "--keyring", path, "--name", "s", "--session-max-age", "2x"],
                    "bad duration", stdin="{}")
        expect_exit(2, ["seal", "--keyring", path, "--name", "s", "--full"], "lifetime",
                    stdin='{"lifetime": {"max_age": -5}}')


@case
def exit_codes_for_every_error():
    with tempfile.TemporaryDirectory() as d:
        path = init(d)
        other = init(d, "other")
        cookie = seal(path, {"n": 1})
        o = ["open", "--keyring", path, "--name", "session"]
        expect_exit(10, o + ["not*base64"], "malformed")
        raw = bytearray(b64url_decode(cookie))
        raw[0] = 2
        bad_version = base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")
        expect_exit(11, o + [bad_version], "unsupported_version")
        expect_exit(12, ["open", "--keyring", other, "--name", "session", cookie], "unknown_key")
        expect_exit(13, ["open", "--keyring", path, "--name", "csrf", cookie], "authentication_failed")
        future = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 40 * 86400))
        expect_exit(14, o + ["--now", future, cookie], "expired")
        expect_exit(15, o + [forge(path, b"\x00garbage")], "invalid_payload")
        expect_exit(16, ["seal", "--keyring", path, "--name", "session"], "too_large",
                    stdin=json.dumps({"blob": "x" * 5000}))
        # kind 1, entry id and key, created_at now (LEB128), no subject
        reference = b"\x01" + bytes(64) + leb128(int(time.time())) + b"\x00"
        expect_exit(17, o + [forge(path, reference)], "store_unavailable")
        # No waiting: the cut-off covers every session up to now, this second
        # included, and one sealed right after (even in the same second) holds.
        ok("keyring", "end-sessions", path)
        fresh = seal(path, {"n": 2})
        expect_exit(18, o + [cookie], "revoked")
        ok("open", "--keyring", path, "--name", "session", fresh)


@case
def inspect_prints_unverified_header():
    with tempfile.TemporaryDirectory() as d:
        path = init(d)
        cookie = seal(path, {"n": 1})
        rc, out, err = run("inspect", cookie)
        check(rc == 0, f"inspect failed: {err}")
        h = json.loads(out)
        check(h["verified"] is False and h["version"] == 1, f"{h}")
        check(h["key_id"] == [l.split()[1] for l in open(path) if l.startswith("key ")][0], "key id")
        check("unverified" in err, "no unverified warning")
        expect_exit(10, ["inspect", "garbage!"], "malformed")


@case
def bad_input_is_one_clear_line_and_writes_nothing():
    with tempfile.TemporaryDirectory() as d:
        path = init(d)
        before = open(path).read()
        s = ["seal", "--keyring", path, "--name", "session"]
        expect_exit(2, s, "not valid JSON", stdin="{nope")
        expect_exit(2, s, "must be a JSON object", stdin="[1, 2]")
        expect_exit(2, s, "does not fit", stdin='{"n": 18446744073709551615}')
        expect_exit(2, s, "base64url", stdin='{"b": {"$bytes": "+/=="}}')
        expect_exit(2, s, "nesting", stdin='{"d": ' + "[" * 40 + "]" * 40 + "}")
        expect_exit(2, ["seal", "--keyring", path], "--name is required", stdin="{}")
        expect_exit(2, ["seal", "--bogus"], "unknown option --bogus")
        expect_exit(2, ["keyring", "rotate", path, "--activate-in", "soon"], "bad duration")
        expect_exit(2, ["keyring", "end-sessions", path, "--before", "yesterday"], "bad time")
        expect_exit(2, ["keyring", "revoke", path, "xyz"], "8 hex digits")
        expect_exit(1, ["keyring", "revoke", path, "00000000"], "no key 00000000")
        only = key_texts(path)
        check(len(only) == 1, "one key expected")
        kid = [l.split()[1] for l in open(path) if l.startswith("key ")][0]
        expect_exit(1, ["keyring", "revoke", path, kid], "no key that can seal")
        expect_exit(1, ["keyring", "list", os.path.join(d, "missing")], "no such file")
        check(open(path).read() == before, "a failed command changed the keyring")
        os.chmod(path, 0o644)
        expect_exit(1, ["keyring", "list", path], "chmod 600")
        expect_exit(1, ["keyring", "rotate", path], "chmod 600")
        os.chmod(path, 0o600)
        with open(path, "a") as f:
            f.write("garbage line\n")
        corrupt = open(path).read()
        expect_exit(1, ["keyring", "rotate", path], ":")
        check(open(path).read() == corrupt, "rotate rewrote a corrupt keyring")
        check(not [f for f in os.listdir(d) if ".tmp." in f], "temp files left behind")


@case
def revoke_and_prune():
    with tempfile.TemporaryDirectory() as d:
        path = init(d)
        cookie = seal(path, {"n": 1})
        old = [l.split()[1] for l in open(path) if l.startswith("key ")][0]
        ok("keyring", "rotate", path, "--activate-in", "0")
        out = json.loads(ok("open", "--keyring", path, "--name", "session", cookie))
        check(out["meta"]["key_replaced"] is True, "key_replaced not reported")
        ok("keyring", "revoke", path, old)
        expect_exit(12, ["open", "--keyring", path, "--name", "session", cookie], "unknown_key")
        # The revoked key stays listed as a tombstone (no key bytes), and cannot be revoked twice.
        listed = {k["id"]: k for k in json.loads(ok("keyring", "list", path, "--json"))["keys"]}
        check(listed[old]["state"] == "revoked" and listed[old]["removed"], f"tombstone: {listed}")
        check(any(l.startswith(f"revoked {old} ") for l in open(path)), "no revoked line")
        check(f"{old}  revoked" in ok("keyring", "list", path), "list does not say revoked")
        expect_exit(1, ["keyring", "revoke", path, old], "already revoked")
        ok("keyring", "rotate", path, "--activate-in", "0", "--expire-old-in", "0", "--force")
        out = ok("keyring", "prune", path)
        check("removed 1 expired key" in out, out)
        check(len(key_texts(path)) == 1, "prune left expired keys")


@case
def keyring_from_environment():
    with tempfile.TemporaryDirectory() as d:
        path = init(d)
        text = open(path).read()
        cookie = ok("seal", "--name", "session", stdin='{"a": 1}', env={"COOKIESEAL_KEYRING": text}).strip()
        out = json.loads(ok("open", "--name", "session", cookie, env={"COOKIESEAL_KEYRING": text}))
        check(out["values"] == {"a": 1}, "env keyring round trip")
        expect_exit(2, ["open", "--name", "session", cookie], "COOKIESEAL_KEYRING")


@case
def eight_processes_rotating_at_once_lose_no_key():
    with tempfile.TemporaryDirectory() as d:
        path = init(d)
        procs = [subprocess.Popen([CLI, "keyring", "rotate", path], stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE) for _ in range(8)]
        for p in procs:
            check(p.wait(timeout=60) == 0, f"a rotate failed: {p.stderr.read()}")
        check(len(key_texts(path)) == 9, f"want 9 keys, have {len(key_texts(path))}")
        ok("keyring", "list", path)  # still valid
        check(not [f for f in os.listdir(d) if ".tmp." in f], "temp files left behind")


@case
def overflow_store_commands():
    with tempfile.TemporaryDirectory() as d:
        path = init(d)
        store = os.path.join(d, "store")
        os.mkdir(store)
        big = {"notes": "n" * 10000, "user": "alice"}
        cookie = ok("seal", "--keyring", path, "--name", "session", "--store", store,
                    "--full", stdin=json.dumps({"values": big, "subject": "alice"})).strip()
        check(len(cookie) < 400, f"overflow cookie is {len(cookie)} characters")
        out = json.loads(ok("open", "--keyring", path, "--name", "session", "--store", store, cookie))
        check(out["values"] == big, "overflowed values differ")
        expect_exit(17, ["open", "--keyring", path, "--name", "session", cookie],
                    "refers to an overflow entry in a store; give --store")
        stats = ok("store", "stats", store)
        check("entries: 1" in stats and "oldest expiry: 20" in stats, stats)
        check("removed 0" in ok("store", "gc", store), "gc removed a live entry")
        expect_exit(16, ["seal", "--keyring", path, "--name", "session"], "too_large",
                    stdin=json.dumps(big))
        ok("revoke-subject", "--store", store, "alice")
        expect_exit(18, ["open", "--keyring", path, "--name", "session", "--store", store, cookie],
                    "revoked")
        # A login right after holds, even in the same second.
        again = ok("seal", "--keyring", path, "--name", "session", "--store", store, "--full",
                   stdin=json.dumps({"values": {"n": 1}, "subject": "alice"})).strip()
        ok("open", "--keyring", path, "--name", "session", "--store", store, again)
        expect_exit(2, ["revoke-subject", "--store", store, "--max-age", "40000d", "alice"],
                    "longer than 100 years")
        check("revocations: 1" in ok("store", "stats", store), "revocation not counted")
        expect_exit(1, ["store", "stats", os.path.join(d, "nope")], "not a store directory")
        expect_exit(2, ["revoke-subject", "alice"], "--store DIR|URL is required")
        expect_exit(2, ["store", "stats", "rediss://example"], "no TLS")
        expect_exit(3, ["store", "stats", "redis://127.0.0.1:1"], "Connection refused")
        # Nothing in the store directory contains the plaintext.
        for root, _, files in os.walk(store):
            for f in files:
                check(b"nnnnnnnn" not in open(os.path.join(root, f), "rb").read(), "plaintext in store")


@case
def hardening_messages_and_guards():
    with tempfile.TemporaryDirectory() as d:
        # Store URLs never show their password, and the cause is kept (exit 3).
        for args in (["store", "stats", "redis://:hunter2-secret@127.0.0.1:1"],
                     ["revoke-subject", "--store", "redis://user:hunter2-secret@127.0.0.1:1/0", "bob"]):
            rc, out, err = run(*args)
            check(rc == 3, f"{args}: exit {rc} ({err!r})")
            check("hunter2" not in err + out, f"{args}: password printed: {err!r}")
            check("***@127.0.0.1:1" in err and "Connection refused" in err, f"{args}: {err!r}")
        rc, out, err = run("store", "gc", "redis://:hunter2-secret@127.0.0.1:1")
        check(rc == 0 and "Redis expires" in out and "hunter2" not in out + err, f"gc redis: {out!r}")
        # One "cookieseal: " prefix, never two.
        rc, out, err = run("store", "stats", "rediss://example")
        check(rc == 2 and err.startswith("cookieseal: ") and "cookieseal: cookieseal:" not in err, err)
        # A missing directory is named as such.
        expect_exit(1, ["keyring", "init", os.path.join(d, "missing", "dir", "k")],
                    "the directory " + os.path.join(d, "missing", "dir") + " does not exist")
        # A mass logout needs --force; a leak rotation lists pending keys.
        path = init(d)
        expect_exit(2, ["keyring", "rotate", path, "--expire-old-in", "0"], "--force")
        ok("keyring", "rotate", path)  # routine: pending for an hour
        pending = [l.split()[1] for l in open(path) if l.startswith("key ")][-1]
        rc, out, err = run("keyring", "rotate", path, "--activate-in", "0")
        check(rc == 0 and f"key {pending} is still pending" in err and
              f"cookieseal keyring revoke {path} {pending}" in err, f"no pending warning: {err!r}")
        ok("keyring", "rotate", path, "--expire-old-in", "0", "--force", "--activate-in", "1h")
        listed = json.loads(ok("keyring", "list", path, "--json"))
        check(len(listed["keys"]) == 4 and {k["state"] for k in listed["keys"]} >= {"active", "pending"},
              f"list --json: {listed}")
        check(all(len(k["id"]) == 8 for k in listed["keys"]), "ids as hex")
        check(not any(t in json.dumps(listed) for t in key_texts(path)), "key bytes in list --json")
        # open - reads the cookie from stdin (not visible in the process list).
        cookie = seal(path, {"n": 7})
        out = json.loads(ok("open", "--keyring", path, "--name", "session", "-", stdin=cookie + "\n"))
        check(out["values"] == {"n": 7}, "open -")


@case
def redis_store_commands():
    import socket
    server = os.environ["COOKIESEAL_REDIS_SERVER"]
    with tempfile.TemporaryDirectory() as d:
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        sock.close()
        redis = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1", "--dir", d,
                                  "--save", "", "--appendonly", "no", "--loglevel", "warning"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            for _ in range(200):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                    break
                except OSError:
                    time.sleep(0.025)
            url = f"redis://127.0.0.1:{port}/0"
            path = init(d)
            big = {"notes": "n" * 10000}
            cookie = ok("seal", "--keyring", path, "--name", "session", "--store", url,
                        "--full", stdin=json.dumps({"values": big, "subject": "bob"})).strip()
            out = json.loads(ok("open", "--keyring", path, "--name", "session", "--store", url, cookie))
            check(out["values"] == big, "values through Redis differ")
            check("entries: 1" in ok("store", "stats", url), "stats through Redis")
            ok("revoke-subject", "--store", url, "bob")
            expect_exit(18, ["open", "--keyring", path, "--name", "session", "--store", url, cookie],
                        "revoked")
        finally:
            redis.terminate()
            redis.wait(timeout=10)
        expect_exit(17, ["open", "--keyring", path, "--name", "session", "--store", url, cookie],
                    "store_unavailable")


@case
def end_sessions_in_the_future_needs_force():
    """A cut-off in the future refuses every new session until then: --force only."""
    with tempfile.TemporaryDirectory() as d:
        path = init(d)
        before = open(path).read()
        tomorrow = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 86400))
        expect_exit(2, ["keyring", "end-sessions", path, "--before", tomorrow], "--force")
        check(open(path).read() == before, "a refused end-sessions changed the file")
        out = ok("keyring", "end-sessions", path, "--before", tomorrow, "--force")
        check(tomorrow in out and "end-sessions-before " + tomorrow in open(path).read(), out)
        # The past, and the default (now), need no --force.
        ok("keyring", "end-sessions", path, "--before", "2026-01-01T00:00:00Z")
        ok("keyring", "end-sessions", path)
        expect_exit(2, ["keyring", "end-sessions", path, "--force", "--before", "soon"], "bad time")


@case
def inspect_reads_stdin_as_open_does():
    with tempfile.TemporaryDirectory() as d:
        path = init(d)
        cookie = seal(path, {"n": 1})
        direct = ok("inspect", cookie)
        check(ok("inspect", "-", stdin=cookie + "\n") == direct, "inspect - differs from inspect COOKIE")
        expect_exit(10, ["inspect", "-"], "malformed", stdin="garbage!\n")


@case
def open_help_lists_every_exit_code_and_meta_field():
    out = ok("open", "--help")
    codes = ["malformed", "unsupported_version", "unknown_key", "authentication_failed", "expired",
             "invalid_payload", "too_large", "store_unavailable", "revoked", "key_not_loaded",
             "ambiguous"]
    flat = " ".join(out.split())
    for value, name in enumerate(codes, start=1):
        check(f"{9 + value} {name}" in flat, f"open --help lacks exit {9 + value} {name}")
    check("header_truncated, 12," in flat, "open --help does not say why 21 never comes")
    with tempfile.TemporaryDirectory() as d:
        path = init(d)
        opened = json.loads(ok("open", "--keyring", path, "--name", "session", seal(path, {"n": 1})))
        for field in list(opened) + list(opened["meta"]):
            check(field in flat, f"open --help does not name {field}")


@case
def open_prints_valid_utf8_for_any_string_bytes():
    """A C++ session may hold any bytes in a string (a form post of %F8%80%80)."""
    with tempfile.TemporaryDirectory() as d:
        path = init(d)
        key, text = b"item", b"\xf8\x80\x80 \xe2\x82"
        record = (b"\x00" + os.urandom(16) + leb128(int(time.time())) + b"\x00"
                  + b"\x01" + leb128(len(key)) + key + b"\x05" + leb128(len(text)) + text
                  + b"\x00\x00")
        rc, out, err = run("open", "--keyring", path, "--name", "session", forge(path, record))
        check(rc == 0, f"open failed: {err}")
        check(json.loads(out)["values"] == {"item": "\ufffd\ufffd\ufffd \ufffd"}, out)


def main():
    if len(sys.argv) != 3 or sys.argv[2] not in CASES:
        print(f"usage: cli_test.py CLI CASE; cases: {' '.join(CASES)}")
        sys.exit(2)
    CASES[sys.argv[2]]()
    print(f"{sys.argv[2]}: {checks} checks passed")


if __name__ == "__main__":
    main()
