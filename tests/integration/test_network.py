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
    # Since the snapshot: carl followed (bob's follow is as old as it), bob
    # and dan connected.
    check(m["followers"] == 301 and m["connections"] == 202 and
          abs(m["ratio"] - 301 / 202) < 1e-9 and m["followers_since_snapshot"] == 1 and
          m["connections_since_snapshot"] == 2, "counts: %s" % m)
    check(m["acceptance_rate"] == 0.5 and m["invitations_sent"] == 2, "acceptance: %s" % m)
    check(m["conversion_rate"] == 0.5 and m["median_convert_days"] == 4, "conversion: %s" % m)
    check(abs(m["engagement_7d"]["connections"] - 1 / 202) < 1e-9 and
          abs(m["engagement_7d"]["followers"] - 1 / 301) < 1e-9, "engagement 7d: %s" % m)
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


def test_counts_between_snapshots():
    """Follows, unfollows, connects and disconnects after the newest
    snapshot move its counts; the next snapshot replaces them; an event
    older than the snapshot is in it already."""
    env = Env("net-deltas", CONFIG)
    feed(env, [snapshot(T0, 300, 200),
               event(T0 + 60, "follow", "a"), event(T0 + 60, "follow", "b"),
               event(T0 + 120, "follow", "c"), event(T0 + 180, "unfollow", "a"),
               event(T0 + 240, "connect", "d"), event(T0 + 300, "connect", "e"),
               event(T0 + 360, "disconnect", "e"), event(T0 + 400, "follow", "b"),
               event(T0 - 60, "follow", "late")])
    m = metrics(env)
    check((m["followers"], m["connections"]) == (302, 201) and
          (m["followers_since_snapshot"], m["connections_since_snapshot"]) == (2, 1),
          "between snapshots: %s" % m)
    r = subprocess.run([WARMTHCTL, "--db", env.db, "-c", env.config, "metrics"],
                       capture_output=True, text=True, timeout=60)
    check("302 (+2 since the snapshot)" in r.stdout and "(+1 since the snapshot)" in r.stdout,
          "metrics text: %s" % r.stdout)
    # A newer snapshot counts everything up to its time; later events count again.
    feed(env, [snapshot(T0 + DAY, 320, 210), event(T0 + DAY - 1, "follow", "f"),
               event(T0 + DAY + 1, "unfollow", "b")])
    m = metrics(env)
    check((m["followers"], m["connections"]) == (319, 210) and
          (m["followers_since_snapshot"], m["connections_since_snapshot"]) == (-1, 0),
          "after the next snapshot: %s" % m)
    env.close()


