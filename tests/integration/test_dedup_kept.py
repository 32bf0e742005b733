#!/usr/bin/env python3
"""test_dedup_kept.py - event ids are found however old their events.

The window of ids in memory (state.dedup_retention, 30 days of event time
before the newest event) moves on; the ids before it are kept on disk
(state.id_retention) and an event that arrives older than the window is
looked up there. Years-old events with ids are ingested, the event clock
is moved far beyond the window, and the same lines, then a superset of
them, are read again: nothing counts twice, the new rows once. The same
with the daemon killed (SIGKILL) at random points of a backfill and of its
re-read, and with a database of the previous schema (5), which is
migrated and keeps its ids.
"""
import os
import random
import sqlite3
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import check, event  # noqa: E402

CONFIG = h.BASE_CONFIG + "time:\n  source: event\n"
DAY = 86400
# Years before the wall clock (2019-2023): far older than any window.
OLD_T0 = 1546300800


def old_lines(n, seed, prefix="e"):
    """n years-old events with ids, of 40 actors, in shuffled time order."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        ts = OLD_T0 + rng.randrange(5 * 365 * DAY)
        actor = "https://www.linkedin.com/in/p%d" % (i % 40)
        if i % 3 == 0:
            out.append(event(ts, "like", actor, post="post%d" % i, id="%s%d" % (prefix, i)))
        else:
            out.append(event(ts, "comment", actor, post="post%d" % i, text="Nice one",
                             id="%s%d" % (prefix, i)))
    return out


def recent_lines(n, prefix="r"):
    """n events of the last days (the wall clock is the limit of event time)."""
    now = int(time.time()) - 2 * DAY
    return [event(now - i * 60, "like", "https://www.linkedin.com/in/q%d" % (i % 5),
                  post="fresh%d" % i, id="%s%d" % (prefix, i)) for i in range(n)]


def counts(env):
    return {c["actor"]: c["counts"] for c in env.export()}


def test_reimport_years_later():
    env = h.Env("dedup-kept", CONFIG)
    try:
        old = old_lines(300, 1)
        env.append("archive.jsonl", old)
        env.once()
        st = env.status()
        check(st["events_accepted"] == 300, "first import: %s" % st)
        # The event clock moves years past the archive: every id of it leaves
        # the window (and memory).
        env.append("live.jsonl", recent_lines(20))
        env.once()
        st = env.status()
        check(st["events_accepted"] == 320 and st["events_duplicate"] == 0, "live: %s" % st)
        before = counts(env)
        check(env.log_has("moved out of memory"), "the window moved:\n" + env.log_text())

        # The same archive again: every line a duplicate.
        env.append("archive-again.jsonl", old)
        env.once()
        st = env.status()
        check(st["events_accepted"] == 320 and st["events_duplicate"] == 300,
              "re-import: %s" % st)
        check(counts(env) == before, "re-import changed counts")

        # A superset (the old rows and 50 new old ones, another order), with
        # one new row twice in it: only the new rows count, each once.
        extra = old_lines(50, 2, prefix="x")
        superset = old + extra + [extra[7]]
        random.Random(3).shuffle(superset)
        env.append("archive-newer.jsonl", superset)
        env.once()
        st = env.status()
        check(st["events_accepted"] == 370 and st["events_duplicate"] == 601,
              "superset: %s" % st)
        # The same once more, in a live daemon: all duplicates.
        env.start()
        env.append("archive-newest.jsonl", superset)
        env.wait_processed(370 + 601 + len(superset))
        env.stop()
        st = env.status()
        check(st["events_accepted"] == 370, "live re-read: %s" % st)
        after = counts(env)
        for actor, c in before.items():
            grown = {k: after[actor].get(k, 0) - c.get(k, 0) for k in after[actor]}
            check(all(v >= 0 for v in grown.values()), "%s: %s -> %s" % (actor, c, after[actor]))
        check(sum(sum(c.values()) for c in after.values()) == 370, "total counts %s" % after)
    finally:
        env.close()


def test_sigkill_backfill_and_reread():
    """A backfill of old events read while the daemon is killed at random
    points, then read again as another file, with more kills: each counts
    once (the ids of a batch and the window's move commit with it)."""
    config = CONFIG.replace("  batch_interval: 20ms\n",
                            "  batch_interval: 20ms\n  batch_events: 2000\n")
    env = h.Env("dedup-kept-kill", config)
    try:
        n = 6000 if h.SANITIZED else 30000
        env.append("live.jsonl", recent_lines(10))
        env.once()
        old = old_lines(n, 4)
        # Some duplicates inside the backfill itself, some next to each other.
        rng = random.Random(5)
        data = old + [old[rng.randrange(n)] for _ in range(n // 20)]
        rng.shuffle(data)
        data.insert(100, data[99])
        unique = len(set(data))
        rng = random.Random(6)
        for name in ("backfill.jsonl", "backfill-again.jsonl"):
            env.start()
            chunk = len(data) // 5
            for i in range(0, len(data), chunk):
                env.append(name, data[i:i + chunk])
                time.sleep(rng.uniform(0.0, 0.2))
                env.kill()
                env.start()
            env.stop()
        env.once()
        st = env.status()
        check(st["events_accepted"] == 10 + unique, "accepted %d, want %d: %s" %
              (st["events_accepted"], 10 + unique, st))
        check(st["events_duplicate"] == 2 * len(data) - unique, "duplicates: %s" % st)
        check(sum(sum(c.values()) for c in counts(env).values()) == 10 + unique, "counts")
    finally:
        env.close()


def test_window_moving_between_batches():
    """One event per batch: the first moves the window (its commit moves
    the floor), the next is new and older than that floor, and it comes
    again once the move is committed but before its own batch is: the
    second copy is a duplicate."""
    config = CONFIG.replace("  batch_interval: 20ms\n",
                            "  batch_interval: 20ms\n  batch_events: 1\n")
    env = h.Env("dedup-kept-batches", config)
    try:
        t = int(time.time()) - 400 * DAY
        env.append("a.jsonl", [event(t, "like", "a", post="p0", id="t0")])
        env.once()
        late = event(t - 10 * DAY, "like", "b", post="p1", id="late")
        env.append("a.jsonl", recent_lines(1) + [late, late, late])
        env.once()
        st = env.status()
        check(st["events_accepted"] == 3 and st["events_duplicate"] == 2, "status %s" % st)
        env.append("b.jsonl", [late])
        env.once()
        st = env.status()
        check(st["events_accepted"] == 3 and st["events_duplicate"] == 3, "status %s" % st)
    finally:
        env.close()


def test_pushed_old_events():
    """Old events pushed over HTTP: each line's result says accepted or
    duplicate by the kept ids, within a request and across requests (a
    client's retry of a request long after)."""
    import test_http_events as push
    env = push.push_env("dedup-kept-push", "time:\n  source: event\n")
    try:
        push.start(env)
        status, _, body = push.post(env, push.lines(*recent_lines(3)))
        # Replied once committed: the window's floor has moved past the old events.
        check(status == 200 and body["accepted"] == 3, "live: %s %s" % (status, body))
        old = old_lines(5, 7)
        status, _, body = push.post(env, push.lines(*(old + [old[0]])))
        check(status == 200 and [r["status"] for r in body["results"]] ==
              ["accepted"] * 5 + ["duplicate"], "old: %s %s" % (status, body))
        status, _, body = push.post(env, push.lines(*old))
        check(status == 200 and body["duplicate"] == 5, "again: %s %s" % (status, body))
        env.stop()
        push.start(env)
        status, _, body = push.post(env, push.lines(*reversed(old)))
        check(status == 200 and body["duplicate"] == 5, "after a restart: %s %s" % (status, body))
        st = env.status()
        check(st["events_accepted"] == 8 and st["events_duplicate"] == 11, "status %s" % st)
    finally:
        env.close()


def downgrade_to_schema_5(db_path):
    """Makes a database as the warmthd of schema 5 left it: no kept ids, no
    record of moves, no floor (nor the daily series); its window's rows are
    all it has."""
    db = sqlite3.connect(db_path)
    db.executescript("DROP TABLE old_ids; DROP TABLE seen_moved; DROP TABLE IF EXISTS network_days;"
                     "DELETE FROM counters WHERE name LIKE 'ids_%';"
                     "PRAGMA user_version = 5;")
    db.close()


def test_previous_schema():
    env = h.Env("dedup-kept-schema", CONFIG)
    try:
        # Events of one month, a year ago: the window of a schema 5 database.
        t0 = int(time.time()) - 400 * DAY
        month = [event(t0 + i * 3600, "like", "https://www.linkedin.com/in/m%d" % (i % 7),
                       post="m%d" % i, id="m%d" % i) for i in range(200)]
        env.append("month.jsonl", month)
        env.once()
        env.stop()
        downgrade_to_schema_5(env.db)
        # The same lines again: found in the migrated window.
        env.append("month-again.jsonl", month)
        env.once()
        check(env.log_has("migrating schema 5 to 6"), "no migration:\n" + env.log_text())
        st = env.status()
        check(st["events_accepted"] == 200 and st["events_duplicate"] == 200, "again: %s" % st)
        # The clock moves a year on: the window's ids move to the kept ids,
        # and the month read once more is all duplicates.
        env.append("live.jsonl", recent_lines(5))
        env.once()
        env.append("month-later.jsonl", month)
        env.once()
        st = env.status()
        check(st["events_accepted"] == 205 and st["events_duplicate"] == 400, "later: %s" % st)
        db = sqlite3.connect(env.db)
        kept = db.execute("SELECT count(*) FROM old_ids").fetchone()[0]
        version = db.execute("PRAGMA user_version").fetchone()[0]
        db.close()
        check(kept == 200 and version == 7, "kept %d ids, schema %d" % (kept, version))
    finally:
        env.close()


def test_id_retention():
    """Ids past state.id_retention are let go (the event then counts again),
    and a retention shorter than the window is refused."""
    config = CONFIG.replace("  database: ./state.db\n",
                            "  database: ./state.db\n  id_retention: 400d\n")
    env = h.Env("dedup-kept-retention", config)
    try:
        now = int(time.time()) - 2 * DAY
        lines = [event(now - 300 * DAY, "like", "a", post="p1", id="young"),
                 event(now - 600 * DAY, "like", "a", post="p2", id="aged")]
        env.append("old.jsonl", lines)
        env.append("live.jsonl", recent_lines(3))
        env.once()
        env.append("again.jsonl", lines)
        env.once()
        st = env.status()
        # "aged" is older than the keep: counted again, and let go again.
        check(st["events_accepted"] == 6 and st["events_duplicate"] == 1, "retention: %s" % st)
        env.write_config(config.replace("id_retention: 400d", "id_retention: 10d"))
        r = env.once(expect=1)
        check("id_retention must be 0 (for ever) or at least state.dedup_retention" in r.stderr,
              "short retention: %s" % r.stderr)
    finally:
        env.close()


if __name__ == "__main__":
    h.run([test_reimport_years_later, test_window_moving_between_batches,
           test_sigkill_backfill_and_reread, test_pushed_old_events, test_previous_schema,
           test_id_retention])
