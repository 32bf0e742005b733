"""Black-box tests of notification pacing (issue 4): a notifier's rate
limit defers and then delivers everything exactly once, without holding
back the other notifiers; quiet hours hold notifications and release them
when they end; digest mode sends one "digest" record listing every ready
contact of the period; and a notifier that never answers holds back
neither the others nor ingestion.

Pacing is about delivery, which runs on the wall clock, whatever
time.source says. The tests move the daemon's delivery clock with
WARMTHD_TEST_CLOCK_OFFSET (a test-only variable, logged as such) so that
the end of quiet hours or a digest boundary is a few seconds away, and use
rates with periods of a second: nothing sleeps for long."""

import calendar
import json
import os
import time

from harness import BASE_CONFIG, Env, Receiver, check, event, run
from test_notify import lines_of, notifications, outbox_ids, ready_lines

ACTORS = ["ada", "bob", "cyd", "dee", "eve", "fay"]
TAIL = "time:\n  source: event\n"


def config(file_keys="", more=""):
    """BASE_CONFIG's file notifier with file_keys, then more notifiers."""
    return BASE_CONFIG + file_keys + more + TAIL


def all_ready(env, actors):
    env.append("a.jsonl", [line for a in actors for line in ready_lines(a, a.capitalize())])


def ms_of(rfc3339):
    t = time.strptime(rfc3339[:19], "%Y-%m-%dT%H:%M:%S")
    return calendar.timegm(t) * 1000 + int(rfc3339[20:23])


def delivered_at(env, prefix):
    """The times (ms, delivery clock) at which sink prefix... took each notification."""
    out = []
    for n in notifications(env):
        for d in n["deliveries"]:
            if d["sink"].startswith(prefix) and d["state"] == "delivered":
                out.append(ms_of(d["updated"]))
    return sorted(out)


def now_ms():
    return int(time.time() * 1000)


