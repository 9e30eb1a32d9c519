#!/usr/bin/env bash
# Lighthouse (Google's page audit, npm package lighthouse@13.5.0, run on Debian's Chromium) on the sign-in page, a
# profile and the inbox of the demo network, signed in as the demo newcomer: prints the four category scores of each
# as a Markdown table, and the audits that lost points. Usage: bench/lighthouse.sh
set -euo pipefail
cd "$(dirname "$0")/.."
port=${REACH_BENCH_PORT:-5098}
work=$(mktemp -d /tmp/reach-lighthouse.XXXXXX)
tools=${REACH_LIGHTHOUSE_DIR:-/tmp/reach-lighthouse-tool}
key="bench-admin-key-0123456789"
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

[ -x "$tools/node_modules/.bin/lighthouse" ] || npm install --prefix "$tools" --no-audit --no-fund lighthouse@13.5.0 >/dev/null 2>&1
chromium=$(command -v chromium || true)
[ -n "$chromium" ] || { echo "lighthouse.sh: Debian's chromium is needed (scripts/chromium.sh)" >&2; exit 1; }

dotnet build src/Reach.Server -c Release -nologo -v q >/dev/null
(cd "$work" && exec dotnet "$OLDPWD/src/Reach.Server/bin/Release/net10.0/Reach.Server.dll" \
  --db "$work/reach.db" --demo --urls "http://127.0.0.1:$port" --admin-key "$key" >"$work/server.log" 2>&1) &
server=$!
base="http://127.0.0.1:$port"
for _ in $(seq 1 120); do curl -sf "$base/health" >/dev/null 2>&1 && break; sleep 0.5; done

# Sign in through the form, as a browser does; Lighthouse sends the session cookie with its requests.
jar="$work/member.jar"
token=$(curl -s -c "$jar" "$base/signin" | grep -o 'name="__RequestVerificationToken" type="hidden" value="[^"]*"' | sed 's/.*value="//;s/"$//')
curl -s -b "$jar" -c "$jar" -o /dev/null --data-urlencode "Email=alex@demo.reach" --data-urlencode "Password=reach-demo" \
  --data-urlencode "__RequestVerificationToken=$token" "$base/signin"
printf '{"Cookie": "reach=%s"}' "$(grep -P '\treach\t' "$jar" | awk '{print $7}')" >"$work/headers.json"

echo "| page | performance | accessibility | best practices | SEO |"
echo "|---|---:|---:|---:|---:|"
lost=""
for page in "/signin" "/m/grace" "/messages?folder=inbox"; do
  extra=(); [ "$page" != "/signin" ] && extra=(--extra-headers="$work/headers.json")
  CHROME_PATH="$chromium" "$tools/node_modules/.bin/lighthouse" "$base$page" --quiet "${extra[@]}" \
    --chrome-flags="--headless=new --no-sandbox --disable-gpu" \
    --only-categories=performance,accessibility,best-practices,seo --output=json --output-path="$work/report.json" >/dev/null 2>&1
  lost+=$(python3 - "$work/report.json" "$page" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
scores = {key: round(value["score"] * 100) for key, value in report["categories"].items()}
print(f"| `{sys.argv[2]}` | {scores['performance']} | {scores['accessibility']} | {scores['best-practices']} | {scores['seo']} |", file=sys.stderr)
for key, category in report["categories"].items():
    for ref in category["auditRefs"]:
        audit = report["audits"][ref["id"]]
        if ref["weight"] > 0 and audit.get("score") is not None and audit["score"] < 1:
            items = (audit.get("details") or {}).get("items") or []
            what = "; ".join(str(item.get("description") or item.get("url") or "")[:120] for item in items[:3])
            print(f"- `{sys.argv[2]}`, {key}: {ref['id']} ({audit['score']}) {what}")
PY
  )$'\n' 2>&1 >/dev/null
done 2>&1
echo
echo "Audits that lost points:"
printf '%s' "${lost:-none}"
