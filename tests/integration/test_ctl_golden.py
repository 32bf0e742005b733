"""Golden outputs of warmthctl's read commands, text and JSON, compared byte
for byte with tests/golden/ctl/*.expected (as bgpd's regress tests diff
"bgpctl -n" output).

The state is deterministic: warmthd --once reads fixed events with
time.source: event, so "now" is the newest event and no output depends on
the clock. What does depend on the machine is masked before comparing: the
temporary directory (@DIR@) and the database's size in bytes (@BYTES@).
warmthctl runs with LC_ALL=C and without NO_COLOR or TERM, and its stdout
is a pipe: plain ASCII, no colour. The terminal styles are checked apart,
through a pseudo-terminal.

WARMTH_UPDATE_GOLDEN=1 rewrites the golden files from the current output
instead of comparing: review the diff before committing it."""

import json
import os
import pty
import re
import subprocess

from harness import SOURCE, WARMTHCTL, WARMTHD, Env, check, event, run

GOLDEN = os.path.join(SOURCE, "tests", "golden", "ctl")
UPDATE = os.environ.get("WARMTH_UPDATE_GOLDEN") == "1"

CONFIG = """\
state:
  database: ./state.db
control:
  socket: ./control.sock
inputs:
  - path: ./in/*.jsonl
dead_letter: ./rejected.jsonl
time:
  source: event
notify:
  - type: file
    path: ./notifications.jsonl
"""

DAY = 86400
T0 = 1793700000  # 2026-11-03T10:00:00Z

LINES = [
    event(T0, "follow", "alice", name="Alice Example", headline="CTO, \"Example\" Inc",
          actor_connections=12000, tags=["client"]),
    event(T0 + 3600, "like", "alice", post="p1", title="On warmth"),
    event(T0 + DAY, "comment", "alice", post="p2", title="On ratios", text="Great point",
          id="c1"),
    event(T0 + 2 * DAY, "share", "alice", post="p3"),
    event(T0 + 3 * DAY, "comment", "alice", post="p1", text="Agreed, and more", id="c2"),
    event(T0 + 14 * DAY, "comment", "alice", post="p5", text="Count me in", id="c4"),
    event(T0 + 60, "follow", "bob", dir="out", name="Bob Builder", creator=True),
    event(T0 + 120, "like", "bob", post="p1"),
    event(T0 + DAY + 60, "like", "bob", post="p2"),
    event(T0 + 70, "follow", "carol", name="Carol, with comma", tags=["client", "berlin"]),
    event(T0 + 71, "follow", "carol", dir="out"),
    event(T0 + 4 * DAY, "comment", "carol", post="p4", text="Line one\nline two", id="c3"),
    event(T0 + 80, "invite_sent", "dave", dir="out"),
    event(T0 + 90, "connect", "erin", name="Erin"),
    event(T0 + 100, "invite_sent", "frank", dir="out"),
    event(T0 + 200, "invite_accepted", "frank"),
    '{"ts":%d,"type":"snapshot","followers":1500,"connections":1000}' % (T0 + 300),
    event(T0 + 400, "like", "gina", account="work", name="Gina \u00e9t\u00e9", post="w1"),
    "this is not json",
    event(T0 + 15 * DAY, "profile_view", "henry", name="Henry"),
]

# (golden file name, warmthctl arguments after --db DB)
CASES = [
    ("status", ["status"]),
    ("status.json", ["--json", "status"]),
    ("show", ["show", "alice"]),
    ("show.json", ["--json", "show", "alice"]),
    ("top", ["top"]),
    ("top.json", ["--json", "top"]),
    ("top-n2", ["top", "-n", "2"]),
    ("top-segment", ["top", "--segment", "peer"]),
    ("top-segment.json", ["--json", "top", "--segment", "peer"]),
    ("ready", ["ready"]),
    ("ready.json", ["--json", "ready"]),
    ("metrics", ["metrics"]),
    ("metrics.json", ["--json", "metrics"]),
    ("plan", ["plan"]),
    ("plan.json", ["--json", "plan"]),
    ("export", ["export"]),
    ("export-jsonl", ["export", "--format", "jsonl"]),
    ("export-csv", ["export", "--format", "csv"]),
]


def plain_env(**extra):
    env = {k: v for k, v in os.environ.items()
           if k not in ("NO_COLOR", "TERM") and not k.startswith("LC_") and k != "LANG"}
    env["LC_ALL"] = "C"
    env.update(extra)
    return env


