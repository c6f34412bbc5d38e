#!/usr/bin/env bash
# Start Debian's PostgreSQL on loopback and create a throw-away test database.
# Prints the SQLAlchemy URL on stdout (everything else goes to stderr).
# Administrative commands run as the postgres user over the Unix socket (peer authentication);
# the tests connect over TCP to 127.0.0.1 with a password, as a deployed app would.
set -euo pipefail
ver=$(ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -1)
if [ -z "$ver" ]; then echo "postgresql is not installed" >&2; exit 1; fi
if ! pg_lsclusters -h 2>/dev/null | grep -q "^$ver *main"; then
  pg_createcluster "$ver" main >&2
fi
pg_ctlcluster "$ver" main start >&2 2>/dev/null || true
for _ in $(seq 1 30); do
  pg_isready -q -h 127.0.0.1 && break
  sleep 1
done
psql_admin() { su postgres -c "psql -q -v ON_ERROR_STOP=1 $*"; }
psql_admin "-tc \"SELECT 1 FROM pg_roles WHERE rolname='panhuo'\"" | grep -q 1 \
  || psql_admin "-c \"CREATE ROLE panhuo LOGIN PASSWORD 'panhuo'\"" >&2
psql_admin "-c 'DROP DATABASE IF EXISTS panhuo_test'" >&2
psql_admin "-c 'CREATE DATABASE panhuo_test OWNER panhuo'" >&2
echo "postgresql+psycopg://panhuo:panhuo@127.0.0.1:5432/panhuo_test"
