#!/usr/bin/env bash
# The quick-start demo: installs what is missing, builds, and runs the demo.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
[ -f build/build.ninja ] || meson setup build >/dev/null
meson compile -C build cookieseal-demo >/dev/null
exec build/examples/cookieseal-demo
