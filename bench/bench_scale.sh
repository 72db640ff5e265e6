#!/bin/sh
# bench/bench_scale.sh BUILD [--sizes N,N...] [--import N] [--db URL [--sizes-on-db] [--no-instances]]
# - bank changes and restarts at scale (issue 13), each against its baseline measured in
# the same run:
#   - change-to-matchable: one entry added through the API (POST /v1/banks/bench/entries),
#     then /v1/match polled until it matches, on the server that took it and on a second
#     server on the same store; baseline: the full matcher load every change cost before
#     the change log (bench-scale inproc, same store)
#   - start-to-ready: `vigil serve` started until its first successful match, loading the
#     banks (the baseline) and from an index snapshot (--index-snapshot)
#   - a bank import of N rows (default 1,000,000) through the CLI while a server runs:
#     the import's time, then how long until its last row matches on that server
#   - several instances on one PostgreSQL (1, 2, 4): with --db URL only (--no-instances:
#     not these rows); the lookups
#     also per second of CPU time (the servers', and the servers' plus PostgreSQL's
#     backends' when $BENCH_PGDATA, default $D/data of tests/pg.sh, is the cluster's
#     data directory), against one instance: on 2 shared cores raw lookups/s stop
#     growing once the cores are busy, lookups per CPU-second say whether each added
#     instance still serves as much per core as the first
# The stores of the sizes are SQLite files; with --sizes-on-db they are schemas of the
# --db database (scale_N, built once by an import of rows without ids, then kept).
# Sizes default to 1,000,000 (a few minutes on 2 cores); BENCH_ARGS="--sizes
# 1000000,10000000" adds 10M (building a 10M store takes several minutes, once: stores are
# kept in BENCH_DIR, default /tmp/vigil-bench-scale; on PostgreSQL about 21 min for 10M).
# Prints figures and ratios.
set -eu
B=${1:-build}
[ $# -gt 0 ] && shift
V="$B/vigil"
M="$B/bench-matcher"
S="$B/bench-scale"
W=${BENCH_DIR:-/tmp/vigil-bench-scale}
SIZES=1000000
IMPORT=1000000
PGURL=""
ON_DB=0
INSTANCES=1
while [ $# -gt 0 ]; do
    case "$1" in
    --sizes) SIZES=$(echo "$2" | tr ',' ' '); shift 2 ;;
    --import) IMPORT=$2; shift 2 ;;
    --db) PGURL=$2; shift 2 ;;
    --sizes-on-db) ON_DB=1; shift ;;
    --no-instances) INSTANCES=0; shift ;;
    *) echo "bench-scale: unknown option $1 (--sizes N,N --import N --db URL --sizes-on-db --no-instances)" >&2; exit 2 ;;
    esac
done
[ "$ON_DB" -eq 0 ] || [ -n "$PGURL" ] || { echo "bench-scale: --sizes-on-db needs --db URL" >&2; exit 2; }
PORT=18190
PORT2=18191
mkdir -p "$W"
PIDS=""
cleanup() { for p in $PIDS; do kill -TERM "$p" 2> /dev/null || true; done; }
trap cleanup EXIT

