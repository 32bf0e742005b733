#!/bin/sh
# bench/dashboard.sh - the dashboard's /api/ views: each route's latency
# (p50, p99, max over REQUESTS requests on one keep-alive connection)
# against a daemon holding CONTACTS contacts, beside GET /metrics measured
# the same way in the same run (the baseline: the listener's own cost).
# The work is done by bench/dashboard.py (its opening comment explains
# the method). The target is every view under 100 ms.
#
# Binaries come from ${BUILD_DIR:-build}; nothing is built or installed.
# Environment: BUILD_DIR, CONTACTS (100000), EVENTS (4 per contact),
# REQUESTS (200), SEED (42), ONLY (measure only the routes whose path holds
# it, and the baseline), KEEP=1 keeps the scratch directory, TMPDIR.
set -eu
cd "$(dirname "$0")/.."
command -v python3 >/dev/null 2>&1 || {
	echo "bench/dashboard.sh: needs python3 (apt-get install python3)" >&2
	exit 1
}
exec python3 bench/dashboard.py
