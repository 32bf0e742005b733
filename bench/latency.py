#!/usr/bin/env python3
"""bench/latency.py - live latency of warmthd: from the write() of a line
that makes a contact ready to the matching "ready" line in the file
notifier's output, with and without a background load. Run through
bench/latency.sh, which documents the environment variables.

How:
- A scratch directory holds a config (time.source: event, a file notifier
  with fsync: true, the default ingest settings) and one input file.
- Before the daemon starts, the input receives a preparation: 2 x PROBES
  contacts that are one deep engagement short of ready in the default
  "peer" segment (wait 0s): a follow and four likes on four posts and
  days, warmth ~3.4 in all, threshold 5. One comment later makes each
  ready: need_deep, min_posts, min_days, warmth >= 5 all hold at once.
- Baseline: the prober appends one such comment every INTERVAL_MS and
  times each from just before write() to the moment the notifications
  file holds the contact's "ready" line, with nothing else running.
- Under load: a writer process appends warmth-gen events at RATE events/s
  to the same input file (paced on an absolute schedule, in chunks every
  CHUNK_MS), and the prober does the same with the other half of the
  prepared contacts.
- The notifications file is watched by polling os.stat() every POLL_US
  microseconds (0.2 ms by default): simple, with no dependency, and its
  granularity is an upper bound on what it adds to each figure.

Event time: the background events span one day from 2026-10-01 (so that
almost none of the generated contacts engage on two days and become ready
themselves, which would use up the invitation budget); the preparation
lies in the ten days before; each probe is dated at the start of the
background day, which is never in the future of "now" in event time.
"""

import json
import os
import signal
import subprocess
import sys
import tempfile
import time

BG_START = "2026-10-01T00:00:00Z"
BG_START_S = 1790812800  # BG_START in Unix seconds
DAY = 86400


def env_int(name, default):
    value = os.environ.get(name, "")
    return int(value) if value else default


def iso(seconds):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def line(ts, type_, actor, **kw):
    d = {"ts": iso(ts), "type": type_, "actor": actor}
    d.update(kw)
    return json.dumps(d, separators=(",", ":")) + "\n"


def preparation(actor):
    """The lines that leave actor one comment short of ready."""
    out = [line(BG_START_S - 10 * DAY, "follow", actor)]
    for k in range(4):
        out.append(line(BG_START_S - (4 - k) * DAY, "like", actor, post="prep-%d" % k))
    return out


def probe_line(actor):
    return line(BG_START_S, "comment", actor, post="probe", text="That is a good point")


CONFIG = """\
# bench/latency.py: a live daemon, event time, an fsync'ed file notifier.
control:
  socket: ./control.sock
state:
  database: ./state.db
inputs:
  - path: ./in/*.jsonl
dead_letter: ./rejected.jsonl
time:
  source: event
log:
  level: notice
readiness:
  # The probes must not be queued behind the weekly budget (100).
  weekly_invites: 1000
notify:
  - type: file
    path: ./notifications.jsonl
    fsync: true
"""


