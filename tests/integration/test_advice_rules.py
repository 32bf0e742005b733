"""Scenarios of the advice: who is eligible and when, told in plain words.

Each case feeds a real daemon (warmthd --once, time.source: event, so weeks
pass with the events and no test sleeps), then asks warmthctl show --json
and checks the verdict a person reads and the date it changes
(changes_at), and whether a ready notification went out. The cases follow
the strategy of the product (the two paths, the segments' waits, the
etiquette after an answer, bursts) and the numbered points of the issue
that asked for advice a user can trust."""

import datetime
import json
import signal
import sqlite3
import subprocess

from harness import BASE_CONFIG, WARMTHCTL, Env, check, event, run

T0 = 1793700000  # 2026-11-03T10:00:00Z, a Tuesday, event time
DAY = 86400
HOUR = 3600
# The scenarios run weeks past T0, which may be ahead of the machine's
# clock: the tolerance lets event time run ahead of it (time.future_tolerance).
CONFIG = BASE_CONFIG + "time:\n  source: event\n  zone: UTC\n  future_tolerance: 3650d\n"


def iso(seconds):
    t = datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def words(seconds, now=T0):
    """A date as the verdict writes it: "24 Nov", with the year when not now's."""
    t = datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc)
    n = datetime.datetime.fromtimestamp(now, datetime.timezone.utc)
    return "%d %s" % (t.day, t.strftime("%b")) + ("" if t.year == n.year else " %d" % t.year)


def show(env, actor):
    r = subprocess.run([WARMTHCTL, "--db", env.db, "-c", env.config, "--json", "show", actor],
                       capture_output=True, text=True, timeout=60)
    check(r.returncode == 0, "show %s: %s" % (actor, r.stderr))
    return json.loads(r.stdout)


def show_text(env, actor):
    r = subprocess.run([WARMTHCTL, "--db", env.db, "-c", env.config, "show", actor],
                       capture_output=True, text=True, timeout=60)
    check(r.returncode == 0, "show %s: %s" % (actor, r.stderr))
    return r.stdout


