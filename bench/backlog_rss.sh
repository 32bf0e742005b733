#!/bin/sh
# bench/backlog_rss.sh - memory while a large backlog is ingested: a log of
# GB gigabytes generated to disk, read by warmthd --once, with the daemon's
# RSS (VmRSS, and the high-water mark VmHWM) printed every SAMPLE_SECONDS
# to show that memory stays bounded: by the contacts it knows and one
# batch, not by the size of the backlog.
#
# The baseline, in the same run: the same CONTACTS over a backlog ten
# times smaller (every contact appears in both, as warmth-gen introduces
# each one with a follow). A peak RSS near the baseline's means the
# backlog's size does not weigh on memory. Prints the RSS curve, the peak,
# its ratio to the baseline's, and events/s of both runs.
#
# Binaries come from ${BUILD_DIR:-build}; nothing is built or installed.
# Environment: BUILD_DIR, GB (5; GB=1 for a quicker run, decimals allowed),
# CONTACTS (100000), SEED (42), IDS (the fraction of events that carry an
# "id", warmth-gen's --ids, default 1: ids are remembered for
# state.dedup_retention, so IDS=0 shows what they cost), SAMPLE_SECONDS
# (5), KEEP=1 keeps the
# scratch directory, TMPDIR (where the log is written: it needs twice GB
# free, checked with df before anything is written).
set -eu

cd "$(dirname "$0")/.."
. bench/lib.sh
gb=${GB:-5}
contacts=${CONTACTS:-100000}
seed=${SEED:-42}
ids=${IDS:-1}
every=${SAMPLE_SECONDS:-5}
# warmth-gen's lines average ~146 bytes with the default options.
events=$(awk -v gb="$gb" 'BEGIN { printf "%d", gb * 1e9 / 146 }')

bench_require warmth-gen warmthd warmthctl
bench_require_tool python3 python3

scratch_parent=${TMPDIR:-/tmp}
need_kib=$(awk -v gb="$gb" 'BEGIN { printf "%d", 2 * gb * 1e9 / 1024 }')
free_kib=$(df -Pk "$scratch_parent" | awk 'NR == 2 { print $4 }')
if [ "$free_kib" -lt "$need_kib" ]; then
	echo "bench/backlog_rss.sh: $scratch_parent has $((free_kib / 1048576)) GiB free;" \
		"a ${gb} GB backlog needs twice that (the log, the database and its WAL)." >&2
	echo "Free some space, point TMPDIR at a larger file system, or lower GB (GB=1)." >&2
	exit 1
fi

bench_scratch warmth-backlog
log="$tmp/in/engagement.jsonl"
bench_config "$tmp/warmthd.yaml" </dev/null

kib() {
	awk -v f="$1:" '$1 == f { print $2 }' "/proc/$pid/status" 2>/dev/null || true
}

