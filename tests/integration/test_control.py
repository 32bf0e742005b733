"""The control socket: protocol errors get error replies, abuse (garbage,
oversized lines, half a request then silence, many clients at once) leaves
the daemon answering, reload works and keeps a bad config out, and
changing commands are refused to other users but those of
control.allow_users."""

import json
import os
import socket
import subprocess
import threading
import time

from harness import (BASE_CONFIG, WARMTHCTL, Env, can_run_as_nobody, check, event,
                     open_to_others, run, run_as_nobody)

T0 = 1793700000
CONFIG = BASE_CONFIG  # it has control.socket: ./control.sock


def connect(env):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(20)
    s.connect(os.path.join(env.dir, "control.sock"))
    return s, s.makefile("rwb")


def ask(f, raw):
    f.write(raw if isinstance(raw, bytes) else raw.encode())
    f.flush()
    line = f.readline()
    check(line.endswith(b"\n"), "no reply line to %r (got %r)" % (raw[:80], line))
    return json.loads(line)


def test_protocol_and_errors():
    env = Env("control", CONFIG)
    env.start()
    mode = os.stat(os.path.join(env.dir, "control.sock")).st_mode & 0o777
    check(mode == 0o660, "socket mode %o" % mode)
    s, f = connect(env)
    r = ask(f, '{"v":1,"id":1,"cmd":"ping"}\n')
    check(r["ok"] and r["id"] == 1 and r["result"]["pid"] == env.proc.pid, "ping %s" % r)
    cases = [
        (b"garbage\n", "bad_request"),
        (b"[1,2]\n", "bad_request"),
        (b'{"id":2,"cmd":"ping"}\n', "bad_request"),
        (b'{"v":1,"id":"s","cmd":5}\n', "bad_request"),
        (b'{"v":1,"cmd":"ping","args":[1]}\n', "bad_request"),
        (b'{"v":1,"id":"x","cmd":"fly"}\n', "unknown_command"),
    ]
    for raw, code in cases:
        r = ask(f, raw)
        check(not r["ok"] and r["error"]["code"] == code, "%r -> %s" % (raw, r))
    check(ask(f, b'{"v":1,"id":"x","cmd":"fly"}\n')["id"] == "x", "string id echoed")
    # Several requests in one write are answered in order.
    f.write(b'{"v":1,"id":10,"cmd":"ping"}\n{"v":1,"id":11,"cmd":"ping"}\n')
    f.flush()
    check([json.loads(f.readline())["id"] for _ in range(2)] == [10, 11], "pipelined order")
    # An oversized line: an error reply, then the connection is closed.
    r = ask(f, b"x" * 70000)
    check(r["error"]["code"] == "too_large", "too large %s" % r)
    check(f.readline() == b"", "connection not closed after too_large")
    s.close()
    # 10 MiB without a newline: refused after 64 KiB; the sender sees the
    # reply or a reset, and the daemon goes on answering others.
    s, f = connect(env)
    try:
        s.sendall(b"y" * (10 << 20))
    except OSError:
        pass
    try:
        line = f.readline()
        check(line == b"" or json.loads(line)["error"]["code"] == "too_large", "10 MiB: %r" % line[:200])
    except OSError:
        pass
    s.close()
    s, f = connect(env)
    check(ask(f, '{"v":1,"cmd":"ping"}\n')["ok"], "daemon answers after abuse")
    s.close()
    env.stop()
    check(not os.path.exists(os.path.join(env.dir, "control.sock")), "socket left at exit")
    env.close()


def test_slow_and_many_clients():
    # 100 at once: above the default control.max_clients (64), whose
    # "busy" test_control_bounds.py checks; here all are to be answered.
    env = Env("control-many", CONFIG.replace("  socket: ./control.sock\n",
                                             "  socket: ./control.sock\n  max_clients: 128\n"))
    env.start()
    # Half a request, then silence: must not hold anyone else up.
    stuck, _ = connect(env)
    stuck.sendall(b'{"v":1,"cmd":"pi')
    results = []

    def client(i):
        s, f = connect(env)
        for _ in range(5):
            r = ask(f, '{"v":1,"id":%d,"cmd":"ping"}\n' % i)
            results.append(r["ok"] and r["id"] == i)
        s.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(100)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    check(len(results) == 500 and all(results), "%d of 500 answers ok" % sum(results))
    # Ingestion goes on meanwhile.
    env.append("a.jsonl", [event(T0, "like", "u%d" % i) for i in range(50)])
    env.wait_processed(50)
    stuck.close()
    env.stop()
    env.close()


