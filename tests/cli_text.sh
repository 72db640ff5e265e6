#!/bin/sh
# tests/cli_text.sh - black-box tests of `vigil lang`, `vigil hash --text`
# and `vigil match --text`.  Usage: cli_text.sh BUILD_DIR
SUITE=cli-text
. "$(dirname "$0")/lib_cli.sh"
export VIGIL_DB="$T/text.db"

# made-up, benign texts
cat > "$T/en.txt" <<'X'
Heavy rain is expected across the northern region this weekend, and forecasters have
warned drivers to take care on flooded roads. Temperatures will stay below average until
Tuesday, when a band of high pressure should bring drier weather. Farmers said the rain came
too late for the early harvest but would help the autumn crops. The local football club won
its third match in a row on Saturday, beating the visitors by two goals to one.
X
# the same article reposted: header, re-wrapped, punctuation changed, footer
{ printf 'BREAKING | Share this article\n\n'
  tr '\n' ' ' < "$T/en.txt" | sed 's/, / - /g; s/\. /!\n/g'
  printf '\n\nShare this article on Facebook. Advertisement: subscribe to our newsletter!\n'; } > "$T/en-repost.txt"
cat > "$T/en-other.txt" <<'X'
Forecasters expect a cold and windy weekend in the north, with showers moving in from the sea
on Saturday morning. Drivers are advised to allow extra time because several roads near the
river could flood. By Tuesday the wind should ease and temperatures will return to normal.
X
cat > "$T/ru.txt" <<'X'
В выходные на севере страны ожидаются сильные дожди, и синоптики призывают водителей быть
осторожными на затопленных дорогах. Температура останется ниже нормы до вторника.
X
cat > "$T/ar.txt" <<'X'
من المتوقع أن تهطل أمطار غزيرة على المناطق الشمالية خلال عطلة نهاية الأسبوع، وقد حذرت هيئة
الأرصاد الجوية السائقين من الطرق التي غمرتها المياه.
X
printf 'caf\351 au lait\n' > "$T/latin1.txt"
: > "$T/empty.txt"
printf ' ... !!! \n' > "$T/punct.txt"

run "$V" lang --help; expect lang_help 0 "CODE,CONFIDENCE,PATH"
run "$V" lang "$T/en.txt" "$T/ru.txt" "$T/ar.txt"
expect lang 0 "^en,0\.9[0-9],.*en\.txt
ru,0\.9[0-9],.*ru\.txt
ar,0\.9[0-9],.*ar\.txt$"
run "$V" lang "$T/latin1.txt" "$T/empty.txt" "$T/en.txt" "$T/missing.txt"
expect lang_errors 1 "^en,0\.9[0-9],.*en\.txt$" "latin1.txt: not UTF-8 text: invalid byte 0xe9 at byte 4"
grep -q "empty.txt: empty input (0 bytes)" "$T/err" && grep -q "missing.txt: cannot open" "$T/err" && ok lang_error_messages || bad lang_error_messages "$err"
run "$V" lang "$T/punct.txt"; expect lang_und 0 "^und,0\.00,"
run sh -c "\"$V\" lang - < \"$T/ru.txt\""; expect lang_stdin 0 "^ru,0\.9[0-9],-$"
run "$V" lang --json "$T/en.txt"
expect lang_json 0 '^\{"path":"[^"]*en\.txt","lang":"en","confidence":0\.9[0-9]*,"reliable":true,"name":"ENGLISH"\}$'
run "$V" lang; expect lang_no_file 2 "" "no FILE given"

run "$V" hash --text "$T/en.txt"
expect hash_text 0 "^mh1:[A-Za-z0-9_-]{683},.*en\.txt$"
sig=$(printf '%s\n' "$out" | cut -d, -f1)
run "$V" hash --text --json "$T/ru.txt"
expect hash_text_json 0 '^\{"path":"[^"]*ru\.txt","text":"mh1:[A-Za-z0-9_-]{683}","shingles":[0-9]+,"lang":"ru","lang_confidence":0\.9[0-9]*\}$'
run "$V" hash --text "$T/latin1.txt" "$T/en.txt"
expect hash_text_errors 1 "^mh1:" "latin1.txt: not UTF-8 text"

# a bank with the article; its repost matches, another text on the topic does not
run "$V" bank create texts; expect bank_create 0
run "$V" bank add texts --signal "text:$sig" --label entity=example-group --id T-1; expect bank_add 0 "^1$"
run "$V" bank add texts --signal "text:some raw text"
expect bank_add_bad 1 "" "bad text signature: .* \(make one with .vigil hash --text FILE.\)"
run "$V" match --text "$T/en-repost.txt"
expect match_repost 0 "^.*en-repost\.txt,texts,1,0\.[6-9][0-9]*$"
run "$V" match --text "$T/en-other.txt"; expect match_other 1 "^$"
run "$V" match --text --min-similarity 0.99 "$T/en-repost.txt"; expect match_strict 1 "^$"
run "$V" match --text --json "$T/en-repost.txt"
expect match_json 0 '"matches":\[\{"bank":"texts","entry_id":1,"similarity":0\.[6-9][0-9]*,"signal":"text","allow":false,"labels":\{"entity":"example-group"\},"external_id":"T-1"\}\]'
run "$V" match --text --hash "$sig"; expect match_given 0 ",texts,1,1\.000$"
run "$V" match --text "$T/empty.txt" "$T/en-repost.txt"
expect match_errors 2 "texts,1," "empty.txt: empty input"
run "$V" match --text --min-similarity 1.5 "$T/en.txt"; expect match_bad_sim 2 "" "min-similarity"
# bank add --text FILE: the same signature, so a duplicate of entry 1
run "$V" bank add texts --text "$T/en.txt"; expect bank_add_text 0 "^1$" "already has this text value as entry 1"
run "$V" bank add texts --text "$T/latin1.txt"; expect bank_add_text_bad 2 "" "bank add: .*latin1.txt: not UTF-8 text"
# CSV round trip of a text entry
run "$V" bank export texts; expect export 0 "^text,mh1:"
finish
