#!/bin/sh
# tests/cli_bank.sh - black-box tests of `vigil bank ...`: output formats,
# exit codes (0 done, 1 bad import rows skipped, 2 nothing done) and error
# messages.  Placeholder hashes only.  Usage: tests/cli_bank.sh BUILD_DIR
SUITE=cli-bank
. "$(dirname "$0")/lib_cli.sh"

export VIGIL_DB="$T/v.db"
P1=d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22
P2=f000000000000000000000000000000000000000000000000000000000000001
P3=0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f
M1=0123456789abcdef0123456789abcdef

# ---- help and usage -------------------------------------------------------
run "$V" bank --help;                    expect help 0 'import NAME FILE'
run "$V" help bank;                      expect help_via_help 0 'import NAME FILE'
for s in create list set delete add import export remove stats; do
    run "$V" bank "$s" --help;           expect "help_$s" 0 "usage: vigil bank $s"
done
run "$V" bank;                           expect no_subcommand 2
run "$V" bank frob;                      expect unknown_subcommand 2 '' "unknown subcommand 'frob' \(see \`vigil bank --help\`\)"
run "$V" --help;                         expect listed_in_help 0 '^  bank '

# ---- create, list ---------------------------------------------------------
run "$V" bank create demo --description "made-up test bank"
expect create 0 "^created bank 'demo'\$"
if [ -n "${VIGIL_PG_WRAPPED:-}" ]; then skip db_from_env "the store is a PostgreSQL schema (tests/pg.sh)"
else [ -f "$T/v.db" ] && ok db_from_env || bad db_from_env "no $T/v.db"; fi
run "$V" bank create demo;               expect create_exists 1 '' "a bank named 'demo' already exists"
run "$V" bank create "bad name";         expect create_bad_name 2 '' "bank name 'bad name': character 4 is not allowed"
run "$V" bank create x --max-distance 300; expect create_bad_distance 2 '' 'from 0 to 256'
run "$V" bank create logos --allow --max-distance 10
expect create_allow 0 "^created allow-list bank 'logos'\$"
run "$V" bank create;                    expect create_no_name 2 '' 'missing NAME'
run "$V" bank list
expect list 0 '^demo +normal +enabled +0 +- +[0-9T:-]+Z +made-up test bank$'
printf '%s\n' "$out" | grep -Eq '^logos +allow +enabled +0 +10 ' && ok list_allow || bad list_allow "$out"
printf '%s\n' "$out" | head -1 | grep -q '^NAME ' && ok list_header || bad list_header "$out"
run "$V" bank list --json
expect list_json 0 '^\{"name":"demo","id":[0-9]+,"kind":"normal","enabled":true,"max_distance":null,"entries":0,"description":"made-up test bank","created_at":"[0-9T:-]+Z"\}$'

# ---- add ------------------------------------------------------------------
run "$V" bank add demo --pdq "$P1" --label entity=example-group --label source=test --id TE-1
expect add 0 '^[0-9]+$'
id1=$out
run "$V" bank add demo --pdq "$(echo $P1 | tr a-f A-F)"
expect add_duplicate 0 "^$id1\$" "already has this pdq value as entry $id1; nothing added"
run "$V" bank add demo --md5 "$M1";      expect add_md5 0 '^[0-9]+$'
id2=$out
printf 'some text\n' > "$T/some.txt"; sig=$("$V" hash --text "$T/some.txt" | cut -d, -f1)
run "$V" bank add demo --signal "text:$sig";  expect add_signal 0 '^[0-9]+$'
id3=$out
run "$V" bank add demo --md5 123;        expect add_bad_hex 1 '' 'bad MD5 hash: expected 32 hex digits, got 3'
run "$V" bank add nope --pdq "$P1";      expect add_no_bank 1 '' "no bank named 'nope' \(see \`vigil bank list\`\)"
run "$V" bank add demo --signal photo:x; expect add_bad_type 2 '' "unknown signal type 'photo'"
run "$V" bank add demo --pdq "$P2" --label novalue; expect add_bad_label 2 '' '--label needs KEY=VALUE'
run "$V" bank add demo --pdq "$P2" --label "$(printf 'k=\377')"; expect add_non_utf8_label 2 '' 'not valid UTF-8'
run "$V" bank add demo --pdq "$P2" --md5 "$M1"; expect add_two_values 2 '' 'one value only'
run "$V" bank add demo;                  expect add_no_value 2 '' 'no value given'

