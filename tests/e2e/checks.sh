# Shared by the curl end-to-end scripts (sourced): free ports, waiting for the
# app, and counted checks that print the app's log on failure.
# Needs $work (the scratch directory holding app.log).
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_for_app() {  # wait_for_app BASE_URL
  for _ in $(seq 100); do curl -fs "$1/api/state" >/dev/null 2>&1 && return; sleep 0.05; done
}
checks=0
fail() { echo "FAIL: $*"; echo "--- app log:"; cat "$work/app.log"; exit 1; }
expect() {  # expect DESCRIPTION ACTUAL PATTERN
  checks=$((checks + 1))
  [[ "$2" == *"$3"* ]] || fail "$1: got '$2', want '$3'"
}
