#!/bin/sh
# tests/browser.sh - the web app's browser suite (web/test/browser.mjs:
# playwright-core driving Debian's Chromium) against BUILD/vigil; writes the
# screenshots to docs/ui/.  Without Node, playwright-core (npm ci in web/),
# Chromium or a built app it prints "0 passed, 0 failed, 1 skipped" and why.
# Usage: browser.sh BUILD_DIR
B=${1:-build}
cd "$(dirname "$0")/.." || exit 2
skip() { echo "skip browser: $1"; echo "browser: 0 passed, 0 failed, 1 skipped"; exit 0; }
command -v node > /dev/null 2>&1 || skip "no Node.js (make deps installs Debian's nodejs)"
[ -x /usr/bin/chromium ] || [ -n "${VIGIL_CHROMIUM:-}" ] || skip "no Chromium (Debian package chromium)"
[ -d web/node_modules/playwright-core ] || skip "playwright-core not installed (make web runs npm ci)"
[ -f build/web/index.html ] || skip "the web app is not built (make web)"
cd web && exec node test/browser.mjs "../$B/vigil" ../docs/ui
