#!/bin/sh
# bench/flood.sh - memory under a flood of distinct actors (hostile input,
# issue 8): ACTORS lines, each a "like" from an actor never seen before,
# read by warmthd --once, with its peak RSS (GNU time's maximum resident
# set size when /usr/bin/time is there, else VmHWM sampled).
#
# Three runs over the same number of lines, in the same run of the script:
#   - baseline: the lines spread over 10,000 actors (what a normal network
#     of that size costs),
#   - flood: every actor distinct, with the daemon's default
#     state.contact_cache (or CACHE),
#   - unbounded: the flood with a cache larger than the flood (every
#     contact in memory, as before the cache existed).
# A flood peak that stays near the cache's size whatever ACTORS is bounded
# memory; the unbounded run shows what it would cost otherwise.
#
# Binaries come from ${BUILD_DIR:-build}; nothing is built or installed.
# Environment: BUILD_DIR, ACTORS (2000000), CACHE (the daemon's default),
# IDS (1 gives every line an "id": ids are remembered for
# state.dedup_retention whoever sends them, 24 bytes each; default 0),
# SKIP_UNBOUNDED=1 skips the third run, KEEP=1, TMPDIR. Needs python3.
set -eu

cd "$(dirname "$0")/.."
. bench/lib.sh
actors=${ACTORS:-2000000}
ids=${IDS:-0}

bench_require warmthd warmthctl
bench_require_tool python3 python3
bench_scratch warmth-flood

# lines FILE N DISTINCT: N likes from DISTINCT actors, a second apart.
lines() {
	python3 - "$1" "$2" "$3" "$ids" <<'PY'
import sys
path, n, distinct, ids = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "1"
t0 = 1790000000
with open(path, "w") as f:
    for i in range(n):
        extra = ',"id":"f%d"' % i if ids else ""
        f.write('{"ts":%d,"type":"like","actor":"urn:li:person:flood%09d","post":"p%d"%s}\n'
                % (t0 + i, i % distinct, i % 97, extra))
PY
}

gnu_time=0
/usr/bin/time -v true >/dev/null 2>&1 && gnu_time=1

# run NAME DISTINCT CACHE: prints events/s and the peak RSS; sets peak_kib.
run() {
	d="$tmp/$1"
	mkdir -p "$d/in"
	bench_config "$d/warmthd.yaml" </dev/null
	if [ -n "$3" ]; then
		sed -i "s|^  database: ./state.db\$|&\\n  contact_cache: $3|" "$d/warmthd.yaml"
	fi
	lines "$d/in/flood.jsonl" "$actors" "$2"
	t0=$(date +%s.%N)
	if [ "$gnu_time" = 1 ]; then
		/usr/bin/time -v -o "$d/time.txt" "$build/warmthd" -c "$d/warmthd.yaml" --once \
			2>"$d/warmthd.log"
		peak_kib=$(awk -F: '/Maximum resident set size/ { gsub(/ /, "", $2); print $2 }' \
			"$d/time.txt")
	else
		"$build/warmthd" -c "$d/warmthd.yaml" --once 2>"$d/warmthd.log" &
		pid=$!
		peak_kib=0
		while kill -0 "$pid" 2>/dev/null; do
			h=$(awk '$1 == "VmHWM:" { print $2 }' "/proc/$pid/status" 2>/dev/null || true)
			[ -n "$h" ] && [ "$h" -gt "$peak_kib" ] && peak_kib=$h
			sleep 0.2
		done
		wait "$pid"
	fi
	t1=$(date +%s.%N)
	got=$("$build/warmthctl" --db "$d/state.db" --json status |
		python3 -c 'import json, sys; s = json.load(sys.stdin); print(s["events_accepted"], s["contacts"])')
	awk -v n="$1" -v s0="$t0" -v s1="$t1" -v g="$got" -v p="$peak_kib" -v c="${3:-default}" 'BEGIN {
		split(g, f, " ")
		printf "%-10s %10d %10d %10s %10.1f %12.0f %10.1f\n", n, f[1], f[2], c, s1 - s0,
		       f[1] / (s1 - s0), p / 1024 }'
	rm -f "$d/in/flood.jsonl"
}

echo "$actors lines (ids: $ids); warmthd --once on a fresh state each"
printf '%-10s %10s %10s %10s %10s %12s %10s\n' run events contacts cache seconds events/s \
	"peak MB"
run baseline 10000 "${CACHE:-}"
base_kib=$peak_kib
run flood "$actors" "${CACHE:-}"
flood_kib=$peak_kib
if [ "${SKIP_UNBOUNDED:-0}" != 1 ]; then
	run unbounded "$actors" $((actors + 1))
fi
awk -v f="$flood_kib" -v b="$base_kib" 'BEGIN {
	printf "flood peak RSS: %.2fx the baseline'"'"'s (10,000 actors)\n", f / b }'
