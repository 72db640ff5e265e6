#!/bin/sh
# tests/cli_soak.sh - a short soak of the HTTP API (tools/soak.c): 8 s of mixed reads and
# writes from 16 connections, then no errors, no lost writes, the audit chain intact, flat
# memory.  `make soak` runs the long one (SOAK_SECONDS, default 180).
B=${1:-build}
d=$(mktemp -d)
"$B/vigil-soak" "$d/soak.db" "${SOAK_SECONDS:-8}" 16
rc=$?
rm -rf "$d"
exit $rc
