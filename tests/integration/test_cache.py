"""The contact cache (state.contact_cache): with far more contacts than the
cache holds, the daemon counts exactly what it counts with all of them in
memory, answers show, top, ready and export over the socket with every
contact (those in memory and those only in the database), changes evicted
contacts by command, starts without loading them, and finds the ready ones
among them after a restart with new figures."""

import json
import os
import signal
import sqlite3
import subprocess
import time

from harness import BASE_CONFIG, GEN, SANITIZED, WARMTHCTL, Env, check, event, run

CONTACTS = 3000
EVENTS = 20000 if SANITIZED else 50000

# Event time, a budget that never binds, and every line in its own small
# batch set by size, so that both runs evaluate readiness alike.
CONFIG = BASE_CONFIG + """\
time:
  source: event
readiness:
  weekly_invites: 1000
"""


def config(cache=None, threshold=None):
    text = CONFIG
    if cache is not None:
        text = text.replace("  database: ./state.db\n",
                            "  database: ./state.db\n  contact_cache: %d\n" % cache)
    if threshold is not None:
        # Both paths, and one segment that takes them (the built-in peer has its own).
        text = text.replace("readiness:\n", "readiness:\n  threshold: %s\n  outbound:\n"
                            "    threshold: %s\n" % (threshold, threshold))
        text += "segments:\n  - name: everyone\n"

    return text


def generate(env, seed=11):
    data = os.path.join(env.dir, "all.jsonl")
    truth = os.path.join(env.dir, "truth.json")
    subprocess.run([GEN, "--seed", str(seed), "--events", str(EVENTS), "--contacts",
                    str(CONTACTS), "--accounts", "2", "--malformed", "0.005", "--ids", "0.8",
                    "--duplicates", "0.02", "-o", data, "--truth", truth], check=True)
    with open(truth) as f:
        return data, json.load(f)


def sock(env, *args):
    r = subprocess.run([WARMTHCTL, "-c", env.config, "--json"] + list(args),
                       capture_output=True, text=True, timeout=120)
    check(r.returncode == 0, "warmthctl %s: exit %d: %s" % (" ".join(args), r.returncode,
                                                            r.stderr))
    return r.stdout


def jsonl(text):
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def by_key(contacts):
    return {(c["account"], c["actor"]): c for c in contacts}


def check_truth(env, truth, contacts):
    st = env.status()
    for k in ("accepted", "rejected", "duplicate"):
        check(st["events_" + k] == truth[k], "events_%s %d, want %d" % (k, st["events_" + k],
                                                                        truth[k]))
    got = {"%s\t%s" % k: {"name": c["name"], "relationship": c["relationship"],
                          "counts": c["counts"]} for k, c in by_key(contacts).items()}
    want = truth["contacts"]
    check(len(got) == len(want) == len(contacts), "%d contacts (%d listed), want %d" %
          (len(got), len(contacts), len(want)))
    bad = [k for k in want if got.get(k) != want[k]]
    check(not bad, "%d contacts differ, e.g. %s" % (len(bad), bad[:1]))


def full_log(env):
    """The whole log (Env.log_text keeps its end only)."""
    with open(os.path.join(env.dir, "warmthd.log"), errors="replace") as f:
        return f.read()


def notified(env):
    path = os.path.join(env.dir, "notifications.jsonl")
    if not os.path.exists(path):
        return set()
    with open(path) as f:
        return {(r["account"], r["actor"]) for r in jsonl(f.read()) if r["kind"] == "ready"}


