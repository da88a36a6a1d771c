#!/usr/bin/env bash
# The quick-start main job: installs what is missing, builds, and runs the
# example shop app on http://127.0.0.1:8080/ (PORT overrides). It creates its
# keyring and store in .cookieseal-demo/ on first start. Ctrl-C stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
[ -f build/build.ninja ] || meson setup build >/dev/null
meson compile -C build cookieseal-shop cookieseal-demo >/dev/null
build/examples/cookieseal-demo   # seal and open one session, show a forged one refused
echo
exec build/examples/cookieseal-shop --port "${PORT:-8080}" --state .cookieseal-demo
