#!/usr/bin/python3
"""Python: seal and open of the typical fixture through the cookieseal binding,
against Flask's own SecureCookieSessionInterface (itsdangerous: signed, not
encrypted) and against the raw C++ codec (bench_codec, run in the same
invocation); then a whole request's session (open, one change, save) through
cookieseal.flask.CookiesealSessionInterface against Flask's own, and through
cookieseal.starlette.SessionMiddleware against Starlette's (an ASGI call loop,
no network), interleaved in the same run. Prints bench/README.md's Python tables.

Usage: bench_python.py FIXTURES_DIR BENCH_CODEC_BINARY   (COOKIESEAL_LIBRARY as for the tests)
"""
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import timeit

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "bindings", "python"))

import cookieseal  # noqa: E402
import flask  # noqa: E402
from flask import Flask  # noqa: E402
from flask.sessions import SecureCookieSessionInterface  # noqa: E402

REPEATS = 5
ROUNDS = 7  # framework comparisons: interleaved rounds, the median ratio reported


def per_op_ns(fn, number):
    """Median over REPEATS of the mean time of @number calls, in ns."""
    runs = timeit.repeat(fn, number=number, repeat=REPEATS)
    return statistics.median(runs) / number * 1e9


def keyring_file(directory):
    import base64
    when = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 3600))
    key = base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")
    path = os.path.join(directory, "keyring")
    with open(path, "w") as f:
        f.write(f"cookieseal-keyring 1\nkey 9f3a01c2 {when} {when} never {key}\n")
    os.chmod(path, 0o600)
    return path


def cpp_medians(bench_codec, fixtures):
    out = subprocess.run(
        [bench_codec, "--benchmark_filter=^BM_(seal|open)/0$", "--benchmark_repetitions=5",
         "--benchmark_report_aggregates_only=true", "--benchmark_min_time=0.5",
         "--benchmark_format=json"],
        env=dict(os.environ, COOKIESEAL_BENCH_FIXTURES=fixtures), capture_output=True, text=True,
        check=True)
    medians = {}
    for b in json.loads(out.stdout)["benchmarks"]:
        if b.get("aggregate_name") == "median":
            medians[b["run_name"].split("/")[0]] = b["real_time"]
    return medians["BM_seal"], medians["BM_open"]


def flask_request_loops(keyring, values):
    """Per interface, a function running @number whole requests' sessions: the
    request's Cookie header opened, one change, saved into a fresh response."""
    from flask.wrappers import Response
    from werkzeug.test import EnvironBuilder

    import cookieseal.flask

    loops = {}
    for label, interface in (("cookieseal", cookieseal.flask.CookiesealSessionInterface(keyring)),
                             ("flask", SecureCookieSessionInterface())):
        app = Flask(__name__)
        app.secret_key = os.urandom(32)
        app.config.update(SESSION_COOKIE_NAME="__Host-session", SESSION_COOKIE_SECURE=True,
                          SESSION_COOKIE_SAMESITE="Lax")
        app.session_interface = interface
        with app.test_request_context("/"):  # the cookie of the typical fixture
            session = interface.open_session(app, Flask.request_class(EnvironBuilder().get_environ()))
            session.update(values)
            response = Response()
            interface.save_session(app, session, response)
        cookie = response.headers["Set-Cookie"].split(";", 1)[0]
        request = Flask.request_class(EnvironBuilder(headers={"Cookie": cookie}).get_environ())
        assert dict(interface.open_session(app, request)) == values

        def loop(number, app=app, interface=interface, request=request):
            for _ in range(number):
                session = interface.open_session(app, request)
                session["visits"] = session.get("visits", 0) + 1
                response = Response()
                interface.save_session(app, session, response)
            assert "Set-Cookie" in response.headers
        loops[label] = loop
    return loops


def starlette_request_loops(keyring, values):
    """Per middleware, an async function running @number ASGI requests through it
    to an app that reads the session and changes one value."""
    from starlette.middleware.sessions import SessionMiddleware as StarletteSessions

    import cookieseal.starlette

    async def app(scope, receive, send):
        scope["session"]["visits"] = scope["session"].get("visits", 0) + 1
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": b"ok"})

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    loops = {}
    secret = os.urandom(16).hex()
    for label, middleware in (
            ("cookieseal", cookieseal.starlette.SessionMiddleware(app, keyring)),
            ("starlette", StarletteSessions(app, secret_key=secret))):
        # The typical fixture's cookie, as each sets it.
        async def seed(scope, receive, send):
            scope["session"].update(values)
            await app(scope, receive, send)
        seeding = (cookieseal.starlette.SessionMiddleware(seed, codec=middleware.codec)
                   if label == "cookieseal" else
                   StarletteSessions(seed, secret_key=secret))
        sent = []

        async def keep(message):
            sent.append(message)

        def scope(cookie=None):
            headers = [(b"host", b"testserver")] + ([(b"cookie", cookie)] if cookie else [])
            return {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
                    "method": "GET", "scheme": "http", "path": "/", "raw_path": b"/",
                    "query_string": b"", "root_path": "", "headers": headers,
                    "client": ("127.0.0.1", 1234), "server": ("testserver", 80)}
        asyncio.run(seeding(scope(), receive, keep))
        cookie = dict(sent[0]["headers"])[b"set-cookie"].split(b";", 1)[0]

        async def loop(number, middleware=middleware, cookie=cookie, scope=scope):
            out = []

            async def send(message):
                out.append(message)
            for _ in range(number):
                out.clear()
                await middleware(scope(cookie), receive, send)
            assert b"set-cookie" in dict(out[0]["headers"])
        loops[label] = loop
    return loops


