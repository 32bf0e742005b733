"""Security checks: a config file others may write is refused (warmthd -t,
start and reload) unless --allow-insecure-config; webhook requests are
signed with HMAC-SHA256 under a secret read from a file or from systemd's
$CREDENTIALS_DIRECTORY, which never appears in any output; the exec sink
runs its argv with no shell and a scrubbed environment."""

import hashlib
import hmac
import json
import os
import signal
import subprocess

from harness import AS_NOBODY, WARMTHD, BASE_CONFIG, Env, Receiver, can_run_as_nobody, check, run
from test_sinks import DRIVER, READY, record, workdir, write_config

SECRET = "s3cr3t-Kq9vX2-never-logged"


def check_config(path, *args, environ=None):
    env = dict(os.environ)
    env.update(environ or {})
    return subprocess.run([WARMTHD, "-t", "-c", path] + list(args), capture_output=True,
                          text=True, timeout=30, env=env)


def driver(config, records, environ=None):
    env = dict(os.environ)
    env.update(environ or {})
    r = subprocess.run([DRIVER, config, "0"], input="".join(x + "\n" for x in records),
                       capture_output=True, text=True, timeout=30, env=env)
    check(r.returncode == 0, "sink_driver exit %d: %s %s" % (r.returncode, r.stdout, r.stderr))
    return [json.loads(x) for x in r.stdout.splitlines() if x.startswith("{")], r


def test_insecure_config_refused():
    env = Env("insecure")
    for mode, who in ((0o664, "its group"), (0o646, "others")):
        os.chmod(env.config, mode)
        r = check_config(env.config)
        check(r.returncode == 1, "-t accepted a config writable by %s: %s" % (who, r.stdout))
        check(env.config in r.stderr and who in r.stderr and "--allow-insecure-config" in r.stderr
              and "chmod go-w" in r.stderr, "unclear message: %s" % r.stderr)
        r = env.once(expect=1)
        check("writable by" in r.stderr, "start message: %s" % r.stderr)
        check(not os.path.exists(env.db), "the daemon went on after refusing its config")
        r = check_config(env.config, "--allow-insecure-config")
        check(r.returncode == 0 and r.stdout == "configuration OK\n", "with the flag: %s" % r.stderr)
        check("allowed by --allow-insecure-config" in r.stderr, "no warning: %s" % r.stderr)
    os.chmod(env.config, 0o644)
    if os.geteuid() == 0:
        os.chown(env.config, 65534, 65534)   # nobody's: nobody could rewrite it
        r = check_config(env.config)
        check(r.returncode == 1 and "owned by uid 65534" in r.stderr, "owner: %s" % r.stderr)
        os.chown(env.config, 0, 0)

    # A running daemon refuses to reload a config that became writable.
    env.start()
    os.chmod(env.config, 0o666)
    env.proc.send_signal(signal.SIGHUP)
    env.wait(lambda: env.log_has("reload: ") and env.log_has("writable by others"),
             "reload refused")
    check(env.proc.poll() is None, "daemon died on a refused reload")
    os.chmod(env.config, 0o644)
    env.stop()
    env.close()


def signed_config(d, url, secret_yaml):
    return write_config(d, "  - type: webhook\n    url: %s\n    timeout: 2s\n%s" % (url, secret_yaml))


def check_signature(rx, secret):
    check(len(rx.requests) == 1, "one request, got %d" % len(rx.requests))
    _, headers, body = rx.requests[0]
    want = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    check(headers.get("X-Warmth-Signature") == want,
          "signature %r, want %r" % (headers.get("X-Warmth-Signature"), want))
    check(all(secret not in v for v in headers.values()), "the secret was sent: %r" % headers)


