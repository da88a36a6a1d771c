#!/usr/bin/env bash
# Go: the binding against gorilla/securecookie, and the gorilla store against
# gorilla/sessions' CookieStore, each pair in one `go test -bench` run (5
# counts of 1 s each, -benchmem), printed as bench/README.md's tables with
# medians. Without cgo's full pointer checks (bindings/go/env.sh turns them on
# for the tests): they cost a user nothing and the binding 10-20% here. The
# gorilla store's benchmarks also report the process's CPU time per op
# (cpu-ns/op), which a loaded machine disturbs less than the wall time.
# Usage: bench/bench_go.sh BUILD_DIR (a release tree with lib/cookieseal-c built)
set -euo pipefail
build=$(cd "$1" && pwd)
. "$(dirname "$0")/../bindings/go/env.sh"
unset GOEXPERIMENT GODEBUG
cd "$root/bindings/go"
echo "$(date -u +%Y-%m-%d\ %H:%M) UTC, $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg), $(go env GOVERSION)"
go test -run '^$' -bench . -benchtime=1s -count=5 -benchmem . ./gorillastore | /usr/bin/python3 -c '
import re, statistics, sys
ns, cpu, allocs, chars = {}, {}, {}, {}
for line in sys.stdin:
    m = re.match(r"Benchmark(\w+)-\d+\s+\d+\s+([\d.]+) ns/op", line)
    if m:
        ns.setdefault(m.group(1), []).append(float(m.group(2)))
        u = re.search(r"([\d.]+) cpu-ns/op", line)
        if u:
            cpu.setdefault(m.group(1), []).append(float(u.group(1)))
        a = re.search(r"(\d+) allocs/op", line)
        if a:
            allocs[m.group(1)] = int(a.group(1))
        c = re.search(r"([\d.]+) chars", line)
        if c:
            chars[m.group(1)] = int(float(c.group(1)))
med = {k: statistics.median(v) for k, v in ns.items()}
cmed = {k: statistics.median(v) for k, v in cpu.items()}
def table(title, ours, theirs, prefix):
    print()
    print(f"| {title} | cookieseal ns | allocs | {theirs} ns | allocs | {theirs} / cookieseal | CPU ns (cookieseal / {theirs}) | {theirs} / cookieseal, CPU | cookie chars (cookieseal / {theirs}) |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for op in ("Seal", "Open", "Update"):
        a, b = prefix + op + ours, prefix + op + theirs
        if a not in med or b not in med:
            continue
        c = "%s / %s" % (chars.get(prefix + "Open" + ours), chars.get(prefix + "Open" + theirs)) if op == "Open" else ""
        u = f"{cmed[a]:.0f} / {cmed[b]:.0f} | {cmed[b] / cmed[a]:.2f}x" if a in cmed and b in cmed else " | "
        print(f"| {op.lower()} | {med[a]:.0f} | {allocs.get(a, 0)} | {med[b]:.0f} | {allocs.get(b, 0)} | {med[b] / med[a]:.2f}x | {u} | {c} |")
table("typical fixture, Go binding (SealJSON/OpenJSON)", "Cookieseal", "Securecookie", "")
table("typical fixture, gorilla store (New + Save / New)", "Cookieseal", "CookieStore", "Gorilla")
'
