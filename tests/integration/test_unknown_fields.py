"""Black-box tests of unknown event fields: still ignored (forward
compatible), but counted per name in `warmthctl status` (text and JSON)
and the metrics, bounded by ingest.unknown_fields (the rest as "other"),
with a "did you mean" in the log once per near-miss name. Lines come from
a file (a run long enough for the parse-ahead worker, and live lines the
loop parses) and from the HTTP push."""

import json
import subprocess

from harness import BASE_CONFIG, WARMTHCTL, Env, check, event, run
from test_http_events import post, push_env, start
from test_metrics import http_get, parse

T0 = 1793700000


def daemon_status(env, *flags):
    r = subprocess.run([WARMTHCTL, "-c", env.config] + list(flags) + ["status"],
                       capture_output=True, text=True, timeout=60)
    check(r.returncode == 0, "status: %s %s" % (r.stdout, r.stderr))
    return r.stdout


def metrics(port):
    status, _, body = http_get("http://127.0.0.1:%d/metrics" % port)
    check(status == 200, "GET /metrics: %d" % status)
    return parse(body)


def test_unknown_fields_counted_and_near_misses_warned():
    env = push_env("unknown-fields")
    port = env.port
    # A run of well over 64 KiB: most of it parsed by the second core.
    bulk = [event(T0 + i, "like", "ada", post="p%d" % i, post_title="Remote teams", source="ext")
            for i in range(3000)]
    env.append("a.jsonl", bulk)
    start(env)
    env.wait_processed(len(bulk))
    # Live lines: one rejected (timestamp for ts) still tells its fields.
    env.append("a.jsonl", [
        json.dumps({"timestamp": T0, "type": "like", "actor": "bob"}),
        event(T0 + 5000, "comment", "bob", post="p1", postTitle="x", other=1,
              **{"we\"ird\\name": 1, "esc\u001b[31m": 2}),
    ])
    env.wait_processed(len(bulk) + 2)
    status, _, res = post(env, event(T0 + 6000, "like", "cyd", post="p9", post_title="Pushed") + "\n")
    check(status == 200 and res["results"][0]["status"] == "accepted", "push: %s %s" % (status, res))

    st = json.loads(daemon_status(env, "--json"))
    want = {"post_title": len(bulk) + 1, "source": len(bulk), "timestamp": 1, "postTitle": 1,
            "we\"ird\\name": 1, "other": 2}
    check(st["unknown_fields"] == want, "status unknown_fields: %s" % st["unknown_fields"])
    check(st["events_accepted"] == len(bulk) + 2 and st["events_rejected"] == 1,
          "still ignored, lines counted as before: %s" % st)
    text = daemon_status(env)
    check("post_title %d" % (len(bulk) + 1) in text and "timestamp 1" in text,
          "status text: %s" % text)
    check("\x1b" not in text, "no control character reaches the terminal: %r" % text)

    m = metrics(port)
    check(m['warmthd_unknown_fields_total{field="post_title"}'] == len(bulk) + 1, "metrics")
    check(m['warmthd_unknown_fields_total{field="we\\"ird\\\\name"}'] == 1,
          "label value escaped: %s" % [k for k in m if "unknown" in k])
    check(m['warmthd_unknown_fields_total{field="other"}'] == 2, "other")

    log = env.log_text(whole=True)
    check(log.count('unknown field "post_title" ignored; did you mean "title"?') == 1,
          "warned once for post_title:\n%s" % log[-3000:])
    check(log.count('unknown field "timestamp" ignored; did you mean "ts"?') == 1,
          "a rejected line's near miss too")
    check(log.count('unknown field "postTitle" ignored; did you mean "title"?') == 1, "postTitle")
    check('unknown field "source"' not in log, "no warning without a near miss")
    # The title was not taken from post_title: forward compatible, not guessed.
    show = json.loads(subprocess.run([WARMTHCTL, "-c", env.config, "--json", "show", "ada"],
                                     capture_output=True, text=True, timeout=60).stdout)
    check("Remote teams" not in json.dumps(show), "post_title is ignored: %s" % show)
    env.stop()
    env.close()


def test_unknown_fields_bounded():
    env = Env("unknown-fields-bound",
              BASE_CONFIG.replace("ingest:\n", "ingest:\n  unknown_fields: 2\n"))
    env.append("a.jsonl", [event(T0 + i, "like", "ada", post="p", **{"f%d" % (i % 5): 1})
                           for i in range(10)])
    env.start()
    env.wait_processed(10)
    st = json.loads(daemon_status(env, "--json"))
    check(st["unknown_fields"] == {"f0": 2, "f1": 2, "other": 6},
          "two names, the rest other: %s" % st["unknown_fields"])
    env.stop()
    env.close()


if __name__ == "__main__":
    run([test_unknown_fields_counted_and_near_misses_warned, test_unknown_fields_bounded])
