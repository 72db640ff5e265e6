#!/bin/sh
# tests/cli_case.sh - the case store from the command line: actors,
# operations, intake and deduplication, import errors by line, new
# platforms, holds, referral files, outcomes, removal orders with the clock,
# reports, the audit chain; and durability under kill -9 (during an import,
# and during a stream of acknowledged single writes).
SUITE=cli_case
. "$(dirname "$0")/lib_cli.sh"

D="$T/case.db"
C="$V --db $D"
jget() { # jget KEY: the number after "KEY": in $out
    printf '%s' "$out" | grep -o "\"$1\":[0-9.]*" | head -n 1 | cut -d: -f2
}

run $C agency add EU --name "EU unit" ;            expect agency_add 0 "agency EU added"
run $C agency add DE --country de ;                expect agency_add_country 0
run $C agency add FR ;                             expect agency_add_fr 0
run $C agency add eu ;                             expect agency_duplicate 1 "" "exists already"
run $C agency add "bad code" ;                     expect agency_bad_code 1 "" "only letters"
run $C agency list ;                               expect agency_list 0 "DE +DE"
run $C user add ana-eu --role analyst --agency EU ; expect user_add 0
run $C user add ana-de --role analyst --agency DE ; expect user_add_de 0
run $C user add ana-fr --role analyst --agency FR ; expect user_add_fr 0
run $C user add rev --role reviewer --agency EU ;  expect user_add_reviewer 0
run $C user add coord --role coordinator --agency EU ; expect user_add_coordinator 0
run $C user add tg --role liaison --platform Telegram ; expect user_add_liaison 0
run $C user add x --role chief --agency EU ;       expect user_bad_role 1 "" "unknown role"
run $C user add x --role analyst ;                 expect user_no_tenant 2
run $C user list --json ;                          expect user_list 0 '"name":"tg","role":"liaison"'
run $C op create day1 --coordinator EU --participant DE --start 2026-01-10T09:00+01:00 --end 2026-01-12
expect op_create 0 "operation day1 created"
run $C op create day1 --coordinator EU ;           expect op_duplicate 1 "" "exists already"
run $C op create day2 --coordinator EU --start tomorrow ; expect op_bad_time 1 "" "ISO 8601"
run $C op list ;                                   expect op_list 0 "day1 +EU +open"
run $C op show day1 --json ;                       expect op_show 0 '"start":"2026-01-10T08:00:00Z"'
run $C --help ;                                    expect help_lists_commands 0 "refer"

# intake and deduplication
run $C item add day1 "https://www.youtube.com/watch?v=EXAMPLE01" --type video --lang ar --by ana-eu
expect item_add 0 "^1,identified,new,https://youtube.com/watch\?v=EXAMPLE01$"
run $C item add day1 "https://youtu.be/EXAMPLE01?si=x" --lang en --by ana-de
expect item_merge_variant 0 "^1,identified,merged,"
run $C item add day1 "https://m.youtube.com/shorts/EXAMPLE01" --by ana-de --json
expect item_merge_json 0 '"id":1,.*"created":false'
run $C item show 1 --json
expect item_history_two_reporters 0 '"agency":"EU".*"agency":"DE"'
run $C item add day1 "ftp://example.org/x" --by ana-eu ; expect item_bad_url 1 "" "url:"
run $C item add day1 "https://t.me/examplechannel/1" --lang xx --by ana-eu ; expect item_bad_lang 1 "" "unknown language"
run $C item add day1 "https://t.me/examplechannel/1" --type movie --by ana-eu ; expect item_bad_type 1 "" "unknown content type"
run $C item add day1 "https://t.me/examplechannel/1" --by ana-fr ; expect item_other_agency 1 "" "does not take part"
run $C item add nope "https://t.me/examplechannel/1" ; expect item_no_op 1 "" "no operation"
run $C item add day1 ;                             expect item_usage 2
run $C item add day1 "https://files.newhost.example/f/1" --type publication --by ana-eu
expect item_new_platform 0 ",new,https://files.newhost.example/f/1"
run $C platform list --new ;                       expect platform_list_new 0 "files.newhost.example +other +new +1"
run $C platform edit files.newhost.example --kind file_sharing --status known --contact abuse@newhost.example
expect platform_edit 0
run $C platform list --new --json ;                expect platform_reviewed 0 '^\[\]$'
run $C platform add "Example Forum" --kind forum --domain forum.example.net --channel web_form
expect platform_add 0
run $C platform add "Bad" --kind spaceship ;       expect platform_bad_kind 1 "" "unknown platform kind"

