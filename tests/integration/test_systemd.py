"""systemd integration: the notify protocol seen through a fake
NOTIFY_SOCKET (a datagram socket the test owns): READY=1 once the daemon
is up, WATCHDOG=1 pings from the loop, RELOADING=1 (with MONOTONIC_USEC)
then READY=1 around a reload, STOPPING=1 at the end, in that order."""

import json
import os
import shutil
import signal
import socket
import subprocess
import threading

from harness import (BASE_CONFIG, SOURCE, WARMTHD, Env, can_run_as_nobody, check,
                     open_to_others, run)


class Listener:
    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(path)
        self.sock.settimeout(0.2)
        self.messages = []
        self.done = False
        self.thread = threading.Thread(target=self.loop)
        self.thread.start()

    def loop(self):
        while not self.done:
            try:
                self.messages.append(self.sock.recv(4096).decode())
            except socket.timeout:
                pass

    def stop(self):
        self.done = True
        self.thread.join()
        self.sock.close()


def test_notify_sequence():
    env = Env("notify")
    path = os.path.join(env.dir, "notify.sock")
    listener = Listener(path)
    env.start(environ={"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "200000"})
    env.wait(lambda: any(m.startswith("READY=1") for m in listener.messages), "READY=1")
    env.wait(lambda: any(m.startswith("WATCHDOG=1") for m in listener.messages), "a watchdog ping")
    ping = [m for m in listener.messages if m.startswith("WATCHDOG=1")][0]
    check("\nSTATUS=" in ping and "events" in ping, "no live STATUS= with the ping: %r" % ping)
    env.proc.send_signal(signal.SIGHUP)
    env.wait(lambda: any(m.startswith("RELOADING=1") for m in listener.messages), "RELOADING=1")
    env.wait(lambda: sum(m.startswith("READY=1") for m in listener.messages) == 2, "READY=1 again")
    env.stop()
    listener.stop()
    msgs = [m for m in listener.messages if not m.startswith("WATCHDOG=1")]
    kinds = [m.split("=")[0] for m in msgs]
    check(kinds == ["READY", "RELOADING", "READY", "STOPPING"], "sequence %s" % msgs)
    check("\nMONOTONIC_USEC=" in msgs[1], "RELOADING without MONOTONIC_USEC: %r" % msgs[1])
    env.close()


def test_no_notify_socket_is_fine():
    env = Env("nonotify")
    env.start(environ={"WATCHDOG_USEC": "1000"})  # no NOTIFY_SOCKET: ignored
    env.stop()
    env.close()


def test_unit_file_verifies():
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        print("skipped: systemd-analyze is not installed")
        return
    env = Env("unit")
    unit = os.path.join(env.dir, "warmthd.service")
    with open(os.path.join(SOURCE, "systemd", "warmthd.service")) as f:
        text = f.read()
    # The unit names the installed binary; verify it against the built one.
    with open(unit, "w") as f:
        f.write(text.replace("/usr/sbin/warmthd", os.path.abspath(WARMTHD)))
    # Events ahead of the system clock are rejected for good (future_ts):
    # the daemon must not start before the clock is set.
    after = [x for x in text.splitlines() if x.startswith("After=")]
    check(any("time-sync.target" in x.split("=", 1)[1].split() for x in after),
          "the unit starts before the clock is synchronised: %r" % after)
    r = subprocess.run([analyze, "verify", "--man=no", unit], capture_output=True, text=True)
    check(r.returncode == 0 and r.stderr.strip() == "", "verify: %s%s" % (r.stdout, r.stderr))
    r = subprocess.run([analyze, "security", "--offline=yes", unit], capture_output=True, text=True)
    line = [x for x in r.stdout.splitlines() if "Overall exposure level" in x]
    check(line, "no exposure level in %r" % r.stdout[-500:])
    score = float(line[0].split(":")[1].split()[0])
    print("systemd-analyze security exposure: %.1f" % score)
    check(score <= 2.0, "exposure %.1f above 2.0" % score)
    env.close()


# A uid that no account on the machine needs to have: the kernel passes
# peer credentials as numbers.
OPERATOR_UID = 4321
RELOAD_CLIENT = ("import json,socket,sys\n"
                 "s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])\n"
                 "s.sendall(b'{\"v\":1,\"cmd\":\"reload\"}\\n')\n"
                 "print(s.makefile('rb').readline().decode().strip())\n")


def test_private_users_hides_peers():
    """PrivateUsers=yes runs the service in a user namespace that maps only
    root and the service's user: the SO_PEERCRED uid of any other client is
    the overflow uid there, so control.allow_users (and the operators' own
    client places) cannot recognise anyone. The same daemon, started in
    such a namespace (unshare maps root alone), refuses an allowed user's
    reload that it accepts outside one; the unit must not set it."""
    if not can_run_as_nobody("connect as another user"):
        return
    unshare = shutil.which("unshare")
    if unshare is None or subprocess.run([unshare, "--user", "--map-root-user", "true"],
                                         capture_output=True).returncode != 0:
        print("skipped: cannot create a user namespace (unshare --user)")
        return
    config = BASE_CONFIG.replace("control:\n", "control:\n  allow_users: [%d]\n" % OPERATOR_UID)
    replies = {}
    for namespaced in (False, True):
        env = Env("userns", config)
        env.start(prefix=(unshare, "--user", "--map-root-user") if namespaced else ())
        sock = open_to_others(env)
        r = subprocess.run(["/usr/bin/setpriv", "--reuid=%d" % OPERATOR_UID,
                            "--regid=%d" % OPERATOR_UID, "--clear-groups",
                            "python3", "-c", RELOAD_CLIENT, sock],
                           capture_output=True, text=True, timeout=30)
        check(r.returncode == 0, "client: %s%s" % (r.stdout, r.stderr))
        replies[namespaced] = json.loads(r.stdout)
        env.stop()
        env.close()
    check(replies[False]["ok"], "an allowed user's reload refused: %s" % replies[False])
    err = replies[True].get("error", {})
    check(not replies[True]["ok"] and err.get("code") == "forbidden"
          and "uid 65534" in err.get("message", ""),
          "in a user namespace the peer is not the overflow uid: %s" % replies[True])
    with open(os.path.join(SOURCE, "systemd", "warmthd.service")) as f:
        unit = f.read()
    check("\nPrivateUsers=" not in unit, "the unit sets PrivateUsers=")


def test_priority_prefixes_only_for_the_journal():
    """"<N>" priorities go to the journal's stream (JOURNAL_STREAM names
    stderr's device and inode); a terminal or a file gets plain lines, also
    when the variable is inherited from a service but stderr was redirected."""
    env = Env("journal-prefix", BASE_CONFIG)
    env.append("a.jsonl", ["not json"])
    log = os.path.join(env.dir, "stderr.log")
    for stream, want in (("match", True), ("other", False), (None, False)):
        with open(log, "wb") as f:
            st = os.fstat(f.fileno())
            penv = dict(os.environ)
            penv.pop("JOURNAL_STREAM", None)
            if stream == "match":
                penv["JOURNAL_STREAM"] = "%d:%d" % (st.st_dev, st.st_ino)
            elif stream == "other":
                penv["JOURNAL_STREAM"] = "%d:%d" % (st.st_dev, st.st_ino + 1)
            r = subprocess.run([WARMTHD, "-c", env.config, "--once"], stderr=f, env=penv, timeout=60)
        check(r.returncode == 0, "warmthd --once: %d" % r.returncode)
        with open(log) as f:
            lines = [l for l in f.read().splitlines() if l]
        prefixed = [l for l in lines if len(l) > 3 and l[0] == "<" and l[2] == ">" and l[1].isdigit()]
        check(lines and (len(prefixed) == len(lines) if want else not prefixed),
              "JOURNAL_STREAM %s: %s" % (stream, lines[:3]))
    env.close()


if __name__ == "__main__":
    run([test_notify_sequence, test_priority_prefixes_only_for_the_journal, test_no_notify_socket_is_fine, test_unit_file_verifies,
         test_private_users_hides_peers])
