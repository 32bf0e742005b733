"""POST /v1/events: events pushed over HTTP (http.events) by a real HTTP
client (http.client) into the real daemon: per-line results after the
commit, the bearer token, the size limit, requests from a browser page,
concurrent clients, and a kill -9 between receipt and reply followed by
the client's retry, each counted exactly once."""

import http.client
import json
import os
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
from harness import BASE_CONFIG, Env, check, event, free_port, port_open, run  # noqa: E402

TOKEN = "s3cret-token-of-the-collector"


def push_env(name, extra=""):
    port = free_port()
    env = Env(name, BASE_CONFIG + "metrics:\n  listen: 127.0.0.1:%d\n"
              "http:\n  events: true\n  token_file: ./token\n  max_body: 64KiB\n%s"
              % (port, extra))
    with open(os.path.join(env.dir, "token"), "w") as f:
        f.write(TOKEN + "\n")
    os.chmod(os.path.join(env.dir, "token"), 0o600)
    env.port = port
    return env


def start(env):
    """Starts the daemon and waits for its listener (opened after the state is loaded)."""
    env.start()
    env.wait(lambda: port_open(env.port), "the HTTP listener")


def post(env, body, token=TOKEN, headers=None, retry_busy=True, timeout=30):
    """(status, headers, parsed JSON body) of one POST; retries a 503 when asked."""
    if isinstance(body, str):
        body = body.encode()
    while True:
        conn = http.client.HTTPConnection("127.0.0.1", env.port, timeout=timeout)
        h = {"Content-Type": "application/x-ndjson"}
        if token is not None:
            h["Authorization"] = "Bearer " + token
        h.update(headers or {})
        conn.request("POST", "/v1/events", body=body, headers=h)
        resp = conn.getresponse()
        data = resp.read()
        conn.close()
        if resp.status == 503 and retry_busy:
            check(resp.getheader("Retry-After") is not None, "503 without Retry-After")
            time.sleep(0.05)
            continue
        return resp.status, resp, json.loads(data) if data else None


def lines(*evs):
    return "".join(e + "\n" for e in evs)


def test_results_per_line():
    env = push_env("http-results")
    start(env)
    body = lines(event(1000, "like", "ada", post="p1", id="e1"),
                 event(1001, "comment", "bob", post="p1", id="e2"),
                 "this is not json",
                 event(1002, "like", "ada", post="p2", id="e1"),
                 json.dumps({"ts": 1003, "type": "like"}))
    status, _, r = post(env, body)
    check(status == 200, "POST: %d %s" % (status, r))
    got = [(x["line"], x["status"], x.get("reason")) for x in r["results"]]
    check(got[0] == (1, "accepted", None) and got[1] == (2, "accepted", None), got)
    check(got[2] == (3, "rejected", "not_json"), got)
    check(got[3] == (4, "duplicate", None), got)
    check(got[4][1] == "rejected" and got[4][2] is not None, got)
    check((r["accepted"], r["duplicate"], r["rejected"]) == (2, 1, 2), r)
    # Sent after the commit: the committed state already holds the lines.
    st = env.status()
    check((st["events_accepted"], st["events_duplicate"], st["events_rejected"]) == (2, 1, 2), st)
    dl = env.dead_letters()
    check(len(dl) == 2, dl)
    check(all(d["file"].startswith("http:127.0.0.1:") for d in dl), dl)
    check(sorted(d["offset"] for d in dl) == [3, 5], dl)
    # The same request again (a retry): nothing counts twice.
    status, _, r = post(env, body)
    check(status == 200 and r["accepted"] == 0 and r["duplicate"] == 3, r)
    check(env.status()["events_accepted"] == 2, env.status())
    env.close()


