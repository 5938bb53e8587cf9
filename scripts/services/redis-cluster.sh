#!/usr/bin/env bash
# A three-node Redis Cluster (masters only, no persistence) on 127.0.0.1:7001-7003 for the
# redis store's cluster tests. Node files live in .servers/redis-cluster/ (gitignored).
# Idempotent: a cluster that already reports cluster_state:ok is left alone; anything else is
# rebuilt from scratch (it holds test data only).
set -euo pipefail

ports=(7001 7002 7003)
root="$(cd "$(dirname "$0")/../.." && pwd)/.servers/redis-cluster"

# shellcheck source=../redis-helpers.sh
source "$(dirname "$0")/../redis-helpers.sh"
healthy() {
  for port in "${ports[@]}"; do
    redis-cli -h 127.0.0.1 -p "$port" cluster info 2>/dev/null | grep -q 'cluster_state:ok' || return 1
  done
}

if healthy; then
  echo "[redis-cluster] already ok on 127.0.0.1:${ports[*]}"
  exit 0
fi

command -v redis-server >/dev/null || bash "$(dirname "$0")/redis.sh"

for port in "${ports[@]}"; do
  # Stop a node this script started earlier (by the PID it recorded), never anything else.
  pidfile="$root/$port/redis.pid"
  if [ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null; then
    echo "[redis-cluster] stopping the old node on $port"
    wait_for 10 bash -c "! redis-cli -h 127.0.0.1 -p $port ping >/dev/null 2>&1"
  fi
  if ping "$port"; then
    echo "[redis-cluster] 127.0.0.1:$port is taken by a server this script did not start" >&2
    exit 1
  fi
  rm -rf "${root:?}/$port"
  mkdir -p "$root/$port"
  redis-server --daemonize yes --bind 127.0.0.1 --port "$port" --cluster-enabled yes \
    --cluster-config-file nodes.conf --cluster-node-timeout 5000 --save "" --appendonly no \
    --dir "$root/$port" --logfile "$root/$port/redis.log" --pidfile "$pidfile"
done
for port in "${ports[@]}"; do
  wait_for 10 ping "$port" || { echo "[redis-cluster] node $port did not start; see $root/$port/redis.log" >&2; exit 1; }
done

echo "[redis-cluster] creating the cluster"
redis-cli --cluster create $(printf '127.0.0.1:%s ' "${ports[@]}") --cluster-replicas 0 --cluster-yes >/dev/null
wait_for 30 healthy || { echo "[redis-cluster] cluster_state is not ok after 30 s; see $root/*/redis.log" >&2; exit 1; }
echo "[redis-cluster] ready on 127.0.0.1:${ports[*]}"
