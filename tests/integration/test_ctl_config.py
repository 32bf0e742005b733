"""What warmthctl and warmthd -t need of the config, and a control socket
that cannot be made.

warmthctl reads only control.socket (and for --db or the config's database
the figures it computes with): a credential-backed webhook, a typo in an
unrelated key, or a secret_file the user may not read do not keep it from
the daemon that runs on the config it loaded. warmthd -t outside systemd
notes a credential systemd provides at start instead of failing, warns
about a secret this user may not read, and fails for a missing one. A
control socket whose directory does not exist, or may not be written, is
reported with its real cause by -t and by the daemon, which refuses to
start without it."""

import json
import os
import shutil
import signal
import subprocess

from harness import (AS_NOBODY, BASE_CONFIG, WARMTHCTL, WARMTHD, Env, can_run_as_nobody, check, free_port,
                     open_to_others, run, run_as_nobody)

WEBHOOK_CREDENTIAL = BASE_CONFIG + """\
  - type: webhook
    url: http://127.0.0.1:9/hook
    secret_credential: webhook-key
"""

WEBHOOK_FILE = BASE_CONFIG + """\
  - type: webhook
    url: http://127.0.0.1:9/hook
    secret_file: ./webhook.key
"""


def ctl(env, *args, prefix=(), environ=None):
    penv = {k: v for k, v in os.environ.items() if k != "CREDENTIALS_DIRECTORY"}
    penv.update(environ or {})
    return subprocess.run(list(prefix) + [WARMTHCTL, "-c", env.config] + list(args),
                          capture_output=True, text=True, timeout=60, env=penv)


def check_config(path, prefix=(), environ=None):
    penv = {k: v for k, v in os.environ.items() if k != "CREDENTIALS_DIRECTORY"}
    penv.update(environ or {})
    return subprocess.run(list(prefix) + [WARMTHD, "-t", "-c", path], capture_output=True,
                          text=True, timeout=30, env=penv)


def credentials(env):
    creds = os.path.join(env.dir, "credentials")
    os.mkdir(creds, 0o700)
    with open(os.path.join(creds, "webhook-key"), "w") as f:
        f.write("k3y")
    return creds


def test_credential_config_outside_systemd():
    env = Env("ctlcfg-cred", WEBHOOK_CREDENTIAL)
    creds = credentials(env)
    # -t from a shell: the credential is a note, not a failure.
    r = check_config(env.config)
    check(r.returncode == 0 and r.stdout == "configuration OK\n",
          "-t outside systemd: exit %d: %s" % (r.returncode, r.stderr))
    check("note:" in r.stderr and "LoadCredential=webhook-key" in r.stderr
          and "%s:" % env.config in r.stderr, "-t says nothing useful: %s" % r.stderr)
    # The same for the HTTP bearer token (which http.events requires).
    with open(env.config) as f:
        text = f.read()
    env.write_config(text + "metrics:\n  listen: 127.0.0.1:9\nhttp:\n  events: true\n"
                     "  token_credential: http-token\n")
    r = check_config(env.config)
    check(r.returncode == 0 and "LoadCredential=http-token" in r.stderr,
          "-t with a token credential: exit %d: %s" % (r.returncode, r.stderr))
    env.write_config(text)
    # The daemon itself still needs it at start.
    r = subprocess.run([WARMTHD, "-c", env.config, "--once"], capture_output=True, text=True,
                       timeout=30, env={k: v for k, v in os.environ.items()
                                        if k != "CREDENTIALS_DIRECTORY"})
    check(r.returncode == 1 and "$CREDENTIALS_DIRECTORY is not set" in r.stderr,
          "the daemon started without its credential: %s" % r.stderr)
    env.start(environ={"CREDENTIALS_DIRECTORY": creds})
    for args in (("ping",), ("status",), ("--json", "status")):
        r = ctl(env, *args)
        check(r.returncode == 0, "warmthctl %s with a credential config: exit %d: %s"
              % (" ".join(args), r.returncode, r.stderr))
    check(r.stdout.startswith("{"), "status --json: %s" % r.stdout)
    # The database through the config: the same, without the credential.
    r = ctl(env, "notifications")
    check(r.returncode == 0, "notifications: %s" % r.stderr)
    env.close()


