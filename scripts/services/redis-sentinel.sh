#!/usr/bin/env bash
# Redis Sentinel for the redis store's sentinel tests: a master and a replica (no persistence) on
# 127.0.0.1:7101-7102, watched by one sentinel on 127.0.0.1:26379 as the group "session-test".
# Files live in .servers/redis-sentinel/ (gitignored). The tests force failovers, so either node
# may be the master. Idempotent: a group whose master has its replica attached is left alone;
# anything else is rebuilt from scratch (it holds test data only).
set -euo pipefail

nodes=(7101 7102)
sentinel=26379
group=session-test
root="$(cd "$(dirname "$0")/../.." && pwd)/.servers/redis-sentinel"

# shellcheck source=../redis-helpers.sh
source "$(dirname "$0")/../redis-helpers.sh"
master_port() { redis-cli -h 127.0.0.1 -p "$sentinel" sentinel get-master-addr-by-name "$group" 2>/dev/null | sed -n 2p; }
healthy() {
  local port
  port=$(master_port)
  [ -n "$port" ] || return 1
  redis-cli -h 127.0.0.1 -p "$port" info replication 2>/dev/null | grep -q 'connected_slaves:1' || return 1
  # The sentinel has found the replica, so it can fail over to it.
  redis-cli -h 127.0.0.1 -p "$sentinel" sentinel replicas "$group" 2>/dev/null | grep -q '^ip$'
}
# Stops a server this script started earlier (by the PID it recorded), never anything else.
stop() {
  local pidfile=$1 port=$2
  if [ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null; then
    echo "[redis-sentinel] stopping the old server on $port"
    wait_for 10 bash -c "! redis-cli -h 127.0.0.1 -p $port ping >/dev/null 2>&1"
  fi
  if ping "$port"; then
    echo "[redis-sentinel] 127.0.0.1:$port is taken by a server this script did not start" >&2
    exit 1
  fi
}

if healthy; then
  echo "[redis-sentinel] already ok: master 127.0.0.1:$(master_port), sentinel 127.0.0.1:$sentinel"
  exit 0
fi

command -v redis-server >/dev/null || bash "$(dirname "$0")/redis.sh"

stop "$root/sentinel/sentinel.pid" "$sentinel"
for port in "${nodes[@]}"; do stop "$root/$port/redis.pid" "$port"; done
rm -rf "${root:?}"
for port in "${nodes[@]}"; do
  mkdir -p "$root/$port"
  replica=()
  [ "$port" = "${nodes[0]}" ] || replica=(--replicaof 127.0.0.1 "${nodes[0]}")
  redis-server --daemonize yes --bind 127.0.0.1 --port "$port" --save "" --appendonly no \
    --dir "$root/$port" --logfile "$root/$port/redis.log" --pidfile "$root/$port/redis.pid" "${replica[@]}"
done
for port in "${nodes[@]}"; do
  wait_for 10 ping "$port" || { echo "[redis-sentinel] node $port did not start; see $root/$port/redis.log" >&2; exit 1; }
done

# Sentinel rewrites its config file as it learns, so each start gets a fresh one. Quorum 1: the
# one sentinel decides alone; a node silent for 2 s is down.
mkdir -p "$root/sentinel"
cat >"$root/sentinel/sentinel.conf" <<CONF
port $sentinel
bind 127.0.0.1
daemonize yes
dir $root/sentinel
pidfile $root/sentinel/sentinel.pid
logfile $root/sentinel/sentinel.log
sentinel monitor $group 127.0.0.1 ${nodes[0]} 1
sentinel down-after-milliseconds $group 2000
sentinel failover-timeout $group 10000
CONF
redis-server "$root/sentinel/sentinel.conf" --sentinel
wait_for 10 ping "$sentinel" || { echo "[redis-sentinel] the sentinel did not start; see $root/sentinel/sentinel.log" >&2; exit 1; }
wait_for 30 healthy || { echo "[redis-sentinel] the group is not ready after 30 s; see $root/*/*.log" >&2; exit 1; }
echo "[redis-sentinel] ready: master 127.0.0.1:${nodes[0]}, replica 127.0.0.1:${nodes[1]}, sentinel 127.0.0.1:$sentinel"
