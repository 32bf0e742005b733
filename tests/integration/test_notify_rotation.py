"""The file notifier's file rotated under a running daemon: renamed away
(the daemon starts a new file at the path), removed, copied and truncated
in place (copytruncate), or replaced by something that cannot be written
(the notification waits and is retried, never recorded as delivered).
Every notification lands exactly once, in the file that was at the path
when it was written."""

import json
import os
import shutil

from harness import BASE_CONFIG, Env, check, event, run, executive_lines

T0 = 1793700000  # event time
DAY = 86400
CONFIG = BASE_CONFIG.replace("    path: ./notifications.jsonl\n",
                             "    path: ./notifications.jsonl\n"
                             "    retry_min: 20ms\n    retry_max: 100ms\n") + \
    "time:\n  source: event\n"


def ready_lines(actor):
    """A senior executive ready at the third comment (harness.executive_lines)."""
    return executive_lines(actor, actor.title() + " Lovelace", t0=T0)


def records(path):
    if not os.path.exists(path):
        return []
    with open(path, "rb") as f:
        data = f.read()
    check(b"\0" not in data, "%s has NUL bytes (written past a truncation): %r" % (path, data[:80]))
    return [json.loads(line) for line in data.decode().splitlines() if line.strip()]


def delivered(env):
    out = json.loads(env.ctl("notifications").stdout)
    return {n["actor"]: n["state"] for n in out}


def test_file_notifier_rotation():
    env = Env("notify-rotation", CONFIG)
    path = os.path.join(env.dir, "notifications.jsonl")
    env.start()

    def ready(actor):
        env.append("a.jsonl", ready_lines(actor))

    def actors(p):
        return [r["actor"] for r in records(p)]

    ready("ada")
    env.wait(lambda: actors(path) == ["ada"], "ada's notification")

    # Renamed away (logrotate's default): the next goes to a new file at the path.
    os.rename(path, path + ".1")
    ready("bob")
    env.wait(lambda: actors(path) == ["bob"], "bob's notification in a new file")
    check(actors(path + ".1") == ["ada"], "the renamed file got nothing more: %s" %
          actors(path + ".1"))

    # Removed: a new file again.
    os.unlink(path)
    ready("cyd")
    env.wait(lambda: actors(path) == ["cyd"], "cyd's notification in a new file")

    # copytruncate: the same file, emptied in place; the next line starts at 0.
    shutil.copy(path, path + ".2")
    os.truncate(path, 0)
    ready("dee")
    env.wait(lambda: actors(path) == ["dee"], "dee's notification after copytruncate")

    # Something that cannot be written stands at the path: the notification
    # waits (retried), and is not recorded as delivered.
    os.rename(path, path + ".3")
    os.mkdir(path)
    ready("eve")
    env.wait(lambda: "eve" in delivered(env) and env.log_has("cannot open"),
             "eve's notification tried")
    check(delivered(env)["eve"] != "delivered", "eve recorded as delivered: %s" % delivered(env))
    check(actors(path + ".3") == ["dee"], "nothing went to the moved file: %s" %
          actors(path + ".3"))
    os.rmdir(path)
    env.wait(lambda: actors(path) == ["eve"], "eve delivered once the path is writable")

    every = (actors(path + ".1") + actors(path + ".2") + actors(path + ".3") + actors(path))
    # bob's file was removed; cyd's was copied to .2 before the truncation.
    check(every == ["ada", "cyd", "dee", "eve"], "each notification once: %s" % every)
    env.wait(lambda: set(delivered(env).values()) == {"delivered"}, "all delivered")
    check(len(delivered(env)) == 5, "five notifications: %s" % delivered(env))
    env.stop()
    # A restart reads the last line of the file now at the path: nothing again.
    env.start()
    env.wait(lambda: env.log_has("started"), "restart")
    ready("fay")
    env.wait(lambda: actors(path) == ["eve", "fay"], "fay after the restart")
    env.stop()
    env.close()


if __name__ == "__main__":
    run([test_file_notifier_rotation])