def test_webhook_secret_file_signs():
    d = workdir("sign")
    key = os.path.join(d, "webhook.key")
    with open(key, "w") as f:
        f.write(SECRET + "\n")          # the final newline is not part of the key
    os.chmod(key, 0o600)
    rx = Receiver()
    try:
        config = signed_config(d, rx.url, "    secret_file: webhook.key\n")
        reports, r = driver(config, [record()])
        check([x["result"] for x in reports] == ["delivered"], "reports %r" % reports)
        check_signature(rx, SECRET)
        check(SECRET not in r.stdout + r.stderr, "the secret was printed")
    finally:
        rx.close()
    # Unsigned without a secret.
    rx = Receiver()
    try:
        driver(signed_config(d, rx.url, ""), [record()])
        check("X-Warmth-Signature" not in rx.requests[0][1], "signed without a secret")
    finally:
        rx.close()

    # A secret others may read is refused, and the message never shows it.
    os.chmod(key, 0o644)
    r = check_config(signed_config(d, "http://127.0.0.1:9/hook", "    secret_file: webhook.key\n"))
    check(r.returncode == 1 and "chmod o-rw" in r.stderr and key in r.stderr,
          "world-readable secret: %s" % r.stderr)
    check(SECRET not in r.stdout + r.stderr, "the secret was printed")
    os.chmod(key, 0o600)
    r = check_config(signed_config(d, "http://127.0.0.1:9/hook",
                                   "    secret_file: missing.key\n"))
    check(r.returncode == 1 and "missing.key: cannot open" in r.stderr, "missing: %s" % r.stderr)
    with open(os.path.join(d, "k"), "w") as f:
        f.write("other")
    r = check_config(signed_config(d, "http://127.0.0.1:9/hook",
                                   "    secret_file: webhook.key\n    secret_credential: k\n"),
                     environ={"CREDENTIALS_DIRECTORY": d})
    check(r.returncode == 1 and "not both" in r.stderr, "both: %s" % r.stderr)


def test_webhook_secret_from_credentials_directory():
    d = workdir("cred")
    creds = os.path.join(d, "credentials")
    os.mkdir(creds, 0o700)
    with open(os.path.join(creds, "webhook-key"), "w") as f:
        f.write(SECRET)
    config = signed_config(d, "http://127.0.0.1:9/hook", "    secret_credential: webhook-key\n")
    # Outside systemd -t cannot read a credential: it says where it comes from.
    r = check_config(config)
    check(r.returncode == 0 and "$CREDENTIALS_DIRECTORY is not set" in r.stderr
          and "LoadCredential=webhook-key" in r.stderr and "note:" in r.stderr,
          "no credentials: %s" % r.stderr)
    rx = Receiver()
    try:
        config = signed_config(d, rx.url, "    secret_credential: webhook-key\n")
        reports, r = driver(config, [record()], {"CREDENTIALS_DIRECTORY": creds})
        check([x["result"] for x in reports] == ["delivered"], "reports %r" % reports)
        check_signature(rx, SECRET)
        check(SECRET not in r.stdout + r.stderr, "the secret was printed")
    finally:
        rx.close()
    r = check_config(signed_config(d, "http://127.0.0.1:9/hook", "    secret_credential: ../x\n"))
    check(r.returncode == 1 and "without a \"/\"" in r.stderr, "path in a name: %s" % r.stderr)


def test_daemon_signs_and_never_logs_the_secret():
    """The whole daemon at debug level: a ready contact's webhook request is
    signed; a new key and a reload sign the next one with it; neither key
    is in the log."""
    from test_notify import ready_lines
    rx = Receiver()
    try:
        config = BASE_CONFIG + ("  - type: webhook\n    url: %s\n    secret_file: ./webhook.key\n"
                                "time:\n  source: event\n" % rx.url)
        env = Env("nolog", config)
        key = os.path.join(env.dir, "webhook.key")
        with open(key, "w") as f:
            f.write(SECRET)
        os.chmod(key, 0o600)
        r = check_config(env.config)
        check(r.returncode == 0, "-t: %s" % r.stderr)
        env.start()
        env.append("a.jsonl", ready_lines("ada", "Ada Lovelace"))
        env.wait(lambda: rx.count() == 1, "ada's webhook request")
        check_signature(rx, SECRET)
        with open(key, "w") as f:
            f.write(SECRET + "-2")
        env.proc.send_signal(signal.SIGHUP)
        env.wait(lambda: env.log_has("configuration reloaded"), "reload")
        env.append("a.jsonl", ready_lines("bob", "Bob Example"))
        env.wait(lambda: rx.count() == 2, "bob's webhook request")
        rx.requests.pop(0)
        check_signature(rx, SECRET + "-2")
        env.stop()
        with open(os.path.join(env.dir, "warmthd.log"), errors="replace") as f:
            log = f.read()
        check(SECRET not in log, "the secret is in the log")
        env.close()
    finally:
        rx.close()


