#!/bin/sh
# tests/cli_video.sh - black-box tests of the video paths: `vigil hash VIDEO`
# (per-frame lines, --all, --json, --vpdq, --fps, --collapse, --vpdq-reference),
# the partner forms (bank add/export --video-form, vigil vpdq convert/compare),
# the match rules (--video-rule, --video-bank-rule, --video-phase-robust), `vigil bank add
# --video`, import of vpdq1 values, `vigil match VIDEO` (excerpt, unrelated,
# thresholds, JSON, --hash vpdq1:...) and the errors for bad files.  The
# videos are generated (gen-video), never real content.  Usage: cli_video.sh BUILD_DIR
SUITE=cli-video
. "$(dirname "$0")/lib_cli.sh"
G="$B/gen-video"
DB="$T/v.db"
VV="$V --db $DB"
HEX='[0-9a-f]{64}'
{ "$G" --size 96x72 --fps 5 --seconds 60 --seed 21 "$T/orig.mp4" &&
  "$G" --size 80x60 --fps 8 --seconds 20 --start 30.5 --seed 21 --codec mpeg2video --format matroska "$T/excerpt.mkv" &&
  "$G" --size 96x72 --fps 5 --seconds 20 --seed 22 --format avi "$T/other.avi" &&
  "$G" --wav --seconds 2 "$T/audio.wav"; } ||
    { echo "gen-video failed"; echo "cli-video: 0 passed, 1 failed"; exit 1; }
head -c 20000 "$T/orig.mp4" > "$T/truncated.mp4"
echo "these are notes, not a video" > "$T/notes.mp4"

# ---- vigil hash -------------------------------------------------------------
run "$V" hash "$T/orig.mp4"
n=$(printf '%s\n' "$out" | grep -Ec "^$HEX,[0-9]{1,3},[0-9]+\.[0-9]{3},[0-9]+\.[0-9]{3},$T/orig.mp4\$")
first=$(printf '%s\n' "$out" | head -n 1 | cut -d, -f3,4)
[ "$rc" -eq 0 ] && [ "$n" -ge 30 ] && [ "$n" -le 60 ] && [ "$first" = "0.000,1.000" ] && ok hash_lines || bad hash_lines "rc=$rc n=$n first=$first" "$err"
run "$V" hash --collapse off "$T/orig.mp4"
n=$(printf '%s\n' "$out" | grep -c .)
[ "$rc" -eq 0 ] && [ "$n" -eq 60 ] && ok hash_collapse_off || bad hash_collapse_off "rc=$rc n=$n"
run "$V" hash --collapse 256 "$T/orig.mp4"
expect hash_collapse_all 0 "^$HEX,[0-9]{1,3},0\.000,60\.000,$T/orig.mp4\$"
run "$V" hash --fps 2 --collapse off "$T/orig.mp4"
n=$(printf '%s\n' "$out" | grep -c .)
[ "$rc" -eq 0 ] && [ "$n" -eq 120 ] && printf '%s\n' "$out" | sed -n 2p | grep -q ',0\.600,0\.400,' && ok hash_fps || bad hash_fps "rc=$rc n=$n"
md5=$(md5sum "$T/orig.mp4" | cut -d' ' -f1); sha=$(sha256sum "$T/orig.mp4" | cut -d' ' -f1)
run "$V" hash --all "$T/orig.mp4"
expect hash_all 0 "^$HEX,[0-9]{1,3},0\.000,[0-9.]+,$md5,$sha,$T/orig.mp4\$"
run "$V" hash --json "$T/orig.mp4"
expect hash_json 0 "^\\{\"path\":\"$T/orig.mp4\",\"type\":\"video\",\"md5\":\"$md5\",\"sha256\":\"$sha\",\"container\":\"mov,mp4,m4a,3gp,3g2,mj2\",\"codec\":\"mpeg4\",\"width\":96,\"height\":72,\"duration\":[0-9.]+,\"fps\":1\\.0,\"decoded\":[0-9]+,\"sampled\":60,\"frames\":\\[\\{\"start\":0\\.0,\"duration\":1\\.0,\"pdq\":\"$HEX\",\"quality\":[0-9]+\\}.*\\],\"vpdq\":\"vpdq1:[A-Za-z0-9+/=]+\"\\}\$"
run "$V" hash --vpdq "$T/orig.mp4"
expect hash_vpdq 0 "^vpdq1:[A-Za-z0-9+/]+=*,$T/orig.mp4\$"
value=$(printf '%s' "$out" | cut -d, -f1)
run sh -c "\"$V\" hash --collapse off - < \"$T/orig.mp4\""
n=$(printf '%s\n' "$out" | grep -Ec "^$HEX,[0-9]{1,3},[0-9.]+,[0-9.]+,-\$")
[ "$rc" -eq 0 ] && [ "$n" -eq 60 ] && ok hash_stdin || bad hash_stdin "rc=$rc n=$n" "$err"
run "$V" hash --fps 0 "$T/orig.mp4";         expect hash_bad_fps 2 '^$' 'fps needs a number'
run "$V" hash --collapse x "$T/orig.mp4";    expect hash_bad_collapse 2 '^$' "collapse needs a distance"
run "$V" hash --dihedral "$T/orig.mp4";      expect hash_dihedral 1 '^$' 'applies to images, not videos'

