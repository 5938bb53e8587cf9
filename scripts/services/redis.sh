#!/usr/bin/env bash
# Redis for the redis store tests, on 127.0.0.1:6379, without persistence (test data only).
# Installs Debian's redis-server if missing. Idempotent: a server already answering is left alone.
set -euo pipefail

ping() { redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; }

if ping; then
  echo "[redis] already answering on 127.0.0.1:6379"
else
  if ! command -v redis-server >/dev/null; then
    echo "[redis] installing redis-server"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y redis-server || { apt-get update && apt-get install -y redis-server; }
  fi
  mkdir -p /var/lib/redis /var/log/redis
  echo "[redis] starting redis-server on 127.0.0.1:6379"
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
  for _ in $(seq 1 60); do
    ping && break
    sleep 0.5
  done
  ping || { echo "[redis] did not answer within 30 s; see /var/log/redis/ci.log" >&2; exit 1; }
fi
echo "[redis] ready: $(redis-cli -h 127.0.0.1 -p 6379 info server | grep -m1 redis_version | tr -d '\r')"