def test_exec_argv_no_shell_scrubbed_environment():
    d = workdir("execenv")
    out = os.path.join(d, "env.out")
    marker = os.path.join(d, "shell-ran")
    wrapper = os.path.join(d, "dump")
    with open(wrapper, "w") as f:
        f.write("#!/usr/bin/python3 -I\nimport os, sys, json\n"
                "json.dump({'argv': sys.argv[1:], 'env': dict(os.environ)}, open(%r, 'w'))\n"
                "sys.stdin.read()\n" % out)
    os.chmod(wrapper, 0o755)
    config = write_config(d, "  - type: exec\n    command: [%s, \"$(touch %s)\", \"a b\"]\n"
                             % (wrapper, marker))
    reports, _ = driver(config, [record()], {
        "NOTIFY_SOCKET": "/run/systemd/notify", "CREDENTIALS_DIRECTORY": "/run/credentials/x",
        "WATCHDOG_USEC": "1000", "AWS_SECRET_ACCESS_KEY": "leak", "LC_ALL": "C.UTF-8",
        "TZ": "UTC", "WARMTH_ACTOR": "spoofed"})
    check([x["result"] for x in reports] == ["delivered"], "reports %r" % reports)
    with open(out) as f:
        got = json.load(f)
    check(not os.path.exists(marker), "a shell ran the argument")
    check(got["argv"] == ["$(touch %s)" % marker, "a b"], "argv %r" % got["argv"])
    allowed = {"PATH", "HOME", "USER", "LOGNAME", "LANG", "LANGUAGE", "TZ", "TMPDIR",
               "WARMTH_KIND", "WARMTH_ID", "WARMTH_ACTOR", "WARMTH_SEGMENT", "WARMTH_WARMTH"}
    extra = [k for k in got["env"] if k not in allowed and not k.startswith("LC_")]
    check(not extra, "variables passed that should not be: %s" % extra)
    check("PATH" in got["env"] and got["env"].get("LC_ALL") == "C.UTF-8"
          and got["env"].get("TZ") == "UTC", "useful variables lost: %s" % got["env"])
    check(got["env"]["WARMTH_ACTOR"] == READY["actor"], "WARMTH_ACTOR from our environment")


def test_control_socket_mode_keeps_others_out():
    """Mode 0660: a user outside the daemon's group cannot even connect."""
    if not can_run_as_nobody("connect as another user"):
        return
    env = Env("sockmode", BASE_CONFIG)
    env.start()
    sock = os.path.join(env.dir, "control.sock")
    os.chmod(env.dir, 0o755)     # the directory lets anyone reach the socket
    check(os.stat(sock).st_mode & 0o777 == 0o660, "socket mode %o" % os.stat(sock).st_mode)
    client = ("import socket,sys\n"
              "s=socket.socket(socket.AF_UNIX)\n"
              "try:\n    s.connect(sys.argv[1]); print('connected')\n"
              "except PermissionError:\n    print('denied')\n")
    r = subprocess.run(list(AS_NOBODY) + ["python3", "-c", client, sock], capture_output=True,
                       text=True, timeout=30)
    check(r.stdout.strip() == "denied", "nobody connected: %r %r" % (r.stdout, r.stderr))
    env.stop()
    env.close()


if __name__ == "__main__":
    run([test_control_socket_mode_keeps_others_out, test_insecure_config_refused,
         test_webhook_secret_file_signs, test_webhook_secret_from_credentials_directory,
         test_daemon_signs_and_never_logs_the_secret, test_exec_argv_no_shell_scrubbed_environment])
