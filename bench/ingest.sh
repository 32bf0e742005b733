#!/bin/sh
# bench/ingest.sh - how fast warmthd ingests a realistic log, compared with
# the cheapest possible pass over the same bytes (wc -l).
#
# Generates EVENTS events from CONTACTS people with warmth-gen (fixed seed,
# so every run measures the same bytes) into a scratch directory, then
# times, in the same run and on the same (page-cached) file:
#   1. warmth-gen itself,
#   2. wc -l (the floor: reading and splitting lines),
#   3. parse_only (bench/parse_only.c: large reads, memchr, event_parse()
#      on every line: the cost of parsing alone),
#   4. warmthd --once with a minimal config (parse, dedup, state, scoring,
#      readiness, SQLite), from exec to exit, and ("all committed") from
#      the daemon's start to its last commit, as its log tells.
# and prints lines/s, events/s, MB/s, warmthd's peak RSS, the number of
# distinct contacts (counted by parse_only) and the time ratios
# wc -l : parse-only : warmthd --once. Afterwards, if warmthctl is built,
# it checks that the daemon accepted as many events as the generator's
# truth says.
#
# Binaries come from ${BUILD_DIR:-build}; this script builds and installs
# nothing. Environment: BUILD_DIR, EVENTS (default 2000000), CONTACTS
# (100000), SEED (42), KEEP=1 to keep the scratch directory, TMPDIR;
# BATCH_EVENTS sets ingest.batch_events and LOG_LEVEL=debug makes the
# daemon log each commit ("committed N items in X ms") in the scratch
# directory's warmthd.log (with KEEP=1).
set -eu

cd "$(dirname "$0")/.."
. bench/lib.sh
events=${EVENTS:-2000000}
contacts=${CONTACTS:-100000}
seed=${SEED:-42}

bench_require warmth-gen warmthd parse_only
bench_scratch warmth-bench
log="$tmp/in/engagement.jsonl"

# Seconds since the epoch with nanoseconds (GNU date).
now() {
	date +%s.%N
}

elapsed() {
	awk -v s="$1" -v e="$2" 'BEGIN { printf "%.3f", e - s }'
}

# Runs "$@" and prints the peak RSS in KiB: from GNU time when it is there,
# otherwise by sampling VmHWM (the kernel's high-water mark) in /proc.
peak_rss_kib=
run_measured() {
	if /usr/bin/time -v true >/dev/null 2>&1; then
		/usr/bin/time -v -o "$tmp/time.txt" "$@"
		peak_rss_kib=$(awk -F: '/Maximum resident set size/ { gsub(/ /, "", $2); print $2 }' \
			"$tmp/time.txt")
		return
	fi
	"$@" &
	pid=$!
	peak_rss_kib=0
	while kill -0 "$pid" 2>/dev/null; do
		hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$pid/status" 2>/dev/null || true)
		[ -n "$hwm" ] && peak_rss_kib=$hwm
		sleep 0.05
	done
	wait "$pid"
}

echo "generating $events events from $contacts contacts (seed $seed) in $tmp ..."
t0=$(now)
"$build/warmth-gen" --seed "$seed" --events "$events" --contacts "$contacts" \
	-o "$log" --truth "$tmp/truth.json"
t1=$(now)
gen_s=$(elapsed "$t0" "$t1")
bytes=$(wc -c <"$log")

t0=$(now)
lines=$(wc -l <"$log")
t1=$(now)
wc_s=$(elapsed "$t0" "$t1")

# parse_only times its own pass (without process start-up and its untimed
# contact count) and prints "lines N accepted N rejected N contacts N
# seconds S".
parsed=$("$build/parse_only" "$log")
parse_s=$(printf '%s\n' "$parsed" | awk '{ print $10 }')
parse_accepted=$(printf '%s\n' "$parsed" | awk '{ print $4 }')
distinct=$(printf '%s\n' "$parsed" | awk '{ print $8 }')

bench_config "$tmp/warmthd.yaml" </dev/null
if [ -n "${BATCH_EVENTS:-}" ]; then
	printf 'ingest:\n  batch_events: %s\n' "$BATCH_EVENTS" >>"$tmp/warmthd.yaml"
fi
if [ -n "${LOG_LEVEL:-}" ]; then
	printf 'log:\n  level: %s\n' "$LOG_LEVEL" >>"$tmp/warmthd.yaml"
fi

echo "running warmthd --once ..."
t0=$(now)
if ! run_measured "$build/warmthd" -c "$tmp/warmthd.yaml" --once 2>"$tmp/warmthd.log"; then
	echo "bench/ingest.sh: warmthd failed; the end of its log:" >&2
	tail -n 20 "$tmp/warmthd.log" >&2
	exit 1
fi
t1=$(now)
daemon_s=$(elapsed "$t0" "$t1")
# The daemon's own figure: from its start to the last commit, before the
# final checkpoint, the deliveries and the exit ("--once: N lines read
# and committed in S s").
durable_s=$(sed -n 's/.*--once: [0-9]* lines read and committed in \([0-9.]*\) s.*/\1/p' \
	"$tmp/warmthd.log" | tail -n 1)

echo
awk -v lines="$lines" -v bytes="$bytes" -v gen="$gen_s" -v wc="$wc_s" -v d="$daemon_s" \
	-v parse="$parse_s" -v accepted="$parse_accepted" -v distinct="$distinct" \
	-v rss="$peak_rss_kib" -v events="$events" -v contacts="$contacts" \
	-v durable="${durable_s:-0}" 'BEGIN {
	mb = bytes / 1e6
	printf "%d lines, %.1f MB (%d events asked from %d contacts, %.0f bytes/line)\n",
	       lines, mb, events, contacts, bytes / lines
	printf "%d valid events, %d distinct contacts\n\n", accepted, distinct
	printf "%-16s %9s %12s %12s %9s %10s\n", "step", "seconds", "lines/s", "events/s", "MB/s", "peak RSS"
	row("warmth-gen", gen, "-")
	row("wc -l", wc, "-")
	row("parse-only", parse, "-")
	row("warmthd --once", d, rss == "" ? "?" : sprintf("%.1f MB", rss / 1024))
	if (durable > 0)
		row("  all committed", durable, "-")
	if (wc <= 0) wc = 0.001
	if (parse <= 0) parse = 0.001
	printf "\ntime ratio wc -l : parse-only : warmthd --once = 1 : %.1f : %.1f\n", parse / wc, d / wc
	printf "warmthd --once takes %.1fx the time of the parse-only pass\n", d / parse
}
function row(name, s, r) {
	if (s <= 0) s = 0.001
	printf "%-16s %9.3f %12.0f %12.0f %9.1f %10s\n", name, s, lines / s, accepted / s, mb / s, r
}'

# A fast daemon that drops events is no use: check the count when we can.
if [ -x "$build/warmthctl" ] && command -v python3 >/dev/null 2>&1; then
	if status=$("$build/warmthctl" --db "$tmp/state.db" --json status 2>/dev/null); then
		printf '%s' "$status" | python3 -c '
import json, sys
status = json.load(sys.stdin)
with open(sys.argv[1]) as f:
    truth = json.load(f)
got, want = status.get("events_accepted"), truth["accepted"]
print(f"events accepted: {got} (expected {want})" + ("" if got == want else "  MISMATCH"))
sys.exit(0 if got == want else 1)
' "$tmp/truth.json"
	else
		echo "(warmthctl status failed; accepted count not checked)"
	fi
fi
