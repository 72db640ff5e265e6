#!/bin/sh
# tests/cli_opts.sh - the command line's option handling (cli/opt.c), the
# same for every command: options before, between and after the operands,
# `--`, `-` (stdin), unknown and other subcommands' options, malformed
# numbers, --help everywhere, exit 1 when the store cannot be opened; the
# video commands (vpdq convert|compare, tmk score|match|export) on generated
# videos and their hashes (gen-video).  Usage: tests/cli_opts.sh BUILD_DIR
SUITE=cli-opts
. "$(dirname "$0")/lib_cli.sh"

"$B/gen-samples" "$T/s" > /dev/null || { echo "gen-samples failed"; echo "cli-opts: 0 passed, 1 failed"; exit 1; }
S="$T/s"
HEX='[0-9a-f]{64}'
D="$T/o.db"
C="$V --db $D"
Z=0000000000000000000000000000000000000000000000000000000000000000
F=000000000000000000000000000000000000000000000000000000000000000f
# a generated video, its vPDQ reference file and its .tmk; -ref.txt, -a.tmk: names that
# look like options (for `--`), used from inside $T with the binary's absolute path
mkdir -p "$T/vid"
VA=$(cd "$(dirname "$V")" && pwd)/vigil
{ "$B/gen-video" --size 64x48 --fps 5 --seconds 6 --seed 3 "$T/vid/v.mp4" &&
  "$V" hash --vpdq-reference "$T/vid/v.mp4" > "$T/vid/ref.txt" &&
  "$V" hash --vpdq-reference --seconds-per-hash 0 "$T/vid/v.mp4" > "$T/vid/dense.txt" &&
  "$V" hash --tmk -o "$T/vid/a.tmk" "$T/vid/v.mp4" &&
  cp "$T/vid/ref.txt" "$T/vid/-ref.txt" && cp "$T/vid/a.tmk" "$T/vid/-a.tmk"; } ||
    { echo "gen-video or hashing it failed"; echo "cli-opts: 0 passed, 1 failed"; exit 1; }
R="$T/vid/ref.txt" K="$T/vid/a.tmk"

# ---- options after and between operands, command by command -------------------
run "$V" hash "$S/logo.bmp" --json;            expect hash_after 0 '^\{"path":"[^"]*logo\.bmp","pdq":"'
[ -z "$err" ] && ok hash_after_no_error || bad hash_after_no_error "$err"
run "$V" hash "$S/logo.bmp" --all "$S/flyer.png" --json
n=$(printf '%s\n' "$out" | grep -c '"md5"')
[ "$rc" = 0 ] && [ "$n" = 2 ] && ok hash_between || bad hash_between "rc=$rc n=$n" "$err"
run "$V" hash "$S/logo.bmp" --max-pixels=100;  expect hash_after_equals 1 '' 'over the limit'
run sh -c "\"$V\" hash - --all < \"$S/logo.bmp\""; expect hash_stdin_then_option 0 "^$HEX,[0-9]+,[0-9a-f]{32},$HEX,-\$"
POSIXLY_CORRECT=1 run "$V" hash "$S/logo.bmp" --json; expect hash_posixly_correct 0 '^\{"path"'
run "$V" distance $Z --help;                   expect distance_help_after 0 '^usage: vigil distance'
run "$V" distance -- $Z $F;                    expect distance_dashdash 0 '^4,'
run "$V" url "https://t.me/s/examplechannel/1" --json; expect url_after 0 '^\{"input":'
printf 'caf\303\251 au lait, the usual morning drink of the city\n' > "$T/t.txt"
run "$V" lang "$T/t.txt" --json;               expect lang_after 0 '^\{"path":'

run $C bank create b1 --max-distance 12 --description "test bank"; expect bank_create_after 0 "^created bank 'b1'\$"
run $C bank set b1 --disable;                  expect bank_set_after 0 'disabled, max distance 12$'
run $C bank set --enable b1;                   expect bank_set_before 0 'enabled'
run $C bank add b1 --pdq $F --label k=v;       expect bank_add_after 0 '^[0-9]+$'
eid=$out
run $C bank list --json;                       expect bank_list_json 0 '"name":"b1"'
run $C bank stats b1 --json;                   expect bank_stats_after 0 '"entries":1,'
run $C bank export b1 -o "$T/b1.csv";          expect bank_export_short 0
run $C bank export b1 --output="$T/b1b.csv";   expect bank_export_equals 0
cmp -s "$T/b1.csv" "$T/b1b.csv" && ok bank_export_same || bad bank_export_same "differ"
run $C bank import b1 "$T/b1.csv" --strict;    expect bank_import_after 0 '^imported 0, unchanged 1, updated 0, bad 0$'
run $C bank remove -- b1 "$eid";               expect bank_remove_dashdash 0 "^removed entry $eid"
run $C bank delete b1 --yes;                   expect bank_delete_after 0 "^deleted bank 'b1'"

