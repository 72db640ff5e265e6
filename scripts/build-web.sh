#!/bin/sh
# scripts/build-web.sh - bundle the web app (web/) into OUT (default
# build/web) with esbuild: `npm ci` from the committed package-lock.json when
# web/node_modules is missing or older than the lockfile, then `npm run
# build`.  Without Node the app is skipped (vigil builds without it; "/" then
# says "web app not built").
set -eu
cd "$(dirname "$0")/.."
OUT=${1:-build/web}
if [ ! -f web/package.json ]; then
    echo "web: no web/package.json: nothing to build"
    exit 0
fi
if ! command -v node > /dev/null 2>&1 || ! command -v npm > /dev/null 2>&1; then
    echo "web: Node.js/npm not found (make deps installs them): the web app is not built"
    exit 0
fi
if [ ! -d web/node_modules ] || [ web/package-lock.json -nt web/node_modules/.package-lock.json ]; then
    echo "web: npm ci (web/package-lock.json)"
    (cd web && npm ci --no-audit --no-fund --loglevel=error)
fi
mkdir -p "$OUT"
(cd web && VIGIL_WEB_OUT="../$OUT" node build.mjs)