def hhmm(ms):
    return time.strftime("%H:%M", time.gmtime(ms // 1000))


def test_rate_limit_defers_then_delivers_once():
    env = Env("pace-rate", config("    rate: 2/1s\n", "  - type: exec\n    command: [/bin/true]\n"))
    env.start()
    all_ready(env, ACTORS)
    env.wait(lambda: len(lines_of(env)) == len(ACTORS), "six lines at two a second", 30)
    env.stop()
    got = [r["id"] for r in lines_of(env)]
    check(sorted(got) == sorted(outbox_ids(env)) and len(set(got)) == len(ACTORS),
          "each notification once: %s vs %s" % (got, outbox_ids(env)))
    t = delivered_at(env, "file")
    # Two at once (the burst), then one every 500 ms. The times are those
    # of the deliveries' completion, not of the tokens: a first delivery
    # slowed by a loaded machine (its fsync) brings the third nearer to it,
    # by as much as it was late, so the bound on the first gap leaves
    # 250 ms for that; the whole run cannot be shorter than its tokens.
    check(t[2] - t[0] >= 250 and t[-1] - t[0] >= 1700, "not paced: %s" % [x - t[0] for x in t])
    # The other notifier has no limit: it took all six before the file had its third.
    e = delivered_at(env, "exec")
    check(len(e) == len(ACTORS) and e[-1] <= t[2], "exec held back: %s vs %s" % (e, t))
    # Nothing is sent again after a restart.
    env.once()
    check(len(lines_of(env)) == len(ACTORS), "sent again: %d lines" % len(lines_of(env)))
    env.close()


def test_rate_limit_survives_restarts():
    """A restart starts the bucket with what was delivered lately: cron-style
    --once runs cannot add a fresh burst each time."""
    env = Env("pace-rate-once", config("    rate: 2/1h\n"))
    all_ready(env, ACTORS[:4])
    env.once()
    check(len(lines_of(env)) == 2, "the burst of 2: %s" % lines_of(env))
    check(len(notifications(env, "--pending")) == 2, "two wait: %s" % notifications(env))
    env.once()
    check(len(lines_of(env)) == 2, "a restart gave a new burst: %d lines" % len(lines_of(env)))
    # An hour later (on the delivery clock) one more token is there... and after two, two.
    env.once(environ={"WARMTHD_TEST_CLOCK_OFFSET": "2h"})
    got = [r["id"] for r in lines_of(env)]
    check(len(got) == 4 and sorted(got) == sorted(outbox_ids(env)), "after 2h: %s" % got)
    check(notifications(env, "--pending") == [], "still pending: %s" % notifications(env))
    env.close()


def test_quiet_hours_hold_and_release():
    now = now_ms()
    # Quiet from an hour ago to an hour from now, in UTC.
    quiet = "    quiet_hours: \"%s-%s\"\n    utc_offset: UTC\n" % (hhmm(now - 3600000),
                                                                   hhmm(now + 3600000))
    env = Env("pace-quiet", config(quiet))
    all_ready(env, ACTORS[:2])
    env.once()
    check(lines_of(env) == [], "delivered in quiet hours: %s" % lines_of(env))
    n = notifications(env, "--pending")
    check(len(n) == 2 and all(d["attempts"] == 0 for x in n for d in x["deliveries"]),
          "held, not attempted: %s" % n)
    env.once(environ={"WARMTHD_TEST_CLOCK_OFFSET": "2h"})
    check(len(lines_of(env)) == 2, "not released after quiet hours: %s" % lines_of(env))
    env.close()

    # A running daemon releases them by itself when quiet hours end: the
    # delivery clock is put 4 seconds before their end.
    end = (now + 3600000) // 60000 * 60000
    env = Env("pace-quiet-timer", config(quiet))
    env.start(environ={"WARMTHD_TEST_CLOCK_OFFSET": "%dms" % (end - 4000 - now_ms())})
    all_ready(env, ACTORS[:2])
    env.wait(lambda: len(lines_of(env)) == 2, "release at the end of quiet hours", 30)
    env.stop()
    t = delivered_at(env, "file")
    check(len(t) == 2 and t[0] >= end, "delivered %d ms before the end" % (end - t[0]))
    env.close()


def test_digest_lists_the_ready_contacts():
    now = now_ms()
    midnight = (now // 86400000 + 1) * 86400000  # the next UTC midnight
    digest = "    digest: 1d\n    utc_offset: UTC\n"
    env = Env("pace-digest", config(digest))
    all_ready(env, ACTORS[:3])
    # An hour before the boundary: nothing yet.
    env.once(environ={"WARMTHD_TEST_CLOCK_OFFSET": "%dms" % (midnight - 3600000 - now)})
    check(lines_of(env) == [], "digest before its time: %s" % lines_of(env))
    check(len(notifications(env, "--pending")) == 3, "three wait: %s" % notifications(env))
    # Four seconds before it, with the daemon running: one digest at midnight.
    env.start(environ={"WARMTHD_TEST_CLOCK_OFFSET": "%dms" % (midnight - 4000 - now_ms())})
    env.wait(lambda: len(lines_of(env)) >= 1, "the digest", 30)
    env.wait(lambda: notifications(env, "--pending") == [], "every row recorded", 30)
    env.stop()
    got = lines_of(env)
    check(len(got) == 1, "one digest: %s" % got)
    d = got[0]
    check(d["kind"] == "digest" and d["count"] == 3, "digest record: %s" % d)
    check(sorted(c["actor"] for c in d["contacts"]) == ACTORS[:3], "contacts: %s" % d)
    check(sorted(c["id"] for c in d["contacts"]) == sorted(outbox_ids(env)), "ids: %s" % d)
    check(all(c["note"] and c["segment"] == "senior_executive" for c in d["contacts"]),
          "notes and segments: %s" % d)
    check(ms_of(d["ts"]) >= midnight, "sent before midnight: %s" % d["ts"])
    check(d["message"].startswith("3 contacts are ready"), "message: %s" % d["message"])
    # Delivered rows stay delivered: no second digest.
    env.once(environ={"WARMTHD_TEST_CLOCK_OFFSET": "%dms" % (midnight + 60000 - now_ms())})
    check(len(lines_of(env)) == 1, "a second digest: %s" % lines_of(env))
    env.close()


def test_dead_sink_blocks_nothing():
    """A webhook that never answers holds back neither the file nor the reading."""
    rx = Receiver(hang=1000)
    try:
        hook = "  - type: webhook\n    url: %s\n    timeout: 30s\n" % rx.url
        env = Env("pace-dead", config("", hook))
        env.start()
        all_ready(env, ACTORS[:2])
        env.wait(lambda: len(lines_of(env)) == 2 and rx.count() >= 1, "the file, webhook hanging")
        base = env.processed()
        env.append("b.jsonl", [event(1793700000 + 20 * 86400 + i, "like", "zed", post="p%d" % i)
                               for i in range(50)])
        env.wait_processed(base + 50)
        check(all(d["state"] == "pending" for n in notifications(env) for d in n["deliveries"]
                  if d["sink"].startswith("webhook")), "the webhook answered?")
        env.stop()
        env.close()
    finally:
        rx.close()


if __name__ == "__main__":
    run([test_rate_limit_defers_then_delivers_once, test_rate_limit_survives_restarts,
         test_quiet_hours_hold_and_release, test_digest_lists_the_ready_contacts,
         test_dead_sink_blocks_nothing])
