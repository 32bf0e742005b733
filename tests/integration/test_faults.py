"""Fault injection: SQLite's writes, syncs and locks fail on demand (the
test VFS of daemon/store_fault.c, enabled by WARMTH_TEST_FAULTS) while
events flow; the daemon logs, backs off with reading paused, and once the
fault clears every line is counted exactly once. Also the state directory
read-only at start, a corrupt database (refused, never overwritten) and the
input directory deleted while the daemon runs, and inotify watches
exhausted (an LD_PRELOAD shim): the daemon polls instead."""

import hashlib
import os
import time
import shutil
import sqlite3

from harness import AS_NOBODY, BASE_CONFIG, BUILD, SANITIZED, Env, can_run_as_nobody, check, event, run

T0 = 1793700000
def set_faults(env, words):
    """Replaces the control file at once (rename), so the VFS never reads half of it."""
    tmp = env.faults + ".tmp"
    with open(tmp, "w") as f:
        f.write(words + "\n")
    os.rename(tmp, env.faults)


def test_store_faults():
    env = Env("faults", BASE_CONFIG.replace("  database: ./state.db",
                                            "  database: ./state.db\n  synchronous: full"))
    env.faults = os.path.join(env.dir, "faults")
    set_faults(env, "")
    env.start(environ={"WARMTH_TEST_FAULTS": env.faults})
    truth = {}
    total = [0]

    def append(n, tag):
        lines = []
        for i in range(n):
            actor = "a%d" % (i % 37)
            typ = ("like", "comment", "share")[i % 3]
            lines.append(event(T0 + total[0], typ, actor, id="%s-%d" % (tag, i)))
            truth.setdefault(actor, {}).setdefault(typ, 0)
            truth[actor][typ] += 1
            total[0] += 1
        env.append("a.jsonl", lines)

    append(200, "warm")
    env.wait_processed(total[0])
    for fault in ("write=full", "write=ioerr", "sync=ioerr", "lock=busy"):
        failures = env.log_text().count("cannot commit")
        set_faults(env, fault)
        append(150, fault + "-1")
        env.wait(lambda: env.log_text().count("cannot commit") > failures,
                 "a failed commit under " + fault, timeout=30)
        # Lines written while commits fail wait in the file (reading is paused).
        append(150, fault + "-2")
        env.wait(lambda: env.log_text().count("cannot commit") > failures + 1,
                 "a retried commit under " + fault, timeout=30)
        check(env.processed() < total[0], fault + ": lines counted while commits fail")
        recovered = env.log_text().count("works again")
        set_faults(env, "")
        env.wait_processed(total[0], timeout=60)
        env.wait(lambda: env.log_text().count("works again") > recovered,
                 "recovery message after " + fault)
    log = env.log_text()
    check("reading is paused" in log, "no word of the pause in the log")
    got = {c["actor"]: c["counts"] for c in env.export()}
    check(got == truth, "counts differ from the truth: got %s want %s" % (got, truth))
    st = env.status()
    check(st["events_accepted"] == total[0] and st["events_duplicate"] == 0
          and st["events_rejected"] == 0, "status %s" % st)
    env.stop()
    db = sqlite3.connect(env.db)
    check(db.execute("PRAGMA integrity_check").fetchone()[0] == "ok", "integrity_check")
    db.close()
    env.close()


def test_faults_keep_notifications_and_dead_letters_exact():
    """A contact becomes ready, and a bad line arrives, while commits fail:
    once the fault clears, one notification line and one dead letter."""
    from test_notify import CONFIG, lines_of, ready_lines
    # synchronous: full, so that every commit syncs (normal syncs only at checkpoints).
    env = Env("faults-notify", CONFIG.replace("  database: ./state.db",
                                              "  database: ./state.db\n  synchronous: full"))
    env.faults = os.path.join(env.dir, "faults")
    set_faults(env, "")
    env.start(environ={"WARMTH_TEST_FAULTS": env.faults})
    env.append("a.jsonl", ready_lines("ada", "Ada Lovelace"))
    env.wait(lambda: len(lines_of(env)) == 1, "ada's notification")
    for fault in ("write=full", "sync=ioerr"):
        actor = "bob" if fault == "write=full" else "cyd"
        failures = env.log_text().count("cannot commit")
        set_faults(env, fault)
        env.append("a.jsonl", ready_lines(actor, actor.title() + " Example") + ["{not json"])
        env.wait(lambda: env.log_text().count("cannot commit") > failures + 1,
                 "failed commits under " + fault, timeout=30)
        set_faults(env, "")
        env.wait(lambda: len(lines_of(env)) == (2 if actor == "bob" else 3),
                 actor + "'s notification")
    env.stop()
    got = [n["actor"] for n in lines_of(env)]
    check(got == ["ada", "bob", "cyd"], "notifications %s" % got)
    dl = env.dead_letters()
    check(len(dl) == 2 and all(d["reason"] == "not_json" for d in dl), "dead letters %s" % dl)
    env.close()