# ingest NAME EVENTS: generates the log, runs warmthd --once on a fresh
# state with the RSS sampler, prints the curve; sets peak_kib, rate, secs.
ingest() {
	name=$1
	rm -rf "$tmp/in" "$tmp"/state.db* "$tmp/notifications.jsonl"
	mkdir "$tmp/in"
	echo "$name: generating $2 events from $contacts contacts (seed $seed) ..."
	"$build/warmth-gen" --seed "$seed" --events "$2" --contacts "$contacts" --ids "$ids" -o "$log"
	bytes=$(wc -c <"$log")
	echo "$name: $(awk -v b="$bytes" 'BEGIN { printf "%.2f GB", b / 1e9 }');" \
		"warmthd --once, RSS every ${every}s:"
	t0=$(date +%s.%N)
	# Under GNU time when it is there, for the kernel's exact peak (the
	# sampler can miss the last seconds); the sampler follows its child.
	if [ "$gnu_time" = 1 ]; then
		/usr/bin/time -v -o "$tmp/time.txt" \
			"$build/warmthd" -c "$tmp/warmthd.yaml" --once 2>"$tmp/warmthd.log" &
		waitpid=$!
		pid=
		while [ -z "$pid" ] && kill -0 "$waitpid" 2>/dev/null; do
			pid=$(pgrep -P "$waitpid" || true)
		done
	else
		"$build/warmthd" -c "$tmp/warmthd.yaml" --once 2>"$tmp/warmthd.log" &
		waitpid=$!
		pid=$waitpid
	fi
	printf '%8s %10s %10s\n' seconds "RSS MB" "peak MB"
	peak_kib=0
	next_print=$every
	# Looks every 0.1 s, so that the run's end (and its time) is seen at
	# once; prints every $every seconds.
	while [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; do
		sleep 0.1
		rss=$(kib VmRSS)
		hwm=$(kib VmHWM)
		[ -n "$rss" ] && [ -n "$hwm" ] || break
		[ "$hwm" -gt "$peak_kib" ] && peak_kib=$hwm
		at=$(awk -v t0="$t0" -v t="$(date +%s.%N)" 'BEGIN { printf "%.1f", t - t0 }')
		if awk -v a="$at" -v n="$next_print" 'BEGIN { exit !(a >= n) }'; then
			printf '%8.0f %10.1f %10.1f\n' "$at" "$(awk -v r="$rss" 'BEGIN { print r / 1024 }')" \
				"$(awk -v h="$hwm" 'BEGIN { print h / 1024 }')"
			next_print=$(awk -v n="$next_print" -v e="$every" 'BEGIN { print n + e }')
		fi
	done
	status=0
	wait "$waitpid" || status=$?
	pid=
	if [ "$gnu_time" = 1 ] && [ -s "$tmp/time.txt" ]; then
		exact=$(awk -F: '/Maximum resident set size/ { gsub(/ /, "", $2); print $2 }' "$tmp/time.txt")
		[ -n "$exact" ] && [ "$exact" -gt "$peak_kib" ] && peak_kib=$exact
	fi
	t1=$(date +%s.%N)
	if [ "$status" != 0 ]; then
		echo "bench/backlog_rss.sh: warmthd --once exited $status; the end of its log:" >&2
		tail -n 20 "$tmp/warmthd.log" >&2
		exit 1
	fi
	secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
	got=$("$build/warmthctl" --db "$tmp/state.db" --json status |
		python3 -c 'import json, sys; s = json.load(sys.stdin); print(s["events_accepted"], s["contacts"])')
	db_bytes=$(du -cb "$tmp"/state.db* | awk 'END { print $1 }')
	summary=$(awk -v s="$secs" -v g="$got" -v b="$bytes" -v db="$db_bytes" -v p="$peak_kib" 'BEGIN {
		split(g, f, " ")
		printf "%.2f GB, %d events, %d contacts, %.1f s, %.0f events/s, %.0f MB/s, database %.0f MB, peak RSS %.1f MB",
		       b / 1e9, f[1], f[2], s, f[1] / s, b / 1e6 / s, db / 1e6, p / 1024 }')
	echo "$name: $summary"
	echo
	rm -f "$log"
}

gnu_time=0
/usr/bin/time -v true >/dev/null 2>&1 && gnu_time=1
small=$((events / 10))
if [ "$small" -lt "$contacts" ]; then
	# warmth-gen introduces a contact per event until all are there.
	echo "note: the baseline's $small events are fewer than CONTACTS ($contacts), so it" \
		"holds fewer contacts and the ratio overstates growth; raise GB or lower CONTACTS."
fi
ingest baseline "$small"
base_summary=$summary
base_kib=$peak_kib
ingest backlog "$events"
echo "baseline (1/10 of the backlog): $base_summary"
echo "backlog:                         $summary"
awk -v p="$peak_kib" -v b="$base_kib" 'BEGIN {
	if (b > 0)
		printf "peak RSS: %.2fx the baseline'"'"'s for 10x the input (bounded if near 1)\n", p / b }'
