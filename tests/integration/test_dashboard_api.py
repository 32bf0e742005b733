"""The dashboard's JSON under /api/ (http.dashboard) with a real HTTP
client against the real daemon: each route answers what warmthctl --json
answers (the same handlers), changes go through POST only, from the page's
own Origin, with the token, to a listener named in Host; every response
carries the security headers; the token file is made once, 0600."""

import http.client
import json
import os
import socket
import stat
import sys

sys.path.insert(0, os.path.dirname(__file__))
import subprocess  # noqa: E402

from harness import (BASE_CONFIG, SOURCE, WARMTHCTL, WARMTHD, Env, check, event,  # noqa: E402
                     executive_lines, free_port, port_open, run)
from urllib.parse import quote  # noqa: E402

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; font-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
       "form-action 'none'")


def dash_env(name, dashboard=True, extra=""):
    port = free_port()
    env = Env(name, BASE_CONFIG + "time:\n  source: event\nmetrics:\n  listen: 127.0.0.1:%d\n"
              "http:\n  dashboard: %s\n  dashboard_token_file: ./dashboard.token\n%s"
              % (port, "true" if dashboard else "false", extra))
    env.port = port
    env.origin = "http://127.0.0.1:%d" % port
    return env


def start(env, lines=()):
    if lines:
        env.append("a.jsonl", list(lines))
    env.start()
    env.wait(lambda: port_open(env.port), "the HTTP listener")
    if lines:
        env.wait_processed(len(lines))


def token(env):
    with open(os.path.join(env.dir, "dashboard.token")) as f:
        return f.read().strip()


def request(env, method, path, body=None, headers=None, host=None):
    """(status, response, parsed JSON or None) of one request."""
    conn = http.client.HTTPConnection("127.0.0.1", env.port, timeout=30)
    h = {}
    if body is not None:
        h["Content-Type"] = "application/json"
        if not isinstance(body, (bytes, str)):
            body = json.dumps(body)
    h.update(headers or {})
    conn.putrequest(method, path, skip_host=True)
    conn.putheader("Host", host if host is not None else "127.0.0.1:%d" % env.port)
    for k, v in h.items():
        if v is not None:
            conn.putheader(k, v)
    data = body.encode() if isinstance(body, str) else body
    if data is not None:
        conn.putheader("Content-Length", str(len(data)))
    conn.endheaders(data)
    resp = conn.getresponse()
    raw = resp.read()
    conn.close()
    try:
        parsed = json.loads(raw) if raw else None
    except ValueError:
        parsed = None
    return resp.status, resp, parsed


def get(env, path, **kw):
    return request(env, "GET", path, **kw)


def post(env, path, body, tok=None, origin=None, **kw):
    h = {"Origin": origin if origin is not None else env.origin,
         "X-Warmth-Token": tok if tok is not None else token(env)}
    h.update(kw.pop("headers", {}))
    return request(env, "POST", path, body=body, headers=h, **kw)


def sock_ctl(env, *args, expect=0):
    """warmthctl over the control socket (the changing commands need it)."""
    r = subprocess.run([WARMTHCTL, "-s", os.path.join(env.dir, "control.sock")] + list(args),
                       capture_output=True, text=True, timeout=60)
    check(r.returncode == expect, "warmthctl %s: exit %d (want %d): %s"
          % (" ".join(args), r.returncode, expect, r.stderr))
    return r


def ctl_json(env, *args):
    return json.loads(sock_ctl(env, "--json", *args).stdout)


def test_off_by_default():
    env = dash_env("dash_off", dashboard=False)
    start(env)
    status, _, body = get(env, "/api/status")
    check(status == 404, "no dashboard routes when off: %d %s" % (status, body))
    check(not os.path.exists(os.path.join(env.dir, "dashboard.token")), "no token file made when off")
    r = sock_ctl(env, "dashboard", expect=1)
    check("http.dashboard" in r.stderr, "warmthctl dashboard says why: %s" % r.stderr)
    env.close()


def test_needs_a_listener():
    env = Env("dash_nolisten", BASE_CONFIG + "http:\n  dashboard: true\n")
    r = subprocess.run([WARMTHD, "-t", "-c", env.config], capture_output=True, text=True,
                       timeout=60)
    check(r.returncode != 0 and "http.dashboard: true needs a listener" in r.stdout + r.stderr,
          "-t: %d %s" % (r.returncode, r.stdout + r.stderr))
    env.close()