def test_counts_and_views_with_a_small_cache():
    """The same history with every contact in memory and with 200 of 3000:
    the same counts (the truth), the same export and top over the socket as
    from the database; an evicted contact shown and snoozed."""
    ref = Env("cache-ref", config())
    data, truth = generate(ref)
    os.link(data, ref.path("a.jsonl"))
    ref.once()
    ref_export = by_key(env_export_db(ref))

    env = Env("cache-small", config(cache=200))
    os.link(data, env.path("a.jsonl"))
    env.start()
    total = truth["lines"]
    env.wait_processed(total, timeout=180)
    st = json.loads(sock(env, "status"))
    check(st["contacts"] == len(truth["contacts"]), "status contacts %s" % st["contacts"])
    # 200 plus the batch in hand and the watch list; never all 3000.
    check(st["contacts_cached"] < len(truth["contacts"]) // 2,
          "contacts_cached %d of %d" % (st["contacts_cached"], st["contacts"]))
    exported = jsonl(sock(env, "export", "--json"))
    check_truth(env, truth, exported)
    db_export = env_export_db(env)
    check(by_key(exported) == by_key(db_export), "socket export differs from the database's")
    # Warmth and history are those of the all-in-memory run; only what
    # readiness did (notified, fired) may differ with batch boundaries.
    keys = ("counts", "relationship", "warmth", "warmth_parts", "segment", "name", "first_seen",
            "last_seen", "recent")
    diff = [k for k, c in by_key(exported).items()
            if any(c.get(f) != ref_export[k].get(f) for f in keys)]
    check(not diff, "%d contacts differ from the all-in-memory run, e.g. %s: %s vs %s" %
          (len(diff), diff[:1], by_key(exported)[diff[0]] if diff else "",
           ref_export[diff[0]] if diff else ""))
    for acct, seg in (("default", []), ("acct-1", []), ("default", ["--segment", "peer"])):
        top = json.loads(sock(env, "--account", acct, "top", "-n", "25", *seg))
        db_top = json.loads(db(env, "--account", acct, "top", "-n", "25", *seg))
        check([c["actor"] for c in top] == [c["actor"] for c in db_top],
              "top of %s over the socket %s, from the database %s" %
              (acct, [c["actor"] for c in top][:5], [c["actor"] for c in db_top][:5]))
        # Ready from memory alone (the watch list stays there) is the
        # database's ready.
        ready = json.loads(sock(env, "--account", acct, "ready"))
        db_ready = json.loads(db(env, "--account", acct, "ready"))
        check(ready and sorted(c["actor"] for c in ready) == sorted(c["actor"] for c in db_ready),
              "ready of %s over the socket: %d, from the database: %d" %
              (acct, len(ready), len(db_ready)))
    # An evicted contact: not in memory, yet shown and changed by command.
    cached = json.loads(sock(env, "status"))["contacts_cached"]
    actor = sorted(a for (acc, a) in ref_export if acc == "default")[7]
    shown = json.loads(sock(env, "show", actor))
    check(shown["counts"] == ref_export[("default", actor)]["counts"], "show %s" % actor)
    sock(env, "snooze", actor, "3d")
    # Read with the daemon's config: its clock is the event time (November
    # 2026), while warmthctl --db alone would judge the snooze by the wall
    # clock, and find it over once that is 3 days past the last event.
    env.wait(lambda: not [c for c in json.loads(db(env, "show", actor))["conditions"]
                          if c["name"] == "not_snoozed"][0]["ok"], "snooze committed")
    check(json.loads(sock(env, "status"))["contacts_cached"] <= cached + 1, "show grew the cache")
    env.stop()
    ref.close()
    env.close()


def db(env, *args):
    """warmthctl --db with the daemon's config: the same "now" and figures."""
    r = subprocess.run([WARMTHCTL, "--db", env.db, "-c", env.config, "--json"] + list(args),
                       capture_output=True, text=True, timeout=120)
    check(r.returncode == 0, "warmthctl --db %s: %s" % (" ".join(args), r.stderr))
    return r.stdout


def env_export_db(env):
    return jsonl(db(env, "export"))


def test_restart_cold_then_more_events():
    """Restarted with more contacts than the cache, the daemon loads none
    at start and goes on counting exactly."""
    env = Env("cache-restart", config(cache=150))
    data, truth = generate(env, seed=5)
    with open(data, "rb") as f:
        lines = f.read().splitlines(keepends=True)
    half = len(lines) // 2
    env.append_bytes("a.jsonl", b"".join(lines[:half]))
    env.start()
    env.wait_processed(half, timeout=180)
    env.stop()
    env.start()
    env.wait(lambda: "read from the database as needed" in full_log(env), "a cold start")
    env.append_bytes("a.jsonl", b"".join(lines[half:]))
    env.wait_processed(len(lines), timeout=180)
    check_truth(env, truth, jsonl(sock(env, "export", "--json")))
    env.stop()
    env.close()


def test_ready_found_among_evicted_contacts():
    """A threshold no one meets, then the default one: restarted cold, the
    rescan finds the ready contacts in the database, and the same ones
    fire as when every contact is in memory."""
    fired = []
    for name, cache in (("cache-ready-ref", None), ("cache-ready-small", 100)):
        env = Env(name, config(cache=cache, threshold=1000000))
        data, _ = generate(env, seed=3)
        os.link(data, env.path("a.jsonl"))
        env.once()
        check(not notified(env), "%s: fired with an impossible threshold" % name)
        env.write_config(config(cache=cache))
        env.once()
        if cache is not None:
            log = full_log(env)
            check("read from the database as needed" in log and "rescan:" in log,
                  "no cold start and rescan in the log:\n" + log[-2000:])
        fired.append(notified(env))
        env.close()
    check(fired[0], "nobody fired with every contact in memory")
    check(fired[0] == fired[1], "fired %d with all in memory, %d with a small cache; "
          "only in the first: %s; only in the second: %s" %
          (len(fired[0]), len(fired[1]), sorted(fired[0] - fired[1])[:3],
           sorted(fired[1] - fired[0])[:3]))


