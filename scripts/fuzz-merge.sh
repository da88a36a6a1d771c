#!/usr/bin/env bash
# Makes fuzzing accumulate: runs every libFuzzer target for SECONDS with a
# random seed, then merges whatever adds coverage into fuzz/corpus/<target>
# (libFuzzer's -merge=1 keeps only inputs with new coverage, named by SHA-1).
# Commit the new corpus files afterwards; CI replays them in every build.
# Usage: scripts/fuzz-merge.sh [SECONDS_PER_TARGET]   (default 300)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-300}
scripts/deps.sh clang libclang-rt-14-dev
if [ ! -f build-fuzz/build.ninja ]; then
  CXX=clang++ meson setup build-fuzz --default-library=static -Db_lundef=false \
    -Db_sanitize=address,undefined -Dfuzzing=true -Dtests=false >/dev/null
fi
meson compile -C build-fuzz >/dev/null
export ASAN_OPTIONS=halt_on_error=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
for exe in build-fuzz/fuzz/fuzz_*; do
  [ -x "$exe" ] && [ -f "$exe" ] || continue
  t=${exe##*/fuzz_}
  found="build-fuzz/fuzz/corpus-merge/$t"
  mkdir -p "$found"
  "$exe" -seed=0 -max_total_time="$seconds" -max_len=4096 -rss_limit_mb=1024 \
    -artifact_prefix="build-fuzz/fuzz/crash-$t-" "$found" "fuzz/corpus/$t" >/dev/null 2>&1 || {
    echo "fuzz_$t found a crash: see build-fuzz/fuzz/crash-$t-* (add it to fuzz/corpus/$t/ once fixed)"
    continue
  }
  before=$(ls "fuzz/corpus/$t" | wc -l)
  "$exe" -merge=1 "fuzz/corpus/$t" "$found" >/dev/null 2>&1
  echo "fuzz_$t: $before -> $(ls "fuzz/corpus/$t" | wc -l) corpus files"
done
