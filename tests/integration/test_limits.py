"""Limits of the input that hold whatever the bytes around them:
ingest.max_line_bytes for every line wherever it falls in a read, the
bounds of the event format's counts, and the bound of the readiness watch
list (readiness.watch_max)."""

import json
import os
import random
import sqlite3
import subprocess

from harness import BASE_CONFIG, WARMTHCTL, Env, check, event, run

T0 = 1793700000  # 2026-11-03, event time
LIMIT = 1024
CHUNK = 4096
CONFIG = BASE_CONFIG.replace("ingest:\n", "ingest:\n  max_line_bytes: 1KiB\n  read_chunk: 4KiB\n")


def line_of(length, i):
    """A valid event line of exactly length bytes (without its newline)."""
    head = '{"ts":%d,"type":"like","actor":"a%d","id":"e%d","text":"' % (T0 + i, i % 50, i)
    pad = length - len(head) - 2
    check(pad >= 0, "line of %d bytes is too short for an event" % length)
    return head + "x" * pad + '"}'


def limit_lines(seed, eol="\n"):
    """Lines of LIMIT-1, LIMIT and LIMIT+1 bytes (without their end of line,
    eol) after fillers of random length, so that they start, end and
    straddle everywhere in a read."""
    rnd = random.Random(seed)
    lines, offsets, want_long = [], [], []
    offset = 0
    for i in range(300):
        if i % 2 == 0:
            length = rnd.randint(80, 1000)
        else:
            length = LIMIT - 1 + (i // 2) % 3
        lines.append(line_of(length, i))
        if length > LIMIT:
            want_long.append(offset)
        offsets.append(offset)
        offset += length + len(eol)
    return lines, want_long


def check_limit(env, lines, want_long):
    st = env.status()
    check(st["events_accepted"] == len(lines) - len(want_long) and
          st["events_rejected"] == len(want_long) and
          st["rejected_by_reason"] == {"line_too_long": len(want_long)}, "counts: %s" % st)
    dl = env.dead_letters()
    check([d["offset"] for d in dl] == want_long, "dead-letter offsets %s, want %s" %
          ([d["offset"] for d in dl], want_long))
    check(all(d["reason"] == "line_too_long" and "line of 1025 bytes" in d["detail"] and
              len(d["line"]) == LIMIT for d in dl), "dead letters: %s" % dl[:2])


def append_in_pieces(env, data, seed):
    """Appends data to the running daemon's input in pieces cut anywhere."""
    rnd = random.Random(seed)
    at = 0
    while at < len(data):
        n = rnd.randint(1, 3 * LIMIT)
        env.append_bytes("a.jsonl", data[at:at + n])
        at += n


def test_line_limit_wherever_the_line_falls():
    """Every line over the limit is rejected and every one at it accepted,
    whether it arrived whole within one read (it used to be accepted), ends
    a read, or straddles reads."""
    lines, want_long = limit_lines(1)
    # The starts of the long lines fall all over the 4 KiB reads.
    places = {o % CHUNK // 512 for o in want_long}
    check(len(places) == CHUNK // 512, "long lines at too few places in a read: %s" % places)
    env = Env("line-limit", CONFIG)
    env.append("a.jsonl", lines)
    env.once()
    check_limit(env, lines, want_long)
    env.close()


def test_line_limit_live():
    """The same lines appended to a running daemon in pieces cut anywhere."""
    lines, want_long = limit_lines(2)
    env = Env("line-limit-live", CONFIG)
    env.start()
    append_in_pieces(env, ("\n".join(lines) + "\n").encode(), 3)
    env.wait_processed(len(lines))
    env.stop()
    check_limit(env, lines, want_long)
    env.close()


def test_line_limit_crlf():
    """A CRLF line's limit is that of its content, as for LF: a line of
    LIMIT bytes and \\r\\n is accepted (it was rejected as LIMIT + 1 bytes),
    whole in a read or straddling reads, read at once or appended live."""
    lines, want_long = limit_lines(4, "\r\n")
    data = ("\r\n".join(lines) + "\r\n").encode()
    env = Env("line-limit-crlf", CONFIG)
    env.append_bytes("a.jsonl", data)
    env.once()
    check_limit(env, lines, want_long)
    env.close()
    env = Env("line-limit-crlf-live", CONFIG)
    env.start()
    append_in_pieces(env, data, 5)
    env.wait_processed(len(lines))
    env.stop()
    check_limit(env, lines, want_long)
    env.close()


def test_counts_bounded():
    """A snapshot or a profile hint beyond 10^12 is invalid_field naming the
    field; the network metrics of the accepted snapshot are exact."""
    env = Env("counts", BASE_CONFIG)
    env.append("a.jsonl", [
        json.dumps({"ts": T0, "type": "snapshot", "followers": 9223372036854775000,
                    "connections": 10}),
        json.dumps({"ts": T0, "type": "like", "actor": "a", "actor_followers": 10 ** 12 + 1}),
        json.dumps({"ts": T0 + 1, "type": "snapshot", "followers": 10 ** 12,
                    "connections": 500}),
    ])
    env.once()
    st = env.status()
    check(st["events_accepted"] == 1 and st["rejected_by_reason"] == {"invalid_field": 2},
          "counts: %s" % st)
    details = [d["detail"] for d in env.dead_letters()]
    check(details[0].startswith("followers: ") and details[1].startswith("actor_followers: "),
          "details: %s" % details)
    env.close()


HOUR = 3600
DAY = 24 * HOUR
WATCH_CONFIG = BASE_CONFIG + """\
time:
  source: event
readiness:
  weekly_invites: 1000
  watch_max: 100
segments:
  - name: everyone
    wait: 7d
    threshold: 2
    active_within: 60d
"""


def socket_status(env):
    r = subprocess.run([WARMTHCTL, "-c", env.config, "--json", "status"],
                       capture_output=True, text=True, timeout=60)
    check(r.returncode == 0, "warmthctl status: %s" % r.stderr)
    return json.loads(r.stdout)


def notified(env):
    """Ready notifications per actor, from the outbox (read-only)."""
    db = sqlite3.connect("file:%s?mode=ro" % env.db, uri=True)
    try:
        rows = db.execute("SELECT actor, count(*) FROM outbox WHERE kind = 'ready' "
                          "GROUP BY actor").fetchall()
    finally:
        db.close()
    return dict(rows)


def fired_at(env):
    db = sqlite3.connect("file:%s?mode=ro" % env.db, uri=True)
    try:
        return dict(db.execute("SELECT actor, created_ms FROM outbox WHERE kind = 'ready'"))
    finally:
        db.close()


def test_watch_list_bounded():
    """400 actors follow an hour apart and comment twice, then wait out a
    7-day wait: at most readiness.watch_max (100) of them are watched at
    any time, and every one that fell off is found again and becomes ready
    when due, exactly once."""
    n = 400
    lines = []
    for i in range(n):
        a = "w%03d" % i
        lines.append((T0 + i * HOUR, event(T0 + i * HOUR, "follow", a)))
        lines.append((T0 + i * HOUR + HOUR, event(T0 + i * HOUR + HOUR, "comment", a, post="p1")))
        lines.append((T0 + i * HOUR + 25 * HOUR,
                      event(T0 + i * HOUR + 25 * HOUR, "comment", a, post="p2")))
    lines.sort(key=lambda x: x[0])
    env = Env("watch-bound", WATCH_CONFIG)
    env.start()
    env.append("a.jsonl", [line for _, line in lines])
    total = env.wait_processed(len(lines))["events_accepted"]
    st = socket_status(env)
    check(st["watched"] <= 100 and st["watch_dropped"] > 0, "watch list after the flood: %s" % st)
    last = lines[-1][0]
    most = 0
    t = last
    end = T0 + (n - 1) * HOUR + 7 * DAY + DAY
    while t < end:
        t += 6 * HOUR
        env.append("a.jsonl", [event(t, "profile_view", "clock")])
        total += 1
        env.wait_processed(total)
        most = max(most, socket_status(env)["watched"])
        check(most <= 100, "watched %d > readiness.watch_max" % most)
    env.wait(lambda: len(notified(env)) == n, "every actor notified (%d)" % len(notified(env)))
    counts = notified(env)
    check(all(v == 1 for v in counts.values()), "notified more than once: %s" %
          {k: v for k, v in counts.items() if v != 1})
    # Each when due (7 days after the follow), or at the latest a tick of
    # 6 hours and a rescan after it: not later for having fallen off.
    late = []
    for actor, created in fired_at(env).items():
        due = (T0 + int(actor[1:]) * HOUR + 7 * DAY) * 1000
        if not due <= created <= max(due, last * 1000) + 12 * HOUR * 1000:
            late.append((actor, (created - due) / 3600000.0))
    check(not late, "notified too early or too late (hours after due): %s" % late[:10])
    env.stop()
    with open(os.path.join(env.dir, "warmthd.log"), errors="replace") as f:
        check("readiness watch list full" in f.read(), "no warning")
    env.close()


if __name__ == "__main__":
    run([test_line_limit_wherever_the_line_falls, test_line_limit_live, test_line_limit_crlf, test_counts_bounded,
         test_watch_list_bounded])
