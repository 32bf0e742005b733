"""Black-box tests of scoring and readiness, in event time (time.source:
event): who becomes ready, exactly once, with the notification written to
the outbox in the same transaction as the state; what a restart, a reload
and an older database do to it. The outbox is read with Python's sqlite3
module, read-only; contacts through warmthctl --db with the same config."""

import datetime
import json
import signal
import sqlite3
import subprocess
import time

from harness import BASE_CONFIG, WARMTHCTL, Env, check, event, run, executive_lines

T0 = 1793700000  # 2026-11-03, event time
DAY = 86400
CONFIG = BASE_CONFIG + "time:\n  source: event\n"


def iso(seconds):
    """RFC 3339 as warmthd writes it, with milliseconds."""
    t = datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def ctl_json(env, *args):
    """warmthctl --db DB -c CONFIG --json ARGS: the figures and clock of the config."""
    r = subprocess.run([WARMTHCTL, "--db", env.db, "-c", env.config, "--json"] + list(args),
                       capture_output=True, text=True, timeout=60)
    check(r.returncode == 0, "warmthctl %s: exit %d: %s" % (" ".join(args), r.returncode, r.stderr))
    return json.loads(r.stdout)


def export(env):
    """warmthctl export --json: every contact, by actor."""
    r = subprocess.run([WARMTHCTL, "--db", env.db, "-c", env.config, "--json", "export"],
                       capture_output=True, text=True, timeout=60)
    check(r.returncode == 0, "warmthctl export: exit %d: %s" % (r.returncode, r.stderr))
    return {c["actor"]: c for c in map(json.loads, r.stdout.splitlines())}


def show(env, actor):
    return ctl_json(env, "show", actor)


def conditions(contact):
    return {c["name"]: c for c in contact["conditions"]}


def outbox(env, kind="ready"):
    """The outbox rows as dicts, in seq order (read-only)."""
    db = sqlite3.connect("file:%s?mode=ro" % env.db, uri=True)
    try:
        rows = db.execute("SELECT id, kind, account, actor, created_ms, record FROM outbox "
                          "WHERE kind = ? ORDER BY seq", (kind,)).fetchall()
    finally:
        db.close()
    return [{"id": r[0], "kind": r[1], "account": r[2], "actor": r[3], "created_ms": r[4],
             "record": json.loads(r[5])} for r in rows]


def fired_for(env, actor):
    return [o for o in outbox(env) if o["actor"] == actor]


def tick(env, day, actor="clock"):
    """An event of another contact that moves event time to T0 + day."""
    env.append("a.jsonl", [event(T0 + int(day * DAY), "profile_view", actor)])
    env.once()


def senior_executive_lines():
    return executive_lines(t0=T0)


def test_senior_executive_ready_exactly_once():
    env = Env("ready-exec", CONFIG)
    lines = senior_executive_lines()
    # One batch per engagement: not ready before the wait and the warmth are there.
    for i, line in enumerate(lines[:3]):
        env.append("a.jsonl", [line])
        env.once()
        check(fired_for(env, "ada") == [], "fired early, after line %d: %s" % (i, outbox(env)))
        ada = show(env, "ada")
        check(ada["ready"] is False, "ready early after line %d: %s" % (i, ada))
    ada = show(env, "ada")
    cond = conditions(ada)
    check(cond["wait"]["ok"] is False and cond["wait"]["value"] == 9 and cond["wait"]["need"] == 14,
          "wait at day 9: %s" % cond["wait"])
    check(ada["segment"] == "senior_executive", "segment %s" % ada["segment"])

    env.append("a.jsonl", [lines[3]])
    env.once()
    rows = fired_for(env, "ada")
    check(len(rows) == 1, "want one notification: %s" % rows)
    row = rows[0]
    created = (T0 + 16 * DAY) * 1000
    check(row["id"] == "ready:default:ada:%d" % created and row["created_ms"] == created,
          "outbox id/created: %s" % row)
    rec = row["record"]
    check(rec["kind"] == "ready" and rec["id"] == row["id"] and rec["actor"] == "ada" and
          rec["name"] == "Ada Lovelace" and rec["segment"] == "senior_executive",
          "record: %s" % rec)
    check(rec["ts"] == iso(T0 + 16 * DAY), "record ts: %s" % rec["ts"])
    check(rec["warmth"] >= 5, "record warmth: %s" % rec)
    check(any("followed 16" in r for r in rec["reasons"]), "reasons: %s" % rec["reasons"])
    check(len(rec["reasons"]) >= 10, "reasons: %s" % rec["reasons"])
    posts = [e["post"] for e in rec["evidence"]]
    check(posts[:3] == ["p3", "p2", "p1"], "evidence: %s" % rec["evidence"])
    check(rec["evidence"][0]["text"] == "This resonates" and rec["evidence"][0]["title"] == "Burnout",
          "evidence text: %s" % rec["evidence"][0])
    check("note" in rec and rec["note"] is None, "note: %s" % rec)

    ada = show(env, "ada")
    cond = conditions(ada)
    check(ada["ready"] is True, "ada not ready: %s" % ada)
    check(all(c["ok"] for n, c in cond.items() if n != "not_notified"), "conditions: %s" % cond)
    check(cond["not_notified"]["ok"] is False, "not_notified after firing: %s" % cond)
    check(ada["notified"] == iso(T0 + 16 * DAY), "notified: %s" % ada["notified"])
    check([c["actor"] for c in ctl_json(env, "ready")] == ["ada"], "ready list")
    check(ada["counts"] == {"follow": 1, "comment": 3}, "counts %s" % ada["counts"])

    # Time moves on, the same lines are read again: no second notification.
    tick(env, 17)
    tick(env, 20)
    env.append("a.jsonl", lines)  # duplicates by id
    env.once()
    check(len(fired_for(env, "ada")) == 1, "re-fired: %s" % outbox(env))
    # A restart of the long-running daemon does not re-fire either.
    env.start()
    # Counted before the append: the daemon commits a live line at once.
    before = env.processed()
    env.append("a.jsonl", [event(T0 + 21 * DAY, "like", "ada", post="p4", id="a4")])
    env.wait_processed(before + 1)
    env.stop()
    env.start()
    tick_line = event(T0 + 22 * DAY, "profile_view", "clock")
    # Counted before the append: the daemon commits a live line at once.
    before = env.processed()
    env.append("a.jsonl", [tick_line])
    env.wait_processed(before + 1)
    env.stop()
    check(len(fired_for(env, "ada")) == 1, "re-fired after restart: %s" % outbox(env))
    env.close()


