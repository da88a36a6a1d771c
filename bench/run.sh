#!/usr/bin/env bash
# Builds a release tree, runs the codec benchmarks (5 repetitions, medians) and
# prints the table of bench/README.md with ratios against the floor of the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh libbenchmark-dev nlohmann-json3-dev
[ -f build-release/build.ninja ] || meson setup build-release --buildtype=release -Dbench=true -Dtests=false >/dev/null
meson compile -C build-release bench/bench_codec bench/bench_keyring >/dev/null
codec=build-release/bench/codec.json keyring=build-release/bench/keyring.json
COOKIESEAL_BENCH_FIXTURES=bench/fixtures build-release/bench/bench_codec \
  --benchmark_repetitions=5 --benchmark_report_aggregates_only=true \
  --benchmark_min_time=0.5 --benchmark_out="$codec" --benchmark_out_format=json "$@" >/dev/null
build-release/bench/bench_keyring --benchmark_repetitions=5 --benchmark_report_aggregates_only=true \
  --benchmark_min_time=0.5 --benchmark_out="$keyring" --benchmark_out_format=json >/dev/null
python3 bench/report.py "$codec" "$keyring"
