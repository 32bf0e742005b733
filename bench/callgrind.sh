#!/bin/sh
# bench/callgrind.sh - instructions per event, counted by valgrind's
# callgrind: unlike time, the count barely moves on a busy or shared
# machine, so a change to the ingest path can be checked for a regression
# by comparing two figures from this script (before and after).
#
# Runs warmthd --once under valgrind --tool=callgrind over a fixed file
# (EVENTS events from CONTACTS contacts, seed SEED: the same bytes on every
# machine) and prints instructions (Ir) per event for:
#   - the whole run (start-up, every thread, exit),
#   - the ingest path: the inclusive Ir of tail_file_split (splitting the
#     read chunks into lines and handing each line to the engine) and of
#     engine_on_line (one line: parse, dedup, contact, score),
#   - their main parts: event_parse, engine_apply, engine_batch_close
#     (readiness and the copy into a batch) and store_commit (the SQLite
#     transaction, on the thread pool),
# and each one's share of the whole run (the baseline of this run).
# Batches are made deterministic: ingest.batch_events (BATCH_EVENTS,
# default 50000) closes every batch, and backlog_interval is set to its
# maximum (1m) so that a batch never closes on the wall clock, which runs
# some 50x slower under callgrind.
#
# Binaries come from ${BUILD_DIR:-build}; nothing is built or installed.
# Build it with the default RelWithDebInfo (-O2 -g) so that the functions
# have names. Environment: BUILD_DIR, EVENTS (200000), CONTACTS (10000),
# DAYS (60: the span of event time; above state.dedup_retention's 30 days,
# the ids that leave the window during the run are moved to the kept ids,
# docs/ingest.md "Event ids"; 20 keeps every id in the window),
# SEED (42), BATCH_EVENTS (50000), KEEP=1 keeps the scratch directory
# (with callgrind.out for kcachegrind or callgrind_annotate), TMPDIR.
# Needs valgrind (Debian package valgrind).
set -eu

cd "$(dirname "$0")/.."
. bench/lib.sh
events=${EVENTS:-200000}
contacts=${CONTACTS:-10000}
days=${DAYS:-60}
seed=${SEED:-42}
batch=${BATCH_EVENTS:-50000}

bench_require warmth-gen warmthd
bench_require_tool valgrind valgrind
bench_require_tool callgrind_annotate valgrind
bench_scratch warmth-callgrind
# Batches closed by count only, never by the clock.
bench_config "$tmp/warmthd.yaml" <<YAML
ingest:
  batch_events: $batch
  backlog_interval: 1m
  batch_interval: 10s
YAML

"$build/warmth-gen" --seed "$seed" --events "$events" --contacts "$contacts" \
	--days "$days" -o "$tmp/in/engagement.jsonl"
lines=$(wc -l <"$tmp/in/engagement.jsonl")
echo "valgrind --tool=callgrind warmthd --once over $lines lines" \
	"($events events, $contacts contacts over $days days, seed $seed; batches of $batch) ..."
t0=$(date +%s)
if ! valgrind --tool=callgrind --callgrind-out-file="$tmp/callgrind.out" \
	"$build/warmthd" -c "$tmp/warmthd.yaml" --once 2>"$tmp/valgrind.log"; then
	echo "bench/callgrind.sh: the run failed; the end of its log:" >&2
	tail -n 20 "$tmp/valgrind.log" >&2
	exit 1
fi
t1=$(date +%s)
callgrind_annotate --inclusive=yes --threshold=100 "$tmp/callgrind.out" >"$tmp/annotate.txt" 2>/dev/null

# Lines of the annotation: "1,234 (12.34%)  daemon/engine.c:engine_on_line [...]";
# a function may be listed twice (with and without the full source path):
# the largest count is the function's.
awk -v lines="$lines" -v secs="$((t1 - t0))" '
function ir(s) { gsub(/,/, "", s); return s + 0 }
/PROGRAM TOTALS/ { total = ir($1) }
{
	for (i = 1; i <= NF; i++)
		if ($i ~ /:[A-Za-z_][A-Za-z_0-9]*$/) {
			name = $i
			sub(/.*:/, "", name)
			if (ir($1) > fn[name]) fn[name] = ir($1)
			break
		}
}
END {
	if (total == 0) { print "no PROGRAM TOTALS in the annotation" > "/dev/stderr"; exit 1 }
	printf "\n%d lines, %d s under callgrind\n\n", lines, secs
	printf "%-20s %16s %12s %9s\n", "", "Ir (inclusive)", "Ir/event", "of total"
	printf "%-20s %16.0f %12.0f %8.1f%%\n", "whole run", total, total / lines, 100
	n = split("tail_file_split engine_on_line event_parse engine_apply engine_batch_close store_commit", want, " ")
	for (k = 1; k <= n; k++) {
		f = want[k]
		if (f in fn)
			printf "%-20s %16.0f %12.0f %8.1f%%\n", f, fn[f], fn[f] / lines, 100 * fn[f] / total
		else
			printf "%-20s %16s %12s %9s\n", f, "(not found: inlined?)", "", ""
	}
	print "\ningest path = tail_file_split (split + engine_on_line for every line)"
}' "$tmp/annotate.txt"
