#!/usr/bin/env bash
# MariaDB for the mysql store tests, on 127.0.0.1:3306 (root, empty password, database `test`).
# The machine has it installed from Debian's packages and configured; this script only makes
# sure it runs and that the database exists. Idempotent: a running server is left alone.
set -euo pipefail

ping() { mariadb -uroot -h127.0.0.1 -P3306 --connect-timeout=2 -e 'select 1' >/dev/null 2>&1; }

if ping; then
  echo "[mariadb] already answering on 127.0.0.1:3306"
else
  [ -x /usr/sbin/mariadbd ] || { echo "[mariadb] /usr/sbin/mariadbd is missing (Debian package mariadb-server)" >&2; exit 1; }
  echo "[mariadb] starting /usr/sbin/mariadbd"
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
  for _ in $(seq 1 60); do
    ping && break
    sleep 0.5
  done
  ping || { echo "[mariadb] did not answer within 30 s" >&2; exit 1; }
fi

mariadb -uroot -h127.0.0.1 -P3306 -e 'CREATE DATABASE IF NOT EXISTS test'
echo "[mariadb] ready: $(mariadb -uroot -h127.0.0.1 -P3306 -N -e 'select version()')"
