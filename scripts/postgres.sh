#!/usr/bin/env bash
# Starts a private PostgreSQL server for the tests (Debian's PostgreSQL, installed if missing) and prints its
# connection string. Usage: scripts/postgres.sh start DIR PORT | scripts/postgres.sh stop DIR
set -euo pipefail
action=${1:?start or stop}
root=${2:?data folder}

pgbin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }

if [ "$action" = stop ]; then
  bin=$(pgbin)
  [ -n "$bin" ] && [ -d "$root/data" ] && su postgres -c "$bin/pg_ctl -D $root/data -m immediate stop" >/dev/null 2>&1 || true
  rm -rf "$root"
  exit 0
fi

port=${3:?port}
if [ -z "$(pgbin)" ]; then
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
bin=$(pgbin)
rm -rf "$root"
install -d -o postgres -g postgres "$root"
su postgres -c "$bin/initdb -D $root/data -U postgres --auth=trust -E UTF8 --locale=C.UTF-8" >/dev/null
# Functional tests only: fsync off is fine there. Benchmarks set REACH_PG_FSYNC=on (durable commits, as in production).
fsync=${REACH_PG_FSYNC:-off}
su postgres -c "$bin/pg_ctl -D $root/data -l $root/log -w -o '-c listen_addresses=127.0.0.1 -p $port -k $root -c fsync=$fsync -c max_connections=1000 -c shared_buffers=256MB' start" >/dev/null
echo "Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