def test_reload_rescores_evicted_contacts():
    """A reload with a new half-life rebuilds every score, those only in the
    database too: the same warmth as a daemon with every contact in memory
    after the same reload."""
    warmth = []
    for name, cache in (("cache-rescore-ref", None), ("cache-rescore-small", 100)):
        env = Env(name, config(cache=cache))
        data, truth = generate(env, seed=9)
        os.link(data, env.path("a.jsonl"))
        env.start()
        env.wait_processed(truth["lines"], timeout=180)
        env.write_config(config(cache=cache).replace("readiness:\n",
                                                     "scoring:\n  half_life: 3d\nreadiness:\n"))
        env.proc.send_signal(signal.SIGHUP)
        env.wait(lambda: "scores rebuilt from their engagement history" in full_log(env),
                 "the rescore")
        # The rebuilt scores are written by the reload's batch.
        env.wait(lambda: "committed" in full_log(env).split("scores rebuilt")[-1],
                 "the rescore committed")
        if cache is not None:
            # A chunk per commit: memory stays near the cache's size.
            check("a chunk per commit" in full_log(env), "no chunked rescore in the log")
            cached = json.loads(sock(env, "status"))["contacts_cached"]
            check(cached < 1000, "%d of 3000 contacts in memory after the rescore" % cached)
        got = {k: c["warmth"] for k, c in by_key(jsonl(sock(env, "export", "--json"))).items()}
        stored = {k: c["warmth"] for k, c in by_key(env_export_db(env)).items()}
        check(got == stored, "%s: socket and database disagree after the rescore" % name)
        warmth.append(got)
        env.stop()
        env.close()
    diff = [k for k in warmth[0] if warmth[0][k] != warmth[1].get(k)]
    check(len(warmth[0]) == len(warmth[1]) and not diff,
          "%d contacts rescored differently, e.g. %s: %s vs %s" %
          (len(diff), diff[:1], warmth[0].get(diff[0]) if diff else "",
           warmth[1].get(diff[0]) if diff else ""))


def test_flood_of_distinct_actors_stays_bounded():
    """20,000 actors never seen before, one like each, with a cache of 500:
    every one is counted and stored, and memory holds a bounded number of
    them all along (the cache, the batch in hand), not the flood."""
    cache, n = 500, 20000
    env = Env("cache-flood", config(cache=cache))
    env.start()
    env.append("a.jsonl", [json.dumps({"ts": 1790000000 + i, "type": "like",
                                       "actor": "urn:li:person:flood%06d" % i,
                                       "post": "p%d" % (i % 97)}) for i in range(n)])
    most = 0
    while True:
        st = json.loads(sock(env, "status"))
        most = max(most, st["contacts_cached"])
        if env.processed(st) >= n:
            break
        time.sleep(0.01)
    env.wait_processed(n, timeout=180)
    st = json.loads(sock(env, "status"))
    check(st["contacts"] == n, "contacts %d, want %d" % (st["contacts"], n))
    check(most <= 4 * cache and st["contacts_cached"] <= 2 * cache,
          "%d contacts in memory at most, %d at the end, with a cache of %d" %
          (most, st["contacts_cached"], cache))
    check(len(env.export()) == n, "not every actor stored")
    env.stop()
    env.close()


def test_event_clock_resumes_after_restart():
    """The event-time clock is where it was after a restart, also when the
    newest events were network snapshots (no contact's last event), with
    every contact in memory and with a cold cache: warmth decayed to the
    snapshot's time stays decayed, and a block that ended by then stays
    ended."""
    t0 = 1793700000
    lines = [event(t0 + i, "comment", "urn:li:person:p%d" % i, post="urn:li:activity:1")
             for i in range(150)]
    # Its "reinvite_block" condition counts the days from here to now.
    lines.append(event(t0 + 150, "invite_withdrawn", "urn:li:person:p0"))
    lines.append(event(t0 + 25 * 86400, "like", "urn:li:person:p1", post="urn:li:activity:1"))
    lines.append(json.dumps({"ts": t0 + 30 * 86400, "type": "snapshot", "followers": 500,
                             "connections": 300}, separators=(",", ":")))
    for name, cache in (("clock-warm", None), ("clock-cold", 100)):
        env = Env(name, config(cache=cache))
        env.append("a.jsonl", lines)
        env.start()
        env.wait_processed(len(lines))
        before = json.loads(sock(env, "show", "urn:li:person:p0"))
        env.stop()
        env.start()
        if cache is not None:
            env.wait(lambda: "read from the database as needed" in full_log(env),
                     "a cold start")
        after = json.loads(sock(env, "show", "urn:li:person:p0"))
        env.stop()
        block = [c for c in before["conditions"] if c["name"] == "reinvite_block"]
        check(block and block[0]["ok"], "%s: still blocked 30 days on: %s" % (name, block))
        check(after == before, "%s: before the restart %s, after %s" % (name, before, after))
        if cache is not None:
            # A database from before the clock was kept: found from the
            # contacts, whose newest event is p1's like, 25 days on.
            db = sqlite3.connect(env.db)
            db.execute("DELETE FROM counters WHERE name = 'newest_event_ms'")
            db.commit()
            db.close()
            env.start()
            old = json.loads(sock(env, "show", "urn:li:person:p0"))
            env.stop()
            block = [c for c in old["conditions"] if c["name"] == "reinvite_block"]
            check(block and block[0]["value"] == 25.0 and block[0]["ok"],
                  "clock not from the newest contact event: %s" % block)
        env.close()


if __name__ == "__main__":
    run([test_counts_and_views_with_a_small_cache, test_restart_cold_then_more_events,
         test_ready_found_among_evicted_contacts, test_reload_rescores_evicted_contacts,
         test_flood_of_distinct_actors_stays_bounded, test_event_clock_resumes_after_restart])
