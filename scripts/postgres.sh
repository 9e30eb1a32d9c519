#!/usr/bin/env bash
# Starts a private PostgreSQL server for the tests (Debian's PostgreSQL, installed if missing) and prints its
# connection string. Usage: scripts/postgres.sh start DIR PORT | scripts/postgres.sh stop DIR
# Faults for the reliability tests, on a server started here: kill DIR (SIGKILL to the postmaster: a crash),
# resume DIR PORT (start it again on its data, recovering), restart DIR (a clean restart, fast shutdown).
# REACH_PG_DATA_SIZE=48m puts the data folder on a tmpfs of that size (the WAL stays outside it), to fill it up.
set -euo pipefail
action=${1:?start or stop}
root=${2:?data folder}

pgbin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }

if [ "$action" = stop ]; then
  bin=$(pgbin)
  [ -n "$bin" ] && [ -d "$root/data" ] && su postgres -c "$bin/pg_ctl -D $root/data -m immediate stop" >/dev/null 2>&1 || true
  if mountpoint -q "$root/disk"; then umount -l "$root/disk"; fi
  rm -rf "$root"
  exit 0
fi

if [ "$action" = kill ]; then
  postmaster=$(head -1 "$root/data/postmaster.pid")
  children=$(pgrep -P "$postmaster" | tr '\n' ' ')
  kill -9 "$postmaster"
  # The backends notice their postmaster's death and end; the next start recovers from the log.
  for _ in $(seq 200); do
    alive=0
    for pid in $children; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.05
  done
  exit 0
fi

if [ "$action" = restart ]; then
  su postgres -c "$(pgbin)/pg_ctl -D $root/data -m fast -w restart -l $root/log" >/dev/null
  exit 0
fi

port=${3:?port}
if [ "$action" = resume ]; then
  su postgres -c "$(pgbin)/pg_ctl -D $root/data -l $root/log -w start" >/dev/null
  exit 0
fi

if [ -z "$(pgbin)" ]; then
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
bin=$(pgbin)
rm -rf "$root"
install -d -o postgres -g postgres "$root"
if [ -n "${REACH_PG_DATA_SIZE:-}" ]; then
  install -d -o postgres -g postgres "$root/disk"
  mount -t tmpfs -o "size=$REACH_PG_DATA_SIZE,uid=postgres,gid=postgres,mode=0700" tmpfs "$root/disk"
  su postgres -c "$bin/initdb -D $root/disk/data --waldir $root/wal -U postgres --auth=trust -E UTF8 --locale=C.UTF-8" >/dev/null
  ln -s disk/data "$root/data"
else
  su postgres -c "$bin/initdb -D $root/data -U postgres --auth=trust -E UTF8 --locale=C.UTF-8" >/dev/null
fi
# Functional tests only: fsync off is fine there. Benchmarks set REACH_PG_FSYNC=on (durable commits, as in production).
fsync=${REACH_PG_FSYNC:-off}
# The settings go into the data folder's configuration, so that a restart or a start after a crash keeps them.
cat >>"$root/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$root'
fsync = $fsync
max_connections = 1000
shared_buffers = 256MB
CONF
su postgres -c "$bin/pg_ctl -D $root/data -l $root/log -w start" >/dev/null
echo "Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