# import: bad rows by line, nothing written; then --skip-bad
cat > "$T/bad.csv" <<CSV
url,type,language,affiliation,outlet,observed_at,analyst
https://t.me/examplechannel/10,post,ar;en,group-a,outlet-1,2026-01-10T10:00Z,ana-eu
https://t.me/examplechannel/11,post,klingon,,,,ana-eu
not a url,post,ar,,,,ana-de
https://t.me/examplechannel/12,post,ar,,,,nobody
CSV
run $C item import day1 "$T/bad.csv"
expect import_bad_rows 1 "" "bad.csv:3: unknown language"
printf '%s\n' "$err" | grep -q "bad.csv:4: url" && printf '%s\n' "$err" | grep -q "bad.csv:5: no user" \
    && ok import_lines || bad import_lines "$err"
run $C item show 5 ;                               expect import_wrote_nothing 1 "" "no item 5"
run $C item import day1 "$T/bad.csv" --skip-bad --json
expect import_skip_bad 1 '"created":1,.*"bad":3'
printf 'url,colour\nhttps://x.com/a,red\n' > "$T/hdr.csv"
run $C item import day1 "$T/hdr.csv" ;             expect import_bad_header 1 "" "unknown column 'colour'"
run $C item import day1 "$T/missing.csv" ;         expect import_missing_file 1 "" "missing.csv"

# holds
run $C hold add --agency DE --account Telegram:examplechannel --reason "investigation" --by ana-de
expect hold_add 0 "^1$"
run $C item add day1 "https://t.me/s/examplechannel/20" --by ana-eu
expect item_held_at_intake 0 ",held,new,"
held=$(echo "$out" | cut -d, -f1)
run $C item assess "$held" --by rev ;              expect held_not_assessable 1 "" "held"
run $C hold release 1 --by ana-eu ;                expect hold_release_wrong_agency 1 "" "another agency"
run $C hold list --json ;                          expect hold_still_active 0 '"active":true'
run $C hold release 1 --by ana-de ;                expect hold_release 0
run $C item show "$held" --json ;                  expect item_back_after_release 0 '"state":"identified"'
run $C hold add --agency DE --prefix https://x.com/a --reason r --by ana-eu ; expect hold_other_agency 1 "" "own agency"
run $C hold add --agency DE --reason r ;           expect hold_usage 2

# assessment, referral files, outcomes
run $C item assess 1 3 "$held" --by rev ;          expect assess 0
run $C item reject 5 --by rev ;                    expect reject_needs_note 2
run $C refer day1 --by ana-eu ;                    expect refer_needs_coordinator 1 "" "may not refer"
run $C refer day1 --out "$T/ref" --by coord --at 2026-01-10T12:00:00Z
expect refer 0 "^[0-9]+,Telegram,2$"
ls "$T/ref"/referral-*.json > /dev/null 2>&1 && ls "$T/ref"/referral-*.csv > /dev/null 2>&1 \
    && ok refer_files || bad refer_files "$(ls "$T/ref" 2>&1)"
grep -q '"canonical_url": "https://youtube.com/watch?v=EXAMPLE01"' "$T"/ref/referral-*.json \
    && ok refer_json_document || bad refer_json_document "$(cat "$T"/ref/*.json)"
grep -q '^[0-9]*,"YouTube",1,"https://www.youtube.com/watch?v=EXAMPLE01"' "$T"/ref/referral-*.csv \
    && ok refer_csv_document || bad refer_csv_document "$(cat "$T"/ref/*.csv)"
run $C outcome 1 removed --at 2026-01-10T12:30:00Z --by tg ; expect outcome_wrong_platform 1 "" "no item 1"
run $C outcome 1 removed --at 2026-01-10T12:30:00Z --by coord ; expect outcome 0 "^1,removed$"
run $C outcome 1 declined --by coord ;             expect outcome_illegal 1 "" "cannot go from removed to declined"
run $C outcome "$held" removed --at 2026-01-10T13:00:00Z --by tg ; expect outcome_liaison 0
run $C outcome 1 vanished ;                        expect outcome_bad 1 "" "unknown outcome"
run $C item add day1 "https://youtu.be/EXAMPLE01" --by ana-de
expect reupload_same_url 0 ",new,https://youtube.com/watch\?v=EXAMPLE01,reupload-of:1$"

