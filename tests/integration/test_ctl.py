"""Black-box tests of warmthctl --db: usage errors and exit codes, and the
read-only commands (status, show, top, ready, metrics, export) checked key by
key against a state that the real warmthd built from real event lines,
including reads while the daemon is writing.

The JSON keys checked here are the contract of INTERFACE.md: a failure here
means scripts would break."""

import json
import os
import subprocess

from harness import WARMTHCTL, WARMTHD, Env, check, event, run

T0 = 1793700000  # 2026-11-03T10:00:00Z, event time

CONTACT_KEYS = {"actor", "account", "name", "headline", "relationship", "segment", "warmth",
                "counts", "ready", "conditions", "first_seen", "last_seen", "eligible", "status",
                "verdict", "next", "changes_at",
                "actor_connections", "actor_followers", "creator", "tags", "recent"}
RECENT_KEYS = {"type", "ts", "dir", "post", "title", "text"}
STATUS_KEYS = {"events_accepted", "events_rejected", "events_duplicate", "contacts", "inputs",
               "rejected_by_reason", "accepted_by_type", "database", "database_bytes"}
METRICS_KEYS = {"followers", "connections", "ratio", "role", "target_min", "target_max", "cap",
                "acceptance_rate", "conversion_rate"}


def ctl(*args, cwd=None):
    """Runs warmthctl with exactly these arguments; returns the result."""
    return subprocess.run([WARMTHCTL] + list(args), capture_output=True, text=True,
                          timeout=120, cwd=cwd)


def expect(r, code, what, stderr_has=None):
    check(r.returncode == code, "%s: exit %d, want %d\nstdout: %s\nstderr: %s" %
          (what, r.returncode, code, r.stdout[-2000:], r.stderr[-2000:]))
    if code != 0:
        check(r.stderr.startswith("warmthctl: "), "%s: stderr should start with "
              "'warmthctl: ': %r" % (what, r.stderr))
    if stderr_has is not None:
        check(stderr_has in r.stderr, "%s: stderr %r lacks %r" % (what, r.stderr, stderr_has))


# --- exit codes without any state ---

def test_usage_errors():
    env = Env("ctl-usage")
    db = env.db  # need not exist: usage is checked first
    cases = [
        ([], "no command"),
        (["--db", db], "no command after options"),
        (["--db", db, "frobnicate"], "unknown command"),
        (["--no-such-option", "status"], "unknown option"),
        (["--db"], "--db without a value"),
        (["--db", db, "show"], "show without ACTOR"),
        (["--db", db, "show", "a", "b"], "show with two actors"),
        (["--db", db, "status", "extra"], "status with an operand"),
        (["--db", db, "top", "-n", "0"], "top -n 0"),
        (["--db", db, "top", "-n", "ten"], "top -n ten"),
        (["--db", db, "top", "-n"], "top -n without a value"),
        (["--db", db, "-n", "3", "status"], "-n with status"),
        (["-s", "/nonexistent.sock", "--db", db, "status"], "-s with --db"),
        (["--db", db, "--account", "", "top"], "empty --account"),
        (["mark", "alice", "befriended"], "mark with an unknown state"),
        (["snooze", "alice", "soon"], "snooze with a bad duration"),
        (["snooze", "alice"], "snooze without a duration"),
    ]
    for args, what in cases:
        r = ctl(*args)
        expect(r, 2, what)
        check("usage" in r.stderr, "%s: no usage on stderr: %r" % (what, r.stderr))
        check(r.stdout == "", "%s: printed on stdout: %r" % (what, r.stdout))
    r = ctl("--help")
    expect(r, 0, "--help")
    for word in ("status", "show ACTOR", "top [-n N]", "ready", "metrics", "export", "--db"):
        check(word in r.stdout, "--help lacks %r: %s" % (word, r.stdout))
    r = ctl("--version")
    expect(r, 0, "--version")
    check(r.stdout.startswith("warmthctl "), "--version: %r" % r.stdout)
    env.close()


def test_missing_database():
    env = Env("ctl-missing")
    for args in (["status"], ["--json", "status"], ["show", "alice"], ["export"]):
        r = ctl("--db", env.db, *args)
        expect(r, 1, "missing db, %s" % args, stderr_has="warmthctl: %s: cannot open: " % env.db)
        check(r.stdout == "", "missing db printed on stdout: %r" % r.stdout)
        check(not os.path.exists(env.db), "a read-only warmthctl created the database")
    env.close()


