#!/bin/sh
# scripts/serve-demo.sh - the end of `make run`: a hash bank with the demo
# poster, a demo API token in BUILD/demo-token, demo passwords for one user
# per role (the web app's sign-in), then `vigil serve` on the demo store
# (BUILD/demo.db, built by scripts/demo.sh) in the foreground.
# VIGIL_LISTEN overrides 127.0.0.1:8080.
set -eu
B=${1:-build}
V="$B/vigil"
D="$B/demo.db"
L=${VIGIL_LISTEN:-127.0.0.1:8080}
"$V" --db "$D" -q bank create demo-posters --description "made-up demo images" > /dev/null
"$V" --db "$D" -q bank add demo-posters --pdq "$("$V" hash "$B/samples/poster.jpg" | cut -d, -f1)" \
    --label entity=example-group --label source=demo > /dev/null
"$V" --db "$D" user token admin > "$B/demo-token"
chmod 600 "$B/demo-token"
# DEMO passwords (made up, printed below, for the demo store only): set by each
# user themself, so that no first-password change is asked for
for u in analyst-eu-iru:demo-analyst-pw reviewer-eu:demo-reviewer-pw coordinator-eu:demo-coordinator-pw \
         liaison-telegram:demo-liaison-pw admin:demo-admin-pw; do
    echo "${u#*:}" | "$V" --db "$D" -q user passwd "${u%%:*}" --by "${u%%:*}"
done
if ! grep -q 'Referrals and removal orders' "$V" 2> /dev/null; then
    APP="   (the web app is not built here: Node.js was missing; the API works)"
else
    APP="   web app: open http://$L/ and sign in with one of these DEMO accounts
   (demo passwords for the demo store only; never use them elsewhere):
     analyst      analyst-eu-iru     demo-analyst-pw
     reviewer     reviewer-eu        demo-reviewer-pw
     coordinator  coordinator-eu     demo-coordinator-pw
     liaison      liaison-telegram   demo-liaison-pw     (Telegram's liaison portal)
     admin        admin              demo-admin-pw"
fi
cat <<MSG

== vigil serve: the web app and the HTTP/JSON API on http://$L (store $D)
$APP
   demo token (user 'admin'): $(cat "$B/demo-token")   (also in $B/demo-token)
   Try, from another terminal:
     curl -s -H "Authorization: Bearer \$(cat $B/demo-token)" http://$L/v1/operations/demo-action-day/report
     curl -s -H "Authorization: Bearer \$(cat $B/demo-token)" -H 'Content-Type: image/png' --data-binary @$B/samples/poster-small.png http://$L/v1/match
     curl -s -H "Authorization: Bearer \$(cat $B/demo-token)" "http://$L/v1/items?op=demo-action-day&state=held"
   API: docs/openapi.yaml; roles: docs/security.md.  Ctrl-C stops the server.

MSG
exec "$V" --db "$D" serve --listen "$L"
