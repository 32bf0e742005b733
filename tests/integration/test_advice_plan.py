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
T0 = 1767225600  # 2026-01-01T00:00:00Z: event time, in the past (time.future_tolerance)

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
    # Without a config (a copy of the database read elsewhere), the database
    # says the daemon kept event time: the same "now", not the wall clock's.
    if not os.path.exists("/etc/warmthd/warmthd.yaml"):
        r = subprocess.run([WARMTHCTL, "--db", env.db, "--json", "show", "ada"],
                           capture_output=True, text=True, timeout=60)
        bare = json.loads(r.stdout)
        check([c for c in bare["conditions"] if c["name"] == "active"][0]["value"] == 18,
              "--db without -c on an event-time database: %r" % bare["conditions"])
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


PLAN_CONFIG = EVENT_CONFIG + """\
readiness:
  threshold: 1
  active_within: 30d
  weekly_invites: 200
"""


def notifications(env, kind="ready"):
    path = os.path.join(env.dir, "notifications.jsonl")
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [r for r in (json.loads(line) for line in f if line.strip()) if r["kind"] == kind]


def plan(env):
    return json.loads(db_ctl(env, "--json", "plan").stdout)


def day(ts):
    return time.strftime("%Y-%m-%d", time.gmtime(ts))


def test_plan_spends_the_budget_and_notifications_follow_it():
    env = Env("plan-budget", PLAN_CONFIG)
    lines = []
    for i in range(374):
        lines += warm_follower("p%03d" % i, T0 + i, name="Person%03d Example" % i)
    # Ten of them engaged once more: the warmest, invited first.
    for i in range(10):
        lines.append(event(T0 + 2 * DAY + 3600 + i, "share", "p%03d" % (300 + i), post="post-hiring",
                           title="Hiring engineers"))
    # Invitations pending 35 and 10 days at the end of day 2.
    lines.append(event(T0 + 2 * DAY - 35 * DAY, "invite_sent", "zed", dir="out", name="Zed Old"))
    lines.append(event(T0 + 2 * DAY - 10 * DAY, "invite_sent", "yan", dir="out", name="Yan New"))
    # Two senior executives (10k+ connections: 2-3 weeks after the follow;
    # a peer would be ready at once). A follower with one comment: engage
    # with them first.
    lines.append(event(T0 + DAY, "follow", "kim", name="Kim Close", actor_connections=12000))
    lines.append(event(T0 + DAY + 60, "comment", "kim", post="post-remote", title="Remote team dynamics",
                       text="Async stand-ups saved our team two hours a week"))
    # A target whose post I commented on: engage with them on that post.
    lines.append(event(T0 + DAY, "follow", "tom", dir="out", name="Tom Target", actor_connections=12000))
    lines.append(event(T0 + DAY + 120, "comment", "tom", dir="out", post="tom-post-1",
                       title="Why remote teams need written culture",
                       text="Writing things down first is what made our remote team work"))
    lines.sort(key=lambda l: json.loads(l)["ts"])
    env.append("a.jsonl", lines)
    env.once()
    now = T0 + 2 * DAY + 3600 + 9  # the newest event
    fired = notifications(env)
    check(len(fired) == 200, "374 ready against a budget of 200: %d notifications" % len(fired))
    p = plan(env)
    check(p["budget"] == {"limit": 200, "used": 200, "remaining": 0, "window_days": 7},
          "budget: %r" % p["budget"])
    check(len(p["invite"]) == 200 and p["held_total"] == 174 and len(p["held"]) == 100,
          "200 to invite, 174 held (100 listed): %d, %d, %d" %
          (len(p["invite"]), p["held_total"], len(p["held"])))
    check({e["actor"] for e in p["invite"]} == {r["actor"] for r in fired},
          "this week's invitations are the notified ones")
    check({e["actor"] for e in p["invite"][:10]} == {"p%03d" % i for i in range(300, 310)},
          "the warmest first: %r" % [e["actor"] for e in p["invite"][:10]])
    first = p["invite"][0]
    check(first["notified"] and first["note_limit"] == 300 and
          first["note_chars"] == len(first["note"]) and
          first["note"] == "Hi Person309, thank you for your thoughts on my post \"Remote team dynamics\": "
                           "\"Your point about async collaboration changed how our team plans its week\". "
                           "I'd be glad to connect so we can learn from each other.",
          "the first invitation and its note: %r" % first)
    shown = json.loads(db_ctl(env, "--json", "show", first["actor"]).stdout)
    check(shown["note"] == first["note"], "show's note is the plan's: %r" % shown["note"])
    check("note          " + first["note"] in db_ctl(env, "show", first["actor"]).stdout,
          "show's text has the note")
    held = json.loads(db_ctl(env, "--json", "show", p["held"][0]["actor"]).stdout)
    check(held["eligible"] and held["note"], "a contact held by the budget has its note: %r" % held)
    check(json.loads(db_ctl(env, "--json", "show", "kim").stdout)["note"] is None,
          "no note for a contact not to be invited yet")
    check(all(day(now + 7 * DAY) == h["frees"][:10] for h in p["held"]),
          "the budget frees a week after this week's invitations: %r" % p["held"][:2])
    check([e["actor"] for e in p["withdraw"]] == ["zed"] and p["withdraw"][0]["pending_days"] == 35,
          "withdraw: the invitation pending 5 weeks, not the one of 10 days: %r" % p["withdraw"])
    check(p["pending"] == 1, "pending: the invitation of 10 days, the one of 5 weeks aged out")
    engage = {e["actor"]: e for e in p["engage"]}
    check(set(engage) == {"kim", "tom"}, "engage with: %r" % list(engage))
    check([x["post"] for x in engage["tom"]["posts"]] == ["tom-post-1"] and engage["kim"]["posts"] == [],
          "on which of their posts: %r" % engage)

    # A week later, nothing was sent: the 200 still wait to be invited, and
    # no notification comes on top of them.
    env.append("a.jsonl", [event(T0 + 10 * DAY, "snapshot", "-", followers=900, connections=450)])
    env.once()
    check(len(notifications(env)) == 200, "no more ready notifications than the budget allows: %d" %
          len(notifications(env)))
    p = plan(env)
    check(len(p["invite"]) == 200 and all(e["notified"] for e in p["invite"]) and
          p["held_total"] == 174, "the same 200 to invite, 174 held")

    # The 200 are sent on day 10; a week later the budget has room for the rest.
    env.append("a.jsonl", [event(T0 + 10 * DAY + i, "invite_sent", r["actor"], dir="out")
                           for i, r in enumerate(notifications(env))])
    env.once()
    check(len(notifications(env)) == 200, "the invitations use the budget the notifications held")
    p = plan(env)
    check(p["invite"] == [] and p["budget"]["used"] == 200 and p["held_total"] == 174,
          "all sent, the rest held: %r" % p["budget"])
    env.append("a.jsonl", [event(T0 + 17 * DAY + 300, "snapshot", "-", followers=900, connections=650)])
    env.once()
    check(len(notifications(env)) == 374, "the held 174 are notified once the budget frees: %d" %
          len(notifications(env)))

    # The daemon answers the same plan over its socket, with most contacts
    # left in the database (a cold cache: 100 of 379 in memory).
    env.write_config(PLAN_CONFIG.replace("  database: ./state.db\n",
                                         "  database: ./state.db\n  contact_cache: 100\n"))
    env.start()
    a = sock_ctl(env, "--json", "plan").stdout
    b = db_ctl(env, "--json", "plan").stdout
    check(a == b, "plan over the socket and with --db:\n%s\n%s" % (a[:400], b[:400]))
    check(sock_ctl(env, "plan").stdout == db_ctl(env, "plan").stdout, "plan as text")
    env.close()


