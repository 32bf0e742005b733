"""Black-box tests of file following: rename rotation, copytruncate,
truncation, deletion while open, new files by glob, inode reuse, and files
rotated while the daemon is down. Lines carry no ids unless said, so any
re-read would show up as a double count."""

import os
import shutil

from harness import BASE_CONFIG, Env, check, event, run

T0 = 1793700000


def lines(prefix, n, start=0):
    return [event(T0 + start + i, "like", "%s%d" % (prefix, i % 5), post="p%d" % i)
            for i in range(n)]


def total_likes(env):
    return sum(c["counts"].get("like", 0) for c in env.export())


POLL_CONFIG = BASE_CONFIG.replace("  rotate_wait: 2s", "  rotate_wait: 2s\n  watch: poll\n  poll_interval: 20ms")


def test_rename_rotation_create(config=BASE_CONFIG):
    env = Env("rename", config)
    env.start()
    env.append("app.jsonl", lines("a", 50))
    env.wait_processed(50)
    # logrotate "create": rename, then a new file at the old name. Lines are
    # appended to the renamed file after the rename (the writer still has it open).
    os.rename(env.path("app.jsonl"), env.path("app.jsonl.1"))
    with open(env.path("app.jsonl.1"), "a") as f:
        f.write("\n".join(lines("b", 7, 100)) + "\n")
    env.append("app.jsonl", lines("c", 30, 200))
    env.wait_processed(87)
    check(total_likes(env) == 87, "likes %d" % total_likes(env))
    env.stop()
    env.close()


def test_rename_rotation_polling():
    """The same without inotify (ingest.watch: poll), as on NFS."""
    test_rename_rotation_create(POLL_CONFIG)


def test_copytruncate():
    env = Env("copytruncate")
    env.start()
    env.append("app.jsonl", lines("a", 40))
    env.wait_processed(40)
    shutil.copy(env.path("app.jsonl"), os.path.join(env.dir, "app.jsonl.1"))
    with open(env.path("app.jsonl"), "r+") as f:
        f.truncate(0)
    env.append("app.jsonl", lines("b", 10, 100))
    env.wait_processed(50)
    # Truncated and refilled beyond the old size before the daemon looked.
    env.stop()
    with open(env.path("app.jsonl"), "r+") as f:
        f.truncate(0)
    env.append("app.jsonl", lines("c", 60, 300))
    env.start()
    env.wait_processed(110)
    check(total_likes(env) == 110, "likes %d" % total_likes(env))
    env.stop()
    env.close()


def test_truncate_to_zero_and_regrow_while_running():
    env = Env("truncate")
    env.start()
    env.append("app.jsonl", lines("a", 20))
    env.wait_processed(20)
    with open(env.path("app.jsonl"), "w") as f:
        f.write("\n".join(lines("b", 3, 50)) + "\n")
    env.wait_processed(23)
    env.stop()
    env.close()


def test_delete_while_open_drains():
    env = Env("delete")
    env.start()
    env.append("app.jsonl", lines("a", 10))
    env.wait_processed(10)
    # Keep a writer open, delete the name, write more: the daemon must read it.
    f = open(env.path("app.jsonl"), "a")
    os.unlink(env.path("app.jsonl"))
    f.write("\n".join(lines("b", 5, 100)) + "\n")
    f.flush()
    env.append("other.jsonl", lines("c", 1, 200))  # a wake-up in the directory
    env.wait_processed(16)
    f.close()
    env.stop()
    env.close()


def test_new_file_by_glob_and_ignored_names():
    env = Env("glob")
    env.start()
    env.append("one.jsonl", lines("a", 3))
    env.append("notes.txt", lines("z", 3))  # does not match *.jsonl
    env.wait_processed(3)
    env.append("two.jsonl", lines("b", 4))
    env.wait_processed(7)
    check(len(env.status()["inputs"]) == 2, "inputs %s" % env.status()["inputs"])
    env.stop()
    env.close()


def test_rotated_while_stopped():
    env = Env("stopped")
    env.start()
    env.append("app.jsonl", lines("a", 25))
    env.wait_processed(25)
    env.stop()
    # While stopped: more lines, then rotation, then a new file.
    env.append("app.jsonl", lines("b", 5, 100))
    os.rename(env.path("app.jsonl"), env.path("app.jsonl-20261103"))
    env.append("app.jsonl", lines("c", 8, 200))
    env.start()
    env.wait_processed(38)
    check(total_likes(env) == 38, "likes %d" % total_likes(env))
    env.stop()
    env.close()


def test_inode_reuse_is_a_new_file():
    env = Env("inode")
    env.start()
    env.append("app.jsonl", lines("a", 12))
    env.wait_processed(12)
    env.stop()
    # Delete and create a different file; it may get the same inode.
    os.unlink(env.path("app.jsonl"))
    env.append("app.jsonl", [event(T0 + 900, "comment", "reuse%d" % i, text="x" * 40)
                             for i in range(20)])
    env.start()
    env.wait_processed(32)
    env.stop()
    env.close()


def test_small_files_and_start_at_end():
    env = Env("small", BASE_CONFIG.replace("  - path: ./in/*.jsonl",
                                   "  - path: ./in/*.jsonl\n  - path: ./in/*.log\n    start_at: end"))
    env.append("old.log", lines("old", 4))
    env.append("tiny.jsonl", [event(T0, "like", "t")])
    env.start()
    env.wait_processed(1)
    env.append("old.log", lines("new", 2, 50))
    env.wait_processed(3)
    env.append("tiny.jsonl", [event(T0, "like", "t2")])
    env.wait_processed(4)
    env.stop()
    env.close()


if __name__ == "__main__":
    run([test_rename_rotation_create, test_rename_rotation_polling, test_copytruncate, test_truncate_to_zero_and_regrow_while_running,
         test_delete_while_open_drains, test_new_file_by_glob_and_ignored_names,
         test_rotated_while_stopped, test_inode_reuse_is_a_new_file,
         test_small_files_and_start_at_end])
