#!/bin/sh
# tests/pg_fault.sh - PostgreSQL killed under load (issue 13, part 6): a
# writer reports items through `vigil serve` while the server is stopped
# with `pg_ctl stop -m immediate` and started again.  Requests during the
# outage get 503 with Retry-After at once (no hang, no 500), except POST
# /v1/match with a token the server verified before the outage: that one
# is answered from memory (200, the right match; a token never seen gets
# 503; so is a video (vPDQ) and a TMK value that matched before the
# outage, and an unrelated video gets 200 with no match); the server reconnects by itself; every acknowledged (201) item is in the store
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
# port 0: the system picks a free port, which the banner names (as cli_live.sh, pg_multi.sh)
: > "$T/serve.err"
"$V" --db "$U" serve --listen "127.0.0.1:0" --access-log off --threads 2 2> "$T/serve.err" &
srv=$!
port=""
for i in $(seq 1 50); do
    port=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\).*|\1|p' "$T/serve.err")
    [ -n "$port" ] && curl -s "http://127.0.0.1:$port/healthz" > /dev/null 2>&1 && break
    sleep 0.2
done
if [ -z "$port" ]; then
    bad server_started "no port in its banner" "$(cat "$T/serve.err")"
    kill "$srv" 2> /dev/null; wait "$srv" 2> /dev/null
    finish
    exit
fi
# matching: a bank entry, a token used before the outage and one never used
pdq=$(printf 'f%.0s' $(seq 1 64))
"$V" --db "$U" bank create outage > /dev/null
"$V" --db "$U" bank add outage --pdq "$pdq" --label entity=outage-group > /dev/null
tok2=$("$V" --db "$U" user add fresh --role analyst --agency EU 2> /dev/null | tail -n 1)
match() { # match TOKEN: POST /v1/match of the entry's hash; the body in $T/m, the status printed
    curl -s -m 20 -o "$T/m" -D "$T/mh" -w '%{http_code}' -X POST -H "Authorization: Bearer $1" \
        -H 'Content-Type: application/json' -d "{\"hashes\":[\"pdq:$pdq\"]}" "http://127.0.0.1:$port/v1/match"
}
# video and TMK: a bank video (vPDQ and TMK entries of one file), an unrelated video
G="$B/gen-video"
vid=0
if [ -x "$G" ] && "$G" --size 96x72 --fps 5 --seconds 60 --seed 21 "$T/orig.mp4" 2> /dev/null &&
    "$G" --size 96x72 --fps 5 --seconds 20 --seed 22 --format avi "$T/other.avi" 2> /dev/null; then
    "$V" --db "$U" bank create voutage > /dev/null
    "$V" --db "$U" bank add voutage --video "$T/orig.mp4" --label entity=video-group > /dev/null
    "$V" --db "$U" bank add voutage --tmk "$T/orig.mp4" --label entity=tmk-group > /dev/null
    # a second bank video, never queried before the outage: its signature is not in memory
    "$G" --size 96x72 --fps 5 --seconds 20 --seed 23 "$T/twin.mp4" 2> /dev/null
    "$V" --db "$U" bank add voutage --tmk "$T/twin.mp4" --label entity=twin > /dev/null
    for f in orig other twin; do
        ext=mp4; [ $f = other ] && ext=avi
        printf '{"hashes":["%s"]}' "$("$V" hash --vpdq "$T/$f.$ext" | cut -d, -f1)" > "$T/$f.vpdq.json"
        printf '{"hashes":["%s"]}' "$("$V" hash --tmk "$T/$f.$ext" | cut -d, -f1)" > "$T/$f.tmk.json"
    done
    vid=1
fi
vmatch() { # vmatch TOKEN FILE: POST /v1/match of a JSON body file; the body in $T/m, the status printed
    curl -s -m 20 -o "$T/m" -D "$T/mh" -w '%{http_code}' -X POST -H "Authorization: Bearer $1" \
        -H 'Content-Type: application/json' --data-binary "@$2" "http://127.0.0.1:$port/v1/match"
}
vcheck() { # vcheck NAME FILE BANK|none: 200 and a match of BANK (none: no match)
    v0=$(date +%s%N)
    c=$(vmatch "$tok" "$2")
    vms=$((($(date +%s%N) - v0) / 1000000))
    if [ "$3" = none ]; then
        [ "$c" = 200 ] && grep -q '"matches":\[\]' "$T/m" && ok "$1" || bad "$1" "$c" "$(head -c 300 "$T/m")"
    else
        [ "$c" = 200 ] && grep -q "\"bank\":\"$3\"" "$T/m" && ok "$1" || bad "$1" "$c" "$(head -c 300 "$T/m")"
    fi
}
sleep 0.5 # the live thread applies the new entry
c=$(match "$tok")
[ "$c" = 200 ] && grep -q 'outage-group' "$T/m" && ok match_before_outage \
    || bad match_before_outage "$c" "$(cat "$T/m")"