def test_acceptance_by_segment():
    """Invitation outcomes per segment, from invite events and from
    warmthctl mark (through the running daemon)."""
    env = Env("net-segments", CONFIG)
    exec_hints = {"actor_connections": 12000}
    feed(env, [event(T0, "follow", "x1", **exec_hints), event(T0, "follow", "x2", **exec_hints),
               event(T0, "follow", "p1"), event(T0, "follow", "p2"),
               event(T0 + DAY, "invite_sent", "x1", dir="out"),
               event(T0 + DAY, "invite_sent", "x2", dir="out"),
               event(T0 + DAY, "invite_sent", "p1", dir="out"),
               event(T0 + 2 * DAY, "invite_accepted", "x1"),
               event(T0 + 2 * DAY, "invite_declined", "x2")])
    env.start()
    # start() returns once the database is readable, maybe before the socket listens.
    env.wait(lambda: subprocess.run([WARMTHCTL, "-c", env.config, "ping"],
                                    capture_output=True).returncode == 0, "the control socket")
    for actor, state in (("p2", "invited"), ("p2", "accepted"), ("p1", "withdrawn")):
        r = subprocess.run([WARMTHCTL, "-c", env.config, "mark", actor, state],
                           capture_output=True, text=True, timeout=60)
        check(r.returncode == 0, "mark %s %s: %s" % (actor, state, r.stderr))
    env.wait(lambda: metrics(env)["invitations_sent"] == 4, "the marks committed")
    env.stop()
    m = metrics(env)
    seg = m["acceptance_by_segment"]
    check(list(seg) == ["influencer", "senior_executive", "potential_client", "peer"],
          "segments: %s" % seg)
    check(seg["senior_executive"] == {"invitations_sent": 2, "accepted": 1, "declined": 1,
                                      "withdrawn": 0, "acceptance_rate": 0.5},
          "senior_executive: %s" % seg["senior_executive"])
    check(seg["peer"] == {"invitations_sent": 2, "accepted": 1, "declined": 0, "withdrawn": 1,
                          "acceptance_rate": 0.5}, "peer: %s" % seg["peer"])
    check(seg["influencer"]["invitations_sent"] == 0 and seg["influencer"]["acceptance_rate"] is None,
          "influencer: %s" % seg["influencer"])
    check(m["acceptance_rate"] == 0.5, "overall: %s" % m)
    r = subprocess.run([WARMTHCTL, "--db", env.db, "-c", env.config, "metrics"],
                       capture_output=True, text=True, timeout=60)
    check("  senior_executive  50% of 2 invitations" in r.stdout and
          "  influencer        unknown of 0 invitations" in r.stdout,
          "metrics text: %s" % r.stdout)
    env.close()


def test_first_hour_share():
    """Per post, the share of the engagement within an hour of its first
    one that came from connections; the median and mean over posts whose
    hour is over."""
    env = Env("net-first-hour", CONFIG)
    lines = [snapshot(T0, 300, 200)]
    for c in ("c1", "c2", "c3"):
        lines.append(event(T0, "connect", c))
    base = T0 + DAY
    # p1: 2 of 4 within the hour from connections (the one after it does not count).
    lines += [event(base, "like", "f1", post="p1"), event(base + 600, "like", "c1", post="p1"),
              event(base + 1200, "comment", "c2", post="p1", text="yes"),
              event(base + 3000, "like", "f2", post="p1"),
              event(base + 4000, "like", "c3", post="p1")]
    # p2: none from connections; p3: all.
    lines += [event(base + DAY, "like", "f1", post="p2"), event(base + DAY + 60, "share", "f2", post="p2")]
    lines += [event(base + 2 * DAY, "like", "c1", post="p3")]
    # p4: its hour is not over at the newest event time: left out.
    lines += [event(base + 3 * DAY, "like", "f1", post="p4"),
              event(base + 3 * DAY + 60, "like", "f2", post="p4")]
    feed(env, lines)
    fh = metrics(env)["first_hour_connection_share"]
    check(fh == {"posts": 3, "median": 0.5, "mean": 0.5, "window_seconds": 3600},
          "first hour: %s" % fh)
    # A shorter window and fewer posts (the newest ones count).
    env.write_config(CONFIG.replace("readiness:", "network:\n  first_hour: 15m\n"
                                    "  first_hour_posts: 2\nreadiness:"))
    fh = metrics(env)["first_hour_connection_share"]
    check(fh["posts"] == 2 and fh["window_seconds"] == 900, "first hour, 15m: %s" % fh)
    env.close()


def cap_condition(env, actor):
    r = subprocess.run([WARMTHCTL, "--db", env.db, "-c", env.config, "--json", "show", actor],
                       capture_output=True, text=True, timeout=60)
    check(r.returncode == 0, "warmthctl show: exit %d: %s" % (r.returncode, r.stderr))
    return [c for c in json.loads(r.stdout)["conditions"] if c["name"] == "connection_cap"][0]