# ---- import ---------------------------------------------------------------
cat > "$T/good.csv" <<EOF
signal_type,signal_value,labels,id
pdq,$P2,"entity=example-group;note=""a;b""",X-1
pdq,$P3,,
md5,$M1,,
EOF
run "$V" bank import demo "$T/good.csv"
expect import 0 '^imported 2, unchanged 1, updated 0, bad 0$'
run "$V" bank import demo "$T/good.csv"
expect import_again 0 '^imported 0, unchanged 3, updated 0, bad 0$'
printf 'signal_type,signal_value\npdq,%s\nphoto,%s\npdq,abc\n' "$P1" "$P2" > "$T/mixed.csv"
run "$V" bank create mixed
run "$V" bank import mixed "$T/mixed.csv"
expect import_bad_rows 1 '^imported 1, unchanged 0, updated 0, bad 2$' "^vigil: $T/mixed.csv:3: unknown signal type 'photo'"
grep -q "^vigil: $T/mixed.csv:4: bad PDQ hash: expected 64 hex digits, got 3\$" "$T/err" && ok import_bad_line || bad import_bad_line "$err"
run "$V" bank create strict
run "$V" bank import strict "$T/mixed.csv" --strict
expect import_strict 1 '^imported 0, unchanged 0, updated 0, bad 2$' 'nothing imported \(strict mode\)'
run "$V" bank stats strict --json;       expect import_strict_left_nothing 0 '"entries":0,'
run sh -c "\"$V\" bank import strict - < \"$T/mixed.csv\""
expect import_stdin 1 '^imported 1, unchanged 0, updated 0, bad 2$' '^vigil: stdin:3: '
printf '%s,100\n%s,93\n\n%s\n' "$P1" "$P2" "$M1" > "$T/hma.txt"
run "$V" bank create hma
run "$V" bank import hma "$T/hma.txt";   expect import_hash_per_line 0 '^imported 3, unchanged 0, updated 0, bad 0$'
run "$V" bank stats hma --json;          expect import_hash_per_line_types 0 '"by_signal":\{"pdq":\{"entries":2,"enabled":2\},"md5":\{"entries":1,'
run "$V" bank import hma "$T/hma.txt" --signal-type sha256
expect import_signal_type 1 '^imported 2, unchanged 0, updated 0, bad 1$' 'bad SHA-256 hash: expected 64 hex digits, got 32'
run "$V" bank import hma "$T/hma.txt" --signal-type photo; expect import_bad_signal_type 2 '' 'unknown signal type'
run "$V" bank import demo "$T/missing.csv"; expect import_missing_file 1 '' "$T/missing.csv: cannot open"
printf 'type,value\npdq,%s\n' "$P1" > "$T/header.csv"
run "$V" bank import demo "$T/header.csv"
expect import_bad_header 1 '' 'line 1: the header needs the columns signal_type and signal_value \(found: type, value\)'
run "$V" bank import nope "$T/good.csv"; expect import_no_bank 1 '' "no bank named 'nope'"
run "$V" bank import demo;               expect import_no_file 2 '' 'missing NAME and FILE'