def test_read_only_state_directory():
    if not can_run_as_nobody():
        return
    env = Env("rostate")
    os.chmod(env.dir, 0o755)        # owned by root: nobody cannot create the database
    r = env.once(prefix=AS_NOBODY, expect=1)
    check("cannot create" in r.stderr and env.db in r.stderr,
          "no clear message for a read-only state directory:\n" + r.stderr)
    check(not os.path.exists(env.db), "a database appeared")
    # A database that is there but not the daemon's to write, then one in a
    # directory where its -wal and -shm files cannot be made.
    env.once()
    digest = hashlib.sha256(open(env.db, "rb").read()).hexdigest()
    r = env.once(prefix=AS_NOBODY, expect=1)
    check(env.db + ": cannot write: Permission denied" in r.stderr, "read-only file:\n" + r.stderr)
    os.chown(env.db, 65534, 65534)
    r = env.once(prefix=AS_NOBODY, expect=1)
    check(env.db + ": cannot write in " + env.dir in r.stderr and "-wal" in r.stderr,
          "read-only directory:\n" + r.stderr)
    check(hashlib.sha256(open(env.db, "rb").read()).hexdigest() == digest, "the database changed")
    env.close()


def test_corrupt_database_is_refused_and_kept():
    env = Env("corrupt")
    env.append("a.jsonl", [event(T0 + i, "like", "c%d" % i) for i in range(500)])
    env.once()
    # Garbage where the database should be.
    with open(env.db, "wb") as f:
        f.write(os.urandom(8192))
    for name in ("state.db-wal", "state.db-shm"):
        if os.path.exists(os.path.join(env.dir, name)):
            os.remove(os.path.join(env.dir, name))
    digest = hashlib.sha256(open(env.db, "rb").read()).hexdigest()
    r = env.once(expect=1)
    check("not an SQLite database" in r.stderr, "message for garbage:\n" + r.stderr)
    check(hashlib.sha256(open(env.db, "rb").read()).hexdigest() == digest,
          "the corrupt file was changed")
    env.close()

    # A real warmthd database with pages damaged in the middle.
    env = Env("corrupt2")
    env.append("a.jsonl", [event(T0 + i, "comment", "d%d" % i, text="x" * 200)
                           for i in range(2000)])
    env.once()
    size = os.path.getsize(env.db)
    check(size > 16 * 4096, "database too small to damage: %d" % size)
    with open(env.db, "r+b") as f:
        f.seek(4 * 4096)
        f.write(b"\xa5" * (8 * 4096))
    digest = hashlib.sha256(open(env.db, "rb").read()).hexdigest()
    r = env.once(expect=1)
    check("corrupt" in r.stderr.lower() or "malformed" in r.stderr.lower(),
          "message for damaged pages:\n" + r.stderr)
    check(env.db in r.stderr, "message does not name the file:\n" + r.stderr)
    check(hashlib.sha256(open(env.db, "rb").read()).hexdigest() == digest,
          "the damaged file was changed")
    env.close()


def test_input_directory_deleted_and_recreated():
    # A rescan only every 4 s: the new directory's watch must make the
    # appends to it visible long before the next one.
    env = Env("deldir", BASE_CONFIG.replace("rescan_interval: 200ms", "rescan_interval: 4s"))
    env.start()
    env.append("a.jsonl", [event(T0 + i, "like", "e%d" % i) for i in range(20)])
    env.wait_processed(20)
    shutil.rmtree(env.indir)
    env.wait(lambda: env.log_has("drained and closed"), "the deleted file closed")
    os.mkdir(env.indir)
    env.append("b.jsonl", [event(T0 + 100 + i, "comment", "e%d" % i) for i in range(20)])
    env.wait_processed(40)
    check(env.show("e3")["counts"] == {"like": 1, "comment": 1}, "counts after recreation")
    # Appends to the new directory's file are found at once: the daemon
    # watches the new directory (the old one's watch went with it).
    start = time.monotonic()
    env.append("b.jsonl", [event(T0 + 200, "share", "e3")])
    env.wait_processed(41)
    check(time.monotonic() - start < 2.0, "an append to the new directory waited for the rescan")
    env.stop()
    env.close()


def test_inotify_exhausted_falls_back_to_polling():
    shim = os.path.join(BUILD, "tests", "inotify_exhausted.so")
    if SANITIZED or not os.path.exists(shim):
        print("skipped: the LD_PRELOAD shim does not mix with the sanitizers' runtime")
        return
    env = Env("inotify")
    env.append("a.jsonl", [event(T0 + i, "like", "w%d" % i) for i in range(10)])
    env.start(environ={"LD_PRELOAD": shim})
    env.wait_processed(10)
    env.wait(lambda: env.log_has("cannot watch") and env.log_has("polling every"),
             "word of the fallback to polling")
    # Appends and new files are still found, by polling.
    env.append("a.jsonl", [event(T0 + 100, "comment", "w1")])
    env.append("b.jsonl", [event(T0 + 101, "share", "w2")])
    env.wait_processed(12)
    env.stop()
    env.close()


if __name__ == "__main__":
    run([test_store_faults, test_faults_keep_notifications_and_dead_letters_exact,
         test_read_only_state_directory,
         test_corrupt_database_is_refused_and_kept, test_input_directory_deleted_and_recreated,
         test_inotify_exhausted_falls_back_to_polling])