# removal orders and the one-hour clock
export VIGIL_NOW=2026-01-10T10:30:00Z
run $C order create --authority DE --item 3 --received 2026-01-10T10:00:00Z ; expect order_create 0 "^1$"
run $C order create --authority EU --url https://t.me/examplechannel/99 --received 2026-01-10T09:00:00Z
expect order_create_url 0 "^2$"
run $C order create --authority EU ;               expect order_usage 2
run $C order create --authority EU --url https://nowhere.example/x ; expect order_unknown_platform 1 "" "--platform"
run $C order list ;                                expect order_list_clock 0 "left 0h30m"
run $C order list --overdue --json ;               expect order_overdue 0 '"id":2,.*"overdue":true'
run $C order ack 1 --at 2026-01-10T10:05:00Z --by tg ; expect order_ack 0
run $C order done 1 --at 2026-01-10T10:40:00Z --by tg ; expect order_done 0
run $C order done 1 ;                              expect order_done_twice 1 "" "closed already"
run $C order fail 2 --reason because ;             expect order_fail_reason 1 "" "force_majeure"
run $C order fail 2 --reason manifest_error ;      expect order_fail 0
unset VIGIL_NOW
run $C item show 3 --json ;                        expect order_removes_item 0 '"state":"removed"'

# reports
run $C report day1 --json
expect report_json 0 '"items":'
for k in items languages platforms referred removed removal_rate median_removal_seconds; do
    printf '%s' "$out" | grep -q "\"$k\":" || bad "report_key_$k" "$out"
done
[ "$(jget items)" = 5 ] && [ "$(jget platforms)" = 3 ] && [ "$(jget new_platforms)" = 1 ] \
    && [ "$(jget removed)" = 3 ] && [ "$(jget median_removal_seconds)" = 2700 ] \
    && [ "$(jget p90_removal_seconds)" = 3600 ] && [ "$(jget reuploads)" = 1 ] \
    && ok report_figures || bad report_figures "$out"
run $C report day1 ;                               expect report_text 0 "^day1: 5 items in 2 languages on 3 platforms \(1 new\)"
run $C report --tco 2026 --json ;                  expect report_tco 0 '"orders_received":2,"orders_acted_on":1'
run $C report nope ;                               expect report_no_op 1 "" "no operation"
# the running totals counted again: right, so nothing corrected; admins only; audited
run $C report --recount ;                          expect report_recount_all 0 "every operation: running totals counted again, 0 counts corrected"
run $C report --recount day1 --json ;              expect report_recount_op 0 '"operation":"day1","corrected":0'
run $C report --recount day1 --by coord ;          expect report_recount_not_admin 1 "" "admin"
run $C report --recount nope ;                     expect report_recount_no_op 1 "" "no operation"
run $C report --recount day1 day2 ;                expect report_recount_usage 2 "" "usage"
run $C audit log --limit 3 --json ;                expect report_recount_audited 0 '"action":"report.recount"'
run $C item audit 1 ;                              expect item_audit 0 "item\.create by ana-eu$"
run $C item audit 1 --limit 1 --json ;             expect item_audit_json 0 '^\[\{"id":[0-9]*,"at":"[^"]*","actor":"[^"]*","action":"item\.[a-z_]*","changed":\['
run $C item audit 1 --by tg ;                      expect item_audit_liaison 1 "" "may not"
run $C item audit 999 ;                            expect item_audit_no_item 1 "" "no item 999"
run $C report day1 ;                               expect report_after_recount 0 "^day1: 5 items in 2 languages on 3 platforms \(1 new\)"