def test_reload_over_the_socket():
    env = Env("control-reload", CONFIG)
    env.start()
    s, f = connect(env)
    check(ask(f, '{"v":1,"cmd":"reload"}\n')["result"] == {"reloaded": True, "restart_needed": []},
          "reload")
    env.write_config(CONFIG.replace("level: debug", "level: loud"))
    r = ask(f, '{"v":1,"cmd":"reload"}\n')
    check(not r["ok"] and r["error"]["code"] == "bad_config" and "loud" in r["error"]["message"],
          "bad reload %s" % r)
    check(ask(f, '{"v":1,"cmd":"ping"}\n')["ok"], "still running after a bad reload")
    s.close()
    env.stop()
    env.close()


def test_changing_commands_need_privilege():
    if not can_run_as_nobody():
        print("skipped: needs root and setpriv to connect as another user")
        return
    env = Env("control-perm", CONFIG)
    env.start()
    sock = open_to_others(env)
    client = ("import json,socket,sys\n"
              "s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); f=s.makefile('rwb')\n"
              "for c in ('ping','reload'):\n"
              "    f.write(b'{\"v\":1,\"cmd\":\"%s\"}\\n' % c.encode()); f.flush()\n"
              "    print(f.readline().decode().strip())\n")

    def as_nobody():
        r = run_as_nobody(["python3", "-c", client, sock])
        lines = [json.loads(x) for x in r.stdout.splitlines()]
        check(len(lines) == 2, "replies %r %r" % (r.stdout, r.stderr))
        check(lines[0]["ok"], "ping as nobody %s" % lines[0])
        return lines[1]

    r = as_nobody()
    check(not r["ok"] and r["error"]["code"] == "forbidden", "reload %s" % r)

    # control.allow_users lets nobody change things once the config says so.
    allowing = CONFIG.replace("  socket: ./control.sock\n",
                              "  socket: ./control.sock\n  allow_users: [nobody]\n")
    env.write_config(allowing.replace("[nobody]", "[no-such-user-here]"))
    s, f = connect(env)
    r = ask(f, '{"v":1,"cmd":"reload"}\n')
    check(not r["ok"] and "no-such-user-here" in r["error"]["message"], "unknown user %s" % r)
    env.write_config(allowing)
    check(ask(f, '{"v":1,"cmd":"reload"}\n')["ok"], "reload allowing nobody")
    s.close()
    r = as_nobody()
    check(r["ok"] and r["result"] == {"reloaded": True, "restart_needed": []}, "reload as an allowed user %s" % r)
    env.stop()
    env.close()


