#!/usr/bin/env python3
"""Sums test results over meson testlog.json files and prints 'N passed, N failed'.

OK and EXPECTEDFAIL count as passed; FAIL, TIMEOUT, ERROR and UNEXPECTEDPASS as failed;
SKIP counts as neither and is reported separately, never as a pass. A missing or
empty log counts as one failure, so a stage that ran nothing cannot look green.
"""
import json
import sys

passed = failed = skipped = 0
for path in sys.argv[1:]:
    try:
        with open(path, encoding="utf-8") as f:
            lines = [json.loads(line) for line in f if line.strip()]
    except OSError as e:
        print(f"count-tests: {path}: {e}", file=sys.stderr)
        lines = []
    if not lines:
        print(f"count-tests: {path}: no tests ran", file=sys.stderr)
        failed += 1
        continue
    for t in lines:
        r = t.get("result")
        if r in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif r == "SKIP":
            skipped += 1
        else:
            failed += 1
line = f"{passed} passed, {failed} failed"
if skipped:
    line += f", {skipped} skipped"
print(line)
sys.exit(1 if failed else 0)
