#!/usr/bin/env bash
# Builds the Go servers bench/load/run.py measures into BUILD_DIR/bench-load:
# the Go example (go-shop, against BUILD_DIR's libcookieseal-c) and its
# gorilla/sessions peer. Modules from the Go module proxy, pinned by go.sum.
# Usage: bench/load/build_go.sh BUILD_DIR
set -euo pipefail
build=$(cd "$1" && pwd)
. "$(dirname "$0")/../../bindings/go/env.sh"
mkdir -p "$build/bench-load"
(cd "$root/examples/go_app" && go build -o "$build/bench-load/go-shop" ./cmd/go-shop)
(cd "$root/bench/load/gorilla_peer" && go build -o "$build/bench-load/gorilla-peer" .)