def test_cap_counts_connections_since_snapshot():
    """The readiness cap (cap 1000, headroom 100: below 900) counts the
    connections made since the newest snapshot, as the metrics do."""
    env = Env("net-cap-deltas", CONFIG)
    feed(env, [snapshot(T0, 1500, 899), event(T0 + 60, "follow", "ada")])
    c = cap_condition(env, "ada")
    check(c["ok"] is True and c["value"] == 899, "before: %s" % c)
    feed(env, [event(T0 + 120, "connect", "x1"), event(T0 + 180, "connect", "x2")])
    c = cap_condition(env, "ada")
    check(c["ok"] is False and c["value"] == 901, "after two connections: %s" % c)
    env.close()



def test_daily_series():
    """One row per day of event time (in time.zone) with the day's last
    figures: counts, invitation and follower totals; the same through the
    daemon and --db."""
    env = Env("net-series", CONFIG)
    feed(env, [snapshot(T0, 450, 300)])
    feed(env, [event(T0 + DAY, "follow", "f1", dir="in"),
               event(T0 + DAY + 60, "invite_sent", "dan", dir="out"),
               event(T0 + DAY + 120, "invite_sent", "eve", dir="out")])
    feed(env, [event(T0 + 3 * DAY, "invite_accepted", "dan"),
               event(T0 + 3 * DAY + 60, "invite_declined", "eve")])
    series = metrics(env)["series"]
    check([d["day"] for d in series] == ["2026-11-03", "2026-11-04", "2026-11-06"],
          "one row per day with a change: %s" % series)
    check(series[0] == {"day": "2026-11-03", "followers": 450, "connections": 300,
                        "invitations_sent": 0, "accepted": 0, "declined": 0,
                        "new_followers": 0, "conversions": 0}, "day 1: %s" % series[0])
    check(series[1]["followers"] == 451 and series[1]["invitations_sent"] == 2
          and series[1]["new_followers"] == 1, "day 2: %s" % series[1])
    check(series[2]["accepted"] == 1 and series[2]["declined"] == 1
          and series[2]["connections"] == 301 and series[2]["invitations_sent"] == 2,
          "day 4: %s" % series[2])
    # The daemon answers the same series.
    env.start()
    env.wait(lambda: os.path.exists(os.path.join(env.dir, "control.sock")), "the socket")
    r = subprocess.run([WARMTHCTL, "-s", os.path.join(env.dir, "control.sock"), "--json",
                        "metrics"], capture_output=True, text=True, timeout=60)
    check(r.returncode == 0 and json.loads(r.stdout)["series"] == series,
          "over the socket: %s" % r.stdout)
    env.close()


def test_series_schema_upgrade():
    """A schema 5 database (before the series) is upgraded in place at the
    start: the table is made, the data kept, and the series starts."""
    env = Env("net-series-upgrade", CONFIG)
    feed(env, [snapshot(T0, 450, 300)])
    db = sqlite3.connect(env.db)
    db.executescript("DROP TABLE network_days; PRAGMA user_version = 6;")
    db.close()
    r = subprocess.run([WARMTHCTL, "--db", env.db, "metrics"], capture_output=True, text=True,
                       timeout=60)
    check(r.returncode != 0 and "schema 6" in r.stderr, "an old schema is named: %s" % r.stderr)
    feed(env, [event(T0 + DAY, "follow", "f1", dir="in")])
    check(env.log_has("migrating schema 6 to 7"), "the migration is logged")
    db = sqlite3.connect("file:%s?mode=ro" % env.db, uri=True)
    version = db.execute("PRAGMA user_version").fetchone()[0]
    db.close()
    check(version == 7, "schema 7 after the start: %d" % version)
    m = metrics(env)
    check(m["followers"] == 451 and [d["day"] for d in m["series"]] == ["2026-11-04"],
          "the data kept, the series started: %s" % m)
    env.close()

if __name__ == "__main__":
    run([test_ratio_once_per_audit_period, test_cap_warning, test_metrics_from_events,
         test_counts_between_snapshots, test_acceptance_by_segment, test_first_hour_share,
         test_cap_counts_connections_since_snapshot, test_daily_series,
         test_series_schema_upgrade])