def test_unreachable_and_changing_commands():
    r = ctl("-s", "/nonexistent/control.sock", "status")
    expect(r, 3, "-s SOCKET", stderr_has="cannot reach warmthd at /nonexistent/control.sock")
    check("--db" in r.stderr, "the message should point at --db: %r" % r.stderr)
    # Without --db, -s or -c only the default config could name the database.
    if not os.path.exists("/etc/warmthd/warmthd.yaml"):
        r = ctl("status")
        expect(r, 3, "no way to find the state", stderr_has="cannot reach warmthd")
    # Changing commands, reload and ping go to the daemon: unreachable here (exit 3).
    for args in (["-s", "/nonexistent/control.sock", "reload"], ["-s", "/nonexistent/c.sock", "ping"],
                 ["-s", "/nonexistent/c.sock", "snooze", "alice", "3d"],
                 ["-s", "/nonexistent/c.sock", "unsnooze", "alice"],
                 ["-s", "/nonexistent/c.sock", "mark", "alice", "invited"]):
        r = ctl(*args)
        expect(r, 3, " ".join(args), stderr_has="cannot reach warmthd at /nonexistent/")


# --- a state built by the real daemon ---

# Every account, contact, relationship and reject the checks below rely on.
LINES = [
    event("2026-11-03T10:00:00Z", "follow", "alice", name="Alice Example",
          headline="CTO at Example", actor_connections=12000, tags=["client"]),
    event("2026-11-03T11:00:00Z", "like", "alice", post="p1", title="On warmth"),
    event("2026-11-03T12:00:00Z", "like", "alice", post="p2", title="On ratios"),
    event("2026-11-03T13:00:00.250Z", "comment", "alice", post="p1", title="On warmth",
          text="Great point", id="c1"),
    event("2026-11-03T13:00:00.250Z", "comment", "alice", post="p1", title="On warmth",
          text="Great point", id="c1"),  # the same id again: a duplicate
    event(T0 + 60, "follow", "bob", dir="out", creator=True),
    event(T0 + 61, "like", "bob", dir="out", post="bobs-post"),
    event(T0 + 70, "follow", "carol", tags=["client", "berlin"]),
    event(T0 + 71, "follow", "carol", dir="out"),
    event(T0 + 80, "invite_sent", "dave", dir="out"),
    event(T0 + 90, "connect", "erin"),
    event(T0 + 100, "invite_sent", "frank", dir="out"),
    event(T0 + 200, "invite_accepted", "frank"),
    '{"ts":%d,"type":"snapshot","followers":1500,"connections":1000}' % (T0 + 300),
    event(T0 + 400, "like", "gina", account="work", name="Gina\tTab \u00e9t\u00e9"),
    "this is not json",
    '{"ts":"yesterday","type":"like","actor":"x"}',
    '{"ts":%d,"type":"poke","actor":"x"}' % T0,
    '{"type":"like","actor":"x"}',
]
ACCEPTED = 14
REJECTED = 4
DUPLICATE = 1
DEFAULT_ACTORS = ["alice", "bob", "carol", "dave", "erin", "frank"]
CONDITION_NAMES = ["relationship", "not_connected", "no_incoming_invite", "no_pending_invite",
                   "reinvite_block", "not_declined", "not_removed", "not_unfollowed",
                   "not_snoozed", "not_dismissed", "warmth", "wait", "distinct_posts",
                   "distinct_days", "deep_engagement", "not_bursts", "active", "connection_cap",
                   "invite_budget", "not_notified"]


def built_env(name):
    env = Env(name)
    env.append("a.jsonl", LINES)
    env.once()
    return env


def json_out(env, *args):
    """warmthctl --db DB --json ARGS, exit 0 and one line of JSON."""
    r = env.ctl(*args)
    check(r.stdout.endswith("\n") and r.stdout.count("\n") == 1,
          "%s: want one line of JSON, got %r" % (args, r.stdout[:500]))
    return json.loads(r.stdout)


def check_contact_shape(c):
    check(set(c) >= CONTACT_KEYS, "contact lacks keys %s: %s" % (CONTACT_KEYS - set(c), c))
    check(isinstance(c["warmth"], (int, float)), "warmth not a number: %s" % c)
    check(isinstance(c["ready"], bool), "ready not a bool: %s" % c)
    check(isinstance(c["conditions"], list), "conditions not a list: %s" % c)
    check(isinstance(c["counts"], dict) and all(isinstance(v, int) and v > 0
                                                for v in c["counts"].values()),
          "counts: %s" % c["counts"])
    check(c["relationship"] in ("none", "follower", "target", "mutual", "pending", "connected",
                                 "invited_me"),
          "relationship: %s" % c)
    check(isinstance(c["tags"], list), "tags: %s" % c)
    for e in c["recent"]:
        check(set(e) >= RECENT_KEYS, "recent entry lacks keys: %s" % e)
        check(e["dir"] in ("in", "out"), "recent dir: %s" % e)


