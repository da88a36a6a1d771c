#!/usr/bin/env bash
# End to end with curl and a cookie jar against the real example app:
# visits, login, a flash shown once, a cart past 4 KB through the file store,
# a tampered cookie, "log out everywhere" from a second client, logout.
# Usage: curl_flow.sh PATH/TO/cookieseal-shop
set -euo pipefail
app=$1
work=$(mktemp -d)
. "$(dirname "$0")/checks.sh"
port=$(free_port)
"$app" --port "$port" --state "$work/state" >"$work/app.log" 2>&1 &
app_pid=$!
trap 'kill $app_pid 2>/dev/null; wait $app_pid 2>/dev/null || true; rm -rf "$work"' EXIT
base="http://127.0.0.1:$port"
wait_for_app "$base"

a="$work/a.jar" b="$work/b.jar"
get() { curl -fsS -c "$1" -b "$1" "$base$2"; }
post() { curl -fsS -o /dev/null -w '%{http_code}' -c "$1" -b "$1" --data-urlencode "$3" "$base$2"; }

expect "fresh visitor" "$(get "$a" /api/state)" '"visits":0,"cart_items":0,"cart_bytes":0,"new":true'
get "$a" / >/dev/null
expect "visit counter" "$(get "$a" / )" '<span id="visits">2</span>'
expect "cookie attributes" "$(curl -fsS -D - -o /dev/null "$base/" )" 'HttpOnly; SameSite=Lax'
expect "login redirects" "$(post "$a" /login user=alice)" 303
page=$(get "$a" /)
expect "logged in" "$page" 'Logged in as <b>alice</b>'
expect "flash shown" "$page" 'Welcome, alice!'
page=$(get "$a" /)
[[ "$page" != *'Welcome, alice!'* ]] || fail "the flash was shown twice"
checks=$((checks + 1))
expect "escaping" "$(post "$b" /login 'user=<script>x</script>')" 303
expect "user input is escaped" "$(get "$b" /)" '&lt;script&gt;x&lt;/script&gt;'
rm -f "$b"

for i in $(seq 1 30); do post "$a" /cart/add "item=$(printf 'item-%02d-%0190d' "$i" 0)" >/dev/null; done
state=$(get "$a" /api/state)
expect "cart kept all items" "$state" '"cart_items":30'
expect "cart past 4 KB" "$state" '"cart_bytes":5940'
value=$(awk '$6 == "__Host-session" {print $7}' "$a")
[ "${#value}" -lt 4000 ] || fail "the cookie is ${#value} characters"
checks=$((checks + 1))
[ -n "$(find "$work/state/store/e" -type f)" ] || fail "nothing in the overflow store"
checks=$((checks + 1))

# Tampering with the cookie yields a fresh anonymous session.
cp "$a" "$work/t.jar"
python3 - "$work/t.jar" <<'PY'
import sys
lines = open(sys.argv[1]).read().split("\n")
out = []
for line in lines:
    f = line.split("\t")
    if len(f) == 7 and f[5] == "__Host-session":
        v = f[6]; i = len(v) // 2
        f[6] = v[:i] + ("A" if v[i] != "A" else "B") + v[i + 1:]
    out.append("\t".join(f))
open(sys.argv[1], "w").write("\n".join(out))
PY
expect "tampered cookie refused" "$(get "$work/t.jar" /api/state)" '"user":"","visits":0,"cart_items":0,"cart_bytes":0,"new":true,"refused":"authentication_failed"'

# A second client logs in as alice; "log out everywhere" from the first ends it.
expect "second login" "$(post "$b" /login user=alice)" 303
expect "second client in" "$(get "$b" /api/state)" '"user":"alice"'
# No sleeps: the cut-off covers every session up to the request, and a login
# right after it (the same second, as a rule here) holds.
expect "log out everywhere" "$(post "$a" /logout-everywhere x=1)" 303
expect "this client out" "$(get "$a" /api/state)" '"user":"","visits":0'
post "$a" /login user=alice >/dev/null
expect "back in at once" "$(get "$a" /api/state)" '"user":"alice"'
expect "other client out" "$(get "$b" /api/state)" '"new":true,"refused":"revoked"'
expect "the new login holds" "$(get "$a" /api/state)" '"user":"alice"'
headers=$(curl -fsS -D - -o /dev/null -c "$a" -b "$a" -X POST --data x=1 "$base/cart/add")
expect "no shared caching of a Set-Cookie" "$headers" 'Cache-Control: no-store'
expect "varies on Cookie" "$headers" 'Vary: Cookie'
expect "logout" "$(post "$a" /logout x=1)" 303
expect "logged out" "$(get "$a" /api/state)" '"user":"","visits":0'
echo "curl flow: $checks checks passed"
