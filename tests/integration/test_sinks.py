"""Black-box tests of the notification sinks (daemon/sink_*.c).

tests/unit/sink_driver runs one notify: entry of a real config as a sink on
a libuv loop, delivers the records given on stdin, redelivers at once what
comes back "retry" (up to --attempts), and reports every outcome as a JSON
line. Receivers here are real: an HTTP server on 127.0.0.1 whose answers
are scripted per request, shell scripts for exec, a Unix datagram socket
standing in for journald, the file itself. Nothing waits on a fixed sleep:
timeouts in the configs are short, and the driver ends when every record
has its final outcome and every handle is closed (it checks
uv_loop_close() == 0 and exits 3 otherwise).
"""

import fcntl
import json
import os
import re
import socket
import struct
import subprocess
import tempfile
import threading
import time

from harness import BUILD, Receiver, check, fail

DRIVER = os.path.join(BUILD, "tests", "sink_driver")

READY = {"kind": "ready", "ts": "2026-11-03T10:00:00.000Z", "id": "n-1", "actor": "ada",
         "name": "Ada Lovelace", "segment": "senior_executive", "warmth": 41.3,
         "reasons": ["followed 18 days ago (wait 14)", "warmth 41.3 (need 5)"],
         "evidence": [{"type": "comment", "ts": "2026-11-02T09:00:00.000Z", "post": "p1",
                       "text": "Great point on analytical engines."}],
         "note": "Hi Ada, thank you for your thoughts. I'd be glad to connect."}


def record(**kw):
    d = dict(READY)
    d.update(kw)
    return json.dumps(d, separators=(",", ":"), ensure_ascii=False)


def workdir(name):
    return tempfile.mkdtemp(prefix="warmth-sinks-%s-" % name)


def write_config(d, notify_yaml):
    path = os.path.join(d, "warmthd.yaml")
    with open(path, "w") as f:
        f.write("inputs:\n  - path: ./in/*.jsonl\nnotify:\n" + notify_yaml)
    return path


def drive(config, index, records, *args, timeout=15):
    """Runs the driver; returns (reports, other stdout lines, completed process)."""
    r = subprocess.run([DRIVER, config, str(index)] + list(args),
                       input="".join(x + "\n" for x in records), capture_output=True,
                       text=True, timeout=timeout)
    if r.returncode != 0:
        fail("sink_driver exit %d\nstdout: %s\nstderr: %s" % (r.returncode, r.stdout, r.stderr))
    reports, other = [], []
    for line in r.stdout.splitlines():
        if line.startswith("{"):
            reports.append(json.loads(line))
        else:
            other.append(line)
    return reports, other, r


def outcomes(reports, rec=0):
    return [(x["result"], x.get("reason")) for x in reports if x.get("record") == rec]


# -- webhook -----------------------------------------------------------------

def webhook_config(d, url, timeout="2s"):
    return write_config(d, "  - type: webhook\n    url: %s\n    timeout: %s\n"
                           "    headers:\n      X-Token: secret-1\n      X-Empty: \"\"\n" % (url, timeout))


def test_webhook_retries_then_delivers():
    rx = Receiver(script=[503, 503])
    try:
        d = workdir("webhook")
        rec = record()
        reports, _, _ = drive(webhook_config(d, rx.url), 0, [rec], "--attempts", "5")
        got = outcomes(reports)
        check(got == [("retry", "HTTP 503: nope"), ("retry", "HTTP 503: nope"), ("delivered", None)],
              "503, 503, 200 should be retry, retry, delivered: %r" % got)
        check(len(rx.requests) == 3, "three requests, got %d" % len(rx.requests))
        for path, headers, body in rx.requests:
            check(path == "/hook", "path %r" % path)
            check(body.decode() == rec, "every attempt carries the same body: %r" % body)
            check(headers.get("Content-Type") == "application/json", "Content-Type %r" % headers)
            check(headers.get("Idempotency-Key") == "n-1", "Idempotency-Key %r" % headers)
            check(headers.get("X-Token") == "secret-1", "configured header missing: %r" % headers)
            check(headers.get("X-Empty") == "", "an empty header is sent empty: %r" % headers)
            check("Expect" not in headers, "no Expect: 100-continue: %r" % headers)
    finally:
        rx.close()


