#!/usr/bin/env bash
# Builds a release tree, runs the codec and C ABI benchmarks (5 repetitions, medians) and
# prints the table of bench/README.md with ratios against the floor of the same run,
# then the bindings' tables and the load through real servers (bench/load/run.py).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh libbenchmark-dev wrk python3-gunicorn
[ -f build-release/build.ninja ] || meson setup build-release --buildtype=release -Dbench=true -Dtests=false \
  -Dexamples=enabled >/dev/null
meson compile -C build-release bench/bench_codec bench/bench_c_api bench/bench_keyring bench/bench_store \
  lib/cookieseal-c examples/cookieseal-shop tools/cookieseal >/dev/null
codec=build-release/bench/codec.json keyring=build-release/bench/keyring.json
store=build-release/bench/store.json c_api=build-release/bench/c_api.json
COOKIESEAL_BENCH_FIXTURES=bench/fixtures build-release/bench/bench_codec \
  --benchmark_repetitions=5 --benchmark_report_aggregates_only=true \
  --benchmark_min_time=0.5 --benchmark_out="$codec" --benchmark_out_format=json "$@" >/dev/null
build-release/bench/bench_keyring --benchmark_repetitions=5 --benchmark_report_aggregates_only=true \
  --benchmark_min_time=0.5 --benchmark_out="$keyring" --benchmark_out_format=json >/dev/null
# A throwaway redis-server on a free loopback port for the redis_store rows.
redis_dir=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
redis-server --port "$port" --bind 127.0.0.1 --dir "$redis_dir" --save "" --appendonly no \
  --loglevel warning --daemonize no >/dev/null 2>&1 &
redis_pid=$!
trap 'kill $redis_pid 2>/dev/null; wait $redis_pid 2>/dev/null || true; rm -rf "$redis_dir"' EXIT
sleep 0.5
COOKIESEAL_REDIS_URL="redis://127.0.0.1:$port" build-release/bench/bench_store \
  --benchmark_repetitions=5 --benchmark_report_aggregates_only=true --benchmark_min_time=0.5 \
  --benchmark_out="$store" --benchmark_out_format=json >/dev/null
python3 bench/report.py "$codec" "$keyring" "$store"
echo
# The C ABI (what the bindings call) against the C++ codec and the floor, same run.
COOKIESEAL_BENCH_FIXTURES=bench/fixtures build-release/bench/bench_c_api \
  --benchmark_repetitions=5 --benchmark_report_aggregates_only=true \
  --benchmark_min_time=0.5 --benchmark_out="$c_api" --benchmark_out_format=json >/dev/null
python3 bench/report_c_api.py "$c_api"
echo
# Python: the binding against Flask's signed cookie and the raw C++ codec, and a whole
# request through the Flask and Starlette adapters against their own sessions, same run.
COOKIESEAL_LIBRARY=build-release/lib/libcookieseal-c.so.1 \
  /usr/bin/python3 bench/bench_python.py bench/fixtures build-release/bench/bench_codec
echo
# Go: the binding against gorilla/securecookie, same go test -bench run.
bench/bench_go.sh build-release
echo
# Node.js: the addon (built against build-release) against @fastify/secure-session
# and iron-session, same run; the packages are pinned by bindings/node/package-lock.json.
(cd bindings/node && PKG_CONFIG_PATH="$PWD/../../build-release/meson-uninstalled" \
  npm ci --prefer-offline --no-audit --no-fund --loglevel=error >/dev/null)
node bench/bench_node.js bench/fixtures
node bench/bench_node_loop.js
echo
# Load: wrk through the C++ shop, the Flask example under gunicorn, the Go
# example and the Node.js shop on Express (beside Flask's, gorilla's and
# iron-session's own sessions, same run); BENCH_LOAD_SECONDS per figure (default 5).
/usr/bin/python3 bench/load/run.py build-release --seconds "${BENCH_LOAD_SECONDS:-5}"
