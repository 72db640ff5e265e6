#!/bin/sh
# tests/pg_multi.sh - several instances, one truth (issue 13): 4 `vigil
# serve` on one PostgreSQL store, 8 concurrent writers each, every writer
# reporting its own URLs and all of them one shared URL at the same moment;
# then one item per URL, ids that never forked, an audit chain that
# verifies, and a write through one instance read back at once through
# another.  Also `vigil migrate` both ways and a password that no output
# shows.  Run by tests/pg.sh (needs $VIGIL_PG); usage: pg_multi.sh BUILD_DIR
. "$(dirname "$0")/lib_cli.sh"
SUITE=pg-multi
[ -n "${VIGIL_PG:-}" ] || { skip all "no \$VIGIL_PG (run tests/pg.sh)"; finish; exit; }
command -v curl > /dev/null 2>&1 || { skip all "no curl"; finish; exit; }
U="$VIGIL_PG&options=-csearch_path%3Dmulti"
run "$V" migrate --db "$U";                      expect migrate_creates 0 "schema version [0-9]+"
run "$V" migrate --db "$U";                      expect migrate_again 0 "up to date"
"$V" --db "$U" agency add EU > /dev/null
tok=$("$V" --db "$U" user add coord --role coordinator --agency EU 2> /dev/null | tail -n 1)
"$V" --db "$U" op create multi --coordinator EU > /dev/null
# port 0: the system picks free ports, which the banners name
pids=""
for n in 1 2 3 4; do
    : > "$T/serve$n.err"
    "$V" --db "$U" serve --listen "127.0.0.1:0" --access-log off --threads 4 \
        2> "$T/serve$n.err" &
    pids="$pids $!"
done
port_of() { sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\).*|\1|p' "$T/serve$1.err"; }
for n in 1 2 3 4; do
    for i in $(seq 1 50); do
        p=$(port_of "$n")
        [ -n "$p" ] && curl -s "http://127.0.0.1:$p/healthz" > /dev/null 2>&1 && break
        sleep 0.2
    done
done
post() { # post INSTANCE URL: the HTTP status
    curl -s -o /dev/null -w '%{http_code}\n' -X POST -H "Authorization: Bearer $tok" \
        -H 'Content-Type: application/json' \
        -d "{\"op\":\"multi\",\"url\":\"$2\",\"type\":\"post\"}" "http://127.0.0.1:$(port_of "$1")/v1/items"
}
start=$(date +%s.%N)
for n in 1 2 3 4; do
    for w in 1 2 3 4 5 6 7 8; do
        (
            post "$n" "https://t.me/s/shared/1"
            for i in 1 2 3 4 5 6 7 8 9 10; do post "$n" "https://t.me/s/chan$n$w/$i"; done
        ) > "$T/codes.$n.$w" &
    done
done
while [ "$(cat "$T"/codes.* 2>/dev/null | wc -l)" -lt 352 ]; do
    sleep 0.2
    [ "$(echo "$(date +%s.%N) - $start > 120" | bc)" = 1 ] && break
done
secs=$(echo "$(date +%s.%N) - $start" | bc)
codes=$(cat "$T"/codes.* | sort | uniq -c | tr '\n' ' ')
acked=$(cat "$T"/codes.* | grep -cE '^20[01]$')
[ "$acked" -eq 352 ] && ok all_writes_acknowledged || bad all_writes_acknowledged "codes: $codes"
echo "    352 reports through 4 instances x 8 writers in ${secs} s (codes: $codes)"
run "$V" --db "$U" report multi --json
expect one_item_per_url 0 '"items":321,'
expect every_report_counted 0 '"reports":352,'
run "$V" --db "$U" audit verify
expect audit_chain_one 0 "audit chain intact: 35[0-9] events"
run "$V" --db "$U" item list --op multi --limit 10000
ids=$(printf '%s\n' "$out" | awk 'NR > 1 {print $1}' | sort -n | uniq | wc -l)
max=$(printf '%s\n' "$out" | awk 'NR > 1 {print $1}' | sort -n | tail -n 1)
[ "$ids" -eq 321 ] && [ "$max" -eq 321 ] && ok ids_never_fork || bad ids_never_fork "$ids ids, largest $max"
# a write through instance 1, read through instance 2 at once
id=$(curl -s -X POST -H "Authorization: Bearer $tok" -H 'Content-Type: application/json' \
    -d '{"op":"multi","url":"https://t.me/s/readback/1","type":"post"}' \
    "http://127.0.0.1:$(port_of 1)/v1/items" | sed -n 's/.*"id":\([0-9]*\).*/\1/p' | head -n 1)
run curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $tok" \
    "http://127.0.0.1:$(port_of 2)/v1/items/$id"
expect read_back_elsewhere 0 '^200$'
# a bank change through instance 1 reaches the matchers of the others
# through the change log (polled every 150 ms): matchable within 1 s
H=5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c
curl -s -o /dev/null -H "Authorization: Bearer $tok" -H 'Content-Type: application/json' \
    -d '{"name":"live"}' "http://127.0.0.1:$(port_of 1)/v1/banks"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $tok" -H 'Content-Type: application/json' \
    -d "{\"signal_type\":\"md5\",\"value\":\"$H\"}" "http://127.0.0.1:$(port_of 1)/v1/banks/live/entries")
seen=0
for n in 2 3 4; do
    i=0
    while [ $i -lt 20 ]; do
        curl -s -H "Authorization: Bearer $tok" -H 'Content-Type: application/json' \
            -d "{\"hashes\":[\"md5:$H\"]}" "http://127.0.0.1:$(port_of "$n")/v1/match" |
            grep -q '"bank":"live"' && { seen=$((seen + 1)); break; }
        i=$((i + 1))
        sleep 0.05
    done
done
[ "$code" = 201 ] && [ "$seen" -eq 3 ] && ok bank_change_matchable_everywhere \
    || bad bank_change_matchable_everywhere "add: HTTP $code; matched on $seen of 3 other instances within 1 s"
for p in $pids; do kill "$p" 2> /dev/null; done
wait 2> /dev/null

# vigil migrate: an SQLite store to PostgreSQL and back, nothing lost
"$V" --db "$T/demo.db" demo --items 80 > /dev/null
run "$V" migrate --from "$T/demo.db" --to "$VIGIL_PG&options=-csearch_path%3Dcopied"
expect migrate_to_pg 0 "audit chain intact"
run "$V" migrate --from "$VIGIL_PG&options=-csearch_path%3Dcopied" --to "$T/back.db"
expect migrate_back 0 "audit chain intact"
h1=$("$V" --db "$T/demo.db" audit verify)
h2=$("$V" --db "$VIGIL_PG&options=-csearch_path%3Dcopied" audit verify)
h3=$("$V" --db "$T/back.db" audit verify)
[ "$h1" = "$h2" ] && [ "$h1" = "$h3" ] && ok migrate_same_chain_head || bad migrate_same_chain_head "$h1" "$h2" "$h3"
r1=$("$V" --db "$T/demo.db" report demo-action-day --json)
r2=$("$V" --db "$VIGIL_PG&options=-csearch_path%3Dcopied" report demo-action-day --json)
[ "$r1" = "$r2" ] && ok migrate_same_report || bad migrate_same_report "$r1" "$r2"
run "$V" migrate --from "$T/demo.db" --to "$VIGIL_PG&options=-csearch_path%3Dcopied"
expect migrate_refuses_non_empty 1 "" "not empty"

# a password in the URL is never shown (the server refuses it: trust auth
# ignores it, so a bad host stands in for a failure that prints the URL)
secret="s3cr3t-pw"
run "$V" --db "postgresql://vigil:$secret@/postgres?host=$T/nosuchdir" bank list
if printf '%s%s' "$out" "$err" | grep -q "$secret"; then bad password_not_in_errors "$err"
else expect password_not_in_errors 1 "" 'vigil:\*\*\*@'; fi
"$V" --db "$VIGIL_PG&password=$secret&options=-csearch_path%3Dmulti" serve --listen "127.0.0.1:0" \
    --access-log off 2> "$T/pw.err" &
p=$!
for i in $(seq 1 50); do grep -q listening "$T/pw.err" && break; sleep 0.1; done
kill "$p" 2> /dev/null; wait "$p" 2> /dev/null
if grep -q "$secret" "$T/pw.err"; then bad password_not_in_banner "$(cat "$T/pw.err")"
elif grep -q 'password=\*\*\*' "$T/pw.err"; then ok password_not_in_banner
else bad password_not_in_banner "$(cat "$T/pw.err")"; fi
finish
