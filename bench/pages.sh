#!/usr/bin/env bash
# Measures the server time of each web page on the demo network: starts Reach (Release, SQLite, --demo) on a private
# port, signs in as the demo newcomer, requests each page N times over one kept-alive connection (after a warm-up)
# and prints p50, p95 and max in milliseconds as a Markdown table. Usage: bench/pages.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-300}
port=${REACH_BENCH_PORT:-5099}
work=$(mktemp -d /tmp/reach-pages.XXXXXX)
key="bench-admin-key-0123456789"
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

dotnet build src/Reach.Server -c Release -nologo -v q >/dev/null
(cd "$work" && exec dotnet "$OLDPWD/src/Reach.Server/bin/Release/net10.0/Reach.Server.dll" \
  --db "$work/reach.db" --demo --urls "http://127.0.0.1:$port" --admin-key "$key" >"$work/server.log" 2>&1) &
server=$!
base="http://127.0.0.1:$port"
for _ in $(seq 1 120); do curl -sf "$base/health" >/dev/null 2>&1 && break; sleep 0.5; done

# Sign in through the form, as a browser does: antiforgery token and cookie from the page, then the post.
jar="$work/member.jar"
token=$(curl -s -c "$jar" "$base/signin" | grep -o 'name="__RequestVerificationToken" type="hidden" value="[^"]*"' | sed 's/.*value="//;s/"$//')
curl -s -b "$jar" -c "$jar" -o /dev/null --data-urlencode "Email=alex@demo.reach" --data-urlencode "Password=reach-demo" \
  --data-urlencode "__RequestVerificationToken=$token" "$base/signin"
admin="$work/admin.jar"
token=$(curl -s -c "$admin" "$base/admin/signin" | grep -o 'name="__RequestVerificationToken" type="hidden" value="[^"]*"' | sed 's/.*value="//;s/"$//')
curl -s -b "$admin" -c "$admin" -o /dev/null --data-urlencode "key=$key" --data-urlencode "__RequestVerificationToken=$token" "$base/admin/signin"

conversation=$(curl -s -b "$jar" "$base/messages?folder=inbox" | grep -o 'href="/messages/[0-9]*"' | head -1 | grep -o '[0-9]*')
pages=(
  "/" "/?q=compil" "/m/linus" "/m/grace" "/m/dennis" "/m/ken" "/messages/new?to=alan"
  "/messages" "/messages?folder=requests" "/messages/$conversation" "/network" "/settings" "/plan"
  "/notifications" "/bookmarks" "/posts" "/posts/new?mention=grace"
)

measure() { # jar path → sorted times in ms
  local urls=() i
  for i in $(seq 1 "$n"); do urls+=(-o /dev/null "$base$2"); done
  curl -s -b "$1" "${urls[@]:0:60}" >/dev/null
  curl -s -b "$1" -w "%{http_code} %{time_total}\n" "${urls[@]}" \
    | awk '$1 != 200 { bad++ } { printf "%.3f\n", $2 * 1000 } END { if (bad) print "non-200: " bad > "/dev/stderr" }' | sort -n
}
row() {
  local times
  times=$(measure "$1" "$2")
  echo "$times" | awk -v page="$2" -v n="$n" '{ t[NR] = $1 } END {
    printf "| `%s` | %.1f | %.1f | %.1f |\n", page, t[int(n * 0.5)], t[int(n * 0.95)], t[n] }'
}

echo "| page | p50 ms | p95 ms | max ms |"
echo "|---|---:|---:|---:|"
for page in "${pages[@]}"; do row "$jar" "$page"; done
row "$admin" "/admin?handle=linus&sender=alex&recipient=linus"
