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
#   http                   the HTTP API: raw requests to every route (in-process
#                          server on a demo store), seeded with fuzz/regress-http/
#   video                  the video decode+hash path (libavformat from memory),
#                          seeded with generated tiny videos and fuzz/regress-video/
# Usage: sh fuzz/run.sh [SECONDS] [TARGET]
# ($FUZZ_OUT: where to build, default build/fuzz; $GEN_VIDEO: the gen-video
# program for the video seeds, default build/gen-video, built when missing.)
set -eu
cd "$(dirname "$0")/.."
SECS=${1:-60}
TARGET=${2:-decode_hash}
command -v clang > /dev/null || { echo "fuzz: needs clang (apt-get install clang)"; exit 2; }
OUT=${FUZZ_OUT:-build/fuzz}
# the library's packages as the Makefile names them (PKGS and SRV_PKGS), so
# that a new dependency of the library reaches the fuzz build too
PKGS="$(sed -nE 's/^(SRV_)?PKGS +:= *//p' Makefile | tr '\n' ' ')"
CFLAGS="-std=c17 -D_POSIX_C_SOURCE=200809L -DVIGIL_HAVE_WEBPDEMUX -g -O1 -ffp-contract=off -Iinclude -Isrc $(pkg-config --cflags $PKGS)"
LIBS="$(pkg-config --libs $PKGS) -Wl,--push-state,--no-as-needed -lcld2_full -Wl,--pop-state -lcld2 -lstdc++ -lm"
build() { # build NAME: fuzz/fuzz_NAME.c + the library sources -> $OUT/fuzz_NAME
    mkdir -p "$OUT"
    # the web app's files, embedded (src/http/static.c serves them; an empty
    # set when the app is not built)
    make --no-print-directory BUILD="$OUT" "$OUT/gen/web_assets.c" > /dev/null
    CXXOBJ=""
    for f in src/*/*.cc; do # the C++ shims (CLD2)
        o="$OUT/$(basename "$f" .cc).o"
        clang++ -std=c++17 -g -O1 -Iinclude -Isrc -fsanitize=fuzzer-no-link,address,undefined -c "$f" -o "$o"
        CXXOBJ="$CXXOBJ $o"
    done
    clang $CFLAGS -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
        -o "$OUT/fuzz_$1" "fuzz/fuzz_$1.c" src/*/*.c "$OUT/gen/web_assets.c" $CXXOBJ $LIBS
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
http)
    mkdir -p fuzz/corpus-http
    build http
    echo "fuzzing the HTTP API for $SECS s on $(ls fuzz/regress-http | wc -l) seeds"
    "$OUT/fuzz_http" -max_total_time="$SECS" -rss_limit_mb=2048 -timeout=10 \
        -max_len=8192 -print_final_stats=1 fuzz/corpus-http fuzz/regress-http
    ;;
video)
    mkdir -p fuzz/corpus-video
    build video
    GV=${GEN_VIDEO:-build/gen-video}
    [ -x "$GV" ] || make --no-print-directory "$GV" > /dev/null
    SEEDS="$OUT/seeds-video"
    mkdir -p "$SEEDS"
    # tiny generated videos in each container and a few codecs, and an audio file
    "$GV" --size 32x24 --fps 4 --seconds 3 --scene 1 --seed 1 "$SEEDS/a.mp4"
    "$GV" --size 32x24 --fps 4 --seconds 3 --scene 1 --seed 2 --codec libx264 --format matroska "$SEEDS/b.mkv"
    "$GV" --size 32x24 --fps 4 --seconds 3 --scene 1 --seed 3 --format avi "$SEEDS/c.avi"
    "$GV" --size 32x24 --fps 4 --seconds 3 --scene 1 --seed 4 --codec mpeg2video --format mpegts "$SEEDS/d.ts"
    "$GV" --size 32x24 --fps 4 --seconds 3 --scene 1 --seed 5 --codec flv --format flv "$SEEDS/e.flv"
    "$GV" --wav --seconds 0.2 "$SEEDS/f.wav"
    echo "fuzzing the video path for $SECS s on $(ls "$SEEDS" fuzz/regress-video 2>/dev/null | wc -l) seeds"
    "$OUT/fuzz_video" -max_total_time="$SECS" -rss_limit_mb=2048 -timeout=10 \
        -max_len=65536 -print_final_stats=1 fuzz/corpus-video "$SEEDS" $(ls -d fuzz/regress-video 2>/dev/null)
    ;;
*)
    echo "fuzz: unknown target '$TARGET' (decode_hash, csv, url, text or video)"
    exit 2
    ;;
esac
