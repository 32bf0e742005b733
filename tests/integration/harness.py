"""Shared helpers for warmthd's black-box tests.

Each test starts the real warmthd in a temporary directory with a config
written there, appends real JSON lines to real files, and asks the state
through the real warmthctl (--db, read-only). Waiting is always for a
condition (polling the CLI), never a fixed sleep; simulated time is event
time, written into the lines.
"""

import atexit
import http.server
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

BUILD = os.environ.get("WARMTH_BUILD_DIR", os.path.join(os.path.dirname(__file__), "..", "..", "build"))
SOURCE = os.environ.get("WARMTH_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
SANITIZED = os.environ.get("WARMTH_SANITIZED") == "1"
# WARMTH_VALGRIND=1 runs every daemon the harness starts under valgrind
# memcheck: any error or definite leak makes it exit 99, which the tests
# that check the exit status see (not a CI stage: it is ~30 times slower).
VALGRIND = os.environ.get("WARMTH_VALGRIND") == "1"
DAEMON_WRAPPER = ["valgrind", "--quiet", "--error-exitcode=99", "--leak-check=full",
                  "--errors-for-leak-kinds=definite", "--track-fds=no"] if VALGRIND else []
WARMTHD = os.path.join(BUILD, "warmthd")
WARMTHCTL = os.path.join(BUILD, "warmthctl")
GEN = os.path.join(BUILD, "warmth-gen")

BASE_CONFIG = """\
control:
  socket: ./control.sock
state:
  database: ./state.db
inputs:
  - path: ./in/*.jsonl
dead_letter: ./rejected.jsonl
ingest:
  batch_interval: 20ms
  rescan_interval: 200ms
  rotate_wait: 2s
log:
  level: debug
notify:
  - type: file
    path: ./notifications.jsonl
"""


_RUNNING = []

# Runs a command as nobody, so that file permissions apply (root ignores them).
AS_NOBODY = ("/usr/bin/setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups")


def can_run_as_nobody(why="run the daemon as another user"):
    """True when the tests may use AS_NOBODY; otherwise says the test is skipped."""
    if os.geteuid() == 0 and os.path.exists(AS_NOBODY[0]):
        return True
    print("skipped: needs root and setpriv to " + why)
    return False


@atexit.register
def _kill_leftovers():
    """A failed test must not leave a daemon running."""
    for env in _RUNNING:
        if env.proc is not None and env.proc.poll() is None:
            env.proc.kill()
            env.proc.wait()


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)


def open_to_others(env):
    """Lets other users reach env's control socket (as a member of its group would)."""
    os.chmod(env.dir, 0o755)
    sock = os.path.join(env.dir, "control.sock")
    os.chmod(sock, 0o666)
    return sock


def run_as_nobody(argv, timeout=30):
    """Runs argv as the user nobody, without groups."""
    return subprocess.run(list(AS_NOBODY) + list(argv), capture_output=True, text=True,
                          timeout=timeout)


def event(ts, type_, actor, **kw):
    """One event line (without newline). ts: Unix seconds or RFC 3339."""
    d = {"ts": ts, "type": type_, "actor": actor}
    d.update(kw)
    return json.dumps(d, separators=(",", ":"))