def test_status():
    env = built_env("ctl-status")
    st = json_out(env, "status")
    check(set(st) >= STATUS_KEYS, "status lacks %s: %s" % (STATUS_KEYS - set(st), st))
    check(st["events_accepted"] == ACCEPTED, "accepted: %s" % st)
    check(st["events_rejected"] == REJECTED, "rejected: %s" % st)
    check(st["events_duplicate"] == DUPLICATE, "duplicate: %s" % st)
    check(st["contacts"] == len(DEFAULT_ACTORS) + 1, "contacts: %s" % st)
    size = os.path.getsize(env.path("a.jsonl"))
    check(len(st["inputs"]) == 1, "inputs: %s" % st["inputs"])
    inp = st["inputs"][0]
    check(inp["path"].endswith("/in/a.jsonl"), "input path: %s" % inp)
    check(inp["offset"] == size and inp["size"] == size, "input offset/size, want %d: %s" %
          (size, inp))
    check("missing" not in inp, "present input marked missing: %s" % inp)
    check(st["rejected_by_reason"] == {"not_json": 1, "invalid_ts": 1, "unknown_type": 1,
                                       "missing_ts": 1}, "rejected_by_reason: %s" % st)
    check(st["accepted_by_type"] == {"follow": 4, "like": 4, "comment": 1, "invite_sent": 2,
                                     "connect": 1, "invite_accepted": 1, "snapshot": 1},
          "accepted_by_type: %s" % st["accepted_by_type"])
    check(st["database"] == env.db, "database: %s" % st)
    check(st["database_bytes"] > 0, "database_bytes: %s" % st)

    # A file that went away since: size 0 and "missing".
    os.rename(env.path("a.jsonl"), os.path.join(env.dir, "moved.jsonl"))
    inp = json_out(env, "status")["inputs"][0]
    check(inp["size"] == 0 and inp.get("missing") is True, "missing input: %s" % inp)

    text = env_text(env, "status")
    for words in ("events accepted", "events rejected", "events duplicate", "contacts",
                  "not_json 1", "missing"):
        check(words in text, "status text lacks %r:\n%s" % (words, text))
    env.close()


def env_text(env, *args):
    r = ctl("--db", env.db, *args)
    expect(r, 0, "text %s" % (args,))
    return r.stdout


