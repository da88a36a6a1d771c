# Sourced: the environment for building the Go module against the
# libcookieseal-c of build tree $build (set by the caller, absolute), through
# meson's uninstalled pkg-config file (`#cgo pkg-config: cookieseal-c` then
# finds the build tree, as it finds an installed library in a prefix). Modules
# come from the Go module proxy, pinned by go.sum. Defines $root.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
export PKG_CONFIG_PATH="$build/meson-uninstalled${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
export CGO_LDFLAGS="-Wl,-rpath,$build/lib" GOCACHE="$build/go-cache" GOFLAGS=-mod=readonly
export COOKIESEAL_BUILD="$build" COOKIESEAL_SOURCE="$root"
# cgo's full pointer checks: a build-time experiment since Go 1.21, a GODEBUG before.
if [ "$(go env GOVERSION | sed -E 's/^go1\.([0-9]+).*/\1/')" -ge 21 ]; then
  export GOEXPERIMENT=cgocheck2
else
  export GODEBUG=cgocheck=2
fi
