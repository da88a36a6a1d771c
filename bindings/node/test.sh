#!/usr/bin/env bash
# Builds the Node.js addon against the libcookieseal-c of a build tree (its
# meson-uninstalled pkg-config file; the library's directory becomes the
# addon's rpath) and runs the node --test suite: the addon, Express and
# Fastify servers on loopback, a paused redis-server, interop with the C++
# CLI and with the example servers (the C++ shop, the Flask app, the Go server
# built from examples/go_app as bindings/go/env.sh sets Go up), a Next.js app
# built and served (next build, next start) and driven by Chromium
# (playwright-core from tests/e2e: scripts/deps.sh --e2e). npm ci installs the
# pinned packages (offline from npm's cache once they are there) and runs the
# package's install script, which builds the addon.
# Writes a JUnit report for scripts/count-tests.py.
# Usage: bindings/node/test.sh BUILD_DIR REPORT.xml
set -euo pipefail
build=$(cd "$1" && pwd) report=$(realpath -m "$2")
cd "$(dirname "$0")"
export PKG_CONFIG_PATH="$build/meson-uninstalled${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
npm ci --prefer-offline --no-audit --no-fund --loglevel=error
# The Next.js test app installs this package as a user does (file:../.. packed
# and copied, .npmrc install-links; its install script builds the addon there).
(cd test/next-app && npm ci --prefer-offline --no-audit --no-fund --loglevel=error)
export COOKIESEAL_BUILD="$build" COOKIESEAL_CLI="$build/tools/cookieseal" COOKIESEAL_SHOP="$build/examples/cookieseal-shop"
mkdir -p "$(dirname "$report")"
node --expose-gc --test --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=junit --test-reporter-destination="$report" test/*.test.js
