#!/usr/bin/env bash
# Builds and tests the Go module (bindings/go) and the Go example
# (examples/go_app, which holds the three-server interop test) against a build
# tree's libcookieseal-c: go vet, then go test -race with cgo's full pointer
# checks, the benchmarks run once each (-benchtime=1x: they stay correct), and
# one JUnit report for the CI summary. Then faults under load on the Go example
# server (tests/e2e/load_faults.py --go, short form: 15 s, Redis paused 3 s, a
# keyring rotation), one more case in a report of its own beside it
# (REPORT-load-faults.xml; a failed build or a timeout fails it too).
# Usage: bindings/go/test.sh BUILD_DIR REPORT.xml [go test args...]
set -euo pipefail
build=$(cd "$1" && pwd) report=$(realpath -m "$2")
shift 2
rm -f "${report%.xml}-load-faults.xml"  # a stale report must not count
. "$(dirname "$0")/env.sh"
export COOKIESEAL_SHOP="$build/examples/cookieseal-shop" COOKIESEAL_CLI="$build/tools/cookieseal"
rc=0
: >"$build/go-test.json"
for module in "$root/bindings/go" "$root/examples/go_app"; do
  cd "$module"
  if ! go vet ./...; then  # counted as a failed case, and the tests still run
    printf '{"Action":"fail","Package":"%s (go vet)"}\n' "$module" >>"$build/go-test.json"
    rc=1
  fi
  go test -race -json -count=1 -bench=. -benchtime=1x "$@" ./... >>"$build/go-test.json" || rc=1
done
/usr/bin/python3 "$root/scripts/go-junit.py" "$build/go-test.json" "$report" || rc=1
cd "$root/examples/go_app"
/usr/bin/python3 "$root/scripts/junit-case.py" "${report%.xml}-load-faults.xml" go e2e_load_faults_go 120 -- \
  bash -c 'go build -o "$1" ./cmd/go-shop && exec /usr/bin/python3 "$2" --go "$1" "$3" "$4" --seconds 15 --pause 3' \
  _ "$build/go-shop-load-faults" "$root/tests/e2e/load_faults.py" "$(command -v redis-server || echo redis-server)" \
  "$COOKIESEAL_CLI" || rc=1
exit $rc
