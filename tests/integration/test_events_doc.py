"""The event format reference (docs/events.md and warmthd-events(5)) is true
of the daemon: every example line of docs/events.md is accepted with no
unknown field; every field the parser knows, every event type and every
reject reason the daemon counts is documented in both; and the pointers to
the reference (warmth-gen --help, warmthd(8)) name files that exist."""

import json
import os
import re
import subprocess

from harness import BASE_CONFIG, BUILD, WARMTHCTL, Env, check, run

SOURCE_DIR = os.environ.get("WARMTH_SOURCE_DIR",
                            os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))

DOC = os.path.join(SOURCE_DIR, "docs", "events.md")
MAN = os.path.join(SOURCE_DIR, "docs", "man", "warmthd-events.5")


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def doc_example_lines():
    """The event lines of the ```json blocks of docs/events.md."""
    lines = []
    for block in re.findall(r"```json\n(.*?)```", read(DOC), re.S):
        lines += [x for x in block.splitlines() if x.startswith('{"ts"')]
    return lines


def known_fields():
    """The parser's field names, from its table in daemon/event.c."""
    src = read(os.path.join(SOURCE_DIR, "daemon", "event.c"))
    table = re.search(r"event_field_names\[FIELD_COUNT\] = \{(.*?)\};", src, re.S).group(1)
    return [x for x in re.findall(r'"([^"]+)"', table) if x != "?"]


def test_examples_are_accepted():
    env = Env("events-doc", BASE_CONFIG + "metrics:\n  textfile: ./metrics.prom\n  interval: 1s\n")
    lines = doc_example_lines()
    check(len(lines) >= 8, "examples found: %d" % len(lines))
    env.append("a.jsonl", lines)
    env.start()
    st = env.wait_processed(len(lines))
    check(st["events_accepted"] == len(lines) and st["events_rejected"] == 0,
          "every example is an accepted event: %s" % st)
    r = subprocess.run([WARMTHCTL, "-c", env.config, "--json", "status"], capture_output=True,
                       text=True, timeout=60)
    check(r.returncode == 0 and json.loads(r.stdout)["unknown_fields"] == {},
          "no example has an unknown field: %s %s" % (r.stdout, r.stderr))

    # The types and reasons the daemon counts, from its own metrics.
    prom = os.path.join(env.dir, "metrics.prom")
    env.wait(lambda: os.path.exists(prom), "the metrics textfile")
    text = read(prom)
    types = re.findall(r'warmthd_events_total\{type="([a-z0-9_]+)"\}', text)
    reasons = re.findall(r'warmthd_events_rejected_total\{reason="([a-z0-9_]+)"\}', text)
    env.stop()
    env.close()
    check(len(types) >= 16 and len(reasons) >= 13, "types %s, reasons %s" % (types, reasons))
    doc, man = read(DOC), read(MAN)
    for name in types + reasons + known_fields():
        check("`%s`" % name in doc, "docs/events.md does not document %s" % name)
        check(re.search(r"^\.B[RI]? .*\b%s\b" % re.escape(name.replace("-", "\\-")), man, re.M),
              "warmthd-events.5 does not document %s" % name)


def test_pointers_name_existing_files():
    r = subprocess.run([os.path.join(BUILD, "warmth-gen"), "--help"], capture_output=True,
                       text=True, timeout=30)
    check(r.returncode == 0, "warmth-gen --help: %s" % r.stderr)
    check("warmthd-events(5)" in r.stdout and "events.md" in r.stdout,
          "warmth-gen --help names the reference: %s" % r.stdout[:400])
    check(os.path.isfile(DOC) and os.path.isfile(MAN), "the reference exists")
    warmthd8 = read(os.path.join(SOURCE_DIR, "docs", "man", "warmthd.8"))
    for name in re.findall(r"^\.RI \( ?([a-z-]+\.md)", warmthd8, re.M):
        check(os.path.isfile(os.path.join(SOURCE_DIR, "docs", name)),
              "warmthd(8) names %s, which docs/ does not have" % name)
    check("events.md" in warmthd8 and "warmthd\\-events (5)" in warmthd8,
          "warmthd(8) points at the event format")


if __name__ == "__main__":
    run([test_examples_are_accepted, test_pointers_name_existing_files])
