#!/bin/sh
# bench/commit.sh - the commit stage alone: build/commit_only (see
# bench/commit_only.c) commits one batch of CONTACTS (100000) contacts into
# a fresh database, then the same contacts changed, ROUNDS (3) times, and
# prints seconds and microseconds per contact of each commit. The
# database lives in a scratch directory (removed unless KEEP=1).
set -eu

cd "$(dirname "$0")/.."
. bench/lib.sh
bench_require commit_only
bench_scratch warmth-commit
"$build/commit_only" "$tmp/state.db" "${CONTACTS:-100000}" "${ROUNDS:-3}" 2>/dev/null
ls -l "$tmp"/state.db* | awk '{ s += $5 } END { printf "database and WAL: %.1f MB\n", s / 1e6 }'
