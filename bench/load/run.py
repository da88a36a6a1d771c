#!/usr/bin/python3
"""Load through real servers: wrk against the C++ shop (cpp-httplib), the Flask
example under gunicorn, the Go example (net/http) and the Node.js shop
(Express), and beside each of the last three the same framework serving its
own sessions (Flask's signed cookie, gorilla/sessions' CookieStore,
iron-session on Express), in one run. Prints bench/README.md's load tables.

For each server: a fresh visitor (GET /, a new session sealed each time), a
logged-in inline session and an overflowed one (GET /api/state: open, and the
store read for the overflow), with and without revocation checks, on the file
store and on Redis, at 1 and 50 connections.

Usage: run.py BUILD_DIR [--seconds N] [--repeat N] [--servers cpp,flask,go,node]
  BUILD_DIR holds examples/cookieseal-shop, tools/cookieseal and
  lib/libcookieseal-c.so.1 (a --buildtype=release tree for figures); for node,
  bindings/node npm ci'd with its addon built against BUILD_DIR. Ports:
  free ones on 127.0.0.1, taken from COOKIESEAL_LOAD_PORTS=FIRST-LAST when set.
"""
import argparse
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
COOKIE = "__Host-session"
CONNECTIONS = (1, 50)
CART_ITEMS = 30  # 30 items of 198 chars: about 6 KB, past the 4 KB cookie limit


_handed_out = set()


def free_port():
    """A port free on 127.0.0.1 and not handed out before (the OS's, or from the range)."""
    first, _, last = os.environ.get("COOKIESEAL_LOAD_PORTS", "0-0").partition("-")
    for port in range(int(first), int(last or first) + 1):
        if port in _handed_out:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            port = s.getsockname()[1]
        _handed_out.add(port)
        return port
    raise SystemExit(f"no free port in COOKIESEAL_LOAD_PORTS={first}-{last}")


def wait_for(port, proc, what):
    for _ in range(200):
        if proc.poll() is not None:
            raise SystemExit(f"{what} exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.1):
                return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"{what} did not listen on {port}")


