#!/bin/sh
# tests/pg_fault.sh - PostgreSQL killed under load (issue 13, part 6): a
# writer reports items through `vigil serve` while the server is stopped
# with `pg_ctl stop -m immediate` and started again.  Requests during the
# outage get 503 with Retry-After at once (no hang, no 500), except POST
# /v1/match with a token the server verified before the outage: that one
# is answered from memory (200, the right match; a token never seen gets
# 503); the server reconnects by itself; every acknowledged (201) item is in the store
# afterwards and the audit chain verifies.  Run by tests/pg.sh (needs
# $VIGIL_PG, $PGBIN, $D, $AS); usage: pg_fault.sh BUILD_DIR
. "$(dirname "$0")/lib_cli.sh"
SUITE=pg-fault
[ -n "${VIGIL_PG:-}" ] && [ -n "${PGBIN:-}" ] || { skip all "no \$VIGIL_PG (run tests/pg.sh)"; finish; exit; }
command -v curl > /dev/null 2>&1 || { skip all "no curl"; finish; exit; }
U="$VIGIL_PG&options=-csearch_path%3Dfault"
"$V" --db "$U" agency add EU > /dev/null
tok=$("$V" --db "$U" user add coord --role coordinator --agency EU 2> /dev/null | tail -n 1)
"$V" --db "$U" op create fault --coordinator EU > /dev/null
port=$((22000 + $$ % 20000))
"$V" --db "$U" serve --listen "127.0.0.1:$port" --access-log off --threads 2 2> "$T/serve.err" &
srv=$!
for i in $(seq 1 50); do curl -s "http://127.0.0.1:$port/healthz" > /dev/null 2>&1 && break; sleep 0.2; done
# matching: a bank entry, a token used before the outage and one never used
pdq=$(printf 'f%.0s' $(seq 1 64))
"$V" --db "$U" bank create outage > /dev/null
"$V" --db "$U" bank add outage --pdq "$pdq" --label entity=outage-group > /dev/null
tok2=$("$V" --db "$U" user add fresh --role analyst --agency EU 2> /dev/null | tail -n 1)
match() { # match TOKEN: POST /v1/match of the entry's hash; the body in $T/m, the status printed
    curl -s -m 20 -o "$T/m" -D "$T/mh" -w '%{http_code}' -X POST -H "Authorization: Bearer $1" \
        -H 'Content-Type: application/json' -d "{\"hashes\":[\"pdq:$pdq\"]}" "http://127.0.0.1:$port/v1/match"
}
sleep 0.5 # the live thread applies the new entry
c=$(match "$tok")
[ "$c" = 200 ] && grep -q 'outage-group' "$T/m" && ok match_before_outage \
    || bad match_before_outage "$c" "$(cat "$T/m")"
# the writer: one report after the other, each line "N CODE"
(
    for i in $(seq 1 150); do
        c=$(curl -s -m 20 -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $tok" \
            -H 'Content-Type: application/json' \
            -d "{\"op\":\"fault\",\"url\":\"https://t.me/s/fault/$i\",\"type\":\"post\"}" \
            "http://127.0.0.1:$port/v1/items")
        echo "$i $c"
        sleep 0.1
    done
) > "$T/codes" &
writer=$!
sleep 1.5
$AS "$PGBIN/pg_ctl" -D "$D/data" -m immediate stop > /dev/null 2>&1
sleep 0.3
t0=$(date +%s%N)
run curl -s -m 20 -D "$T/h" -H "Authorization: Bearer $tok" "http://127.0.0.1:$port/v1/items?op=fault"
t1=$(date +%s%N)
ms=$(((t1 - t0) / 1000000))
grep -q '^HTTP/1.1 503' "$T/h" && ok outage_is_503 || bad outage_is_503 "$(head -n 1 "$T/h")" "$out"
grep -qi '^Retry-After: [0-9]' "$T/h" && ok outage_retry_after || bad outage_retry_after "$(cat "$T/h")"
[ "$ms" -lt 10000 ] && ok outage_answer_fast || bad outage_answer_fast "${ms} ms"
echo "    a request during the outage: $(head -n 1 "$T/h" | tr -d '\r') in ${ms} ms"
# matching goes on from memory for the token verified before the outage
c=$(match "$tok")
[ "$c" = 200 ] && grep -q '"bank":"outage"' "$T/m" && grep -q 'outage-group' "$T/m" && ok outage_match_from_memory \
    || bad outage_match_from_memory "$c" "$(cat "$T/m")"
echo "    POST /v1/match during the outage, known token: $c $(head -c 160 "$T/m")"
c=$(match "$tok2")
[ "$c" = 503 ] && grep -qi '^Retry-After: [0-9]' "$T/mh" && ok outage_unknown_token_503 \
    || bad outage_unknown_token_503 "$c" "$(cat "$T/m")"
c=$(curl -s -m 20 -o /dev/null -D "$T/wh" -w '%{http_code}' -X POST -H "Authorization: Bearer $tok" \
    -H 'Content-Type: application/json' -d '{"op":"fault","url":"https://t.me/s/fault/w1","type":"post"}' \
    "http://127.0.0.1:$port/v1/items")
[ "$c" = 503 ] && grep -qi '^Retry-After: [0-9]' "$T/wh" && ok outage_write_503 || bad outage_write_503 "$c" "$(cat "$T/wh")"
sleep 1
$AS "$PGBIN/pg_ctl" -D "$D/data" -l "$D/server.log" -w -t 30 start > /dev/null 2>&1
wait "$writer"
c=$(match "$tok2")
[ "$c" = 200 ] && grep -q '"bank":"outage"' "$T/m" && ok match_after_restart || bad match_after_restart "$c" "$(cat "$T/m")"
n503=$(grep -c ' 503$' "$T/codes")
n201=$(grep -c ' 201$' "$T/codes")
other=$(grep -vcE ' (201|503)$' "$T/codes")
echo "    150 reports: $n201 acknowledged (201), $n503 refused during the outage (503), $other other"
[ "$n503" -gt 0 ] && ok writes_refused_during_outage || bad writes_refused_during_outage "no 503 (outage too short?)"
[ "$other" -eq 0 ] && ok no_500_no_hang || bad no_500_no_hang "$(grep -vE ' (201|503)$' "$T/codes" | head -5)"
tail -n 1 "$T/codes" | grep -q ' 201$' && ok reconnects_by_itself || bad reconnects_by_itself "$(tail -n 3 "$T/codes")" \
    "$(curl -s -X POST -H "Authorization: Bearer $tok" -H 'Content-Type: application/json' \
        -d '{"op":"fault","url":"https://t.me/s/fault/x1","type":"post"}' "http://127.0.0.1:$port/v1/items")"
"$V" --db "$U" item list --op fault --limit 10000 > "$T/items"
lost=0
for i in $(grep ' 201$' "$T/codes" | cut -d' ' -f1); do
    grep -q "https://t.me/fault/$i\$" "$T/items" || lost=$((lost + 1))
done
[ "$lost" -eq 0 ] && ok no_acknowledged_write_lost || bad no_acknowledged_write_lost "$lost lost"
run "$V" --db "$U" audit verify
expect audit_chain_after_crash 0 "audit chain intact"
kill "$srv" 2> /dev/null; wait "$srv" 2> /dev/null
grep -qi "segmentation\|abort" "$T/serve.err" && bad server_survived "$(tail -n 5 "$T/serve.err")" || ok server_survived
finish
