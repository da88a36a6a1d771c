#!/usr/bin/env bash
# A random-seed libFuzzer pass over every target of a -Dfuzzing=true build, so
# each CI run explores new inputs (the fixed-seed run keeps CI reproducible).
# Writes a JUnit report (one case per target) for the CI summary, and prints
# every crash input in base64 with the seed that found it.
# Usage: scripts/fuzz-random.sh BUILD_DIR SECONDS_PER_TARGET REPORT.xml
set -uo pipefail
build=$1 seconds=$2 report=$3
cd "$(dirname "$0")/.."
cases=() failures=0
for exe in "$build"/fuzz/fuzz_*; do
  [ -x "$exe" ] && [ -f "$exe" ] || continue
  t=${exe##*/fuzz_}
  seed=$(( (RANDOM << 15 | RANDOM) + 1 ))
  scratch="$build/fuzz/corpus-random/$t"
  mkdir -p "$scratch"
  log="$build/fuzz/random-$t.log"
  "$exe" -seed="$seed" -max_total_time="$seconds" -error_exitcode=1 -timeout_exitcode=1 \
    -max_len=4096 -rss_limit_mb=1024 -print_final_stats=1 \
    -artifact_prefix="$build/fuzz/random-crash-$t-" "$scratch" "fuzz/corpus/$t" >"$log" 2>&1
  rc=$?
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
  echo "fuzz_$t: seed $seed, $runs runs, exit $rc"
  if [ $rc -ne 0 ]; then
    failures=$((failures + 1))
    tail -40 "$log"
    for crash in "$build"/fuzz/random-crash-"$t"-*; do
      [ -e "$crash" ] || continue
      echo "crash input for fuzz_$t (seed $seed), base64 (add it to fuzz/corpus/$t/):"
      base64 -w0 "$crash"; echo
    done
    cases+=("<testcase classname=\"fuzz-random\" name=\"fuzz_$t\"><failure message=\"exit $rc, seed $seed\"/></testcase>")
  else
    cases+=("<testcase classname=\"fuzz-random\" name=\"fuzz_$t\"/>")
  fi
done
{
  echo '<?xml version="1.0" encoding="utf-8"?>'
  echo "<testsuite name=\"fuzz-random\" tests=\"${#cases[@]}\" failures=\"$failures\">"
  printf '%s\n' "${cases[@]}"
  echo '</testsuite>'
} >"$report"
[ ${#cases[@]} -gt 0 ] && [ $failures -eq 0 ]