def test_refusals():
    env = push_env("http-refusals")
    start(env)
    one = lines(event(1000, "like", "ada", post="p1", id="r1"))
    status, resp, _ = post(env, one, token=None)
    check(status == 401 and resp.getheader("WWW-Authenticate") == "Bearer", status)
    status, _, _ = post(env, one, token=TOKEN + "x")
    check(status == 401, "a wrong token: %d" % status)
    status, _, _ = post(env, one, token=TOKEN[:-1])
    check(status == 401, "a prefix of the token: %d" % status)
    status, _, _ = post(env, one, headers={"Origin": "https://evil.example"})
    check(status == 403, "Origin: %d" % status)
    status, _, _ = post(env, one, headers={"Content-Type": "text/plain"})
    check(status == 415, "text/plain: %d" % status)
    big = lines(*[event(1000 + i, "like", "ada", post="p%d" % i, id="big%d" % i)
                  for i in range(2000)])
    check(len(big) > 64 * 1024, "the body is not large enough")
    status, _, _ = post(env, big)
    check(status == 413, "oversize: %d" % status)
    # Chunked, without Content-Length: found while reading.
    conn = http.client.HTTPConnection("127.0.0.1", env.port, timeout=30)
    conn.request("POST", "/v1/events", body=iter([big.encode()]),
                 headers={"Content-Type": "application/x-ndjson",
                          "Authorization": "Bearer " + TOKEN}, encode_chunked=True)
    resp = conn.getresponse()
    resp.read()
    conn.close()
    check(resp.status == 413, "chunked oversize: %d" % resp.status)
    conn = http.client.HTTPConnection("127.0.0.1", env.port, timeout=30)
    conn.request("GET", "/v1/events", headers={"Authorization": "Bearer " + TOKEN})
    resp = conn.getresponse()
    resp.read()
    check(resp.status == 405, "GET: %d" % resp.status)
    st = env.status()
    check(st["events_accepted"] == 0 and st["events_rejected"] == 0, st)
    env.close()


def test_off_by_default_and_token_required():
    port = free_port()
    env = Env("http-off", BASE_CONFIG + "metrics:\n  listen: 127.0.0.1:%d\n" % port)
    env.port = port
    start(env)
    status, _, _ = post(env, lines(event(1000, "like", "ada", id="o1")))
    check(status == 404, "off by default: %d" % status)
    env.stop()
    env.write_config(BASE_CONFIG + "metrics:\n  listen: 127.0.0.1:%d\nhttp:\n  events: true\n"
                     % port)
    r = env.once(expect=1)
    check("token_file" in r.stderr, r.stderr)
    # The listener comes from metrics.listen, whichever section comes first.
    with open(os.path.join(env.dir, "token"), "w") as f:
        f.write(TOKEN)
    os.chmod(os.path.join(env.dir, "token"), 0o600)
    env.write_config(BASE_CONFIG + "http:\n  events: true\n  token_file: ./token\n")
    r = env.once(expect=1)
    check("needs a listener" in r.stderr, r.stderr)
    env.write_config(BASE_CONFIG + "http:\n  events: true\n  token_file: ./token\n"
                     "metrics:\n  listen: 127.0.0.1:%d\n" % port)
    env.once()
    with open(os.path.join(env.dir, "token"), "w") as f:
        f.write(TOKEN)
    os.chmod(os.path.join(env.dir, "token"), 0o644)
    env.write_config(BASE_CONFIG + "metrics:\n  listen: 127.0.0.1:%d\nhttp:\n  events: true\n"
                     "  token_file: ./token\n" % port)
    r = env.once(expect=1)
    check("others may read" in r.stderr, r.stderr)
    # A systemd credential (LoadCredential=): the token from $CREDENTIALS_DIRECTORY.
    creds = os.path.join(env.dir, "creds")
    os.mkdir(creds)
    with open(os.path.join(creds, "push"), "w") as f:
        f.write(TOKEN)
    env.write_config(BASE_CONFIG + "metrics:\n  listen: 127.0.0.1:%d\nhttp:\n  events: true\n"
                     "  token_credential: push\n" % port)
    env.start(environ={"CREDENTIALS_DIRECTORY": creds})
    env.wait(lambda: port_open(env.port), "the HTTP listener")
    status, _, r = post(env, lines(event(1000, "like", "ada", id="o1")))
    check(status == 200 and r["accepted"] == 1, "with the credential: %d %s" % (status, r))
    status, _, _ = post(env, lines(event(1000, "like", "ada", id="o1")), token="other")
    check(status == 401, "a wrong token with the credential: %d" % status)
    env.close()


