#!/usr/bin/env bash
# Makes sure Debian's Chromium is installed for the browser tests (Playwright cannot download browsers here) and
# prints its path. Usage: scripts/chromium.sh
set -euo pipefail
path=${REACH_CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$path" ]; then
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
echo "$path"
