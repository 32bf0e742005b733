"""The files the daemon writes and cuts (the file notifier's file and the
dead-letter file: each has a partial last line cut away when opened) are
never opened through a symbolic link. Whoever can write their directory
could otherwise plant a link at the path (after a rotation moved the file
away) and have the daemon cut and append to any file it may write, its
own database among them."""

import json
import os

import subprocess

from harness import BASE_CONFIG, WARMTHD, Env, check, event, run

T0 = 1793700000
DAY = 86400
VICTIM = b"a line of someone else's file\nand its unfinished last line"


def lines():
    return [event(T0, "follow", "ada", name="Ada Lovelace", id="a0"),
            event(T0 + DAY, "comment", "ada", post="p1", title="Remote teams", id="a1",
                  text="I love how you framed async collaboration as a habit, not a tool."),
            event(T0 + 2 * DAY, "comment", "ada", post="p2", title="Remote", id="a2",
                  text="Async beats meetings for deep work, in my team at least."),
            "this line is not JSON"]


def once(env):
    """warmthd --once, whatever its exit status (a refused file may fail it): stderr into the log."""
    r = subprocess.run([WARMTHD, "-c", env.config, "--once"], capture_output=True, text=True, timeout=120)
    with open(os.path.join(env.dir, "warmthd.log"), "a") as f:
        f.write(r.stderr)
    return r


def plant(env, name):
    victim = os.path.join(env.dir, "victim-" + name)
    with open(victim, "wb") as f:
        f.write(VICTIM)
    os.symlink(victim, os.path.join(env.dir, name))
    return victim


def unchanged(victim, what):
    with open(victim, "rb") as f:
        data = f.read()
    check(data == VICTIM, "%s: the file behind the link was changed: %r" % (what, data))


def test_dead_letter_link_refused():
    env = Env("deadlink", BASE_CONFIG.replace("notify:\n  - type: file\n    path: ./notifications.jsonl\n",
                                              "notify: []\n") + "time:\n  source: event\n")
    victim = plant(env, "rejected.jsonl")
    env.append("a.jsonl", lines())
    once(env)
    unchanged(victim, "dead_letter")
    check(env.log_has("symbolic link"), "no word of the refused link in the log:\n%s" %
          env.log_text()[-2000:])
    env.close()


def test_notifier_link_refused():
    env = Env("notifylink", BASE_CONFIG + "time:\n  source: event\n")
    victim = plant(env, "notifications.jsonl")
    env.append("a.jsonl", lines())
    once(env)
    unchanged(victim, "file notifier")
    check(env.log_has("symbolic link"), "no word of the refused link in the log:\n%s" %
          env.log_text()[-2000:])
    env.close()


def test_notifier_link_after_rotation_refused():
    """Rotated away while running, then a link planted at the path."""
    env = Env("notifyrot", BASE_CONFIG + "time:\n  source: event\n")
    env.append("a.jsonl", lines()[:1])
    env.start()
    env.wait_processed(1)
    path = os.path.join(env.dir, "notifications.jsonl")
    os.rename(path, path + ".1") if os.path.exists(path) else None
    victim = plant(env, "notifications.jsonl")
    env.append("a.jsonl", lines()[1:3])
    env.wait_processed(3)
    env.wait(lambda: env.log_has("symbolic link"), "the refused link in the log", timeout=20)
    env.stop()
    unchanged(victim, "file notifier after rotation")
    env.close()


if __name__ == "__main__":
    run([test_dead_letter_link_refused, test_notifier_link_refused,
         test_notifier_link_after_rotation_refused])