# content clusters: the same content on two platforms
run $C item add day1 "https://t.me/copychannel/1" --hash md5:0123456789abcdef0123456789abcdef --by ana-eu
expect cluster_item_a 0 ",identified,new,"
ca=$(printf '%s' "$out" | cut -d, -f1)
run $C item add day1 "https://vk.com/wall-7_7" --hash md5:0123456789ABCDEF0123456789ABCDEF --by ana-de
expect cluster_item_b 0 ",identified,new,"
run $C cluster list day1 ;                         expect cluster_list 0 "^$ca +2 +2 +2 +0 .*Telegram;VK"
run $C cluster list day1 --json ;                  expect cluster_list_json 0 "\"id\":$ca,\"items\":2,\"platform_count\":2"
run $C cluster list day1 --by tg ;                 expect cluster_list_liaison 1 "" "may not see content clusters"
run $C cluster list nope ;                         expect cluster_list_no_op 1 "" "no operation"
run $C cluster list ;                              expect cluster_list_usage 2 "" "OP"
run $C cluster refer day1 abc ;                    expect cluster_refer_bad_id 2
run $C cluster refer day1 $ca --by ana-eu ;        expect cluster_refer_analyst 1 "" "may not refer"
run $C cluster refer day1 $ca ;                    expect cluster_refer_none 0 "nothing referred"
run $C cluster refer day1 999999 ;                 expect cluster_refer_no_cluster 1 "" "no cluster 999999"
run $C report day1 ;                               expect report_contents 0 "distinct contents"
run $C item show $ca --json ;                      expect item_cluster 0 '"cluster":\{"id":'"$ca"',"items":2'
# the queue's filters and orders
run $C item list --op day1 --agency DE --sort -id --json ; expect item_list_agency 0 '"next_offset":null'
run $C item list --op day1 --reporter ana-de --sort platform --limit 1 ; expect item_list_reporter 0 "VK" "more: --offset 1"
run $C item list --op day1 --sort colour ;         expect item_list_bad_sort 1 "" "unknown order"

# content clusters by near-duplicate text and matching video (generated
# videos and placeholder texts only), in an operation of their own
run $C op create day3 --coordinator EU --participant DE ; expect op_day3 0
s1="The allotment society meets on Sunday at the community hall. We will share seeds, plan the
autumn planting and repair the fence by the pond. Bring a cup and warm clothes. The treasurer
will read the accounts, and new members can sign up at the door. Parking is free behind the hall."
printf '%s\n' "$s1" > "$T/s1.txt"
printf '%s\n' "$s1" | sed 's/Bring a cup and warm clothes./Soup and bread will be served at noon./' > "$T/s2.txt"
printf '%s\n' "The swimming pool closes for cleaning on Monday. Lessons move to Tuesday evening, and
the sauna stays open as usual. Lockers need a coin." > "$T/s3.txt"
run $C item add day3 "https://t.me/gardenchannel/1" --text "$T/s1.txt" --by ana-eu ; expect text_item_a 0 ",new,"
ta=$(printf '%s' "$out" | cut -d, -f1)
run $C item add day3 "https://vk.com/wall-9_1" --text "$T/s2.txt" --by ana-de ; expect text_item_b 0 ",new,"
tb=$(printf '%s' "$out" | cut -d, -f1)
run $C item add day3 "https://x.com/pool/status/1" --text "$T/s3.txt" --by ana-eu ; expect text_item_c 0 ",new,"
tc=$(printf '%s' "$out" | cut -d, -f1)
run $C item show $tb --json ;                      expect text_near_duplicate 0 '"cluster":\{"id":'"$ta"',"items":2'
run $C item show $tc --json ;                      expect text_unrelated 0 '"cluster":\{"id":'"$tc"',"items":1'
if "$B/gen-video" --size 96x72 --fps 5 --seconds 12 --seed 61 "$T/v1.mp4" > /dev/null 2>&1 \
    && "$B/gen-video" --size 64x48 --fps 10 --seconds 12 --seed 61 --bitrate 80000 --format matroska "$T/v2.mkv" > /dev/null 2>&1 \
    && "$B/gen-video" --size 96x72 --fps 5 --seconds 12 --seed 62 "$T/v3.mp4" > /dev/null 2>&1; then
    run $V hash --vpdq "$T/v1.mp4" ;               expect video_hash_vpdq 0 "^vpdq1:"
    printf '%s\n' "$out" > "$T/v1.vpdq"
    run $C item add day3 "https://t.me/gardenchannel/2" --vpdq "$T/v1.vpdq" --type video --by ana-eu
    expect video_item_a 0 ",new,"
    va=$(printf '%s' "$out" | cut -d, -f1)
    run $C item add day3 "https://www.youtube.com/watch?v=EXAMPLE0061" --video "$T/v2.mkv" --type video --by ana-de
    expect video_item_b 0 ",new,"
    vb=$(printf '%s' "$out" | cut -d, -f1)
    run $C item add day3 "https://rumble.com/vexample61.html" --video "$T/v3.mp4" --type video --by ana-eu
    vc=$(printf '%s' "$out" | cut -d, -f1)
    run $C item show $vb --json ;                  expect video_matching 0 '"cluster":\{"id":'"$va"',"items":2'
    run $C item show $vc --json ;                  expect video_other 0 '"cluster":\{"id":'"$vc"',"items":1'
    run $C cluster list day3 ;                     expect cluster_list_text_video 0 "^$va +2 +2 "
