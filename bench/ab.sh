#!/bin/sh
# bench/ab.sh - two builds of warmthd over the same backlog, in alternating
# runs: the way to tell whether a change is faster on a machine whose speed
# moves between hours (docs/performance.md). A run of one build then one of
# the other, PAIRS times, each over a fresh state directory and the same
# page-cached file; prints every run's wall-clock and CPU (user + system)
# seconds and, at the end, each build's medians and best, and the ratios of
# the medians (B / A). CPU time is the steadier figure where the machine
# lends its cores to others; wall-clock is the one the targets are about.
#
# Environment: BUILD_A (the baseline, required), BUILD_B (default build),
# PAIRS (5), EVENTS (2000000), CONTACTS (100000), SEED (42), KEEP, TMPDIR.
# warmth-gen comes from BUILD_B. Nothing is built or installed.
set -eu

cd "$(dirname "$0")/.."
. bench/lib.sh
a=${BUILD_A:?set BUILD_A to the build directory of the baseline}
b=${BUILD_B:-build}
pairs=${PAIRS:-5}
events=${EVENTS:-2000000}
contacts=${CONTACTS:-100000}
seed=${SEED:-42}

bench_require_tool /usr/bin/time time
build=$b
bench_require warmth-gen warmthd
build=$a
bench_require warmthd
bench_scratch warmth-ab
"$b/warmth-gen" --seed "$seed" --events "$events" --contacts "$contacts" \
	-o "$tmp/in/engagement.jsonl"
bench_config "$tmp/warmthd.yaml" </dev/null
cat "$tmp/in/engagement.jsonl" >/dev/null

# run DIR: one --once run of DIR/warmthd over a fresh state; prints its
# wall-clock and CPU seconds.
run() {
	rm -f "$tmp"/state.db* "$tmp/rejected.jsonl" "$tmp/notifications.jsonl"
	if ! /usr/bin/time -f '%e %U %S' -o "$tmp/time.txt" \
		"$1/warmthd" -c "$tmp/warmthd.yaml" --once 2>"$tmp/warmthd.log"; then
		echo "bench/ab.sh: $1/warmthd failed; the end of its log:" >&2
		tail -n 20 "$tmp/warmthd.log" >&2
		exit 1
	fi
	awk '{ printf "%.2f %.2f\n", $1, $2 + $3 }' "$tmp/time.txt"
}

echo "$events events from $contacts contacts; $pairs pairs, A = $a, B = $b"
: >"$tmp/times"
i=0
while [ "$i" -lt "$pairs" ]; do
	ta=$(run "$a")
	tb=$(run "$b")
	echo "pair $((i + 1)): A ${ta% *} s (CPU ${ta#* } s)  B ${tb% *} s (CPU ${tb#* } s)"
	printf 'A %s\nB %s\n' "$ta" "$tb" >>"$tmp/times"
	i=$((i + 1))
done
awk -v events="$events" '
function median(x, col,    c, i, j, v, tmp) {
	c = n[x]
	for (i = 1; i <= c; i++)
		v[i] = t[x, i, col]
	for (i = 2; i <= c; i++)
		for (j = i; j > 1 && v[j - 1] > v[j]; j--) {
			tmp = v[j]; v[j] = v[j - 1]; v[j - 1] = tmp
		}
	best[x, col] = v[1]
	return c % 2 ? v[(c + 1) / 2] : (v[c / 2] + v[c / 2 + 1]) / 2
}
{ n[$1]++; t[$1, n[$1], 1] = $2; t[$1, n[$1], 2] = $3 }
END {
	for (k = 1; k <= 2; k++) {
		x = k == 1 ? "A" : "B"
		wall[x] = median(x, 1)
		cpu[x] = median(x, 2)
		printf "%s: median %.2f s (%.0f events/s), best %.2f s; CPU median %.2f s, best %.2f s\n",
			x, wall[x], events / wall[x], best[x, 1], cpu[x], best[x, 2]
	}
	printf "B / A (medians): wall-clock %.3f, CPU %.3f\n", wall["B"] / wall["A"], cpu["B"] / cpu["A"]
}' "$tmp/times"