# --vpdq-reference: Meta's per-frame file (frameNumber,quality,hash,timestamp)
run "$V" hash --vpdq-reference "$T/orig.mp4"
n=$(printf '%s\n' "$out" | grep -Ec "^[0-9]+,[0-9]{1,3},$HEX,[0-9]+\.[0-9]{3}\$")
first=$(printf '%s\n' "$out" | head -n 1 | cut -d, -f1,4); second=$(printf '%s\n' "$out" | sed -n 2p | cut -d, -f1)
[ "$rc" -eq 0 ] && [ "$n" -ge 59 ] && [ "$n" -le 60 ] && [ "$first" = "0,0.000" ] && [ "$second" = 5 ] && ok vref_lines || bad vref_lines "rc=$rc n=$n first=$first second=$second" "$err"
printf '%s\n' "$out" > "$T/vref-stdout.txt"
run "$V" hash --vpdq-reference --seconds-per-hash 0 "$T/orig.mp4"
n=$(printf '%s\n' "$out" | grep -c .); last=$(printf '%s\n' "$out" | tail -n 1 | cut -d, -f1)
[ "$rc" -eq 0 ] && [ "$n" -ge 299 ] && [ "$last" -eq $((n - 1)) ] && ok vref_every_frame || bad vref_every_frame "rc=$rc n=$n last=$last"
mkdir -p "$T/vref"
run "$V" hash --vpdq-reference -o "$T/vref" "$T/orig.mp4" "$T/notes.mp4"
[ "$rc" -eq 1 ] && [ -z "$out" ] && cmp -s "$T/vref/orig.txt" "$T/vref-stdout.txt" && [ ! -e "$T/vref/notes.txt" ] &&
    [ "$(ls "$T/vref" | wc -l)" -eq 1 ] && ok vref_outdir || bad vref_outdir "rc=$rc" "$err"
run "$V" hash --vpdq-reference "$T/orig.mp4" "$T/other.avi"
[ "$rc" -eq 0 ] && [ "$(printf '%s\n' "$out" | grep -c '^# ')" -eq 2 ] && printf '%s\n' "$out" | head -n 1 | grep -qx "# $T/orig.mp4" && ok vref_headers || bad vref_headers "rc=$rc"
run "$V" hash --vpdq-reference --seconds-per-hash -1 "$T/orig.mp4"; expect vref_bad_seconds 2 '^$' 'seconds-per-hash needs'
run "$V" hash -o "$T/vref" "$T/orig.mp4";                         expect vref_o_alone 2 '^$' 'give one of them too'

