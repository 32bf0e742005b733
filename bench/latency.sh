#!/bin/sh
# bench/latency.sh - live latency: from a line appended to an input file to
# its "ready" notification in the file notifier (fsync on), p50/p90/p99/max
# over PROBES probes, with no load (the baseline) and under a background
# load of RATE events/s written to the same file. The work is done by
# bench/latency.py (its opening comment explains the method).
#
# Binaries come from ${BUILD_DIR:-build}; nothing is built or installed.
# Environment: BUILD_DIR, PROBES (200 per phase, at most 500), RATE
# (10000 events/s), INTERVAL_MS (50: one probe every 50 ms), CHUNK_MS (10:
# the background writer's pace), POLL_US (200: how often the notifications
# file is checked), WARMUP_SECONDS (2), KEEP=1 keeps the scratch
# directory, TMPDIR.
set -eu
cd "$(dirname "$0")/.."
command -v python3 >/dev/null 2>&1 || {
	echo "bench/latency.sh: needs python3 (apt-get install python3)" >&2
	exit 1
}
exec python3 bench/latency.py
