#!/bin/sh
# fuzz/run.sh - build the libFuzzer target (clang, ASan+UBSan) and run it for
# SECONDS (default 60) on a seed corpus of generated images in every format.
# Usage: sh fuzz/run.sh [SECONDS]
set -eu
cd "$(dirname "$0")/.."
SECS=${1:-60}
command -v clang > /dev/null || { echo "fuzz: needs clang (apt-get install clang)"; exit 2; }
OUT=build/fuzz
mkdir -p "$OUT" fuzz/corpus-decode
CFLAGS="-std=c17 -D_POSIX_C_SOURCE=200809L -DVIGIL_HAVE_WEBPDEMUX -g -O1 -ffp-contract=off -Iinclude -Isrc $(pkg-config --cflags libjpeg libpng libwebp libwebpdemux libgif libcrypto jansson stb sqlite3)"
LIBS="$(pkg-config --libs libjpeg libpng libwebp libwebpdemux libgif libcrypto jansson stb sqlite3) -lm"
clang $CFLAGS -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -o "$OUT/fuzz_decode_hash" fuzz/fuzz_decode_hash.c src/*/*.c $LIBS
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