if [ "$vid" = 1 ]; then # loads the video and TMK matchers, and they copy what they found
    vcheck video_match_before_outage "$T/orig.vpdq.json" voutage
    vcheck tmk_match_before_outage "$T/orig.tmk.json" voutage
    grep -q 'tmk-group' "$T/m" && ok tmk_labels_before_outage || bad tmk_labels_before_outage "$(head -c 300 "$T/m")"
else
    skip video_outage "no $G (make $G)"
fi
# the writer: one report after the other, each line "N CODE", until 10
# reports after the restart (at most 600: an outage stretched by a busy
# machine still ends with reports after it)
(
    i=0 after=0
    while [ "$after" -lt 10 ] && [ "$i" -lt 600 ]; do
        i=$((i + 1))
        [ -e "$T/restarted" ] && after=$((after + 1))
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
if [ "$vid" = 1 ]; then
    vcheck outage_video_match_from_memory "$T/orig.vpdq.json" voutage
    grep -q 'video-group' "$T/m" && ok outage_video_labels || bad outage_video_labels "$(head -c 300 "$T/m")"
    echo "    a video (vPDQ) during the outage: $c in $vms ms $(head -c 160 "$T/m")"
    vcheck outage_video_unrelated_no_match "$T/other.vpdq.json" none
    echo "    an unrelated video during the outage: $c in $vms ms"
    vcheck outage_tmk_match_from_memory "$T/orig.tmk.json" voutage
    grep -q 'tmk-group' "$T/m" && grep -q '"level2":' "$T/m" && ok outage_tmk_labels \
        || bad outage_tmk_labels "$(head -c 300 "$T/m")"
    echo "    a TMK value during the outage: $c in $vms ms $(head -c 160 "$T/m")"
    vcheck outage_tmk_unrelated_no_match "$T/other.tmk.json" none
    echo "    an unrelated TMK value during the outage: $c in $vms ms"
    c=$(vmatch "$tok" "$T/twin.tmk.json") # level 2 needs the store: 503, never a guess
    [ "$c" = 503 ] && grep -qi '^Retry-After: [0-9]' "$T/mh" && grep -q 'signature is not in memory' "$T/m" \
        && ok outage_tmk_candidate_not_kept_503 || bad outage_tmk_candidate_not_kept_503 "$c" "$(head -c 300 "$T/m")"
    echo "    a TMK level-1 candidate not matched before the outage: $c $(head -c 240 "$T/m")"
fi
c=$(match "$tok2")
[ "$c" = 503 ] && grep -qi '^Retry-After: [0-9]' "$T/mh" && ok outage_unknown_token_503 \
    || bad outage_unknown_token_503 "$c" "$(cat "$T/m")"
c=$(curl -s -m 20 -o /dev/null -D "$T/wh" -w '%{http_code}' -X POST -H "Authorization: Bearer $tok" \
    -H 'Content-Type: application/json' -d '{"op":"fault","url":"https://t.me/s/fault/w1","type":"post"}' \
    "http://127.0.0.1:$port/v1/items")
[ "$c" = 503 ] && grep -qi '^Retry-After: [0-9]' "$T/wh" && ok outage_write_503 || bad outage_write_503 "$c" "$(cat "$T/wh")"
echo "    outage checks done at $(date +%T.%N | cut -c1-12), writer at $(tail -n 1 "$T/codes")"
sleep 1
$AS "$PGBIN/pg_ctl" -D "$D/data" -l "$D/server.log" -w -t 30 start > /dev/null 2>&1
touch "$T/restarted"
wait "$writer"
c=$(match "$tok2")
[ "$c" = 200 ] && grep -q '"bank":"outage"' "$T/m" && ok match_after_restart || bad match_after_restart "$c" "$(cat "$T/m")"
if [ "$vid" = 1 ]; then
    vcheck video_match_after_restart "$T/orig.vpdq.json" voutage
    vcheck tmk_match_after_restart "$T/orig.tmk.json" voutage
    vcheck tmk_twin_after_restart "$T/twin.tmk.json" voutage
    grep -q '"twin"' "$T/m" && ok tmk_twin_labels_after_restart || bad tmk_twin_labels_after_restart "$(head -c 300 "$T/m")"
fi
n503=$(grep -c ' 503$' "$T/codes")
n201=$(grep -c ' 201$' "$T/codes")
other=$(grep -vcE ' (201|503)$' "$T/codes")
echo "    $(wc -l < "$T/codes") reports: $n201 acknowledged (201), $n503 refused during the outage (503), $other other"
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
