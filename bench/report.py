#!/usr/bin/env python3
"""Turns bench_codec's JSON (with repetitions) into bench/README.md's table:
median times and each result's ratio to the floor measured in the same run."""
import json
import sys

data = json.load(open(sys.argv[1]))
median = {}
chars = {}
rates = {}
benchmarks = list(data["benchmarks"])
for extra in sys.argv[2:]:
    benchmarks += json.load(open(extra))["benchmarks"]
for b in benchmarks:
    if b.get("aggregate_name") != "median":
        continue
    name = b["run_name"]
    median[name] = b["real_time"] if b["time_unit"] == "ns" else b["real_time"] * 1000
    if "cookie_chars" in b:
        chars[name] = int(b["cookie_chars"])
    if "seal_open_per_s" in b:
        rates[name] = (b["seal_open_per_s"], b.get("refused", 0))

ctx = data["context"]
print(f"Machine: {ctx.get('num_cpus')} CPUs at {ctx.get('mhz_per_cpu')} MHz; cookieseal built "
      f"--buildtype=release; medians of {data['benchmarks'][0].get('repetitions', 5)} "
      "repetitions.\n")
print("| fixture | operation | median ns | floor (table b64) ns | ratio | floor (sodium b64) ns | cookie chars |")
print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
for idx, fx in ((0, "typical"), (1, "large")):
    for op in ("seal", "open"):
        ours = median.get(f"BM_{op}/{idx}")
        table = median.get(f"BM_floor_{op}_table_b64/{idx}")
        sodium = median.get(f"BM_floor_{op}_sodium_b64/{idx}")
        if ours is None or table is None:
            continue
        print(f"| {fx} | {op} | {ours:.0f} | {table:.0f} | {ours / table:.2f}x | "
              f"{sodium:.0f} | {chars.get(f'BM_{op}/{idx}', '')} |")
print()
print("| keys in keyring (cookie's key the oldest) | open median ns |")
print("| --- | ---: |")
for n in (1, 10, 100, 1000):
    v = median.get(f"BM_open_keyring/{n}")
    if v is not None:
        print(f"| {n} | {v:.0f} |")
for idx, fx in ((0, "typical"), (1, "large")):
    v = median.get(f"BM_open_forged/{idx}")
    if v is not None:
        print(f"\nforged {fx} cookie refused in {v:.0f} ns (median)")

if any(k.startswith("BM_reload/") for k in median):
    print("\n| keyring file of N keys | reload (load_keyring_file) median µs |")
    print("| --- | ---: |")
    for n in (1, 10, 100, 1000):
        v = median.get(f"BM_reload/{n}")
        if v is not None:
            print(f"| {n} | {v / 1000:.0f} |")
if rates:
    print("\n| threads (file rotated every 5 ms, watcher polling every 1 ms) | seal+open per second | refused |")
    print("| --- | ---: | ---: |")
    for t in (1, 2, 4, 8):
        r = rates.get(f"BM_seal_open_reloading/real_time/threads:{t}")
        if r:
            print(f"| {t} | {r[0]:,.0f} | {r[1]:.0f} |")

if "BM_open_overflow/0" in median:
    inline = median.get("BM_open_inline")
    print("\n| overflow session (typical + 4,000 chars) | seal median µs | open median µs | open / inline open |")
    print("| --- | ---: | ---: | ---: |")
    for idx, name in ((0, "file_store"), (1, "redis_store")):
        so, op = median.get(f"BM_seal_overflow/{idx}"), median.get(f"BM_open_overflow/{idx}")
        if so and op:
            ratio = f"{op / inline:.1f}x" if inline else "?"
            print(f"| {name} | {so / 1000:.1f} | {op / 1000:.1f} | {ratio} |")
    if inline:
        print(f"\ninline open of the typical session in the same run: {inline:.0f} ns")
for b in benchmarks:
    if b["run_name"].startswith("BM_gc_100k") and b.get("aggregate_name") in ("median", None):
        print(f"\ngarbage collection of 100,000 expired file_store entries: {b['real_time']:.0f} ms")
        break