def test_concurrent_clients():
    env = push_env("http-concurrent", "  max_pending: 64\n")
    start(env)
    errors = []
    nthreads, nreq, nlines = 8, 5, 40

    def client(t):
        try:
            for k in range(nreq):
                # Every line twice across the clients: thread t and t ^ 1 send the same ids.
                base = (t // 2) * nreq * nlines + k * nlines
                body = lines(*[event(10000 + base + i, "like", "u%d" % ((base + i) % 50),
                                     post="p%d" % (base + i), id="c%d" % (base + i))
                               for i in range(nlines)])
                status, _, r = post(env, body)
                if status != 200 or r["rejected"] != 0 or \
                        r["accepted"] + r["duplicate"] != nlines:
                    errors.append((status, r))
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(repr(e))

    threads = [threading.Thread(target=client, args=(t,)) for t in range(nthreads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    check(not errors, errors[:3])
    unique = nthreads // 2 * nreq * nlines
    st = env.status()
    check(st["events_accepted"] == unique, st)
    check(st["events_duplicate"] == unique, st)
    env.close()


def send_raw(env, body):
    """Sends a whole POST on a socket and returns it, the reply unread."""
    s = socket.create_connection(("127.0.0.1", env.port))
    s.sendall(b"POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-ndjson\r\n"
              b"Authorization: Bearer " + TOKEN.encode() + b"\r\nContent-Length: " +
              str(len(body)).encode() + b"\r\n\r\n" + body)
    return s


def test_kill_between_receipt_and_reply():
    env = push_env("http-kill")
    faults = os.path.join(env.dir, "faults")
    environ = {"WARMTH_TEST_FAULTS": faults}
    n = 300
    body = lines(*[event(20000 + i, "like", "k%d" % (i % 30), post="p%d" % i, id="k%d" % i)
                   for i in range(n)]).encode()
    first = lines(*[event(20000 + i, "like", "k%d" % (i % 30), post="p%d" % i, id="k%d" % i)
                    for i in range(100)]).encode()

    # 1. Received and applied, its commit failing (so no reply yet): kill -9.
    open(faults, "w").close()
    env.start(environ=environ)
    env.wait(lambda: port_open(env.port), "the HTTP listener")
    with open(faults, "w") as f:
        f.write("write=ioerr")
    s = send_raw(env, first)
    env.wait(lambda: env.log_has("100 lines pushed") and env.log_has("cannot commit"),
             "the lines applied and their commit failing")
    # No reply before the commit: the lines are not on disk.
    s.settimeout(0.3)
    try:
        early = s.recv(1)
    except socket.timeout:
        early = None
    check(early is None, "a reply before the commit: %r" % early)
    # Meanwhile a new request is told to come back later.
    status, resp, _ = post(env, first, retry_busy=False)
    check(status == 503 and resp.getheader("Retry-After") == "1", "while failing: %d" % status)
    env.kill()
    s.close()
    open(faults, "w").close()
    check(env.status()["events_accepted"] == 0, env.status())
    # The client, without a reply, sends the lines again: nothing was lost.
    start(env)
    status, _, r = post(env, first)
    check(status == 200 and r["accepted"] == 100 and r["duplicate"] == 0, r)

    # 2. Committed, the reply lost: kill -9 before the client reads it.
    s = send_raw(env, body)
    env.wait(lambda: env.status()["events_accepted"] == n, "the push committed")
    env.kill()
    s.close()
    # The retry: nothing counted twice.
    start(env)
    status, _, r = post(env, body)
    check(status == 200 and r["duplicate"] == n and r["accepted"] == 0, r)
    st = env.status()
    check(st["events_accepted"] == n and st["events_rejected"] == 0, st)
    env.close()


def begin_raw(env, body, length=None):
    """Sends a POST's headers with "Expect: 100-continue" and returns the
    socket once the daemon has answered "100 Continue": the request has then
    been taken (it counts towards http.max_pending) and waits for its body,
    of which nothing is sent yet."""
    s = socket.create_connection(("127.0.0.1", env.port), timeout=30)
    s.sendall(b"POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-ndjson\r\n"
              b"Authorization: Bearer " + TOKEN.encode() + b"\r\nExpect: 100-continue\r\n"
              b"Content-Length: " + str(len(body) if length is None else length).encode() +
              b"\r\n\r\n")
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = s.recv(1)
        check(chunk != b"", "the connection closed before 100 Continue: %r" % head)
        head += chunk
    check(head.startswith(b"HTTP/1.1 100"), "not 100 Continue: %r" % head)
    return s


def read_reply(s):
    """(status, headers dict, JSON body) of the reply on a raw socket."""
    resp = http.client.HTTPResponse(s)
    resp.begin()
    data = resp.read()
    s.close()
    return resp.status, resp, json.loads(data) if data else None


def test_backpressure_max_pending():
    """http.max_pending requests in flight: the next is refused with 503 and
    Retry-After before its body is read; once the first is answered the
    refused one, sent again, is accepted and counts once."""
    env = push_env("http-max-pending", "  max_pending: 1\n")
    start(env)
    held_body = lines(event(3000, "like", "ada", post="p1", id="h1")).encode()
    other = lines(event(3001, "comment", "bob", post="p1", id="h2"),
                  event(3002, "like", "cy", post="p2", id="h3"))
    held = begin_raw(env, held_body)
    status, resp, r = post(env, other, retry_busy=False)
    check(status == 503, "over max_pending: %d %s" % (status, r))
    check(resp.getheader("Retry-After") == "1", resp.getheaders())
    check("retry" in r["error"], r)
    # The refused request changed nothing.
    st = env.status()
    check(st["events_accepted"] == 0 and st["events_rejected"] == 0, st)
    held.sendall(held_body)
    status, _, r = read_reply(held)
    check(status == 200 and r["accepted"] == 1, "the held request: %d %s" % (status, r))
    # Its slot is free again: the retry goes through and counts once.
    status, _, r = post(env, other, retry_busy=False)
    check(status == 200 and r["accepted"] == 2 and r["duplicate"] == 0, "%d %s" % (status, r))
    status, _, r = post(env, other, retry_busy=False)
    check(status == 200 and r["accepted"] == 0 and r["duplicate"] == 2, "%d %s" % (status, r))
    st = env.status()
    check(st["events_accepted"] == 3 and st["events_duplicate"] == 2, st)
    env.close()


def test_backpressure_busy_after_body():
    """A request taken while the daemon was idle whose body arrives while a
    commit is failing: refused with 503 and Retry-After after its body is
    read (nothing of it applied); the request whose lines wait for that
    commit is answered once it succeeds; the refused one, sent again, is
    accepted and each line counts once."""
    env = push_env("http-busy-after-body", "  max_pending: 4\n")
    faults = os.path.join(env.dir, "faults")
    open(faults, "w").close()
    env.start(environ={"WARMTH_TEST_FAULTS": faults})
    env.wait(lambda: port_open(env.port), "the HTTP listener")
    late_body = lines(event(4000, "like", "ada", post="p1", id="b1"),
                      event(4001, "share", "ada", post="p2", id="b2")).encode()
    waiting_body = lines(*[event(4100 + i, "like", "w%d" % i, post="p3", id="w%d" % i)
                           for i in range(5)]).encode()
    late = begin_raw(env, late_body)
    with open(faults, "w") as f:
        f.write("write=ioerr")
    waiting = send_raw(env, waiting_body)
    env.wait(lambda: env.log_has("5 lines pushed") and env.log_has("cannot commit"),
             "the lines applied and their commit failing")
    late.sendall(late_body)
    status, resp, r = read_reply(late)
    check(status == 503, "a body read while commits fail: %d %s" % (status, r))
    check(resp.getheader("Retry-After") == "1", resp.getheaders())
    open(faults, "w").close()
    status, _, r = read_reply(waiting)
    check(status == 200 and r["accepted"] == 5, "the waiting request: %d %s" % (status, r))
    st = env.status()
    check(st["events_accepted"] == 5, "the refused lines were not applied: %s" % st)
    status, _, r = post(env, late_body, retry_busy=False)
    check(status == 200 and r["accepted"] == 2 and r["duplicate"] == 0, "%d %s" % (status, r))
    status, _, r = post(env, late_body + waiting_body, retry_busy=False)
    check(status == 200 and r["accepted"] == 0 and r["duplicate"] == 7, "%d %s" % (status, r))
    st = env.status()
    check(st["events_accepted"] == 7 and st["events_duplicate"] == 7, st)
    env.close()


if __name__ == "__main__":
    run([test_results_per_line, test_refusals, test_off_by_default_and_token_required,
         test_concurrent_clients, test_kill_between_receipt_and_reply,
         test_backpressure_max_pending, test_backpressure_busy_after_body])