def compare(loops, number, run=lambda loop, n: loop(n)):
    """Interleaved rounds of each loop: per round the ns per request of each and
    their ratio (first / second); the medians over ROUNDS."""
    (a, fa), (b, fb) = loops.items()
    times, ratios = {a: [], b: []}, []
    for _ in range(ROUNDS):
        round_ns = {}
        for label, loop in ((a, fa), (b, fb)):
            start = time.perf_counter()
            run(loop, number)
            round_ns[label] = (time.perf_counter() - start) / number * 1e9
            times[label].append(round_ns[label])
        ratios.append(round_ns[a] / round_ns[b])
    return (statistics.median(times[a]), statistics.median(times[b]), statistics.median(ratios),
            min(ratios), max(ratios))


def main():
    fixtures, bench_codec = sys.argv[1], sys.argv[2]
    values = json.load(open(os.path.join(fixtures, "typical.json")))
    with tempfile.TemporaryDirectory() as d:
        keyring = keyring_file(d)
        codec = cookieseal.SessionManager(cookieseal.Codec(keyring))
        full = {"values": values}
        cookie = codec.seal(full)
        assert codec.open(cookie)["values"] == values

        def request_path():  # what a web framework does per request with a cookie
            with codec.request("__Host-session=" + cookie) as r:
                r.session["visits"] = 1
                r.save()

        app = Flask(__name__)
        app.secret_key = os.urandom(32)
        signer = SecureCookieSessionInterface().get_signing_serializer(app)
        flask_cookie = signer.dumps(values)
        assert signer.loads(flask_cookie) == values

        n = 20000
        seal_ns = per_op_ns(lambda: codec.seal(full), n)
        open_ns = per_op_ns(lambda: codec.open(cookie), n)
        request_ns = per_op_ns(request_path, n // 4)
        flask_seal_ns = per_op_ns(lambda: signer.dumps(values), n)
        flask_open_ns = per_op_ns(lambda: signer.loads(flask_cookie), n)
        codec.codec.close()
        flask_cmp = compare(flask_request_loops(keyring, values), 2000)
        runner = asyncio.new_event_loop()
        starlette_cmp = compare(starlette_request_loops(keyring, values), 2000,
                                lambda loop, n: runner.run_until_complete(loop(n)))
        runner.close()
    cpp_seal_ns, cpp_open_ns = cpp_medians(bench_codec, fixtures)

    print(f"Python {sys.version.split()[0]}, Flask's SecureCookieSessionInterface (itsdangerous, "
          f"HMAC-SHA1 signed, not encrypted); medians of {REPEATS} runs.\n")
    print("| typical fixture | cookieseal (Python binding) ns | Flask signed cookie ns | "
          "binding / Flask | raw C++ codec ns | binding / C++ | cookie chars (cookieseal / Flask) |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    print(f"| seal | {seal_ns:.0f} | {flask_seal_ns:.0f} | {seal_ns / flask_seal_ns:.2f}x | "
          f"{cpp_seal_ns:.0f} | {seal_ns / cpp_seal_ns:.1f}x | {len(cookie)} / {len(flask_cookie)} |")
    print(f"| open | {open_ns:.0f} | {flask_open_ns:.0f} | {open_ns / flask_open_ns:.2f}x | "
          f"{cpp_open_ns:.0f} | {open_ns / cpp_open_ns:.1f}x | |")
    print(f"\nA whole request through the binding (request from the Cookie header, one change, "
          f"save with a re-seal): {request_ns:.0f} ns.")
    import starlette
    print(f"\nA whole request's session (the Cookie header opened, one change, saved into the "
          f"response), Flask {flask.__version__} and Starlette {starlette.__version__}; medians of "
          f"{ROUNDS} interleaved rounds of 2,000 requests (the ratio: the median of the rounds' "
          f"ratios, then the lowest and highest):\n")
    print("| framework | cookieseal ns | framework's own ns | cookieseal / own | range |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, (ours, theirs, ratio, low, high) in (
            ("Flask session interface", flask_cmp), ("Starlette SessionMiddleware", starlette_cmp)):
        print(f"| {name} | {ours:.0f} | {theirs:.0f} | {ratio:.2f}x | {low:.2f}x–{high:.2f}x |")


if __name__ == "__main__":
    main()
