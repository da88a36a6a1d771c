# Sourced: the environment for building the Go binding offline, in GOPATH mode
# over Debian's Go packages (/usr/share/gocode), against the libcookieseal-c of
# build tree $build (set by the caller, absolute). Defines $gopath and $root.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
gopath="$build/gopath"
mkdir -p "$gopath/src"
ln -sfn "$here/cookieseal" "$gopath/src/cookieseal"
ln -sfn "$root/examples/go_app" "$gopath/src/cookieseal-example"
export GO111MODULE=off GOPATH="$gopath:/usr/share/gocode" GOCACHE="$build/go-cache"
export CGO_CFLAGS="-I$root/include -I$build/include" CGO_LDFLAGS="-L$build/lib -Wl,-rpath,$build/lib"
export COOKIESEAL_BUILD="$build" COOKIESEAL_SOURCE="$root"
