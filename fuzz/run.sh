#!/bin/sh
# fuzz/run.sh - build a libFuzzer target (clang, ASan+UBSan) and run it for
# SECONDS (default 60).  Targets:
#   decode_hash (default)  the decode+hash path, on a seed corpus of generated
#                          images in every format
#   csv                    the bank CSV importer, seeded with fuzz/regress-csv/
#                          and the dictionary fuzz/csv.dict
#   url                    the URL canonicaliser, seeded with fuzz/regress-url/
#   text                   the text normaliser and fingerprinter (and language
#                          identification), seeded with fuzz/regress-text/
# Usage: sh fuzz/run.sh [SECONDS] [TARGET]
set -eu
cd "$(dirname "$0")/.."
SECS=${1:-60}
TARGET=${2:-decode_hash}
command -v clang > /dev/null || { echo "fuzz: needs clang (apt-get install clang)"; exit 2; }
OUT=build/fuzz
PKGS="libjpeg libpng libwebp libwebpdemux libgif libcrypto jansson stb sqlite3 libcurl libidn2 libutf8proc"
CFLAGS="-std=c17 -D_POSIX_C_SOURCE=200809L -DVIGIL_HAVE_WEBPDEMUX -g -O1 -ffp-contract=off -Iinclude -Isrc $(pkg-config --cflags $PKGS)"
LIBS="$(pkg-config --libs $PKGS) -Wl,--push-state,--no-as-needed -lcld2_full -Wl,--pop-state -lcld2 -lstdc++ -lm"
build() { # build NAME: fuzz/fuzz_NAME.c + the library sources -> $OUT/fuzz_NAME
    mkdir -p "$OUT"
    CXXOBJ=""
    for f in src/*/*.cc; do # the C++ shims (CLD2)
        o="$OUT/$(basename "$f" .cc).o"
        clang++ -std=c++17 -g -O1 -Iinclude -Isrc -fsanitize=fuzzer-no-link,address,undefined -c "$f" -o "$o"
        CXXOBJ="$CXXOBJ $o"
    done
    clang $CFLAGS -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
        -o "$OUT/fuzz_$1" "fuzz/fuzz_$1.c" src/*/*.c $CXXOBJ $LIBS
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
text)
    mkdir -p fuzz/corpus-text
    build text
    echo "fuzzing the text normaliser for $SECS s on $(ls fuzz/regress-text | wc -l) seeds"
    "$OUT/fuzz_text" -max_total_time="$SECS" -rss_limit_mb=2048 -timeout=10 \
        -max_len=16384 -print_final_stats=1 fuzz/corpus-text fuzz/regress-text
    ;;
*)
    echo "fuzz: unknown target '$TARGET' (decode_hash, csv, url or text)"
    exit 2
    ;;
esac