def test_webhook_classifies_statuses():
    rx = Receiver(script=[404, 429, 500, 400, 301])
    try:
        d = workdir("webhook-status")
        recs = [record(id="n-%d" % i) for i in range(5)]
        reports, _, _ = drive(webhook_config(d, rx.url), 0, recs, "--attempts", "1")
        want = ["failed", "retry", "retry", "failed", "failed"]
        for i, w in enumerate(want):
            got = outcomes(reports, i)
            check(len(got) == 1 and got[0][0] == w, "record %d: want %s, got %r" % (i, w, got))
        check(outcomes(reports, 0)[0][1].startswith("HTTP 404"), "reason names the status: %r" % reports)
        ids = [h.get("Idempotency-Key") for _, h, _ in rx.requests]
        check(ids == ["n-%d" % i for i in range(5)], "one request per record, in order: %r" % ids)
    finally:
        rx.close()


def test_webhook_timeout_and_refused():
    rx = Receiver(hang=1)
    try:
        d = workdir("webhook-hang")
        start = time.monotonic()
        reports, _, _ = drive(webhook_config(d, rx.url, timeout="300ms"), 0, [record()], "--attempts", "2")
        got = outcomes(reports)
        check(got[0] == ("retry", "timed out after 0.3s"), "a hung server is a retry: %r" % got)
        check(got[1] == ("delivered", None), "then delivered: %r" % got)
        check(time.monotonic() - start < 5, "the timeout is honoured")
    finally:
        rx.close()
    # Nobody listens on the port any more: a connection error, retried.
    reports, _, _ = drive(webhook_config(d, rx.url, timeout="300ms"), 0, [record()])
    got = outcomes(reports)
    check(len(got) == 1 and got[0][0] == "retry", "connection refused is a retry: %r" % got)


def test_webhook_concurrent():
    rx = Receiver()
    try:
        d = workdir("webhook-many")
        recs = [record(id="c-%d" % i, actor="a%d" % i) for i in range(8)]
        reports, _, _ = drive(webhook_config(d, rx.url), 0, recs, "--concurrent")
        check(all(x["result"] == "delivered" for x in reports) and len(reports) == 8,
              "all delivered: %r" % reports)
        ids = sorted(h.get("Idempotency-Key") for _, h, _ in rx.requests)
        check(ids == sorted("c-%d" % i for i in range(8)), "each exactly once: %r" % ids)
    finally:
        rx.close()


# -- exec --------------------------------------------------------------------

def script(d, name, body):
    path = os.path.join(d, name)
    with open(path, "w") as f:
        f.write("#!/bin/sh\n" + body)
    os.chmod(path, 0o755)
    return path


def exec_config(d, program, timeout="5s"):
    return write_config(d, "  - type: exec\n    command: [%s, --flag]\n    timeout: %s\n" % (program, timeout))


def test_exec_success_failure():
    d = workdir("exec")
    out = os.path.join(d, "out")
    ok = script(d, "ok.sh", 'cat > "%s.stdin"\nprintf "%%s|%%s|%%s|%%s|%%s|%%s" "$1" "$WARMTH_KIND" '
                            '"$WARMTH_ID" "$WARMTH_ACTOR" "$WARMTH_SEGMENT" "$WARMTH_WARMTH" > "%s.env"\n'
                % (out, out))
    rec = record()
    reports, _, _ = drive(exec_config(d, ok), 0, [rec])
    check(outcomes(reports) == [("delivered", None)], "exit 0 is delivered: %r" % reports)
    with open(out + ".stdin") as f:
        check(f.read() == rec + "\n", "the record and a newline on stdin")
    with open(out + ".env") as f:
        env = f.read()
    check(env == "--flag|ready|n-1|ada|senior_executive|41.3", "argv and environment: %r" % env)

    bad = script(d, "bad.sh", "cat >/dev/null\nexit 3\n")
    reports, _, _ = drive(exec_config(d, bad), 0, [rec], "--attempts", "2")
    check(outcomes(reports) == [("retry", "exit status 3")] * 2, "exit 3 is a retry: %r" % reports)

    # A program that does not read its stdin still decides by its exit status.
    noread = script(d, "noread.sh", "exit 0\n")
    big = record(note="x" * 200000)
    reports, _, _ = drive(exec_config(d, noread), 0, [big])
    check(outcomes(reports) == [("delivered", None)], "unread stdin is no failure: %r" % reports)

    reports, _, _ = drive(exec_config(d, os.path.join(d, "missing.sh")), 0, [rec])
    got = outcomes(reports)
    check(len(got) == 1 and got[0][0] == "failed" and "cannot run" in got[0][1],
          "a missing program fails for good: %r" % got)


