#!/usr/bin/env python3
"""Sums test results over meson testlog.json files and JUnit XML reports (pytest's
--junitxml, go test through go-junit-style reports) and prints 'N passed, N failed'.

OK and EXPECTEDFAIL count as passed; FAIL, TIMEOUT, ERROR and UNEXPECTEDPASS as failed;
SKIP counts as neither and is reported separately, never as a pass. A missing or
empty log counts as one failure, so a stage that ran nothing cannot look green.
"""
import json
import sys
import xml.etree.ElementTree as ET

passed = failed = skipped = 0


def count_junit(path):
    """Each <testcase>: failed with a <failure> or <error>, skipped with <skipped>."""
    global passed, failed, skipped
    try:
        cases = ET.parse(path).getroot().iter("testcase")
    except (OSError, ET.ParseError) as e:
        print(f"count-tests: {path}: {e}", file=sys.stderr)
        cases = []
    n = 0
    for case in cases:
        n += 1
        if case.find("failure") is not None or case.find("error") is not None:
            failed += 1
        elif case.find("skipped") is not None:
            skipped += 1
        else:
            passed += 1
    if n == 0:
        print(f"count-tests: {path}: no tests ran", file=sys.stderr)
        failed += 1


for path in sys.argv[1:]:
    if path.endswith(".xml"):
        count_junit(path)
        continue
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