# bad files: one message each, the good file still hashed
run "$V" hash "$T/audio.wav" "$T/truncated.mp4" "$T/notes.mp4" "$T/orig.mp4"
n=$(printf '%s\n' "$out" | grep -c "$T/orig.mp4\$")
[ "$rc" -eq 1 ] && [ "$n" -ge 30 ] && ok bad_files_rest_hashed || bad bad_files_rest_hashed "rc=$rc n=$n"
grep -q "^vigil: $T/audio.wav: no video stream (the wav file has 1 audio stream only)\$" "$T/err" && ok err_audio || bad err_audio "$err"
grep -q "^vigil: $T/truncated.mp4: cannot read the mov,mp4,m4a,3gp,3g2,mj2 container: " "$T/err" && ok err_truncated || bad err_truncated "$err"
grep -q "^vigil: $T/notes.mp4: not a recognised video (expected MP4/MOV" "$T/err" && ok err_not_video || bad err_not_video "$err"

# ---- banks ---------------------------------------------------------------------
$VV bank create vids > /dev/null 2>&1 || bad setup "bank create"
run $VV bank add vids --video "$T/orig.mp4" --label entity=example-group
expect bank_add_video 0 '^[0-9]+$'
id=$out
run $VV bank add vids --video "$T/audio.wav";     expect bank_add_audio 2 '^$' 'no video stream'
run $VV bank add vids --signal "video:vpdq1:AAAA"; expect bank_add_bad_value 1 '^$' 'bad video value'
run $VV bank add vids --signal "video:$value"
[ "$rc" -eq 0 ] && [ "$out" = "$id" ] && grep -q "already has this video value" "$T/err" && ok bank_add_same_value || bad bank_add_same_value "rc=$rc out=$out" "$err"
$VV bank create other > /dev/null 2>&1
other=$($V hash --vpdq "$T/other.avi" | cut -d, -f1)
printf 'signal_type,signal_value,labels\nvideo,%s,entity=b\nvideo,vpdq1:xyz,\n' "$other" > "$T/import.csv"
run $VV bank import other "$T/import.csv"
expect bank_import 1 '^imported 1, unchanged 0, updated 0, bad 1$' 'import.csv:3: bad video value'
run $VV bank export vids
[ "$rc" -eq 0 ] && printf '%s\n' "$out" | grep -qxF "video,$value,entity=example-group," && ok bank_export || bad bank_export "rc=$rc" "$err"

# ---- vigil match ---------------------------------------------------------------
run $VV match "$T/excerpt.mkv"
expect match_excerpt 0 "^$T/excerpt.mkv,vids,$id,[0-9]+,100\\.0,3[0-9]\\.[0-9]\$"
run $VV match "$T/other.avi"
expect match_other 0 "^$T/other.avi,other,[0-9]+,0,100\\.0,100\\.0\$"
run $VV match --bank vids "$T/other.avi";         expect match_unrelated 1 '^$'
run $VV match --video-both "$T/excerpt.mkv";      expect match_both 1 '^$'
run $VV match --video-both --video-bank-share 30 "$T/excerpt.mkv"; expect match_both_30 0 ",vids,$id,"
run $VV match --video-query-share 101 "$T/excerpt.mkv"; expect match_bad_share 2 '^$' 'percentage from 0 to 100'
run $VV match --json "$T/excerpt.mkv"
expect match_json 0 "^\\{\"query\":\"$T/excerpt.mkv\",\"type\":\"video\",\"frames\":[0-9]+,\"usable_frames\":20,\"low_quality\":false,\"allowed\":false,\"suppressed\":0,\"matches\":\\[\\{\"bank\":\"vids\",\"entry_id\":$id,\"signal\":\"video\",\"distance\":[0-9]+,\"query_share\":100\\.0,\"bank_share\":[0-9.]+,\"query_frames\":[0-9]+,\"bank_frames\":[0-9]+,\"offset\":3[01](\\.[0-9]+)?,\"allow\":false,\"labels\":\\{\"entity\":\"example-group\"\\},\"external_id\":null\\}\\]\\}\$"
run $VV match --hash "$value"
expect match_hash_value 0 "^vpdq1:.*,vids,$id,0,100\\.0,100\\.0\$"
run $VV match "$T/audio.wav" "$T/excerpt.mkv"
expect match_bad_file 2 ",vids,$id," 'audio.wav: no video stream'
run $VV match --hash "vpdq1:zz";                   expect match_bad_value 2 '^$' 'bad video value'
# an MD5 entry of the whole file matches exactly too
$VV bank add other --md5 "$md5" > /dev/null 2>&1
run $VV match --bank other "$T/orig.mp4"
expect match_md5 0 "^$T/orig.mp4,other,[0-9]+,0\$"


