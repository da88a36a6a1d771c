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
# Writes a JUnit report for scripts/count-tests.py. Then faults under load on
# the Express shop (tests/e2e/load_faults.py --node, short form: 15 s, Redis
# paused 3 s, a keyring rotation), one more case in a report of its own beside
# it (REPORT-load-faults.xml; a timeout fails it too).
# Usage: bindings/node/test.sh BUILD_DIR REPORT.xml
set -euo pipefail
build=$(cd "$1" && pwd) report=$(realpath -m "$2")
rm -f "${report%.xml}-load-faults.xml"  # a stale report must not count
cd "$(dirname "$0")"
export PKG_CONFIG_PATH="$build/meson-uninstalled${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
npm ci --prefer-offline --no-audit --no-fund --loglevel=error
# The Next.js test app installs this package as a user does (file:../.. packed
# and copied, .npmrc install-links; its install script builds the addon there).
(cd test/next-app && npm ci --prefer-offline --no-audit --no-fund --loglevel=error)
export COOKIESEAL_BUILD="$build" COOKIESEAL_CLI="$build/tools/cookieseal" COOKIESEAL_SHOP="$build/examples/cookieseal-shop"
mkdir -p "$(dirname "$report")"
rc=0
node --expose-gc --test --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=junit --test-reporter-destination="$report" test/*.test.js || rc=1
/usr/bin/python3 ../../scripts/junit-case.py "${report%.xml}-load-faults.xml" node e2e_load_faults_node 120 -- \
  /usr/bin/python3 ../../tests/e2e/load_faults.py --node examples/shop.js \
  "$(command -v redis-server || echo redis-server)" "$COOKIESEAL_CLI" --seconds 15 --pause 3 || rc=1
exit $rc
