#!/bin/sh
# tests/cli_match.sh - black-box tests of `vigil match`: output lines,
# exit codes (0 matched, 1 nothing, 2 error), per-bank thresholds, allow
# banks, dihedral variants, exact digests, JSON.  Usage: cli_match.sh BUILD_DIR
SUITE=cli-match
. "$(dirname "$0")/lib_cli.sh"

"$B/gen-samples" "$T/s" || { echo "gen-samples failed"; echo "cli-match: 0 passed, 1 failed"; exit 1; }
S="$T/s"
DB="$T/v.db"
VV="$V --db $DB"
poster=$($V hash "$S/poster.jpg" | cut -d, -f1)
logo_md5=$(md5sum "$S/logo.bmp" | cut -d' ' -f1)

run $VV match --help; expect help 0 'QUERY,BANK,ENTRY_ID,DISTANCE'
$VV bank create known > /dev/null 2>&1 || bad setup "bank create"
id=$($VV bank add known --pdq "$poster" --label entity=example-group 2>/dev/null | grep -Eo '[0-9]+' | head -n 1)
$VV bank add known --md5 "$logo_md5" > /dev/null 2>&1 || bad setup "bank add md5"

run $VV match "$S/poster-q40.jpg"
expect near_copy 0 "^$S/poster-q40.jpg,known,$id,[0-9]+\$"
run $VV match "$S/flyer.png";            expect no_match 1 '^$'
[ -z "$out" ] && ok no_match_silent || bad no_match_silent "$out"
run $VV match "$S/poster-rotated.jpg";   expect rotated_plain 1
run $VV match --dihedral "$S/poster-rotated.jpg"; expect rotated_dihedral 0 "^$S/poster-rotated.jpg,known,$id,"
run $VV match --hash "$poster";          expect hash_arg 0 "^$poster,known,$id,0\$"
run $VV match --hash "md5:$logo_md5";    expect hash_md5 0 "^md5:$logo_md5,known,[0-9]+,0\$"
run $VV match "$S/logo.bmp";             expect file_md5 0 "^$S/logo.bmp,known,[0-9]+,0\$"
run $VV match --hash 123;                expect hash_bad 2
grep -q "expected 64 hex digits" "$T/err" && ok hash_bad_message || bad hash_bad_message "$err"
run $VV match "$S/bad/notes.txt" "$S/poster.jpg"; expect error_and_match 2 "^$S/poster.jpg,known,$id,0\$"
run $VV match --bank nope "$S/poster.jpg"; expect unknown_bank 2
grep -q "nope" "$T/err" && ok unknown_bank_message || bad unknown_bank_message "$err"
run $VV match --max-distance 300 "$S/poster.jpg"; expect bad_distance 2
run $VV match;                           expect no_args 2
run $VV match --json "$S/poster-q40.jpg"
expect json 0 '"matches":\[\{"bank":"known","entry_id":[0-9]+,"distance":[0-9]+,"signal":"pdq","variant":"original","allow":false,"labels":\{"entity":"example-group"\}'

# a bank's own threshold takes precedence
d=$(printf '%s' "$(cat "$T/out")" | grep -Eo '"distance":[0-9]+' | head -n 1 | cut -d: -f2)
$VV bank set known --max-distance 0 > /dev/null 2>&1 || bad setup "bank set"
run $VV match "$S/poster-q40.jpg"
if [ "${d:-0}" -gt 0 ]; then expect bank_threshold 1; else ok bank_threshold; fi
run $VV match "$S/poster.jpg";           expect bank_threshold_exact 0
$VV bank set known --no-max-distance > /dev/null 2>&1

# one value under two ids is two entries, both matched (issue 10)
printf 'signal_type,signal_value,labels,id\npdq,%s,entity=a,gifct-1\npdq,%s,entity=b,gifct-2\n' "$poster" "$poster" > "$T/partners.csv"
$VV bank create partners > /dev/null 2>&1 || bad setup "bank create partners"
run $VV bank import partners "$T/partners.csv"; expect copies_import 0 '^imported 2, unchanged 0, updated 0, bad 0$'
run $VV match --bank partners "$S/poster-q40.jpg"
expect copies_both 0 ",partners,"
[ "$(printf '%s\n' "$out" | grep -c ",partners,")" -eq 2 ] && ok copies_two_lines || bad copies_two_lines "$out"
run $VV match --json --bank partners --hash "$poster"
printf '%s\n' "$out" | grep -q '"external_id":"gifct-1"' && printf '%s\n' "$out" | grep -q '"external_id":"gifct-2"' &&
    printf '%s\n' "$out" | grep -q '"entity":"b"' && ok copies_json || bad copies_json "$out"
run $VV match --dihedral --bank partners "$S/poster-rotated.jpg"
[ "$(printf '%s\n' "$out" | grep -c ",partners,")" -eq 2 ] && ok copies_dihedral_once_each || bad copies_dihedral_once_each "$out"
$VV bank set partners --disable > /dev/null 2>&1 || bad setup "bank set partners"

# an allow bank suppresses the other matches
$VV bank create logos --allow > /dev/null 2>&1
$VV bank add logos --pdq "$poster" > /dev/null 2>&1
run $VV match "$S/poster.jpg";           expect allowed 0 ",logos,"
if printf '%s\n' "$out" | grep -q ",known,"; then bad allowed_suppresses "$out"; else ok allowed_suppresses; fi
grep -q "allow-list entry: 1 other match suppressed" "$T/err" && ok allowed_note || bad allowed_note "$err"
run $VV match --bank known "$S/poster.jpg"; expect bank_filter 0 ",known,"

finish
