#!/bin/sh
# bench/idle.sh - what warmthd costs while nothing happens: CPU time and
# wake-ups of a daemon started on an empty input directory.
#
# Two windows of IDLE_SECONDS each, one after the other, so that neither
# measurement disturbs the other:
#   1. untraced: CPU time (utime + stime of all threads, from
#      /proc/PID/stat) and context switches (voluntary + involuntary,
#      summed over /proc/PID/task/*/status: every wake-up of a sleeping
#      thread is one voluntary switch, so this counts wake-ups without
#      strace);
#   2. traced: strace -f -ttt over every system call, counted by name, with
#      the number of epoll_wait/epoll_pwait returns (each one is a pass of
#      the libuv loop) and the longest and shortest gap between them.
# Wake-ups per second are printed against the target: no periodic wake-up
# more often than once a second, CPU ~ 0.
#
# Binaries come from ${BUILD_DIR:-build}; nothing is built or installed.
# Environment: BUILD_DIR, IDLE_SECONDS (default 60; 10 for a quick run),
# KEEP=1 keeps the scratch directory, TMPDIR. Needs strace (Debian package
# strace) and python3.
set -eu

cd "$(dirname "$0")/.."
. bench/lib.sh
idle=${IDLE_SECONDS:-60}

bench_require warmthd warmthctl
bench_require_tool strace strace
bench_require_tool python3 python3
bench_scratch warmth-idle
# No input file: the input directory stays empty.
bench_config "$tmp/warmthd.yaml" </dev/null

"$build/warmthd" -c "$tmp/warmthd.yaml" 2>"$tmp/warmthd.log" &
pid=$!
# Up when it answers on its control socket.
tries=0
until "$build/warmthctl" -c "$tmp/warmthd.yaml" ping >/dev/null 2>&1; do
	tries=$((tries + 1))
	if [ "$tries" -gt 300 ] || ! kill -0 "$pid" 2>/dev/null; then
		echo "bench/idle.sh: warmthd did not come up; its log:" >&2
		tail -n 20 "$tmp/warmthd.log" >&2
		exit 1
	fi
	sleep 0.1
done
# Let start-up work (the first rescan, the first cron pass) settle.
sleep 2

# utime + stime in clock ticks: fields 14 and 15 of /proc/PID/stat, counted
# after the ")" that ends the command name (which may hold spaces).
cpu_ticks() {
	sed 's/.*) //' "/proc/$pid/stat" | awk '{ print $12 + $13 }'
}
switches() {
	cat /proc/"$pid"/task/*/status |
		awk '/^(voluntary|nonvoluntary)_ctxt_switches:/ { n += $2 } END { print n }'
}
hz=$(getconf CLK_TCK)
threads=$(ls /proc/"$pid"/task | wc -l)

echo "warmthd (pid $pid, $threads threads) idle on an empty input directory"
echo "window 1: ${idle}s untraced (CPU time, context switches) ..."
c0=$(cpu_ticks)
s0=$(switches)
sleep "$idle"
c1=$(cpu_ticks)
s1=$(switches)

echo "window 2: ${idle}s under strace -f ..."
# strace stops on SIGINT from timeout and writes what it traced so far.
timeout -s INT "$idle" strace -f -ttt -T -o "$tmp/strace.txt" -p "$pid" 2>"$tmp/strace.err" || true
if [ ! -s "$tmp/strace.txt" ] && grep -q "Operation not permitted" "$tmp/strace.err"; then
	echo "bench/idle.sh: strace may not attach (ptrace restricted: kernel.yama.ptrace_scope," >&2
	echo "  or a container without CAP_SYS_PTRACE); run as root or lower ptrace_scope" >&2
	exit 1
fi

python3 - "$tmp/strace.txt" "$idle" "$c0" "$c1" "$s0" "$s1" "$hz" <<'PY'
import collections, re, sys

path, idle = sys.argv[1], float(sys.argv[2])
c0, c1, s0, s1, hz = (int(x) for x in sys.argv[3:8])
counts = collections.Counter()
epoll_times = []
# strace -f -ttt -T lines: "PID SECONDS.USEC name(args) = result <DURATION>",
# with "<unfinished ...>" / "<... name resumed>" pairs for calls that block,
# and a last "<detached ...>" for the call in progress when strace stops.
pat = re.compile(r"^(\d+)\s+(\d+\.\d+)\s+(?:<\.\.\. )?(\w+)")
returned = re.compile(r"= (-?\d+|\?)[^<]*<(\d+\.\d+)>\s*$")
for raw in open(path, errors="replace"):
    m = pat.match(raw)
    if not m or "+++" in raw or "---" in raw:
        continue
    name = m.group(3)
    if "resumed>" not in raw:
        counts[name] += 1
    r = returned.search(raw)
    if name.startswith("epoll") and r:
        # A return of the loop's poll is a wake-up. A resumed line is
        # stamped when the call returned, a complete one when it began.
        t = float(m.group(2))
        epoll_times.append(t if "resumed>" in raw else t + float(r.group(2)))

cpu_s = (c1 - c0) / hz
print()
print("window 1 (untraced, %.0f s):" % idle)
print("  CPU time (user + system)  %.3f s  (%.4f%% of one core)" % (cpu_s, 100 * cpu_s / idle))
print("  context switches          %d  (%.2f/s)" % (s1 - s0, (s1 - s0) / idle))
print("window 2 (strace -f, %.0f s):" % idle)
total = sum(counts.values())
print("  system calls              %d  (%.2f/s)" % (total, total / idle))
for name, n in counts.most_common(8):
    print("    %-22s %d" % (name, n))
wakeups = len(epoll_times)
print("  epoll returns (wake-ups)  %d  (%.2f/s)" % (wakeups, wakeups / idle))
if wakeups > 1:
    gaps = [b - a for a, b in zip(epoll_times, epoll_times[1:])]
    print("  gap between wake-ups      min %.3f s, median %.3f s, max %.3f s"
          % (min(gaps), sorted(gaps)[len(gaps) // 2], max(gaps)))
rate = max(wakeups, s1 - s0) / idle
print()
print("wake-ups/s %.2f against the target of at most 1/s: %.2fx the target (%s)"
      % (rate, rate, "met" if rate <= 1.0 else "NOT met"))
print("CPU %.3f s over %.0f s idle: %s" % (cpu_s, idle, "~0" if cpu_s < 0.05 else "not ~0"))
PY
