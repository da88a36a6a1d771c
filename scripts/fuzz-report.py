#!/usr/bin/env python3
"""Prints each libFuzzer target's executions, coverage and result from a meson
testlog.json, e.g. "fuzz_decode: 1283343 runs in 61 s, cov 1360, ft 7085: OK"."""
import json
import re
import sys

for line in open(sys.argv[1], encoding="utf-8"):
    t = json.loads(line)
    out = (t.get("stdout") or "") + (t.get("stderr") or "")
    runs = re.findall(r"stat::number_of_executed_units: (\d+)", out)
    cov = re.findall(r"cov: (\d+) ft: (\d+)", out)
    name = t["name"].split("/")[-1].strip()
    print(f"{name}: {runs[-1] if runs else '?'} runs in {t['duration']:.0f} s, "
          f"cov {cov[-1][0] if cov else '?'}, ft {cov[-1][1] if cov else '?'}: {t['result']}")