def test_never_ready():
    env = Env("ready-never", CONFIG)
    lines = [
        # A follower with one like.
        event(T0, "follow", "bob"),
        event(T0 + DAY, "like", "bob", post="p1"),
        # A connection who engages like the executive.
        event(T0, "connect", "carol", actor_connections=12000),
        event(T0 + 2 * DAY, "comment", "carol", post="p1", text="a"),
        event(T0 + 9 * DAY, "comment", "carol", post="p2", text="b"),
        event(T0 + 16 * DAY, "comment", "carol", post="p3", text="c"),
    ]
    for line in lines:
        env.append("a.jsonl", [line])
        env.once()
    for day in (17, 20, 25, 40):
        tick(env, day)
    check(outbox(env) == [], "someone fired: %s" % outbox(env))
    env.append("a.jsonl", [event(T0 + 40 * DAY, "like", "bob", post="p9")])
    env.once()
    bob = show(env, "bob")
    cond = conditions(bob)
    check(bob["ready"] is False and bob["relationship"] == "follower", "bob: %s" % bob)
    check(cond["deep_engagement"]["ok"] is False and cond["warmth"]["ok"] is False,
          "bob conditions: %s" % cond)
    carol = show(env, "carol")
    cond = conditions(carol)
    check(carol["ready"] is False and carol["relationship"] == "connected", "carol: %s" % carol)
    check(cond["not_connected"]["ok"] is False and cond["relationship"]["ok"] is False,
          "carol conditions: %s" % cond)
    check(outbox(env) == [], "someone fired: %s" % outbox(env))
    env.close()


def test_influencer_waits():
    env = Env("ready-influencer", CONFIG)
    env.append("a.jsonl", [
        event(T0, "follow", "dan", creator=True, name="Dan"),
        event(T0 + 1 * DAY, "comment", "dan", post="p1", text="one"),
        event(T0 + 5 * DAY, "share", "dan", post="p2"),
        event(T0 + 9 * DAY, "comment", "dan", post="p3", text="three"),
    ])
    env.once()
    tick(env, 10)
    dan = show(env, "dan")
    cond = conditions(dan)
    check(dan["segment"] == "influencer" and dan["ready"] is False, "dan at day 10: %s" % dan)
    check(cond["wait"]["ok"] is False and cond["wait"]["need"] == 28, "dan wait: %s" % cond["wait"])
    check(cond["warmth"]["ok"] is True, "dan warmth at day 10: %s" % cond["warmth"])
    env.append("a.jsonl", [
        event(T0 + 20 * DAY, "comment", "dan", post="p4", text="four"),
        event(T0 + 24 * DAY, "comment", "dan", post="p5", text="five"),
        event(T0 + 27 * DAY, "reply", "dan", post="p6", text="six"),
    ])
    env.once()
    check(fired_for(env, "dan") == [], "dan fired before his wait: %s" % outbox(env))
    # Only other contacts' events move time past the wait: the sweep sees it.
    tick(env, 30)
    rows = fired_for(env, "dan")
    check(len(rows) == 1, "dan at day 30: %s" % outbox(env))
    check(rows[0]["created_ms"] == (T0 + 30 * DAY) * 1000, "dan fired at %s" % rows[0])
    check(show(env, "dan")["ready"] is True, "dan not ready at day 30")
    tick(env, 31)
    check(len(fired_for(env, "dan")) == 1, "dan re-fired: %s" % outbox(env))
    env.close()


