#!/usr/bin/python3
"""Memory under load: the C++ shop on Redis under wrk for a while (fresh
visitors, each a new session sealed; logged-in readers, inline and
overflowed, each request an open with revocation checks and, for the
overflow, a Redis read), its resident memory (VmRSS) sampled every --every
seconds. A leak shows as
growth after the first minute's warm-up (thread stacks, allocator arenas).
Prints bench/README.md's soak table. By hand, on a quiet machine:

    bench/load/soak.py build-release [--seconds 600] [--every 30]
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run import CART_ITEMS, COOKIE, Processes, free_port, logged_in  # noqa: E402


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("build")
    p.add_argument("--seconds", type=int, default=600)
    p.add_argument("--every", type=int, default=30)
    args = p.parse_args()
    work = tempfile.mkdtemp(prefix="cookieseal-soak-")
    procs = Processes()
    try:
        rport, port = free_port(), free_port()
        procs.start(["redis-server", "--port", str(rport), "--bind", "127.0.0.1", "--dir", work,
                     "--save", "", "--appendonly", "no", "--loglevel", "warning"], rport,
                    "redis-server")
        shop = procs.start([os.path.join(os.path.abspath(args.build), "examples", "cookieseal-shop"),
                            "--port", str(port), "--state", os.path.join(work, "state"),
                            "--store", f"redis://127.0.0.1:{rport}"], port, "cookieseal-shop")
        inline, overflowed = logged_in(port), logged_in(port, CART_ITEMS)
        streams = [("/", None), ("/api/state", inline), ("/api/state", overflowed)]
        wrks = []
        for path, cookie in streams:
            cmd = ["wrk", "-t1", "-c16", f"-d{args.seconds}s", "--timeout", "5s"]
            if cookie:
                cmd += ["-H", f"Cookie: {COOKIE}={cookie}"]
            wrks.append(subprocess.Popen(cmd + [f"http://127.0.0.1:{port}{path}"],
                                         stdout=subprocess.PIPE, text=True))
        start = time.time()
        samples = [(0, rss_kib(shop.pid))]
        while time.time() - start < args.seconds:
            time.sleep(min(args.every, max(0.1, args.seconds - (time.time() - start))))
            samples.append((round(time.time() - start), rss_kib(shop.pid)))
        total = 0
        for w in wrks:
            out, _ = w.communicate(timeout=60)
            for line in out.splitlines():
                if "requests in" in line:
                    total += int(line.split()[0])
        print(f"{total:,} requests in {args.seconds} s "
              f"(3 wrk streams of 16 connections: fresh, inline, overflowed)\n")
        print("| seconds | VmRSS MiB |")
        print("| ---: | ---: |")
        for t, kib in samples:
            print(f"| {t} | {kib / 1024:.1f} |")
    finally:
        procs.stop_all()
        subprocess.run(["rm", "-rf", work])


if __name__ == "__main__":
    sys.exit(main())
