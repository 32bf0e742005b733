"""Crash test: ~200k generated events are appended in chunks (some cut in
the middle of a line) while the daemon is killed with SIGKILL at several
points and restarted, with a rename rotation on the way. At the end every
actor's counts equal the generator's truth exactly, and events_rejected
equals the number of malformed lines."""

import json
import os
import random
import signal
import subprocess
import time

from harness import BASE_CONFIG, GEN, SANITIZED, Env, check, run


def load_truth(path):
    with open(path) as f:
        return json.load(f)


def test_sigkill_while_ingesting():
    crash_test("crash", 60000 if SANITIZED else 200000, BASE_CONFIG)


def test_sigkill_with_a_small_cache():
    """The same with 100 of the 3,000 contacts in memory: kills land while
    contacts are let go and read back from the database."""
    crash_test("crash-cache", 30000 if SANITIZED else 80000,
               BASE_CONFIG.replace("  database: ./state.db\n",
                                   "  database: ./state.db\n  contact_cache: 100\n"))


def crash_test(name, n_events, config):
    env = Env(name, config)
    data_path = os.path.join(env.dir, "all.jsonl")
    truth_path = os.path.join(env.dir, "truth.json")
    subprocess.run([GEN, "--seed", "42", "--events", str(n_events), "--contacts", "3000",
                    "--accounts", "2", "--malformed", "0.01", "--ids", "0.7",
                    "--duplicates", "0.02", "-o", data_path, "--truth", truth_path],
                   check=True)
    truth = load_truth(truth_path)
    with open(data_path, "rb") as f:
        data = f.read()
    total_lines = data.count(b"\n")
    check(truth["accepted"] + truth["rejected"] + truth["duplicate"] == total_lines,
          "truth totals %s vs %d lines" % ({k: truth[k] for k in ("accepted", "rejected",
                                                                   "duplicate")}, total_lines))

    rng = random.Random(7)
    # Chunk boundaries at arbitrary bytes: some chunks end mid-line.
    cuts = sorted(rng.sample(range(1, len(data)), 24)) + [len(data)]
    rotate_at = len(cuts) // 2
    # A writer never splits a line across a rotation: end the chunk before it
    # on a line boundary.
    rotate_pos = data.index(b"\n", cuts[rotate_at - 1]) + 1
    cuts = sorted(set(cuts + [rotate_pos]))
    kills = set(rng.sample(range(len(cuts)), 6))
    name = "app.jsonl"
    env.start()
    pos = 0
    for i, cut in enumerate(cuts):
        if pos == rotate_pos:
            # A file can only be followed through a rotation once its record
            # is committed: before that the daemon has no trace of it, and a
            # rotated name outside the glob is a file it never knew. (Under
            # ASan every kill can land before the first commit.)
            env.wait(lambda: any(i["path"].endswith("/app.jsonl") and i["offset"] > 0
                                 for i in (env.status_or_none() or {"inputs": []})["inputs"]),
                     "app.jsonl committed before its rotation", timeout=120)
            os.rename(env.path("app.jsonl"), env.path("app.jsonl.1"))
        env.append_bytes(name, data[pos:cut])
        pos = cut
        if i in kills:
            # Let it work a little, then kill it wherever it is.
            time.sleep(rng.uniform(0.0, 0.15))
            env.kill()
            env.start()
    last = env.wait_processed(total_lines, timeout=180)
    check(last["events_rejected"] == truth["rejected"],
          "rejected %d, want %d" % (last["events_rejected"], truth["rejected"]))
    check(last["events_duplicate"] == truth["duplicate"],
          "duplicate %d, want %d" % (last["events_duplicate"], truth["duplicate"]))
    check(last["events_accepted"] == truth["accepted"],
          "accepted %d, want %d" % (last["events_accepted"], truth["accepted"]))
    got = {}
    for c in env.export():
        got["%s\t%s" % (c["account"], c["actor"])] = {
            "name": c["name"], "relationship": c["relationship"], "counts": c["counts"]}
    want = truth["contacts"]
    check(len(got) == len(want), "%d contacts, want %d" % (len(got), len(want)))
    bad = [k for k in want if got.get(k) != want[k]]
    check(not bad, "%d contacts differ, e.g. %s: got %s want %s" %
          (len(bad), bad[0] if bad else "", got.get(bad[0]) if bad else "",
           want[bad[0]] if bad else ""))
    dl = env.dead_letters()
    check(len(dl) == truth["rejected"], "dead letters %d, want %d" % (len(dl), truth["rejected"]))
    seqs = [d["seq"] for d in dl]
    check(seqs == sorted(set(seqs)), "dead-letter seqs not unique and increasing")
    env.stop(signal.SIGTERM)
    env.close()


if __name__ == "__main__":
    run([test_sigkill_while_ingesting, test_sigkill_with_a_small_cache])