run $C bank create known;                      expect match_setup 0
logo=$("$V" hash "$S/logo.bmp" | cut -d, -f1)
$C bank add known --pdq "$logo" > /dev/null 2>&1
run $C match "$S/logo.bmp" --json --max-distance 0; expect match_after 0 '"bank":"known"'
run $C match "$S/flyer.png" "$S/logo.bmp" --bank known; expect match_between 0 ",known,"
run $C match --hash "$logo" --max-distance=10;  expect match_hash_equals 0 "^$logo,known,"

run $C agency add EU --name "EU unit";          expect agency_after 0 'agency EU added'
run $C agency add --country DE DE;              expect agency_before 0 'agency DE added'
run $C user add --role analyst ana --agency EU; expect user_between 0 '^vgl_[0-9a-f]+$'
run $C user add ana2 EU --role analyst --agency EU; expect user_two_names 2 '^$' 'give NAME'
run $C user add ana3 --agency EU --role analyst; expect user_after 0
run $C user add rev --role reviewer --agency EU; expect user_reviewer 0
run $C user add coord --role coordinator --agency EU; expect user_coordinator 0
run $C user token ana --by coord;               expect user_token_after 1 '' 'may not issue tokens'
run $C user list --json;                        expect user_list 0 '"name":"ana"'
run $C op create day1 --coordinator EU --participant DE; expect op_create_after 0 'operation day1 created'
run $C op show day1 --json;                     expect op_show_after 0 '"name":"day1"'
run $C item add day1 "https://t.me/s/examplechannel/5" --type post --lang ar --by ana
expect item_add_after 0 '^1,identified,new,https://t.me/examplechannel/5$'
run $C item add --by ana day1 --type video "https://youtu.be/EXAMPLE02" --lang en --json
expect item_add_between 0 '"id":2,.*"created":true'
run $C item add day1 --by ana -- "https://x.com/i/status/77"; expect item_add_dashdash 0 '^3,identified,new,'
run $C item show 1 --json;                      expect item_show_after 0 '"id":1'
run $C item list --op day1 --limit=2 --json;    expect item_list_equals 0 '"next":2'
run $C item assess 1 2 --by rev;                expect item_assess_after 0 '^1,assessed'
run $C item reject 3 --note "not terrorist content" --by rev; expect item_reject_after 0 '^3,rejected$'
printf 'url,type,language,analyst\nhttps://t.me/examplechannel/6,post,ar,ana\n' > "$T/items.csv"
run $C item import day1 "$T/items.csv" --json;  expect item_import_after 0 '"created":1'
run $C hold add --agency EU --reason r --prefix https://t.me/zz --by ana; expect hold_add 0 '^1$'
run $C hold release 1 --by ana;                 expect hold_release_after 0 'hold 1 released'
run $C hold list --all --json;                  expect hold_list 0 '"id":1'
run $C refer day1 --by coord --at 2026-01-10T12:00:00Z; expect refer_after 0 ',Telegram,1$'
run $C outcome 1 removed --by coord --at 2026-01-10T12:30:00Z; expect outcome_after 0 '^1,removed$'
export VIGIL_NOW=2026-01-10T10:30:00Z
run $C order create --authority EU --item 2 --received 2026-01-10T10:00:00Z; expect order_create 0 '^1$'
run $C order ack 1 --at 2026-01-10T10:05:00Z;   expect order_ack_after 0 'order 1: ack'
run $C order fail 1 --reason other;             expect order_fail_after 0 'order 1: fail'
unset VIGIL_NOW
run $C order list --json;                       expect order_list 0 '"id":1'
run $C report day1 --json;                      expect report_after 0 '"items":'
run $C order create --authority EU --item 1 --received 2026-01-10T10:00:00Z; expect order_create_2 0 '^2$'
run $C order done 2 --at 2026-01-10T10:20:00Z;  expect order_done_after 0 'order 2: done'
run $C platform add "Example Forum" --kind forum --domain forum.example.net; expect platform_add_after 0 'platform Example Forum added'
run $C platform edit "Example Forum" --status known --contact abuse@forum.example.net; expect platform_edit_after 0 'updated'
run $C platform list --json --new;              expect platform_list 0 '^\[\]$'
run $C user revoke ana3 --by coord;             expect user_revoke_after 1 '' 'may not'
run $C user revoke ana3;                        expect user_revoke 0 'user ana3 revoked'
run $C op create day2 --coordinator EU;         expect op_create_2 0
run $C op close day2 --by coord;                expect op_close_after 0 'operation day2 closed'
run $C audit log --limit 3 --json;              expect audit_log 0 '^\[\{'
run $C audit verify --json;                     expect audit_verify 0 '"ok":true'