def wait_log(env, text):
    env.wait(lambda: env.log_has(text), "log line %r" % text)


# The executives, and a catch-all "peer" with the readiness defaults (the built-in peer
# has figures of its own, so readiness.threshold alone would not change it).
PEER_ONLY = ("segments:\n  - name: senior_executive\n    match:\n      min_connections: 10000\n"
             "    wait: 14d\n  - name: peer\n")


def test_reload_keeps_counts():
    env = Env("ready-reload", CONFIG + PEER_ONLY)
    env.start()
    env.append("a.jsonl", senior_executive_lines()[:3] + [
        event(T0, "follow", "eve"),
        event(T0 + 3600, "like", "eve", post="p1"),
        event(T0 + DAY, "comment", "eve", post="p2", text="nice"),
    ])
    env.wait_processed(6)
    before = {c["actor"]: c for c in ctl_json(env, "top")}
    check(before["eve"]["ready"] is False and before["eve"]["segment"] == "peer",
          "eve before: %s" % before["eve"])
    check(conditions(before["eve"])["warmth"]["ok"] is False, "eve warmth: %s" % before["eve"])
    check(outbox(env) == [], "fired before the reload: %s" % outbox(env))

    env.write_config(CONFIG + PEER_ONLY + "readiness:\n  threshold: 2\n")
    env.proc.send_signal(signal.SIGHUP)
    wait_log(env, "configuration reloaded")
    # New figures: eve is ready now and fires, without a new event.
    env.wait(lambda: len(fired_for(env, "eve")) == 1, "eve fires after the reload")
    after = {c["actor"]: c for c in ctl_json(env, "top")}
    for actor in ("ada", "eve"):
        check(after[actor]["counts"] == before[actor]["counts"], "%s counts changed: %s -> %s" %
              (actor, before[actor]["counts"], after[actor]["counts"]))
        check(abs(after[actor]["warmth"] - before[actor]["warmth"]) < 1e-9,
              "%s warmth changed: %s -> %s" % (actor, before[actor]["warmth"],
                                               after[actor]["warmth"]))
    check(conditions(after["eve"])["warmth"]["need"] == 2, "threshold: %s" % after["eve"])
    st = env.status()
    check(st["events_accepted"] == 6 and st["contacts"] == 2, "status after reload: %s" % st)
    check(fired_for(env, "ada") == [], "ada fired before her wait: %s" % outbox(env))
    env.stop()
    env.close()


RESCORE_SETTINGS = """\
scoring:
  half_life: 3d
  deep_types: [reply, share]
  reaction_per_post: false
  repeat_window: 6h
  repeat_factor: 0.25
"""


def rescore_lines():
    """Engagement that every rescored setting shapes: likes of one post,
    bursts within hours, deep and light types, a connection midway."""
    lines = []
    for i, actor in enumerate(("ann", "bob", "cy")):
        base = T0 + i * 3600
        lines += [event(base, "follow", actor),
                  event(base + 600, "like", actor, post="p1"),
                  event(base + 900, "like", actor, post="p1"),
                  event(base + 1200, "comment", actor, post="p1", text="yes"),
                  event(base + 2 * DAY, "share", actor, post="p2"),
                  event(base + 2 * DAY + 60, "like", actor, post="p2"),
                  event(base + 2 * DAY + 120, "like", actor, post="p3")]
        if actor != "cy":
            lines.append(event(base + 4 * DAY, "connect", actor))
        lines += [event(base + 5 * DAY, "reply", actor, post="p4", text="agreed"),
                  event(base + 5 * DAY + 300, "reply", actor, post="p4", text="and more"),
                  event(base + 9 * DAY, "profile_view", actor)]
    return sorted(lines, key=lambda line: json.loads(line)["ts"])


