"""Scenario tests of the invitation note (issue 19, "The note"), with the
real daemon in event time (time.source: event): which engagement the note
quotes, in which frame, and how it is written. Each contact below becomes
ready in one run of warmthd --once over its whole history; the test reads
the outbox (its record and the note beside it) read-only and asserts the
note's exact text, on a premium account (300 characters) and a free one
(200).

The readiness figures are lowered (threshold 2) so that every scenario
fires on the evidence it needs to show, whatever its kind; who is ready
and when is the business of test_advice_rules.py."""

import json
import sqlite3

from harness import BASE_CONFIG, Env, check, event, run

T0 = 1793700000  # 2026-11-03, event time
DAY = 86400
CONFIG = BASE_CONFIG + """\
time:
  source: event
  future_tolerance: 3650d   # the scenarios run weeks past T0, maybe past the machine's clock
readiness:
  threshold: 2
  min_posts: 1
  min_days: 1
"""
GOOD = "I love how you framed async collaboration as a habit, not a tool."
SECRET = "Between us, I am leaving my job next month and looking for a new role."
PEER = "I'd be glad to connect so we can learn from each other."


def outbox(env):
    """actor -> (record, note) of its ready notification (read-only)."""
    db = sqlite3.connect("file:%s?mode=ro" % env.db, uri=True)
    try:
        rows = db.execute("SELECT actor, record, note FROM outbox WHERE kind = 'ready' "
                          "ORDER BY seq").fetchall()
    finally:
        db.close()
    out = {}
    for actor, record, note in rows:
        check(actor not in out, "%s notified twice" % actor)
        out[actor] = (json.loads(record), note)
    return out


def fire(name, lines, config=CONFIG):
    """Runs warmthd --once over lines; returns the outbox by actor."""
    env = Env("advice-notes-" + name, config)
    env.append("a.jsonl", lines)
    env.once()
    got = outbox(env)
    env.close()
    return got


def follow(actor, name, day=0):
    return event(T0 + day * DAY, "follow", actor, name=name, id=actor + "-follow")


def on_mine(actor, day, type_, post, title, text=None, n=0):
    kw = {"post": post, "title": title, "id": "%s-%s-%d-%d" % (actor, type_, day, n)}
    if text is not None:
        kw["text"] = text
    return event(T0 + day * DAY + n, type_, actor, **kw)


def check_note(got, actor, want):
    check(actor in got, "%s was not notified: %s" % (actor, sorted(got)))
    note = got[actor][1]
    check(note == want, "%s's note:\n got  %r\n want %r" % (actor, note, want))
    return got[actor][0]


def test_thanks_after_a_good_comment():
    """The good comment is quoted, not the newer "Thanks!"."""
    got = fire("thanks", [
        follow("bo", "Bo Berg"),
        on_mine("bo", 1, "comment", "p1", "Remote teams", GOOD),
        on_mine("bo", 3, "comment", "p2", "Hiring", "Thanks!"),
    ])
    check_note(got, "bo", "Hi Bo, thank you for your thoughts on my post \"Remote teams\": \"I love how "
               "you framed async collaboration as a habit, not a tool\". " + PEER)


def test_private_message_never_quoted():
    """A message is neither quoted nor named; its text stays out of the record."""
    got = fire("message", [
        follow("cy", "Cy Chen"),
        on_mine("cy", 1, "comment", "p1", "Remote teams", "Thanks!"),
        on_mine("cy", 2, "like", "p2", "Hiring"),
        event(T0 + 3 * DAY, "message", "cy", text=SECRET, id="cy-message"),
    ])
    rec = check_note(got, "cy", "Hi Cy, thank you for your thoughts on my post \"Remote teams\". " + PEER)
    messages = [e for e in rec["evidence"] if e["type"] == "message"]
    check(len(messages) == 1 and messages[0]["text"] is None,
          "the message in the evidence: %s" % rec["evidence"])
    check(SECRET not in json.dumps(rec), "the message's text in the record: %s" % rec)


def test_windows_path_not_quoted():
    got = fire("path", [
        follow("di", "Di Diaz"),
        on_mine("di", 1, "comment", "p1", "Remote teams",
                "C:\\Users\\di\\Documents\\async collaboration notes final.docx"),
        on_mine("di", 2, "comment", "p2", "Hiring", "Great post"),
    ])
    check_note(got, "di", "Hi Di, thank you for your thoughts on my post \"Hiring\". " + PEER)


def test_mention_is_their_post():
    got = fire("mention", [
        follow("ed", "Ed Evans"),
        on_mine("ed", 1, "mention", "t1", "Five people who taught me async", "Thanks @me"),
        on_mine("ed", 2, "like", "p1", "Remote teams"),
    ])
    check_note(got, "ed", "Hi Ed, thank you for mentioning me in your post \"Five people who taught "
               "me async\". " + PEER)


def test_nested_quotes():
    got = fire("quotes", [
        follow("fa", "Fa Fischer"),
        on_mine("fa", 1, "comment", "p1", "Cold or warm",
                "\"Warm outreach\" beats cold pitches every time, in my experience."),
    ])
    check_note(got, "fa", "Hi Fa, thank you for your thoughts on my post \"Cold or warm\": "
               "\"\u201cWarm outreach\u201d beats cold pitches every time, in my experience\". " + PEER)