# ---- partner forms: the reference file, pytx's signal, vpdqr1 -------------------
$VV bank create partner > /dev/null 2>&1 || bad setup "bank create partner"
run $VV bank add partner --signal "video:$(cat "$T/vref-stdout.txt")" --label src=partner
expect form_add_reference 0 '^[0-9]+$'
run $VV bank export partner --video-form reference
# the CSV field holds the file whole: unquote it and compare
printf '%s\n' "$out" | sed -n '2,$p' | sed -e '1s/^video,"//' -e '$d' > "$T/vref-back.txt"
cmp -s "$T/vref-back.txt" "$T/vref-stdout.txt" && [ "$rc" -eq 0 ] && ok form_export_reference_lossless || bad form_export_reference_lossless "rc=$rc" "$(diff "$T/vref-back.txt" "$T/vref-stdout.txt" | head -3)"
run $VV bank export partner
expect form_stored_vpdqr1 0 '^video,vpdqr1:[A-Za-z0-9+/]+=*,src=partner,$'
run "$V" vpdq convert --to pytx "$T/vref-stdout.txt"
expect form_convert_pytx 0 "^\\[\"$HEX,[0-9]+,0\\.0\", \"$HEX,[0-9]+,0\\.99[0-9]\", .*\"$HEX,[0-9]+,[0-9]+\\.[0-9]\"\\]\$"
printf '%s\n' "$out" > "$T/signal.json"
run $VV bank add partner --signal "video:$(cat "$T/signal.json")"
expect form_add_pytx 0 '^[0-9]+$'
run $VV bank create pytx-names
run $VV bank add pytx-names --signal "vpdq:$(cat "$T/signal.json")"
expect form_add_pytx_type_name 0 '^[0-9]+$'
run $VV bank export partner --video-form pytx
n=$(printf '%s\n' "$out" | grep -c '^video,"\[""')
[ "$rc" -eq 0 ] && [ "$n" -eq 2 ] && ok form_export_pytx || bad form_export_pytx "rc=$rc n=$n"
run "$V" vpdq convert --to reference "$T/signal.json"
expect form_pytx_to_reference_needs_rate 1 '^$' 'no frame number and the video no frame rate'
run "$V" vpdq convert --to reference --frame-rate 5 "$T/signal.json"
[ "$rc" -eq 0 ] && printf '%s\n' "$out" | sed -n 2p | grep -Eq "^5,[0-9]+,$HEX,0\\.99[0-9]\$" && ok form_pytx_to_reference || bad form_pytx_to_reference "rc=$rc" "$err"
run $VV bank export partner --video-form fancy
expect form_bad_name 2 '^$' 'unknown video form'
printf '["%s,100,-1"]\n' "$(printf 'a%.0s' $(seq 64))" > "$T/neg.json"
run $VV bank add partner --signal "video:$(cat "$T/neg.json")"
expect form_bad_timestamp 1 '^$' 'frame 1: the timestamp is negative'

# ---- rules: pytx's and the README's, phase-robust shares ----------------------
"$V" hash --vpdq-reference --seconds-per-hash 0 "$T/orig.mp4" > "$T/vref-all.txt"
run "$V" vpdq compare --rule pytx --distance 0 "$T/vref-all.txt" "$T/vref-stdout.txt"
expect rule_pytx_phase 0 '^pytx,[0-9.]+,100\.0,0,no-match$'
run "$V" vpdq compare --rule pytx --distance 0 --phase-robust "$T/vref-all.txt" "$T/vref-stdout.txt"
expect rule_pytx_phase_robust 0 '^pytx,100\.0,100\.0,0,match$'
run "$V" vpdq compare --rule readme --json "$T/vref-stdout.txt" "$T/vref-all.txt"
expect rule_readme_json 0 '^\{"rule":"readme","match":true,"query_share":100\.0,"bank_share":[0-9.]+,"query_share_time":'
run "$V" vpdq compare --rule strict "$T/vref-all.txt" "$T/vref-stdout.txt"
expect rule_bad 2 '^$' 'unknown video match rule'
run $VV match --bank partner --video-rule pytx --max-distance 0 --vpdq-reference --seconds-per-hash 0 "$T/orig.mp4"
expect match_pytx_dense_no 1 '^$'
run $VV match --bank partner --video-rule pytx --max-distance 0 --vpdq-reference --seconds-per-hash 0 --video-phase-robust "$T/orig.mp4"
expect match_pytx_dense_robust 0 "^$T/orig.mp4,partner,[0-9]+,0,100\\.0,100\\.0\$"
run $VV match --bank partner --video-bank-rule partner=readme,0,101 "$T/orig.mp4"
expect match_bank_rule_bad 2 '^$' 'video-bank-rule needs'
run $VV match --bank partner --json --video-bank-rule partner=readme --vpdq-reference "$T/orig.mp4"
expect match_bank_rule 0 '"rule":"readme","query_share_time":100\.0'