def test_typo_elsewhere_does_not_block_ping():
    env = Env("ctlcfg-typo")
    env.start()
    with open(env.config) as f:
        good = f.read()
    # A typo in a key warmthctl does not need, an invalid value elsewhere,
    # a missing required list: the daemon keeps its config, and ping works.
    env.write_config(good.replace("inputs:", "inptus:") + "metrics:\n  listen: nonsense\n")
    r = ctl(env, "ping")
    check(r.returncode == 0 and "warmthd is running" in r.stdout,
          "ping with a typo elsewhere: exit %d: %s" % (r.returncode, r.stderr))
    r = ctl(env, "status")
    check(r.returncode == 0, "status with a typo elsewhere: %s" % r.stderr)
    # The key it needs, broken: said with file, line and column.
    env.write_config(good.replace("socket: ./control.sock", "socket: [a, b]"))
    r = ctl(env, "ping")
    check(r.returncode == 1 and ("%s:2:" % env.config) in r.stderr and "control.socket" in r.stderr,
          "a broken control.socket: exit %d: %s" % (r.returncode, r.stderr))
    check("-s SOCKET" in r.stderr, "no remedy: %s" % r.stderr)
    env.write_config(good)
    env.close()


def test_unreadable_secret_file_for_another_user():
    if not can_run_as_nobody("read a config whose secret_file only root may read"):
        return
    env = Env("ctlcfg-secret", WEBHOOK_FILE)
    key = os.path.join(env.dir, "webhook.key")
    with open(key, "w") as f:
        f.write("k3y")
    os.chmod(key, 0o600)
    os.chmod(env.dir, 0o755)
    env.start()
    open_to_others(env)
    r = run_as_nobody([WARMTHCTL, "-c", env.config, "ping"])
    check(r.returncode == 0, "nobody's ping with an unreadable secret_file: exit %d: %s"
          % (r.returncode, r.stderr))
    r = run_as_nobody([WARMTHCTL, "-c", env.config, "status"])
    check(r.returncode == 0, "nobody's status: exit %d: %s" % (r.returncode, r.stderr))
    # -t as another user than the service's: a warning, not a failure (the
    # socket's directory is that user's, as the service's would be its own).
    os.chown(env.dir, 65534, 65534)
    r = check_config(env.config, prefix=AS_NOBODY)
    check(r.returncode == 0 and "warning:" in r.stderr and "webhook.key" in r.stderr
          and "runuser" in r.stderr, "-t as nobody: exit %d: %s" % (r.returncode, r.stderr))
    # A secret_file that is not there at all is an error for everyone.
    os.rename(key, key + ".gone")
    r = check_config(env.config)
    check(r.returncode == 1 and "webhook.key: cannot open: No such file" in r.stderr,
          "missing secret_file: exit %d: %s" % (r.returncode, r.stderr))
    os.rename(key + ".gone", key)
    env.close()


def start_failing(env, prefix=()):
    """Runs the daemon, which must exit at once; returns (exit code, output)."""
    r = subprocess.run(list(prefix) + [WARMTHD, "-c", env.config], capture_output=True, text=True,
                       timeout=30)
    return r.returncode, r.stderr