def test_warmthctl_over_the_socket():
    env = Env("control-ctl", CONFIG)
    env.start()

    def ctl(*args):
        return subprocess.run([WARMTHCTL, "-c", env.config] + list(args), capture_output=True,
                              text=True, timeout=60)

    r = ctl("--json", "ping")
    check(r.returncode == 0 and json.loads(r.stdout)["pid"] == env.proc.pid, "ping %r" % (r,))
    r = ctl("reload")
    check(r.returncode == 0 and r.stdout.strip() == "configuration reloaded", "reload %r" % (r,))
    env.write_config(CONFIG.replace("inputs:", "inptus:"))
    r = ctl("-s", os.path.join(env.dir, "control.sock"), "reload")
    check(r.returncode == 1 and "inptus" in r.stderr and "bad_config" in r.stderr,
          "bad reload %r" % (r,))
    env.write_config(CONFIG)
    env.append("a.jsonl", [event(T0, "like", "u1"), "not json"])
    env.wait_processed(2)
    r = ctl("-s", os.path.join(env.dir, "control.sock"), "--json", "status")
    st = json.loads(r.stdout)
    check(r.returncode == 0 and st["events_accepted"] == 1 and st["events_rejected"] == 1 and
          st["contacts"] == 1 and st["rejected_by_reason"] == {"not_json": 1}, "status %r" % (r,))
    check(st["inputs"][0]["path"].endswith("a.jsonl") and st["inputs"][0]["lag"] == 0 and
          st["uptime_s"] >= 0 and st["config"] == env.config, "status inputs %s" % st)
    check("events_per_s" in st and "events_per_s_window_s" in st, "status rate keys %s" % st)
    # Each status request is a sample: a second later there is a rate to give.
    time.sleep(1.1)
    r = ctl("-s", os.path.join(env.dir, "control.sock"), "--json", "status")
    st = json.loads(r.stdout)
    check(isinstance(st["events_per_s"], (int, float)) and st["events_per_s"] >= 0 and
          1 <= st["events_per_s_window_s"] <= 60, "status rate %s" % st)
    r = ctl("-s", os.path.join(env.dir, "control.sock"), "status")
    check(r.returncode == 0 and "events accepted" in r.stdout, "text status %r" % (r,))
    env.stop()
    r = ctl("-s", os.path.join(env.dir, "control.sock"), "ping")
    check(r.returncode == 3 and "is the service running?" in r.stderr, "stopped %r" % (r,))
    env.close()


def test_snooze_and_mark_through_warmthctl():
    env = Env("control-change", CONFIG)
    env.append("a.jsonl", [event(T0, "follow", "ada", name="Ada"),
                           event(T0 + 60, "comment", "ada", post="p1", text="nice")])
    env.start()
    env.wait_processed(2)
    sock = os.path.join(env.dir, "control.sock")

    def ctl(*args):
        return subprocess.run([WARMTHCTL, "-s", sock] + list(args), capture_output=True,
                              text=True, timeout=60)

    def condition(name):
        show = env.show("ada")
        return [c for c in show["conditions"] if c["name"] == name][0]["ok"]

    r = ctl("snooze", "ada", "3d")
    check(r.returncode == 0 and "snoozed" in r.stdout, "snooze %r" % (r,))
    env.wait(lambda: not condition("not_snoozed"), "snooze committed")
    check(ctl("unsnooze", "ada").returncode == 0, "unsnooze")
    env.wait(lambda: condition("not_snoozed"), "unsnooze committed")
    check(ctl("mark", "ada", "dismissed").returncode == 0, "dismiss")
    env.wait(lambda: not condition("not_dismissed"), "dismiss committed")
    check(ctl("mark", "ada", "invited").returncode == 0, "mark invited")
    env.wait(lambda: env.show("ada")["relationship"] == "pending", "invitation recorded")
    r = ctl("mark", "nobody", "invited")
    check(r.returncode == 1 and "no contact" in r.stderr, "unknown contact %r" % (r,))
    r = ctl("snooze", "ada", "soon")
    check(r.returncode == 2, "bad duration is a usage error %r" % (r,))
    env.stop()
    env.close()


def test_unknown_contact_messages():
    """Every changing command names the unknown contact in its not_found
    message (snooze's was empty: its buffer was its own %s argument)."""
    env = Env("control-unknown", CONFIG)
    env.append("a.jsonl", [event(T0, "follow", "ada", name="Ada")])
    env.start()
    env.wait_processed(1)
    s, f = connect(env)
    for cmd, extra in (("snooze", ',"duration":"3d"'), ("unsnooze", ""),
                       ("mark", ',"state":"dismissed"'), ("show", "")):
        r = ask(f, '{"v":1,"id":1,"cmd":"%s","args":{"actor":"nobody"%s}}\n' % (cmd, extra))
        check(not r["ok"] and r["error"]["code"] == "not_found", "%s: %s" % (cmd, r))
        check(r["error"]["message"] == 'no contact "nobody" in account "default"',
              "%s: message %r" % (cmd, r["error"]["message"]))
    s.close()
    env.stop()
    env.close()