# ---- TMK+PDQF --------------------------------------------------------------------
run "$V" hash --tmk -o "$T/orig.tmk" "$T/orig.mp4"
[ "$rc" -eq 0 ] && [ "$(wc -c < "$T/orig.tmk")" -eq 263344 ] && [ "$(head -c 12 "$T/orig.tmk")" = TMK1FVECPDQF ] && ok tmk_file || bad tmk_file "rc=$rc" "$err"
run "$V" tmk score "$T/orig.tmk" "$T/orig.tmk"
expect tmk_score_self 0 '^1\.000000,1\.000000$'
"$V" hash --tmk -o "$T/other.tmk" "$T/other.avi" 2>/dev/null
run "$V" tmk score "$T/orig.tmk" "$T/other.tmk"
l2=$(printf '%s' "$out" | cut -d, -f2)
[ "$rc" -eq 0 ] && awk "BEGIN { exit !($l2 < 0.7) }" && ok tmk_score_other || bad tmk_score_other "rc=$rc out=$out"
run "$V" hash --tmk "$T/orig.mp4"
vl=$(printf '%s' "$out" | cut -d, -f1 | sed 's/^tmk://' | tr -d 'A-Za-z0-9+/=\n' | wc -c)
[ "$rc" -eq 0 ] && [ "$(printf '%s' "$out" | cut -d, -f1 | tr -d '\n' | wc -c)" -eq 351132 ] && [ "$vl" -eq 0 ] &&
    [ "$(printf '%s' "$out" | cut -d, -f2)" = "$T/orig.mp4" ] && ok tmk_value || bad tmk_value "rc=$rc vl=$vl"
head -c 100000 "$T/orig.tmk" > "$T/cut.tmk"
run "$V" tmk score "$T/orig.tmk" "$T/cut.tmk"
expect tmk_truncated 1 '^$' 'cut.tmk: TMK file is 100000 bytes, not 263344 \(truncated\)'
run "$V" tmk score "$T/orig.tmk" "$T/orig.mp4"
expect tmk_not_tmk 1 '^$' "not a TMK feature-vector file"
mkdir -p "$T/tmkdir"
run "$V" hash --tmk -o "$T/tmkdir" "$T/orig.mp4" "$T/notes.mp4"
[ "$rc" -eq 1 ] && [ -s "$T/tmkdir/orig.tmk" ] && [ ! -e "$T/tmkdir/notes.tmk" ] && ok tmk_outdir || bad tmk_outdir "rc=$rc" "$err"


