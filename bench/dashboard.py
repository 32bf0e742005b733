"""bench/dashboard.py - run by bench/dashboard.sh (see its comment).

Method: warmth-gen writes EVENTS events from CONTACTS contacts; warmthd
reads them all (the wait is not measured), with the dashboard on. Then,
for each route, REQUESTS sequential requests on one HTTP/1.1 keep-alive
connection, timed from the request's first byte to the reply's last with
time.perf_counter(); the first WARMUP are dropped. GET /metrics is
measured first and last, the same way: the listener's own cost, so a
route's figure minus the baseline is its view's cost. The contact asked
for is the warmest (top); the searches are a common fragment of names
(a page fills early) and one that matches none (a walk over every
contact: the worst case); the contacts page after a cursor starts deep
in the list.
POST /api/unsnooze is a change (the token and the Origin checked, the
handler run), answered before its commit."""

import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse

BUILD = os.environ.get("BUILD_DIR", "build")
CONTACTS = int(os.environ.get("CONTACTS", "100000"))
EVENTS = int(os.environ.get("EVENTS", str(4 * CONTACTS)))
REQUESTS = int(os.environ.get("REQUESTS", "200"))
SEED = os.environ.get("SEED", "42")
# ONLY=TEXT measures only the routes whose path holds TEXT (and the baseline).
ONLY = os.environ.get("ONLY")
WARMUP = 5


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def ctl(tmp, *args):
    r = subprocess.run([os.path.join(BUILD, "warmthctl"), "-s", os.path.join(tmp, "control.sock"),
                        "--json"] + list(args), capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        sys.exit("bench/dashboard: warmthctl %s: %s" % (" ".join(args), r.stderr))
    return json.loads(r.stdout)


def measure(conn, method, path, headers, body=None):
    times = []
    for i in range(REQUESTS + WARMUP):
        t0 = time.perf_counter()
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        t1 = time.perf_counter()
        if resp.status != 200:
            sys.exit("bench/dashboard: %s %s: %d %s" % (method, path, resp.status, data[:300]))
        if i >= WARMUP:
            times.append((t1 - t0) * 1000)
    times.sort()
    return times, len(data)


def pct(v, p):
    return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))]


def main():
    for b in ("warmthd", "warmthctl", "warmth-gen"):
        if not os.access(os.path.join(BUILD, b), os.X_OK):
            sys.exit("bench/dashboard: %s/%s not found; build first (cmake --build %s)"
                     % (BUILD, b, BUILD))
    tmp = tempfile.mkdtemp(prefix="warmth-dashboard.", dir=os.environ.get("TMPDIR"))
    os.mkdir(os.path.join(tmp, "in"))
    port = free_port()
    host = "127.0.0.1:%d" % port
    with open(os.path.join(tmp, "warmthd.yaml"), "w") as f:
        f.write("control:\n  socket: ./control.sock\nstate:\n  database: ./state.db\n"
                "inputs:\n  - path: ./in/*.jsonl\ndead_letter: ./rejected.jsonl\n"
                "notify:\n  - type: file\n    path: ./notifications.jsonl\n"
                "metrics:\n  listen: %s\nhttp:\n  dashboard: true\n"
                "  dashboard_token_file: ./dashboard.token\n" % host)
    daemon = None
    try:
        subprocess.run([os.path.join(BUILD, "warmth-gen"), "--seed", SEED, "--events", str(EVENTS),
                        "--contacts", str(CONTACTS), "-o", os.path.join(tmp, "in", "e.jsonl")],
                       check=True)
        log = open(os.path.join(tmp, "warmthd.log"), "w")
        daemon = subprocess.Popen([os.path.join(BUILD, "warmthd"), "-c",
                                   os.path.join(tmp, "warmthd.yaml")], stdout=log, stderr=log)
        t0 = time.monotonic()
        while True:
            time.sleep(0.2)
            if daemon.poll() is not None:
                sys.exit("bench/dashboard: warmthd died; see its log")
            if not os.path.exists(os.path.join(tmp, "control.sock")):
                continue
            st = ctl(tmp, "status")
            if st["inputs"] and all(i.get("lag", 1) == 0 for i in st["inputs"]) and \
                    st["events_accepted"] > 0:
                break
        print("%d events from %d contacts read in %.1f s; %d contacts known"
              % (EVENTS, CONTACTS, time.monotonic() - t0, st["contacts"]))
        with open(os.path.join(tmp, "dashboard.token")) as f:
            token = f.read().strip()
        top = ctl(tmp, "top", "-n", "1")
        first = top[0] if isinstance(top, list) else top["contacts"][0]
        actor = first["actor"]
        top_name = first.get("name") or "a"
        cursor = None
        page = ctl(tmp, "contacts", "-n", "500")
        for _ in range(CONTACTS // 1000 if ONLY is None or "after" in ONLY else 0):
            if page["next"] is None:
                break
            cursor = page["next"]
            page = ctl(tmp, "contacts", "-n", "500", "--after", cursor)
        q = urllib.parse.quote
        routes = [
            ("GET", "/metrics", None),
            ("GET", "/api/status", None),
            ("GET", "/api/plan", None),
            ("GET", "/api/contact?actor=" + q(actor), None),
            ("GET", "/api/metrics", None),
            ("GET", "/api/notifications?state=failed", None),
            ("GET", "/api/contacts?limit=50", None),
            ("GET", "/api/contacts?limit=50&after=" + q(cursor or ""), None),
            ("GET", "/api/contacts?limit=50&q=" + q(top_name[:3]), None),
            ("GET", "/api/contacts?limit=50&q=zzzz-no-such-name", None),
            ("POST", "/api/unsnooze", json.dumps({"actor": actor})),
            ("GET", "/metrics", None),
        ]
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        print("%-58s %9s %9s %9s %9s" % ("route (%d requests each)" % REQUESTS, "p50 ms",
                                         "p99 ms", "max ms", "bytes"))
        for method, path, body in routes:
            headers = {"Host": host}
            if method == "POST":
                headers.update({"Origin": "http://" + host, "X-Warmth-Token": token,
                                "Content-Type": "application/json"})
            if "after=" in path and cursor is None:
                continue
            if ONLY is not None and ONLY not in path and path != "/metrics":
                continue
            v, size = measure(conn, method, path, headers, body)
            print("%-58s %9.2f %9.2f %9.2f %9d" % ((method + " " + path)[:58], pct(v, 50),
                                                   pct(v, 99), v[-1], size))
        conn.close()
    finally:
        if daemon is not None:
            daemon.terminate()
            daemon.wait()
        if os.environ.get("KEEP") == "1":
            print("scratch directory kept: " + tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