def test_show():
    env = built_env("ctl-show")
    alice = json_out(env, "show", "alice")
    check_contact_shape(alice)
    check(alice["actor"] == "alice" and alice["account"] == "default", "alice: %s" % alice)
    check(alice["name"] == "Alice Example" and alice["headline"] == "CTO at Example",
          "alice hints: %s" % alice)
    check(alice["counts"] == {"follow": 1, "like": 2, "comment": 1}, "alice counts: %s" %
          alice["counts"])
    check(alice["relationship"] == "follower", "alice relationship: %s" % alice)
    check(alice["segment"] == "senior_executive", "alice segment: %s" % alice)
    # Real warmth (built-in defaults, the clock as "now": without -c there is
    # no config, so time.source is wall): two likes and a comment count.
    check(alice["warmth"] > 0 and alice["ready"] is False, "alice warmth/ready: %s" % alice)
    names = [c["name"] for c in alice["conditions"]]
    check(names == CONDITION_NAMES, "alice conditions: %s" % names)
    for cond in alice["conditions"]:
        check(set(cond) == {"name", "ok", "value", "need", "words"} and isinstance(cond["ok"], bool),
              "condition shape: %s" % cond)
    cond = {c["name"]: c for c in alice["conditions"]}
    check(cond["relationship"]["ok"] and cond["not_connected"]["ok"] and
          cond["deep_engagement"]["ok"] and cond["distinct_posts"]["value"] == 2,
          "alice conditions: %s" % cond)
    check(json_out(env, "show", "dave")["warmth"] == 0, "dave has no engagement")
    check(alice["first_seen"] == "2026-11-03T10:00:00.000Z", "first_seen: %s" % alice)
    check(alice["last_seen"] == "2026-11-03T13:00:00.250Z", "last_seen: %s" % alice)
    check(alice["actor_connections"] == 12000 and alice["actor_followers"] is None and
          alice["creator"] is None, "alice profile numbers: %s" % alice)
    check(alice["tags"] == ["client"], "alice tags: %s" % alice)
    recent = alice["recent"]
    check([e["type"] for e in recent] == ["comment", "like", "like"], "recent: %s" % recent)
    check(recent[0] == {"type": "comment", "ts": "2026-11-03T13:00:00.250Z", "dir": "in",
                        "post": "p1", "title": "On warmth", "text": "Great point"},
          "newest engagement: %s" % recent[0])

    want = {"bob": ("target", "influencer"), "carol": ("mutual", "potential_client"),
            "dave": ("pending", "peer"), "erin": ("connected", "peer"),
            "frank": ("connected", "peer")}
    for actor, (rel, seg) in want.items():
        c = json_out(env, "show", actor)
        check_contact_shape(c)
        check((c["relationship"], c["segment"]) == (rel, seg), "%s: want %s/%s: %s" %
              (actor, rel, seg, c))
    bob = json_out(env, "show", "bob")
    check(bob["creator"] is True and bob["recent"][0]["dir"] == "out", "bob: %s" % bob)
    check(json_out(env, "show", "frank")["counts"] == {"invite_sent": 1, "invite_accepted": 1},
          "frank counts")

    # Accounts: gina is only in "work".
    r = ctl("--db", env.db, "--json", "show", "gina")
    expect(r, 1, "gina in default", stderr_has='no contact "gina" in account "default"')
    gina = json_out(env, "--account", "work", "show", "gina")
    check(gina["account"] == "work" and gina["name"] == "Gina\tTab \u00e9t\u00e9",
          "gina: %s" % gina)
    r = ctl("--db", env.db, "--account", "nosuch", "show", "alice")
    expect(r, 1, "unknown account", stderr_has='no account "nosuch"')
    r = ctl("--db", env.db, "show", "nobody")
    expect(r, 1, "unknown actor", stderr_has='warmthctl: no contact "nobody" in account "default"')

    # Options after the command, and the text form.
    check(json.loads(ctl("--db", env.db, "show", "alice", "--json").stdout) == alice,
          "--json after the command")
    text = env_text(env, "show", "alice")
    for words in ("alice", "Alice Example", "follower", "senior_executive", "like 2",
                  "comment 1", "Great point", "why", "engaged with 2 of your posts", "next"):
        check(words in text, "show text lacks %r:\n%s" % (words, text))
    env.close()


def test_export():
    env = built_env("ctl-export")
    lines = env.export()
    check(len(lines) == len(DEFAULT_ACTORS) + 1, "export: %d lines" % len(lines))
    for c in lines:
        check_contact_shape(c)
    keys = [(c["account"], c["actor"]) for c in lines]
    # Ordered by account (in the order the daemon met them), then actor.
    check(keys == [("default", a) for a in DEFAULT_ACTORS] + [("work", "gina")],
          "export order: %s" % keys)
    check(lines[0] == json_out(env, "show", "alice"), "export and show disagree on alice")
    only_work = [json.loads(l) for l in env.ctl("--account", "work", "export").stdout.splitlines()]
    check([c["actor"] for c in only_work] == ["gina"], "export --account work: %s" % only_work)

    text = env_text(env, "export").splitlines()
    rows = [line.split("\t") for line in text]
    check(rows[0] == ["actor", "name", "relationship", "segment", "warmth", "events", "account",
                      "ready"], "export header: %s" % rows[0])
    check(all(len(r) == len(rows[0]) for r in rows), "ragged export table: %s" % rows)
    check(len(rows) == len(lines) + 1, "export text rows: %d" % len(rows))
    alice = rows[1]
    check(alice[0] == "alice" and alice[1] == "Alice Example" and alice[2] == "follower" and
          alice[3] == "senior_executive" and float(alice[4]) > 0 and alice[5] == "4" and
          alice[7] == "no",
          "export alice row: %s" % alice)
    gina = rows[-1]
    check(gina[0] == "gina" and "\u00e9t\u00e9" in gina[1], "export gina row: %s" % gina)
    env.close()


