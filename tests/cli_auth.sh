#!/bin/sh
# tests/cli_auth.sh - black-box tests of `vigil user passwd` and of
# `vigil serve --tls-cert/--tls-key` (HTTPS, Secure session cookie; needs
# curl and openssl, skipped without them).  Usage: cli_auth.sh BUILD_DIR
SUITE=cli-auth
. "$(dirname "$0")/lib_cli.sh"
D="$T/a.db"
"$V" --db "$D" -q agency add EU > /dev/null
"$V" --db "$D" -q user add ana --role analyst --agency EU > /dev/null

run sh -c "echo 'correct-horse-battery' | \"$V\" --db \"$D\" user passwd ana"
expect passwd_stdin 0 "" "password of ana set; it must be changed at the first sign-in"
run sh -c "echo 'short' | \"$V\" --db \"$D\" user passwd ana"
expect passwd_too_short 1 "" "at least 12 characters"
run sh -c "\"$V\" --db \"$D\" user passwd ana < /dev/null"
expect passwd_no_input 1 "" "first line of standard input"
run sh -c "echo 'correct-horse-battery' | \"$V\" --db \"$D\" user passwd nobody"
expect passwd_unknown_user 1 "" "no user named 'nobody'"
run "$V" --db "$D" user passwd
expect passwd_no_name 2
run sh -c "echo 'ana-chose-this-one' | \"$V\" --db \"$D\" user passwd ana --by ana"
expect passwd_self 0 "" "^password of ana set$"
# the hash is stored, never the password
if [ -n "${VIGIL_PG_WRAPPED:-}" ]; then
    skip argon2id_hash "the store is a PostgreSQL schema (tests/pg.sh)"
elif sqlite3 -version > /dev/null 2>&1; then
    h=$(sqlite3 "$D" "SELECT hash FROM credential")
    case "$h" in '$argon2id$'*) ok argon2id_hash ;; *) bad argon2id_hash "$h" ;; esac
else
    skip argon2id_hash "no sqlite3 shell"
fi
grep -q "ana-chose-this-one" "$D" && bad password_not_stored || ok password_not_stored

run "$V" --db "$D" serve --tls-cert "$D"
expect tls_needs_both 1 "" "needs both --tls-cert FILE and --tls-key FILE"
printf 'not a certificate\n' > "$T/notpem"
run "$V" --db "$D" serve --tls-cert "$T/notpem" --tls-key "$T/notpem"
expect tls_not_pem 1 "" "not a PEM file"
if command -v openssl > /dev/null 2>&1 && command -v curl > /dev/null 2>&1; then
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" -out "$T/cert.pem" -days 2 \
        -subj /CN=127.0.0.1 > /dev/null 2>&1
    # port 0: the system picks a free one, which the banner names (a port
    # made up from $$ can be taken by another program)
    "$V" --db "$D" serve --listen "127.0.0.1:0" --access-log off --tls-cert "$T/cert.pem" \
        --tls-key "$T/key.pem" 2> "$T/serve.err" &
    pid=$!
    port=""
    for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
        port=$(sed -n 's|.*listening on https://127.0.0.1:\([0-9]*\).*|\1|p' "$T/serve.err")
        [ -n "$port" ] && curl -sk "https://127.0.0.1:$port/healthz" > /dev/null 2>&1 && break
        sleep 0.3
    done
    run curl -sk -D "$T/h" -X POST -H 'Content-Type: application/json' \
        -d '{"name":"ana","password":"ana-chose-this-one"}' "https://127.0.0.1:$port/v1/session"
    grep -qi '^Set-Cookie: vigil_session=.*HttpOnly; SameSite=Strict; Secure' "$T/h" && ok https_secure_cookie \
        || bad https_secure_cookie "$(cat "$T/h")" "$out" "$(cat "$T/serve.err")"
    run curl -s "http://127.0.0.1:$port/healthz"
    [ "$rc" -ne 0 ] || [ -z "$out" ] && ok https_only || bad https_only "$out"
    kill "$pid"
    wait "$pid" 2> /dev/null
else
    skip https_secure_cookie "no openssl or curl"
fi
finish
