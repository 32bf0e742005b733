#!/bin/sh
# bench/state_scale.sh - what a large state costs at start-up and at rest:
# CONTACTS contacts built with warmth-gen + warmthd --once, then the daemon
# started on that state with a fake NOTIFY_SOCKET (a datagram socket this
# script owns, as systemd would), measuring:
#   - the database size (state.db and its WAL),
#   - the time from exec to READY=1 (the daemon loads the contacts when
#     they fit in state.contact_cache, none otherwise, and opens its
#     inputs before it says READY),
#   - its RSS once READY (VmRSS; VmHWM for the peak of the load),
#   - with more contacts than the cache: how long the rescan for readiness
#     takes after READY (to its "rescan:" log line), the RSS after it, and
#     how many contacts it left in memory (status contacts_cached),
#   - bytes resident per contact: the settled RSS minus that of the same
#     daemon on an empty state (measured in the same run, the baseline),
#     divided by the number of contacts.
# Targets (issue 7): READY <= 2 s; <= 256 bytes resident per contact, or
# memory bounded by a configurable cache with the rest in SQLite.
#
# Binaries come from ${BUILD_DIR:-build}; nothing is built or installed.
# Environment: BUILD_DIR, CONTACTS (1000000), EVENTS (3 x CONTACTS: every
# contact appears, most engage), SEED (42), RUNS (3: READY timings, the
# best and the median are printed), CACHE (state.contact_cache; default
# the daemon's), KEEP=1 keeps the scratch directory, TMPDIR. Needs
# python3 (the notify socket).
set -eu

cd "$(dirname "$0")/.."
. bench/lib.sh
contacts=${CONTACTS:-1000000}
events=${EVENTS:-$((contacts * 3))}
seed=${SEED:-42}
runs=${RUNS:-3}

bench_require warmth-gen warmthd warmthctl
bench_require_tool python3 python3
bench_scratch warmth-scale

# Two states side by side with the same config: "full" and "empty".
for state in full empty; do
	mkdir -p "$tmp/$state/in"
	bench_config "$tmp/$state/warmthd.yaml" </dev/null
	if [ -n "${CACHE:-}" ]; then
		sed -i "s|^  database: ./state.db\$|&\\n  contact_cache: $CACHE|" "$tmp/$state/warmthd.yaml"
	fi
done

echo "generating $events events from $contacts contacts (seed $seed) ..."
"$build/warmth-gen" --seed "$seed" --events "$events" --contacts "$contacts" \
	-o "$tmp/full/in/engagement.jsonl"
echo "building the state with warmthd --once ..."
t0=$(date +%s.%N)
"$build/warmthd" -c "$tmp/full/warmthd.yaml" --once 2>"$tmp/full/once.log" || {
	echo "bench/state_scale.sh: warmthd --once failed; the end of its log:" >&2
	tail -n 20 "$tmp/full/once.log" >&2
	exit 1
}
t1=$(date +%s.%N)
# The empty state: a database with the schema and nothing else.
"$build/warmthd" -c "$tmp/empty/warmthd.yaml" --once 2>"$tmp/empty/once.log"
stored=$("$build/warmthctl" --db "$tmp/full/state.db" --json status |
	python3 -c 'import json, sys; print(json.load(sys.stdin)["contacts"])')

python3 - "$build/warmthd" "$tmp" "$stored" "$runs" "$t0" "$t1" "$build/warmthctl" <<'PY'
import json, os, signal, socket, statistics, subprocess, sys, time

warmthd, tmp, stored, runs = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
warmthctl = sys.argv[7]
once_s = float(sys.argv[6]) - float(sys.argv[5])


def kib(pid, field):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def log_has(path, text):
    with open(path, errors="replace") as f:
        return text in f.read()


def start(state):
    """Starts warmthd on a state; returns (seconds to READY=1, VmRSS KiB, VmHWM KiB,
    seconds from READY to the rescan's end or None, VmRSS KiB after it, contacts
    in memory then)."""
    d = os.path.join(tmp, state)
    logpath = os.path.join(d, "warmthd.log")
    if os.path.exists(logpath):
        os.unlink(logpath)
    path = os.path.join(d, "notify.sock")
    if os.path.exists(path):
        os.unlink(path)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    sock.settimeout(120)
    env = dict(os.environ, NOTIFY_SOCKET=path)
    log = open(os.path.join(d, "warmthd.log"), "ab")
    t0 = time.perf_counter()
    proc = subprocess.Popen([warmthd, "-c", os.path.join(d, "warmthd.yaml")], env=env,
                            stderr=log)
    try:
        while True:
            msg = sock.recv(4096).decode()
            if msg.startswith("READY=1"):
                break
        ready = time.perf_counter() - t0
        rescan = None
        # Cold (logged before READY): the rescan runs after READY.
        if log_has(logpath, "read from the database as needed"):
            while not log_has(logpath, "rescan:"):
                time.sleep(0.01)
            rescan = time.perf_counter() - t0 - ready
        # What stays resident once up: let the first loop passes settle.
        time.sleep(1.0)
        rss, hwm = kib(proc.pid, "VmRSS"), kib(proc.pid, "VmHWM")
        settled = rss
        st = json.loads(subprocess.run([warmthctl, "-c", os.path.join(d, "warmthd.yaml"),
                                        "--json", "status"], capture_output=True, text=True,
                                       check=True).stdout)
        cached = st.get("contacts_cached", st["contacts"])
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=120)
        sock.close()
        log.close()
    return ready, rss, hwm, rescan, settled, cached


results = {}
for state in ("empty", "full"):
    samples = [start(state) for _ in range(runs)]
    results[state] = samples

db = os.path.join(tmp, "full", "state.db")
db_bytes = os.path.getsize(db) + (os.path.getsize(db + "-wal") if os.path.exists(db + "-wal") else 0)


def line(name, samples):
    ready = sorted(s[0] for s in samples)
    rss = statistics.median(s[1] for s in samples)
    hwm = statistics.median(s[2] for s in samples)
    rescans = [s[3] for s in samples if s[3] is not None]
    print("%-14s %10.3f %10.3f %10.1f %10.1f %10s %10d" %
          (name, ready[0], statistics.median(ready), rss / 1024, hwm / 1024,
           "%.2f" % statistics.median(rescans) if rescans else "-",
           statistics.median(s[5] for s in samples)))
    return statistics.median(ready), rss


print()
print("%d contacts in the state (built by warmthd --once in %.1f s)" % (stored, once_s))
print("database: %.1f MB (%.0f bytes per contact)" % (db_bytes / 1e6, db_bytes / max(stored, 1)))
print()
print("%d starts each (medians); READY = exec to READY=1 on NOTIFY_SOCKET; rescan: READY to"
      % runs)
print("the end of the rescan for readiness (cold cache only); RSS 1 s after READY and the")
print("rescan; cached: contacts in memory then")
print("%-14s %10s %10s %10s %10s %10s %10s" % ("state", "READY best", "median s", "RSS MB",
                                              "peak MB", "rescan s", "cached"))
empty_ready, empty_rss = line("empty", results["empty"])
full_ready, full_rss = line("%d" % stored, results["full"])
per_contact = (full_rss - empty_rss) * 1024 / max(stored, 1)
print()
print("READY: %.3f s, %.1fx the empty state's (target <= 2 s: %s)"
      % (full_ready, full_ready / empty_ready, "met" if full_ready <= 2 else "NOT met"))
print("resident per contact: %.0f bytes ((RSS - empty RSS) / contacts; target <= 256: %s)"
      % (per_contact, "met" if per_contact <= 256 else "NOT met"))
PY