def gone(pid, deadline=5.0):
    """Whether pid is dead (or a zombie about to be reaped) within deadline."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        try:
            with open("/proc/%d/stat" % pid) as f:
                if f.read().split(")")[-1].split()[0] == "Z":
                    return True
        except FileNotFoundError:
            return True
        time.sleep(0.02)
    return False


def test_exec_timeout_kills_group():
    d = workdir("exec-hang")
    pidfile = os.path.join(d, "child.pid")
    hang = script(d, "hang.sh", 'sleep 30 &\necho $! > "%s"\nwait\n' % pidfile)
    start = time.monotonic()
    reports, _, _ = drive(exec_config(d, hang, timeout="300ms"), 0, [record()])
    got = outcomes(reports)
    check(got == [("retry", "timed out after 0.3s (terminated)")], "a hang is a retry: %r" % got)
    check(time.monotonic() - start < 5, "killed at the timeout")
    with open(pidfile) as f:
        child = int(f.read())
    check(gone(child), "the script's own child (pid %d) died with its group" % child)

    # The shell must have run its trap before the timeout's SIGTERM: 2 s is
    # ample even on a loaded machine under a sanitizer (200 ms was not).
    stubborn = script(d, "stubborn.sh", "trap '' TERM\nwhile :; do sleep 0.05; done\n")
    reports, _, _ = drive(exec_config(d, stubborn, timeout="2s"), 0, [record()])
    got = outcomes(reports)
    check(got == [("retry", "timed out after 2s (killed)")], "SIGKILL after the grace: %r" % got)


# -- file --------------------------------------------------------------------

def test_file_exactly_once():
    d = workdir("file")
    path = os.path.join(d, "n.jsonl")
    config = write_config(d, "  - type: file\n    path: n.jsonl\n    fsync: true\n")
    recs = [record(id="f-%d" % i, name="Zoë 李 %d" % i) for i in range(3)]
    reports, _, _ = drive(config, 0, recs, "--last-id")
    check(reports[0] == {"event": "last_id", "when": "open", "id": None}, "a new file holds nothing: %r" % reports)
    check([x["result"] for x in reports if "record" in x] == ["delivered"] * 3, "all delivered: %r" % reports)
    check(reports[-1] == {"event": "last_id", "when": "reopen", "id": "f-2"}, "last id after reopen: %r" % reports)
    with open(path, encoding="utf-8") as f:
        check(f.read() == "".join(r + "\n" for r in recs), "exactly one line per record, as given")

    # A crash in the middle of a line: the partial line is cut, the last id stays.
    with open(path, "a") as f:
        f.write('{"kind":"ready","id":"f-3","act')
    reports, _, _ = drive(config, 0, [record(id="f-3")], "--last-id")
    check(reports[0]["id"] == "f-2", "the partial line does not count: %r" % reports)
    check(reports[-1]["id"] == "f-3", "then the new line: %r" % reports)
    with open(path) as f:
        lines = f.read().split("\n")
    check(lines[-1] == "" and [json.loads(x)["id"] for x in lines[:-1]] == ["f-0", "f-1", "f-2", "f-3"],
          "four whole lines: %r" % lines)


def test_file_cannot_open_and_no_fsync():
    d = workdir("file-bad")
    os.mkdir(os.path.join(d, "dir"))
    config = write_config(d, "  - type: file\n    path: dir\n")
    r = subprocess.run([DRIVER, config, "0"], input="", capture_output=True, text=True, timeout=10)
    check(r.returncode == 1 and "dir: cannot" in r.stderr, "a directory is no sink file: %r" % r.stderr)
    config = write_config(d, "  - type: file\n    path: n.jsonl\n    fsync: false\n")
    reports, _, _ = drive(config, 0, [record()])
    check(outcomes(reports) == [("delivered", None)], "fsync: false delivers: %r" % reports)


def test_kinds_filter():
    d = workdir("kinds")
    config = write_config(d, "  - type: file\n    path: n.jsonl\n    kinds: [ready, cap]\n")
    recs = [record(id="k-0"), record(kind="ratio", id="k-1"), record(kind="cap", id="k-2")]
    reports, _, _ = drive(config, 0, recs)
    check([x["result"] for x in reports] == ["delivered", "skipped", "delivered"], "kinds: %r" % reports)
    with open(os.path.join(d, "n.jsonl")) as f:
        check([json.loads(x)["id"] for x in f] == ["k-0", "k-2"], "only the kinds asked for")


# -- journal and stdout ------------------------------------------------------

def journal_fields(data):
    """Parses one native-protocol datagram into a dict."""
    fields, i = {}, 0
    while i < len(data):
        nl = data.index(b"\n", i)
        line = data[i:nl]
        if b"=" in line:
            k, v = line.split(b"=", 1)
            i = nl + 1
        else:
            k = line
            (n,) = struct.unpack("<Q", data[nl + 1:nl + 9])
            v = data[nl + 9:nl + 9 + n]
            check(data[nl + 9 + n:nl + 10 + n] == b"\n", "binary field ends with a newline")
            i = nl + 10 + n
        fields[k.decode()] = v.decode()
    return fields


def test_journal():
    d = workdir("journal")
    sock_path = os.path.join(d, "journal.sock")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(sock_path)
    sock.settimeout(10)
    try:
        config = write_config(d, "  - type: journal\n    socket: journal.sock\n")
        reports, _, _ = drive(config, 0, [record(), record(id="n-2", actor="multi\nline")])
        check([x["result"] for x in reports] == ["delivered", "delivered"], "journal: %r" % reports)
        first = journal_fields(sock.recv(65536))
        second = journal_fields(sock.recv(65536))
    finally:
        sock.close()
    check(first["MESSAGE"].startswith("READY: Ada Lovelace (senior executive), warmth 41"), "MESSAGE %r" % first)
    check(first["PRIORITY"] == "5" and first["SYSLOG_IDENTIFIER"] == "warmthd", "priority, identifier: %r" % first)
    check(first["WARMTH_ACTOR"] == "ada" and first["WARMTH_SEGMENT"] == "senior_executive" and
          first["WARMTH_WARMTH"] == "41.3" and first["WARMTH_ID"] == "n-1" and
          first["WARMTH_KIND"] == "ready", "fields: %r" % first)
    check(second["WARMTH_ACTOR"] == "multi\nline", "a value with a newline in binary form: %r" % second)



def test_journal_without_journald():
    """No journald: the syslog socket takes the line (datagram or stream);
    with neither, nobody received it, and the delivery is retried."""
    d = workdir("journal-syslog")
    for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
        sock_path = os.path.join(d, "log-%d.sock" % kind)
        sock = socket.socket(socket.AF_UNIX, kind)
        sock.bind(sock_path)
        sock.settimeout(10)
        if kind == socket.SOCK_STREAM:
            sock.listen(1)
        try:
            config = write_config(d, "  - type: journal\n    socket: absent.sock\n"
                                     "    syslog_socket: %s\n" % os.path.basename(sock_path))
            reports, _, _ = drive(config, 0, [record()])
            if kind == socket.SOCK_STREAM:
                conn, _ = sock.accept()
                conn.settimeout(10)
                data = b""
                while not data.endswith(b"\0"):
                    chunk = conn.recv(65536)
                    check(chunk, "the stream ends with a NUL: %r" % data)
                    data += chunk
                conn.close()
                data = data[:-1]
            else:
                data = sock.recv(65536)
        finally:
            sock.close()
        check(outcomes(reports) == [("delivered", None)], "syslog fallback: %r" % reports)
        text = data.decode()
        # <29>: facility daemon (3) x 8 + notice (5).
        check(re.match(r"<29>[A-Z][a-z]{2} [ 0-9]\d \d\d:\d\d:\d\d warmthd\[\d+\]: READY: Ada "
                       r"Lovelace \(senior executive\), warmth 41", text), "RFC 3164 line: %r" % text)

    # Neither journald nor syslog: retried, and the reason names both.
    config = write_config(d, "  - type: journal\n    socket: absent.sock\n"
                             "    syslog_socket: absent-log.sock\n")
    reports, _, _ = drive(config, 0, [record()], "--attempts", "2")
    got = outcomes(reports)
    check([r for r, _ in got] == ["retry", "retry"], "nobody received it: %r" % got)
    reason = got[0][1]
    check(os.path.join(d, "absent.sock") in reason and os.path.join(d, "absent-log.sock") in reason
          and "No such file or directory" in reason, "the reason names both: %r" % reason)


def test_stdout():
    d = workdir("stdout")
    config = write_config(d, "  - type: stdout\n")
    reports, lines, _ = drive(config, 0, [record(), record(kind="ratio", id="r-1", message="ratio 0.8 is below 1.5")])
    check([x["result"] for x in reports] == ["delivered", "delivered"], "stdout: %r" % reports)
    want = ("READY: Ada Lovelace (senior executive), warmth 41 \u2014 followed 18 days ago (wait 14), "
            "warmth 41.3 (need 5). Suggested note: Hi Ada, thank you for your thoughts. I'd be glad to connect.")
    check(lines[0] == want, "the line for people:\n%r\n%r" % (lines[0], want))
    check(lines[1].startswith("RATIO: Ada Lovelace"), "other kinds: %r" % lines[1])


def stdout_into_full_pipe(d, records, *args):
    """Runs the stdout sink of a config in d with its stdout a full (4 KiB,
    non-blocking, unread) pipe, reads the pipe only once the first try was
    reported, and returns (the first report, the other reports, the bytes
    written to the pipe)."""
    config = write_config(d, "  - type: stdout\n")
    r, w = os.pipe()
    fcntl.fcntl(w, fcntl.F_SETPIPE_SZ, 4096)
    os.set_blocking(w, False)  # the file description's: the driver's stdout is it
    proc = subprocess.Popen([DRIVER, config, "0", "--attempts", "100000", "--stdout-fd", str(w)]
                            + list(args), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            pass_fds=(w,), text=True)
    os.close(w)
    chunks = []

    def drain():
        while True:
            chunk = os.read(r, 65536)
            if not chunk:
                return
            chunks.append(chunk)
    try:
        proc.stdin.write("".join(x + "\n" for x in records))
        proc.stdin.close()
        first = json.loads(proc.stdout.readline())
        # Read the pipe and the reports at once: the driver retries at once
        # and reports every try, so either pipe may fill while the other is read.
        reader = threading.Thread(target=drain)
        reader.start()
        rest = [json.loads(x) for x in proc.stdout.read().splitlines()]
        check(proc.wait(timeout=30) == 0, "driver exit %r" % proc.returncode)
        reader.join(timeout=30)
    finally:
        os.close(r)
        if proc.poll() is None:
            proc.kill()
    return first, rest, b"".join(chunks)


def test_stdout_line_cut_short():
    """A full non-blocking stdout takes only part of a line: the delivery is
    retried, and each retry of the same line writes on from where it
    stopped, so the line comes out once and whole, however many tries."""
    first, rest, out = stdout_into_full_pipe(workdir("stdout-cut"),
                                             [record(note="Hi Ada, " + "x" * 12000)])
    # Nobody read the pipe yet: only part of the line went in.
    check(first["result"] == "retry" and "Resource temporarily unavailable" in first["reason"],
          "a full pipe is a retry: %r" % first)
    check(rest and rest[-1]["result"] == "delivered", "delivered in the end: %r" % rest[-3:])
    lines = out.decode().split("\n")
    check(len(lines) == 2 and lines[1] == "", "one line, once: %r" %
          [x[:40] + "..." + x[-10:] for x in lines])
    check(lines[0].startswith("READY: Ada Lovelace") and lines[0].endswith("x" * 12000),
          "whole line: %r" % lines[0][:80])


def test_stdout_cut_line_ended_before_another():
    """When another line comes before the cut one is tried again, the
    fragment is ended first: no line runs on from it, and each line comes
    out whole once (fragments of it aside)."""
    recs = [record(id="n-%d" % i, name="Person %d" % i, note="Hi, " + c * 9000)
            for i, c in enumerate("xy")]
    _, rest, out = stdout_into_full_pipe(workdir("stdout-cut-other"), recs, "--concurrent")
    check(sorted(x["record"] for x in rest if x["result"] == "delivered") == [0, 1],
          "both delivered: %r" % rest[-4:])
    whole = {}
    for line in out.decode().split("\n")[:-1]:
        name = re.match(r"READY: (Person \d)", line)
        check(name is not None, "every line starts as a line: %r" % line[:60])
        c = "x" if name.group(1) == "Person 0" else "y"
        body = line[line.index("Hi, ") + 4:] if "Hi, " in line else ""
        check(set(body) <= {c}, "no line runs on into another: %r" % line[:60])
        if body == c * 9000:
            whole[c] = whole.get(c, 0) + 1
    check(whole == {"x": 1, "y": 1}, "each line whole once: %r" % whole)


def main():
    if not os.path.exists(DRIVER):
        fail("%s is missing; build the tests" % DRIVER)
    tests = [(k, v) for k, v in sorted(globals().items()) if k.startswith("test_") and callable(v)]
    for name, fn in tests:
        start = time.monotonic()
        fn()
        print("ok %s (%.2fs)" % (name, time.monotonic() - start))


if __name__ == "__main__":
    main()
