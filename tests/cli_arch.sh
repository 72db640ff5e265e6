#!/bin/sh
# tests/cli_arch.sh - the tree's structural promises, checked on a build:
# libvigil.so exports exactly the public API (vigil_* marked VIGIL_API) and
# does not link libmicrohttpd (the server is libvigil-server.a); no front
# end inspects library message text; the include graph has no upward edge;
# the version is written once; one driver file per database library
# (sqlite.c, pg.c) alone calls it.
. "$(dirname "$0")/lib_cli.sh"
SUITE=arch
B=$1
SO="$B/libvigil.so"

# 1. exported symbols
if command -v nm > /dev/null && [ -f "$SO" ]; then
    nm -D --defined-only "$SO" | awk '{print $3}' | sort -u > "$T/exported"
    grep -v '^vigil_[a-z0-9]' "$T/exported" > "$T/foreign"
    [ -s "$T/foreign" ] && bad symbols_only_vigil "$(head -5 "$T/foreign")" || ok symbols_only_vigil
    # every VIGIL_API function of the library's headers (the server's: http.h) is exported
    for h in include/vigil/*.h; do
        [ "$h" = include/vigil/http.h ] && continue
        sed -n 's/^VIGIL_API .*[ *]\(vigil_[a-z0-9_]*\)(.*/\1/p' "$h"
    done | sort -u > "$T/declared"
    comm -23 "$T/declared" "$T/exported" > "$T/missing"
    [ -s "$T/missing" ] && bad api_all_exported "$(head -5 "$T/missing")" || ok api_all_exported
    comm -13 "$T/declared" "$T/exported" > "$T/extra"
    [ -s "$T/extra" ] && bad nothing_undeclared_exported "$(head -5 "$T/extra")" || ok nothing_undeclared_exported
    readelf -d "$SO" | grep -q 'NEEDED.*microhttpd' && bad lib_without_microhttpd || ok lib_without_microhttpd
else
    skip symbols "no nm or no $SO"
fi
[ -f "$B/libvigil-server.a" ] && ok server_library || bad server_library "no $B/libvigil-server.a"

# 2. no front end reads message text to decide anything
if grep -nE '(strstr|strncmp|strcmp|strcasecmp)\([^)]*(err|e)(\.|->)msg' src/http/*.c cli/*.c > "$T/sniff"; then
    bad no_message_sniffing "$(head -5 "$T/sniff")"
else
    ok no_message_sniffing
fi

# 3. the include graph
run sh scripts/include-graph.sh --check
expect include_graph_no_upward_edge 0 'no upward edge'

# 4. generated docs: the API's paths from the route table, the man page from the help
if [ -x "$B/gen-docs" ]; then
    run "$B/gen-docs" openapi --check docs/openapi.yaml
    expect openapi_paths_generated 0
else
    skip openapi_paths_generated "no $B/gen-docs"
fi
sh scripts/gen-man.sh "$V" > "$T/vigil.1" 2> "$T/man.err"
if cmp -s "$T/vigil.1" docs/vigil.1; then ok man_page_generated
else bad man_page_generated "docs/vigil.1 differs from scripts/gen-man.sh (run make docs)" "$(diff "$T/vigil.1" docs/vigil.1 | head -5)"; fi

# 5. one version
v=$(sed -n 's/^#define VIGIL_VERSION "\(.*\)"/\1/p' include/vigil/export.h)
run "$B/vigil" --version
expect version_from_export_h 0 "^vigil $v\$"
grep -q "^  version: $v\$" docs/openapi.yaml && ok openapi_version || bad openapi_version "docs/openapi.yaml info.version is not $v"
n=$(grep -rn "\"$v\"\|= *$v\$" Makefile cli src include | grep -v 'include/vigil/export.h' | wc -l)
[ "$n" -eq 0 ] && ok version_written_once || bad version_written_once "$(grep -rn "\"$v\"" Makefile cli src include | grep -v export.h | head -3)"

# 6. one data-access layer: two driver files, src/store/sqlite.c alone calls
# sqlite3_* (and alone includes sqlite3.h), src/store/pg.c alone calls libpq
# (PQ*, libpq-fe.h); every other file goes through the query module
drivers=$(grep -l "sqlite3_" src/*/*.c src/*/*.h 2>/dev/null)
[ "$drivers" = src/store/sqlite.c ] && ok one_driver_file \
    || bad one_driver_file "files calling sqlite3_*: $(echo $drivers)"
headers=$(grep -l "include <sqlite3.h>" src/*/*.c src/*/*.h cli/*.c 2>/dev/null)
[ "$headers" = src/store/sqlite.c ] && ok sqlite_header_in_driver_only \
    || bad sqlite_header_in_driver_only "files including sqlite3.h: $(echo $headers)"
pq=$(grep -lE "\bPQ[a-z]+\(|libpq-fe.h" src/*/*.c src/*/*.h cli/*.c tests/*.c 2>/dev/null)
[ "$pq" = src/store/pg.c ] && ok pg_driver_file_only \
    || bad pg_driver_file_only "files calling libpq: $(echo $pq)"

finish