def test_reload_rescores_from_history():
    """A reload with a new half-life (and deep types, reaction and repeat
    settings) rebuilds every score from the engagement history: the same
    warmth as a fresh run with those settings over the same lines."""
    lines = rescore_lines()
    env = Env("ready-rescore", CONFIG)
    env.start()
    env.append("a.jsonl", lines)
    env.wait_processed(len(lines))
    before = export(env)
    env.write_config(CONFIG + RESCORE_SETTINGS)
    env.proc.send_signal(signal.SIGHUP)
    wait_log(env, "3 scores rebuilt from their engagement history")

    fresh = Env("ready-rescore-fresh", CONFIG + RESCORE_SETTINGS)
    fresh.append("a.jsonl", lines)
    fresh.once()
    want = export(fresh)

    def rescored():
        got = export(env)
        return all(abs(got[a]["warmth"] - want[a]["warmth"]) < 1e-6 for a in want)

    env.wait(rescored, "warmth as a fresh run's")
    after = export(env)
    for actor in ("ann", "bob", "cy"):
        check(abs(after[actor]["warmth"] - before[actor]["warmth"]) > 0.01,
              "%s: warmth unchanged by the reload: %s" % (actor, after[actor]["warmth"]))
        check(after[actor]["counts"] == before[actor]["counts"] == want[actor]["counts"],
              "%s counts: %s -> %s (fresh %s)" % (actor, before[actor]["counts"],
                                                 after[actor]["counts"], want[actor]["counts"]))
    st = env.status()
    check(st["events_accepted"] == len(lines), "status after the reload: %s" % st)
    # A restart keeps the rebuilt scores (stored with their history).
    env.stop()
    env.once()
    again = export(env)
    for actor in want:
        check(abs(again[actor]["warmth"] - want[actor]["warmth"]) < 1e-6,
              "%s after a restart: %s, want %s" % (actor, again[actor]["warmth"],
                                                   want[actor]["warmth"]))
    fresh.close()
    env.close()


WALL_CONFIG = BASE_CONFIG + """\
time:
  source: wall
readiness:
  threshold: 1
  min_posts: 1
  min_days: 1
segments:
  - name: peer
    wait: 2s
"""


def test_wall_clock_sweep():
    """time.source: wall: a wait that expires with no new event is seen by
    the cron's sweep of the watch list. WARMTHD_TEST_CRON_PERIOD (test only)
    makes the cron tick every 50ms instead of every minute."""
    env = Env("ready-wall", WALL_CONFIG)
    env.start(environ={"WARMTHD_TEST_CRON_PERIOD": "50ms"})
    check(env.log_has("WARMTHD_TEST_CRON_PERIOD, for tests only"),
          "the test-only period is not logged:\n" + env.log_text())
    now = time.time()
    env.append("a.jsonl", [event(now, "follow", "wes"),
                           event(now, "comment", "wes", post="p1", text="well said")])
    env.wait_processed(2)
    wes = show(env, "wes")
    check(wes["ready"] is False and conditions(wes)["wait"]["ok"] is False,
          "wes ready before his wait: %s" % wes)
    check(fired_for(env, "wes") == [], "wes fired before his wait: %s" % outbox(env))
    # No new event: only the sweep can see the wait expire (2s after the follow).
    env.wait(lambda: len(fired_for(env, "wes")) == 1, "wes fires by the sweep", timeout=20)
    row = fired_for(env, "wes")[0]
    check(row["created_ms"] >= int(now * 1000) + 2000, "wes fired before his wait: %s" % row)
    check(show(env, "wes")["ready"] is True, "wes not ready after his wait")
    env.stop()
    env.close()


def test_schema_1_is_migrated():
    env = Env("ready-migrate", CONFIG)
    env.append("a.jsonl", senior_executive_lines()[:3])
    env.once()
    # Make it a database as the schema 1 daemon left it.
    db = sqlite3.connect(env.db)
    db.executescript("ALTER TABLE contacts DROP COLUMN score; ALTER TABLE contacts DROP COLUMN rules;"
                     "ALTER TABLE accounts DROP COLUMN budget; ALTER TABLE accounts DROP COLUMN ratio;"
                     "DROP TABLE outbox;"
                     # Schema 5's width; the rows of 16-byte ids go too (a schema 1
                     # daemon wrote 24-byte ones, which test_store loads).
                     "ALTER TABLE seen_ids DROP COLUMN width; DELETE FROM seen_ids;"
                     # Schema 6's kept ids.
                     "DROP TABLE old_ids; DROP TABLE seen_moved;"
                     "PRAGMA user_version = 1;")
    db.close()
    env.append("a.jsonl", [senior_executive_lines()[3]])
    env.once()
    check(env.log_has("migrating schema 1 to 2"), "no migration logged:\n" + env.log_text())
    ada = show(env, "ada")
    check(ada["counts"] == {"follow": 1, "comment": 3}, "counts after migration: %s" % ada)
    # The older engagements have no score (schema 1 kept none): only the new one counts.
    check(0 < ada["warmth"] <= 3.0 + 1e-9, "warmth after migration: %s" % ada["warmth"])
    env.close()


if __name__ == "__main__":
    run([test_senior_executive_ready_exactly_once, test_never_ready, test_influencer_waits,
         test_reload_keeps_counts, test_reload_rescores_from_history, test_wall_clock_sweep, test_schema_1_is_migrated])