now_ms() { echo $(($(date +%s%N) / 1000000)); }
# serve DB PORT [ARGS...]: starts a server in the background; its pid in LAST
serve() {
    db=$1 port=$2
    shift 2
    "$V" --db "$db" serve --listen "127.0.0.1:$port" --threads 2 --access-log off "$@" \
        > /dev/null 2>> "$W/serve.log" &
    LAST=$!
    PIDS="$PIDS $LAST"
}
unserve() { kill -TERM "$1"; wait "$1" 2> /dev/null || true; }
# serve_pg COUNT FIRST_PORT: COUNT servers on $PGURL, ports FIRST_PORT.. in
# $ports and pids in $pids, once each answers /healthz
serve_pg() {
    ports="" pids=""
    i=0
    while [ $i -lt "$1" ]; do
        serve "$PGURL" $(($2 + i))
        ports="$ports $(($2 + i))"
        pids="$pids $LAST"
        i=$((i + 1))
    done
    for p in $ports; do until curl -s -o /dev/null "http://127.0.0.1:$p/healthz"; do sleep 0.2; done; done
}
# matches PORT TOKEN HASH: 0 when POST /v1/match finds HASH in a bank
matches() {
    curl -s -m 5 -H "Authorization: Bearer $2" -H 'Content-Type: application/json' \
        -d "{\"hashes\":[\"pdq:$3\"]}" "http://127.0.0.1:$1/v1/match" 2> /dev/null |
        grep -q '"entry_id"'
}
# until_match PORT TOKEN HASH LIMIT_S: prints the ms until HASH matches (or "timeout")
until_match() {
    t0=$(now_ms)
    until matches "$1" "$2" "$3"; do
        [ $(($(now_ms) - t0)) -gt $(($4 * 1000)) ] && { echo timeout; return; }
        sleep 0.01
    done
    echo $(($(now_ms) - t0))
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1fx", a / b; else print "-" }'; }
rss() { awk '/VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$1/status"; }
hwm() { awk '/VmHWM/ {printf "%.0f", $2 / 1024}' "/proc/$1/status"; }
median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
# cpu_ticks PID...: utime + stime of the processes (clock ticks; gone ones count 0)
cpu_ticks() {
    for p in "$@"; do cat "/proc/$p/stat" 2> /dev/null; done |
        awk '{sub(/^.*\) /, ""); s += $12 + $13} END {print s + 0}'
}
# pg_backends: the pids of the PostgreSQL cluster's processes (none if it is not local)
pg_backends() {
    pm="${BENCH_PGDATA:-${D:+$D/data}}/postmaster.pid"
    [ -r "$pm" ] || return 0
    pp=$(head -n 1 "$pm")
    echo "$pp"
    ps -o pid= --ppid "$pp" 2> /dev/null
}
# cpu_load PG PIDS PORTS...: `bench-scale load match` against PORTS while the
# CPU time of the server processes PIDS (a quoted list) and, when PG is 1, of
# PostgreSQL's is read before and after: sets RATE, FAILED, WALL_S, SRV_CPU_S,
# PG_CPU_S ("" when not counted)
cpu_load() {
    count_pg=$1 srv_pids=$2
    shift 2
    "$S" load match 0.5 "$LC" "$LTOK" "$@" > /dev/null # every worker's store connection open
    pg0=""
    [ "$count_pg" = 1 ] && pg0=$(pg_backends | tr '\n' ' ')
    s0=$(cpu_ticks $srv_pids) g0=$(cpu_ticks $pg0) b0=$(machine_busy) t0=$(now_ms)
    set -- $("$S" load match "$LS" "$LC" "$LTOK" "$@")
    RATE=$1 FAILED=$2
    pg1=""
    [ "$count_pg" = 1 ] && pg1=$(pg_backends | tr '\n' ' ') # backends born meanwhile count whole
    t1=$(now_ms) s1=$(cpu_ticks $srv_pids) g1=$(cpu_ticks $pg1) b1=$(machine_busy)
    hz=$(getconf CLK_TCK)
    WALL_S=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", (b - a) / 1000}')
    SRV_CPU_S=$(awk -v a="$s0" -v b="$s1" -v hz="$hz" 'BEGIN {printf "%.2f", (b - a) / hz}')
    PG_CPU_S=$(awk -v a="$g0" -v b="$g1" -v hz="$hz" 'BEGIN {printf "%.2f", (b - a) / hz}')
    [ -n "$pg1" ] || PG_CPU_S=""
    MACHINE=$(echo "$b0 $b1" | awk -v n="$(nproc)" '{ if ($4 > $2) printf "%.2f", n * ($3 - $1) / ($4 - $2); else print "-" }')
}
# machine_busy: busy and total ticks of all cores (/proc/stat), everything on the machine
machine_busy() { awk '$1 == "cpu" {t = 0; for (i = 2; i <= NF; i++) t += $i; print t - $5 - $6, t}' /proc/stat; }
# per_cpu RATE WALL_S CPU_S: lookups per CPU-second
per_cpu() { awk -v r="$1" -v w="$2" -v c="$3" 'BEGIN { if (c > 0) printf "%.0f", r * w / c; else print "-" }'; }
cores() { awk -v c="$1" -v w="$2" 'BEGIN { if (w > 0) printf "%.2f", c / w; else print "-" }'; }

# store_of N: the store of size N: $W/scale-N.db, or (--sizes-on-db) the schema scale_N
# of the --db database
store_of() {
    if [ "$ON_DB" -eq 0 ]; then echo "$W/scale-$1.db"; return; fi
    case "$PGURL" in *\?*) echo "$PGURL&options=-csearch_path%3Dscale_$1" ;; *) echo "$PGURL?options=-csearch_path%3Dscale_$1" ;; esac
}
# built_mark N: the file that says the store of size N is complete
built_mark() {
    if [ "$ON_DB" -eq 0 ]; then echo "$W/scale-$1.db"; return; fi
    echo "$W/scale-$1.db-built-$(printf %s "$PGURL" | md5sum | cut -c1-12)"
}
build_store() { # build_store N: the store of size N with N random PDQ hashes in bank "bench"
    n=$1 db=$(store_of "$1")
    [ -f "$(built_mark "$n")" ] && return
    echo "  (building a store of $n random PDQ hashes in $(basename "$(built_mark "$n")"))"
    t0=$(now_ms)
    "$M" gen "$n" 1 > "$W/hashes-$n.txt"
    head -n 1 "$W/hashes-$n.txt" > "$W/probe-$n.txt"
    "$V" --db "$db" -q bank create bench > /dev/null
    "$V" --db "$db" -q bank import bench "$W/hashes-$n.txt" > /dev/null
    "$V" --db "$db" -q agency add BENCH > /dev/null
    "$V" --db "$db" -q user add bench --role analyst --agency BENCH > /dev/null
    "$V" --db "$db" -q user add benchc --role coordinator --agency BENCH > /dev/null
    rm -f "$W/hashes-$n.txt"
    [ "$ON_DB" -eq 0 ] || touch "$(built_mark "$n")"
    echo "  (built in $(($(now_ms) - t0)) ms)"
}

