"""systemd integration: the notify protocol seen through a fake
NOTIFY_SOCKET (a datagram socket the test owns): READY=1 once the daemon
is up, WATCHDOG=1 pings from the loop, RELOADING=1 (with MONOTONIC_USEC)
then READY=1 around a reload, STOPPING=1 at the end, in that order."""

import os
import shutil
import signal
import socket
import subprocess
import threading

from harness import SOURCE, WARMTHD, Env, check, run


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


if __name__ == "__main__":
    run([test_notify_sequence, test_no_notify_socket_is_fine, test_unit_file_verifies])
