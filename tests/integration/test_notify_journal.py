"""Black-box tests of the journal notifier through the real daemon: a
journal notifier with nobody listening (no journald socket, no syslog
socket) must not count a notification as delivered. notify-test says it
failed, the notification stays pending with the reason in
`warmthctl notifications`, the metrics count the retries, and once a
journald appears (a datagram socket the test binds and reads) the
retried notification reaches it, once."""

import os
import socket

from harness import BASE_CONFIG, Env, check, run
from test_metrics import free_port, http_get, parse
from test_notify import notifications, ready_lines
from test_notify_commands import ctl
from test_sinks import journal_fields


def journal_config(port):
    return (BASE_CONFIG + "  - type: journal\n    socket: ./journal.sock\n"
            "    syslog_socket: ./log.sock\n    retry_min: 50ms\n    retry_max: 200ms\n"
            "time:\n  source: event\nmetrics:\n  listen: 127.0.0.1:%d\n" % port)


def journal_of(n):
    return [d for d in n["deliveries"] if d["sink"].startswith("journal")][0]


def metric(port, name):
    status, _, body = http_get("http://127.0.0.1:%d/metrics" % port)
    check(status == 200, "GET /metrics: %d" % status)
    return parse(body).get(name, 0)


def test_journal_absent_is_retried_then_delivered():
    port = free_port()
    env = Env("notify-journal", journal_config(port))
    env.start()
    journal_path = os.path.join(env.dir, "journal.sock")
    name = "journal"
    r = ctl(env, "notify-test", "journal", expect=1)
    check("journal at %s" % journal_path in r.stderr and "No such file or directory" in r.stderr
          and "retried" in r.stderr, "notify-test reports the failure: %r" % r.stderr)

    env.append("a.jsonl", ready_lines())

    def retried():
        n = notifications(env, "--pending")
        return n and journal_of(n[0])["attempts"] >= 2
    env.wait(retried, "the journal delivery to be retried")
    j = journal_of(notifications(env, "--pending")[0])
    check(j["state"] == "pending" and "log.sock" in j["last_error"] and j["next_attempt"] is not None,
          "pending with the reason: %s" % j)
    check(notifications(env, "--failed") == [], "not failed: %s" % notifications(env))
    retried_total = metric(port, 'warmthd_notifications_total{sink="%s",result="retried"}' % name)
    check(retried_total >= 2, "the metrics count the retries: %r" % retried_total)
    check(metric(port, 'warmthd_notifications_total{sink="%s",result="delivered"}' % name) == 0,
          "nothing counted delivered")

    # journald appears: the next retry reaches it.
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(journal_path)
    sock.settimeout(20)
    try:
        fields = journal_fields(sock.recv(65536))

        def delivered():
            got = notifications(env)
            return got and journal_of(got[0])["state"] == "delivered"
        env.wait(delivered, "the journal delivery")
        check(fields["WARMTH_ACTOR"] == "ada" and fields["WARMTH_KIND"] == "ready" and
              fields["MESSAGE"].startswith("READY: Ada Lovelace"), "the entry: %r" % fields)
        r = ctl(env, "notify-test", "journal")
        check("delivered" in r.stdout, "notify-test: %r" % r.stdout)
        test_fields = journal_fields(sock.recv(65536))
        check(test_fields["WARMTH_KIND"] == "test", "the sample: %r" % test_fields)
        sock.settimeout(0.3)
        try:
            extra = sock.recv(65536)
            check(False, "one entry per notification, got another: %r" % extra)
        except socket.timeout:
            pass
    finally:
        sock.close()
    check(metric(port, 'warmthd_notifications_total{sink="%s",result="delivered"}' % name) == 1,
          "one delivery counted")
    env.stop()
    env.close()


if __name__ == "__main__":
    run([test_journal_absent_is_retried_then_delivered])
