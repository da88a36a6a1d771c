#!/usr/bin/python3
"""Faults under load: the C++ shop, the Flask example under gunicorn, the Go
example server (examples/go_app/cmd/go-shop) or the Node.js shop on Express
(bindings/node/examples/shop.js), all serving the same routes, on a
real redis-server (overflow and revocation store) under wrk, with
redis-server paused (SIGSTOP) for a few seconds a third of the way in and the
keyring rotated (--activate-in 0) two thirds in. Counts every response by
status and checks:

- every response is a success or a 503, and a 503 only while Redis is paused
  (or within SLACK seconds of its return);
- no response clears a cookie, a 503 sets none, and a read (GET /api/state)
  sets one only after the rotation (the session re-sealed under the new key);
- each stateful client's session stays whole throughout (user, visits, cart,
  never refused, never new) and opens whole afterwards, sealed by the new key.

Usage: load_faults.py SHOP REDIS_SERVER COOKIESEAL_CLI [--seconds 15] [--pause 3]
       load_faults.py --flask LIBCOOKIESEAL_C REDIS_SERVER COOKIESEAL_CLI [...]
       (the Flask example from examples/, the binding from bindings/python)
       load_faults.py --go GO_SHOP REDIS_SERVER COOKIESEAL_CLI [...]
       (go-shop built from examples/go_app: bindings/go/test.sh runs this)
       load_faults.py --node SHOP_JS REDIS_SERVER COOKIESEAL_CLI [...]
       (shop.js with bindings/node built: bindings/node/test.sh runs this)
(CI runs the short form; bench/README.md reports a 60 s run with a 5 s pause.)
"""
import argparse
import base64
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
COOKIE = "__Host-session"
# Seconds after SIGCONT in which a 503 still counts as the pause's: a request in
# flight then may still time out (500 ms per Redis command, a few per request).
SLACK = 2.0
BIG_ITEM = "0" * 190  # 30 of these overflow the cookie into Redis


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port, proc, what):
    for _ in range(200):
        if proc.poll() is not None:
            sys.exit(f"FAIL: {what} exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.1):
                return
        except OSError:
            time.sleep(0.05)
    sys.exit(f"FAIL: {what} did not listen on {port}")


class Client:
    """One browser: a keep-alive connection and its session cookie."""

    def __init__(self, port):
        self.port, self.cookie, self.conn = port, None, None

    def request(self, method, path, form=None):
        """(status, body, [Set-Cookie values for the session]); keeps the jar."""
        headers = {"Cookie": f"{COOKIE}={self.cookie}"} if self.cookie else {}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (0, 1):  # a keep-alive connection the server closed: once more
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
            try:
                self.conn.request(method, path, body=body, headers=headers)
                r = self.conn.getresponse()
                data = r.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()
                self.conn = None
                if attempt:
                    raise
        cookies = [v for k, v in r.getheaders()
                   if k.lower() == "set-cookie" and v.startswith(COOKIE + "=")]
        if r.getheader("Connection", "").lower() == "close":
            self.conn.close()
            self.conn = None
        return r.status, data, cookies


def cookie_value(set_cookie):
    return set_cookie.split(";", 1)[0].split("=", 1)[1]


def key_id(cookie):
    raw = base64.urlsafe_b64decode(cookie[:8] + "=" * (-len(cookie[:8]) % 4))
    return raw[1:5].hex()


class Verifier(threading.Thread):
    """A logged-in user who keeps visiting (GET /: visits + 1, a re-seal) and
    reading back (GET /api/state), checking the session after every step."""

    def __init__(self, port, user, cart_items, stop_at, window):
        super().__init__(daemon=True)
        self.client = Client(port)
        self.user, self.cart_items, self.stop_at, self.window = user, cart_items, stop_at, window
        self.visits = 0
        self.counts = {}
        self.failures = []

    def fail(self, what):
        self.failures.append(f"{self.user}: {what}")

    def login(self):
        c = self.client
        status, _, cookies = c.request("POST", "/login", {"user": self.user})
        assert status == 303 and cookies, f"login: {status}"
        c.cookie = cookie_value(cookies[-1])
        for i in range(self.cart_items):
            status, _, cookies = c.request("POST", "/cart/add", {"item": f"item-{i:02d}-{BIG_ITEM}"})
            assert status == 303, f"cart/add: {status}"
            c.cookie = cookie_value(cookies[-1]) if cookies else c.cookie

    def step(self, path):
        started = time.time()
        status, body, cookies = self.client.request("GET", path)
        ended = time.time()
        self.counts[status] = self.counts.get(status, 0) + 1
        if status == 503:
            if cookies:
                self.fail(f"a 503 on {path} set a cookie")
            if not self.window.overlaps(started, ended):
                self.fail(f"a 503 on {path} outside the pause ({started:.3f}-{ended:.3f})")
            return None
        if status != 200:
            self.fail(f"{path}: status {status}")
            return None
        for c in cookies:
            value = cookie_value(c)
            if not value or "max-age=0" in c.lower():
                self.fail(f"{path} cleared the cookie: {c[:60]}")
            else:
                self.client.cookie = value
        return body, cookies

    def check_state(self):
        got = self.step("/api/state")
        if got is None:
            return
        body, cookies = got
        if cookies and not self.window.rotated_before(time.time()):
            self.fail("a read (/api/state) set a cookie before the rotation")
        s = json.loads(body)
        want = {"user": self.user, "visits": self.visits, "cart_items": self.cart_items,
                "new": False, "refused": ""}
        have = {k: s.get(k) for k in want}
        if have != want:
            self.fail(f"session not whole: {have}, want {want}")

    def run(self):
        try:
            while time.time() < self.stop_at and len(self.failures) < 5:
                got = self.step("/")
                if got is not None:
                    if not got[1]:
                        self.fail("a visit (GET /) set no cookie")
                    self.visits += 1
                self.check_state()
        except Exception as e:  # a socket error is a failure too, never a crash
            self.fail(f"{type(e).__name__}: {e}")


class Window:
    """When Redis was paused ([stopped, resumed + SLACK]) and the keyring rotated."""

    def __init__(self):
        self.stopped = self.resumed = self.rotated = None

    def rotated_before(self, when):
        return self.rotated is not None and self.rotated <= when

    def overlaps(self, start, end):
        if self.stopped is None:
            return False
        resumed = self.resumed if self.resumed is not None else time.time()
        return start <= resumed + SLACK and end >= self.stopped

    def covers_second(self, second):
        return self.stopped is not None and int(self.stopped) <= second <= int(self.resumed + SLACK)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("shop", help="the cookieseal-shop binary; with --flask libcookieseal-c.so.1, "
                   "with --go the go-shop binary, with --node examples/shop.js")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--flask", action="store_true", help="the Flask example under gunicorn")
    mode.add_argument("--go", action="store_true", help="the Go example server (go-shop)")
    mode.add_argument("--node", action="store_true", help="the Node.js shop on Express")
    p.add_argument("redis_server")
    p.add_argument("cli")
    p.add_argument("--seconds", type=float, default=15)
    p.add_argument("--pause", type=float, default=3)
    args = p.parse_args()
    if not shutil.which("wrk"):
        sys.exit("FAIL: wrk is missing (scripts/deps.sh installs it)")
    work = tempfile.mkdtemp(prefix="cookieseal-load-faults-")
    procs = []
    redis = None
    try:
        rport, port = free_port(), free_port()
        redis = subprocess.Popen([args.redis_server, "--port", str(rport), "--bind", "127.0.0.1",
                                  "--dir", work, "--save", "", "--appendonly", "no",
                                  "--loglevel", "warning"], stdout=subprocess.DEVNULL,
                                 stderr=subprocess.STDOUT)
        procs.append(redis)
        wait_for(rport, redis, "redis-server")
        app_log = open(os.path.join(work, "app.log"), "w")
        store = f"redis://127.0.0.1:{rport}"
        keyring = os.path.join(work, "state", "keyring")
        if args.flask or args.go or args.node:
            os.makedirs(os.path.dirname(keyring))
            subprocess.run([args.cli, "keyring", "init", keyring], check=True, stdout=subprocess.DEVNULL)
        if args.go:
            env = None
            cmd = [os.path.abspath(args.shop), "-port", str(port), "-keyring", keyring, "-store", store]
        elif args.node:
            env = None
            cmd = ["node", os.path.abspath(args.shop), "--port", str(port), "--keyring", keyring,
                   "--store", store, "--framework", "express"]
        elif args.flask:
            root = os.path.dirname(os.path.dirname(HERE))
            env = dict(os.environ, PYTHONPATH=os.path.join(root, "bindings", "python"),
                       COOKIESEAL_LIBRARY=os.path.abspath(args.shop))
            cmd = ["/usr/bin/python3", "-m", "gunicorn", "--workers", "3", "--bind", f"127.0.0.1:{port}",
                   "--chdir", os.path.join(root, "examples"), f"flask_app:create_app({keyring!r}, {store!r})"]
        else:
            env = None
            cmd = [args.shop, "--port", str(port), "--state", os.path.dirname(keyring), "--store", store]
        server = subprocess.Popen(cmd, env=env, stdout=app_log, stderr=subprocess.STDOUT)
        procs.append(server)
        wait_for(port, server, "the server")

        window = Window()
        start = time.time()
        stop_at = start + args.seconds
        users = [Verifier(port, f"user{i}", 30 if i % 2 else 0, stop_at, window) for i in range(4)]
        for u in users:
            u.login()
        # wrk: logged-in readers (inline and overflowed) and fresh visitors.
        streams = {}
        for name, cart in (("inline reader", 0), ("overflowed reader", 30), ("fresh visitor", None)):
            cookie = None
            path = "/"
            if cart is not None:
                v = Verifier(port, f"wrk-{cart}", cart, 0, window)
                v.login()
                cookie, path = v.client.cookie, "/api/state"
            cmd = ["wrk", "-t1", "-c16", f"-d{int(args.seconds)}s", "--timeout", "5s",
                   "-s", os.path.join(HERE, "count_responses.lua")]
            if cookie:
                cmd += ["-H", f"Cookie: {COOKIE}={cookie}"]
            streams[name] = subprocess.Popen(cmd + [f"http://127.0.0.1:{port}{path}"],
                                             stdout=subprocess.PIPE, text=True)
            procs.append(streams[name])
        for u in users:
            u.start()

        time.sleep(max(0.0, start + args.seconds / 3 - time.time()))
        window.stopped = time.time()
        redis.send_signal(signal.SIGSTOP)
        time.sleep(args.pause)
        redis.send_signal(signal.SIGCONT)
        window.resumed = time.time()
        time.sleep(max(0.0, start + 2 * args.seconds / 3 - time.time()))
        window.rotated = time.time()
        subprocess.run([args.cli, "keyring", "rotate", keyring, "--activate-in", "0"], check=True,
                       stdout=subprocess.DEVNULL)
        keys = json.loads(subprocess.run([args.cli, "keyring", "list", keyring, "--json"], check=True,
                                         capture_output=True, text=True).stdout)["keys"]
        new_key = [k["id"] for k in keys if k["state"] == "active"][0]

        failures = []
        unavailable = 0  # 503s seen, by wrk and the clients
        for u in users:
            u.join(args.seconds + 30)
        print(f"Redis paused {window.resumed - window.stopped:.1f} s from "
              f"t={window.stopped - start:.1f} s; keyring rotated to {new_key} at "
              f"t={2 * args.seconds / 3:.1f} s; {args.seconds:.0f} s of load")
        for name, proc in streams.items():
            out, _ = proc.communicate(timeout=args.seconds + 30)
            counts = json.loads(out.strip().splitlines()[-1])
            if proc.returncode != 0:
                failures.append(f"wrk {name}: exit {proc.returncode}")
            by_status = {}
            for key, n in counts.items():
                if key == "socket_errors":
                    if n:
                        failures.append(f"wrk {name}: {n} socket errors")
                    continue
                status, _, rest = key.partition("@")
                second = int(rest.split("+")[0])
                by_status[status] = by_status.get(status, 0) + n
                unavailable += n if status == "503" else 0
                if "+cleared" in rest:
                    failures.append(f"wrk {name}: {n} responses cleared the cookie")
                if status == "503":
                    if not window.covers_second(second):
                        failures.append(f"wrk {name}: {n} 503s at t={second - start:.0f} s, "
                                        "outside the pause")
                    if "+cookie" in rest:
                        failures.append(f"wrk {name}: {n} 503s set a cookie")
                elif status == "200":
                    # A reader's cookie is re-sealed once the key that sealed it is replaced.
                    resealed = second >= int(window.rotated)
                    if name == "fresh visitor" and "+cookie" not in rest:
                        failures.append(f"wrk {name}: {n} responses set no cookie")
                    elif name != "fresh visitor" and "+cookie" in rest and not resealed:
                        failures.append(f"wrk {name}: {n} reads set a cookie at "
                                        f"t={second - start:.0f} s, before the rotation")
                else:
                    failures.append(f"wrk {name}: {n} responses with status {status}")
            print(f"wrk {name} (16 connections): "
                  + ", ".join(f"{s}: {n}" for s, n in sorted(by_status.items())))
        for u in users:
            print(f"{u.user} ({'overflowed' if u.cart_items else 'inline'}, {u.visits} visits): "
                  + ", ".join(f"{s}: {n}" for s, n in sorted(u.counts.items())))
            # Afterwards: the session opens whole, sealed by the rotated-in key.
            u.check_state()
            failures += u.failures
            if key_id(u.client.cookie) != new_key:
                failures.append(f"{u.user}: last cookie sealed by {key_id(u.client.cookie)}, "
                                f"not the new key {new_key}")
        for u in users:
            if u.counts.get(200, 0) == 0:
                failures.append(f"{u.user}: no successful request")
        unavailable += sum(u.counts.get(503, 0) for u in users)
        if unavailable == 0:
            failures.append("no 503 during the pause: the fault was not exercised")
        if failures:
            print("FAIL:\n  " + "\n  ".join(failures[:40]))
            app_log.flush()
            with open(os.path.join(work, "app.log")) as f:
                print("--- app log (last lines):\n" + "".join(f.readlines()[-20:]))
            return 1
        print("load with faults: every response a success or a 503 in the pause; no cookie "
              "cleared or overwritten; every session whole")
        return 0
    finally:
        if redis is not None:
            redis.send_signal(signal.SIGCONT)
        for proc in procs:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
