#!/bin/sh
# scripts/demo.sh - the main job for now: generate the sample images (made
# up pictures, never real content) and hash them the way hash-sharing
# partners do, then show which samples are near-duplicates of the poster.
set -eu
B=${1:-build}
V="$B/vigil"
S="$B/samples"
"$B/gen-samples" "$S"
echo "== vigil hash --all $S/*.*   (PDQ,QUALITY,MD5,SHA256,PATH)"
"$V" hash --all "$S"/*.*
echo
echo "== near-duplicates of poster.jpg (PDQ distance <= 31 is a match; rotated copies"
echo "   are caught by the dihedral variants: vigil hash --dihedral)"
"$V" hash --dihedral "$S/poster.jpg" | tr ',' '\n' | head -8 > "$S/.dih"
for f in "$S"/*.*; do
    h=$("$V" hash "$f" | cut -d, -f1)
    best=256 which=""
    i=0
    for d in $(cat "$S/.dih"); do
        n=$("$V" distance "$d" "$h" | cut -d, -f1)
        if [ "$n" -lt "$best" ]; then best=$n; which=$i; fi
        i=$((i + 1))
    done
    names="original rotate90 rotate180 rotate270 flipx flipy flipplus1 flipminus1"
    v=$(echo $names | cut -d' ' -f$(( ${which:-0} + 1 )))
    if [ "$best" -le 31 ]; then printf '  %-24s distance %3s via %-10s MATCH\n' "$(basename "$f")" "$best" "$v"
    else printf '  %-24s distance %3s            -\n' "$(basename "$f")" "$best"; fi
done
rm -f "$S/.dih"
echo
echo "== bad input is reported per file, the rest is still hashed (exit status 1):"
"$V" hash "$S/bad/truncated.jpg" "$S/bad/notes.txt" "$S/logo.bmp" || true
echo
echo "== a synthetic referral action day in the case store ($B/demo.db): vigil demo"
rm -f "$B/demo.db" "$B/demo.db-wal" "$B/demo.db-shm"
"$V" --db "$B/demo.db" demo
echo
echo "== vigil report demo-action-day"
"$V" --db "$B/demo.db" report demo-action-day | head -n 1
"$V" --db "$B/demo.db" report demo-action-day | sed -n '/^per platform:/,$p' | head -n 8
echo
echo "== removal orders and their one-hour clock: vigil order list"
"$V" --db "$B/demo.db" order list
echo
echo "== platforms seen for the first time, to review: vigil platform list --new"
"$V" --db "$B/demo.db" platform list --new
echo
echo "== vigil audit verify"
"$V" --db "$B/demo.db" audit verify
echo
echo "Try: $V --db $B/demo.db item list --op demo-action-day --state held"
echo "     $V --db $B/demo.db item show 1"