def writer(path, source, rate, chunk_ms, seconds):
    """Appends source's lines to path at rate lines/s for at most seconds;
    runs in its own process so that the prober's timing is not disturbed
    by it (nor the other way round). Prints the lines written and the time."""
    with open(source, "rb") as f:
        lines = f.read().splitlines(keepends=True)
    per_chunk = max(1, rate * chunk_ms // 1000)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    start = time.monotonic()
    written = 0
    k = 0
    while not stop and written < len(lines) and time.monotonic() - start < seconds:
        # An absolute schedule: a late chunk does not delay the next ones.
        due = start + k * chunk_ms / 1000.0
        delay = due - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        chunk = lines[written:written + per_chunk]
        os.write(fd, b"".join(chunk))
        written += len(chunk)
        k += 1
    os.close(fd)
    print("%d %.3f" % (written, time.monotonic() - start), flush=True)


class Notifications:
    """Follows the notifications file; remembers when each ready actor appeared."""

    def __init__(self, path):
        self.path = path
        self.pos = 0
        self.partial = b""
        self.ready = {}
        self.other = 0

    def poll(self):
        try:
            size = os.stat(self.path).st_size
        except FileNotFoundError:
            return
        if size <= self.pos:
            return
        now = time.perf_counter()
        with open(self.path, "rb") as f:
            f.seek(self.pos)
            data = f.read(size - self.pos)
        self.pos += len(data)
        data = self.partial + data
        *complete, self.partial = data.split(b"\n")
        for raw in complete:
            rec = json.loads(raw)
            if rec.get("kind") == "ready" and rec.get("actor", "").startswith("probe-"):
                self.ready.setdefault(rec["actor"], now)
            else:
                self.other += 1


def probe_phase(fd, notes, actors, interval_ms, poll_s, daemon):
    """Writes each actor's completing line, INTERVAL_MS apart; returns the
    latencies in ms and the number of probes that timed out."""
    latencies = []
    timeouts = 0
    start = time.monotonic()
    for k, actor in enumerate(actors):
        due = start + k * interval_ms / 1000.0
        delay = due - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        data = probe_line(actor).encode()
        t0 = time.perf_counter()
        os.write(fd, data)
        deadline = t0 + 5.0
        while actor not in notes.ready:
            notes.poll()
            if actor in notes.ready:
                break
            if time.perf_counter() > deadline:
                timeouts += 1
                break
            if daemon.poll() is not None:
                sys.exit("bench/latency: warmthd exited during the measurement")
            time.sleep(poll_s)
        if actor in notes.ready:
            latencies.append((notes.ready[actor] - t0) * 1000.0)
    return latencies, timeouts


def percentile(sorted_values, p):
    """Nearest-rank percentile."""
    if not sorted_values:
        return float("nan")
    rank = max(1, int(-(-p * len(sorted_values) // 100)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def summary(name, values, timeouts):
    v = sorted(values)
    return "%-22s %6d %8.2f %8.2f %8.2f %8.2f %9d" % (
        name, len(v), percentile(v, 50), percentile(v, 90), percentile(v, 99),
        v[-1] if v else float("nan"), timeouts)


def wait_for(cond, what, timeout, daemon):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return
        if daemon.poll() is not None:
            sys.exit("bench/latency: warmthd exited while waiting for %s" % what)
        time.sleep(0.05)
    sys.exit("bench/latency: timed out waiting for %s" % what)


def accepted(build, db):
    r = subprocess.run([os.path.join(build, "warmthctl"), "--db", db, "--json", "status"],
                       capture_output=True, text=True)
    if r.returncode != 0:
        return -1
    return json.loads(r.stdout).get("events_accepted", -1)


def main():
    if len(sys.argv) >= 2 and sys.argv[1] == "--writer":
        writer(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6]))
        return
    build = os.environ.get("BUILD_DIR", "build")
    probes = env_int("PROBES", 200)
    rate = env_int("RATE", 10000)
    interval_ms = env_int("INTERVAL_MS", 50)
    chunk_ms = env_int("CHUNK_MS", 10)
    poll_us = env_int("POLL_US", 200)
    warmup = env_int("WARMUP_SECONDS", 2)
    if probes > 500:
        sys.exit("bench/latency: PROBES at most 500 (the invitation budget is 1000 a week)")
    for b in ("warmthd", "warmthctl", "warmth-gen"):
        if not os.access(os.path.join(build, b), os.X_OK):
            sys.exit("bench/latency: %s/%s not found; build first (cmake -S . -B %s && "
                     "cmake --build %s) or set BUILD_DIR" % (build, b, build, build))

    tmp = tempfile.mkdtemp(prefix="warmth-latency.", dir=os.environ.get("TMPDIR"))
    daemon = None
    writer_proc = None
    try:
        os.mkdir(os.path.join(tmp, "in"))
        with open(os.path.join(tmp, "warmthd.yaml"), "w") as f:
            f.write(CONFIG)
        log = os.path.join(tmp, "in", "engagement.jsonl")
        base_actors = ["probe-base-%d" % i for i in range(probes)]
        load_actors = ["probe-load-%d" % i for i in range(probes)]
        prep = [l for a in base_actors + load_actors for l in preparation(a)]
        with open(log, "w") as f:
            f.writelines(prep)

        # Enough background for the load phase, with a margin.
        load_seconds = warmup + probes * interval_ms / 1000.0 + 5
        bg = os.path.join(tmp, "background.jsonl")
        subprocess.run([os.path.join(build, "warmth-gen"), "--seed", "42",
                        "--events", str(int(rate * load_seconds)), "--contacts", "10000",
                        "--start", BG_START, "--days", "1", "-o", bg], check=True)

        daemon = subprocess.Popen([os.path.join(build, "warmthd"), "-c",
                                   os.path.join(tmp, "warmthd.yaml")],
                                  stderr=open(os.path.join(tmp, "warmthd.log"), "wb"))
        db = os.path.join(tmp, "state.db")
        wait_for(lambda: accepted(build, db) >= len(prep), "the preparation", 60, daemon)

        notes = Notifications(os.path.join(tmp, "notifications.jsonl"))
        fd = os.open(log, os.O_WRONLY | os.O_APPEND)
        print("baseline: %d probes, %d ms apart, no background load ..." % (probes, interval_ms))
        base, base_to = probe_phase(fd, notes, base_actors, interval_ms, poll_us / 1e6, daemon)

        print("load: %d events/s in %d ms chunks to the same file, %d s warm-up ..."
              % (rate, chunk_ms, warmup))
        writer_proc = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--writer",
                                        log, bg, str(rate), str(chunk_ms), str(load_seconds)],
                                       stdout=subprocess.PIPE, text=True)
        time.sleep(warmup)
        load, load_to = probe_phase(fd, notes, load_actors, interval_ms, poll_us / 1e6, daemon)
        writer_proc.send_signal(signal.SIGTERM)
        out, _ = writer_proc.communicate(timeout=30)
        writer_proc = None
        written, secs = out.split()
        os.close(fd)

        print()
        print("latency from write() to the ready line in the file notifier (ms), "
              "polled with os.stat every %d us" % poll_us)
        print("%-22s %6s %8s %8s %8s %8s %9s" % ("", "probes", "p50", "p90", "p99", "max",
                                                 "timeouts"))
        print(summary("baseline (no load)", base, base_to))
        print(summary("under %d events/s" % rate, load, load_to))
        if base and load:
            b, l = sorted(base), sorted(load)
            print("\nratio to baseline: p50 %.2fx, p99 %.2fx"
                  % (percentile(l, 50) / percentile(b, 50), percentile(l, 99) / percentile(b, 99)))
            print("target p99 <= 5 ms under load: %s"
                  % ("met" if percentile(l, 99) <= 5.0 else "NOT met"))
        print("background: %s events in %s s (%.0f events/s achieved); "
              "%d other notifications (not probes)"
              % (written, secs, int(written) / float(secs), notes.other))
    finally:
        if writer_proc is not None:
            writer_proc.kill()
            writer_proc.wait()
        if daemon is not None and daemon.poll() is None:
            daemon.send_signal(signal.SIGTERM)
            try:
                daemon.wait(timeout=30)
            except subprocess.TimeoutExpired:
                daemon.kill()
                daemon.wait()
        if os.environ.get("KEEP") == "1":
            print("scratch directory kept: %s" % tmp)
        else:
            subprocess.run(["rm", "-rf", tmp])


if __name__ == "__main__":
    main()
