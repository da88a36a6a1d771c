#!/usr/bin/env bash
# Go: the binding against gorilla/securecookie in one `go test -bench` run
# (5 counts of 1 s each), printed as bench/README.md's table with medians.
# Usage: bench/bench_go.sh BUILD_DIR (a release tree with lib/cookieseal-c built)
set -euo pipefail
build=$(cd "$1" && pwd)
. "$(dirname "$0")/../bindings/go/env.sh"
cd "$root/bindings/go"
go test -run '^$' -bench . -benchtime=1s -count=5 . | /usr/bin/python3 -c '
import re, statistics, sys
ns, chars = {}, {}
for line in sys.stdin:
    m = re.match(r"Benchmark(\w+)-\d+\s+\d+\s+([\d.]+) ns/op", line)
    if m:
        ns.setdefault(m.group(1), []).append(float(m.group(2)))
        c = re.search(r"([\d.]+) chars", line)
        if c:
            chars[m.group(1)] = int(float(c.group(1)))
med = {k: statistics.median(v) for k, v in ns.items()}
print("| typical fixture | cookieseal (Go binding) ns | gorilla/securecookie ns | cookieseal / securecookie | cookie chars (cookieseal / securecookie) |")
print("| --- | ---: | ---: | ---: | ---: |")
for op in ("Seal", "Open"):
    a, b = med[op + "Cookieseal"], med[op + "Securecookie"]
    c = "%s / %s" % (chars.get("OpenCookieseal"), chars.get("OpenSecurecookie")) if op == "Open" else ""
    print(f"| {op.lower()} | {a:.0f} | {b:.0f} | {a / b:.2f}x | {c} |")
'