where=$W
[ "$ON_DB" -eq 0 ] || where="PostgreSQL schemas scale_N (files in $W)"
echo "== vigil scale benchmark (bank changes, restarts): $(nproc) cores, loopback; stores in $where"
for n in $SIZES; do
    build_store "$n"
    db=$(store_of "$n")
    snap="$W/scale-$n.idx"
    probe=$(cat "$W/probe-$n.txt")
    tok=$("$V" --db "$db" user token bench)
    ctok=$("$V" --db "$db" user token benchc)
    echo "-- $n PDQ entries"
    # in process: the full load (what every change cost before) against one delta
    "$S" inproc "$db" "$W/inproc.idx" > "$W/inproc.txt"
    full_s=$(awk '$1 == "full_load_s" {print $2}' "$W/inproc.txt")
    delta_ms=$(awk '$1 == "delta_ms_median" {print $2}' "$W/inproc.txt")
    printf '  in process: full load %.2f s (the old cost of any change); one change as a delta %s ms (median of 5): %s\n' \
        "$full_s" "$delta_ms" "$(ratio "$(awk -v s="$full_s" 'BEGIN {print s * 1000}')" "$delta_ms")"
    printf '  in process: snapshot written in %s s, loaded in %s s (%s MiB); memory %s MiB, +%s MiB peak during the changes\n' \
        "$(awk '$1 == "snapshot_write_s" {print $2}' "$W/inproc.txt")" \
        "$(awk '$1 == "snapshot_load_s" {print $2}' "$W/inproc.txt")" \
        "$(awk '$1 == "snapshot_mib" {print $2}' "$W/inproc.txt")" \
        "$(awk '$1 == "rss_mib" {print $2}' "$W/inproc.txt")" \
        "$(awk '$1 == "peak_growth_during_changes_mib" {print $2}' "$W/inproc.txt")"
    # start-to-ready, loading the banks (baseline)
    rm -f "$snap"
    t0=$(now_ms)
    serve "$db" "$PORT"
    a=$LAST
    full_start=$(until_match "$PORT" "$tok" "$probe" 600)
    echo "  start to first match, loading the banks: $full_start ms"
    # a second server on the same store, from the snapshot (it writes one at start)
    serve "$db" "$PORT2" --index-snapshot "$snap"
    b=$LAST
    until_match "$PORT2" "$tok" "$probe" 600 > /dev/null
    # change-to-matchable, through the API of server a, on a and on b
    sa="" sb=""
    mem0=$(rss "$a") hwm0=$(hwm "$a")
    for k in 1 2 3 4 5; do
        h=$("$M" gen 1 "$(($(date +%s%N) % 1000000 + k))")
        code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $ctok" \
            -H 'Content-Type: application/json' -d "{\"signal_type\":\"pdq\",\"value\":\"$h\"}" \
            "http://127.0.0.1:$PORT/v1/banks/bench/entries")
        [ "$code" = 201 ] || { echo "  adding an entry: HTTP $code"; break; }
        sa="$sa $(until_match "$PORT" "$tok" "$h" 60)"
        sb="$sb $(until_match "$PORT2" "$tok" "$h" 60)"
    done
    printf '  change to matchable (API add, then /v1/match polled): on the same server %s ms, on the other %s ms (median of 5; all:%s /%s)\n' \
        "$(echo "$sa" | median)" "$(echo "$sb" | median)" "$sa" "$sb"
    printf '  vs the full reload before (%.2f s): %s (other server)\n' "$full_s" \
        "$(ratio "$(awk -v s="$full_s" 'BEGIN {print s * 1000}')" "$(echo "$sb" | median)")"
    printf '  server memory: %s MiB before the changes, %s MiB after (peak %s MiB at start, %s MiB after the changes)\n' \
        "$mem0" "$(rss "$a")" "$hwm0" "$(hwm "$a")"
    # the first import test on the first size: a new bank, IMPORT rows, through the CLI
    if [ "$n" = "$(echo $SIZES | cut -d' ' -f1)" ] && [ "$IMPORT" -gt 0 ]; then
        "$M" gen "$IMPORT" 7 > "$W/import.txt"
        last=$(tail -n 1 "$W/import.txt")
        "$V" --db "$db" -q bank delete imported --yes > /dev/null 2>&1 || true
        "$V" --db "$db" -q bank create imported > /dev/null
        t0=$(now_ms)
        "$V" --db "$db" -q bank import imported "$W/import.txt" > /dev/null
        t1=$(now_ms)
        after=$(until_match "$PORT2" "$tok" "$last" 120)
        printf '  bank import of %s rows (CLI): %s ms to commit, then matchable on a running server after %s ms; its memory %s MiB (peak %s MiB)\n' \
            "$IMPORT" "$((t1 - t0))" "$after" "$(rss "$b")" "$(hwm "$b")"
        "$V" --db "$db" -q bank delete imported --yes > /dev/null
        rm -f "$W/import.txt"
    fi
    unserve "$a"
    unserve "$b" # writes the snapshot (changed since)
    # start-to-ready from the snapshot
    t0=$(now_ms)
    serve "$db" "$PORT2" --index-snapshot "$snap"
    b=$LAST
    snap_start=$(until_match "$PORT2" "$tok" "$probe" 600)
    unserve "$b"
    printf '  start to first match from the snapshot: %s ms (loading the banks: %s ms): %s faster\n' \
        "$snap_start" "$full_start" "$(ratio "$full_start" "$snap_start")"
    rm -f "$snap"
