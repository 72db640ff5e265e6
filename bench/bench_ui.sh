#!/bin/sh
# bench/bench_ui.sh - `make bench-ui`: the web app on a large operation in
# headless Chromium (web/bench/bench-ui.mjs).  Builds BUILD/bench-ui.db once
# with `vigil demo --items N` (BENCH_UI_ITEMS, default 100000 reports: some
# minutes), then serves it on a free port and measures.  Not a test.
set -eu
B=${1:-build}
V="$B/vigil"
N=${BENCH_UI_ITEMS:-100000}
D="$B/bench-ui-$N.db"
cd "$(dirname "$0")/.."
[ -d web/node_modules/playwright-core ] || { echo "bench-ui: run make web first (npm ci)"; exit 1; }
if [ ! -f "$D" ]; then
    echo "bench-ui: building $D (vigil demo --items $N; this takes a while)"
    "$V" --db "$D.tmp" -q demo --items "$N" > /dev/null
    mv "$D.tmp" "$D"
    [ -f "$D.tmp-wal" ] && mv "$D.tmp-wal" "$D-wal"
    [ -f "$D.tmp-shm" ] && mv "$D.tmp-shm" "$D-shm"
fi
echo "bench-pw-admin" | "$V" --db "$D" -q user passwd admin --by admin
"$V" --db "$D" report demo-action-day | head -n 1
"$V" --db "$D" serve --listen 127.0.0.1:0 --access-log off 2> "$B/bench-ui.log" &
pid=$!
trap 'kill $pid 2> /dev/null; wait $pid 2> /dev/null' EXIT
for i in $(seq 50); do
    url=$(sed -n 's/.*listening on \(http:[^ ]*\).*/\1/p' "$B/bench-ui.log")
    [ -n "$url" ] && break
    sleep 0.2
done
[ -n "$url" ] || { cat "$B/bench-ui.log"; exit 1; }
(cd web && node bench/bench-ui.mjs "$url" admin bench-pw-admin demo-action-day "${BENCH_UI_RUNS:-5}")