# the video commands: options after and between the operands, `--`, `-`
run "$V" vpdq convert "$R" --to vpdq1;          expect vpdq_convert_after 0 '^vpdq1:[A-Za-z0-9+/]+=*$'
run "$V" vpdq convert "$R" "$R" --to=pytx;      expect vpdq_convert_two_after 0 '^\["[0-9a-f]{64},100,0\.0"'
run sh -c "cd \"$T/vid\" && \"$VA\" vpdq convert --to vpdq1 -- -ref.txt"; expect vpdq_convert_dashdash 0 '^vpdq1:'
run sh -c "cd \"$T/vid\" && \"$VA\" vpdq convert --to vpdq1 -ref.txt"; expect vpdq_convert_no_dashdash 2 '^$' "vpdq convert: unknown option '-ref.txt'"
run sh -c "\"$V\" vpdq convert - --to vpdq1 < \"$R\""; expect vpdq_convert_stdin 0 '^vpdq1:'
run "$V" vpdq compare "$R" --rule pytx "$R" --distance=0; expect vpdq_compare_between 0 '^pytx,100\.0,100\.0,0,match$'
run "$V" vpdq compare "$T/vid/dense.txt" "$R" --json --phase-robust --quality 0 --query-share 90 --bank-share 90.5
expect vpdq_compare_after 0 '^\{"rule":"vigil","match":true,.*"phase_robust":true\}$'
POSIXLY_CORRECT=1 run "$V" vpdq compare "$R" "$R" --rule readme; expect vpdq_posixly_correct 0 '^readme,100\.0,'
run sh -c "cd \"$T/vid\" && \"$VA\" vpdq compare -- -ref.txt ref.txt"; expect vpdq_compare_dashdash 0 '^vigil,100\.0,100\.0,'
run sh -c "cd \"$T/vid\" && \"$VA\" tmk score -- -a.tmk a.tmk"; expect tmk_score_dashdash 0 '^1\.000000,1\.000000$'
run $C bank create tv;                          expect tmk_setup 0
run $C bank add tv --tmk "$K";                  expect tmk_setup_add 0 '^[0-9]+$'
tid=$out
run $C tmk match "$K" --bank tv --json;         expect tmk_match_after 0 '^\{"query":".*","type":"tmk","candidates":1,.*"matches":\[\{"bank":"tv"'
run $C tmk match --level1 0.5 "$K" --level2=0.5 "$K"; n=$(printf '%s\n' "$out" | grep -c ",tv,$tid,")
[ "$rc" = 0 ] && [ "$n" = 2 ] && ok tmk_match_between || bad tmk_match_between "rc=$rc n=$n" "$err"
run sh -c "cd \"$T/vid\" && \"$VA\" --db \"$D\" tmk match -- -a.tmk"; expect tmk_match_dashdash 0 ",tv,$tid,"
run sh -c "cd \"$T/vid\" && \"$VA\" --db \"$D\" tmk export -- $tid -back.tmk"
cmp -s "$T/vid/-back.tmk" "$K" && [ "$rc" = 0 ] && ok tmk_export_dashdash || bad tmk_export_dashdash "rc=$rc" "$err"

# ---- unknown options, and options of another subcommand ----------------------
for cmd in hash distance match url lang serve demo refer outcome report; do
    run $C $cmd x --bogus
    expect "unknown_option_$cmd" 2 '^$' "^vigil: $cmd: unknown option '--bogus' \\(see \`vigil $cmd --help\`\\)\$"
