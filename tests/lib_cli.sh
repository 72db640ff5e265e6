# tests/lib_cli.sh - the harness the tests/cli*.sh scripts share (sourced,
# after setting SUITE): build dir and binary, a temporary directory,
# counters, run/expect helpers and the closing summary line.
set -u
B=${1:-build}
V="$B/vigil"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
PASS=0 FAIL=0 SKIP=0
ok()   { PASS=$((PASS + 1)); echo "ok   $SUITE/$1"; }
bad()  { FAIL=$((FAIL + 1)); echo "FAIL $SUITE/$1"; shift; for l in "$@"; do echo "    $l"; done; }
skip() { SKIP=$((SKIP + 1)); echo "skip $SUITE/$1: $2"; }
# run CMD...: sets $out, $err, $rc
run() { "$@" > "$T/out" 2> "$T/err"; rc=$?; out=$(cat "$T/out"); err=$(cat "$T/err"); }
expect() { # expect NAME RC [REGEX-ON-STDOUT [REGEX-ON-STDERR]]
    name=$1 want=$2 re=${3:-} ere=${4:-}
    if [ "$rc" -ne "$want" ]; then bad "$name" "exit $rc, want $want" "stdout: $out" "stderr: $err"; return; fi
    if [ -n "$re" ] && ! printf '%s\n' "$out" | grep -Eq -- "$re"; then
        bad "$name" "stdout does not match /$re/" "stdout: $out"; return; fi
    if [ -n "$ere" ] && ! printf '%s\n' "$err" | grep -Eq -- "$ere"; then
        bad "$name" "stderr does not match /$ere/" "stderr: $err"; return; fi
    ok "$name"
}
# finish: the closing summary; the script's exit status
finish() {
    echo "$SUITE: $PASS passed, $FAIL failed, $SKIP skipped"
    [ "$FAIL" -eq 0 ]
}
