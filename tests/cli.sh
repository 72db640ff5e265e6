#!/bin/sh
# tests/cli.sh - black-box tests of the `vigil` command line: exact output
# formats, exit codes and per-file errors.  Usage: tests/cli.sh BUILD_DIR
SUITE=cli
. "$(dirname "$0")/lib_cli.sh"

"$B/gen-samples" "$T/s" || { echo "gen-samples failed"; echo "0 passed, 1 failed"; exit 1; }
S="$T/s"
HEX='[0-9a-f]{64}'

run "$V" --help;                  expect help 0 'Commands:'
run "$V" hash --help;             expect hash_help 0 'HASH,QUALITY,PATH'
run "$V" help hash;               expect help_hash 0 'HASH,QUALITY,PATH'
run "$V";                         expect no_command 2
run "$V" frobnicate;              expect unknown_command 2
run "$V" --version;               expect version 0 '^vigil [0-9]+\.[0-9]+\.[0-9]+$'
run "$V" hash;                    expect hash_no_file 2
run "$V" hash --bogus "$S/logo.bmp"; expect hash_bad_option 2
run "$V" hash --max-pixels abc "$S/logo.bmp"; expect hash_bad_number 2

run "$V" hash "$S/poster.jpg"
expect hash_line 0 "^$HEX,[0-9]{1,3},$S/poster.jpg\$"

# every format, one line each, in argument order
run "$V" hash "$S/poster.jpg" "$S/flyer.png" "$S/leaflet.webp" "$S/banner.gif" "$S/logo.bmp"
n=$(printf '%s\n' "$out" | grep -Ec "^$HEX,[0-9]{1,3},")
order=$(printf '%s\n' "$out" | sed 's/.*\///' | tr '\n' ' ')
if [ "$rc" -eq 0 ] && [ "$n" -eq 5 ] && [ "$order" = "poster.jpg flyer.png leaflet.webp banner.gif logo.bmp " ]; then
    ok all_formats; else bad all_formats "rc=$rc lines=$n order=$order" "$err"; fi

run "$V" hash --all "$S/flyer.png"
md5=$(md5sum "$S/flyer.png" | cut -d' ' -f1); sha=$(sha256sum "$S/flyer.png" | cut -d' ' -f1)
expect hash_all 0 "^$HEX,[0-9]{1,3},$md5,$sha,$S/flyer.png\$"

run "$V" hash --json "$S/flyer.png"
expect hash_json 0 "^\\{\"path\":\"$S/flyer.png\",\"pdq\":\"$HEX\",\"quality\":[0-9]+,\"md5\":\"$md5\",\"sha256\":\"$sha\",\"format\":\"png\",\"width\":640,\"height\":480\\}\$"

run "$V" hash --dihedral "$S/poster.jpg"
expect hash_dihedral 0 "^($HEX,){8}[0-9]{1,3},$S/poster.jpg\$"
first=$(printf '%s' "$out" | cut -d, -f1)
plain=$("$V" hash "$S/poster.jpg" | cut -d, -f1)
[ "$first" = "$plain" ] && ok dihedral_first_is_original || bad dihedral_first_is_original "$first vs $plain"

run "$V" hash --json --dihedral "$S/poster.jpg"
expect hash_json_dihedral 0 '"dihedral":\{"original":"[0-9a-f]{64}","rotate90":"[0-9a-f]{64}",'

# stdin, file lists, global options before the command
run sh -c "\"$V\" hash - < \"$S/logo.bmp\""
expect hash_stdin 0 "^$HEX,[0-9]{1,3},-\$"
printf '%s\n\n%s\n' "$S/logo.bmp" "$S/banner.gif" > "$T/list"
run "$V" hash --files-from "$T/list"
n=$(printf '%s\n' "$out" | grep -c .)
[ "$rc" -eq 0 ] && [ "$n" -eq 2 ] && ok files_from || bad files_from "rc=$rc lines=$n"
run "$V" --db "$T/x.db" -q hash "$S/logo.bmp"
expect global_options 0 "^$HEX,"
run "$V" hash --files-from "$T/list" "$S/logo.bmp"; expect files_from_and_args 2