def test_top_ready_metrics():
    env = built_env("ctl-top")
    top = json_out(env, "top")
    check(isinstance(top, list) and len(top) == len(DEFAULT_ACTORS),
          "top (default N 10, 6 contacts): %s" % [c["actor"] for c in top])
    for c in top:
        check_contact_shape(c)
        check(c["account"] == "default", "top crossed accounts: %s" % c)
    warmth = [c["warmth"] for c in top]
    check(warmth == sorted(warmth, reverse=True), "top not by warmth: %s" % warmth)
    check(top[0]["actor"] == "alice" and top[0]["warmth"] > top[1]["warmth"],
          "alice is warmest: %s" % [(c["actor"], c["warmth"]) for c in top])
    top2 = json_out(env, "top", "-n", "2")
    check([c["actor"] for c in top2] == [c["actor"] for c in top[:2]], "top -n 2: %s" % top2)
    check([c["actor"] for c in json_out(env, "--account", "work", "top")] == ["gina"],
          "top --account work")
    text = env_text(env, "top", "-n", "3")
    check("alice" in text and len(text.splitlines()) == 4, "top text:\n%s" % text)

    ready = json_out(env, "ready")
    check(isinstance(ready, list), "ready: %s" % ready)
    for c in ready:
        check_contact_shape(c)
        check(c["ready"] is True, "ready lists an unready contact: %s" % c)

    m = json_out(env, "metrics")
    check(set(m) >= METRICS_KEYS, "metrics lacks %s: %s" % (METRICS_KEYS - set(m), m))
    check(m["followers"] == 1500 and m["connections"] == 1000, "metrics counts: %s" % m)
    check(abs(m["ratio"] - 1.5) < 1e-9, "ratio: %s" % m)
    check(isinstance(m["role"], str) and m["target_min"] <= m["target_max"] and
          m["cap"] == 30000, "metrics targets: %s" % m)
    w = json_out(env, "--account", "work", "metrics")
    check(w["followers"] is None and w["connections"] is None and w["ratio"] is None,
          "metrics without a snapshot: %s" % w)
    check("1500" in env_text(env, "metrics"), "metrics text")
    env.close()


def test_config_names_the_database():
    """-c CONFIG names the daemon's socket (the read commands ask it by
    default) and the database (notifications, which only the database
    answers); the config's relative paths are relative to it."""
    env = built_env("ctl-config")
    direct = json_out(env, "status")
    r = ctl("-c", env.config, "--json", "status", cwd="/")
    expect(r, 3, "-c CONFIG status with the daemon stopped",
           stderr_has="cannot reach warmthd at %s" % os.path.join(env.dir, "control.sock"))
    r = ctl("-c", env.config, "--json", "notifications", cwd="/")
    expect(r, 0, "-c CONFIG notifications (the database the config names)")
    env.start()
    env.wait(lambda: os.path.exists(os.path.join(env.dir, "control.sock")), "the control socket")
    r = ctl("-c", env.config, "--json", "status", cwd="/")
    expect(r, 0, "-c CONFIG status")
    via = json.loads(r.stdout)
    for k in ("events_accepted", "events_rejected", "events_duplicate", "contacts"):
        check(via[k] == direct[k], "-c CONFIG: %s differs: %s vs %s" % (k, via[k], direct[k]))
    env.stop()
    r = ctl("-c", os.path.join(env.dir, "nonexistent.yaml"), "status")
    expect(r, 1, "-c with a missing config")
    env.close()


def test_reads_while_the_daemon_writes():
    """Status and export stay consistent and never fail while batches commit."""
    env = Env("ctl-live")
    env.start()
    total = 0
    for round_ in range(20):
        env.append("live.jsonl", [event(T0 + round_ * 1000 + i, "like", "p%04d" % i, post="x")
                                  for i in range(500)])
        total += 500
        st = env.status()  # fails the test on any non-zero exit
        check(st["events_accepted"] <= total, "counted more than written: %s" % st)
        exported = env.export()
        check(len(exported) <= 500, "export during writes: %d contacts" % len(exported))
    st = env.wait_processed(total)
    check(st["events_accepted"] == total and st["contacts"] == 500, "final: %s" % st)
    exported = env.export()
    check(len(exported) == 500 and all(c["counts"] == {"like": 20} for c in exported),
          "final export: %s" % exported[:2])
    rc = env.stop()
    check(rc == 0, "warmthd exit %s" % rc)
    env.close()


if __name__ == "__main__":
    tests = [test_usage_errors, test_missing_database, test_unreachable_and_changing_commands]
    if os.path.exists(WARMTHD):
        tests += [test_status, test_show, test_export, test_top_ready_metrics,
                  test_config_names_the_database, test_reads_while_the_daemon_writes]
    else:
        print("skip: no %s, only the tests that need no daemon run" % WARMTHD)
    run(tests)
