#!/bin/sh
# bench/bench_http.sh BUILD - the HTTP API under load (wrk on loopback), in one run with its
# two baselines: nginx serving a static file of the same size as a match response (the
# ceiling for any HTTP server here), and the matcher alone in process (bench-matcher inproc).
#   - POST /v1/match, one hash per request, against banks of 1M and 10M PDQ hashes
#   - POST /v1/match, 100 hashes per request (1M bank)
#   - GET /v1/items?op=...&after=...&limit=100 on an operation of 100k items
# Environment: BENCH_HTTP_SIZES (default "1000000 10000000"), BENCH_SECONDS (10),
# BENCH_CONNECTIONS (32), BENCH_DIR (/tmp/vigil-bench-http: generated stores are kept
# there and reused).  Installs wrk and nginx-light with apt when missing.
set -eu
B=${1:-build}
V="$B/vigil"
M="$B/bench-matcher"
W=${BENCH_DIR:-/tmp/vigil-bench-http}
SIZES=${BENCH_HTTP_SIZES:-"1000000 10000000"}
DUR=${BENCH_SECONDS:-10}
CONN=${BENCH_CONNECTIONS:-32}
PORT=18090
NGPORT=18091
mkdir -p "$W"
SERVER=""
cleanup() {
    [ -n "$SERVER" ] && kill -TERM "$SERVER" 2> /dev/null || true
    [ -f "$W/nginx/nginx.pid" ] && kill "$(cat "$W/nginx/nginx.pid")" 2> /dev/null || true
}
trap cleanup EXIT

missing=""
command -v wrk > /dev/null || missing="$missing wrk"
[ -x /usr/sbin/nginx ] || missing="$missing nginx-light"
if [ -n "$missing" ]; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
    echo "installing$missing"
    $SUDO apt-get install -y -q $missing > /dev/null
fi

