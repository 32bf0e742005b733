"""warmthd started by hand as root must not break the service: the files it
would create in the service's state directory (the database and its WAL,
the dead-letter file, a file notifier's file) would belong to root, and
the service, running as the directory's owner, could no longer write
them. As root, a state directory that belongs to another user is refused
at start and at a reload, with a message naming the file, the directory,
its owner and the command that runs warmthd as that user; the same
config run as that user works; and nothing is created."""

import os
import subprocess

from harness import (AS_NOBODY, BASE_CONFIG, WARMTHCTL, WARMTHD, Env, can_run_as_nobody,
                     check, run)

NOBODY = 65534


def start_as_root(config):
    """warmthd started as root: (exit status, stderr); a daemon that starts
    instead of refusing is stopped after a few seconds and counts as -1."""
    p = subprocess.Popen([WARMTHD, "-c", config], stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True)
    try:
        _, err = p.communicate(timeout=5)
        return p.returncode, err
    except subprocess.TimeoutExpired:
        p.kill()
        return -1, p.communicate()[1]


def give_to_nobody(env, *paths):
    """The service's layout: the directory and what the daemon reads in
    it belong to the service's user (here nobody); the config stays
    root's (warmthd refuses a config its own user could rewrite only when
    that user is not the daemon's)."""
    os.chmod(env.dir, 0o755)
    for p in (env.dir, env.indir) + paths:
        os.chown(p, NOBODY, NOBODY)


def test_root_refuses_a_state_dir_of_another_user():
    if not can_run_as_nobody("own a state directory by another user"):
        return
    env = Env("owner")
    give_to_nobody(env)
    before = sorted(os.listdir(env.dir))
    rc, msg = start_as_root(env.config)
    check(rc == 1, "root started in nobody's state directory: %d %s" % (rc, msg))
    for part in ("state.database " + env.db, "runs as root", env.dir + " belongs to nobody",
                 "runuser -u nobody -- warmthd -c " + env.config):
        check(part in msg, "message lacks %r: %s" % (part, msg))
    check(sorted(os.listdir(env.dir)) == before,
          "files created: %r" % sorted(set(os.listdir(env.dir)) - set(before)))
    # -t checks the config, it creates nothing: as root it still passes, so
    # "warmthd -t ... && systemctl enable --now warmthd" works.
    r = subprocess.run([WARMTHD, "-t", "-c", env.config], capture_output=True, text=True,
                       timeout=30)
    check(r.returncode == 0, "-t as root: %s" % r.stderr)

    # What the message says works: the same config, run as the owner.
    env.start(prefix=AS_NOBODY)
    env.append("a.jsonl", ['{"ts":1793700000,"type":"like","actor":"ada","id":"x1"}'])
    env.wait_processed(1)
    env.stop()
    check(os.stat(env.db).st_uid == NOBODY, "state.db not nobody's")
    env.close()


def test_each_state_file_is_checked():
    """The dead-letter file and a file notifier's file elsewhere than the
    database are checked too; a directory of root's is fine."""
    if not can_run_as_nobody("own a state directory by another user"):
        return
    for key, line in (("dead_letter", "dead_letter: ./theirs/rejected.jsonl\n"),
                      ("notify (file) path",
                       "notify:\n  - type: file\n    path: ./theirs/notifications.jsonl\n")):
        config = BASE_CONFIG
        if key == "dead_letter":
            config = config.replace("dead_letter: ./rejected.jsonl\n", line)
        else:
            config = config[:config.index("notify:")] + line
        env = Env("owner-files", config)
        theirs = os.path.join(env.dir, "theirs")
        os.mkdir(theirs)
        os.chown(theirs, NOBODY, NOBODY)
        rc, msg = start_as_root(env.config)
        check(rc == 1 and key + " " + theirs in msg,
              "%s in nobody's directory: %d %s" % (key, rc, msg))
        check(os.listdir(theirs) == [] and not os.path.exists(env.db),
              "files created: %r" % os.listdir(theirs))
        # Root's own directory: root may run there.
        os.chown(theirs, 0, 0)
        env.start()
        env.stop()
        env.close()


def test_reload_keeps_the_running_config():
    """A reload that would move a state file into another user's directory
    is refused like an invalid config: the running one is kept."""
    if not can_run_as_nobody("own a state directory by another user"):
        return
    env = Env("owner-reload")
    env.start()
    theirs = os.path.join(env.dir, "theirs")
    os.mkdir(theirs)
    os.chown(theirs, NOBODY, NOBODY)
    env.write_config(BASE_CONFIG.replace("path: ./notifications.jsonl",
                                         "path: ./theirs/notifications.jsonl"))
    r = subprocess.run([WARMTHCTL, "-c", env.config, "reload"], capture_output=True, text=True,
                       timeout=30)
    check(r.returncode != 0 and "belongs to nobody" in r.stderr
          and "the running configuration is kept" in r.stderr,
          "reload into nobody's directory: %d %s%s" % (r.returncode, r.stdout, r.stderr))
    check(os.listdir(theirs) == [], "files created: %r" % os.listdir(theirs))
    r = subprocess.run([WARMTHCTL, "-c", env.config, "ping"], capture_output=True, text=True,
                       timeout=30)
    check(r.returncode == 0, "daemon gone after the refused reload: %s" % r.stderr)
    env.stop()
    env.close()


if __name__ == "__main__":
    run([test_root_refuses_a_state_dir_of_another_user, test_each_state_file_is_checked,
         test_reload_keeps_the_running_config])
