#!/usr/bin/env bash
# Lighthouse (Google's page audit, npm package lighthouse@13.5.0, run on Debian's Chromium) on the sign-in page, a
# profile and the inbox of the demo network, signed in as the demo newcomer: prints the four category scores of each
# as a Markdown table, and the audits that lost points. Usage: bench/lighthouse.sh
set -euo pipefail
cd "$(dirname "$0")/.."
port=${REACH_BENCH_PORT:-5098}
work=$(mktemp -d /tmp/reach-lighthouse.XXXXXX)
tools=${REACH_LIGHTHOUSE_DIR:-/tmp/reach-lighthouse-tool}
[ -x "$tools/node_modules/.bin/lighthouse" ] || npm install --prefix "$tools" --no-audit --no-fund lighthouse@13.5.0 >/dev/null 2>&1
chromium=$(command -v chromium || true)
[ -n "$chromium" ] || { echo "lighthouse.sh: Debian's chromium is needed (scripts/chromium.sh)" >&2; exit 1; }

# Lighthouse sends the demo newcomer's session cookie with its requests.
. bench/demo-server.sh
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