ms() { # wrk latency ("812.00us", "1.23ms", "2.01s") in ms
    echo "$1" | awk '/us$/ {sub("us",""); printf "%.2f", $0/1000; next}
                     /ms$/ {sub("ms",""); printf "%.2f", $0; next}
                     /s$/  {sub("s","");  printf "%.2f", $0*1000; next} {print $0}'
}
# run_wrk NAME URL [LUA]: prints "NAME  req/s  p50  p99" and sets RPS
run_wrk() {
    name=$1 url=$2 lua=${3:-}
    if [ -n "$lua" ]; then out=$(wrk -t2 -c"$CONN" -d"${DUR}s" --latency -s "$lua" "$url")
    else out=$(wrk -t2 -c"$CONN" -d"${DUR}s" --latency "$url"); fi
    RPS=$(echo "$out" | awk '/Requests\/sec/ {printf "%.0f", $2}')
    p50=$(ms "$(echo "$out" | awk '$1 == "50%" {print $2}')")
    p99=$(ms "$(echo "$out" | awk '$1 == "99%" {print $2}')")
    errs=$(echo "$out" | awk '/Non-2xx|Socket errors/ {print}' | tr '\n' ' ')
    printf '  %-44s %9s req/s   p50 %6s ms   p99 %6s ms %s\n' "$name" "$RPS" "$p50" "$p99" "$errs"
}
wait_up() {
    i=0
    until curl -s -o /dev/null "http://127.0.0.1:$PORT/healthz" 2> /dev/null; do
        i=$((i + 1)); [ $i -gt 600 ] && { echo "server did not start"; exit 1; }; sleep 0.2
    done
}
serve() { # serve DB: start vigil serve in the background
    "$V" --db "$1" serve --listen "127.0.0.1:$PORT" --threads 2 --access-log off > /dev/null 2> "$W/serve.log" &
    SERVER=$!
    wait_up
}
unserve() { kill -TERM "$SERVER"; wait "$SERVER" 2> /dev/null || true; SERVER=""; }
lua_bodies() { # lua_bodies FILE BODIESFILE TOKEN
    cat > "$1" <<LUA
$(cat "$2")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $3"
local i = 0
request = function()
  i = i + 1
  return wrk.format(nil, "/v1/match", nil, bodies[(i % #bodies) + 1])
end
LUA
}

echo "== vigil HTTP benchmark: wrk -t2 -c$CONN -d${DUR}s on loopback, $(nproc) cores"
first_rps=""
for n in $SIZES; do
    db="$W/bank-$n.db"
    if [ ! -f "$db" ]; then
        echo "  (building a bank of $n random PDQ hashes in $db)"
        "$M" gen "$n" 1 > "$W/hashes-$n.txt"
        "$V" --db "$db" -q bank create bench > /dev/null
        "$V" --db "$db" -q bank import bench "$W/hashes-$n.txt" > /dev/null
        "$V" --db "$db" -q agency add BENCH > /dev/null
        "$V" --db "$db" -q user add bench --role analyst --agency BENCH > /dev/null
        rm -f "$W/hashes-$n.txt"
    fi
    "$M" gen 1000 1 > "$W/head.txt"
    token=$("$V" --db "$db" user token bench)
    "$M" queries 1000 2 "$W/head.txt" > "$W/bodies1.lua"
    lua_bodies "$W/single.lua" "$W/bodies1.lua" "$token"
    inproc=$("$M" inproc "$db" 5 2)
    IN_RPS=$(echo "$inproc" | sed -E 's/.*: ([0-9]+) queries\/s/\1/')
    echo "  $inproc"
    serve "$db"
    size=$(curl -s -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
        -d "{\"hashes\":[\"pdq:$(head -n 1 "$W/head.txt")\"]}" "http://127.0.0.1:$PORT/v1/match" | wc -c)
    run_wrk "POST /v1/match, 1 hash, $n in the bank" "http://127.0.0.1:$PORT" "$W/single.lua"
    printf '  %-44s %9s\n' "  vs the matcher in process (2 threads)" "$(awk -v a="$RPS" -v b="$IN_RPS" 'BEGIN {printf "%.2fx", a/b}')"
    [ -z "$first_rps" ] && first_rps=$RPS && first_n=$n
    if [ "$n" = "$(echo $SIZES | cut -d' ' -f1)" ]; then
        { echo "bodies = {"; i=0; while [ $i -lt 50 ]; do
              printf "  '{\"hashes\":["; "$M" gen 100 $((i + 10)) | awk '{printf "%s\"pdq:%s\"", (NR > 1 ? "," : ""), $0}'; printf "]}',\n"; i=$((i + 1)); done
          echo "}"; } > "$W/bodies100.lua"
        lua_bodies "$W/batch.lua" "$W/bodies100.lua" "$token"
        run_wrk "POST /v1/match, 100 hashes, $n in the bank" "http://127.0.0.1:$PORT" "$W/batch.lua"
        echo "  $(awk -v a="$RPS" 'BEGIN {printf "%.0f", a*100}') hashes/s in batches of 100"
    fi
    unserve
done

# GET /v1/items on an operation of 100k items
idb="$W/items-100k.db"
if [ ! -f "$idb" ]; then
    echo "  (building an operation of 100,000 items in $idb)"
    "$V" --db "$idb" -q agency add BENCH > /dev/null
    "$V" --db "$idb" -q user add bench --role analyst --agency BENCH > /dev/null
    "$V" --db "$idb" -q op create bench --coordinator BENCH > /dev/null
    awk 'BEGIN {print "url,type,language"; for (i = 1; i <= 100000; i++) printf "https://t.me/benchchannel%d/%d,post,%s\n", i % 500, i, (i % 3 ? "ar" : "en;fr")}' > "$W/items.csv"
    "$V" --db "$idb" -q item import bench "$W/items.csv" --by bench > /dev/null
    rm -f "$W/items.csv"
fi
itoken=$("$V" --db "$idb" user token bench)
cat > "$W/items.lua" <<LUA
wrk.headers["Authorization"] = "Bearer $itoken"
local i = 0
request = function()
  i = i + 7919
  return wrk.format("GET", "/v1/items?op=bench&limit=100&after=" .. (i % 99900))
end
LUA
serve "$idb"
isize=$(curl -s -H "Authorization: Bearer $itoken" "http://127.0.0.1:$PORT/v1/items?op=bench&limit=100&after=5000" | wc -c)
run_wrk "GET /v1/items (100 of 100k, $isize B)" "http://127.0.0.1:$PORT" "$W/items.lua"
unserve

# nginx: a static file of the size of a match response, same wrk settings
mkdir -p "$W/www" "$W/nginx"
head -c "$size" /dev/zero | tr '\0' 'x' > "$W/www/match.json"
cat > "$W/nginx/nginx.conf" <<NG
worker_processes 2;
pid $W/nginx/nginx.pid;
error_log $W/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  server { listen 127.0.0.1:$NGPORT; root $W/www; }
}
NG
/usr/sbin/nginx -c "$W/nginx/nginx.conf" -p "$W/nginx"
sleep 0.5
run_wrk "nginx, static file of $size B (the ceiling)" "http://127.0.0.1:$NGPORT/match.json"
NG_RPS=$RPS
kill "$(cat "$W/nginx/nginx.pid")"
rm -f "$W/nginx/nginx.pid"
echo "  POST /v1/match at $first_n hashes vs nginx static: $(awk -v a="$first_rps" -v b="$NG_RPS" 'BEGIN {printf "%.2fx", a/b}')"