# ---- export ---------------------------------------------------------------
run "$V" bank export demo
expect export 0 '^signal_type,signal_value,labels,id$'
printf '%s\n' "$out" | grep -qx "pdq,$P1,entity=example-group;source=test,TE-1" && ok export_row || bad export_row "$out"
printf '%s\n' "$out" | grep -qx "pdq,$P2,\"entity=example-group;note=\"\"a;b\"\"\",X-1" && ok export_quoting || bad export_quoting "$out"
run "$V" bank export demo --output "$T/demo.csv"
expect export_file 0 '' "exported 5 entries of bank 'demo' to $T/demo.csv"
run "$V" bank create copy
run "$V" bank import copy "$T/demo.csv"; expect roundtrip_import 0 '^imported 5, unchanged 0, updated 0, bad 0$'
"$V" bank export copy --output "$T/copy.csv" 2> /dev/null
if [ "$(sort "$T/demo.csv")" = "$(sort "$T/copy.csv")" ]; then ok roundtrip_same; else bad roundtrip_same "$(diff "$T/demo.csv" "$T/copy.csv")"; fi
run "$V" bank export nope --output "$T/nope.csv"
expect export_no_bank 1 '' "no bank named 'nope'"
[ ! -e "$T/nope.csv" ] && ok export_no_file_left || bad export_no_file_left "nope.csv created"

# ---- one value under several ids (issue 10) --------------------------------
# two partners' records of one picture are two entries; re-import changes
# nothing; an id coming back with another value or labels updates its entry
cat > "$T/partners.csv" <<EOF
signal_type,signal_value,labels,id
pdq,$P1,entity=a,gifct-1
pdq,$P1,entity=b,gifct-2
pdq,$P2,entity=a,gifct-3
md5,$M1,entity=b,gifct-2
pdq,$P1,,
EOF
run "$V" bank create partners
run "$V" bank import partners "$T/partners.csv"
expect copies_import 0 '^imported 4, unchanged 1, updated 0, bad 0$'
run "$V" bank import partners "$T/partners.csv"
expect copies_import_again 0 '^imported 0, unchanged 5, updated 0, bad 0$'
"$V" bank export partners --output "$T/partners-out.csv" 2> /dev/null
grep -v '^pdq,[0-9a-f]*,,$' "$T/partners.csv" | sort > "$T/partners-want"
if [ "$(cat "$T/partners-want")" = "$(sort "$T/partners-out.csv")" ]; then ok copies_export_rows; else bad copies_export_rows "$(sort "$T/partners-out.csv" | diff "$T/partners-want" -)"; fi
run "$V" bank create partners2
run "$V" bank import partners2 "$T/partners-out.csv"
expect copies_roundtrip_import 0 '^imported 4, unchanged 0, updated 0, bad 0$'
"$V" bank export partners2 --output "$T/partners-out2.csv" 2> /dev/null
cmp -s "$T/partners-out.csv" "$T/partners-out2.csv" && ok copies_roundtrip_bytes || bad copies_roundtrip_bytes "$(diff "$T/partners-out.csv" "$T/partners-out2.csv")"
run "$V" bank add partners --pdq "$P1" --id gifct-2 --label entity=b
expect copies_add_same_id 0 '^[0-9]+$' 'already has this pdq entry \(same id\)'
run "$V" bank add partners --pdq "$P1" --id gifct-4
expect copies_add_new_id 0 '^[0-9]+$'
[ -z "$err" ] && ok copies_add_new_id_silent || bad copies_add_new_id_silent "$err"
printf 'signal_type,signal_value,labels,id\npdq,%s,entity=a,gifct-1\npdq,%s,entity=c,gifct-2\n' "$P3" "$P1" > "$T/corrected.csv"
run "$V" bank import partners "$T/corrected.csv"
expect copies_update 0 '^imported 0, unchanged 0, updated 2, bad 0$'
run "$V" bank export partners
if printf '%s\n' "$out" | grep -qx "pdq,$P3,entity=a,gifct-1" && printf '%s\n' "$out" | grep -qx "pdq,$P1,entity=c,gifct-2" &&
    ! printf '%s\n' "$out" | grep -q -e "$P1,entity=a,gifct-1" -e "$P1,entity=b,gifct-2"; then ok copies_updated_rows; else bad copies_updated_rows "$out"; fi
run "$V" audit log --limit 3
expect copies_update_audited 0 'bank.update'
run "$V" bank import partners "$T/corrected.csv"
expect copies_update_again 0 '^imported 0, unchanged 2, updated 0, bad 0$'