def test_nul_and_lengths_in_arguments():
    """A NUL in any string of a request (escaped or raw) refuses it: "u01\\u0000x"
    must not act on u01. Actors and accounts are 1-256 bytes without control
    characters, as in events; any string is at most 4096 bytes."""
    env = Env("control-nul", CONFIG)
    env.append("a.jsonl", [event(T0, "follow", "u01", name="U")])
    env.start()
    env.wait_processed(1)
    s, f = connect(env)
    nul = "u01\\u0000x"
    bad = [
        ('{"v":1,"id":1,"cmd":"show","args":{"actor":"%s"}}' % nul, "bad_request", "actor"),
        ('{"v":1,"id":1,"cmd":"snooze","args":{"actor":"%s","duration":"3d"}}' % nul,
         "bad_request", "actor"),
        ('{"v":1,"id":1,"cmd":"unsnooze","args":{"actor":"%s"}}' % nul, "bad_request", "actor"),
        ('{"v":1,"id":1,"cmd":"mark","args":{"actor":"u01","state":"dismissed\\u0000"}}',
         "bad_request", "state"),
        ('{"v":1,"id":1,"cmd":"show","args":{"actor":"u01","account":"default\\u0000x"}}',
         "bad_request", "account"),
        ('{"v":1,"id":1,"cmd":"ping\\u0000x"}', "bad_request", "cmd"),
        ('{"v":1,"id":1,"cmd":"show","args":{"actor\\u0000x":"u01"}}', "bad_request",
         "member name"),
        ('{"v":1,"id":1,"cmd":"show","args":{"actor":"%s"}}' % ("a" * 257), "bad_argument",
         "1-256 bytes"),
        ('{"v":1,"id":1,"cmd":"show","args":{"actor":"a\\u0001b"}}', "bad_argument",
         "control character"),
        ('{"v":1,"id":1,"cmd":"show","args":{"actor":"u01","account":""}}', "bad_argument",
         "account"),
        ('{"v":1,"id":1,"cmd":"show","args":{"actor":7}}', "bad_argument", "actor"),
        ('{"v":1,"id":1,"cmd":"top","args":{"segment":"%s"}}' % ("s" * 5000), "bad_request",
         "longer than 4096"),
    ]
    for raw, code, word in bad:
        r = ask(f, raw + "\n")
        check(not r["ok"] and r["error"]["code"] == code and word in r["error"]["message"],
              "%s... -> %s" % (raw[:90], r))
        check(r["id"] == 1, "id echoed on a refused request: %s" % r)
    # A raw NUL byte: the part before it must not be taken for the request.
    r = ask(f, b'{"v":1,"id":1,"cmd":"snooze","args":{"actor":"u01","duration":"3d"}}\x00x\n')
    check(not r["ok"] and r["error"]["code"] == "bad_request" and "NUL" in r["error"]["message"],
          "raw NUL %s" % r)
    # Nothing was snoozed or dismissed, and the real name still works.
    check(ask(f, '{"v":1,"cmd":"show","args":{"actor":"u01"}}\n')["ok"], "u01 shown")
    show = env.show("u01")
    conds = {c["name"]: c["ok"] for c in show["conditions"]}
    check(conds["not_snoozed"] and conds["not_dismissed"], "u01 untouched: %s" % conds)
    # A 256-byte actor is fine (not found, not refused).
    r = ask(f, '{"v":1,"cmd":"show","args":{"actor":"%s"}}\n' % ("a" * 256))
    check(r["error"]["code"] == "not_found", "256 bytes %s" % r)
    s.close()
    env.stop()
    env.close()


if __name__ == "__main__":
    run([test_protocol_and_errors, test_slow_and_many_clients, test_reload_over_the_socket,
         test_changing_commands_need_privilege, test_warmthctl_over_the_socket,
         test_snooze_and_mark_through_warmthctl, test_unknown_contact_messages,
         test_nul_and_lengths_in_arguments])
