#!/usr/bin/env bash
# CI stage: builds the Debian packages from this tree with the Debian tools
# (dpkg-buildpackage -b, offline), checks them with lintian, installs them on
# this machine, builds and runs C and C++ consumers against /usr (CMake and
# pkg-config), checks the CLI, its man page and the rotation timer (shipped,
# off), then removes the packages again. One JUnit case per check.
# Usage: scripts/debian-check.sh [OUT_DIR]
#   OUT_DIR (default build-debian/, git-ignored) gets the .debs, the lintian
#   output and debian-check.xml; the package is built in a scratch copy of the
#   tree, so nothing is written next to or into the source tree.
set -uo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
out=$(realpath -m "${1:-$src/build-debian}")
source "$src/scripts/junit.sh"
source "$src/tests/consumer/checks.sh"
junit_begin debian

"$src/scripts/deps.sh" debhelper lintian dpkg-dev fakeroot || exit 1
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
packages=(libcookieseal0 libcookieseal-c1 libcookieseal-dev cookieseal-tools)
tmp=$(mktemp -d)
remove_packages() { $SUDO dpkg --purge "${packages[@]}" >/dev/null 2>&1 || true; }
trap 'remove_packages; rm -rf "$tmp"' EXIT
mkdir -p "$out"
# Only what an earlier run left: OUT_DIR may be a directory that holds more.
rm -f "$out"/*.deb "$out"/*.changes "$out"/*.buildinfo "$out"/lintian.txt "$out"/debian-check.xml

version=$(meson introspect --projectinfo "$src/meson.build" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["version"])')
junit_case changelog_version_is_the_project_version sh -c '
  v=$(dpkg-parsechangelog -l "$1/debian/changelog" -S Version) && echo "debian/changelog: $v, meson: $2" &&
  [ "${v%-*}" = "$2" ]' _ "$src" "$version"

# The tree as git sees it (tracked and new files, not ignored ones: no build dirs).
copy="$tmp/cookieseal-$version"
mkdir -p "$copy"
(cd "$src" && git ls-files -z --cached --others --exclude-standard |
  tar --null -T - --ignore-failed-read -cf - 2>/dev/null) | tar -xf - -C "$copy"
build_packages() {
  (cd "$copy" && dpkg-buildpackage -b -us -uc) &&
    mv "$tmp"/*.deb "$tmp"/*.changes "$tmp"/*.buildinfo "$out"/
}
junit_case dpkg_buildpackage build_packages
changes=$(ls "$out"/cookieseal_*.changes 2>/dev/null | head -1)
# Its default level: errors and warnings fail, and none may be shown.
junit_case lintian_clean sh -c '
  [ -f "$1" ] && lintian --fail-on error,warning "$1" >"$2" 2>&1; rc=$?; cat "$2"
  [ $rc -eq 0 ] && ! grep -q "^[EW]: " "$2"' _ "$changes" "$out/lintian.txt"
junit_case four_packages sh -c '
  for p in "$@"; do ls "$0"/${p}_*.deb || exit 1; done' "$out" "${packages[@]}"
# The C++ ABI holds within a minor version: the CLI wants its library's.
junit_case cli_wants_the_same_minor_library sh -c '
  d=$(dpkg-deb -f "$0"/cookieseal-tools_*.deb Depends) && echo "$d" &&
  echo "$d" | grep -Eq "libcookieseal0 \(<< [0-9]+\.[0-9]+~\)"' "$out"

install_packages() {
  local debs=()
  for p in "${packages[@]}"; do debs+=("$out"/${p}_*.deb); done
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${debs[@]}"
}
if ! junit_case install_with_apt install_packages || [ ! -x /usr/bin/cookieseal ]; then
  junit_write "$out/debian-check.xml"
  exit 1
fi

multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
consumer_checks "$src" "$tmp/work" "" /usr "/usr/lib/$multiarch" "$version"

junit_case cli_smoke_test "$src/debian/smoke-test" /usr/bin/cookieseal
junit_case man_page sh -c 'man -w cookieseal && man --warnings -l "$(man -w cookieseal)" >/dev/null'
# The timer is shipped, valid, and enabled for no keyring file.
junit_case rotation_timer_valid sh -c '
  cp /usr/lib/systemd/system/cookieseal-rotate@.service "$1/cookieseal-rotate@etc-cookieseal-keyring.service" &&
  cp /usr/lib/systemd/system/cookieseal-rotate@.timer "$1/cookieseal-rotate@etc-cookieseal-keyring.timer" &&
  cd "$1" && systemd-analyze verify cookieseal-rotate@etc-cookieseal-keyring.service \
    cookieseal-rotate@etc-cookieseal-keyring.timer' _ "$tmp"
junit_case rotation_timer_off_by_default sh -c '
  ! ls /etc/systemd/system/*.wants/cookieseal-rotate@* 2>/dev/null'
junit_case purge_leaves_nothing sh -c '
  $0 dpkg --purge "$@" && ! ls /usr/bin/cookieseal /usr/include/cookieseal 2>/dev/null' "$SUDO" "${packages[@]}"
junit_write "$out/debian-check.xml"
