"""Black-box tests of notification delivery (issue 4): the outbox hands the
"ready" record to the configured sinks, once. A file sink gets exactly one
line per notification, also when the daemon is killed between the commit
and the delivery or between the write and its bookkeeping; a webhook that
fails is retried with backoff and gets the same id each time; warmthctl
notifications shows what is delivered, pending and failed.

Readiness is triggered by the scenario of test_readiness.py: a senior
executive who follows and comments on three posts over 16 days of event
time (time.source: event)."""

import json
import os
import signal
import sqlite3
import subprocess

from harness import BASE_CONFIG, WARMTHCTL, Env, Receiver, check, event, run, executive_lines

T0 = 1793700000  # 2026-11-03, event time
DAY = 86400
CONFIG = BASE_CONFIG + "time:\n  source: event\n"
RECORD_KEYS = {"kind", "ts", "id", "actor", "name", "segment", "warmth", "reasons", "evidence",
               "note"}


def ready_lines(actor="ada", name="Ada Lovelace"):
    return executive_lines(actor, name, t0=T0)


def lines_of(env):
    path = os.path.join(env.dir, "notifications.jsonl")
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def outbox_ids(env):
    db = sqlite3.connect("file:%s?mode=ro" % env.db, uri=True)
    try:
        return [r[0] for r in db.execute("SELECT id FROM outbox ORDER BY seq")]
    finally:
        db.close()


def notifications(env, *flags):
    return json.loads(env.ctl("notifications", *flags).stdout)


def check_record(rec, actor="ada"):
    check(RECORD_KEYS <= set(rec), "record keys: %s" % sorted(rec))
    check(rec["kind"] == "ready" and rec["actor"] == actor, "record: %s" % rec)
    check(rec["segment"] == "senior_executive", "segment: %s" % rec)
    check(isinstance(rec["note"], str) and 0 < len(rec["note"]) <= 300,
          "note: %r" % rec.get("note"))
    check("Ada" in rec["note"], "the note does not name the contact: %r" % rec["note"])


def test_file_sink_exactly_one_line():
    env = Env("notify-file", CONFIG)
    env.append("a.jsonl", ready_lines())
    env.once()
    got = lines_of(env)
    check(len(got) == 1, "want one line: %s" % got)
    check_record(got[0])
    check(got[0]["id"] == outbox_ids(env)[0], "id %s vs outbox %s" % (got[0]["id"], outbox_ids(env)))
    n = notifications(env)
    check(len(n) == 1 and n[0]["state"] == "delivered" and n[0]["id"] == got[0]["id"],
          "notifications: %s" % n)
    check([d["state"] for d in n[0]["deliveries"]] == ["delivered"], "deliveries: %s" % n)
    check(n[0]["note"] == got[0]["note"], "note in the outbox: %s" % n[0])
    check(notifications(env, "--pending") == [] and notifications(env, "--failed") == [],
          "pending/failed not empty")
    # More runs, a restart, the same lines again: nothing is sent twice.
    env.append("a.jsonl", [event(T0 + 17 * DAY, "profile_view", "clock")] + ready_lines())
    env.once()
    env.start()
    # Counted before the append: the daemon commits a live line at once.
    before = env.processed()
    env.append("a.jsonl", [event(T0 + 18 * DAY, "profile_view", "clock")])
    env.wait_processed(before + 1)
    env.stop()
    check(len(lines_of(env)) == 1, "sent again: %s" % lines_of(env))
    env.close()


def test_crash_after_commit():
    """SIGKILL right after the ready batch commits, then a restart: one line."""
    env = Env("notify-kill", CONFIG)
    env.start()
    env.append("a.jsonl", ready_lines())
    env.wait(lambda: os.path.exists(env.db) and outbox_ids(env), "the ready row")
    env.kill()
    env.once()
    got = lines_of(env)
    check(len(got) == 1 and got[0]["id"] == outbox_ids(env)[0], "after the crash: %s" % got)
    # A crash between the write and its bookkeeping: the line is there but
    # the row says nothing. The file's last line tells the outbox.
    db = sqlite3.connect(env.db)
    db.execute("DELETE FROM deliveries")
    db.commit()
    db.close()
    env.once()
    check(len(lines_of(env)) == 1, "written twice: %s" % lines_of(env))
    n = notifications(env)
    check(n[0]["state"] == "delivered", "state after recovery: %s" % n)
    check(env.log_has("already in"), "recovery not logged:\n" + env.log_text())
    env.close()