# near-duplicates: edits of one picture stay close; different pictures do not
dist() { "$V" distance "$1" "$2" | cut -d, -f1; }
Z=0000000000000000000000000000000000000000000000000000000000000000
run "$V" distance $Z ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff 000000000000000000000000000000000000000000000000000000000000000F
want="256,ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff
4,000000000000000000000000000000000000000000000000000000000000000F"
[ "$rc" -eq 0 ] && [ "$out" = "$want" ] && ok distance || bad distance "rc=$rc" "$out"
run "$V" distance $Z 123;             expect distance_bad_hex 2
grep -q "argument 2: bad PDQ hash: expected 64 hex digits, got 3" "$T/err" && ok distance_message || bad distance_message "$err"
run "$V" distance $Z;                 expect distance_one_arg 2
h0=$("$V" hash "$S/poster.jpg" | cut -d, -f1)
h1=$("$V" hash "$S/poster-q40.jpg" | cut -d, -f1)
h2=$("$V" hash "$S/poster-small.png" | cut -d, -f1)
h3=$("$V" hash "$S/flyer.png" | cut -d, -f1)
d1=$(dist "$h0" "$h1") d2=$(dist "$h0" "$h2") d3=$(dist "$h0" "$h3")
[ "$d1" -le 31 ] && [ "$d2" -le 31 ] && [ "$d3" -gt 31 ] && ok near_duplicates || bad near_duplicates "q40=$d1 small=$d2 other=$d3"
# rotated copy: far as such, near one of the dihedral variants
rot=$("$V" hash "$S/poster-rotated.jpg" | cut -d, -f1)
best=256
for h in $("$V" hash --dihedral "$S/poster.jpg" | cut -d, -f1-8 | tr ',' ' '); do
    d=$(dist "$h" "$rot"); [ "$d" -lt "$best" ] && best=$d
done
[ "$best" -le 31 ] && ok rotated_matches_dihedral || bad rotated_matches_dihedral "best=$best"

# bad files: a clear message each, exit 1, the good files still hashed
run "$V" hash "$S/bad/empty.jpg" "$S/logo.bmp" "$S/bad/notes.txt" "$S/bad/truncated.jpg" "$T/missing.png" "$S/banner.gif"
n=$(printf '%s\n' "$out" | grep -Ec "^$HEX,")
e1=$(grep -c "empty.jpg: .*empty input" "$T/err")
e2=$(grep -c "notes.txt: .*not a recognised image" "$T/err")
e3=$(grep -c "truncated.jpg: JPEG: " "$T/err")
e4=$(grep -c "missing.png: cannot open" "$T/err")
if [ "$rc" -eq 1 ] && [ "$n" -eq 2 ] && [ "$e1$e2$e3$e4" = "1111" ]; then ok bad_files_reported
else bad bad_files_reported "rc=$rc good=$n msgs=$e1$e2$e3$e4" "$err"; fi
run "$V" hash --max-pixels 1000 "$S/logo.bmp"
if [ "$rc" -eq 1 ] && grep -q "over the limit" "$T/err"; then ok max_pixels; else bad max_pixels "rc=$rc $err"; fi

# the reference fixtures, through the CLI, in the reference's own format
F="${VIGIL_FIXTURES:-../shared/fixtures}/pdq"
if [ -f "$F/expected.txt" ]; then
    cut -d, -f1 "$F/expected.txt" | sed "s|^|$F/images/|" > "$T/fx"
    "$V" hash --files-from "$T/fx" | sed -E 's|^([^,]*),([^,]*),.*/([^/]*)$|\3,\1,\2|' > "$T/got"
    if diff "$F/expected.txt" "$T/got" > "$T/diff"; then ok fixtures_exact; else bad fixtures_exact "$(head -5 "$T/diff")"; fi
else
    skip fixtures_exact "../shared/fixtures not present"
fi

finish