def rss_kib(pid):
    """The resident memory of process pid in KiB (VmRSS), 0 if it has none."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def executive_lines(actor="ada", name="Ada Lovelace", t0=1793700000, day=86400):
    """A senior executive (12,000 connections) who follows and comments on
    three posts over 16 days: ready at the third comment (the scenario of
    test_readiness.py, shared by the tests that need someone ready)."""
    return [
        event(t0, "follow", actor, name=name, actor_connections=12000, id=actor + "0"),
        event(t0 + 2 * day, "comment", actor, post="p1", title="Remote teams",
              text="Great point on async", id=actor + "1"),
        event(t0 + 9 * day, "comment", actor, post="p2", title="Hiring", text="Agreed",
              id=actor + "2"),
        event(t0 + 16 * day, "comment", actor, post="p3", title="Burnout",
              text="This resonates", id=actor + "3"),
    ]


class Env:
    """A temporary directory with a config, an input folder and a daemon."""

    def __init__(self, name, config=BASE_CONFIG, keep=False):
        self.dir = tempfile.mkdtemp(prefix="warmth-%s-" % name)
        self.indir = os.path.join(self.dir, "in")
        os.mkdir(self.indir)
        self.config = os.path.join(self.dir, "warmthd.yaml")
        self.db = os.path.join(self.dir, "state.db")
        self.dead_letter = os.path.join(self.dir, "rejected.jsonl")
        self.proc = None
        self.log = None
        self.keep = keep or os.environ.get("WARMTH_KEEP") == "1"
        self.write_config(config)
        _RUNNING.append(self)

    def write_config(self, text):
        with open(self.config, "w") as f:
            f.write(text)
        # Whatever the umask: warmthd refuses a config others may write.
        os.chmod(self.config, 0o644)

    def path(self, name):
        return os.path.join(self.indir, name)

    def append(self, name, lines, newline=True):
        """Appends lines (a list of str) to an input file."""
        data = "\n".join(lines) + ("\n" if newline and lines else "")
        with open(self.path(name), "a", encoding="utf-8", errors="surrogateescape") as f:
            f.write(data)

    def append_bytes(self, name, data):
        with open(self.path(name), "ab") as f:
            f.write(data)

    # --- the daemon ---

    def start(self, *args, prefix=(), environ=None):
        """Starts the daemon; prefix runs it through another command (setpriv),
        environ adds environment variables."""
        check(self.proc is None, "daemon already running")
        self.log = open(os.path.join(self.dir, "warmthd.log"), "ab")
        penv = dict(os.environ)
        penv.update(environ or {})
        self.proc = subprocess.Popen(list(prefix) + DAEMON_WRAPPER + [WARMTHD, "-c", self.config]
                                     + list(args),
                                     stdout=self.log, stderr=self.log, env=penv)
        # Ready once the database exists with its schema: the daemon creates it
        # before it starts tailing.
        self.wait(lambda: self.proc.poll() is not None or self.status_or_none() is not None,
                  "daemon start")
        check(self.proc.poll() is None, "daemon exited at start:\n" + self.log_text())
        # A database left by an earlier run exists before this daemon opens
        # its control socket: wait for the socket too when the config has one.
        with open(self.config) as f:
            has_socket = "socket: ./control.sock" in f.read()
        if has_socket:
            sock = os.path.join(self.dir, "control.sock")
            self.wait(lambda: self.proc.poll() is not None or os.path.exists(sock),
                      "control socket")
            check(self.proc.poll() is None, "daemon exited at start:\n" + self.log_text())
        return self.proc

    def once(self, *args, expect=0, environ=None, prefix=()):
        penv = dict(os.environ)
        penv.update(environ or {})
        r = subprocess.run(list(prefix) + DAEMON_WRAPPER + [WARMTHD, "-c", self.config, "--once"]
                           + list(args),
                           capture_output=True, text=True, timeout=600, env=penv)
        with open(os.path.join(self.dir, "warmthd.log"), "a") as f:
            f.write(r.stderr)
        check(r.returncode == expect, "warmthd --once exit %d (want %d):\n%s" %
              (r.returncode, expect, r.stderr[-4000:]))
        return r

    def stop(self, sig=signal.SIGTERM, timeout=10):
        if self.proc is None:
            return None
        if VALGRIND:
            timeout *= 20
        self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            fail("daemon did not stop within %ss after signal %d" % (timeout, sig))
        self.proc = None
        self.log.close()
        if VALGRIND and rc == 99:
            fail("valgrind found errors in the daemon:\n" + self.log_text())
        return rc

    def kill(self):
        return self.stop(signal.SIGKILL)

    def log_text(self, whole=False):
        """The daemon's log: its last 8,000 characters, for failure messages,
        or all of it (whole), to look for a line."""
        try:
            with open(os.path.join(self.dir, "warmthd.log"), errors="replace") as f:
                text = f.read()
        except OSError:
            return ""
        return text if whole else text[-8000:]

    def log_has(self, text):
        """Whether the daemon logged text, however much it logged since."""
        return text in self.log_text(whole=True)

    # --- the CLI ---

    def ctl(self, *args, expect=0):
        r = subprocess.run([WARMTHCTL, "--db", self.db, "--json"] + list(args),
                           capture_output=True, text=True, timeout=120)
        check(r.returncode == expect, "warmthctl %s: exit %d (want %d): %s" %
              (" ".join(args), r.returncode, expect, r.stderr))
        return r

    def status_or_none(self):
        if not os.path.exists(self.db):
            return None
        r = subprocess.run([WARMTHCTL, "--db", self.db, "--json", "status"],
                           capture_output=True, text=True, timeout=60)
        if r.returncode != 0:
            return None
        try:
            return json.loads(r.stdout)
        except ValueError:
            return None

    def status(self):
        return json.loads(self.ctl("status").stdout)

    def show(self, actor):
        return json.loads(self.ctl("show", actor).stdout)

    def export(self):
        out = self.ctl("export").stdout
        return [json.loads(line) for line in out.splitlines() if line.strip()]

    def processed(self, st=None):
        st = st or self.status()
        return st["events_accepted"] + st["events_rejected"] + st["events_duplicate"]

    def wait_processed(self, n, timeout=60):
        """Waits until the committed state has seen n lines in all."""
        last = [None]

        def done():
            st = self.status_or_none()
            last[0] = st
            return st is not None and self.processed(st) >= n

        self.wait(done, "%d lines processed (last status %s)" % (n, last[0]), timeout)
        st = self.status()
        check(self.processed(st) == n, "processed %d lines, want exactly %d: %s" %
              (self.processed(st), n, st))
        return st

    def wait(self, cond, what, timeout=60):
        if SANITIZED:
            timeout *= 4
        if VALGRIND:
            timeout *= 20
        deadline = time.monotonic() + timeout
        delay = 0.005
        while time.monotonic() < deadline:
            if cond():
                return
            if self.proc is not None and self.proc.poll() is not None:
                fail("daemon died while waiting for %s:\n%s" % (what, self.log_text()))
            time.sleep(delay)
            delay = min(delay * 2, 0.1)
        fail("timed out waiting for %s\n%s" % (what, self.log_text()))

    def dead_letters(self):
        if not os.path.exists(self.dead_letter):
            return []
        with open(self.dead_letter) as f:
            return [json.loads(line) for line in f if line.strip()]

    def close(self, ok=True):
        if self.proc is not None:
            self.stop()
        if ok and not self.keep:
            shutil.rmtree(self.dir, ignore_errors=True)
        else:
            print("kept test directory " + self.dir)


def run(tests):
    """Runs test functions in order; prints a summary line ctest shows."""
    passed = 0
    for t in tests:
        start = time.monotonic()
        t()
        passed += 1
        print("ok   %-40s %.2fs" % (t.__name__, time.monotonic() - start))
    print("%d passed, 0 failed" % passed)


class Receiver:
    """An HTTP server on 127.0.0.1 that answers requests from a script of
    statuses (then 200), and can hang a request until released."""

    def __init__(self, script=(), hang=0):
        self.script = list(script)
        self.hang = hang          # the first `hang` requests never get an answer in time
        self.release = threading.Event()
        self.requests = []
        self.lock = threading.Lock()
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with owner.lock:
                    owner.requests.append((self.path, dict(self.headers), body))
                    n = len(owner.requests)
                    status = owner.script.pop(0) if owner.script else 200
                if n <= owner.hang:
                    owner.release.wait(30)
                    return
                reply = b"nope" if status >= 400 else b"ok"
                self.send_response(status)
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = "http://127.0.0.1:%d/hook" % self.server.server_address[1]

    def count(self):
        with self.lock:
            return len(self.requests)

    def close(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


def free_port():
    """A port nobody listens on now (the kernel's pick for port 0)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def port_open(port):
    """Whether something accepts connections on 127.0.0.1:port."""
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False
