#!/usr/bin/env bash
# The everyday test suite: installs what is missing, builds with --werror, runs
# every meson test (unit, headers, C ABI, examples, end to end, fuzz-corpus
# replay), then the Python package's pytest suite, pip-installed into a venv
# (Flask, Django on Debian's and a current version, Starlette/FastAPI, interop with the C++
# shop and the CLI) on Debian's python3, then the Go module's go test (race
# detector, cgo pointer checks, gorilla/sessions, gin, echo, the three-server
# interop), then the Node.js addon's tests (Express, Fastify, Next.js), and
# prints "N passed, N failed".
# Usage: scripts/test.sh [build-dir]
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build}
scripts/deps.sh --e2e
# Every optional part on: a missing dependency is an error here, never a skip.
[ -f "$dir/build.ninja" ] || meson setup "$dir" --werror -De2e=enabled -Dredis=enabled \
  -Dexamples=enabled -Dpython_tests=enabled >/dev/null
meson compile -C "$dir" >/dev/null
rc=0
meson test -C "$dir" --print-errorlogs || rc=$?
# The Python package as its users install it: pip install of this repository
# (pyproject.toml, meson-python; offline with Debian's python3-mesonpy) into a
# venv over Debian's python3 (where python3-flask and python3-pytest live); the
# tests import the installed package, with no PYTHONPATH or library variable.
venv="$PWD/$dir/python-venv"
[ -x "$venv/bin/python" ] || /usr/bin/python3 -m venv --system-site-packages "$venv"
if ! "$venv/bin/pip" install --quiet --no-build-isolation --no-deps --force-reinstall . ; then
  echo "pip install . failed"
  rc=1
fi
COOKIESEAL_CLI="$PWD/$dir/tools/cookieseal" \
COOKIESEAL_SHOP="$PWD/$dir/examples/cookieseal-shop" \
  "$venv/bin/python" -m pytest -q -p no:cacheprovider bindings/python/tests \
    --junitxml="$dir/meson-logs/pytest.xml" || rc=1
# The Django tests once more on a current Django from PyPI (pinned).
bindings/python/tests/django_current.sh "$dir" || rc=1
bindings/go/test.sh "$dir" "$dir/meson-logs/go.xml" || rc=1
bindings/node/test.sh "$dir" "$dir/meson-logs/node.xml" || rc=1
scripts/count-tests.py "$dir/meson-logs/testlog.json" "$dir/meson-logs/pytest.xml" \
  "$dir/meson-logs/pytest-django-current.xml" \
  "$dir/meson-logs/go.xml" "$dir/meson-logs/go-load-faults.xml" \
  "$dir/meson-logs/node.xml" "$dir/meson-logs/node-load-faults.xml" || rc=1
exit $rc
