#!/usr/bin/env bash
# PostgreSQL for the postgres store tests, on 127.0.0.1:5432: the user `session_layer` (password
# `session_layer`, allowed to create databases, for the bench's own) and its database
# `session_test`. Uses the machine's cluster from Debian's postgresql package: installs it when
# missing, starts it when down. Idempotent: a running server, the user and the database are left
# as they are, and no other database is touched.
set -euo pipefail

ready() { pg_isready -q -h 127.0.0.1 -p 5432 -t 2; }
# As the cluster's superuser, over the local socket (peer or trust authentication).
as_postgres() {
  (cd / && if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else sudo -n -u postgres "$@"; fi)
}

if ! command -v pg_ctlcluster >/dev/null; then
  echo "[postgres] installing Debian's postgresql package"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq postgresql >/dev/null
fi

if ready; then
  echo "[postgres] already answering on 127.0.0.1:5432"
else
  version="$(ls /etc/postgresql | sort -V | tail -n 1)"
  [ -n "$version" ] || { echo "[postgres] no cluster in /etc/postgresql (Debian package postgresql)" >&2; exit 1; }
  echo "[postgres] starting cluster $version/main"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start
  for _ in $(seq 1 60); do
    ready && break
    sleep 0.5
  done
  ready || { echo "[postgres] did not answer within 30 s" >&2; exit 1; }
fi

psql_su() { as_postgres psql -X -q -v ON_ERROR_STOP=1 -d postgres "$@"; }
if [ -z "$(psql_su -tAc "SELECT 1 FROM pg_roles WHERE rolname = 'session_layer'")" ]; then
  psql_su -c "CREATE ROLE session_layer LOGIN CREATEDB PASSWORD 'session_layer'"
fi
if [ -z "$(psql_su -tAc "SELECT 1 FROM pg_database WHERE datname = 'session_test'")" ]; then
  psql_su -c 'CREATE DATABASE session_test OWNER session_layer'
fi
echo "[postgres] ready: $(psql_su -tAc 'SHOW server_version'), database session_test for user session_layer"
