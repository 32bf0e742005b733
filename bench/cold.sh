#!/bin/sh
# bench/cold.sh - the cold path of de-duplication: events older than the
# window of ids in memory (state.dedup_retention before the newest event),
# which are looked up among the ids kept on disk (docs/ingest.md "Event
# ids"), as a backfill or a re-imported archive brings them.
#
# In one scratch directory, each step a warmthd --once over the files:
#   1. live: a few recent events (the last 10 days), so that the event
#      clock is now and the window ends 30 days ago;
#   2. backfill: EVENTS events with ids over DAYS days years ago (fixed
#      seed): all older than the window, all new, so each is looked up on
#      disk, missed and written to the kept ids;
#   3. re-read: the same file again under another name: each is looked up
#      and found among EVENTS kept ids (all duplicates);
#   4. window: for comparison, EVENTS events with ids inside the window
#      (the hot path, in memory) into a fresh database.
# and prints events/s of each step (from the daemon's own "--once: N lines
# read and committed in S s"), the kept ids and the database's size per
# kept id. Wall time on a busy machine moves with the load: compare steps
# of one run.
#
# Binaries come from ${BUILD_DIR:-build}; nothing is built or installed.
# Environment: BUILD_DIR, EVENTS (1000000), CONTACTS (100000), DAYS (1500),
# SEED (42), KEEP=1 keeps the scratch directory, TMPDIR.
set -eu

cd "$(dirname "$0")/.."
. bench/lib.sh
events=${EVENTS:-1000000}
contacts=${CONTACTS:-100000}
days=${DAYS:-1500}
seed=${SEED:-42}

bench_require warmth-gen warmthd
bench_require_tool sqlite3 sqlite3
bench_scratch warmth-cold
bench_config "$tmp/warmthd.yaml" <<YAML
time:
  source: event
YAML
mkdir "$tmp/hot" "$tmp/hot/in"
cp "$tmp/warmthd.yaml" "$tmp/hot/warmthd.yaml"

now_s=$(date +%s)
rfc3339() {
	date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ
}
# Years ago: DAYS days ending 400 days before now.
old_start=$(rfc3339 $((now_s - (400 + days) * 86400)))
live_start=$(rfc3339 $((now_s - 10 * 86400)))
hot_start=$(rfc3339 $((now_s - 20 * 86400)))

"$build/warmth-gen" --seed 1 --events 1000 --contacts 100 --start "$live_start" --days 8 \
	-o "$tmp/in/live.jsonl"
"$build/warmth-gen" --seed "$seed" --events "$events" --contacts "$contacts" \
	--start "$old_start" --days "$days" -o "$tmp/backfill.jsonl"
"$build/warmth-gen" --seed "$seed" --events "$events" --contacts "$contacts" \
	--start "$hot_start" --days 15 -o "$tmp/hot/in/window.jsonl"

# once DIR: runs warmthd --once in DIR, prints the lines and seconds it
# reports for its reading and committing.
once() {
	if ! "$build/warmthd" -c "$1/warmthd.yaml" --once 2>"$1/warmthd.log"; then
		echo "bench/cold.sh: warmthd failed; the end of its log:" >&2
		tail -n 20 "$1/warmthd.log" >&2
		exit 1
	fi
	sed -n 's/.*--once: \([0-9]*\) lines read and committed in \([0-9.]*\) s.*/\1 \2/p' \
		"$1/warmthd.log" | tail -n 1
}

report() {
	echo "$1 $2" | awk -v what="$3" '{ printf "%-44s %9d lines %8.3f s %10.0f events/s\n",
		what, $1, $2, ($2 > 0 ? $1 / $2 : 0) }'
}

echo "warmthd --once, $events events of $contacts contacts (seed $seed) per step:"
report $(once "$tmp") "1. live events (the clock moves to now)"
mv "$tmp/backfill.jsonl" "$tmp/in/backfill.jsonl"
report $(once "$tmp") "2. backfill older than the window (new ids)"
cp "$tmp/in/backfill.jsonl" "$tmp/in/backfill-again.jsonl"
report $(once "$tmp") "3. the same again (every id found on disk)"
report $(once "$tmp/hot") "4. the same number inside the window"

kept=$(sqlite3 "$tmp/state.db" "SELECT count(*) FROM old_ids")
# dbstat: every page of the table (interior, leaf, overflow).
pages=$(sqlite3 "$tmp/state.db" "SELECT count(*) FROM dbstat WHERE name = 'old_ids'")
page_size=$(sqlite3 "$tmp/state.db" "PRAGMA page_size")
echo
awk -v kept="$kept" -v pages="$pages" -v ps="$page_size" 'BEGIN {
	printf "kept ids: %d in %d pages of %d bytes: %.1f bytes per id\n",
	       kept, pages, ps, (kept > 0 ? pages * ps / kept : 0)
}'