def test_views_match_ctl():
    env = dash_env("dash_views")
    start(env, executive_lines())
    for path, args in (("/api/plan", ["plan"]), ("/api/contact?actor=ada", ["show", "ada"]),
                       ("/api/metrics", ["metrics"])):
        status, resp, body = get(env, path)
        check(status == 200, "%s: %d %s" % (path, status, body))
        check(resp.getheader("Content-Type") == "application/json", path)
        check(resp.getheader("Cache-Control") == "no-store", "%s: no-store" % path)
        want = ctl_json(env, *args)
        check(body == want, "%s is what warmthctl --json %s says:\n%s\n%s"
              % (path, " ".join(args), body, want))
    status, _, body = get(env, "/api/status")
    check(status == 200 and body["events_accepted"] == 4, "status: %s" % body)
    env.wait(lambda: os.path.exists(os.path.join(env.dir, "notifications.jsonl")),
             "ada's notification")
    status, _, body = get(env, "/api/notifications")
    want = json.loads(env.ctl("notifications").stdout)
    check(status == 200 and body == want and len(body) == 1 and body[0]["actor"] == "ada",
          "notifications are warmthctl's:\n%s\n%s" % (body, want))
    for state, n in (("pending", None), ("failed", 0)):
        status, _, body = get(env, "/api/notifications?state=" + state)
        check(status == 200 and all(x["state"] == state for x in body)
              and (n is None or len(body) == n), "state=%s: %s" % (state, body))
    status, _, body = get(env, "/api/notifications?state=lost")
    check(status == 400 and body["error"]["code"] == "bad_argument", "state=lost: %s" % body)
    status, _, body = get(env, "/api/contact?actor=nobody")
    check(status == 404 and body["error"]["code"] == "not_found"
          and "nobody" in body["error"]["message"], "unknown contact: %d %s" % (status, body))
    status, _, body = get(env, "/api/contact")
    check(status == 400 and body["error"]["code"] == "bad_argument", "no actor: %s" % body)
    status, _, body = get(env, "/api/contact?actor=ada&color=red")
    check(status == 400 and "color" in body["error"]["message"], "unknown parameter: %s" % body)
    status, _, body = get(env, "/api/contact?actor=ada&actor=bob")
    check(status == 400, "a repeated parameter: %s" % body)
    status, _, body = get(env, "/api/contact?actor=ada%00x")
    check(status == 404 and 'ada%00x' in body["error"]["message"], "a %%00 is no NUL: %s" % body)
    status, _, body = get(env, "/api/contact?actor=%61da")
    check(status == 200 and body["actor"] == "ada", "other escapes are decoded: %s" % status)
    status, _, body = get(env, "/api/nothing")
    check(status == 404 and body["error"]["code"] == "not_found", "unknown route: %s" % body)
    env.close()


