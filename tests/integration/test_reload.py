"""Reloads under load: SIGHUP in a tight loop while lines, rejects and
notifications keep coming. The commit runs on libuv's thread pool while a
reload replaces (and frees) configurations on the loop; whatever the pool
reads must be its own, which the sanitizer builds check (AddressSanitizer:
a read of a freed config; ThreadSanitizer, tools/test.sh: a race). Every
line still counts exactly once and every reject reaches the dead-letter
file exactly once."""

import json
import os
import signal
import sqlite3
import threading
import time

from harness import BASE_CONFIG, Env, SANITIZED, check, event, run

T0 = 1793700000
CONFIG = BASE_CONFIG.replace("  batch_interval: 20ms\n", "  batch_interval: 1ms\n")


def _storm(env, seconds, every=0.001):
    """SIGHUPs the daemon every `every` seconds for `seconds`; returns how many."""
    sent = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        env.proc.send_signal(signal.SIGHUP)
        sent += 1
        time.sleep(every)
    return sent


def test_reload_storm_during_commits_and_dead_letters():
    env = Env("reload-storm", CONFIG)
    env.start()
    rounds = 150 if SANITIZED else 400
    done = threading.Event()

    def writer():
        # A good line and a reject per round, each round its own commit
        # (batch_interval 1ms): a dead-letter flush follows nearly every commit.
        for i in range(rounds):
            env.append("a.jsonl", [event(T0 + i, "like", "u%d" % (i % 50), post="p%d" % i),
                                   "not json %d {" % i])
            time.sleep(0.002)
        done.set()

    t = threading.Thread(target=writer)
    t.start()
    sent = 0
    while not done.is_set():
        sent += _storm(env, 0.2)
        check(env.proc.poll() is None, "daemon died during the reloads:\n" + env.log_text())
    t.join()
    st = env.wait_processed(2 * rounds)
    check(st["events_accepted"] == rounds and st["events_rejected"] == rounds,
          "exact counts after %d SIGHUPs: %s" % (sent, st))
    env.wait(lambda: len(env.dead_letters()) == rounds, "%d dead letters" % rounds)
    seqs = [d["seq"] for d in env.dead_letters()]
    check(len(set(seqs)) == rounds, "each reject once in the dead-letter file")
    check("configuration reloaded" in open(os.path.join(env.dir, "warmthd.log"),
                                           errors="replace").read(), "reloads happened")
    rc = env.stop()
    check(rc == 0, "exit status %s after the storm:\n%s" % (rc, env.log_text()))
    env.close()


def test_reload_storm_during_a_long_dead_letter_flush():
    """A flush that takes long on the thread pool while reloads free
    configs: here the dead-letter file ends in 128 MiB without a newline
    (a sparse file: an interrupted write's fragment, as a full disk
    leaves), which the flush scans back through before it cuts it away and
    names the path in its warning. Every reject then lands in the file
    exactly once."""
    env = Env("reload-long-flush", CONFIG)
    env.start()
    with open(env.dead_letter, "wb") as f:
        f.truncate(128 << 20)
    env.append("a.jsonl", [event(T0, "like", "u1", post="p1")] + ["bad %d" % k for k in range(50)])
    deadline = time.monotonic() + (60 if SANITIZED else 15)
    # Until the flush has cut the fragment away (the file shrinks).
    while os.path.getsize(env.dead_letter) >= (128 << 20) and time.monotonic() < deadline:
        _storm(env, 0.05, every=0.0005)
        check(env.proc.poll() is None, "daemon died during the reloads:\n" + env.log_text())
    env.wait_processed(51)
    env.wait(lambda: len(env.dead_letters()) == 50, "every reject written")
    # In the whole log: its last 8,000 characters can be all reloads logged after the cut.
    check(env.log_has("removing a partial last line"), "the fragment was cut")
    seqs = [d["seq"] for d in env.dead_letters()]
    check(len(set(seqs)) == 50, "each reject once")
    rc = env.stop()
    check(rc == 0, "exit status %s:\n%s" % (rc, env.log_text()))
    env.close()


def test_reload_storm_changing_the_dead_letter_path():
    """The dead-letter path itself changes at every other reload: each flush
    writes to the path of the config in force when its commit began, and
    every reject lands in one of the two files exactly once."""
    env = Env("reload-path", CONFIG)
    other = CONFIG.replace("dead_letter: ./rejected.jsonl", "dead_letter: ./rejected2.jsonl")
    env.start()
    rounds = 100 if SANITIZED else 300
    for i in range(rounds):
        env.append("a.jsonl", [event(T0 + i, "comment", "u%d" % (i % 20), post="p%d" % i,
                                     text="t"), "bad %d" % i])
        # Replaced whole (rename), so a reload never reads half a file.
        tmp = env.config + ".tmp"
        with open(tmp, "w") as f:
            f.write(other if i % 2 else CONFIG)
        os.chmod(tmp, 0o644)
        os.rename(tmp, env.config)
        env.proc.send_signal(signal.SIGHUP)
        time.sleep(0.001)
    env.write_config(CONFIG)
    env.proc.send_signal(signal.SIGHUP)
    env.wait_processed(2 * rounds)

    def lines(name):
        p = os.path.join(env.dir, name)
        if not os.path.exists(p):
            return []
        with open(p) as f:
            return [json.loads(x) for x in f if x.strip()]

    env.wait(lambda: len(lines("rejected.jsonl")) + len(lines("rejected2.jsonl")) == rounds,
             "every reject in one of the files")
    check(_queued_rejects(env) == 0, "nothing left queued")
    seqs = [d["seq"] for d in lines("rejected.jsonl") + lines("rejected2.jsonl")]
    check(len(set(seqs)) == rounds, "each reject exactly once across the two files")
    rc = env.stop()
    check(rc == 0, "exit status %s:\n%s" % (rc, env.log_text()))
    env.close()


def _queued_rejects(env):
    con = sqlite3.connect("file:%s?mode=ro" % env.db, uri=True, timeout=5)
    try:
        return con.execute("SELECT count(*) FROM rejects").fetchone()[0]
    finally:
        con.close()


if __name__ == "__main__":
    run([test_reload_storm_during_commits_and_dead_letters,
         test_reload_storm_during_a_long_dead_letter_flush,
         test_reload_storm_changing_the_dead_letter_path])
