#!/usr/bin/env python3
"""Runs one command as one JUnit test case for count-tests.py: passed on exit 0;
failed on any other exit, on a signal, or when it outlives TIMEOUT seconds (its
whole process group is then killed). Never a skip. Its output goes to stdout
and, the tail of it, into the <failure>.
Usage: junit-case.py REPORT.xml CLASSNAME NAME TIMEOUT -- COMMAND [ARGS...]"""
import os
import signal
import subprocess
import sys
import time
from xml.sax.saxutils import escape, quoteattr

if len(sys.argv) < 7 or sys.argv[5] != "--":
    sys.exit(__doc__.rsplit("\n", 1)[-1])
report, classname, name, timeout, command = *sys.argv[1:4], float(sys.argv[4]), sys.argv[6:]
started = time.time()
proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                        errors="replace", start_new_session=True)
try:
    out, _ = proc.communicate(timeout=timeout)
    why = None if proc.returncode == 0 else f"exit {proc.returncode}"
except subprocess.TimeoutExpired:
    def kill(*signals):
        for sig in signals:
            try:
                os.killpg(proc.pid, sig)
            except ProcessLookupError:  # the group is gone already
                pass

    kill(signal.SIGCONT, signal.SIGTERM)  # a stopped child (SIGSTOP) as well
    try:
        out, _ = proc.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        kill(signal.SIGKILL)
        out, _ = proc.communicate()
    why = f"timed out after {timeout:g} s"
sys.stdout.write(out)
print(f"{classname} {name}: {'ok' if why is None else 'FAIL, ' + why} ({time.time() - started:.1f} s)")
os.makedirs(os.path.dirname(os.path.abspath(report)), exist_ok=True)
with open(report, "w", encoding="utf-8") as f:
    f.write('<?xml version="1.0" encoding="utf-8"?>\n<testsuite name=%s tests="1">\n' % quoteattr(classname))
    f.write(f"<testcase classname={quoteattr(classname)} name={quoteattr(name)} "
            f'time="{time.time() - started:.1f}">')
    if why is not None:
        f.write(f"<failure message={quoteattr(why)}>{escape(out[-4000:])}</failure>")
    f.write("</testcase>\n</testsuite>\n")
sys.exit(0 if why is None else 1)