def masked(out, directory):
    out = out.replace(directory.encode(), b"@DIR@")
    out = re.sub(rb'"database_bytes":\d+', b'"database_bytes":"@BYTES@"', out)
    return re.sub(rb"(database size +)\d+ bytes", rb"\1@BYTES@ bytes", out)


def compare(name, args, out, failures):
    """Compares out with tests/golden/ctl/NAME.expected (or rewrites it)."""
    path = os.path.join(GOLDEN, name + ".expected")
    if UPDATE:
        with open(path, "wb") as f:
            f.write(out)
        return
    with open(path, "rb") as f:
        want = f.read()
    if out != want:
        failures.append("%s (warmthctl %s):\n--- want\n%s\n--- got\n%s" %
                        (name, " ".join(args), want.decode(errors="replace"),
                         out.decode(errors="replace")))


def test_golden_outputs():
    env = Env("ctl-golden", CONFIG)
    env.append("a.jsonl", LINES)
    env.once()
    if UPDATE:
        os.makedirs(GOLDEN, exist_ok=True)
    failures = []
    for name, args in CASES:
        r = subprocess.run([WARMTHCTL, "--db", env.db, "-c", env.config] + args, capture_output=True,
                           env=plain_env(), timeout=60)
        check(r.returncode == 0, "%s: exit %d: %s" % (args, r.returncode, r.stderr))
        out = masked(r.stdout, env.dir)
        compare(name, args, out, failures)
    check(not failures, "golden outputs differ (WARMTH_UPDATE_GOLDEN=1 rewrites them):\n" +
          "\n".join(failures))
    env.close()


def test_golden_outputs_over_the_socket():
    """The read commands answered by the daemon from memory (the default
    without --db) print the same bytes as --db on the same state: the same
    golden files, text and JSON. status differs by design (the daemon adds
    live figures) and has its own tests."""
    env = Env("ctl-golden-live", CONFIG)
    env.append("a.jsonl", LINES)
    env.once()
    env.start()
    # The database is there from --once: the socket comes a moment later.
    env.wait(lambda: os.path.exists(os.path.join(env.dir, "control.sock")), "the control socket")
    failures = []
    for name, args in CASES:
        if args[-1] == "status":
            continue
        r = subprocess.run([WARMTHCTL, "-c", env.config] + args, capture_output=True,
                           env=plain_env(), timeout=60)
        check(r.returncode == 0, "%s over the socket: exit %d: %s" % (args, r.returncode, r.stderr))
        db = subprocess.run([WARMTHCTL, "--db", env.db, "-c", env.config] + args,
                            capture_output=True, env=plain_env(), timeout=60)
        if r.stdout != db.stdout:
            failures.append("%s: socket and --db differ:\n%s\n---\n%s" %
                            (args, r.stdout.decode(errors="replace"),
                             db.stdout.decode(errors="replace")))
        if not UPDATE:
            compare(name, args, masked(r.stdout, env.dir), failures)
    check(env.stop() == 0, "warmthd exit status:\n" + env.log_text())
    check(not failures, "over the socket:\n" + "\n".join(failures))
    env.close()


# (golden file name, warmthctl arguments after -c CONFIG) for the commands
# that ask the running daemon; each file holds stdout, stderr and the exit code.
SOCKET_CASES = [
    ("notify-test", ["notify-test", "file"]),
    ("notify-test.json", ["--json", "notify-test", "file"]),
    ("notify-test-unknown", ["notify-test", "webhook"]),
    ("redeliver", ["redeliver", "@ID@"]),
    ("redeliver.json", ["--json", "redeliver", "@ID@"]),
    ("redeliver-unknown", ["redeliver", "nonesuch"]),
    ("redeliver-usage", ["redeliver"]),
]


