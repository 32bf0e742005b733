#!/bin/sh
# Installs the Debian packages warmthd needs to build (and with --test, to
# run every test), if missing.
# Runs "apt-get update" once, only when something has to be installed.
set -eu
PACKAGES="build-essential cmake pkg-config libuv1-dev libyaml-dev libsqlite3-dev \
libyajl-dev libsimdjson-dev libxxhash-dev uthash-dev libcurl4-openssl-dev libssl-dev libmicrohttpd-dev \
libzip-dev libcsv-dev libunistring-dev libcmocka-dev python3 sqlite3 groff-base clang libclang-rt-14-dev \
libjs-chart.js"
# With --test, what only the tests need: lintian (the package test), chromium
# and node with npm (the dashboard's browser test). The demo needs none of it.
if [ "${1:-}" = "--test" ]; then
	PACKAGES="$PACKAGES lintian chromium"
	# A node installed otherwise (nodesource's, which carries its own npm) is kept.
	command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || PACKAGES="$PACKAGES nodejs npm"
fi
missing=""
for p in $PACKAGES; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "installing:$missing"
	SUDO=""
	[ "$(id -u)" -eq 0 ] || SUDO="sudo"
	$SUDO apt-get update
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y $missing
fi
