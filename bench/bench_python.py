#!/usr/bin/python3
"""Python: seal and open of the typical fixture through the cookieseal binding,
against Flask's own SecureCookieSessionInterface (itsdangerous: signed, not
encrypted) and against the raw C++ codec (bench_codec, run in the same
invocation). Prints bench/README.md's Python table.

Usage: bench_python.py FIXTURES_DIR BENCH_CODEC_BINARY   (COOKIESEAL_LIBRARY as for the tests)
"""
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
from flask import Flask  # noqa: E402
from flask.sessions import SecureCookieSessionInterface  # noqa: E402

REPEATS = 5


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


def main():
    fixtures, bench_codec = sys.argv[1], sys.argv[2]
    values = json.load(open(os.path.join(fixtures, "typical.json")))
    with tempfile.TemporaryDirectory() as d:
        codec = cookieseal.SessionManager(cookieseal.Codec(keyring_file(d)))
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


if __name__ == "__main__":
    main()
