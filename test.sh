#!/usr/bin/env bash
# Runs every test of Reach on this machine and ends with the line "N passed, N failed, N skipped".
# It starts a private PostgreSQL server for the PostgreSQL tests (installing Debian's package if needed) unless
# REACH_TEST_POSTGRES already names one, and installs Debian's Chromium for the browser tests if it is missing.
# Usage: ./test.sh [extra dotnet test options]
set -uo pipefail
cd "$(dirname "$0")"

log=$(mktemp)
pgroot=""
cleanup() {
  rm -f "$log"
  if [ -n "$pgroot" ]; then scripts/postgres.sh stop "$pgroot"; fi
}
trap cleanup EXIT

if [ -z "${REACH_TEST_POSTGRES:-}" ]; then
  pgroot=$(mktemp -u -d /tmp/reach-pg.XXXXXX)
  # The first free port from REACH_PG_PORT (default 55432) on: another server may already listen there.
  port=${REACH_PG_PORT:-55432}
  while (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null && [ "$port" -lt $(( ${REACH_PG_PORT:-55432} + 50 )) ]; do port=$((port + 1)); done
  if ! REACH_TEST_POSTGRES=$(scripts/postgres.sh start "$pgroot" "$port"); then
    echo "PostgreSQL could not be started; the PostgreSQL tests will fail."
  fi
  export REACH_TEST_POSTGRES
fi

if ! REACH_CHROMIUM=$(scripts/chromium.sh); then
  echo "Chromium could not be installed; the browser tests will fail."
fi
export REACH_CHROMIUM

# One test project at a time: the browser tests and the server tests each keep both cores busy on their own; run
# together they took as long or longer (10.5 minutes, against 9.7 and 10.5 one after the other here), with the
# timing-bound tests (a server's start, a request timeout) running on a starved machine.
dotnet test --solution Reach.slnx --max-parallel-test-modules 1 "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# Microsoft.Testing.Platform prints one summary for the run: total, failed, succeeded, skipped.
count() { grep -E "^\s+$1: [0-9]+" "$log" | tail -1 | grep -oE "[0-9]+" || echo 0; }
passed=$(count succeeded)
failed=$(count failed)
skipped=$(count skipped)
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  # The run failed before any test could: a build error or a crashed test host.
  failed=1
fi

# The benchmark run in its quick mode, counted as one test: it must run end to end (its figures mean nothing).
if [ -z "${REACH_SKIP_BENCH:-}" ]; then
  echo "bench/run --quick"
  # On the Debug build the tests have just built, and on the tests' PostgreSQL server (its figures mean nothing).
  if REACH_BENCH_POSTGRES="$REACH_TEST_POSTGRES" bench/run --quick --no-build >"$log.bench" 2>&1; then
    passed=$((passed + 1))
  else
    tail -40 "$log.bench"
    failed=$((failed + 1))
    status=1
  fi
  rm -f "$log.bench"
fi

# Each failed test's name and first lines again, last: a long log is often read from its end.
if grep -qE "^failed " "$log"; then
  echo "Failed tests:"
  grep -E -A8 "^failed " "$log" | grep -v '"EventId"' | head -100
fi

echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