done

if [ "$INSTANCES" -eq 0 ]; then
    echo "-- several instances on one PostgreSQL (1, 2, 4): skipped (--no-instances)"
elif [ -z "$PGURL" ]; then
    echo "-- several instances on one PostgreSQL (1, 2, 4): skipped: needs PostgreSQL (--db URL)"
elif ! "$V" --db "$PGURL" bank list > /dev/null 2>&1; then
    echo "-- several instances on one PostgreSQL: skipped: this vigil cannot open $PGURL (the PostgreSQL driver)"
else
    echo "-- several instances on one PostgreSQL (change to matchable on every instance)"
    "$V" --db "$PGURL" -q bank create bench > /dev/null 2>&1 || true
    "$V" --db "$PGURL" -q agency add BENCH > /dev/null 2>&1 || true
    "$V" --db "$PGURL" -q user add bench --role analyst --agency BENCH > /dev/null 2>&1 || true
    "$V" --db "$PGURL" -q user add benchc --role coordinator --agency BENCH > /dev/null 2>&1 || true
    tok=$("$V" --db "$PGURL" user token bench)
    ctok=$("$V" --db "$PGURL" user token benchc)
    for count in 1 2 4; do
        serve_pg "$count" $((PORT + 10))
        h=$("$M" gen 1 "$(($(date +%s%N) % 1000000))")
        first=$(echo $ports | cut -d' ' -f1)
        curl -s -o /dev/null -H "Authorization: Bearer $ctok" -H 'Content-Type: application/json' \
            -d "{\"signal_type\":\"pdq\",\"value\":\"$h\"}" "http://127.0.0.1:$first/v1/banks/bench/entries"
        worst=0
        for p in $ports; do
            t=$(until_match "$p" "$tok" "$h" 60)
            [ "$t" != timeout ] && [ "$t" -gt "$worst" ] && worst=$t
        done
        echo "  $count instance(s): matchable on every instance after $worst ms"
        for p in $pids; do unserve "$p"; done
    done

    # throughput: single-hash lookups and item reports, one instance on
    # SQLite against 1, 2 and 4 on this PostgreSQL, each with the same
    # 100,000-hash bank, in this run (LOAD_S seconds, LOAD_CLIENTS clients)
    LS=${LOAD_S:-5} LC=${LOAD_CLIENTS:-8}
    echo "-- throughput on loopback ($LC clients, $LS s each; $(nproc) cores shared by clients, servers and PostgreSQL)"
    # rows with ids (id-less rows import as fast since SQL_ENTRY_BY_VALUE
    # keeps PostgreSQL on the value's hash index, src/store/bank.c; the ids
    # keep these rows comparable with the figures measured before)
    [ -f "$W/tp-100000.csv" ] || "$M" gen 100000 7 |
        awk 'BEGIN {print "signal_type,signal_value,labels,id"} {print "pdq," $1 ",,tp-" NR}' > "$W/tp-100000.csv"
    tp_setup() { # tp_setup STORE: bank tp with the 100k hashes, operation benchop
        "$V" --db "$1" -q bank create tp > /dev/null 2>&1 || true
        "$V" --db "$1" -q bank import tp "$W/tp-100000.csv" > /dev/null
        "$V" --db "$1" -q agency add BENCH > /dev/null 2>&1 || true
        "$V" --db "$1" -q user add bench --role analyst --agency BENCH > /dev/null 2>&1 || true
        "$V" --db "$1" -q op create benchop --coordinator BENCH > /dev/null 2>&1 || true
    }
    rm -f "$W/tp.db"*
    tp_setup "$W/tp.db"
    tp_setup "$PGURL"
    stok=$("$V" --db "$W/tp.db" user token bench)
    ptok=$("$V" --db "$PGURL" user token bench)
    serve "$W/tp.db" $((PORT + 20))
    a=$LAST
    until curl -s -o /dev/null "http://127.0.0.1:$((PORT + 20))/healthz"; do sleep 0.2; done
    LTOK=$stok
    cpu_load 0 "$a" $((PORT + 20))
    s_match=$RATE
    cpu_rows="$(printf '  SQLite, 1 instance: %s lookups per server CPU-second; the server used %s cores, the machine %s of %s busy' \
        "$(per_cpu "$RATE" "$WALL_S" "$SRV_CPU_S")" "$(cores "$SRV_CPU_S" "$WALL_S")" "$MACHINE" "$(nproc)")"
    set -- $("$S" load item "$LS" "$LC" "$stok" $((PORT + 20)))
    s_item=$1
    unserve "$a"
    printf '  SQLite, 1 instance: %s lookups/s, %s item reports/s\n' "$s_match" "$s_item"
    p1_match=0 p1_srv="" p1_all=""
    LTOK=$ptok
    for count in 1 2 4; do
        serve_pg "$count" $((PORT + 30))
        cpu_load 1 "$pids" $ports
        m=$RATE mf=$FAILED
        set -- $("$S" load item "$LS" "$LC" "$ptok" $ports)
        it=$1 itf=$2
        srv=$(per_cpu "$m" "$WALL_S" "$SRV_CPU_S")
        all=""
        [ -n "$PG_CPU_S" ] && all=$(per_cpu "$m" "$WALL_S" "$(awk -v a="$SRV_CPU_S" -v b="$PG_CPU_S" 'BEGIN {print a + b}')")
        [ "$count" -eq 1 ] && p1_match=$m p1_srv=$srv p1_all=$all
        printf '  PostgreSQL, %s instance(s): %s lookups/s (%s of 1 instance, %s of SQLite), %s item reports/s (%s of SQLite); failed requests %s, %s\n' \
            "$count" "$m" "$(ratio "$m" "$p1_match")" "$(ratio "$m" "$s_match")" "$it" \
            "$(ratio "$it" "$s_item")" "$mf" "$itf"
        row=$(printf '  PostgreSQL, %s instance(s): %s lookups per server CPU-second (%s of 1 instance)' \
            "$count" "$srv" "$(ratio "$srv" "$p1_srv")")
        if [ -n "$all" ]; then
            row="$row$(printf ', %s per CPU-second of servers + PostgreSQL (%s of 1 instance); the servers used %s cores, PostgreSQL %s, the machine %s of %s busy' \
                "$all" "$(ratio "$all" "$p1_all")" "$(cores "$SRV_CPU_S" "$WALL_S")" "$(cores "$PG_CPU_S" "$WALL_S")" "$MACHINE" "$(nproc)")"
        else
            row="$row$(printf '; the servers used %s cores, the machine %s of %s busy (PostgreSQL not local: its time not counted)' \
                "$(cores "$SRV_CPU_S" "$WALL_S")" "$MACHINE" "$(nproc)")"
        fi
        cpu_rows="$cpu_rows
$row"
        for p in $pids; do unserve "$p"; done
    done
    echo "-- lookups per CPU-second (the same lookup loads): on $(nproc) cores shared by the $LC clients, the"
    echo "   servers and PostgreSQL, raw lookups/s stop growing once the cores are busy; per CPU-second"
    echo "   says whether each added instance serves as much per core as the first (goal: >= 0.8x)"
    echo "$cpu_rows"
fi
