#!/usr/bin/env bash
# End to end with curl against the example app on a real redis-server (its
# overflow and revocation store), paused with SIGSTOP: every request in the
# pause is answered 503 and changes no cookie; after SIGCONT the session, its
# overflowed cart included, is whole.
# Usage: redis_pause.sh PATH/TO/cookieseal-shop PATH/TO/redis-server
set -euo pipefail
app=$1 redis_bin=$2
work=$(mktemp -d)
. "$(dirname "$0")/checks.sh"
rport=$(free_port) port=$(free_port)
"$redis_bin" --port "$rport" --bind 127.0.0.1 --dir "$work" --save "" --appendonly no \
  --daemonize no --loglevel warning >"$work/redis.log" 2>&1 &
redis_pid=$!
"$app" --port "$port" --state "$work/state" --store "redis://127.0.0.1:$rport" >"$work/app.log" 2>&1 &
app_pid=$!
cleanup() {
  kill -CONT $redis_pid 2>/dev/null || true
  kill $app_pid $redis_pid 2>/dev/null || true
  wait $app_pid $redis_pid 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
base="http://127.0.0.1:$port"
wait_for_app "$base"

jar="$work/jar"
get() { curl -sS -c "$jar" -b "$jar" "$base$1"; }
post() { curl -sS -o /dev/null -w '%{http_code}' -c "$jar" -b "$jar" --data-urlencode "$2" "$base$1"; }
# status and Set-Cookie count of one request
probe() {  # probe METHOD PATH
  local h
  h=$(curl -sS -D - -o /dev/null -c "$jar" -b "$jar" -X "$1" --data x=1 "$base$2")
  echo "status=$(head -1 <<<"$h" | cut -d' ' -f2) set-cookie=$(grep -ci '^set-cookie:' <<<"$h" || true)"
}

expect "login" "$(post /login user=alice)" 303
for i in $(seq 1 30); do post /cart/add "item=$(printf 'item-%02d-%0190d' "$i" 0)" >/dev/null; done
expect "cart in Redis" "$(get /api/state)" '"user":"alice","visits":0,"cart_items":30,"cart_bytes":5940'
cp "$jar" "$work/jar.before"

kill -STOP $redis_pid
expect "a read during the pause" "$(probe GET /api/state)" "status=503 set-cookie=0"
expect "a write during the pause" "$(probe POST /cart/add)" "status=503 set-cookie=0"
expect "a logout during the pause" "$(probe POST /logout)" "status=503 set-cookie=0"
checks=$((checks + 1))
cmp -s "$jar" "$work/jar.before" || fail "the cookie jar changed during the pause"
kill -CONT $redis_pid

expect "after the pause: all there" "$(get /api/state)" '"user":"alice","visits":0,"cart_items":30,"cart_bytes":5940'
expect "and it still works" "$(post /cart/add item=one-more)" 303
expect "one more item" "$(get /api/state)" '"cart_items":31'
echo "redis pause flow: $checks checks passed"
