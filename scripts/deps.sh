#!/bin/sh
# scripts/deps.sh - install the Debian packages vigil needs (the web app's
# Node, npm and Chromium included; PostgreSQL's server for tests/pg.sh), only
# those that are missing.  Uses sudo
# when not root.  Safe to run again.
set -e
PKGS="build-essential pkg-config libjpeg62-turbo-dev libpng-dev libwebp-dev libgif-dev \
libssl-dev libjansson-dev libstb-dev libsqlite3-dev libcurl4-openssl-dev libidn2-dev \
libavformat-dev libavcodec-dev libavutil-dev libswscale-dev \
libutf8proc-dev libcld2-dev libmicrohttpd-dev libsodium-dev libpq-dev postgresql"
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
# the web app's build (Node, npm) and its browser suite (Chromium): by command,
# since Node may come from another package than Debian's nodejs
command -v node > /dev/null 2>&1 || missing="$missing nodejs"
command -v npm > /dev/null 2>&1 || missing="$missing npm"
command -v chromium > /dev/null 2>&1 || missing="$missing chromium"
[ -z "$missing" ] && exit 0
echo "installing missing packages:$missing"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q $missing
