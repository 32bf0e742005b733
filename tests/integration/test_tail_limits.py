"""Black-box tests of the tailer under hostile and ordinary operating
conditions: more input files than descriptors, an unprivileged user
holding many control connections, an input directory made unreadable for
a while, an input unreadable at start-up, a reload that drops an input and
restores it, a FIFO or another file reusing a known inode, the dead-letter
file inside an input glob, start_at: end inside an unfinished line, and the
memory held by unfinished lines across many files.

Every test checks exact counts: each line accepted once, none a duplicate
(a re-read of a line without an id shows up as one)."""

import os
import signal
import sqlite3
import subprocess
import sys
import time

from harness import (AS_NOBODY, BASE_CONFIG, SANITIZED, WARMTHD, Env, can_run_as_nobody, check,
                     event, run, rss_kib)

T0 = 1793700000
ROTATE_WAIT = 2.0  # BASE_CONFIG's ingest.rotate_wait, in seconds


def like(i, actor=None, post=None):
    return event(T0 + i, "like", actor or "u%d" % i, post=post or "p%d" % i)


def exact(env, accepted, rejected=0):
    st = env.status()
    check(st["events_accepted"] == accepted and st["events_duplicate"] == 0 and
          st["events_rejected"] == rejected,
          "want %d accepted, %d rejected, 0 duplicate; got %d / %d / %d\n%s" %
          (accepted, rejected, st["events_accepted"], st["events_rejected"],
           st["events_duplicate"], env.log_text()))
    return st


def outlive_rotate_wait(env):
    """Lets rotate_wait and several rescans pass: a file wrongly taken as gone
    would be forgotten by then and read again from 0."""
    time.sleep(ROTATE_WAIT + 1.0)
    check(env.proc is None or env.proc.poll() is None, "daemon died:\n" + env.log_text())


def stop_clean(env):
    """SIGTERM: the daemon exits 0 (under the sanitizers: no error, no leak)."""
    rc = env.stop(timeout=10)
    check(rc == 0, "daemon exit status %s:\n%s" % (rc, env.log_text()))


def full_log(env):
    with open(os.path.join(env.dir, "warmthd.log"), errors="replace") as f:
        return f.read()


def writable_by_nobody(env, *dirs):
    os.chmod(env.dir, 0o777)
    for d in (env.indir,) + dirs:
        os.chmod(d, 0o777)


HOLD_CLIENTS = r"""
import socket, sys, time
conns = []
for _ in range(int(sys.argv[2])):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(0.5)
    try:
        s.connect(sys.argv[1])
        conns.append(s)
    except OSError:
        s.close()
print(len(conns), flush=True)
time.sleep(float(sys.argv[3]))
"""