else
    bad gen_cluster_videos "gen-video failed"
fi
printf 'vpdq1:not-base64\n' > "$T/bad.vpdq"
run $C item add day3 "https://t.me/gardenchannel/9" --vpdq "$T/bad.vpdq" ; expect vpdq_malformed 1 "" "bad.vpdq: "
run $C item add day3 "https://t.me/gardenchannel/9" --vpdq "$T/none.vpdq" ; expect vpdq_missing_file 1 "" "none.vpdq"
run $C item add day3 "https://t.me/gardenchannel/9" --vpdq "$T/bad.vpdq" --video "$T/v1.mp4" ; expect vpdq_and_video 2 "" "one of --vpdq"
run $C item list --op day3 --json ;                expect vpdq_malformed_wrote_nothing 0 '"items":\[' 
printf '%s' "$out" | grep -q "gardenchannel/9" && bad vpdq_malformed_no_item "$out" || ok vpdq_malformed_no_item
printf 'url,vpdq\nhttps://t.me/gardenchannel/9,vpdq1:AAAA\n' > "$T/badv.csv"
run $C item import day3 "$T/badv.csv" ;            expect import_bad_vpdq 1 "" "badv.csv:2: vpdq: "
printf 'url,text\nhttps://t.me/gardenchannel/10,"%s"\n' "$(cat "$T/s2.txt")" > "$T/text.csv"
run $C item import day3 "$T/text.csv" --json ;     expect import_text 0 '"created":1'
run $C item show $ta --json ;                      expect import_text_joins 0 '"cluster":\{"id":'"$ta"',"items":3'

# audit
run $C audit verify ;                              expect audit_verify 0 "audit chain intact: [0-9]+ events"
run $C audit log --entity item --id 1 --json ;     expect audit_log 0 '"action":"item.removed"'

# durability: kill -9 during an import (one transaction: all or nothing)
run $C op create bulk --coordinator EU ;           expect op_bulk 0
i=0
{ echo "url,type,language,analyst"; while [ $i -lt 4000 ]; do i=$((i + 1)); echo "https://t.me/bulkchannel/$i,post,ar,ana-eu"; done; } > "$T/bulk.csv"
consistent=1
for delay in 0.05 0.15 0.3 0.5; do
    $C -q item import bulk "$T/bulk.csv" > /dev/null 2>&1 &
    pid=$!
    sleep $delay
    kill -9 $pid 2> /dev/null
    wait $pid 2> /dev/null
    run $C report bulk --json
    n=$(jget items)
    [ "$n" = 0 ] || [ "$n" = 4000 ] || { consistent=0; echo "    after kill at $delay s: $n items"; }
    [ "$n" = 4000 ] && break
done
run $C audit verify
[ $consistent = 1 ] && [ $rc = 0 ] && ok kill9_import_all_or_nothing || bad kill9_import_all_or_nothing "$out $err"

# durability: every acknowledged single write survives kill -9
: > "$T/acked"
(
    i=0
    while [ $i -lt 400 ]; do
        i=$((i + 1))
        $C -q item add bulk "https://x.com/i/status/9$i" > /dev/null 2>&1 && echo "$i" >> "$T/acked"
    done
) &
loop=$!
sleep 1
pkill -9 -f "vigil --db $D" 2> /dev/null
kill -9 $loop 2> /dev/null
wait $loop 2> /dev/null
pkill -9 -f "vigil --db $D" 2> /dev/null
sleep 0.2
run $C item list --op bulk --limit 10000 --json
lost=0
for i in $(cat "$T/acked"); do
    printf '%s' "$out" | grep -q "\"https://x.com/i/status/9$i\"" || lost=$((lost + 1))
done
acked=$(wc -l < "$T/acked")
run $C audit verify
[ "$lost" = 0 ] && [ "$acked" -gt 0 ] && [ $rc = 0 ] && ok "kill9_acknowledged_writes_kept ($acked acked)" \
    || bad kill9_acknowledged_writes_kept "lost $lost of $acked" "$err"

# the demo generator
run $V --db "$T/demo.db" demo --items 150 ;        expect demo 0 "demo-action-day"
run $V --db "$T/demo.db" report demo-action-day ;  expect demo_report 0 "items in 8 languages"
run $V --db "$T/demo.db" demo ;                    expect demo_twice 1 "" "already"
finish
