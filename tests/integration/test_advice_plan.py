"""The advice a user acts on each week: the plan (warmthctl plan, over the
socket and with --db), notifications that follow the invitation budget,
the clock warmthctl --db shares with the daemon, and the ratio advice.
Event-time clock throughout: weeks pass in the lines' timestamps, never in
sleeps."""

import json
import os
import subprocess
import time

from harness import BASE_CONFIG, WARMTHCTL, Env, check, event, run

DAY = 86400
T0 = 1798761600  # 2027-01-01T00:00:00Z

EVENT_CONFIG = BASE_CONFIG + """\
time:
  source: event
"""


def sock_ctl(env, *args, expect=0):
    """warmthctl through the running daemon's socket."""
    r = subprocess.run([WARMTHCTL, "-c", env.config, "-s", os.path.join(env.dir, "control.sock")]
                       + list(args), capture_output=True, text=True, timeout=120)
    check(r.returncode == expect, "warmthctl -s %s: exit %d (want %d): %s" %
          (" ".join(args), r.returncode, expect, r.stderr))
    return r


def db_ctl(env, *args, expect=0):
    """warmthctl --db with the daemon's config (its figures and its time source)."""
    r = subprocess.run([WARMTHCTL, "-c", env.config, "--db", env.db] + list(args),
                       capture_output=True, text=True, timeout=120)
    check(r.returncode == expect, "warmthctl --db %s: exit %d (want %d): %s" %
          (" ".join(args), r.returncode, expect, r.stderr))
    return r


def warm_follower(actor, t, name=None):
    """A follower who comments on two of my posts on two days from t."""
    return [event(t, "follow", actor, name=name or actor.title()),
            event(t + DAY, "comment", actor, post="post-remote", title="Remote team dynamics",
                  text="Your point about async collaboration changed how our team plans its week"),
            event(t + 2 * DAY, "comment", actor, post="post-hiring", title="Hiring engineers",
                  text="We saw the same thing when we hired our first three engineers")]


def agree(env, actor):
    """show over the socket and with --db: the same verdict and conditions."""
    a = json.loads(sock_ctl(env, "--json", "show", actor).stdout)
    b = json.loads(db_ctl(env, "--json", "show", actor).stdout)
    for key in ("ready", "conditions", "warmth", "segment"):
        check(a.get(key) == b.get(key), "%s of %s: socket %r, --db %r" %
              (key, actor, a.get(key), b.get(key)))
    ta = sock_ctl(env, "show", actor).stdout
    tb = db_ctl(env, "show", actor).stdout
    check(ta == tb, "show %s as text: socket\n%s\n--db\n%s" % (actor, ta, tb))
    return a


def test_db_clock_is_the_daemons_in_event_mode():
    env = Env("plan-clock", EVENT_CONFIG)
    env.start()
    lines = warm_follower("ada", T0)
    # A snapshot 20 days later is the newest event: the daemon's "now".
    lines.append(event(T0 + 20 * DAY, "snapshot", "-", followers=900, connections=450))
    env.append("a.jsonl", lines)
    env.wait_processed(len(lines))
    got = agree(env, "ada")
    active = [c for c in got["conditions"] if c["name"] == "active"][0]
    check(active["value"] == 18, "last engagement 18 days before the snapshot: %r" % active)
    env.close()


def test_db_clock_is_the_daemons_in_wall_mode():
    env = Env("plan-clock-wall", BASE_CONFIG)
    env.start()
    now = int(time.time())
    lines = warm_follower("bea", now - 3 * DAY)
    env.append("a.jsonl", lines)
    env.wait_processed(len(lines))
    got = agree(env, "bea")
    check(got["ready"], "a follower who commented on two posts on two days is ready: %r" % got)
    env.close()


if __name__ == "__main__":
    run([test_db_clock_is_the_daemons_in_event_mode,
         test_db_clock_is_the_daemons_in_wall_mode])
