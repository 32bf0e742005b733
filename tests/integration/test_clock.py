"""Black-box tests of the event clock against events dated in the future:
such a line is rejected (future_ts) instead of moving "now" there for
good, and a database written before that rule heals at start."""

import json
import sqlite3

from harness import BASE_CONFIG, WARMTHCTL, Env, check, event, run, executive_lines

import subprocess

T0 = 1793700000  # 2026-11-03, event time
DAY = 86400
CONFIG = BASE_CONFIG + "time:\n  source: event\n"
FUTURE = "2099-01-01T00:00:00Z"
FUTURE_MS = 4070908800000


def ctl_json(env, *args):
    """warmthctl --db DB -c CONFIG --json ARGS: with the config's clock."""
    r = subprocess.run([WARMTHCTL, "--db", env.db, "-c", env.config, "--json"] + list(args),
                       capture_output=True, text=True, timeout=60)
    check(r.returncode == 0, "warmthctl %s: exit %d: %s" % (" ".join(args), r.returncode, r.stderr))
    return json.loads(r.stdout)


def notified(env, actor):
    db = sqlite3.connect("file:%s?mode=ro" % env.db, uri=True)
    try:
        return db.execute("SELECT count(*) FROM outbox WHERE kind = 'ready' AND actor = ?",
                          (actor,)).fetchone()[0]
    finally:
        db.close()


def ada_lines():
    """Ada, a senior executive, is ready on day 16 (harness.executive_lines)."""
    return executive_lines(t0=T0)


def real_lines():
    """100 real lines, with ids: Ada's four and 96 likes by others before day 16."""
    lines = ada_lines()[:3]
    for i in range(96):
        lines.append(event(T0 + 10 * DAY + i * 60, "like", "f%02d" % (i % 30), post="q%d" % i,
                           id="f%d" % i))
    lines.append(ada_lines()[3])
    return lines


def test_future_line_rejected():
    """The issue's case: 100 real lines and one dated 2099, then the file
    read again: 100 accepted, 1 future_ts, then 100 duplicates; the clock
    stays at the real events, warmth and readiness work, across restarts."""
    env = Env("future", CONFIG)
    lines = real_lines()
    lines.insert(50, event(FUTURE, "like", "mallory", post="z", id="future"))
    env.append("a.jsonl", lines)
    env.once()
    st = env.status()
    check(st["events_accepted"] == 100 and st["events_duplicate"] == 0 and
          st["events_rejected"] == 1, "first read: %s" % st)
    check(st["rejected_by_reason"] == {"future_ts": 1}, "reasons: %s" % st)
    dl = env.dead_letters()
    check(len(dl) == 1 and dl[0]["reason"] == "future_ts" and "2099-01-01" in dl[0]["detail"]
          and "time.future_tolerance" in dl[0]["detail"], "dead letter: %s" % dl)
    check(notified(env, "ada") == 1, "ada not notified once")
    ada = ctl_json(env, "show", "ada")
    check(ada["warmth"] > 5 and ada["ready"] is True, "ada: %s" % ada)

    # The same file again: every real id is still remembered.
    env.append("a.jsonl", lines)
    env.once()
    st = env.status()
    check(st["events_accepted"] == 100 and st["events_duplicate"] == 100 and
          st["events_rejected"] == 2, "replay: %s" % st)

    # A restart of the long-running daemon: time goes on from the real events.
    env.start()
    before = env.processed()
    env.append("a.jsonl", [event(T0 + 17 * DAY, "like", "ada", post="p9", id="a9"),
                           event(FUTURE, "follow", "eve", id="future2")])
    env.wait_processed(before + 2)
    env.stop()
    env.start()
    before = env.processed()
    env.append("a.jsonl", lines)
    env.wait_processed(before + len(lines))
    env.stop()
    st = env.status()
    check(st["events_accepted"] == 101 and st["events_duplicate"] == 200 and
          st["events_rejected"] == 4 and st["rejected_by_reason"] == {"future_ts": 4},
          "after restarts: %s" % st)
    ada = ctl_json(env, "show", "ada")
    check(ada["warmth"] > 5 and notified(env, "ada") == 1, "ada after restarts: %s" % ada)
    env.close()


def test_tolerance():
    """Up to time.future_tolerance ahead of the wall clock is accepted."""
    import time
    now = int(time.time())
    env = Env("tolerance", BASE_CONFIG + "time:\n  future_tolerance: 2h\n")
    env.append("a.jsonl", [event(now + 3600, "like", "near", id="n"),
                           event(now + 3 * 3600, "like", "far", id="f")])
    env.once()
    st = env.status()
    check(st["events_accepted"] == 1 and st["rejected_by_reason"] == {"future_ts": 1},
          "2h tolerance: %s" % st)
    env.close()


def test_poisoned_database_heals():
    """A database whose clock a 2099 line moved (before future_ts existed):
    at start the clock comes back, with a warning, so ids are remembered,
    warmth is there and Ada becomes ready."""
    env = Env("heal", CONFIG)
    lines = real_lines()[:-1]
    env.append("a.jsonl", lines)
    env.once()
    # What an older warmthd wrote after accepting a like and a snapshot dated 2099.
    db = sqlite3.connect(env.db)
    db.execute("UPDATE counters SET value = ? WHERE name = 'newest_event_ms'", (FUTURE_MS,))
    db.execute("UPDATE contacts SET last_seen_ms = ? WHERE actor = 'f00'", (FUTURE_MS,))
    db.execute("UPDATE accounts SET followers = 7, connections = 7, snapshot_ms = ?",
               (FUTURE_MS,))
    db.commit()
    db.close()
    env.append("a.jsonl", lines)
    r = env.once()
    check("newest event time 2099-01-01T00:00:00.000Z" in r.stderr and "brought back" in r.stderr,
          "no warning:\n%s" % r.stderr[-3000:])
    check("account default: snapshot time 2099-01-01T00:00:00.000Z" in r.stderr,
          "no warning for the snapshot:\n%s" % r.stderr[-3000:])
    st = env.status()
    check(st["events_accepted"] == 99 and st["events_duplicate"] == 99, "replay: %s" % st)
    # A real snapshot after the heal counts: the 2099 one no longer outranks it.
    env.append("a.jsonl", [json.dumps({"ts": T0 + 12 * DAY, "type": "snapshot",
                                       "followers": 200, "connections": 90})])
    env.once()
    db = sqlite3.connect("file:%s?mode=ro" % env.db, uri=True)
    acc = db.execute("SELECT followers, connections, snapshot_ms FROM accounts").fetchall()
    db.close()
    check(acc == [(200, 90, (T0 + 12 * DAY) * 1000)], "account after the heal: %s" % acc)
    ada = ctl_json(env, "show", "ada")
    check(ada["warmth"] > 0, "no warmth (the clock is in 2099?): %s" % ada)
    env.append("a.jsonl", [ada_lines()[3]])
    r = env.once()
    check("brought back" not in r.stderr, "healed twice:\n%s" % r.stderr[-3000:])
    check(notified(env, "ada") == 1, "ada not ready after the heal")
    env.close()


if __name__ == "__main__":
    run([test_future_line_rejected, test_tolerance, test_poisoned_database_heals])
