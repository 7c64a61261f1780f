#!/usr/bin/env bash
# Print a DATABASE_URL for a running PostgreSQL the tests may use, starting or installing one
# from Debian's packages if needed. Exits non-zero (with the reason on stderr) if none can be had.
set -uo pipefail
HOST=127.0.0.1 PORT=${CIVHARM_PG_PORT:-5432}

ready() { command -v pg_isready >/dev/null 2>&1 && pg_isready -q -h "$HOST" -p "$PORT"; }
url() { echo "postgres://$(id -un)@$HOST:$PORT/test"; }

has_test_db() {
  psql -h "$HOST" -p "$PORT" -d test -Atc 'select 1' >/dev/null 2>&1 ||
    { createdb -h "$HOST" -p "$PORT" test >/dev/null 2>&1 &&
      psql -h "$HOST" -p "$PORT" -d test -Atc 'select 1' >/dev/null 2>&1; }
}

start_debian_cluster() {
  command -v pg_ctlcluster >/dev/null 2>&1 || return 1
  local version
  version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
  [ -n "$version" ] || return 1
  pg_ctlcluster --skip-systemctl-redirect "$version" main start >/dev/null 2>&1 || true
  for _ in $(seq 1 30); do ready && return 0; sleep 1; done
  return 1
}

install_debian_postgres() {
  [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 || return 1
  echo "Installing PostgreSQL from Debian's packages for the tests …" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql) >&2 || return 1
  start_debian_cluster || return 1
  # Trust local TCP connections for the test role, as on the development machines.
  su postgres -c "psql -qc \"DO \\\$\\\$BEGIN CREATE ROLE $(id -un) SUPERUSER LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END\\\$\\\$\"" >&2 || return 1
  su postgres -c "createdb -O $(id -un) test" >/dev/null 2>&1 || true
}

socket_url() {  # Debian's fresh cluster trusts its own OS user over the socket (peer auth)
  psql -h /var/run/postgresql -d test -Atc 'select 1' >/dev/null 2>&1 &&
    echo "postgres://$(id -un)@%2Fvar%2Frun%2Fpostgresql/test"
}

if ready || start_debian_cluster || install_debian_postgres; then
  if has_test_db; then url; exit 0; fi
  if socket_url; then exit 0; fi
  echo "PostgreSQL runs at $HOST:$PORT but the database 'test' cannot be reached as $(id -un)" >&2
fi
echo "no PostgreSQL at $HOST:$PORT and none could be installed" >&2
exit 1
