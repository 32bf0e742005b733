"""Black-box tests of the network metrics, in event time (time.source:
event): "ratio" and "cap" notifications written to the outbox when
snapshots move an account out of its band or near the connection cap, at
most once per audit period, and what warmthctl --db metrics makes of the
invitations, follows, connections and engagement the daemon counted. The
outbox is read with Python's sqlite3 module, read-only."""

import json
import os
import sqlite3
import subprocess

from harness import BASE_CONFIG, WARMTHCTL, Env, check, event, run

T0 = 1793700000  # 2026-11-03, event time
DAY = 86400
# consultant (the default role): 1.5 to 2 followers per connection.
CONFIG = BASE_CONFIG + "time:\n  source: event\nreadiness:\n  cap: 1000\n"


def snapshot(ts, followers, connections):
    return json.dumps({"ts": ts, "type": "snapshot", "followers": followers,
                       "connections": connections}, separators=(",", ":"))


def outbox(env, kind):
    db = sqlite3.connect("file:%s?mode=ro" % env.db, uri=True)
    try:
        rows = db.execute("SELECT id, account, actor, created_ms, record FROM outbox "
                          "WHERE kind = ? ORDER BY seq", (kind,)).fetchall()
    finally:
        db.close()
    return [{"id": r[0], "account": r[1], "actor": r[2], "created_ms": r[3],
             "record": json.loads(r[4])} for r in rows]


def metrics(env):
    r = subprocess.run([WARMTHCTL, "--db", env.db, "-c", env.config, "--json", "metrics"],
                       capture_output=True, text=True, timeout=60)
    check(r.returncode == 0, "warmthctl metrics: exit %d: %s" % (r.returncode, r.stderr))
    return json.loads(r.stdout)


def feed(env, lines):
    env.append("a.jsonl", lines)
    env.once()


def test_ratio_once_per_audit_period():
    env = Env("net-ratio", CONFIG)
    # In band: nothing.
    feed(env, [snapshot(T0, 450, 300)])
    check(outbox(env, "ratio") == [], "in band, yet: %s" % outbox(env, "ratio"))
    # Below the band: one notice.
    feed(env, [snapshot(T0 + DAY, 300, 300)])
    rows = outbox(env, "ratio")
    check(len(rows) == 1, "want one ratio notice: %s" % rows)
    rec = rows[0]["record"]
    check(rec["kind"] == "ratio" and rec["id"] == rows[0]["id"] and rec["account"] == "default"
          and rec["followers"] == 300 and rec["connections"] == 300 and rec["ratio"] == 1.0 and
          rec["target_min"] == 1.5 and rec["target_max"] == 2 and rec["role"] == "consultant" and
          rec["position"] == "below" and rec["cap"] == 1000 and "below" in rec["message"],
          "record: %s" % rec)
    check(rows[0]["actor"] is None and rows[0]["created_ms"] == (T0 + DAY) * 1000,
          "row: %s" % rows[0])
    # Still out, within the period (above, even): no second notice.
    feed(env, [snapshot(T0 + 10 * DAY, 200, 300)])
    feed(env, [snapshot(T0 + 20 * DAY, 900, 300)])
    check(len(outbox(env, "ratio")) == 1, "second notice in the period: %s" % outbox(env, "ratio"))
    # A new period: one more.
    feed(env, [snapshot(T0 + 32 * DAY, 900, 300), snapshot(T0 + 33 * DAY, 910, 300)])
    rows = outbox(env, "ratio")
    check(len(rows) == 2 and rows[1]["record"]["position"] == "above",
          "want a second notice in the next period: %s" % rows)
    check(outbox(env, "cap") == [], "cap notice far from the cap: %s" % outbox(env, "cap"))
    # The file sink received them too.
    got = [json.loads(l) for l in open(os.path.join(env.dir, "notifications.jsonl")) if l.strip()]
    check([g["kind"] for g in got] == ["ratio", "ratio"], "delivered: %s" % got)
    env.close()


def test_cap_warning():
    env = Env("net-cap", CONFIG)
    feed(env, [snapshot(T0, 1600, 850)])
    check(outbox(env, "cap") == [], "cap notice at 85%%: %s" % outbox(env, "cap"))
    feed(env, [snapshot(T0 + DAY, 1800, 950)])
    rows = outbox(env, "cap")
    check(len(rows) == 1, "want one cap notice: %s" % rows)
    rec = rows[0]["record"]
    check(rec["kind"] == "cap" and rec["connections"] == 950 and rec["cap"] == 1000 and
          abs(rec["cap_usage"] - 0.95) < 1e-9 and "nearing the cap" in rec["message"],
          "record: %s" % rec)
    check(outbox(env, "ratio") == [], "ratio notice in band: %s" % outbox(env, "ratio"))
    feed(env, [snapshot(T0 + 2 * DAY, 1900, 990)])
    check(len(outbox(env, "cap")) == 1, "second cap notice: %s" % outbox(env, "cap"))
    env.close()


def test_metrics_from_events():
    env = Env("net-metrics", CONFIG)
    feed(env, [
        snapshot(T0, 300, 200),
        event(T0, "follow", "bob"),
        event(T0 + DAY, "follow", "carl"),
        event(T0 + DAY, "follow", "carl", id="again"),  # a repeated follow: not a new follower
        event(T0 + 4 * DAY, "connect", "bob"),
        event(T0 + 2 * DAY, "invite_sent", "dan", dir="out"),
        event(T0 + 2 * DAY, "invite_sent", "eve", dir="out"),
        event(T0 + 3 * DAY, "invite_accepted", "dan"),
        event(T0 + 5 * DAY, "like", "bob", post="p1"),
        event(T0 + 5 * DAY, "comment", "carl", post="p1", text="Nice"),
        event(T0 + 5 * DAY, "comment", "frank", post="p1", dir="out", text="Thanks"),
    ])
    m = metrics(env)
    check(m["followers"] == 300 and m["connections"] == 200 and abs(m["ratio"] - 1.5) < 1e-9,
          "counts: %s" % m)
    check(m["acceptance_rate"] == 0.5 and m["invitations_sent"] == 2, "acceptance: %s" % m)
    check(m["conversion_rate"] == 0.5 and m["median_convert_days"] == 4, "conversion: %s" % m)
    check(abs(m["engagement_7d"]["connections"] - 1 / 200) < 1e-9 and
          abs(m["engagement_7d"]["followers"] - 1 / 300) < 1e-9, "engagement 7d: %s" % m)
    check(m["engagement_30d"] == m["engagement_7d"], "engagement 30d: %s" % m)
    # Kept across a restart (the accounts' ratio column), and a decline counts as not accepted.
    feed(env, [event(T0 + 6 * DAY, "invite_sent", "gil", dir="out"),
               event(T0 + 7 * DAY, "invite_declined", "eve")])
    m = metrics(env)
    check(abs(m["acceptance_rate"] - 1 / 3) < 1e-9 and m["conversion_rate"] == 0.5,
          "after a restart: %s" % m)
    r = subprocess.run([WARMTHCTL, "--db", env.db, "-c", env.config, "metrics"],
                       capture_output=True, text=True, timeout=60)
    check(r.returncode == 0 and "conversion rate" in r.stdout and "50%" in r.stdout and
          "engagement 7d" in r.stdout, "metrics text: %s" % r.stdout)
    env.close()


if __name__ == "__main__":
    run([test_ratio_once_per_audit_period, test_cap_warning, test_metrics_from_events])
