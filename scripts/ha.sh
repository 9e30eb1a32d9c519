#!/usr/bin/env bash
# A PostgreSQL formation with automatic failover on this machine, for tests and demos (pg_auto_failover, Debian's
# packages, installed if missing): a monitor and two nodes on three local ports, synchronous replication, failover
# tuned to take seconds. docs/OPERATIONS.md describes the same on three machines.
#
#   scripts/ha.sh install             installs pg_auto_failover (and PostgreSQL 15) where missing, upgrading nothing
#   scripts/ha.sh start [DIR] [PORT]   monitor on PORT (default 56000), nodes on PORT+1 and PORT+2; prints Reach's --db
#   scripts/ha.sh db [DIR]             Reach's --db for the formation started in DIR
#   scripts/ha.sh db-read [DIR]        Reach's --db-read: the same nodes, a standby preferred (the primary when none is)
#   scripts/ha.sh state [DIR]          which node is primary, which secondary
#   scripts/ha.sh failover [DIR]       a planned failover (the secondary becomes primary, the primary its standby)
#   scripts/ha.sh kill [DIR]           the primary's machine lost: its pg_autoctl and PostgreSQL killed with SIGKILL
#   scripts/ha.sh promoted [DIR]       after kill: waits until the other node serves as primary
#   scripts/ha.sh rejoin [DIR]         the killed node started again: it rejoins as the new primary's standby
#   scripts/ha.sh events [DIR]         the monitor's last 40 events, newest first
#   scripts/ha.sh wait [DIR]           waits until one node is primary and the other secondary
#   scripts/ha.sh stop [DIR]           stops everything and removes DIR
# DIR defaults to $REACH_HA_DIR or /tmp/reach-ha.
set -euo pipefail
action=${1:?install, start, db, db-read, state, events, failover, kill, promoted, rejoin, wait or stop}
dir=${2:-${REACH_HA_DIR:-/tmp/reach-ha}}

bin=/usr/lib/postgresql/15/bin
as_pg() { su postgres -s /bin/bash -c "PATH=$bin:\$PATH PG_AUTOCTL_DEBUG=0 $*"; }
port_of() { cat "$dir/port"; }
monitor_uri() { echo "postgres://autoctl_node@127.0.0.1:$(port_of)/pg_auto_failover?sslmode=disable"; }
monitor_sql() { as_pg "psql -qAtX -h 127.0.0.1 -p $(port_of) -U autoctl_node -d pg_auto_failover -c \"$1\""; }

# Node states as the monitor reports them: "name reported-state goal-state" per line.
states() { monitor_sql "SELECT nodename || ' ' || reportedstate || ' ' || goalstate FROM pgautofailover.node ORDER BY nodeid"; }

wait_settled() {
  for _ in $(seq 1200); do
    s=$(states 2>/dev/null || true)
    if [ "$(echo "$s" | grep -c ' primary primary$')" = 1 ] && [ "$(echo "$s" | grep -c ' secondary secondary$')" = 1 ]; then
      return 0
    fi
    sleep 0.25
  done
  echo "the formation did not settle: $s" >&2
  return 1
}

run_node() { # name: runs the node's keeper in the background, its log in DIR/name.log
  as_pg "nohup pg_autoctl run --pgdata $dir/$1 >>$dir/$1.log 2>&1 &"
}

primary_node() { states | awk '$2 == "primary" || $2 == "wait_primary" { print $1; exit }'; }

case "$action" in
install)
  # Only what is missing, and nothing upgraded: upgrading PostgreSQL's package under a server that runs (the tests'
  # own) leaves it unable to load its libraries (plpgsql: "undefined symbol").
  if ! command -v pg_autoctl >/dev/null || [ ! -x "$bin/pg_ctl" ]; then
    missing=""
    [ -x "$bin/pg_ctl" ] || missing="postgresql-15"
    apt-get update -qq >/dev/null
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-upgrade $missing postgresql-15-auto-failover pg-auto-failover-cli >/dev/null
  fi
  ;;
start)
  "$0" install
  port=${3:-${REACH_HA_PORT:-56000}}
  rm -rf "$dir"
  install -d -o postgres -g postgres "$dir"
  echo "$port" >"$dir/port"
  as_pg "pg_autoctl create monitor --pgdata $dir/monitor --pgport $port --hostname 127.0.0.1 --auth trust --no-ssl >>$dir/monitor.log 2>&1"
  # Failover in seconds rather than 40: the monitor checks each node every second, a check waits 2 s and is tried
  # again twice, and a node whose keeper has not reported for 5 s besides is lost; the monitor then waits 5 s for a
  # lost primary to demote itself (a keeper cut off from the monitor and its standby demotes after 4 s: the two
  # together rule out two primaries) before it promotes the standby. Shorter checks fail over in about 5 s on an idle
  # machine but promote a healthy standby's peer when a loaded machine delays a keeper's report.
  cat >>"$dir/monitor/postgresql.conf" <<CONF
