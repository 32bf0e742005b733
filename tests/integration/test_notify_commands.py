"""Black-box tests of the notification commands of the control socket
(issue 4): warmthctl notify-test SINK sends a sample record through one
notifier and says whether it arrived; warmthctl redeliver ID sends a
failed (or delivered) notification again, with the same id. Both reach
outside the daemon, so both are changing commands: refused to users who
may only read."""

import json
import os
import subprocess

from harness import (BASE_CONFIG, WARMTHCTL, Env, Receiver, can_run_as_nobody, check,
                     open_to_others, run, run_as_nobody)
from test_notify import lines_of, notifications, outbox_ids, ready_lines, webhook_of


def ctl(env, *args, expect=0):
    r = subprocess.run([WARMTHCTL, "-c", env.config] + list(args), capture_output=True,
                       text=True, timeout=120)
    check(r.returncode == expect, "warmthctl %s: exit %d (want %d): %s %s" %
          (" ".join(args), r.returncode, expect, r.stdout, r.stderr))
    return r


def webhook_config(url):
    return (BASE_CONFIG + "  - type: webhook\n    url: %s\n    timeout: 2s\n    retry_min: 50ms\n"
            % url + "time:\n  source: event\n")


def test_notify_test_file_and_unknown():
    env = Env("cmd-notify-test", BASE_CONFIG)
    env.start()
    r = ctl(env, "notify-test", "file")
    check("delivered" in r.stdout, "text reply: %r" % r.stdout)
    got = lines_of(env)
    check(len(got) == 1 and got[0]["kind"] == "test" and got[0]["id"].startswith("test:"),
          "the sample record: %s" % got)
    name = "file " + os.path.join(env.dir, "notifications.jsonl")
    r = ctl(env, "--json", "notify-test", name)
    check(json.loads(r.stdout) == {"sink": name, "result": "delivered"}, "json: %r" % r.stdout)
    check(len(lines_of(env)) == 2, "second sample: %s" % lines_of(env))
    # A test is not a notification: the outbox does not show it.
    check(notifications(env) == [], "recorded: %s" % notifications(env))
    r = ctl(env, "notify-test", "webhook", expect=1)
    check("no notifier \"webhook\"" in r.stderr and name in r.stderr, "unknown: %r" % r.stderr)
    r = ctl(env, "notify-test", expect=2)
    r = ctl(env, "redeliver", "no-such-id", expect=1)
    check("no notification" in r.stderr, "unknown id: %r" % r.stderr)
    env.stop()
    env.close()


def test_notify_test_reports_the_error():
    rx = Receiver([503])
    try:
        env = Env("cmd-notify-test-webhook", webhook_config(rx.url))
        env.start()
        r = ctl(env, "notify-test", "webhook", expect=1)
        check("HTTP 503" in r.stderr and "retried" in r.stderr, "error: %r" % r.stderr)
        r = ctl(env, "notify-test", "webhook")
        check(rx.count() == 2, "two requests: %d" % rx.count())
        check(json.loads(rx.requests[1][2])["kind"] == "test", "body: %r" % rx.requests[1][2])
        env.stop()
        env.close()
    finally:
        rx.close()


def test_redeliver_after_the_receiver_is_fixed():
    rx = Receiver([400])
    try:
        env = Env("cmd-redeliver", webhook_config(rx.url))
        env.start()
        env.append("a.jsonl", ready_lines())
        env.wait(lambda: notifications(env, "--failed"), "the webhook to fail")
        nid = outbox_ids(env)[0]
        check(webhook_of(notifications(env)[0])["attempts"] == 1, "one attempt")
        # The receiver is fixed (it answers 200 from now on): send it again.
        r = ctl(env, "--json", "redeliver", nid)
        res = json.loads(r.stdout)
        check(res["id"] == nid and len(res["sinks"]) == 1 and res["sinks"][0].startswith("webhook"),
              "only the failed notifier: %s" % res)

        def delivered():
            n = notifications(env)
            return n and n[0]["state"] == "delivered"

        env.wait(delivered, "the redelivery")
        check(rx.count() == 2, "requests: %d" % rx.count())
        ids = [json.loads(x[2])["id"] for x in rx.requests]
        keys = [x[1].get("Idempotency-Key") for x in rx.requests]
        check(ids == [nid, nid] and keys == ids, "the same id: %s %s" % (ids, keys))
        check(len(lines_of(env)) == 1, "the file had it already: %s" % lines_of(env))
        w = webhook_of(notifications(env)[0])
        check(w["state"] == "delivered" and w["attempts"] == 1, "attempts afresh: %s" % w)
        # A delivered notification can be asked for again too: every notifier gets it.
        r = ctl(env, "redeliver", nid)
        check("redelivering to" in r.stdout and "file" in r.stdout and "webhook" in r.stdout,
              "text: %r" % r.stdout)
        env.wait(lambda: rx.count() == 3 and len(lines_of(env)) == 2, "the second redelivery")
        env.wait(delivered, "recorded")
        env.stop()
        # And a restart does not send it a fourth time.
        env.once()
        check(rx.count() == 3 and len(lines_of(env)) == 2, "re-sent after restart")
        env.close()
    finally:
        rx.close()


def test_note_templates_from_config():
    """notes: of the config shape the note of the record (free plan: 200 characters)."""
    notes = ("notes:\n  plan: free\n  templates:\n"
             "    senior_executive: \"Hello {first_name}, about {post_title}: %s\"\n" % ("x" * 300))
    env = Env("cmd-notes", BASE_CONFIG + notes + "time:\n  source: event\n")
    env.append("a.jsonl", ready_lines())
    env.once()
    note = lines_of(env)[0]["note"]
    check(note.startswith("Hello Ada, about Burnout: xxx") and len(note) <= 200 and
          note.endswith("\u2026"), "note: %r (%d)" % (note, len(note)))
    env.close()


def test_commands_need_privilege():
    if not can_run_as_nobody():
        print("skipped: needs root and setpriv to connect as another user")
        return
    env = Env("cmd-perm", BASE_CONFIG)
    env.start()
    sock = open_to_others(env)
    for args in (["notify-test", "file"], ["redeliver", "x"]):
        r = run_as_nobody([WARMTHCTL, "-s", sock] + args)
        check(r.returncode == 1 and "forbidden" in r.stderr, "%s as nobody: %d %r" %
              (args, r.returncode, r.stderr))
    check(lines_of(env) == [], "a forbidden test was sent: %s" % lines_of(env))
    env.stop()
    env.close()


if __name__ == "__main__":
    run([test_notify_test_file_and_unknown, test_notify_test_reports_the_error,
         test_redeliver_after_the_receiver_is_fixed, test_note_templates_from_config,
         test_commands_need_privilege])
