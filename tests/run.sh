#!/bin/sh
# tests/run.sh - run the unit tests and the CLI tests against one or more
# build directories (e.g. build and build/asan), then the browser suite once
# (tests/browser.sh, against the first) and the PostgreSQL suites once
# (tests/pg.sh, against the first), and print the grand total as the
# closing line "N passed, N failed, N skipped".
set -u
cd "$(dirname "$0")/.." || exit 2
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
P=0 F=0 S=0
tally() { # tally LOGFILE: add the counts of its last summary line
    line=$(grep -E '[0-9]+ passed, [0-9]+ failed' "$1" | tail -n 1)
    if [ -z "$line" ]; then F=$((F + 1)); echo "  (no summary line: counted as a failure)"; return; fi
    p=$(echo "$line" | sed -E 's/^(.*[^0-9])?([0-9]+) passed.*/\2/')
    f=$(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')
    s=$(echo "$line" | sed -nE 's/.* ([0-9]+) skipped.*/\1/p')
    P=$((P + p)); F=$((F + f)); S=$((S + ${s:-0}))
}
log=$(mktemp)
for b in "$@"; do
    echo "== $b: unit tests"
    "$b/vigil-tests" > "$log" 2>&1
    rc=$?
    cat "$log"
    tally "$log"
    [ $rc -ne 0 ] && ! grep -q ' [1-9][0-9]* failed' "$log" && { echo "  (exit $rc)"; F=$((F + 1)); }
    for t in tests/cli*.sh; do
        echo "== $b: $t"
        sh "$t" "$b" > "$log" 2>&1
        rc=$?
        cat "$log"
        tally "$log"
        [ $rc -ne 0 ] && ! grep -q ' [1-9][0-9]* failed' "$log" && { echo "  (exit $rc)"; F=$((F + 1)); }
    done
done
# the store-touching suites again on a throwaway PostgreSQL cluster, once,
# against the first (plain) build: tests/pg.sh (skipped, with the reason,
# where PostgreSQL is missing)
echo "== $1: tests/pg.sh"
sh tests/pg.sh "$1" > "$log" 2>&1
rc=$?
cat "$log"
tally "$log"
[ $rc -ne 0 ] && ! grep -q ' [1-9][0-9]* failed' "$log" && { echo "  (exit $rc)"; F=$((F + 1)); }
# the web app in a real browser, once, against the first build
echo "== $1: tests/browser.sh"
sh tests/browser.sh "$1" > "$log" 2>&1
rc=$?
cat "$log"
tally "$log"
[ $rc -ne 0 ] && ! grep -q ' [1-9][0-9]* failed' "$log" && { echo "  (exit $rc)"; F=$((F + 1)); }
rm -f "$log"
echo "$P passed, $F failed, $S skipped"
[ "$F" -eq 0 ]
