"""metrics: the HTTP endpoint scraped by a real HTTP client (curl when
installed, else urllib), the textfile written for node_exporter, and the
validation of metrics.listen."""

import json
import os
import shutil
import socket
import subprocess
import sys
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
from harness import BASE_CONFIG, WARMTHCTL, WARMTHD, Env, check, event, free_port, run  # noqa: E402


def http_get(url):
    """(status, content type, body) of a GET."""
    if shutil.which("curl"):
        r = subprocess.run(["curl", "-sS", "--max-time", "10", "-o", "-", "-w",
                            "\n%{http_code} %{content_type}", url],
                           capture_output=True, text=True, timeout=20)
        check(r.returncode == 0, "curl %s: %s" % (url, r.stderr))
        body, _, last = r.stdout.rpartition("\n")
        code, _, ctype = last.partition(" ")
        return int(code), ctype, body
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            return resp.status, resp.headers.get("Content-Type", ""), resp.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", ""), e.read().decode()


def parse(text):
    """{'name{labels}': value} of the samples; checks every line's shape."""
    samples = {}
    for line in text.splitlines():
        if line.startswith("# HELP ") or line.startswith("# TYPE "):
            continue
        check(line and not line.startswith("#"), "unexpected line %r" % line)
        name, _, value = line.rpartition(" ")
        samples[name] = float(value)
    return samples


def test_scrape_and_textfile():
    port = free_port()
    env = Env("metrics", BASE_CONFIG + "metrics:\n  listen: 127.0.0.1:%d\n"
              "  textfile: ./metrics.prom\n  interval: 1s\n" % port)
    env.append("a.jsonl", [event(1000, "like", "ada", post="p1"),
                           event(1001, "comment", "ada", post="p1"),
                           event(1002, "like", "bob", post="p2"),
                           "this is not json"])
    env.start()
    env.wait_processed(4)
    url = "http://127.0.0.1:%d" % port
    status, ctype, body = http_get(url + "/metrics")
    check(status == 200, "GET /metrics: %d" % status)
    check(ctype.startswith("text/plain; version=0.0.4"), "content type %r" % ctype)
    m = parse(body)
    check(m['warmthd_events_total{type="like"}'] == 2, body)
    check(m['warmthd_events_total{type="comment"}'] == 1, body)
    check(m['warmthd_events_rejected_total{reason="not_json"}'] == 1, body)
    check(m["warmthd_events_duplicate_total"] == 0, body)
    check(m["warmthd_contacts"] == 2, body)
    check(m['warmthd_input_lag_bytes{path="%s"}' % env.path("a.jsonl")] == 0, body)
    check(m['warmthd_batch_commit_seconds_bucket{le="+Inf"}'] >= 1, body)
    check(m['warmthd_batch_commit_seconds_bucket{le="+Inf"}'] ==
          m["warmthd_batch_commit_seconds_count"], body)
    check(any(k.startswith("warmthd_build_info{") for k in m), body)
    # The config's file notifier is counted (nothing to deliver yet).
    check(any(k.startswith("warmthd_notifications_total{sink=") and k.endswith('result="delivered"}')
              for k in m), body)
    status, _, _ = http_get(url + "/other")
    check(status == 404, "GET /other: %d" % status)

    # The textfile is rewritten every second: wait for one with the counts.
    prom = os.path.join(env.dir, "metrics.prom")

    def written():
        try:
            with open(prom) as f:
                t = parse(f.read())
        except (OSError, ValueError):
            return False
        return t.get('warmthd_events_rejected_total{reason="not_json"}') == 1

    env.wait(written, "the textfile with the counts", timeout=10)
    check(not os.path.exists(prom + ".tmp"), "temporary file left behind")
    check(env.stop() == 0, "exit status:\n" + env.log_text())
    env.close()


def test_ready_queue():
    """The ready queue by account: contacts ready now and those waiting for
    the invitation budget, counted by the engine as it evaluates them."""
    port = free_port()
    day = 86400
    t0 = 1793700000
    env = Env("metrics-ready", BASE_CONFIG + "time:\n  source: event\n"
              "readiness:\n  weekly_invites: 1\n"
              "metrics:\n  listen: 127.0.0.1:%d\n" % port)
    lines = []
    for who in ("ada", "bea", "cy"):
        lines += [event(t0, "follow", who, actor_connections=12000),
                  event(t0 + 2 * day, "comment", who, post="p1", text="Great"),
                  event(t0 + 9 * day, "comment", who, post="p2", text="Agreed"),
                  event(t0 + 16 * day, "comment", who, post="p3", text="Yes")]
    env.append("a.jsonl", lines)
    env.start()
    env.wait_processed(len(lines))
    url = "http://127.0.0.1:%d/metrics" % port

    def queue():
        m = parse(http_get(url)[2])
        return (m.get('warmthd_ready_contacts{account="default"}'),
                m.get('warmthd_ready_queued{account="default"}'))

    # Three ready, a budget of one: one notified, two waiting.
    env.wait(lambda: queue() == (3, 2), "3 ready and 2 queued (now %s)" % (queue(),))
    ready = subprocess.run([WARMTHCTL, "-c", env.config, "--json", "ready"], capture_output=True,
                           text=True, timeout=60)
    check(len(json.loads(ready.stdout)) == 3, "warmthctl ready: %s" % ready.stdout)
    # An invitation sent: that contact is no longer ready.
    r = subprocess.run([WARMTHCTL, "-c", env.config, "mark", "bea", "invited"],
                       capture_output=True, text=True, timeout=60)
    check(r.returncode == 0, "mark: %s" % r.stderr)
    env.wait(lambda: queue()[0] == 2, "2 ready after an invitation (now %s)" % (queue(),))
    check(env.stop() == 0, "exit status:\n" + env.log_text())
    env.close()


def test_listen_validation():
    for listen, allow, ok in [("10.1.2.3:9464", None, False), ("127.0.0.1", None, False),
                              ("127.0.0.1:70000", None, False), ("[::1]:9464", None, True),
                              ("10.1.2.3:9464", "true", True), ("localhost:9464", None, False)]:
        text = BASE_CONFIG + "metrics:\n  listen: \"%s\"\n" % listen
        if allow:
            text += "  allow_remote: %s\n" % allow
        env = Env("metrics-conf", text)
        r = subprocess.run([WARMTHD, "-t", "-c", env.config], capture_output=True, text=True,
                           timeout=30)
        if ok:
            check(r.returncode == 0, "%s should be accepted: %s" % (listen, r.stdout + r.stderr))
        else:
            check(r.returncode != 0 and "metrics.listen" in r.stdout + r.stderr,
                  "%s should be refused: %s" % (listen, r.stdout + r.stderr))
        env.close()


if __name__ == "__main__":
    run([test_scrape_and_textfile, test_ready_queue, test_listen_validation])
