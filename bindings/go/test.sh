#!/usr/bin/env bash
# Builds and tests the Go binding offline (GOPATH mode over /usr/share/gocode)
# against a build tree's libcookieseal-c: go vet, then go test -race with cgo's
# full pointer checks (GODEBUG=cgocheck=2), the benchmarks run once each
# (-benchtime=1x: they stay correct), and a JUnit report for the CI summary.
# Usage: bindings/go/test.sh BUILD_DIR REPORT.xml [go test args...]
set -euo pipefail
build=$(cd "$1" && pwd) report=$(realpath -m "$2")
shift 2
. "$(dirname "$0")/env.sh"
export COOKIESEAL_SHOP="$build/examples/cookieseal-shop" COOKIESEAL_CLI="$build/tools/cookieseal"
export GODEBUG=cgocheck=2
cd "$gopath/src/cookieseal"
go vet cookieseal cookieseal-example cookieseal-example/cmd/go-shop
rc=0
go test -race -json -count=1 -bench=. -benchtime=1x "$@" cookieseal >"$build/go-test.json" || rc=$?
/usr/bin/python3 "$root/scripts/go-junit.py" "$build/go-test.json" "$report" || rc=1
exit $rc