def request(port, method, path, cookie=None, form=None):
    """One request; returns (status, the session cookie's new value or None)."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Cookie": f"{COOKIE}={cookie}"} if cookie else {}
    body = None
    if form is not None:
        body = urllib.parse.urlencode(form)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    c.request(method, path, body=body, headers=headers)
    r = c.getresponse()
    r.read()
    value = None
    for name, v in r.getheaders():
        if name.lower() == "set-cookie" and v.startswith(COOKIE + "="):
            value = v.split(";", 1)[0].split("=", 1)[1]
    c.close()
    return r.status, value


def logged_in(port, cart_items=0):
    """A session cookie logged in as alice, with @p cart_items items of 198 chars."""
    status, cookie = request(port, "POST", "/login", form={"user": "alice"})
    if status != 303 or not cookie:
        raise SystemExit(f"login on port {port}: status {status}, cookie {cookie!r}")
    for i in range(cart_items):
        status, new = request(port, "POST", "/cart/add", cookie, {"item": f"item-{i:02d}-" + "0" * 190})
        if status != 303:
            raise SystemExit(f"cart/add on port {port}: status {status}")
        cookie = new or cookie
    return cookie


def wrk(port, path, cookie, connections, seconds, repeat=1):
    """The run of @p repeat with the median requests/s (the machine may be shared)."""
    runs = sorted((wrk_once(port, path, cookie, connections, seconds) for _ in range(repeat)),
                  key=lambda r: r["rps"])
    return runs[len(runs) // 2]


def wrk_once(port, path, cookie, connections, seconds):
    cmd = ["wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s",
           "-s", os.path.join(HERE, "report.lua")]
    if cookie:
        cmd += ["-H", f"Cookie: {COOKIE}={cookie}"]
    out = subprocess.run(cmd + [f"http://127.0.0.1:{port}{path}"], check=True, capture_output=True,
                         text=True).stdout
    r = json.loads(out.strip().splitlines()[-1])
    r["rps"] = r["requests"] / r["seconds"]
    return r


def warm_up(port):
    """A second of load before measuring: every worker started (gunicorn boots its
    workers lazily), the threads and store connections in place."""
    subprocess.run(["wrk", "-t2", "-c50", "-d1s", f"http://127.0.0.1:{port}/api/state"], check=True,
                   stdout=subprocess.DEVNULL)


class Processes:
    """Servers started by this run, stopped (and waited for) on exit."""

    def __init__(self):
        self.procs = []

    def start(self, cmd, port, what, env=None, log=None, warm=False):
        p = subprocess.Popen(cmd, env=env, stdout=log or subprocess.DEVNULL, stderr=subprocess.STDOUT)
        self.procs.append(p)
        wait_for(port, p, what)
        if warm:
            warm_up(port)
        return p

    def stop(self, p):
        p.terminate()
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
        self.procs.remove(p)

    def stop_all(self):
        for p in list(self.procs):
            self.stop(p)


def keyring_file(build, directory):
    path = os.path.join(directory, "keyring")
    subprocess.run([os.path.join(build, "tools", "cookieseal"), "keyring", "init", path], check=True,
                   stdout=subprocess.DEVNULL)
    return path


def cookieseal_rows(start, figures, stores):
    """The cookieseal server's rows: start(store, revocation) -> (port, stop);
    figures(port, path, cookie) -> one wrk result per count of CONNECTIONS."""
    rows = {}

    def measure(key, label, port, path, cookie):
        rows[key] = (label, figures(port, path, cookie))

    for store_name, store in stores:
        for revocation in (False, True):
            port, stop = start(store, revocation)
            checks = "revocation checks" if revocation else "no revocation checks"
            if store_name == "file" and not revocation:
                measure((0,), "fresh visitor (GET /, a new session sealed)", port, "/", None)
                measure((1,), "logged in, inline, no revocation checks", port, "/api/state",
                        logged_in(port))
            if revocation:
                measure((2, store_name), f"logged in, inline, revocation checks in {store_name}",
                        port, "/api/state", logged_in(port))
            measure((3, store_name, revocation), f"logged in, overflowed to {store_name}, {checks}",
                    port, "/api/state", logged_in(port, CART_ITEMS))
            stop()
    order = [(0,), (1,)] + [(2, n) for n, _ in stores] + \
        [(3, n, r) for n, _ in stores for r in (False, True)]
    return [rows[k] for k in order]


def table(title, rows, peer=None):
    """A markdown table; @p peer: {row label's first words: the peer's runs} for ratio columns."""
    head = f"| {title} | 1 conn req/s | p50 ms | p99 ms | 50 conns req/s | p50 ms | p99 ms |"
    print(head + (" req/s vs the framework's own (1 / 50 conns) |" if peer else ""))
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |" + (" ---: |" if peer else ""))
    for label, runs in rows:
        cells = []
        for r in runs:
            bad = f" ({r['bad_status']} bad status, {r['socket_errors']} socket errors)" \
                if r["bad_status"] or r["socket_errors"] else ""
            cells += [f"{r['rps']:,.0f}{bad}", f"{r['p50_us'] / 1000:.2f}", f"{r['p99_us'] / 1000:.2f}"]
        ratio = ""
        if peer:
            ref = peer.get(label.split(",")[0].split(" (")[0])
            ratio = " " + " / ".join(f"{a['rps'] / b['rps']:.2f}x" for a, b in zip(runs, ref)) + " |" \
                if ref else " |"
        print("| " + label + " | " + " | ".join(cells) + " |" + ratio)
    print()


def compare(framework, own_sessions, start_own, start_cookieseal, figures, stores):
    """A framework's own sessions, then cookieseal's on it, in one run: start_own() and
    start_cookieseal(store, revocation) -> (port, stop)."""
    port, stop = start_own()
    own = [("fresh visitor (GET /, a new session sealed)", figures(port, "/", None)),
           ("logged in", figures(port, "/api/state", logged_in(port)))]
    stop()
    rows = cookieseal_rows(start_cookieseal, figures, stores)
    table(f"{framework}, {own_sessions}, GET", own)
    table(f"{framework}, cookieseal sessions, GET", rows,
          {"fresh visitor": own[0][1], "logged in": own[1][1]})


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("build")
    p.add_argument("--seconds", type=int, default=5)
    p.add_argument("--repeat", type=int, default=1, help="runs per figure; the median is shown")
    p.add_argument("--servers", default="cpp,flask,go,node")
    args = p.parse_args()
    build = os.path.abspath(args.build)
    servers = args.servers.split(",")
    for tool in ("wrk", "redis-server") + (("go",) if "go" in servers else ()) + \
            (("node",) if "node" in servers else ()):
        if not shutil.which(tool):
            raise SystemExit(f"{tool} is missing: scripts/deps.sh installs it")

    def figures(port, path, cookie):
        return [wrk(port, path, cookie, c, args.seconds, args.repeat) for c in CONNECTIONS]

    work = tempfile.mkdtemp(prefix="cookieseal-load-")
    procs = Processes()
    try:
        rport = free_port()
        procs.start(["redis-server", "--port", str(rport), "--bind", "127.0.0.1", "--dir", work,
                     "--save", "", "--appendonly", "no", "--loglevel", "warning"], rport, "redis-server")
        stores = [("file", os.path.join(work, "store")), ("Redis", f"redis://127.0.0.1:{rport}")]
        os.makedirs(stores[0][1])
        log = open(os.path.join(work, "servers.log"), "w")
        cores = os.cpu_count() or 1
        print(f"Machine: {cores} CPUs; wrk ({min(2, max(CONNECTIONS))} threads) on the same machine; "
              f"{args.seconds} s per run, the median of {args.repeat} run(s) per figure.\n")

        if "cpp" in servers:
            state = os.path.join(work, "shop")

            def start_shop(store, revocation):
                port = free_port()
                cmd = [os.path.join(build, "examples", "cookieseal-shop"), "--port", str(port),
                       "--state", state, "--store", store]
                proc = procs.start(cmd + ([] if revocation else ["--no-revocation"]), port,
                                   "cookieseal-shop", log=log, warm=True)
                return port, lambda: procs.stop(proc)

            table("C++ shop (cpp-httplib), GET", cookieseal_rows(start_shop, figures, stores))

        if "flask" in servers:
            keyring = keyring_file(build, work)
            workers = 2 * cores + 1  # gunicorn's documented starting point
            env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "bindings", "python"),
                       COOKIESEAL_LIBRARY=os.path.join(build, "lib", "libcookieseal-c.so.1"))

            def gunicorn(app_dir, factory):
                port = free_port()
                proc = procs.start(["/usr/bin/python3", "-m", "gunicorn", "--workers", str(workers),
                                    "--bind", f"127.0.0.1:{port}",
                                    "--chdir", app_dir, factory], port, "gunicorn", env=env, log=log,
                                   warm=True)
                return port, lambda: procs.stop(proc)

            def start_flask(store, revocation):
                return gunicorn(os.path.join(ROOT, "examples"),
                                f"flask_app:create_app({keyring!r}, {store!r}, "
                                f"store_revocations={revocation})")

            print(f"Flask under gunicorn, {workers} sync workers.\n")
            compare("Flask", "Flask's own SecureCookieSession",
                    lambda: gunicorn(HERE, "flask_own_sessions:create_app()"), start_flask, figures,
                    stores)

        if "go" in servers:
            subprocess.run([os.path.join(HERE, "build_go.sh"), build], check=True)
            keyring = keyring_file(build, work) if not os.path.exists(os.path.join(work, "keyring")) \
                else os.path.join(work, "keyring")

            def go_server(name, *flags):
                port = free_port()
                proc = procs.start([os.path.join(build, "bench-load", name), "-port", str(port), *flags],
                                   port, name, log=log, warm=True)
                return port, lambda: procs.stop(proc)

            def start_go(store, revocation):
                return go_server("go-shop", "-keyring", keyring, "-store", store,
                                 *([] if revocation else ["-no-revocation"]))

            compare("Go net/http", "gorilla/sessions' CookieStore", lambda: go_server("gorilla-peer"),
                    start_go, figures, stores)

        if "node" in servers:
            node_dir = os.path.join(ROOT, "bindings", "node")
            if not os.path.exists(os.path.join(node_dir, "build", "Release", "cookieseal.node")):
                raise SystemExit("bindings/node is not built: npm ci there (bench/run.sh does)")
            keyring = os.path.join(work, "keyring")
            if not os.path.exists(keyring):
                keyring_file(build, work)

            def node_server(script, *flags):
                port = free_port()
                proc = procs.start(["node", script, "--port", str(port), *flags], port, "node", log=log,
                                   warm=True)
                return port, lambda: procs.stop(proc)

            def start_node(store, revocation):
                return node_server(os.path.join(node_dir, "examples", "shop.js"), "--keyring", keyring,
                                   "--store", store, *([] if revocation else ["--no-revocation"]))

            print(f"Node.js {subprocess.run(['node', '--version'], capture_output=True, text=True).stdout.strip()}, "
                  "one process each.\n")
            compare("Express", "iron-session", lambda: node_server(os.path.join(HERE, "express_own_sessions.js")),
                    start_node, figures, stores)
    finally:
        procs.stop_all()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