def test_changes_by_post_with_token_and_origin():
    env = dash_env("dash_post")
    start(env, executive_lines())
    tok = token(env)
    # GET never changes state: a GET to a POST route is 405, with Allow.
    status, resp, body = get(env, "/api/mark?actor=ada&state=invited")
    check(status == 405 and resp.getheader("Allow") == "POST", "GET on mark: %d" % status)
    status, resp, _ = post(env, "/api/plan", {})
    check(status == 405 and resp.getheader("Allow") == "GET, HEAD", "POST on plan: %d" % status)
    # Refusals, none of which changes anything.
    refused = (
        ("no token", dict(tok="")),
        ("a wrong token", dict(tok=tok[:-1] + ("0" if tok[-1] != "0" else "1"))),
        ("a longer token", dict(tok=tok + "0")),
        ("no Origin", dict(headers={"Origin": None})),
        ("a foreign Origin", dict(origin="http://evil.example")),
        ("an Origin on another port", dict(origin="http://127.0.0.1:1")),
        ("an https Origin", dict(origin="https://127.0.0.1:%d" % env.port)),
    )
    for what, kw in refused:
        status, resp, body = post(env, "/api/mark", {"actor": "ada", "state": "invited"}, **kw)
        check(status == 403 and body["error"]["code"] == "forbidden", "%s: %d %s"
              % (what, status, body))
        check(resp.getheader("Content-Security-Policy") == CSP, "%s: CSP on a refusal" % what)
    status, _, body = post(env, "/api/mark", "actor=ada&state=invited",
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
    check(status == 415, "a form's body: %d %s" % (status, body))
    check(env.show("ada")["relationship"] != "pending", "nothing changed by a refused request")
    # The page's own change.
    status, _, body = post(env, "/api/mark", {"actor": "ada", "state": "invited"})
    check(status == 200 and body == {"account": "default", "actor": "ada", "done": "invited"},
          "mark: %d %s" % (status, body))
    env.wait(lambda: env.show("ada")["relationship"] == "pending", "the mark in warmthctl show")
    status, _, body = post(env, "/api/mark", {"actor": "ada", "state": "no such state"})
    check(status == 400 and body["error"]["code"] == "bad_argument", "a bad state: %s" % body)
    status, _, body = post(env, "/api/snooze", {"actor": "nobody", "duration": "3d"})
    check(status == 404, "snooze of an unknown contact: %d %s" % (status, body))
    status, _, body = post(env, "/api/snooze", {"actor": "ada", "duration": "3d"})
    check(status == 200 and body["done"] == "snoozed", "snooze: %s" % body)
    status, _, body = post(env, "/api/unsnooze", {"actor": "ada"})
    check(status == 200 and body["done"] == "unsnoozed", "unsnooze: %s" % body)
    status, _, body = post(env, "/api/redeliver", {"id": "no-such-notification"})
    check(status == 404 and body["error"]["code"] == "not_found", "redeliver: %s" % body)
    status, _, body = post(env, "/api/mark", "[1,2]")
    check(status == 400 and body["error"]["code"] == "bad_request", "not an object: %s" % body)
    status, _, body = post(env, "/api/mark", '{"actor":"ada\\u0000x","state":"invited"}')
    check(status == 400 and body["error"]["code"] == "bad_request", "a NUL: %s" % body)
    status, _, body = post(env, "/api/mark", "{" + " " * 70000 + "}")
    check(status == 413, "a body over 64 KiB: %d" % status)
    # localhost is the same listener: its own origin is accepted.
    status, _, body = post(env, "/api/unsnooze", {"actor": "ada"},
                           origin="http://localhost:%d" % env.port,
                           host="localhost:%d" % env.port)
    check(status == 200, "from http://localhost: %d %s" % (status, body))
    env.close()


def test_contacts_search_and_pages():
    t0 = 1793700000
    lines = [event(t0 + i, "follow", "urn:li:person:p%02d" % i, name="Person Number %d" % i,
                   id="f%d" % i) for i in range(30)]
    lines += [event(t0 + 40, "follow", "urn:li:person:emile", name="\u00c9mile Zola", id="e"),
              event(t0 + 41, "follow", "urn:li:person:xss", name="<script>alert(1)</script>",
                    id="x"),
              event(t0 + 42, "follow", "urn:li:person:ACME-ceo", name="Grace", id="g")]
    env = dash_env("dash_contacts")
    start(env, lines)
    # Every match, page by page, each once, in key order.
    seen, after, pages = [], None, 0
    while True:
        path = "/api/contacts?q=PERSON%20number&limit=7" + ("&after=" + quote(after) if after else "")
        status, _, body = get(env, path)
        check(status == 200, "%s: %d %s" % (path, status, body))
        check(len(body["contacts"]) <= 7, "a page holds at most the limit")
        seen += [c["actor"] for c in body["contacts"]]
        pages += 1
        after = body["next"]
        if after is None:
            break
    want = ["urn:li:person:p%02d" % i for i in range(30)]
    check(seen == want, "every match once, in order: %s" % seen)
    check(pages == 5, "30 matches in pages of 7: 5 pages (%d)" % pages)
    # The first page is what warmthctl --json contacts answers.
    _, _, body = get(env, "/api/contacts?q=person&limit=7")
    check(body["contacts"][0]["actor"] == "urn:li:person:ACME-ceo", "the actor matches too")
    check(body == ctl_json(env, "contacts", "--search", "person", "-n", "7"),
          "the page is warmthctl's")
    # Case folding beyond ASCII, the actor, and markup as plain data.
    for q, want in (("\u00e9MILE", ["urn:li:person:emile"]), ("acme", ["urn:li:person:ACME-ceo"]),
                    ("<script>", ["urn:li:person:xss"]), ("nobody at all", [])):
        status, _, body = get(env, "/api/contacts?q=" + quote(q))
        check(status == 200 and [c["actor"] for c in body["contacts"]] == want,
              "search %r: %s" % (q, body))
    status, _, body = get(env, "/api/contacts?q=" + quote("<script>"))
    check(body["contacts"][0]["name"] == "<script>alert(1)</script>", "the name as it is")
    status, _, body = get(env, "/api/contacts")
    check(status == 200 and len(body["contacts"]) == 33, "no search: all (%s)" % status)
    for bad in ("limit=0", "limit=501", "limit=x", "after=garbage"):
        status, _, body = get(env, "/api/contacts?" + bad)
        check(status == 400 and body["error"]["code"] == "bad_argument", "%s: %s" % (bad, body))
    # warmthctl contacts for people: the rows, then the next page's cursor.
    r = sock_ctl(env, "contacts", "--search", "NUMBER", "-n", "2")
    out = r.stdout.splitlines()
    check("p00" in out[-3] and "p01" in out[-2] and out[-1].startswith("next: "),
          "text: %r" % r.stdout)
    r = sock_ctl(env, "contacts", "--search", "NUMBER", "-n", "2", "--after", out[-1][6:])
    check("p02" in r.stdout and "p03" in r.stdout and "p01" not in r.stdout,
          "the next page: %r" % r.stdout)
    sock_ctl(env, "contacts", "-n", "0", expect=2)
    sock_ctl(env, "top", "--search", "x", expect=2)
    env.close()


def test_host_header():
    env = dash_env("dash_host")
    start(env)
    for host in ("evil.example:%d" % env.port, "127.0.0.1", "127.0.0.1:1",
                 "localhost.evil.example:%d" % env.port, ""):
        status, resp, body = get(env, "/api/status", host=host)
        check(status == 421, "Host %r: %d %s" % (host, status, body))
        check(resp.getheader("Content-Security-Policy") == CSP, "Host %r: CSP" % host)
    for host in ("127.0.0.1:%d" % env.port, "LOCALHOST:%d" % env.port, "[::1]:%d" % env.port):
        status, _, _ = get(env, "/api/status", host=host)
        check(status == 200, "Host %r: %d" % (host, status))
    # /metrics is for scrapers, which may name the host as they like.
    status, resp, _ = get(env, "/metrics", host="prometheus.internal:%d" % env.port)
    check(status == 200, "/metrics with any Host: %d" % status)
    env.close()


def test_headers_on_every_response():
    env = dash_env("dash_headers")
    start(env)
    for method, path in (("GET", "/api/status"), ("GET", "/api/nothing"), ("GET", "/metrics"),
                         ("GET", "/nowhere"), ("POST", "/api/mark"), ("GET", "/v1/events")):
        status, resp, _ = request(env, method, path)
        check(resp.getheader("Content-Security-Policy") == CSP, "%s %s: CSP" % (method, path))
        check(resp.getheader("X-Content-Type-Options") == "nosniff", "%s %s: nosniff"
              % (method, path))
        check(resp.getheader("Referrer-Policy") == "no-referrer", "%s %s: no-referrer"
              % (method, path))
    env.close()


def test_static_files():
    env = dash_env("dash_static", extra="  www_dir: ./www\n")
    www = os.path.join(env.dir, "www")
    os.makedirs(os.path.join(www, "static", "sub"))
    files = {"index.html": "<!doctype html><title>t</title>\n", "static/app.js": "let a = 1;\n",
             "static/style.css": "body{}\n", "static/sub/x.svg": "<svg/>\n"}
    for name, text in files.items():
        with open(os.path.join(www, name), "w") as f:
            f.write(text)
    with open(os.path.join(env.dir, "secret.txt"), "w") as f:
        f.write("secret\n")
    os.symlink(os.path.join(env.dir, "secret.txt"), os.path.join(www, "static", "out.js"))
    os.symlink("app.js", os.path.join(www, "static", "in.js"))
    os.symlink(env.dir, os.path.join(www, "static", "up"))
    start(env)
    for path, name, ctype in (("/", "index.html", "text/html; charset=utf-8"),
                              ("/static/app.js", "static/app.js", "text/javascript; charset=utf-8"),
                              ("/static/style.css", "static/style.css", "text/css; charset=utf-8"),
                              ("/static/sub/x.svg", "static/sub/x.svg", "image/svg+xml")):
        conn = http.client.HTTPConnection("127.0.0.1", env.port, timeout=10)
        conn.request("GET", path)
        resp = conn.getresponse()
        data = resp.read().decode()
        conn.close()
        check(resp.status == 200 and data == files[name], "%s: %d %r" % (path, resp.status, data))
        check(resp.getheader("Content-Type") == ctype, "%s: %s" % (path, resp.getheader("Content-Type")))
        check(resp.getheader("Content-Security-Policy") == CSP, "%s: CSP" % path)
    for path in ("/static/../secret.txt", "/static/%2e%2e/secret.txt", "/static/out.js",
                 "/static/in.js", "/static/up/secret.txt", "/static/sub", "/static/sub/",
                 "/static/", "/static//app.js", "/static/./app.js", "/index.html/",
                 "/static/nothing.js", "/static/app.js%00.css"):
        status, _, _ = get(env, path)
        check(status == 404, "%s: %d" % (path, status))
    status, resp, _ = request(env, "POST", "/", body="{}")
    check(status == 405, "POST /: %d" % status)
    status, _, _ = get(env, "/", host="evil.example:%d" % env.port)
    check(status == 421, "a foreign Host for the page: %d" % status)
    chart = "/usr/share/javascript/chart.js/chart.min.js"
    status, resp, _ = get(env, "/vendor/chart.js")
    if os.path.exists(chart):
        check(status == 200 and resp.getheader("Content-Type") == "text/javascript; charset=utf-8",
              "Chart.js: %d" % status)
    else:
        check(status == 404, "no Chart.js installed: %d" % status)
    env.close()
    # From a build tree: the default www_dir, absent, falls back to the source tree's.
    if not os.path.exists("/usr/share/warmthd/www"):
        env = dash_env("dash_static_default")
        start(env)
        conn = http.client.HTTPConnection("127.0.0.1", env.port, timeout=10)
        conn.request("GET", "/")
        resp = conn.getresponse()
        data = resp.read()
        conn.close()
        with open(os.path.join(SOURCE, "www", "index.html"), "rb") as f:
            check(resp.status == 200 and data == f.read(), "the source tree's index.html")
        env.close()


def test_token_file():
    env = dash_env("dash_token")
    start(env)
    path = os.path.join(env.dir, "dashboard.token")
    st = os.stat(path)
    check(stat.S_IMODE(st.st_mode) == 0o600 and st.st_uid == os.geteuid(),
          "0600, the daemon's user: %o %d" % (st.st_mode, st.st_uid))
    tok = token(env)
    check(len(tok) == 64 and all(c in "0123456789abcdef" for c in tok), "256 bits in hex: %r" % tok)
    url = ctl_json(env, "dashboard")["url"]
    check(url == "http://127.0.0.1:%d/#token=%s" % (env.port, tok), "the URL: %s" % url)
    r = sock_ctl(env, "dashboard")
    check(tok in r.stdout and "?" not in r.stdout, "the token in the fragment only")
    env.stop()
    env.start()
    env.wait(lambda: port_open(env.port), "the HTTP listener again")
    check(token(env) == tok, "the same token after a restart")
    env.stop()
    # A token others may read is refused: the dashboard stays off, the rest serves on.
    os.chmod(path, 0o644)
    env.start()
    env.wait(lambda: port_open(env.port), "the HTTP listener with a readable token")
    status, _, _ = get(env, "/api/status")
    check(status == 404, "no dashboard with a token others may read: %d" % status)
    check(env.log_has("dashboard disabled") and env.log_has("mode 0600"), "the log says why")
    status, _, _ = get(env, "/metrics")
    check(status == 200, "/metrics still served")
    env.close()


if __name__ == "__main__":
    run([test_off_by_default, test_needs_a_listener, test_views_match_ctl, test_changes_by_post_with_token_and_origin,
         test_contacts_search_and_pages, test_host_header, test_headers_on_every_response, test_static_files,
         test_token_file])
