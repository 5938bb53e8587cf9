#!/usr/bin/env bash
# memcached for the memcached store tests, on 127.0.0.1:11211. Installs Debian's memcached if
# missing. Idempotent: a server already answering is left alone.
set -euo pipefail

# memcached answers "version" with "VERSION x.y.z"; bash's /dev/tcp needs no extra tool.
ping() {
  timeout 2 bash -c 'exec 3<>/dev/tcp/127.0.0.1/11211 && printf "version\r\n" >&3 && head -c 7 <&3' 2>/dev/null |
    grep -q VERSION
}

if ping; then
  echo "[memcached] already answering on 127.0.0.1:11211"
else
  if ! command -v memcached >/dev/null; then
    echo "[memcached] installing memcached"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y memcached || { apt-get update && apt-get install -y memcached; }
  fi
  echo "[memcached] starting memcached on 127.0.0.1:11211"
  memcached -d -u root -l 127.0.0.1 -p 11211
  for _ in $(seq 1 40); do
    ping && break
    sleep 0.25
  done
  ping || { echo "[memcached] did not answer within 10 s" >&2; exit 1; }
fi
echo "[memcached] ready: $(memcached -V)"