pgautofailover.health_check_period = 1000
pgautofailover.health_check_timeout = 2000
pgautofailover.health_check_max_retries = 2
pgautofailover.health_check_retry_delay = 1000
pgautofailover.node_considered_unhealthy_timeout = 5000
pgautofailover.primary_demote_timeout = 5000
CONF
  run_node monitor
  for _ in $(seq 240); do monitor_sql "SELECT 1" >/dev/null 2>&1 && break; sleep 0.25; done
  for n in 1 2; do
    as_pg "pg_autoctl create postgres --pgdata $dir/node$n --pgport $((port + n)) --hostname 127.0.0.1 --name node$n \
      --auth trust --no-ssl --dbname reach --monitor '$(monitor_uri)' >>$dir/node$n.log 2>&1"
    as_pg "pg_autoctl config set --pgdata $dir/node$n timeout.network_partition_timeout 4" >/dev/null
    cat >>"$dir/node$n/postgresql.conf" <<CONF
max_connections = 400
CONF
    run_node "node$n"
    if [ "$n" = 1 ]; then
      for _ in $(seq 480); do [ "$(states | grep -c ' single single$')" = 1 ] && break; sleep 0.25; done
    else
      # The standby's base backup waits for a checkpoint on the primary: hurry it.
      for _ in $(seq 40); do
        as_pg "psql -qAtX -h 127.0.0.1 -p $((port + 1)) -d reach -c CHECKPOINT" >/dev/null 2>&1 || true
        states | grep -q 'node2 .*secondary' && break
        sleep 1
      done
    fi
  done
  wait_settled
  "$0" db "$dir"
  ;;
db)
  port=$(port_of)
  echo "Host=127.0.0.1:$((port + 1)),127.0.0.1:$((port + 2));Database=reach;Username=postgres;Target Session Attributes=read-write;Host Recheck Seconds=1;Timeout=3"
  ;;
db-read)
  port=$(port_of)
  echo "Host=127.0.0.1:$((port + 1)),127.0.0.1:$((port + 2));Database=reach;Username=postgres;Target Session Attributes=prefer-standby;Host Recheck Seconds=1;Timeout=3"
  ;;
state)
  states
  ;;
events)
  monitor_sql "SELECT to_char(eventtime, 'HH24:MI:SS') || ' ' || nodename || ' ' || reportedstate || ' -> ' || goalstate || ': ' || description FROM pgautofailover.event ORDER BY eventid DESC LIMIT 40"
  ;;
wait)
  wait_settled
  ;;
failover)
  as_pg "pg_autoctl perform failover --pgdata $dir/monitor --wait 60" >/dev/null
  wait_settled
  ;;
kill)
  node=$(primary_node)
  # The machine lost at once: the node's keeper with its children (one of them restarts a PostgreSQL that stops),
  # PostgreSQL and its backends, all stopped first so that none acts on another's death, then killed. The process
  # tree is read once (a walk with pgrep per process takes seconds with hundreds of backends, while they serve on).
  keepers=$(pgrep -f "pg_autoctl run --pgdata $dir/$node\$" || true)
  postmaster=$(head -1 "$dir/$node/postmaster.pid" 2>/dev/null || true)
  pids=$(ps -e -o pid=,ppid= | awk -v roots="$keepers $postmaster" '
    BEGIN { n = split(roots, r, " "); for (i = 1; i <= n; i++) keep[r[i]] = 1 }
    { parent[$1] = $2 }
    END {
      for (changed = 1; changed; ) { changed = 0; for (p in parent) if (!(p in keep) && (parent[p] in keep)) { keep[p] = 1; changed = 1 } }
      for (p in keep) print p
    }')
  # shellcheck disable=SC2086
  kill -STOP $pids 2>/dev/null || true
  # shellcheck disable=SC2086
  kill -9 $pids 2>/dev/null || true
  echo "$node" >"$dir/killed"
  echo "$node"
  ;;
promoted)
  # After kill: waits until another node serves as primary (wait_primary: alone, until the killed one rejoins).
  killed=$(cat "$dir/killed")
  for _ in $(seq 1200); do
    node=$(states 2>/dev/null | awk -v killed="$killed" '$1 != killed && ($2 == "primary" || $2 == "wait_primary") { print $1; exit }' || true)
    if [ -n "$node" ]; then
      echo "$node"
      exit 0
    fi
    sleep 0.2
  done
  echo "no node was promoted" >&2
  exit 1
  ;;
rejoin)
  node=$(cat "$dir/killed")
  rm -f "$dir/killed"
  run_node "$node"
  wait_settled
  ;;
stop)
  if [ -d "$dir" ]; then
    for node in node2 node1 monitor; do
      [ -d "$dir/$node" ] && as_pg "pg_autoctl stop --pgdata $dir/$node --immediate" >/dev/null 2>&1 || true
    done
    pkill -9 -f "pg_autoctl.*$dir/" 2>/dev/null || true
    for node in node1 node2 monitor; do
      [ -f "$dir/$node/postmaster.pid" ] && kill -9 "$(head -1 "$dir/$node/postmaster.pid")" 2>/dev/null || true
    done
    # The servers' children end once their postmaster is gone; until then they may still write into DIR.
    for _ in $(seq 100); do
      pgrep -f -- "-D $dir/" >/dev/null || pgrep -f "$dir/" >/dev/null || break
      pkill -9 -f "$dir/" 2>/dev/null || true
      sleep 0.1
    done
    rm -rf "$dir" 2>/dev/null || { sleep 1; rm -rf "$dir"; }
  fi
  ;;
*)
  echo "unknown action: $action" >&2
  exit 2
  ;;
esac