def test_more_files_than_descriptors():
    """600 one-line files under a 256 open-file limit (soft and hard), and
    an unprivileged user holding 400 control connections across several
    rescans: every line counts once."""
    config = BASE_CONFIG.replace("control:\n", "control:\n  allow_users: [nobody]\n")
    env = Env("nofile", config)
    nfiles = 600
    for i in range(nfiles):
        env.append("f%03d.jsonl" % i, [like(i)])
    env.start(prefix=("/usr/bin/prlimit", "--nofile=256:256", "--"))
    env.wait_processed(nfiles, timeout=120)
    check("at most 128 input files are open at once" in full_log(env),
          "the descriptor budget is not logged:\n" + env.log_text())
    holder = None
    if can_run_as_nobody("hold control connections as an unprivileged user"):
        os.chmod(env.dir, 0o755)
        os.chmod(os.path.join(env.dir, "control.sock"), 0o666)
        holder = subprocess.Popen(list(AS_NOBODY) + [sys.executable, "-c", HOLD_CLIENTS,
                                                     os.path.join(env.dir, "control.sock"),
                                                     "400", str(ROTATE_WAIT + 1.5)],
                                  stdout=subprocess.PIPE, text=True)
        held = int(holder.stdout.readline() or "0")
        check(held > 0, "the unprivileged client could not connect")
    # New lines while the connections are held: every file is read again.
    for i in range(0, nfiles, 6):
        env.append("f%03d.jsonl" % i, [like(1000 + i)])
    if holder is not None:
        holder.wait(timeout=60)
    env.wait_processed(nfiles + nfiles // 6, timeout=120)
    outlive_rotate_wait(env)
    exact(env, nfiles + nfiles // 6)
    # Every file still followed: one more line each, read once.
    for i in range(nfiles):
        env.append("f%03d.jsonl" % i, [like(2000 + i)])
    env.wait_processed(2 * nfiles + nfiles // 6, timeout=120)
    outlive_rotate_wait(env)
    exact(env, 2 * nfiles + nfiles // 6)
    stop_clean(env)
    env.close()


def test_rotation_while_closed():
    """With two descriptors for six files, most files are closed when they
    are rotated (renamed out of the glob, then appended to by the writer
    that still has them open): each is found by inode and drained."""
    config = BASE_CONFIG.replace("  rotate_wait: 2s\n", "  rotate_wait: 2s\n  max_open_files: 2\n")
    env = Env("rotate-closed", config)
    for i in range(6):
        env.append("f%d.jsonl" % i, [like(10 * i + j) for j in range(3)])
    env.start()
    env.wait_processed(18)
    for i in range(6):
        old = env.path("f%d.jsonl" % i)
        writer = open(old, "a")
        os.rename(old, old + ".1")
        writer.write(like(100 + i) + "\n")
        writer.close()
        env.append("f%d.jsonl" % i, [like(200 + i)])
    env.wait_processed(30)
    outlive_rotate_wait(env)
    exact(env, 30)
    check("rotated while closed" in full_log(env), "no file was closed:\n" + env.log_text())
    stop_clean(env)
    env.close()


def test_rotated_while_stopped_twice():
    """A file rotated while the daemon was stopped, found by inode, is still
    a rotated input after another restart (not an input dropped from the
    config): the writer finishing its last line is read."""
    config = BASE_CONFIG.replace("  rotate_wait: 2s\n", "  rotate_wait: 30s\n")
    env = Env("rotated-twice", config)
    env.append("app.jsonl", [like(i) for i in range(10)])
    env.start()
    env.wait_processed(10)
    stop_clean(env)
    os.rename(env.path("app.jsonl"), env.path("app.jsonl.1"))
    last = like(99)
    with open(env.path("app.jsonl.1"), "a") as f:
        f.write(like(10) + "\nnot json\n" + last[:15])
    env.start()
    env.wait_processed(12)
    stop_clean(env)
    env.start()
    with open(env.path("app.jsonl.1"), "a") as f:
        f.write(last[15:] + "\n")
    env.wait_processed(13)
    exact(env, 12, rejected=1)
    # The reject names the file its bytes are in, not the path it had.
    dl = env.dead_letters()
    check(len(dl) == 1 and dl[0]["file"].endswith("/app.jsonl.1"), "dead letters: %s" % dl)
    stop_clean(env)
    env.close()


def test_unreadable_directory_changes_nothing():
    """chmod 000 of the input directory for longer than rotate_wait: no file
    is taken as gone, nothing is read twice."""
    if not can_run_as_nobody():
        return
    env = Env("chmod000")
    writable_by_nobody(env)
    for i in range(20):
        env.append("f%02d.jsonl" % i, [like(i)])
        os.chmod(env.path("f%02d.jsonl" % i), 0o666)
    env.start(prefix=AS_NOBODY)
    env.wait_processed(20)
    os.chmod(env.indir, 0)
    outlive_rotate_wait(env)
    os.chmod(env.indir, 0o777)
    for i in range(5):
        env.append("f%02d.jsonl" % i, [like(100 + i)])
    env.wait_processed(25)
    outlive_rotate_wait(env)
    exact(env, 25)
    log = full_log(env)
    check("could not read every input" in log and "every input can be scanned again" in log,
          "the failed scan is not logged:\n" + env.log_text())
    check("forgetting" not in log, "a file was forgotten:\n" + env.log_text())
    stop_clean(env)
    env.close()


def test_unreadable_at_start_keeps_its_offset():
    """A known input unreadable at start-up is not forgotten: once readable
    it resumes at its offset."""
    if not can_run_as_nobody():
        return
    env = Env("unreadable-start")
    writable_by_nobody(env)
    env.append("a.jsonl", [like(i) for i in range(10)])
    os.chmod(env.path("a.jsonl"), 0o666)
    env.start(prefix=AS_NOBODY)
    env.wait_processed(10)
    stop_clean(env)
    os.chmod(env.path("a.jsonl"), 0)
    env.start(prefix=AS_NOBODY)
    env.wait(lambda: env.log_has("cannot open input"), "the open failure logged")
    outlive_rotate_wait(env)
    os.chmod(env.path("a.jsonl"), 0o666)
    env.append("a.jsonl", [like(100 + i) for i in range(2)])
    env.wait_processed(12)
    outlive_rotate_wait(env)
    exact(env, 12)
    stop_clean(env)
    env.close()


def test_reload_drops_and_restores_an_input():
    """An input dropped by a reload keeps its file's offset, across a
    restart too; restored, it resumes there."""
    two = BASE_CONFIG.replace("  - path: ./in/*.jsonl\n",
                              "  - path: ./in/*.jsonl\n  - path: ./other/*.jsonl\n")
    env = Env("reload-inputs", two)
    other = os.path.join(env.dir, "other")
    os.mkdir(other)
    path = os.path.join(other, "b.jsonl")

    def append_other(lines):
        with open(path, "a") as f:
            f.write("\n".join(lines) + "\n")

    append_other([like(i) for i in range(10)])
    env.start()
    env.wait_processed(10)
    env.write_config(BASE_CONFIG)
    env.proc.send_signal(signal.SIGHUP)
    env.wait(lambda: env.log_has("configuration reloaded"), "the input dropped")
    append_other([like(100 + i) for i in range(5)])
    outlive_rotate_wait(env)
    exact(env, 10)
    stop_clean(env)
    env.start()
    outlive_rotate_wait(env)
    exact(env, 10)
    env.write_config(two)
    env.proc.send_signal(signal.SIGHUP)
    env.wait_processed(15)
    check(env.log_has("resuming at offset"), "not resumed:\n" + env.log_text())
    outlive_rotate_wait(env)
    exact(env, 15)
    stop_clean(env)
    env.close()


def known_inode_taken_by(env, make):
    """Reads a.jsonl, stops, deletes it and points its record at the inode
    of what make(path) creates outside every glob."""
    env.append("a.jsonl", [like(i) for i in range(10)])
    env.start()
    env.wait_processed(10)
    stop_clean(env)
    os.unlink(env.path("a.jsonl"))
    intruder = env.path("intruder.txt")
    make(intruder)
    db = sqlite3.connect(env.db)
    db.execute("UPDATE files SET ino = ?", (os.stat(intruder).st_ino,))
    db.commit()
    db.close()


def test_fifo_on_a_known_inode():
    """A FIFO reusing a deleted input's inode: the daemon does not block
    opening it, becomes ready, and stops on SIGTERM."""
    env = Env("fifo")
    known_inode_taken_by(env, os.mkfifo)
    env.start()
    env.wait(lambda: full_log(env).count(" started (config") >= 2, "the daemon ready", timeout=10)
    outlive_rotate_wait(env)
    exact(env, 10)
    env.wait(lambda: env.log_has("forgetting it"), "the record dropped")
    stop_clean(env)
    env.close()


def test_regular_file_on_a_known_inode():
    """A regular file outside every glob reusing a deleted input's inode is
    not read: its head does not match the record's."""
    env = Env("reused-inode")

    def make(path):
        with open(path, "w") as f:
            f.write("\n".join(like(500 + i) for i in range(30)) + "\n")

    known_inode_taken_by(env, make)
    env.start()
    env.wait(lambda: full_log(env).count(" started (config") >= 2, "the daemon ready")
    outlive_rotate_wait(env)
    exact(env, 10)
    check(env.log_has("forgetting it"), "the record kept:\n" + env.log_text())
    stop_clean(env)
    env.close()


def test_fifo_config_does_not_hang():
    env = Env("fifo-config")
    fifo = os.path.join(env.dir, "fifo.yaml")
    os.mkfifo(fifo, 0o644)
    r = subprocess.run([WARMTHD, "-t", "-c", fifo], capture_output=True, text=True, timeout=10)
    check(r.returncode != 0 and "not a regular file" in r.stderr, "exit %d: %s" %
          (r.returncode, r.stderr))
    env.close()


def test_dead_letter_in_an_input_glob():
    """warmthd -t and a reload refuse a dead_letter an input matches; a
    symlink made later into the input directory is not read either."""
    bad = BASE_CONFIG.replace("dead_letter: ./rejected.jsonl", "dead_letter: ./in/rejected.jsonl")
    env = Env("dead-letter-glob", bad)
    r = subprocess.run([WARMTHD, "-t", "-c", env.config], capture_output=True, text=True,
                       timeout=30)
    check(r.returncode == 1, "warmthd -t accepted it: %s%s" % (r.stdout, r.stderr))
    check("warmthd.yaml:7:14: dead_letter: " in r.stderr and
          "is matched by inputs[0].path" in r.stderr, "message: " + r.stderr)
    # Through a symlinked directory, before the file exists.
    os.symlink(env.indir, os.path.join(env.dir, "state"))
    linked = BASE_CONFIG.replace("dead_letter: ./rejected.jsonl", "dead_letter: ./state/dl.jsonl")
    env.write_config(linked)
    r = subprocess.run([WARMTHD, "-t", "-c", env.config], capture_output=True, text=True,
                       timeout=30)
    check(r.returncode == 1 and "(a link to " in r.stderr, "through a link: %s%s" %
          (r.stdout, r.stderr))
    env.write_config(BASE_CONFIG)
    env.start()
    env.write_config(bad)
    env.proc.send_signal(signal.SIGHUP)
    env.wait(lambda: env.log_has("is matched by inputs[0].path"), "the reload refused")
    check(env.log_has("keeping the running configuration"), env.log_text())
    os.symlink(env.dead_letter, env.path("looped.jsonl"))
    env.append("a.jsonl", ["not json"])
    env.wait_processed(1)
    env.wait(lambda: env.log_has("written by warmthd itself"), "the own file skipped")
    outlive_rotate_wait(env)
    exact(env, 0, rejected=1)
    check(len(env.dead_letters()) == 1, "dead letters: %d" % len(env.dead_letters()))
    stop_clean(env)
    env.close()


def test_start_at_end_inside_an_unfinished_line():
    config = BASE_CONFIG.replace("  - path: ./in/*.jsonl\n",
                                 "  - path: ./in/*.jsonl\n    start_at: end\n")
    env = Env("start-end", config)
    whole = like(99, actor="late")
    env.append("a.jsonl", [like(i) for i in range(5)])
    env.append_bytes("a.jsonl", whole[:20].encode())
    env.start()
    env.wait(lambda: file_records(env) == 1, "the file opened")
    env.append_bytes("a.jsonl", (whole[20:] + "\n" + like(100) + "\n").encode())
    env.wait_processed(2)
    outlive_rotate_wait(env)
    exact(env, 2)
    stop_clean(env)
    env.close()


def file_records(env):
    db = sqlite3.connect("file:%s?mode=ro" % env.db, uri=True, timeout=10)
    try:
        return db.execute("SELECT count(*) FROM files").fetchone()[0]
    finally:
        db.close()


def test_unfinished_lines_share_one_budget():
    """100 files each ending in an unfinished 600 KB line hold at most
    ingest.max_buffered between them; finished, each line counts once."""
    config = BASE_CONFIG.replace("  rotate_wait: 2s\n", "  rotate_wait: 2s\n  max_buffered: 4MiB\n")
    env = Env("partial-budget", config)
    env.start()
    env.wait(lambda: env.status_or_none() is not None, "status")
    base = rss_kib(env.proc.pid)
    n, filler = 100, "x" * 600000
    heads = []
    for i in range(n):
        whole = event(T0 + i, "comment", "c%d" % i, post="p%d" % i, text=filler)
        cut = len(whole) - 10
        heads.append(whole[cut:])
        env.append_bytes("f%03d.jsonl" % i, whole[:cut].encode())
    # Every file opened (its record committed) and read to its end.
    env.wait(lambda: file_records(env) == n, "every file seen")
    time.sleep(1.0)
    grown = rss_kib(env.proc.pid) - base
    if not SANITIZED:
        check(grown < 16 * 1024, "RSS grew by %d KiB for %d unfinished lines" % (grown, n))
    for i in range(n):
        env.append_bytes("f%03d.jsonl" % i, (heads[i] + "\n").encode())
    env.wait_processed(n, timeout=120)
    outlive_rotate_wait(env)
    exact(env, n)
    stop_clean(env)
    env.close()


if __name__ == "__main__":
    run([test_more_files_than_descriptors, test_rotation_while_closed, test_rotated_while_stopped_twice,
         test_unreadable_directory_changes_nothing,
         test_unreadable_at_start_keeps_its_offset, test_reload_drops_and_restores_an_input,
         test_fifo_on_a_known_inode, test_regular_file_on_a_known_inode,
         test_fifo_config_does_not_hang, test_dead_letter_in_an_input_glob,
         test_start_at_end_inside_an_unfinished_line, test_unfinished_lines_share_one_budget])