done
for cs in "bank create" "bank list" "bank set" "bank delete" "bank add" "bank import" "bank export" \
          "bank remove" "bank stats" "agency add" "agency list" "user add" "user token" "user revoke" \
          "user list" "platform list" "platform add" "platform edit" "op create" "op list" "op show" \
          "op close" "item add" "item import" "item show" "item list" "item assess" "item reject" \
          "hold add" "hold release" "hold list" "order create" "order ack" "order done" "order fail" \
          "order list" "audit verify" "audit log" "vpdq convert" "vpdq compare" "tmk score" \
          "tmk match" "tmk export"; do
    name=$(echo "$cs" | tr ' ' _)
    run $C $cs x -Z
    expect "unknown_option_$name" 2 '^$' "^vigil: $cs: unknown option '-Z' \\(see \`vigil $cs --help\`\\)\$"
done
run $C item show 1 --limit 5;                   expect other_sub_item_show 2 '^$' "item show: unknown option '--limit': it is an option of \`vigil item list\`"
run $C item add day1 https://t.me/a --skip-bad; expect other_sub_item_add 2 '^$' "item add: unknown option '--skip-bad'"
run $C platform add Forum --status known;       expect other_sub_platform_add 2 '^$' "platform add: unknown option '--status'"
run $C order ack 1 --reason other;              expect other_sub_order_ack 2 '^$' "order ack: unknown option '--reason': it is an option of \`vigil order fail\`"
run $C bank list --strict;                      expect other_sub_bank_list 2 '^$' "bank list: unknown option '--strict'"
run $C hold add --agency EU --reason r --prefix https://t.me/q --all; expect other_sub_hold_add 2 '^$' "hold add: unknown option '--all'"
run $C agency list --country DE;                expect other_sub_agency_list 2 '^$' "agency list: unknown option '--country': it is an option of \`vigil agency add\`"
run "$V" vpdq convert --to pytx "$R" --phase-robust; expect other_sub_vpdq_convert 2 '^$' "vpdq convert: unknown option '--phase-robust': it is an option of \`vigil vpdq compare\`"
run "$V" vpdq compare "$R" "$R" --frame-rate 5; expect other_sub_vpdq_compare 2 '^$' "vpdq compare: unknown option '--frame-rate': it is an option of \`vigil vpdq convert\`"
run "$V" tmk score "$K" "$K" --level1 0.5;      expect other_sub_tmk_score 2 '^$' "tmk score: unknown option '--level1': it is an option of \`vigil tmk match\`"
run $C tmk export "$tid" "$T/x.tmk" --bank tv;  expect other_sub_tmk_export 2 '^$' "tmk export: unknown option '--bank': it is an option of \`vigil tmk match\`"
[ ! -e "$T/x.tmk" ] && ok other_sub_tmk_export_nothing_written || bad other_sub_tmk_export_nothing_written "x.tmk written"
run $C tmk match "$K" --to pytx;                expect other_sub_tmk_match 2 '^$' "tmk match: unknown option '--to'"
run "$V" vpdq compare "$R" "$R" --bogus;        expect unknown_option_vpdq_long 2 '^$' "^vigil: vpdq compare: unknown option '--bogus' \\(see \`vigil vpdq compare --help\`\\)\$"
run "$V" vpdq compare "$R" "$R" --dist 0;       expect vpdq_no_abbreviation 2 '^$' "vpdq compare: unknown option '--dist'"
run "$V" vpdq fuse "$R";                        expect vpdq_unknown_sub 2 '^$' "vpdq: unknown subcommand 'fuse' \\(see \`vigil vpdq --help\`\\)"
run "$V" tmk fuse "$K";                         expect tmk_unknown_sub 2 '^$' "tmk: unknown subcommand 'fuse' \\(see \`vigil tmk --help\`\\)"
run "$V" hash "$S/logo.bmp" --text=yes;         expect flag_with_value 2 '^$' "hash: --text takes no value"
run "$V" hash "$S/logo.bmp" --max-bytes;        expect missing_value 2 '^$' "hash: --max-bytes needs a value"
run "$V" hash "$S/logo.bmp" --db "$D";          expect global_after_command 2 '^$' "hash: unknown option '--db': it is a global option, give it before the command"
run "$V" --bogus hash "$S/logo.bmp";            expect unknown_global 2 '^$' "^vigil: unknown option '--bogus' \\(see \`vigil --help\`\\)\$"
run "$V" -- hash "$S/logo.bmp";                 expect global_dashdash 0 "^$HEX,"