def test_socket_directory_missing():
    env = Env("ctlcfg-nodir", BASE_CONFIG.replace("./control.sock", "./run/control.sock"))
    r = check_config(env.config)
    check(r.returncode == 1 and "does not exist" in r.stderr and "run/control.sock" in r.stderr,
          "-t passed a socket in a missing directory: exit %d: %s" % (r.returncode, r.stderr))
    rc, err = start_failing(env)
    check(rc == 1, "the daemon started without its control socket (exit %d)" % rc)
    check("does not exist" in err and "ermission denied" not in err,
          "the wrong cause: %s" % err)
    check("not starting" in err, "the refusal is not said: %s" % err)
    check(not os.path.exists(env.db), "the daemon read its inputs before it refused")
    # --once is not a service: it reads on without a socket.
    env.append("a.jsonl", ['{"ts":1793700000,"type":"like","actor":"a","post":"p"}'])
    r = env.once()
    check("control socket disabled" in r.stderr, "--once: %s" % r.stderr)
    check(env.status()["events_accepted"] == 1, "--once did not read")
    # Made: the same config starts.
    os.mkdir(os.path.join(env.dir, "run"))
    r = check_config(env.config)
    check(r.returncode == 0, "-t with the directory: %s" % r.stderr)
    env.close()


def test_socket_directory_not_writable():
    if not can_run_as_nobody("check a socket directory the daemon's user may not write"):
        return
    env = Env("ctlcfg-rodir", BASE_CONFIG.replace("./control.sock", "./run/control.sock"))
    os.mkdir(os.path.join(env.dir, "run"), 0o755)
    # Everything else is nobody's, so that only the socket's directory is not.
    for name in os.listdir(env.dir):
        if name != "run":
            os.chown(os.path.join(env.dir, name), 65534, 65534)
    os.chown(env.dir, 65534, 65534)
    os.chown(env.config, 0, 0)
    r = check_config(env.config, prefix=AS_NOBODY)
    check(r.returncode == 1 and "Permission denied" in r.stderr and "run/control.sock" in r.stderr
          and "uid 65534" in r.stderr, "-t as nobody: exit %d: %s" % (r.returncode, r.stderr))
    rc, err = start_failing(env, prefix=AS_NOBODY)
    check(rc == 1 and "Permission denied" in err and "not starting" in err,
          "the daemon as nobody: exit %d: %s" % (rc, err))
    shutil.rmtree(os.path.join(env.dir, "run"))
    rc, err = start_failing(env, prefix=AS_NOBODY)
    check(rc == 1 and "does not exist" in err and "ermission denied" not in err,
          "missing directory as nobody: %s" % err)
    env.close()


def test_reload_names_what_needs_a_restart():
    env = Env("ctlcfg-restart")
    env.start()
    sock = os.path.join(env.dir, "control.sock")
    with open(env.config) as f:
        good = f.read()

    def reload(*args):
        r = subprocess.run([WARMTHCTL, "-s", sock, "reload"] + list(args), capture_output=True,
                           text=True, timeout=60)
        check(r.returncode == 0, "reload: exit %d: %s" % (r.returncode, r.stderr))
        return r.stdout

    # Nothing that needs a restart: the plain answer.
    out = reload()
    check(out == "configuration reloaded\n", "plain reload: %r" % out)
    # A new exporter and a socket in a directory that does not exist.
    changed = good.replace("./control.sock", "./nodir/control.sock") + \
        "metrics:\n  listen: 127.0.0.1:%d\n" % free_port()
    env.write_config(changed)
    for attempt in (1, 2):   # the second reload still needs the restart
        out = reload()
        check("control.socket changed: it takes effect at a restart" in out
              and "metrics.listen changed: it takes effect at a restart" in out,
              "reload %d does not say what needs a restart: %r" % (attempt, out))
    check(env.log_has("control.socket, metrics.listen changed: they take effect at a restart"),
          "the log does not say it:\n" + env.log_text())
    js = json.loads(reload("--json"))
    check(js["restart_needed"] == ["control.socket", "metrics.listen"], "json: %s" % js)
    # The old socket still answers; nothing was made at the new path.
    r = subprocess.run([WARMTHCTL, "-s", sock, "ping"], capture_output=True, text=True,
                       timeout=60)
    check(r.returncode == 0, "the old socket stopped answering: %s" % r.stderr)
    # Back to what it started with: nothing to restart.
    env.write_config(good)
    check(reload() == "configuration reloaded\n", "after the revert")
    env.close()


