#!/usr/bin/env bash
# Installs the Debian 12 packages the build and tests need, only if missing.
# Usage: scripts/deps.sh [extra packages...]
set -euo pipefail
pkgs=(meson ninja-build pkg-config g++ cmake libsodium-dev libfmt-dev libcereal-dev doctest-dev
      nlohmann-json3-dev libhiredis-dev redis-server python3 python3-cryptography "$@")
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
