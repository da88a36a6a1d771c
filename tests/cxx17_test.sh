#!/usr/bin/env bash
# A consumer compiled as C++17 gets one clear error naming C++20 (export.hpp's
# #error, then the include that stops the compiler), never a cascade from the
# C++20 code after it; the C header and version.hpp still compile as C++17.
# Usage: cxx17_test.sh refused|accepted SOURCE [COMPILER FLAGS...]   ($CXX, default c++)
set -uo pipefail
mode=$1 source=$2
shift 2
read -r -a cxx <<<"${CXX:-c++}"
out=$("${cxx[@]}" -std=c++17 "$@" -fsyntax-only "$source" 2>&1)
rc=$?
echo "$out"
if [ "$mode" = accepted ]; then
  [ $rc -eq 0 ] || { echo "FAIL: this header must compile as C++17"; exit 1; }
  exit 0
fi
[ $rc -ne 0 ] || { echo "FAIL: a C++17 build succeeded"; exit 1; }
echo "$out" | grep -q 'error: .*cookieseal needs C++20' ||
  { echo "FAIL: no error naming C++20"; exit 1; }
if echo "$out" | grep -E ': (fatal )?error:' | grep -v 'cookieseal/export\.hpp:' | grep -q .; then
  echo "FAIL: errors other than export.hpp's"
  exit 1
fi
echo "C++17 refused with the one error naming C++20"
