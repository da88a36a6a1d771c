#!/usr/bin/env python3
"""`go test -json` output -> a JUnit report (one case per test or benchmark) for
count-tests.py, and the human summary of each test on stdout.
Usage: go-junit.py GO_TEST.json REPORT.xml"""
import json
import sys
from xml.sax.saxutils import quoteattr

results, output = {}, {}
for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
    line = line.strip()
    if not line.startswith("{"):
        continue
    e = json.loads(line)
    name = e.get("Test")
    if e.get("Action") == "output":
        output.setdefault(name, []).append(e.get("Output", ""))
        sys.stdout.write(e.get("Output", ""))
    if not name or "/" in name:  # subtests roll up into their test
        continue
    if e.get("Action") in ("pass", "fail", "skip"):
        results[name] = e["Action"]
if not results:
    print("go-junit: no tests ran", file=sys.stderr)
with open(sys.argv[2], "w", encoding="utf-8") as out:
    out.write('<?xml version="1.0" encoding="utf-8"?>\n')
    out.write(f'<testsuite name="go" tests="{len(results)}">\n')
    for name, action in sorted(results.items()):
        out.write(f'<testcase classname="go" name={quoteattr(name)}>')
        if action == "fail":
            text = "".join(output.get(name, []))[-4000:]
            out.write(f'<failure message="failed">{text.replace("&", "&amp;").replace("<", "&lt;")}</failure>')
        elif action == "skip":
            out.write("<skipped/>")
        out.write("</testcase>\n")
    out.write("</testsuite>\n")