# ---- malformed and out-of-range numbers -------------------------------------------
num() { # num NAME MESSAGE-REGEX CMD...: a usage error naming the option, nothing on stdout
    n=$1 re=$2; shift 2; run "$@"; expect "number_$n" 2 '^$' "$re"
}
num limit_garbage "item list: --limit needs a whole number from 1 to 10000, got '10x'" $C item list --limit 10x
num limit_negative "item list: --limit needs a whole number from 1 to 10000, got '-1'" $C item list --limit -1
num limit_too_big "item list: --limit needs a whole number from 1 to 10000, got '10001'" $C item list --limit 10001
num limit_empty "item list: --limit needs a whole number" $C item list --limit=
num limit_space "item list: --limit needs a whole number" $C item list --limit " 5"
num after_garbage "item list: --after needs a whole number of at least 0" $C item list --after 1e3
num audit_limit "audit log: --limit needs a whole number from 1 to 1000000, got 'abc'" $C audit log --limit abc
num audit_id "audit log: --id needs a positive whole number, got '0'" $C audit log --entity item --id 0
num max_distance_real "match: --max-distance needs a whole number from 0 to 256, got '1.5'" $C match --max-distance 1.5 x
num bank_max_distance "bank create: --max-distance needs a whole number from 0 to 256, got '300'" $C bank create q --max-distance 300
num bank_entry "bank set: --entry needs a positive whole number, got '-3'" $C bank set known --entry -3 --enable
num quality_floor "match: --quality-floor needs a whole number from 0 to 100, got '101'" $C match x --quality-floor 101
num min_similarity "match: --min-similarity needs a number above 0 and at most 1, got '2'" $C match --text x --min-similarity 2
num min_similarity_nan "match: --min-similarity needs a number above 0 and at most 1, got 'nan'" $C match --text x --min-similarity nan
num fps "hash: --fps needs a number of samples per second above 0 and at most 60, got 'abc'" "$V" hash x --fps abc
num share "match: --video-query-share needs a percentage from 0 to 100, got '50%'" $C match x --video-query-share 50%
num max_pixels "hash: --max-pixels needs a positive whole number, got '0'" "$V" hash x --max-pixels 0
num max_bytes "hash: --max-bytes needs a positive whole number, got '99999999999999999999'" "$V" hash x --max-bytes 99999999999999999999
num threads "serve: --threads needs a whole number from 1 to 256, got '0'" $C serve --threads 0
num timeout "serve: --timeout needs a whole number from 1 to 86400, got '5s'" $C serve --timeout 5s
num demo_items "demo: --items needs a whole number from 1 to 1000000, got '10k'" $C demo --items 10k
num demo_seed "demo: --seed needs a whole number from 0 to 4294967295, got '-1'" $C demo --seed -1
num tco_year "report: --tco needs a whole number from 1 to 9999, got '2026a'" $C report --tco 2026a
num order_item "order create: --item needs a positive whole number, got 'x'" $C order create --authority EU --item x
num frame_rate_zero "vpdq convert: --frame-rate needs frames per second above 0 and at most 1000, got '0'" "$V" vpdq convert --to reference "$R" --frame-rate 0
num frame_rate_garbage "vpdq convert: --frame-rate needs frames per second above 0 and at most 1000, got '5fps'" "$V" vpdq convert --to reference --frame-rate 5fps "$R"
num frame_rate_big "vpdq convert: --frame-rate needs frames per second above 0 and at most 1000, got '1001'" "$V" vpdq convert --to reference --frame-rate=1001 "$R"
num vpdq_distance "vpdq compare: --distance needs a whole number from 0 to 256, got '1.5'" "$V" vpdq compare "$R" "$R" --distance 1.5
num vpdq_distance_big "vpdq compare: --distance needs a whole number from 0 to 256, got '257'" "$V" vpdq compare "$R" "$R" --distance 257
num vpdq_quality "vpdq compare: --quality needs a whole number from 0 to 100, got '-1'" "$V" vpdq compare "$R" --quality -1 "$R"
num vpdq_query_share "vpdq compare: --query-share needs a percentage from 0 to 100, got '50%'" "$V" vpdq compare "$R" "$R" --query-share 50%
num vpdq_bank_share "vpdq compare: --bank-share needs a percentage from 0 to 100, got 'nan'" "$V" vpdq compare "$R" "$R" --bank-share nan
num vpdq_bank_share_big "vpdq compare: --bank-share needs a percentage from 0 to 100, got '100.5'" "$V" vpdq compare "$R" "$R" --bank-share=100.5
num tmk_level1 "tmk match: --level1 needs a score from -1 to 1, got '2'" $C tmk match "$K" --level1 2
num tmk_level1_low "tmk match: --level1 needs a score from -1 to 1, got '-1.5'" $C tmk match --level1 -1.5 "$K"
num tmk_level2 "tmk match: --level2 needs a score from -1 to 1, got '0.7x'" $C tmk match "$K" --level2 0.7x
num tmk_level2_empty "tmk match: --level2 needs a score from -1 to 1, got ''" $C tmk match "$K" --level2=
num tmk_entry_id "tmk export: ENTRY-ID must be a positive whole number, got '1x'" $C tmk export 1x "$T/y.tmk"
num tmk_entry_id_zero "tmk export: ENTRY-ID must be a positive whole number, got '0'" $C tmk export 0 "$T/y.tmk"
num tmk_entry_id_huge "tmk export: ENTRY-ID must be a positive whole number, got '99999999999999999999'" $C tmk export 99999999999999999999 "$T/y.tmk"
[ ! -e "$T/y.tmk" ] && ok tmk_entry_id_nothing_written || bad tmk_entry_id_nothing_written "y.tmk written"