# ---- TMK+PDQF in a bank ------------------------------------------------------------
$VV bank create gifct > /dev/null 2>&1 || bad setup "bank create gifct"
run $VV bank add gifct --tmk "$T/orig.tmk" --label src=a
expect tmk_bank_add_file 0 '^[0-9]+$'
tid=$out
run $VV bank add gifct --tmk "$T/other.avi" --label src=b
expect tmk_bank_add_video 0 '^[0-9]+$'
run $VV bank add gifct --tmk "$T/cut.tmk"
expect tmk_bank_add_truncated 2 '^$' 'truncated'
run $VV tmk match "$T/orig.mp4"
expect tmk_match_video 0 "^$T/orig.mp4,gifct,$tid,(1\\.000000|0\\.99999[0-9]),(1\\.000000|0\\.99999[0-9])\$"
run $VV tmk match --json "$T/orig.tmk"
expect tmk_match_json 0 '^\{"query":".*","type":"tmk","candidates":1,"allowed":false,"suppressed":0,"matches":\[\{"bank":"gifct","entry_id":[0-9]+,"signal":"tmk","level1":'
run $VV tmk match --bank vids "$T/orig.tmk"
expect tmk_match_other_bank 1 '^$'
run $VV tmk export "$tid" "$T/back.tmk"
cmp -s "$T/back.tmk" "$T/orig.tmk" && [ "$rc" -eq 0 ] && ok tmk_export || bad tmk_export "rc=$rc" "$err"
run $VV tmk export 1 "$T/x.tmk"
expect tmk_export_wrong_type 1 '^$' 'not tmk'
run $VV tmk match --level1 2 "$T/orig.tmk"
expect tmk_match_bad_level 2 '^$' 'level1 needs a score'

# ---- bad input: no frame rate, the video not stream 0 (nothing half-written) --
{ "$G" --size 64x48 --fps 5 --seconds 0.2 --seed 23 "$T/oneframe.mp4" &&
  "$G" --size 64x48 --fps 5 --seconds 3 --seed 24 --format matroska --audio-first "$T/audiofirst.mkv" &&
  "$G" --size 64x48 --fps 5 --seconds 3 --seed 24 --format matroska "$T/videofirst.mkv"; } 2>/dev/null ||
    bad gen_bad_videos "gen-video failed"
run "$V" hash --tmk -o "$T/norate.tmk" "$T/oneframe.mp4"
[ "$rc" -eq 1 ] && [ ! -e "$T/norate.tmk" ] && printf '%s\n' "$err" | grep -q 'oneframe.mp4: the video stream states no frame rate (1/0): TMK resamples by frame rate' &&
    ok tmk_no_frame_rate || bad tmk_no_frame_rate "rc=$rc" "$err"
before=$($VV bank export gifct | wc -l)
run $VV bank add gifct --tmk "$T/oneframe.mp4"
after=$($VV bank export gifct | wc -l)
[ "$rc" -ne 0 ] && [ "$before" -eq "$after" ] && printf '%s\n' "$err" | grep -q 'states no frame rate' &&
    ok tmk_bank_add_no_frame_rate || bad tmk_bank_add_no_frame_rate "rc=$rc before=$before after=$after" "$err"
mkdir -p "$T/refdir"
run "$V" hash --vpdq-reference -o "$T/refdir" "$T/oneframe.mp4"
[ "$rc" -eq 1 ] && [ ! -e "$T/refdir/oneframe.txt" ] && printf '%s\n' "$err" | grep -q 'states no frame rate (1/0): the reference' &&
    ok reference_no_frame_rate || bad reference_no_frame_rate "rc=$rc" "$err"
run "$V" hash --vpdq-reference -o "$T/refdir" "$T/audiofirst.mkv"
[ "$rc" -eq 1 ] && [ ! -e "$T/refdir/audiofirst.txt" ] && printf '%s\n' "$err" | grep -q 'the video is stream 1, not stream 0' &&
    ok reference_not_stream0 || bad reference_not_stream0 "rc=$rc" "$err"
# vigil's own hashes and TMK take the video stream wherever it is: the same as
# the same video alone
run "$V" hash --tmk "$T/audiofirst.mkv"
a=$(printf '%s' "$out" | cut -d, -f1)
run "$V" hash --tmk "$T/videofirst.mkv"
b=$(printf '%s' "$out" | cut -d, -f1)
[ -n "$a" ] && [ "$a" = "$b" ] && ok tmk_video_not_stream0 || bad tmk_video_not_stream0 "differ or empty"
a=$("$V" hash "$T/audiofirst.mkv" | cut -d, -f1-4)
b=$("$V" hash "$T/videofirst.mkv" | cut -d, -f1-4)
[ -n "$a" ] && [ "$a" = "$b" ] && ok hash_video_not_stream0 || bad hash_video_not_stream0 "differ or empty"

finish
