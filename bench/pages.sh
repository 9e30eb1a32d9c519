#!/usr/bin/env bash
# Measures the server time of each web page on the demo network: starts Reach (Release, SQLite, --demo) on a private
# port, signs in as the demo newcomer, requests each page N times over one kept-alive connection (after a warm-up)
# and prints p50, p95 and max in milliseconds as a Markdown table. Usage: bench/pages.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-300}
port=${REACH_BENCH_PORT:-5099}
work=$(mktemp -d /tmp/reach-pages.XXXXXX)
. bench/demo-server.sh

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
