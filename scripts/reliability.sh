#!/usr/bin/env bash
# The reliability suite's long form: the randomized concurrent trials (SQLite, PostgreSQL, three servers on one
# PostgreSQL), the fuzzing of every endpoint, the crash test and the database faults (PostgreSQL killed, restarted,
# its sessions ended, full disks, stalls: REACH_DB_FAULTS times each, default 20; REACH_POWER_CUTS copies of a SQLite
# database under load, default 20), with more trials and requests than CI runs.
# REACH_CRASHES kills of the server process per database, default 5.
# Usage: scripts/reliability.sh [trials per configuration, default 1000] [fuzz requests per database, default 10000]
# Each trial and fuzz run appends a line to reliability.log (or $REACH_RELIABILITY_LOG); docs/RELIABILITY.md has the results.
set -uo pipefail
cd "$(dirname "$0")/.."

export REACH_TRIALS=${1:-1000}
export REACH_FUZZ_REQUESTS=${2:-10000}
export REACH_CRASHES=${REACH_CRASHES:-5}
export REACH_DB_FAULTS=${REACH_DB_FAULTS:-20}
export REACH_POWER_CUTS=${REACH_POWER_CUTS:-20}
# The failover of a pg_auto_failover formation (scripts/ha.sh), REACH_DB_FAULTS times, and reads on its standby.
export REACH_HA=${REACH_HA:-1}
export REACH_RELIABILITY_LOG=${REACH_RELIABILITY_LOG:-$PWD/reliability.log}

# The formation's packages first: installing them later could upgrade PostgreSQL under the tests' running server.
[ "$REACH_HA" = 1 ] && scripts/ha.sh install

pgroot=""
trap 'if [ -n "$pgroot" ]; then scripts/postgres.sh stop "$pgroot"; fi' EXIT
if [ -z "${REACH_TEST_POSTGRES:-}" ]; then
  pgroot=$(mktemp -u -d /tmp/reach-pg.XXXXXX)
  port=${REACH_PG_PORT:-55482}
  while (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
  REACH_TEST_POSTGRES=$(scripts/postgres.sh start "$pgroot" "$port") || { echo "PostgreSQL could not be started"; exit 1; }
  export REACH_TEST_POSTGRES
fi

echo "long form: $REACH_TRIALS trials per configuration, $REACH_FUZZ_REQUESTS fuzz requests per database, $REACH_CRASHES kills of the server per database, $REACH_DB_FAULTS of each database fault, $REACH_POWER_CUTS power cuts; log: $REACH_RELIABILITY_LOG"
start=$(date +%s)
dotnet test --project tests/Reach.Tests -c Release -- --filter-namespace Reach.Tests.Reliability
status=$?
echo "long form: exit $status after $(( $(date +%s) - start )) s"
grep -c "^.* trial " "$REACH_RELIABILITY_LOG" | sed 's/^/trials passed: /'
exit "$status"
