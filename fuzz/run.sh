#!/bin/sh
# fuzz/run.sh - build a libFuzzer target (clang, ASan+UBSan) and run it for
# SECONDS (default 60).  Targets:
#   decode_hash (default)  the decode+hash path, on a seed corpus of generated
#                          images in every format
#   csv                    the bank CSV importer, seeded with fuzz/regress-csv/
#                          and the dictionary fuzz/csv.dict
#   url                    the URL canonicaliser, seeded with fuzz/regress-url/
# Usage: sh fuzz/run.sh [SECONDS] [TARGET]
set -eu
cd "$(dirname "$0")/.."
SECS=${1:-60}
TARGET=${2:-decode_hash}
command -v clang > /dev/null || { echo "fuzz: needs clang (apt-get install clang)"; exit 2; }
OUT=build/fuzz
PKGS="libjpeg libpng libwebp libwebpdemux libgif libcrypto jansson stb sqlite3 libcurl libidn2"
CFLAGS="-std=c17 -D_POSIX_C_SOURCE=200809L -DVIGIL_HAVE_WEBPDEMUX -g -O1 -ffp-contract=off -Iinclude -Isrc $(pkg-config --cflags $PKGS)"
LIBS="$(pkg-config --libs $PKGS) -lm"
build() { # build NAME: fuzz/fuzz_NAME.c + the library sources -> $OUT/fuzz_NAME
    mkdir -p "$OUT"
    clang $CFLAGS -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
        -o "$OUT/fuzz_$1" "fuzz/fuzz_$1.c" src/*/*.c $LIBS
}

case "$TARGET" in
decode_hash)
    mkdir -p fuzz/corpus-decode
    build decode_hash
    # seeds: small generated images of every format (and two fixtures if present)
    make --no-print-directory build/gen-samples > /dev/null
    SEEDS="$OUT/seeds"
    build/gen-samples --seeds "$SEEDS"
    build/gen-samples "$OUT/samples" > /dev/null && cp "$OUT"/samples/bad/* "$SEEDS/"
    [ -d ../shared/fixtures/pdq/images ] && cp ../shared/fixtures/pdq/images/*square-128* \
        ../shared/fixtures/pdq/images/*wee* "$SEEDS/" 2>/dev/null || true
    echo "fuzzing decode+hash for $SECS s on $(ls "$SEEDS" | wc -l) seeds"
    "$OUT/fuzz_decode_hash" -max_total_time="$SECS" -rss_limit_mb=2048 -timeout=10 \
        -max_len=262144 -print_final_stats=1 fuzz/corpus-decode "$SEEDS"
    ;;
csv)
    mkdir -p fuzz/corpus-csv
    build csv
    echo "fuzzing the CSV importer for $SECS s on $(ls fuzz/regress-csv | wc -l) seeds"
    "$OUT/fuzz_csv" -max_total_time="$SECS" -rss_limit_mb=2048 -timeout=10 \
        -max_len=65536 -dict=fuzz/csv.dict -print_final_stats=1 fuzz/corpus-csv fuzz/regress-csv
    ;;
url)
    mkdir -p fuzz/corpus-url
    build url
    echo "fuzzing the URL canonicaliser for $SECS s on $(ls fuzz/regress-url | wc -l) seeds"
    "$OUT/fuzz_url" -max_total_time="$SECS" -rss_limit_mb=2048 -timeout=10 \
        -max_len=4096 -print_final_stats=1 fuzz/corpus-url fuzz/regress-url
    ;;
*)
    echo "fuzz: unknown target '$TARGET' (decode_hash, csv or url)"
    exit 2
    ;;
esac