def fired(env, actor):
    """The times (Unix seconds) of the ready notifications of actor."""
    db = sqlite3.connect("file:%s?mode=ro" % env.db, uri=True)
    try:
        rows = db.execute("SELECT created_ms FROM outbox WHERE kind = 'ready' AND actor = ? "
                          "ORDER BY seq", (actor,)).fetchall()
    finally:
        db.close()
    return [r[0] // 1000 for r in rows]


def notes(env, actor):
    """The suggested notes of the ready notifications of actor, oldest first."""
    db = sqlite3.connect("file:%s?mode=ro" % env.db, uri=True)
    try:
        rows = db.execute("SELECT note FROM outbox WHERE kind = 'ready' AND actor = ? "
                          "ORDER BY seq", (actor,)).fetchall()
    finally:
        db.close()
    return [r[0] for r in rows]


def feed(env, lines, tick=None):
    """Appends lines (and a clock event of another contact at tick) and processes them."""
    if tick is not None:
        lines = lines + [event(tick, "profile_view", "clock")]
    env.append("a.jsonl", lines)
    env.once()


def expect(env, actor, verdict, changes_at, status=None):
    c = show(env, actor)
    check(c["verdict"] == verdict, "%s: verdict %r, want %r" % (actor, c["verdict"], verdict))
    want = iso(changes_at) if changes_at is not None else None
    check(c["changes_at"] == want, "%s: changes_at %s, want %s" % (actor, c["changes_at"], want))
    if status is not None:
        check(c["status"] == status, "%s: status %s, want %s" % (actor, c["status"], status))
    # Never "ready" next to a failing condition (the budget and the notification's
    # hysteresis aside, which only decide when the daemon tells).
    failing = [x["name"] for x in c["conditions"] if not x["ok"]
               and x["name"] not in ("invite_budget", "not_notified")]
    check(c["eligible"] == (failing == []), "%s: eligible %s with %s failing" %
          (actor, c["eligible"], failing))
    check(not c["ready"] or c["eligible"], "%s: ready but not eligible" % actor)
    return c


TITLES = ("Remote team dynamics", "Hiring your first engineers", "Pricing a consulting offer",
          "What a year of async taught us", "Notes from a product launch")
TEXTS = ("Async stand-ups saved our team two hours a week",
         "We hired our first three engineers through referrals, and it worked",
         "Value pricing changed how our clients saw the whole engagement",
         "Writing things down first is what made our remote team work",
         "The launch checklist idea is one I will borrow for our next release")


def comments(actor, days, dir_="in", prefix="p", **kw):
    """A comment on a distinct post on each of days (since T0)."""
    return [event(T0 + int(d * DAY), "comment", actor, dir=dir_, post="%s%d" % (prefix, i),
                  title=TITLES[i % len(TITLES)], text=TEXTS[i % len(TEXTS)], **kw)
            for i, d in enumerate(days)]


def test_declined_and_removed():
    """Item 1: someone who declined or removed the connection has answered;
    a pause of months, with the date it ends, and no notification."""
    env = Env("advice-etiquette", CONFIG)
    lines = [event(T0, "follow", "dee")] + comments("dee", [1, 2])
    lines += [event(T0 + 3 * DAY, "invite_sent", "dee", dir="out"),
              event(T0 + 6 * DAY, "invite_declined", "dee")]
    lines += comments("dee", [7, 8], prefix="q")
    # A connection removed yesterday; they follow and comment again.
    lines += [event(T0, "connect", "rex"), event(T0 + 8 * DAY, "disconnect", "rex"),
              event(T0 + 8 * DAY + HOUR, "follow", "rex")] + comments("rex", [8.1, 8.2])
    # They unfollowed me; I follow them and engage with their posts.
    lines += [event(T0, "follow", "una"), event(T0 + 4 * DAY, "unfollow", "una"),
              event(T0 + 4 * DAY, "follow", "una", dir="out")]
    lines += comments("una", [5, 6, 7], dir_="out", prefix="u")
    # My own withdrawal: the platform blocks a new invitation for about 3 weeks.
    lines += [event(T0, "follow", "wil")] + comments("wil", [1, 2], prefix="w")
    lines += [event(T0 + 2 * DAY, "invite_sent", "wil", dir="out"),
              event(T0 + 7 * DAY, "invite_withdrawn", "wil", dir="out")]
    feed(env, lines, tick=T0 + 9 * DAY)
    now = T0 + 9 * DAY
    expect(env, "dee", "Not now: declined your invitation 3 days ago; try again after %s" %
           words(T0 + 6 * DAY + 180 * DAY, now), T0 + 186 * DAY, "cooling_off")
    expect(env, "rex", "Not now: the connection was removed yesterday; try again after %s" %
           words(T0 + 188 * DAY, now), T0 + 188 * DAY, "cooling_off")
    expect(env, "una", "Not now: unfollowed you 5 days ago; try again after %s" %
           words(T0 + 94 * DAY, now), T0 + 94 * DAY, "cooling_off")
    expect(env, "wil", "Not now: you withdrew your invitation 2 days ago; try again after %s" %
           words(T0 + 28 * DAY, now), T0 + 28 * DAY, "cooling_off")
    for actor in ("dee", "rex", "una"):
        check(fired(env, actor) == [], "%s notified while cooling off: %s" % (actor, fired(env, actor)))
    # The pause over, the withdrawn one is ready again (the others wait months).
    feed(env, comments("wil", [27, 28], prefix="x"), tick=T0 + 28 * DAY)
    expect(env, "wil", "Ready: invite this week", T0 + 42 * DAY, "ready")
    check(fired(env, "wil")[-1] == T0 + 28 * DAY, "wil: %s" % fired(env, "wil"))
    env.close()


def test_executive_warmed_by_my_comments():
    """Item 2: DOMAIN's recipe, follow an executive and comment on three of
    their posts over 2-3 weeks: ready from the end of the wait, with my own
    comments as the evidence."""
    env = Env("advice-executive", CONFIG)
    lines = [event(T0, "follow", "exe", dir="out", name="Erin Exec", actor_connections=12000)]
    lines += comments("exe", [1, 5], dir_="out")
    feed(env, lines, tick=T0 + 6 * DAY)
    expect(env, "exe", "Not yet: engage with 1 more of their posts", None, "not_yet")
    feed(env, comments("exe", [10], dir_="out", prefix="r"), tick=T0 + 10 * DAY)
    c = expect(env, "exe", "Wait until %s: senior executives need 2-3 weeks after the follow" %
               words(T0 + 14 * DAY), T0 + 14 * DAY, "waiting")
    check(c["path"] == "outbound" and c["segment"] == "senior_executive", "exe: %s" % c)
    check(fired(env, "exe") == [], "exe fired before the wait: %s" % fired(env, "exe"))
    feed(env, [], tick=T0 + 14 * DAY)
    expect(env, "exe", "Ready: invite by %s, while it is warm" % words(T0 + 21 * DAY),
           T0 + 21 * DAY, "ready")
    check(fired(env, "exe") == [T0 + 14 * DAY], "exe fired: %s" % fired(env, "exe"))
    check(notes(env, "exe") == ['Hello Erin, I really appreciated your post "Hiring your first engineers". I would value connecting and learning from your experience.'], "exe note: %r" % notes(env, "exe"))
    env.close()


def test_influencer_over_weeks():
    """An influencer (a creator, even with 10k+ connections) who engages
    weekly: 4-6 weeks after the follow."""
    env = Env("advice-influencer", CONFIG)
    lines = [event(T0, "follow", "ivy", creator=True, actor_connections=15000)]
    lines += comments("ivy", [1, 8, 15, 22])
    feed(env, lines, tick=T0 + 22 * DAY)
    c = expect(env, "ivy", "Wait until %s: influencers need 4-6 weeks after the follow" %
               words(T0 + 28 * DAY), T0 + 28 * DAY, "waiting")
    check(c["segment"] == "influencer", "a creator with 15k connections: %s" % c["segment"])
    feed(env, [], tick=T0 + 28 * DAY)
    expect(env, "ivy", "Ready: invite by %s, while it is warm" % words(T0 + 36 * DAY),
           T0 + 36 * DAY, "ready")
    check(fired(env, "ivy") == [T0 + 28 * DAY], "ivy fired: %s" % fired(env, "ivy"))
    check(notes(env, "ivy") == ['Hi, thank you for your thoughts on my post "Hiring your first engineers": "We hired our first three engineers through referrals, and it worked". I\'d be glad to connect and follow your work more closely.'], "ivy note: %r" % notes(env, "ivy"))
    env.close()


def test_client_after_giving_value():
    """A potential client: 3-4 weeks after I first gave value (my comments on
    their posts), not after the follow."""
    env = Env("advice-client", CONFIG)
    feed(env, [event(T0, "follow", "cli", dir="out", tags=["client"]),
               event(T0 + DAY, "like", "cli", dir="out", post="c0")], tick=T0 + 2 * DAY)
    expect(env, "cli", "Not yet: comment on one of their posts; likes alone are not enough",
           None, "not_yet")
    feed(env, comments("cli", [4, 9, 16], dir_="out", prefix="c"), tick=T0 + 16 * DAY)
    expect(env, "cli", "Wait until %s: potential clients need 3-4 weeks after you first help them"
           % words(T0 + 25 * DAY), T0 + 25 * DAY, "waiting")
    feed(env, [], tick=T0 + 25 * DAY)
    expect(env, "cli", "Ready: invite by %s, while it is warm" % words(T0 + 30 * DAY),
           T0 + 30 * DAY, "ready")
    check(fired(env, "cli") == [T0 + 25 * DAY], "cli fired: %s" % fired(env, "cli"))
    check(notes(env, "cli") == ['Hi, happy to help with the topic of your post "Hiring your first engineers", which I really appreciated. I\'d be glad to connect.'], "cli note: %r" % notes(env, "cli"))
    env.close()


def test_peer_comments_once():
    """Item 3: a peer who follows and comments once is ready at once."""
    env = Env("advice-peer", CONFIG)
    feed(env, [event(T0, "follow", "pia", name="Pia Peer"),
               event(T0 + HOUR, "comment", "pia", post="p1", title="Remote team dynamics",
                     text="This matches what we saw at work when we moved to async reviews")])
    expect(env, "pia", "Ready: invite this week", T0 + HOUR + 14 * DAY, "ready")
    check(fired(env, "pia") == [T0 + HOUR], "pia fired: %s" % fired(env, "pia"))
    check(notes(env, "pia") == ["Hi Pia, thank you for your thoughts on my post \"Remote team dynamics\": "
                                "\"This matches what we saw at work when we moved to async reviews\". "
                                "I'd be glad to connect so we can learn from each other."], "pia note: %r" % notes(env, "pia"))
    # A like alone is not a genuine signal.
    feed(env, [event(T0 + 2 * HOUR, "follow", "lia"), event(T0 + 2 * HOUR, "like", "lia", post="p1")])
    expect(env, "lia", "Not yet: needs one comment or reply; likes alone are not enough", None,
           "not_yet")
    env.close()


def test_burst():
    """Item 5: 200 likes and comments in one hour across UTC midnight are one
    burst on one day, and a contact whose engagement is all bursts is not
    ready however warm; my own like cannot supply a day."""
    env = Env("advice-burst", CONFIG)
    start = T0 + 13 * HOUR + 30 * 60  # 23:30 UTC
    lines = [event(T0, "follow", "bot")]
    for i in range(200):
        lines.append(event(start + i * 18, "comment" if i % 4 == 0 else "like", "bot",
                           post="b%d" % i, text="Great post"))
    feed(env, lines, tick=start + 2 * HOUR)
    c = expect(env, "bot", "Not yet: most of their engagement came in bursts (190 of 200 do not "
               "count)", None, "not_yet")
    cond = {x["name"]: x for x in c["conditions"]}
    check(cond["distinct_days"]["value"] == 1, "days: %s" % cond["distinct_days"])
    check(cond["not_bursts"]["ok"] is False, "bursts: %s" % cond["not_bursts"])
    check(fired(env, "bot") == [], "bot fired: %s" % fired(env, "bot"))
    text = show_text(env, "bot")
    check("came in bursts and do not count" in text, "show does not say why:\n%s" % text)
    # An executive follower with one comment, and my like of their post on another day.
    feed(env, [event(T0, "follow", "xec", actor_connections=20000),
               event(T0 + DAY, "comment", "xec", post="m1", text="A point worth making"),
               event(T0 + DAY + HOUR, "like", "xec", post="m2"),
               event(T0 + 2 * DAY, "like", "xec", dir="out", post="t1")], tick=T0 + 15 * DAY)
    c = expect(env, "xec", "Not yet: needs engagement on 1 more day; one day is not a pattern",
               None, "not_yet")
    check(c["path"] == "inbound", "xec path: %s" % c["path"])
    env.close()


def test_pending_and_incoming():
    """Invitations: mine pending five weeks is to be withdrawn; theirs is to
    be accepted, never answered with an invitation of mine."""
    env = Env("advice-invites", CONFIG)
    lines = [event(T0, "follow", "pen")] + comments("pen", [0.5, 1])
    lines += [event(T0 + DAY, "invite_sent", "pen", dir="out")]
    lines += [event(T0, "follow", "inv")] + comments("inv", [0.5, 1], prefix="i")
    lines += [event(T0 + 2 * DAY, "invite_sent", "inv", dir="in")]
    feed(env, lines, tick=T0 + 11 * DAY)
    expect(env, "pen", "Invitation pending (sent 10 days ago)", T0 + 22 * DAY, "pending")
    c = expect(env, "inv", "Accept their invitation (sent 9 days ago)", None, "accept")
    check(c["relationship"] == "invited_me", "their invitation is not mine: %s" % c["relationship"])
    text = show_text(env, "inv")
    check(any(l.split() == ["relationship", "invited_me"] for l in text.splitlines()), text)
    r = subprocess.run([WARMTHCTL, "--db", env.db, "-c", env.config, "export"],
                       capture_output=True, text=True, timeout=60)
    rows = {l.split("\t")[0]: l.split("\t") for l in r.stdout.splitlines()}
    check(rows["inv"][2] == "invited_me" and rows["pen"][2] == "pending", r.stdout)
    check(fired(env, "inv") == [], "inv: a ready notification for someone who invited me")
    r = subprocess.run([WARMTHCTL, "--db", env.db, "-c", env.config, "--json", "metrics"],
                       capture_output=True, text=True, timeout=60)
    m = json.loads(r.stdout)
    check(m["invitations_sent"] == 1, "their invitation counted as mine: %s" % m["invitations_sent"])
    feed(env, [], tick=T0 + 36 * DAY)
    c = expect(env, "pen", "Withdraw your invitation (pending 5 weeks)", None, "withdraw")
    check("withdraw" in c["next"].lower(), "pen next: %s" % c["next"])
    # Accepting theirs connects: nothing more to advise.
    feed(env, [event(T0 + 37 * DAY, "invite_accepted", "inv", dir="out")], tick=T0 + 37 * DAY)
    c = expect(env, "inv", "Already connected", None, "connected")
    check(c["relationship"] == "connected", "inv after accepting: %s" % c["relationship"])
    env.close()


def test_verdict_budget_and_show():
    """Item 6: eligible, ready (within the budget) and held by the budget are
    told apart; show's text leads with the verdict and has no jargon."""
    env = Env("advice-verdict", CONFIG + "readiness:\n  weekly_invites: 1\n")
    lines = []
    for who in ("amy", "ben"):
        lines += [event(T0, "follow", who)] + comments(who, [0.1], prefix=who)
    feed(env, lines, tick=T0 + DAY)
    a, b = show(env, "amy"), show(env, "ben")
    first, second = (a, b) if fired(env, "amy") else (b, a)
    check(first["status"] == "ready" and first["ready"] is True, "first: %s" % first["verdict"])
    check(second["eligible"] is True and second["ready"] is False and second["status"] == "held",
          "second: %s" % second)
    # The first's notification stands for its invitation: sent now (as the
    # plan asks), it frees the budget a week from now.
    frees = T0 + DAY + 7 * DAY
    check(second["verdict"] == "Held: the invitation budget is used (1 of 1 this week); room "
          "again on %s" % words(frees), "held: %s" % second["verdict"])
    check(second["changes_at"] == iso(frees), "held changes_at: %s" % second["changes_at"])
    text = show_text(env, second["actor"])
    check(text.startswith(second["verdict"] + "\n"), "show does not lead with the verdict:\n" + text)
    for jargon in ("threshold", "deep engagement", "ready         yes"):
        check(jargon not in text, "show says %r:\n%s" % (jargon, text))
    check("\nnext " in text, "show has no next step:\n" + text)
    env.close()


def test_caps_reload_rebuilds():
    """Item 5: a change of the burst caps (or the time zone) rebuilds the
    scores from their history on reload, without new events."""
    env = Env("advice-caps", CONFIG)
    env.start()
    start = T0 + 13 * HOUR + 50 * 60  # 23:50 UTC: 60 engagements, 18 minutes, across midnight
    lines = [event(T0, "follow", "bot")]
    lines += [event(start + i * 18, "comment" if i % 4 == 0 else "like", "bot", post="b%d" % i)
              for i in range(60)]
    env.append("a.jsonl", lines)
    env.wait_processed(len(lines))
    env.wait(lambda: {x["name"]: x for x in show(env, "bot")["conditions"]}["not_bursts"]["value"]
             == 50, "the burst cut")
    cond = {x["name"]: x for x in show(env, "bot")["conditions"]}
    check(cond["distinct_days"]["value"] == 1 and not cond["not_bursts"]["ok"], "capped: %s" % cond)
    env.write_config(CONFIG + "scoring:\n  burst_per_hour: 0\n  burst_per_day: 0\n")
    env.proc.send_signal(signal.SIGHUP)
    env.wait(lambda: env.log_has("scores rebuilt"), "the rebuild")
    env.wait(lambda: {x["name"]: x for x in show(env, "bot")["conditions"]}["not_bursts"]["ok"],
             "the rebuilt score committed")
    cond = {x["name"]: x for x in show(env, "bot")["conditions"]}
    check(cond["distinct_days"]["value"] == 2 and cond["not_bursts"]["value"] == 0,
          "uncapped: %s" % cond)
    check(env.stop() == 0, "exit status:\n" + env.log_text())
    env.close()


if __name__ == "__main__":
    run([test_declined_and_removed, test_executive_warmed_by_my_comments, test_influencer_over_weeks,
         test_client_after_giving_value, test_peer_comments_once, test_burst,
         test_pending_and_incoming, test_verdict_budget_and_show, test_caps_reload_rebuilds])
