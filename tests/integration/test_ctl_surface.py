"""warmthctl's surface cannot drift: every command its table accepts
(tools/warmthctl.c) is in --help, in warmthctl(1) and in the bash
completion, and every command those offer is one it accepts; every long
option is in all three too. status prints the same labels whether the
running daemon answers or --db reads the database (one formatting
function)."""

import os
import re
import subprocess

from harness import BASE_CONFIG, SOURCE, WARMTHCTL, Env, check, event, run

CTL_SOURCE = os.path.join(SOURCE, "tools", "warmthctl.c")
MAN = os.path.join(SOURCE, "docs", "man", "warmthctl.1")
BASH = os.path.join(SOURCE, "tools", "completion", "warmthctl.bash")


def read(path):
    with open(path) as f:
        return f.read()


def table_commands():
    """The commands of ctl_commands[], in order, with where they are answered."""
    src = read(CTL_SOURCE)
    block = src[src.index("ctl_commands[] = {"):]
    block = block[:block.index("};")]
    rows = re.findall(r'\{\s*"([a-z-]+)",[^{}]*?(CTL_VIA_[A-Z]+)\s*\}', block, re.S)
    check(len(rows) >= 10, "could not read the command table: %r" % rows)
    return rows


def long_options():
    src = read(CTL_SOURCE)
    block = src[src.index("ctl_long_options[] = {"):]
    block = block[:block.index("};")]
    return re.findall(r'\{\s*"([a-z-]+)",', block)


def completion_words(name):
    """The words of the first `local NAME="..."` in the bash completion."""
    m = re.search(r'local %s="([^"]*)"' % name, read(BASH))
    check(m is not None, "no %s list in %s" % (name, BASH))
    return m.group(1).split()


def test_commands_everywhere():
    rows = table_commands()
    names = [n for n, _ in rows]
    help_text = subprocess.run([WARMTHCTL, "--help"], capture_output=True, text=True).stdout
    man = read(MAN)
    commands_section = man[man.index(".SH COMMANDS"):]
    commands_section = commands_section[:commands_section.index("\n.SH ", 1)]
    offered = completion_words("commands")
    missing = []
    for name in names:
        if not re.search(r"^\s+(%s)\b" % re.escape(name), help_text, re.M) and \
                not re.search(r"[ ,]%s\b" % re.escape(name), help_text):
            missing.append("--help lacks %s" % name)
        if not re.search(r"^\.B[IR]? %s\b" % name.replace("-", r"\\?-"),
                         commands_section, re.M):
            missing.append("warmthctl(1) COMMANDS lacks %s" % name)
        if name not in offered:
            missing.append("the bash completion lacks %s" % name)
    for word in offered:
        if word not in names:
            missing.append("the bash completion offers %s, which warmthctl does not accept"
                           % word)
    # After --db the completion offers what reads a database, and only that.
    src = read(BASH)
    m = re.search(r'--db \]\].*?\n\s*commands="([^"]*)"', src, re.S)
    check(m is not None, "no --db command list in the completion")
    db_names = [n for n, via in rows if via != "CTL_VIA_SOCKET"]
    if sorted(m.group(1).split()) != sorted(db_names):
        missing.append("after --db the completion offers %s, warmthctl reads %s"
                       % (sorted(m.group(1).split()), sorted(db_names)))
    for opt in long_options():
        if "--" + opt not in help_text:
            missing.append("--help lacks --%s" % opt)
        if "\\-\\-" + opt not in man:
            missing.append("warmthctl(1) lacks --%s" % opt)
        if "--" + opt not in src:
            missing.append("the bash completion lacks --%s" % opt)
    check(not missing, "\n".join(missing))
    # Every command in the table is one the program takes (no "unknown command").
    for name in names:
        r = subprocess.run([WARMTHCTL, "-s", "/nonexistent/sock", name], capture_output=True,
                           text=True)
        check("unknown command" not in r.stderr, "%s: %s" % (name, r.stderr))


def labels(text):
    """The labels of status's text: the first column of the lines before the inputs."""
    head = text.split("\n\n")[0]
    return [re.split(r"\s{2,}", line)[0] for line in head.splitlines()]


def test_status_labels_same_from_daemon_and_db():
    env = Env("ctl-surface-status", BASE_CONFIG)
    env.append("a.jsonl", [event(1793700000, "like", "a", post="p"), "not json"])
    env.start()
    env.wait_processed(2)
    live = subprocess.run([WARMTHCTL, "-c", env.config, "status"], capture_output=True,
                          text=True, timeout=60)
    check(live.returncode == 0, "status from the daemon: %s" % live.stderr)
    db = subprocess.run([WARMTHCTL, "--db", env.db, "status"], capture_output=True, text=True,
                        timeout=60)
    check(db.returncode == 0, "status --db: %s" % db.stderr)
    check(labels(live.stdout) == labels(db.stdout),
          "status labels differ:\ndaemon: %s\n--db:   %s" % (labels(live.stdout),
                                                          labels(db.stdout)))
    for text in (live.stdout, db.stdout):
        check("events accepted         1" in text and "rejected by reason      not_json 1" in text
              and "INPUT" in text and "LAG" in text, "status text:\n" + text)
    env.close()


if __name__ == "__main__":
    run([test_commands_everywhere, test_status_labels_same_from_daemon_and_db])
