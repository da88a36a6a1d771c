#!/usr/bin/env bash
# Installs the build into a scratch DESTDIR, builds and runs the downstream
# consumers against it (CMake's two targets, pkg-config, a C++17 build refused),
# then moves the prefix and runs the installed CLI from its new place.
# One JUnit case per check in BUILD_DIR/meson-logs/install-test.xml.
# Usage: install_test.sh BUILD_DIR SOURCE_DIR
set -uo pipefail
build=$1 src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$src/scripts/junit.sh"
source "$src/tests/consumer/checks.sh"
junit_begin install

meson install -C "$build" --destdir "$tmp/root" --no-rebuild --quiet || exit 1
option() {
  meson introspect "$build" --buildoptions |
    python3 -c 'import json,sys; print(next(o["value"] for o in json.load(sys.stdin) if o["name"]==sys.argv[1]))' "$1"
}
prefix=$(option prefix) libdir=$(option libdir) bindir=$(option bindir)
version=$(meson introspect "$build" --projectinfo | python3 -c 'import json,sys; print(json.load(sys.stdin)["version"])')
case $libdir in /*) ;; *) libdir="$prefix/$libdir" ;; esac

consumer_checks "$src" "$tmp/work" "$tmp/root" "$prefix" "$libdir" "$version"

# The moved prefix: the CLI finds libcookieseal through $ORIGIN, not a path
# into the old prefix (nor LD_LIBRARY_PATH, nor a copy installed in /usr).
if [ -x "$tmp/root$prefix/$bindir/cookieseal" ]; then
  mv "$tmp/root$prefix" "$tmp/moved"
  moved_cli="$tmp/moved/$bindir/cookieseal"
  junit_case cli_runpath_is_origin_relative sh -c \
    'readelf -d "$1" | grep -E "(RUNPATH|RPATH).*\\\$ORIGIN/"' _ "$moved_cli"
  junit_case cli_runs_from_moved_prefix env -u LD_LIBRARY_PATH sh -c '
    ldd "$1" | grep -F "libcookieseal.so.0 => $2/" &&
    "$1" keyring init "$3/keyring" && "$1" keyring list "$3/keyring"' \
    _ "$moved_cli" "$tmp/moved" "$tmp"
fi
junit_write "$build/meson-logs/install-test.xml"
