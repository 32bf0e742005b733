"""The dashboard in a real browser: Debian's chromium, headless, driven by
playwright-core (tests/browser/package.json; no browser download) against
the real daemon with generated data and the dashboard on. The daemon and
the expected answers (warmthctl --json) are set up here; dashboard.test.js
loads each page, compares it with them, changes state with the buttons
(by mouse and by keyboard) and checks warmthctl sees the change.

Exit 77 (ctest's SKIP_RETURN_CODE) only when chromium, node or
playwright-core cannot be had. WARMTH_SCREENSHOTS=DIR also writes each
page at desktop and phone width to DIR (tools/screenshots.sh)."""

import json
import os
import shutil
import socket
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

from harness import (BASE_CONFIG, GEN, WARMTHCTL, Env, Receiver, check, event, executive_lines,  # noqa: E402
                     free_port)

CHROMIUM = "/usr/bin/chromium"
SKIP = 77

# A contact whose name and comment are markup: the page must show them as
# text (and run nothing).
HOSTILE_NAME = '<img src=x onerror="window.__pwned=1">Eve <b>Hostile</b>'
HOSTILE_TEXT = '<script>window.__pwned=2</script> nice post'


def skip(why):
    print("skipped: " + why)
    sys.exit(SKIP)


def playwright_ready():
    """playwright-core from the lock file, installed in this folder once."""
    if os.path.isdir(os.path.join(HERE, "node_modules", "playwright-core")):
        return True
    npm = shutil.which("npm")
    if npm is None:
        return False
    r = subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts"], cwd=HERE,
                       capture_output=True, text=True, timeout=240)
    if r.returncode != 0:
        print(r.stdout + r.stderr)
    return r.returncode == 0


def ctl(env, *args):
    r = subprocess.run([WARMTHCTL, "-s", os.path.join(env.dir, "control.sock"), "--json"] + list(args),
                       capture_output=True, text=True, timeout=60)
    check(r.returncode == 0, "warmthctl %s: %s" % (" ".join(args), r.stderr))
    return json.loads(r.stdout)


def outbox(env, *args):
    """warmthctl notifications (it reads the database, not the socket)."""
    r = subprocess.run([WARMTHCTL, "--db", env.db, "-c", env.config, "--json", "notifications"] + list(args),
                       capture_output=True, text=True, timeout=60)
    check(r.returncode == 0, "warmthctl notifications: %s" % r.stderr)
    return json.loads(r.stdout)


def main():
    node = shutil.which("node")
    if not os.access(CHROMIUM, os.X_OK) or node is None:
        skip("needs chromium and node (tools/deps.sh --test installs them)")
    if not playwright_ready():
        skip("needs playwright-core from npm (npm ci in tests/browser)")

    port = free_port()
    # A webhook that refuses its first notification (400, not retried) and
    # takes the others: Health shows one failed, to deliver again.
    rx = Receiver([400])
    env = Env("browser", BASE_CONFIG + "  - type: webhook\n    url: %s\n    retry_min: 50ms\n"
              "time:\n  source: event\nmetrics:\n  listen: 127.0.0.1:%d\n"
              "http:\n  dashboard: true\n  dashboard_token_file: ./dashboard.token\n" % (rx.url, port))
    # Generated engagement, sorted so the replay is the same each run, and
    # two contacts ready at its end: a plain one and one named in markup.
    gen = env.path("gen.jsonl")
    subprocess.run([GEN, "--seed", "11", "--contacts", "300", "--events", "6000", "--days", "42",
                    "--malformed", "0.01", "--sorted", "--snapshot-every", "1500",
                    "--start", "2026-10-01T00:00:00Z", "-o", gen], check=True)
    t_end = 1793491200  # 2026-11-01, shortly before the generated history ends
    lines = executive_lines("ada", "Ada Lovelace", t0=t_end)
    lines += executive_lines("eve", HOSTILE_NAME, t0=t_end + 60)
    lines.append(event(t_end + 16 * 86400 + 120, "comment", "eve", post="p9", title="<i>Title</i>",
                       text=HOSTILE_TEXT, id="eve9"))
    env.append("extra.jsonl", lines)
    env.start()
    with open(gen, "rb") as f:
        total = sum(1 for _ in f) + len(lines)
    env.wait(lambda: (lambda s: s["events_accepted"] + s["events_rejected"] + s["events_duplicate"]
                      >= total)(ctl(env, "status")), "the generated history")
    env.wait(lambda: outbox(env, "--failed") and not outbox(env, "--pending"),
             "one failed notification and none pending")
    plan = ctl(env, "plan")
    check(any(c["actor"] == "eve" for c in plan["invite"]), "eve is to invite: %s" % plan["invite"])
    context = {
        "url": ctl(env, "dashboard")["url"],
        "warmthctl": [WARMTHCTL, "-s", os.path.join(env.dir, "control.sock"), "--json"],
        "warmthctl_db": [WARMTHCTL, "--db", env.db, "-c", env.config, "--json"],
        "plan": plan,
        "shows": {c["actor"]: ctl(env, "show", c["actor"]) for c in plan["invite"][:3] + [{"actor": "eve"}]},
        "metrics": ctl(env, "metrics"),
        "status": ctl(env, "status"),
        "failed": outbox(env, "--failed"),
        "hostile_name": HOSTILE_NAME,
        "hostile_text": HOSTILE_TEXT,
        "screenshots": os.environ.get("WARMTH_SCREENSHOTS", ""),
    }
    ctx = os.path.join(env.dir, "context.json")
    with open(ctx, "w") as f:
        json.dump(context, f)
    r = subprocess.run([node, os.path.join(HERE, "dashboard.test.js"), ctx], timeout=120)
    check(r.returncode == 0, "the browser checks failed (exit %d)" % r.returncode)
    env.close()
    rx.close()
    check(rx.count() >= 2, "the failed notification was sent again: %d requests" % rx.count())
    print("1 passed, 0 failed")


if __name__ == "__main__":
    main()
