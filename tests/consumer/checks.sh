# Sourced (after scripts/junit.sh) by tests/install_test.sh (a DESTDIR install)
# and scripts/debian-check.sh (the packages, in /usr): builds and runs the
# downstream consumers against an installed cookieseal, one check each.
#   consumer_checks SRC WORK SYSROOT PREFIX LIBDIR VERSION
# SYSROOT is where PREFIX was installed ("" for the real /); LIBDIR is absolute.
consumer_checks() {
  local src=$1 work=$2 sysroot=$3 prefix=$4 libdir=$5 version=$6
  local c="$src/tests/consumer" root="$sysroot$prefix" lib="$sysroot$libdir"
  # Only cookieseal's own .pc files are visible: a consumer of the public
  # headers needs no libsodium, fmt, nlohmann_json or hiredis .pc file.
  mkdir -p "$work/pkgconfig"
  cp "$lib/pkgconfig/cookieseal.pc" "$lib/pkgconfig/cookieseal-c.pc" "$work/pkgconfig/"
  export PKG_CONFIG_LIBDIR="$work/pkgconfig" PKG_CONFIG_PATH="" PKG_CONFIG_SYSROOT_DIR="$sysroot"
  [ -z "$sysroot" ] || export LD_LIBRARY_PATH="$lib"

  junit_case cmake_cxx_target sh -c '
    cmake -S "$1" -B "$2" -DCMAKE_PREFIX_PATH="$3" && cmake --build "$2" && "$2/consumer"' \
    _ "$c" "$work/cmake-cxx" "$root"
  junit_case cmake_c_target sh -c '
    cmake -S "$1/c" -B "$2" -DCMAKE_PREFIX_PATH="$3" && cmake --build "$2" && "$2/c_consumer" "$4"' \
    _ "$c" "$work/cmake-c" "$root" "$version"
  junit_case pkgconfig_cxx_without_dependency_pc_files sh -c '
    c++ -std=c++20 "$1/consumer.cpp" -o "$2/pc-consumer" $(pkg-config --cflags --libs cookieseal) &&
    "$2/pc-consumer"' _ "$c" "$work"
  junit_case pkgconfig_c sh -c '
    cc -std=c11 -pedantic-errors -Wall -Werror "$1/c_consumer.c" -o "$2/pc-c-consumer" \
      $(pkg-config --cflags --libs cookieseal-c) && "$2/pc-c-consumer" "$3"' _ "$c" "$work" "$version"
  # A static link still learns the private libraries.
  junit_case pkgconfig_static_lists_private_libraries sh -c '
    libs=$(pkg-config --static --libs cookieseal) && echo "$libs" &&
    case "$libs" in *-lsodium*-lfmt*) ;; *) exit 1 ;; esac'
  junit_case cxx17_consumer_gets_one_error_naming_cxx20 \
    "$src/tests/cxx17_test.sh" refused "$c/consumer.cpp" $(pkg-config --cflags cookieseal)
}