def test_dismissing_a_notified_contact_gives_its_budget_back():
    env = Env("plan-dismiss", EVENT_CONFIG + """\
readiness:
  threshold: 1
  weekly_invites: 2
""")
    env.start()
    lines = []
    for i, who in enumerate(["amy", "ben", "cat"]):
        lines += warm_follower(who, T0 + i)
    lines.append(event(T0 + 2 * DAY + 3600, "share", "amy", post="post-hiring"))
    lines.sort(key=lambda l: json.loads(l)["ts"])
    env.append("a.jsonl", lines)
    env.wait_processed(len(lines))
    env.wait(lambda: len(notifications(env)) == 2, "two ready notifications")
    first = [r["actor"] for r in notifications(env)]
    check("amy" in first, "the warmest first: %r" % first)
    held = [a for a in ("amy", "ben", "cat") if a not in first][0]
    check([e["actor"] for e in plan(env)["held"]] == [held], "one held: %r" % plan(env)["held"])
    sock_ctl(env, "mark", "amy", "dismissed")
    env.wait(lambda: len(notifications(env)) == 3, "the held contact notified once amy is dismissed")
    check(notifications(env)[2]["actor"] == held, "then %s" % held)
    env.close()


def test_ratio_advice_names_an_action():
    env = Env("plan-ratio", EVENT_CONFIG)
    # 48 new connections over the last four weeks (12 a week), then a snapshot.
    lines = [event(T0 + (1 + i % 27) * DAY + i, "connect", "c%02d" % i) for i in range(48)]
    lines.sort(key=lambda l: json.loads(l)["ts"])
    lines.append(event(T0 + 28 * DAY, "snapshot", "-", followers=2820, connections=1000))
    env.append("a.jsonl", lines)
    env.once()
    want = ("about 410 more connections would bring you to 2.0 (consultant); at your current "
            "growth of 12 connections a week, about 8 months")
    m = json.loads(db_ctl(env, "--json", "metrics").stdout)
    check(m["advice"] == want and m["growth_per_week"] == {"followers": 0, "connections": 12},
          "metrics: %r %r" % (m.get("advice"), m.get("growth_per_week")))
    check("advice              " + want in db_ctl(env, "metrics").stdout, "metrics as text")
    ratio = notifications(env, "ratio")
    check(len(ratio) == 1 and ratio[0]["message"] ==
          "2820 followers for 1000 connections: a ratio of 2.82, above the target 1.5 to 2.0 "
          "for consultant; " + want, "the ratio notice: %r" % ratio)
    env.close()


