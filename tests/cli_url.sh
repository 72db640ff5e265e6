#!/bin/sh
# tests/cli_url.sh - black-box tests of `vigil url`.  Usage: cli_url.sh BUILD_DIR
SUITE=cli-url
. "$(dirname "$0")/lib_cli.sh"
same() { # same NAME WANT_RC WANT_STDOUT
    if [ "$rc" -eq "$2" ] && [ "$out" = "$3" ]; then ok "$1"; else bad "$1" "rc=$rc (want $2)" "got:  $out" "want: $3" "$err"; fi
}

run "$V" url --help; [ "$rc" -eq 0 ] && grep -q "canonical form" "$T/out" && ok help || bad help "$rc"
run "$V" url "https://twitter.com/ExampleUser/status/1234567890?s=20" "https://t.me/s/examplechannel/123" "youtu.be/dQw4w9WgXcQ?si=x"
same forms 0 "https://x.com/i/status/1234567890
https://t.me/examplechannel/123
https://youtube.com/watch?v=dQw4w9WgXcQ"
run "$V" url "ftp://example.org/x" "https://example.org/x"
same bad_and_good 1 "https://example.org/x"
grep -q "ftp://example.org/x: unsupported scheme 'ftp'" "$T/err" && ok bad_message || bad bad_message "$err"
run "$V" url;                     same no_url 2 ""
run "$V" url --json "https://t.me/s/examplechannel/123"
same json 0 '{"input":"https://t.me/s/examplechannel/123","url":"https://t.me/examplechannel/123","host":"t.me","platform":"Telegram","kind":"messenger","account":"examplechannel"}'
run "$V" url --json "https://newplatform.example/u/1"
same json_unknown 0 '{"input":"https://newplatform.example/u/1","url":"https://newplatform.example/u/1","host":"newplatform.example","platform":null,"kind":null,"account":null}'
printf 'https://m.facebook.com/examplepage?fbclid=1\n\nhttps://www.example.org/a/\n' > "$T/list"
run sh -c "\"$V\" url - < \"$T/list\""
same stdin 0 "https://facebook.com/examplepage
https://example.org/a"
run "$V" url --registry
n=$(printf '%s\n' "$out" | grep -c .)
[ "$rc" -eq 0 ] && [ "$n" -ge 60 ] && printf '%s\n' "$out" | grep -q '^Telegram,messenger,yes,t.me telegram.me' && ok registry || bad registry "rc=$rc n=$n"

finish
