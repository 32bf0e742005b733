"""A local user who may only read (anyone in the control socket's group)
takes every one of control.max_clients and keeps them, reconnecting as it
is dropped and pinging within the idle timeout. The operators (root, the
daemon's own user and control.allow_users) must still be answered: their
clients are counted apart, each side capped at control.max_clients, so
others filling the socket never lock them out, and the others are still
told "busy" past the cap."""

import json
import os
import socket
import subprocess
import sys
import time

from harness import AS_NOBODY, BASE_CONFIG, WARMTHCTL, Env, can_run_as_nobody, check, event, open_to_others, run

T0 = 1793700000
MAX = 8
CONFIG = BASE_CONFIG.replace("  socket: ./control.sock\n",
                             "  socket: ./control.sock\n  max_clients: %d\n" % MAX)

# Run as nobody: holds MAX + 4 connections (the extra ones are refused),
# pings on each every half second, and says "held N" once it holds what it can.
HOLDER = r"""
import json, socket, sys, time
path, n = sys.argv[1], int(sys.argv[2])
held = []
for i in range(n):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    held.append(s)
time.sleep(0.5)
alive = []
for s in held:
    s.settimeout(2)
    try:
        s.sendall(b'{"v":1,"cmd":"ping"}\n')
        reply = s.recv(4096)
    except OSError:
        reply = b""
    if b'"ok":true' in reply:
        alive.append(s)
print("held %d" % len(alive), flush=True)
for _ in range(40):
    time.sleep(0.5)
    for s in alive:
        s.sendall(b'{"v":1,"cmd":"ping"}\n')
        s.recv(4096)
"""


def test_operator_not_locked_out():
    if not can_run_as_nobody("connect as another user"):
        return
    env = Env("lockout", CONFIG)
    env.append("a.jsonl", [event(T0, "follow", "ada", name="Ada Lovelace")])
    env.start()
    env.wait_processed(1)
    sock = open_to_others(env)
    script = os.path.join(env.dir, "holder.py")
    with open(script, "w") as f:
        f.write(HOLDER)
    os.chmod(script, 0o644)
    holder = subprocess.Popen(list(AS_NOBODY) + [sys.executable, script, sock, str(MAX + 4)],
                              stdout=subprocess.PIPE, text=True)
    try:
        line = holder.stdout.readline()
        check(line.strip() == "held %d" % MAX,
              "the other user should hold exactly control.max_clients (%d): %r" % (MAX, line))
        # Another read-only client of that user is still told "busy".
        r = subprocess.run(list(AS_NOBODY) + [WARMTHCTL, "-s", sock, "status"],
                           capture_output=True, text=True, timeout=30)
        check(r.returncode == 3 and "busy" in r.stderr,
              "past the cap, another client of that user is told busy: exit %d %s" %
              (r.returncode, r.stderr))
        # The operator is answered, read-only and changing commands alike.
        for args in (["status"], ["snooze", "ada", "1d"], ["unsnooze", "ada"]):
            r = subprocess.run([WARMTHCTL, "-s", sock] + args, capture_output=True, text=True,
                               timeout=30)
            check(r.returncode == 0, "the operator's %s while another user fills the socket: exit %d %s" %
                  (" ".join(args), r.returncode, r.stderr))
    finally:
        holder.kill()
        holder.wait()
    env.close()


if __name__ == "__main__":
    run([test_operator_not_locked_out])
