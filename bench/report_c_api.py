#!/usr/bin/env python3
"""Turns bench_c_api's JSON (with repetitions) into bench/README.md's C ABI
table: the C ABI's seal, open and request path against the C++ codec and the
table-base64 floor, all measured in the same run (medians)."""
import json
import sys

data = json.load(open(sys.argv[1]))
median = {}
for b in data["benchmarks"]:
    if b.get("aggregate_name") == "median":
        median[b["run_name"]] = b["real_time"] if b["time_unit"] == "ns" else b["real_time"] * 1000

print("| fixture | operation | C ABI ns | C++ codec ns | C ABI / codec | floor (table b64) ns | C ABI / floor |")
print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
for idx, fx in ((0, "typical"), (1, "large")):
    for op in ("seal", "open"):
        ours = median.get(f"BM_c_{op}/{idx}")
        codec = median.get(f"BM_{op}/{idx}")
        floor = median.get(f"BM_floor_{op}_table_b64/{idx}")
        if ours is None or codec is None or floor is None:
            continue
        print(f"| {fx} | {op} | {ours:.0f} | {codec:.0f} | {ours / codec:.2f}x | {floor:.0f} | "
              f"{ours / floor:.2f}x |")
for idx, fx in ((0, "typical"), (1, "large")):
    v = median.get(f"BM_c_request/{idx}")
    if v is not None:
        print(f"\n{fx}: a request through the C ABI (request_new from the Cookie header, one set, "
              f"save with a re-seal) in {v:.0f} ns (median)")


def against(name, base, says):
    """One line per fixture: @p name's median and its ratio to @p base's."""
    for idx, fx in ((0, "typical"), (1, "large")):
        v, b = median.get(f"{name}/{idx}"), median.get(f"{base}/{idx}")
        if v is not None and b is not None:
            print(f"{fx}: {says} in {v:.0f} ns, {v / b:.2f}x {base} (median)")


against("BM_c_save_new", "BM_c_seal", "a new session saved in one call (cookieseal_session_manager_"
        "save_new: the seal, the Set-Cookie and the headers' JSON)")
against("BM_c_request_read", "BM_c_open", "a request that only reads (request_new, its session JSON, "
        "freed)")
against("BM_c_open_header", "BM_c_open", "a Cookie header's session read in one call "
        "(cookieseal_session_manager_open_header)")
against("BM_c_save_header", "BM_c_request", "a Cookie header's session saved in one call with its "
        "values and a lifetime (cookieseal_session_manager_save_header; BM_c_request: load, set, "
        "save)")
