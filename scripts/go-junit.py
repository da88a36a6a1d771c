#!/usr/bin/env python3
"""`go test -json` output -> a JUnit report (one case per test or benchmark,
classname = its Go package) for count-tests.py, and the human summary of each
test on stdout. A package that fails outside any test (it does not build, or
its test binary dies) is one failed case of its own, so it cannot look green.
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
    pkg, name = e.get("Package", "go"), e.get("Test")
    key = (pkg, name or "(package)")
    if e.get("Action") == "output":
        output.setdefault(key, []).append(e.get("Output", ""))
        sys.stdout.write(e.get("Output", ""))
    if name and "/" in name:  # subtests roll up into their test
        continue
    action = e.get("Action")
    if name and action in ("pass", "fail", "skip"):
        results[key] = action
    elif not name and action == "fail":
        results[key] = "fail"
# A package's own failure counts only where none of its tests failed already.
failed_packages = {pkg for (pkg, name), action in results.items() if action == "fail" and name != "(package)"}
for pkg in failed_packages:
    results.pop((pkg, "(package)"), None)
if not results:
    print("go-junit: no tests ran", file=sys.stderr)
with open(sys.argv[2], "w", encoding="utf-8") as out:
    out.write('<?xml version="1.0" encoding="utf-8"?>\n')
    out.write(f'<testsuite name="go" tests="{len(results)}">\n')
    for (pkg, name), action in sorted(results.items()):
        out.write(f'<testcase classname={quoteattr(pkg)} name={quoteattr(name)}>')
        if action == "fail":
            text = "".join(output.get((pkg, name), []))[-4000:]
            out.write(f'<failure message="failed">{text.replace("&", "&amp;").replace("<", "&lt;")}</failure>')
        elif action == "skip":
            out.write("<skipped/>")
        out.write("</testcase>\n")
    out.write("</testsuite>\n")
