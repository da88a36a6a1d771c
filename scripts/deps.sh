#!/usr/bin/env bash
# Installs the Debian 12 packages the build and tests need, only if missing.
# Usage: scripts/deps.sh [--e2e] [extra packages...]
#   --e2e  also curl, chromium, wrk, gunicorn and playwright-core (npm) for the end-to-end tests
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
e2e=false
if [ "${1:-}" = "--e2e" ]; then e2e=true; shift; fi
pkgs=(meson ninja-build pkg-config g++ cmake clang-format libsodium-dev libfmt-dev libcereal-dev doctest-dev
      nlohmann-json3-dev libhiredis-dev libcpp-httplib-dev redis-server python3 python3-cryptography
      redis-sentinel python3-flask python3-pytest python3-venv python3-mesonpy python3-mypy
      python3-django python3-starlette python3-fastapi python3-uvicorn python3-httpx "$@")
# Go: the machine's toolchain if there is one (the Go module's dependencies come
# from the Go module proxy, pinned by go.sum), else Debian's.
command -v go >/dev/null || pkgs+=(golang-go)
$e2e && pkgs+=(curl chromium wrk python3-gunicorn)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# playwright-core for the browser test, from the npm registry, pinned by
# tests/e2e/package-lock.json; it drives Debian's chromium, never a download.
if $e2e && [ ! -d "$root/tests/e2e/node_modules/playwright-core" ]; then
  command -v npm >/dev/null || { echo "npm (with node >= 20) is needed for the browser test"; exit 1; }
  (cd "$root/tests/e2e" && npm ci --no-audit --no-fund --loglevel=error)
fi
