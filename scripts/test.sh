#!/usr/bin/env bash
# The everyday test suite: installs what is missing, builds with --werror, runs
# every meson test (unit, headers, examples, fuzz-corpus replay) and prints
# "N passed, N failed".
# Usage: scripts/test.sh [build-dir]
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build}
scripts/deps.sh --e2e
[ -f "$dir/build.ninja" ] || meson setup "$dir" --werror -De2e=enabled >/dev/null
meson compile -C "$dir" >/dev/null
rc=0
meson test -C "$dir" --print-errorlogs || rc=$?
scripts/count-tests.py "$dir/meson-logs/testlog.json"
exit $rc
