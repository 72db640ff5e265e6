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

P=0 F=0 S=0
tally() { # tally LOGFILE: add the counts of its last summary line
    line=$(grep -E '[0-9]+ passed, [0-9]+ failed' "$1" | tail -n 1)
    if [ -z "$line" ]; then F=$((F + 1)); echo "  (no summary line: counted as a failure)"; return; fi
    p=$(echo "$line" | sed -E 's/^(.*[^0-9])?([0-9]+) passed.*/\2/')
    f=$(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')
    s=$(echo "$line" | sed -nE 's/.* ([0-9]+) skipped.*/\1/p')
    P=$((P + p)); F=$((F + f)); S=$((S + ${s:-0}))
}
log="$D/suite.log"

# 1. the unit suites: each test store a fresh schema of the cluster
echo "== $B: unit tests on PostgreSQL"
VIGIL_TEST_DB="$VIGIL_PG" "$B/vigil-tests" > "$log" 2>&1
cat "$log"; tally "$log"

# 2. the CLI suites through a vigil that turns --db FILE (and $VIGIL_DB) into
# a URL of a schema named after the file: every store of a suite on PostgreSQL
W="$D/bin"
mkdir -p "$W"
for f in "$B"/*; do [ -f "$f" ] && [ -x "$f" ] && ln -sf "$(cd "$(dirname "$f")" && pwd)/$(basename "$f")" "$W/"; done
ln -sf "$(pwd)/$B/libvigil.so" "$W/libvigil.so" 2>/dev/null
rm -f "$W/vigil"
cat > "$W/vigil" <<WRAP
#!/bin/sh
map() { case "\$1" in postgres*) echo "\$1" ;; *) echo "$VIGIL_PG&options=-csearch_path%3Df\$(printf %s "\$1" | md5sum | cut -c1-16)" ;; esac; }
n=\$#; i=0
while [ \$i -lt \$n ]; do
    a=\$1; shift; i=\$((i + 1))
    if [ "\$a" = --db ] && [ \$i -lt \$n ]; then set -- "\$@" --db "\$(map "\$1")"; shift; i=\$((i + 1))
    else set -- "\$@" "\$a"; fi
done
[ -n "\${VIGIL_DB:-}" ] && { VIGIL_DB=\$(map "\$VIGIL_DB"); export VIGIL_DB; }
exec "$(pwd)/$B/vigil" "\$@"
WRAP
chmod +x "$W/vigil"
# the suites whose stores are SQLite files by nature (cli_arch: the tree;
# cli_url, cli.sh: no store) are not repeated
for t in ${PG_CLI_SUITES:-tests/cli_bank.sh tests/cli_case.sh tests/cli_auth.sh tests/cli_match.sh tests/cli_text.sh tests/cli_video.sh}; do
    echo "== $B: $t on PostgreSQL"
    VIGIL_PG_WRAPPED=1 sh "$t" "$W" > "$log" 2>&1
    cat "$log"; tally "$log"
done

# 3. several instances on one database, 4. the database killed under load
for t in ${PG_SCRIPTS:-tests/pg_multi.sh tests/pg_fault.sh}; do
    [ -f "$t" ] || continue
    echo "== $B: $t"
    sh "$t" "$B" > "$log" 2>&1
    cat "$log"; tally "$log"
done
echo "$SUITE: $P passed, $F failed, $S skipped"
[ "$F" -eq 0 ]