# ---- --help everywhere: the command's usage on stdout, exit 0 ----------------------
for cmd in hash distance bank match url agency user platform op item hold refer outcome order report \
           audit demo serve lang vpdq tmk; do
    run "$V" $cmd --help;                       expect "help_$cmd" 0 '^usage: vigil'
    run "$V" $cmd -h;                           expect "help_short_$cmd" 0 '^usage: vigil'
done
for cs in "bank create" "agency add" "user list" "platform edit" "op close" "item reject" "hold list" \
          "order fail" "audit log" "vpdq convert" "vpdq compare" "tmk score" "tmk match" "tmk export"; do
    run "$V" $cs x --help;                      expect "help_$(echo "$cs" | tr ' ' _)" 0 '^usage: vigil'
done
for cs in "vpdq convert" "vpdq compare" "tmk score" "tmk match" "tmk export"; do
    run "$V" $cs -h;                            expect "help_short_$(echo "$cs" | tr ' ' _)" 0 '^usage: vigil'
done
run "$V" vpdq help;                             expect help_vpdq_word 0 '^usage: vigil vpdq'
run "$V" vpdq;                                  expect usage_vpdq_bare 2 '^$' '^usage: vigil vpdq'
run "$V" tmk;                                   expect usage_tmk_bare 2 '^$' '^usage: vigil tmk'
run "$V" vpdq compare "$R" --help --bogus;      expect help_before_bogus 0 '^usage: vigil vpdq'
run "$V" tmk export -- --help;                  expect help_after_dashdash_is_operand 2 '^$' 'tmk export: missing ENTRY-ID and FILE.tmk'
run "$V" vpdq compare "$R";                     expect vpdq_compare_one 2 '^$' 'vpdq compare: give two INPUTs'
run "$V" vpdq convert "$R";                     expect vpdq_convert_no_to 2 '^$' 'vpdq convert: --to FORM is required'
run "$V" tmk score "$K";                        expect tmk_score_one 2 '^$' "tmk score: missing A.tmk and B.tmk"
run "$V" tmk score "$K" "$K" "$K";              expect tmk_score_three 2 '^$' "tmk score: unexpected argument"
run "$V" item --by ana list;                    expect options_before_subcommand 2 '' "item: unknown subcommand '--by'"

# ---- a store that cannot be opened: exit 1 in every command that opens it ------------
NODB="$T/no/such/dir/x.db"
for cs in "bank list" "bank stats b" "bank create b" "agency list" "agency add X" "user list" \
          "platform list" "op list" "item list" "item show 1" "hold list" "order list" "report day1" \
          "audit verify" "audit log" "refer day1" "outcome 1 removed" "demo" "tmk export 1 $T/z.tmk"; do
    run "$V" --db "$NODB" $cs
    expect "no_store_$(echo "$cs" | tr ' ' _)" 1 '' 'cannot open the store'
done
# match keeps grep's convention: 0 matched, 1 nothing matched, 2 an error (the store included)
run "$V" --db "$NODB" match "$S/logo.bmp";      expect no_store_match 2 '' 'cannot open the store'
run "$V" --db "$NODB" tmk match "$K";           expect no_store_tmk_match 2 '' 'cannot open the store'

finish
