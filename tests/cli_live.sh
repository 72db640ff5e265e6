#!/bin/sh
# tests/cli_live.sh - bank changes reaching running servers (#13): two `vigil serve`
# processes on one store; an entry added through one server's API, and one added, disabled
# and removed with the CLI, are matchable (or not) on both within a second; a restart with
# --index-snapshot uses the snapshot written at stop, a damaged one is reported and not used;
# vigil_index_sequence in /metrics.
SUITE=live
. "$(dirname "$0")/lib_cli.sh"

if ! command -v curl > /dev/null 2>&1; then
    skip all "no curl"
    finish
    exit $?
fi
D="$T/live.db"
H1=aaaa0000aaaa0000aaaa0000aaaa0000aaaa0000aaaa0000aaaa0000aaaa0000
H2=5555ffff5555ffff5555ffff5555ffff5555ffff5555ffff5555ffff5555ffff
"$V" --db "$D" -q bank create known > /dev/null
"$V" --db "$D" -q agency add EU > /dev/null
tok=$("$V" --db "$D" user add ana --role analyst --agency EU 2> /dev/null | tail -n 1)
ctok=$("$V" --db "$D" user add cora --role coordinator --agency EU 2> /dev/null | tail -n 1)
n_started=0
start() { # start VAR [ARGS]: a server in the background on a port the system picks (port 0,
    # read from the banner) stored in VAR; its pid in LAST, its stderr in LASTERR
    var=$1
    shift
    n_started=$((n_started + 1))
    LASTERR="$T/serve.$n_started.err"
    : > "$LASTERR"
    "$V" --db "$D" serve --listen "127.0.0.1:0" --access-log off "$@" 2> "$LASTERR" &
    LAST=$!
    i=0
    port=""
    while [ $i -lt 100 ]; do
        port=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\).*|\1|p' "$LASTERR")
        [ -n "$port" ] && curl -s -o /dev/null "http://127.0.0.1:$port/healthz" && break
        i=$((i + 1))
        sleep 0.1
    done
    eval "$var=\$port"
}
stop() { kill -TERM "$1" 2> /dev/null; wait "$1" 2> /dev/null; }
found() { # found PORT HASH: 0 when /v1/match finds HASH
    curl -s -H "Authorization: Bearer $tok" -H 'Content-Type: application/json' \
        -d "{\"hashes\":[\"$2\"]}" "http://127.0.0.1:$1/v1/match" | grep -q '"bank":"known"'
}
within_1s() { # within_1s PORT HASH WANT(0 found, 1 not): 0 when so within 1 s
    i=0
    while [ $i -lt 20 ]; do
        found "$1" "$2"
        [ $? -eq "$3" ] && return 0
        i=$((i + 1))
        sleep 0.05
    done
    return 1
}
start p1
a=$LAST
start p2 --index-snapshot "$T/live.idx"
b=$LAST

code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $ctok" -H 'Content-Type: application/json' \
    -d "{\"signal_type\":\"pdq\",\"value\":\"$H1\"}" "http://127.0.0.1:$p1/v1/banks/known/entries")
[ "$code" = 201 ] && ok api_add || bad api_add "HTTP $code" "$(cat "$T"/serve.*.err)"
found "$p1" "$H1" && ok api_add_matchable_at_once || bad api_add_matchable_at_once
within_1s "$p2" "$H1" 0 && ok api_add_matchable_on_other_server || bad api_add_matchable_on_other_server

id=$("$V" --db "$D" bank add known --pdq "$H2")
within_1s "$p1" "$H2" 0 && within_1s "$p2" "$H2" 0 && ok cli_add_matchable_on_both \
    || bad cli_add_matchable_on_both "$id"
"$V" --db "$D" -q bank set known --disable > /dev/null
within_1s "$p1" "$H2" 1 && within_1s "$p2" "$H2" 1 && ok bank_disabled_on_both || bad bank_disabled_on_both
"$V" --db "$D" -q bank set known --enable > /dev/null
within_1s "$p2" "$H2" 0 && ok bank_enabled_again || bad bank_enabled_again
"$V" --db "$D" -q bank remove known "$id" > /dev/null
within_1s "$p1" "$H2" 1 && within_1s "$p2" "$H2" 1 && ok cli_remove_on_both || bad cli_remove_on_both

m=$(curl -s "http://127.0.0.1:$p2/metrics" | sed -n 's/^vigil_index_sequence \([0-9]*\)$/\1/p')
[ -n "$m" ] && [ "$m" -gt 0 ] && ok metrics_sequence || bad metrics_sequence "$m"

stop "$a"
stop "$b"
[ -s "$T/live.idx" ] && ok snapshot_written_at_stop || bad snapshot_written_at_stop
start p2 --index-snapshot "$T/live.idx"
b=$LAST
found "$p2" "$H1" && ! found "$p2" "$H2" && ! grep -q 'not used' "$LASTERR" && ok restart_from_snapshot \
    || bad restart_from_snapshot "$(cat "$T"/serve.*.err)"
stop "$b"
printf 'garbage' | dd of="$T/live.idx" bs=1 seek=100 conv=notrunc 2> /dev/null
start p2 --index-snapshot "$T/live.idx"
b=$LAST
found "$p2" "$H1" && grep -q 'the index snapshot is not used: damaged' "$LASTERR" && ok damaged_snapshot_not_used \
    || bad damaged_snapshot_not_used "$(cat "$T"/serve.*.err)"
stop "$b"
finish