def test_golden_socket_commands():
    env = Env("ctl-golden-socket", CONFIG)
    env.append("a.jsonl", LINES)
    env.once()
    env.start()
    # start() returns once the database is readable, maybe before the socket listens.
    env.wait(lambda: subprocess.run([WARMTHCTL, "-c", env.config, "ping"], capture_output=True,
                                    env=plain_env()).returncode == 0, "the control socket")
    ids = [n["id"] for n in json.loads(env.ctl("notifications").stdout)]
    check(ids, "the golden events make no notification")
    failures = []
    for name, args in SOCKET_CASES:
        args = [ids[0] if a == "@ID@" else a for a in args]
        r = subprocess.run([WARMTHCTL, "-c", env.config] + args, capture_output=True,
                           env=plain_env(), timeout=60)
        out = masked(b"stdout:\n" + r.stdout + b"stderr:\n" + r.stderr +
                     b"exit %d\n" % r.returncode, env.dir).replace(ids[0].encode(), b"@ID@")
        # Redeliveries are written with the next results: wait for them.
        env.wait(lambda: all(n["state"] != "pending" for n in
                             json.loads(env.ctl("notifications").stdout)),
                 "redelivery of %s" % ids[0])
        compare(name, args, out, failures)
    env.stop()
    check(not failures, "golden outputs differ (WARMTH_UPDATE_GOLDEN=1 rewrites them):\n" +
          "\n".join(failures))
    env.close()


def on_a_terminal(args, **extra):
    """Runs warmthctl with stdout on a pseudo-terminal; returns what it wrote."""
    master, slave = pty.openpty()
    p = subprocess.Popen([WARMTHCTL] + args, stdout=slave, stderr=subprocess.PIPE,
                         env=plain_env(TERM="xterm", **extra))
    os.close(slave)
    out = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the other side is closed
            break
        if not chunk:
            break
        out += chunk
    os.close(master)
    check(p.wait(timeout=60) == 0, "%s on a terminal: %s" % (args, p.stderr.read()))
    return out


def test_terminal_styles():
    env = Env("ctl-styles", CONFIG)
    env.append("a.jsonl", LINES)
    env.once()
    out = on_a_terminal(["--db", env.db, "-c", env.config, "top"])
    check(b"\x1b[1m" in out and b"\x1b[0m" in out, "no bold headers on a terminal: %r" % out)
    out = on_a_terminal(["--db", env.db, "-c", env.config, "show", "alice"])
    check(b"\x1b[31m" in out or b"\x1b[32m" in out, "no colour in show: %r" % out)
    out = on_a_terminal(["--db", env.db, "-c", env.config, "top"], NO_COLOR="1")
    check(b"\x1b[" not in out, "colour despite NO_COLOR: %r" % out)
    # JSON never carries styles, even on a terminal.
    out = on_a_terminal(["--db", env.db, "-c", env.config, "--json", "top"])
    check(b"\x1b[" not in out, "colour in JSON: %r" % out)
    # The bar: block characters in a UTF-8 locale, when the system has one.
    r = subprocess.run([WARMTHCTL, "--db", env.db, "-c", env.config, "top"], capture_output=True,
                       env=plain_env(LC_ALL="C.UTF-8"), timeout=60)
    check(r.returncode == 0, "top in C.UTF-8: %s" % r.stderr)
    if "\u2588".encode() not in r.stdout:
        check(b"##" in r.stdout, "no warmth bar at all: %r" % r.stdout)
        print("note: no C.UTF-8 locale here, only the ASCII bar was checked")
    env.close()


def test_format_and_segment_errors():
    env = Env("ctl-golden-errors", CONFIG)
    env.append("a.jsonl", LINES)
    env.once()
    for args, code, words in ((["export", "--format", "xml"], 2, "text, jsonl or csv"),
                              (["top", "--format", "csv"], 2, "option of export only"),
                              (["show", "alice", "--segment", "x"], 2, "top, ready and contacts only"),
                              (["top", "--segment", "nonesuch"], 2, "segments:")):
        r = subprocess.run([WARMTHCTL, "--db", env.db, "-c", env.config] + args, capture_output=True, text=True,
                           env=plain_env(), timeout=60)
        check(r.returncode == code and words in r.stderr,
              "%s: exit %d (want %d), stderr %r" % (args, r.returncode, code, r.stderr))
    # --json and --format: the format wins, so "export --json --format csv" is CSV.
    r = subprocess.run([WARMTHCTL, "--db", env.db, "-c", env.config, "--json", "export", "--format", "csv"],
                       capture_output=True, env=plain_env(), timeout=60)
    check(r.returncode == 0 and r.stdout.startswith(b"actor,name,"), "csv with --json: %r" % r)
    env.close()


if __name__ == "__main__":
    if not os.path.exists(WARMTHD):
        print("skip: no %s" % WARMTHD)
    else:
        run([test_golden_outputs, test_golden_outputs_over_the_socket, test_golden_socket_commands, test_terminal_styles,
             test_format_and_segment_errors])
