#!/bin/sh
# tests/pg.sh - the store-touching suites again, on PostgreSQL: a throwaway
# cluster in a temporary directory (initdb, pg_ctl on a Unix socket there,
# no TCP; as the unprivileged user nobody when run as root), then the unit
# suites with VIGIL_TEST_DB (a fresh schema per store), the CLI suites with
# every --db FILE turned into a URL, the several-instances test
# (tests/pg_multi.sh) and the outage test (tests/pg_fault.sh); the cluster
# is removed on exit.  Without PostgreSQL it prints one skipped line.
#   sh tests/pg.sh BUILD_DIR          everything
#   sh tests/pg.sh BUILD_DIR --shell  a cluster and a shell with $VIGIL_PG set (development)
set -u
cd "$(dirname "$0")/.." || exit 2
B=${1:-build}
SUITE=pg
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
skip_all() { echo "skip $SUITE: $1"; echo "$SUITE: 0 passed, 0 failed, 1 skipped"; exit 0; }
[ -n "$PGBIN" ] && [ -x "$PGBIN/initdb" ] || skip_all "PostgreSQL is not installed (apt-get install postgresql)"
[ -x "$B/vigil" ] && [ -x "$B/vigil-tests" ] || skip_all "no $B/vigil or $B/vigil-tests (make tests)"

D=$(mktemp -d /tmp/vigil-pg.XXXXXX)
AS=""
if [ "$(id -u)" -eq 0 ]; then
    id nobody > /dev/null 2>&1 || skip_all "running as root and there is no user nobody to run PostgreSQL"
    chown nobody "$D"
    AS="runuser -u nobody --"
fi
chmod 755 "$D"
cleanup() {
    $AS "$PGBIN/pg_ctl" -D "$D/data" -m immediate stop > /dev/null 2>&1
    rm -rf "$D"
}
trap cleanup EXIT INT TERM
if ! $AS "$PGBIN/initdb" -D "$D/data" -A trust -U vigil -E UTF8 --locale=C > "$D/initdb.log" 2>&1; then
    cat "$D/initdb.log"; skip_all "initdb failed (see above)"
fi
cat >> "$D/data/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$D'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
CONF
pg_start() { $AS "$PGBIN/pg_ctl" -D "$D/data" -l "$D/server.log" -w -t 30 start > /dev/null 2>&1; }
if ! pg_start; then
    tail -n 20 "$D/server.log" 2>/dev/null; skip_all "the PostgreSQL server did not start (see above)"
fi
VIGIL_PG="postgresql:///postgres?host=$D&user=vigil"
export VIGIL_PG PGBIN D AS
if [ "${2:-}" = --shell ]; then
    echo "VIGIL_PG=$VIGIL_PG"; ${SHELL:-sh}; exit 0
fi