# ---- stats ----------------------------------------------------------------
run "$V" bank stats demo
expect stats 0 '^entries +5 \(5 enabled, 0 disabled\)$'
printf '%s\n' "$out" | grep -Eq '^  pdq +3 \(3 enabled\)$' && ok stats_by_signal || bad stats_by_signal "$out"
printf '%s\n' "$out" | grep -Eq '^top labels +entity=example-group \(2\)$' && ok stats_labels || bad stats_labels "$out"
run "$V" bank stats demo --json
expect stats_json 0 '^\{"name":"demo",.*"entries":5,"enabled_entries":5,"disabled_entries":0,.*"top_labels":\[\{"label":"entity=example-group","count":2\}'
run "$V" bank stats nope;                expect stats_no_bank 1 '' "no bank named 'nope'"

# ---- set ------------------------------------------------------------------
run "$V" bank set demo --allow --max-distance 12 --disable
expect set 0 "^bank 'demo': allow, disabled, max distance 12\$"
run "$V" bank set demo --no-allow --no-max-distance --enable --description ""
expect set_back 0 "^bank 'demo': normal, enabled, max distance none\$"
run "$V" bank set demo;                  expect set_nothing 2 '' 'nothing to change'
run "$V" bank set demo --enable --disable; expect set_conflict 2 '' 'contradictory'
run "$V" bank set demo --max-distance -1; expect set_bad_distance 2
run "$V" bank set demo --entry "$id3" --disable
expect set_entry 0 "^disabled entry $id3 of bank 'demo'\$"
run "$V" bank stats demo;                expect set_entry_counted 0 '^entries +5 \(4 enabled, 1 disabled\)$'
run "$V" bank set logos --entry "$id3" --enable; expect set_entry_wrong_bank 1 '' "entry $id3 is in bank 'demo', not in 'logos'"

# ---- remove ---------------------------------------------------------------
run "$V" bank remove logos "$id2";       expect remove_wrong_bank 1 '' "entry $id2 is in bank 'demo', not in 'logos'"
run "$V" bank remove demo "$id2";        expect remove 0 "^removed entry $id2 from bank 'demo'\$"
run "$V" bank remove demo "$id2";        expect remove_again 1 '' "bank 'demo' has no entry $id2"
run "$V" bank remove demo abc;           expect remove_bad_id 2 '' 'ENTRY-ID must be a positive whole number'
run "$V" bank remove demo;               expect remove_no_id 2 '' 'missing NAME and ENTRY-ID'

# ---- delete ---------------------------------------------------------------
run "$V" bank delete demo;               expect delete_needs_yes 2 '' 'add --yes to confirm'
run "$V" bank delete demo --yes;         expect delete 0 "^deleted bank 'demo' and its 4 entries\$"
run "$V" bank list;                      ! printf '%s\n' "$out" | grep -q '^demo ' && ok delete_gone || bad delete_gone "$out"
run "$V" bank delete demo --yes;         expect delete_again 1 '' "no bank named 'demo'"

# ---- the store ------------------------------------------------------------
run "$V" --db "$T/other.db" bank list;   expect db_option 0
if [ -n "${VIGIL_PG_WRAPPED:-}" ]; then skip db_option_file "the store is a PostgreSQL schema (tests/pg.sh)"
else [ -f "$T/other.db" ] && ok db_option_file || bad db_option_file "no other.db"; fi
printf 'not a database, just some text that is long enough to be read as a header\n%.0s' 1 2 3 > "$T/text.db"
if [ -n "${VIGIL_PG_WRAPPED:-}" ]; then
    skip db_not_sqlite "the store is a PostgreSQL schema (tests/pg.sh)"
    skip db_bad_dir "the store is a PostgreSQL schema (tests/pg.sh)"
else
run "$V" --db "$T/text.db" bank list;    expect db_not_sqlite 1 '' 'not a vigil store'
run "$V" --db "$T/no/such/dir/x.db" bank list; expect db_bad_dir 1 '' 'cannot open the store'
fi

finish
