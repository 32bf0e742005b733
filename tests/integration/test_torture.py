"""Crash torture: a generated stream (with malformed lines, duplicate ids
and people who become ready) is appended in chunks cut at random bytes,
rotated by rename every few chunks, while the daemon is killed with SIGKILL
after a random moment (reading, committing, rotating, delivering) and
restarted, for WARMTH_TORTURE_ITERATIONS iterations (default 60; 20 under
the sanitizers). After every 10th kill the database passes PRAGMA
integrity_check. At the end: per-actor counts equal the generator's truth,
every rejected line is in the dead-letter file once, and the file sink
holds every notification of the outbox exactly once."""

import json
import os
import random
import sqlite3
import subprocess
import time

from harness import BASE_CONFIG, GEN, SANITIZED, Env, check, run

CONFIG = BASE_CONFIG + "time:\n  source: event\n"


def integrity(db_path):
    db = sqlite3.connect("file:%s?mode=ro" % db_path, uri=True)
    try:
        return db.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        db.close()


def outbox_ids(db_path):
    db = sqlite3.connect("file:%s?mode=ro" % db_path, uri=True)
    try:
        return [r[0] for r in db.execute("SELECT id FROM outbox ORDER BY seq")]
    finally:
        db.close()


def file_ids(env):
    path = os.path.join(env.dir, "notifications.jsonl")
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line)["id"] for line in f if line.strip()]


def committed(env, name):
    """Whether the file now at name is committed to its end. A record under
    that name with some offset is not enough: after a restart it may still
    be the previous file's, renamed while the daemon was down, and a file
    never committed cannot be followed through its own rename."""
    size = os.path.getsize(env.path(name))
    st = env.status_or_none() or {"inputs": []}
    return any(i["path"].endswith("/" + name) and i["offset"] == i["size"] == size
               for i in st["inputs"])


def test_kill_rotate_torture():
    iterations = int(os.environ.get("WARMTH_TORTURE_ITERATIONS", "20" if SANITIZED else "60"))
    seed = int(os.environ.get("WARMTH_TORTURE_SEED", "11"))
    env = Env("torture", CONFIG)
    data_path = os.path.join(env.dir, "all.jsonl")
    truth_path = os.path.join(env.dir, "truth.json")
    subprocess.run([GEN, "--seed", str(seed), "--events", "30000", "--contacts", "600",
                    "--days", "56", "--malformed", "0.01", "--ids", "0.8", "--duplicates", "0.02",
                    "-o", data_path, "--truth", truth_path], check=True)
    with open(truth_path) as f:
        truth = json.load(f)
    with open(data_path, "rb") as f:
        data = f.read()
    total_lines = data.count(b"\n")

    rng = random.Random(seed)
    cuts = sorted(rng.sample(range(1, len(data)), iterations - 1)) + [len(data)]
    pos, rotations, kills, checks = 0, 0, 0, 0
    env.start()
    for i, cut in enumerate(cuts):
        if i > 0 and i % 7 == 0:
            # A writer rotates on a line boundary, and only a file whose
            # record is committed can be followed through its rename.
            nl = data.rfind(b"\n", pos, cut)
            if nl >= pos:
                env.append_bytes("app.jsonl", data[pos:nl + 1])
                pos = nl + 1
                env.wait(lambda: committed(env, "app.jsonl"), "app.jsonl committed",
                         timeout=30)
                rotations += 1
                os.rename(env.path("app.jsonl"), env.path("app.jsonl.%d" % rotations))
        env.append_bytes("app.jsonl", data[pos:cut])
        pos = cut
        # Half the kills come early (start-up, the first read and commit),
        # half anywhere in the next 120 ms (later batches, deliveries).
        time.sleep(rng.uniform(0.0, 0.02) if rng.random() < 0.5 else rng.uniform(0.0, 0.12))
        env.kill()
        kills += 1
        if kills % 10 == 0:
            result = integrity(env.db)
            check(result == "ok", "integrity_check after kill %d: %s" % (kills, result))
            checks += 1
        env.start()
    # Within ctest's 300 s, also under the sanitizers (the harness waits 4x).
    last = env.wait_processed(total_lines, timeout=60)
    for key in ("accepted", "rejected", "duplicate"):
        check(last["events_" + key] == truth[key],
              "%s %d, want %d" % (key, last["events_" + key], truth[key]))
    got = {"%s\t%s" % (c["account"], c["actor"]): {"name": c["name"],
                                                    "relationship": c["relationship"],
                                                    "counts": c["counts"]}
           for c in env.export()}
    bad = [k for k in truth["contacts"] if got.get(k) != truth["contacts"][k]]
    check(len(got) == len(truth["contacts"]) and not bad,
          "%d contacts differ (of %d), e.g. %s" % (len(bad), len(truth["contacts"]),
                                                   bad[:1]))
    dl = env.dead_letters()
    check(len(dl) == truth["rejected"], "dead letters %d, want %d" % (len(dl), truth["rejected"]))
    check([d["seq"] for d in dl] == sorted({d["seq"] for d in dl}), "dead-letter seqs")
    want = outbox_ids(env.db)
    check(len(want) > 0, "no notification was made: the torture did not reach delivery")
    env.wait(lambda: len(file_ids(env)) >= len(want), "every notification delivered")
    env.stop()
    ids = file_ids(env)
    check(ids == sorted(set(ids), key=ids.index) and sorted(ids) == sorted(want),
          "file sink %d lines (%d distinct), outbox %d" % (len(ids), len(set(ids)), len(want)))
    check(integrity(env.db) == "ok", "final integrity_check")
    print("%d kills, %d rotations, %d integrity checks, %d lines, %d notifications: no violation"
          % (kills, rotations, checks, total_lines, len(want)))
    env.close()


if __name__ == "__main__":
    run([test_kill_rotate_torture])