def test_plan_dates_are_in_the_users_time_zone():
    """The plan's dates are days in time.zone: a budget that frees at
    midnight UTC frees the evening before in New York."""
    env = Env("plan-zone", EVENT_CONFIG + "  zone: \"-05:00\"\n" + """\
readiness:
  threshold: 1
  weekly_invites: 1
""")
    lines = []
    for i in range(3):
        lines += warm_follower("z%d" % i, T0 + i, name="Zed%d Example" % i)
    lines.append(event(T0 - 30 * DAY, "invite_sent", "old", dir="out", name="Old Pending"))
    lines.sort(key=lambda l: json.loads(l)["ts"])
    env.append("a.jsonl", lines)
    env.once()
    p = plan(env)
    held = p["held"]
    check([(h["frees"][:10], h["frees_day"]) for h in held] ==
          [("2026-01-10", "2026-01-09"), ("2026-01-17", "2026-01-16")],
          "frees at 00:00 UTC on 10 and 17 Jan, the 9th and 16th at -05:00: %r" % held)
    w = p["withdraw"]
    check(len(w) == 1 and w[0]["pending_since"][:10] == "2025-12-02" and
          w[0]["pending_since_day"] == "2025-12-01", "pending since, in the zone: %r" % w)
    text = db_ctl(env, "plan").stdout
    check("budget frees 2026-01-09" in text and "pending since 2025-12-01" in text and
          "2026-01-10" not in text and "2026-01-17" not in text, "the text shows the zone's dates:\n%s" % text)
    env.close()


if __name__ == "__main__":
    run([test_plan_spends_the_budget_and_notifications_follow_it, test_plan_dates_are_in_the_users_time_zone,
         test_dismissing_a_notified_contact_gives_its_budget_back,
         test_ratio_advice_names_an_action,
         test_db_clock_is_the_daemons_in_event_mode,
         test_db_clock_is_the_daemons_in_wall_mode])
