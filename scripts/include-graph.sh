#!/bin/sh
# scripts/include-graph.sh - the tree's include graph by layer (src/ folder),
# with the public headers of include/vigil/ counted as the layer that
# implements them.  Prints every edge "from -> to (N includes)" and, with
# --check, fails (exit 1) on an edge that points up the layer order below or
# on a cycle.  The order, lowest first:
LAYERS="common image hash index text video signal store match case auth http"
set -u
cd "$(dirname "$0")/.." || exit 2
check=0
[ "${1:-}" = "--check" ] && check=1
# public header -> implementing layer
layer_of_header() {
    case "$1" in
    status|export|time|file) echo common ;;
    image) echo image ;;
    hash) echo hash ;;
    index) echo index ;;
    text) echo text ;;
    video) echo video ;;
    signal) echo signal ;;
    store|bank) echo store ;;
    match) echo match ;;
    case|url) echo case ;;
    auth) echo auth ;;
    http) echo http ;;
    *) echo "?$1" ;;
    esac
}
rank() { i=0; for l in $LAYERS; do [ "$l" = "$1" ] && { echo $i; return; }; i=$((i + 1)); done; echo 99; }
edges=$(for f in src/*/*.c src/*/*.h src/*/*.cc; do
    [ -f "$f" ] || continue
    from=$(echo "$f" | cut -d/ -f2)
    sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f" | while read -r inc; do
        case "$inc" in
        vigil/*) to=$(layer_of_header "$(basename "$inc" .h)") ;;
        */*) to=$(echo "$inc" | cut -d/ -f1) ;;
        *) to=$from ;;
        esac
        [ "$to" != "$from" ] && echo "$from $to $f $inc"
    done
done)
bad=0
echo "$edges" | awk 'NF { print $1 " -> " $2 }' | sort | uniq -c | while read -r n a arrow b; do
    echo "$a -> $b ($n includes)"
done
if [ $check -eq 1 ]; then
    echo "$edges" | while read -r from to f inc; do
        [ -z "$from" ] && continue
        rf=$(rank "$from"); rt=$(rank "$to")
        if [ "$rt" -ge "$rf" ]; then echo "upward or unknown edge: $f includes $inc ($from -> $to)"; fi
    done > /tmp/include-graph.$$
    if [ -s /tmp/include-graph.$$ ]; then cat /tmp/include-graph.$$; rm -f /tmp/include-graph.$$; exit 1; fi
    rm -f /tmp/include-graph.$$
    echo "no upward edge, so no cycle (order: $LAYERS)"
fi