def test_first_hour_messages():
    """What a new operator runs into with warmthctl: each message says what to do."""
    env = Env("ctlcfg-first-hour")
    sock = os.path.join(env.dir, "control.sock")

    def plain(*args, prefix=()):
        return subprocess.run(list(prefix) + [WARMTHCTL] + list(args), capture_output=True,
                              text=True, timeout=60)

    # A wrong -c path.
    r = plain("-c", os.path.join(env.dir, "nope.yaml"), "status")
    check(r.returncode == 1 and "nope.yaml: cannot open: No such file" in r.stderr
          and "-s SOCKET" in r.stderr, "wrong -c: exit %d: %s" % (r.returncode, r.stderr))
    # The daemon not running: no socket.
    r = plain("-c", env.config, "status")
    check(r.returncode == 3 and "no such socket" in r.stderr and "systemctl status warmthd" in r.stderr
          and "--db STATE.db" in r.stderr, "not running: exit %d: %s" % (r.returncode, r.stderr))
    # A socket left by a daemon that died: bound, nobody listening.
    import socket as so
    stale = so.socket(so.AF_UNIX)
    stale.bind(sock)
    stale.close()
    r = plain("-c", env.config, "ping")
    check(r.returncode == 3 and "connection refused" in r.stderr and "crashed" in r.stderr
          and "journalctl -u warmthd" in r.stderr, "stale: exit %d: %s" % (r.returncode, r.stderr))
    # -s naming a directory or a regular file: refused like a dead socket, but it is none.
    for what, path in (("a directory", env.dir), ("a regular file", env.config)):
        r = plain("-s", path, "ping")
        check(r.returncode == 3 and ("that is %s, not a socket" % what) in r.stderr
              and "crashed" not in r.stderr, "-s %s: exit %d: %s" % (what, r.returncode, r.stderr))
    # The daemon clears it at start.
    env.start()
    r = plain("-c", env.config, "ping")
    check(r.returncode == 0, "after the start over a stale socket: %s" % r.stderr)
    if can_run_as_nobody("ask the daemon as a user outside its group"):
        os.chmod(env.dir, 0o755)
        r = plain("-s", sock, "ping", prefix=AS_NOBODY)
        check(r.returncode == 3 and "permission denied" in r.stderr and "usermod -aG" in r.stderr
              and "sudo" in r.stderr, "socket permission: exit %d: %s" % (r.returncode, r.stderr))
        os.chmod(sock, 0o666)
        r = plain("-s", sock, "reload", prefix=AS_NOBODY)
        check(r.returncode == 1 and "use sudo" in r.stderr and "control.allow_users" in r.stderr,
              "forbidden: exit %d: %s" % (r.returncode, r.stderr))
        os.chmod(env.db, 0o600)
        r = plain("--db", env.db, "status", prefix=AS_NOBODY)
        check(r.returncode == 1 and "you may not read it" in r.stderr and "sudo" in r.stderr,
              "--db unreadable: exit %d: %s" % (r.returncode, r.stderr))
        os.chmod(env.config, 0o600)
        r = plain("-c", env.config, "status", prefix=AS_NOBODY)
        check(r.returncode == 1 and "you may not read it" in r.stderr and "-s SOCKET" in r.stderr,
              "config unreadable: exit %d: %s" % (r.returncode, r.stderr))
        os.chmod(env.config, 0o644)
    env.close()


if __name__ == "__main__":
    run([test_credential_config_outside_systemd, test_typo_elsewhere_does_not_block_ping,
         test_unreadable_secret_file_for_another_user, test_socket_directory_missing,
         test_socket_directory_not_writable, test_reload_names_what_needs_a_restart,
         test_first_hour_messages])