def test_later_likes_keep_the_good_comment():
    """Twenty likes after the comment push it out of the recent list, not out of the note."""
    lines = [follow("gu", "Gu Gupta"), on_mine("gu", 1, "comment", "p1", "Remote teams", GOOD)]
    lines += [on_mine("gu", 2 + i // 5, "like", "p%d" % (2 + i), "Post %d" % i, n=i) for i in range(20)]
    got = fire("likes", lines)
    rec = check_note(got, "gu", "Hi Gu, thank you for your thoughts on my post \"Remote teams\": \"I love "
                     "how you framed async collaboration as a habit, not a tool\". " + PEER)
    check([e["type"] for e in rec["evidence"]] == ["like"] * 5 + ["comment"],
          "evidence: the newest five and the quoted comment: %s" % rec["evidence"])
    check(rec["evidence"][-1]["text"] == GOOD, "evidence: %s" % rec["evidence"][-1])


def test_outbound_note_names_their_post():
    """My comments on their posts: the note names their post, never my words as theirs."""
    got = fire("outbound", [
        event(T0, "follow", "ha", dir="out", name="Ha Hansen", id="ha-follow"),
        event(T0 + 2 * DAY, "comment", "ha", dir="out", post="t1", title="Remote team dynamics",
              text="Async needs a written culture first, or it just becomes slow chat.", id="ha-1"),
        event(T0 + 5 * DAY, "like", "ha", dir="out", post="t2", title="Monday notes", id="ha-2"),
        event(T0 + 6 * DAY, "comment", "ha", post="p1", title="My own post", text="+1", id="ha-3"),
        event(T0 + 7 * DAY, "comment", "ha", dir="out", post="t3", title="Hiring for async",
              text="Agreed", id="ha-4"),
    ])
    check_note(got, "ha", "Hi Ha, I really appreciated your post \"Remote team dynamics\". I'd love to "
               "connect so we can learn from each other.")


def test_free_plan_note():
    """200 characters: a long title and a long quote shrink together; the closing words stay."""
    got = fire("free", [
        follow("ia", "Ia Ivanova"),
        on_mine("ia", 1, "comment", "p1", "Why \"warm\" outreach beats cold pitching, and what three "
                "years of campaigns taught us", "We tried this with a three-week warm-up across our whole "
                "sales team and acceptance went from 28% to 41%, with \"reply rates\" up too."),
    ], CONFIG + "notes:\n  plan: free\n")
    check_note(got, "ia", "Hi Ia, thank you for your thoughts on my post \"Why \u201cwarm\u201d outreach "
               "beats cold pitching, and\u2026\": \"We tried this with a three-week warm-up\u2026\". " + PEER)
    check(len(got["ia"][1]) <= 200, "longer than 200: %d" % len(got["ia"][1]))


def test_hostile_words_and_questions():
    """A hostile comment, however long and new, is neither quoted nor thanked for
    (the kind one before it is); a config's own avoid list replaces the built-in
    one; a client is offered help only with what they asked."""
    lines = [
        follow("ho", "Ho Huang"),
        on_mine("ho", 1, "comment", "p1", "Remote teams", GOOD),
        on_mine("ho", 3, "comment", "p2", "Hiring",
                "Pure clickbait written by someone who has never hired a single engineer."),
    ]
    got = fire("hostile", lines)
    check_note(got, "ho", "Hi Ho, thank you for your thoughts on my post \"Remote teams\": \"I love how "
               "you framed async collaboration as a habit, not a tool\". " + PEER)
    got = fire("hostile-own-list", lines, CONFIG + "notes:\n  avoid_words: [\"framed\"]\n")
    check_note(got, "ho", "Hi Ho, thank you for your thoughts on my post \"Hiring\": \"Pure clickbait "
               "written by someone who has never hired a single engineer\". " + PEER)
    # The clients' wait (3-4 weeks after I first help) is the rules' business; here it is none.
    client = CONFIG + "segments:\n  - name: potential_client\n    match: {tags: [client]}\n" \
        "    wait: 0s\n  - name: peer\n"
    got = fire("question", [
        event(T0, "follow", "qi", name="Qi Wu", tags=["client"], id="qi-follow"),
        on_mine("qi", 1, "comment", "p1", "Onboarding in a week",
                "How do you keep new hires from leaving in their first month?"),
        event(T0, "follow", "ra", name="Ra Osei", tags=["client"], id="ra-follow"),
        on_mine("ra", 1, "comment", "p1", "Onboarding in a week",
                "I couldn't agree more, this is exactly what we saw last quarter."),
    ], client)
    check_note(got, "qi", "Hi Qi, happy to help with your question on my post \"Onboarding in a week\": "
               "\"How do you keep new hires from leaving in their first month?\". I'd be glad to connect "
               "and share what has worked for others.")
    check_note(got, "ra", "Hi Ra, thank you for your comment on my post \"Onboarding in a week\": \"I "
               "couldn't agree more, this is exactly what we saw last quarter\". If I can help with what "
               "you are working on, I'd be glad to connect.")


if __name__ == "__main__":
    run([test_thanks_after_a_good_comment, test_hostile_words_and_questions, test_private_message_never_quoted,
         test_windows_path_not_quoted, test_mention_is_their_post, test_nested_quotes,
         test_later_likes_keep_the_good_comment, test_outbound_note_names_their_post,
         test_free_plan_note])