def webhook_config(url, retry_min="50ms", retry_max="1s"):
    # The webhook joins BASE_CONFIG's notify list, which ends it.
    return (BASE_CONFIG + "  - type: webhook\n    url: %s\n    timeout: 2s\n    retry_min: %s\n"
            "    retry_max: %s\n" % (url, retry_min, retry_max) + "time:\n  source: event\n")


def webhook_of(n):
    return [d for d in n["deliveries"] if d["sink"].startswith("webhook")][0]


def test_webhook_retried_then_delivered_once():
    rx = Receiver([503, 503])
    try:
        env = Env("notify-webhook", webhook_config(rx.url))
        env.start()
        # A reload recreates the sinks; delivery goes on with the new ones.
        env.proc.send_signal(signal.SIGHUP)
        env.wait(lambda: env.log_has("configuration reloaded"), "the reload")
        env.append("a.jsonl", ready_lines())

        def delivered():
            n = notifications(env)
            return n and n[0]["state"] == "delivered" and len(n[0]["deliveries"]) == 2

        env.wait(delivered, "delivery after two 503s")
        env.stop()
        check(rx.count() == 3, "want 3 requests: %d" % rx.count())
        ids = {json.loads(r[2])["id"] for r in rx.requests}
        keys = {r[1].get("Idempotency-Key") for r in rx.requests}
        check(len(ids) == 1 and ids == keys, "ids %s, keys %s" % (ids, keys))
        check_record(json.loads(rx.requests[2][2]))
        n = notifications(env)[0]
        check(webhook_of(n)["attempts"] == 3 and webhook_of(n)["state"] == "delivered",
              "webhook delivery: %s" % n)
        check(len(lines_of(env)) == 1, "file: %s" % lines_of(env))
        # A restart sends nothing again.
        env.once()
        check(rx.count() == 3, "re-sent after restart: %d" % rx.count())
        env.close()
    finally:
        rx.close()


def test_pending_and_failed():
    rx = Receiver([503] * 100)
    try:
        env = Env("notify-pending", webhook_config(rx.url, retry_min="1h", retry_max="1h"))
        env.append("a.jsonl", ready_lines())
        env.once()
        check(rx.count() == 1, "one attempt, then a retry an hour later: %d" % rx.count())
        n = notifications(env, "--pending")
        check(len(n) == 1 and n[0]["state"] == "pending", "pending: %s" % n)
        w = webhook_of(n[0])
        check(w["state"] == "pending" and w["attempts"] == 1 and "503" in w["last_error"] and
              w["next_attempt"] is not None, "webhook pending: %s" % w)
        check(notifications(env, "--failed") == [], "failed not empty")
        r = subprocess.run([WARMTHCTL, "--db", env.db, "notifications"], capture_output=True,
                           text=True, timeout=60)
        check(r.returncode == 0 and "HTTP 503" in r.stdout and "pending" in r.stdout,
              "text: %s %s" % (r.stdout, r.stderr))
        env.close()
    finally:
        rx.close()
    rx = Receiver([400])
    try:
        env = Env("notify-failed", webhook_config(rx.url))
        env.append("a.jsonl", ready_lines())
        env.once()
        n = notifications(env, "--failed")
        check(len(n) == 1 and webhook_of(n[0])["state"] == "failed" and
              "400" in webhook_of(n[0])["last_error"], "failed: %s" % n)
        check(notifications(env, "--pending") == [], "pending not empty: %s" % notifications(env))
        env.close()
    finally:
        rx.close()


if __name__ == "__main__":
    run([test_file_sink_exactly_one_line, test_crash_after_commit,
         test_webhook_retried_then_delivered_once, test_pending_and_failed])
