#!/usr/bin/env bash
# Installs the build into a scratch DESTDIR, then builds a consumer against it
# with CMake (find_package) and with pkg-config, and runs both.
# Usage: install_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1 src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
meson install -C "$build" --destdir "$tmp/root" --no-rebuild --quiet
prefix=$(meson introspect "$build" --buildoptions |
  python3 -c 'import json,sys; print(next(o["value"] for o in json.load(sys.stdin) if o["name"]=="prefix"))')
root="$tmp/root$prefix"
libdir=$(dirname "$(find "$root" -name 'libcookieseal.so' -o -name 'libcookieseal.a' | head -1)")

# CMake
cmake -S "$src/tests/consumer" -B "$tmp/cmake" -DCMAKE_PREFIX_PATH="$root" >/dev/null
cmake --build "$tmp/cmake" >/dev/null
LD_LIBRARY_PATH="$libdir" "$tmp/cmake/consumer"

# pkg-config
export PKG_CONFIG_PATH="$libdir/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$tmp/root"
c++ -std=c++20 "$src/tests/consumer/consumer.cpp" -o "$tmp/pc-consumer" \
  $(pkg-config --cflags --libs cookieseal)
LD_LIBRARY_PATH="$libdir" "$tmp/pc-consumer"

# The C ABI, from C, through pkg-config cookieseal-c
cc -std=c11 "$src/tests/consumer/c_consumer.c" -o "$tmp/c-consumer" \
  $(pkg-config --cflags --libs cookieseal-c)
LD_LIBRARY_PATH="$libdir" "$tmp/c-consumer"
echo "install test: cmake, pkg-config and C ABI consumers built and ran"
