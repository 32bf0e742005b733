"""Limits of the input that hold whatever the bytes around them:
ingest.max_line_bytes for every line wherever it falls in a read, and the
bounds of the event format's counts."""

import json
import random

from harness import BASE_CONFIG, Env, check, run

T0 = 1793700000  # 2026-11-03, event time
LIMIT = 1024
CHUNK = 4096
CONFIG = BASE_CONFIG.replace("ingest:\n", "ingest:\n  max_line_bytes: 1KiB\n  read_chunk: 4KiB\n")


def line_of(length, i):
    """A valid event line of exactly length bytes (without its newline)."""
    head = '{"ts":%d,"type":"like","actor":"a%d","id":"e%d","text":"' % (T0 + i, i % 50, i)
    pad = length - len(head) - 2
    check(pad >= 0, "line of %d bytes is too short for an event" % length)
    return head + "x" * pad + '"}'


def limit_lines(seed):
    """Lines of LIMIT-1, LIMIT and LIMIT+1 bytes after fillers of random
    length, so that they start, end and straddle everywhere in a read."""
    rnd = random.Random(seed)
    lines, offsets, want_long = [], [], []
    offset = 0
    for i in range(300):
        if i % 2 == 0:
            length = rnd.randint(80, 1000)
        else:
            length = LIMIT - 1 + (i // 2) % 3
        lines.append(line_of(length, i))
        if length > LIMIT:
            want_long.append(offset)
        offsets.append(offset)
        offset += length + 1
    return lines, want_long


def check_limit(env, lines, want_long):
    st = env.status()
    check(st["events_accepted"] == len(lines) - len(want_long) and
          st["events_rejected"] == len(want_long) and
          st["rejected_by_reason"] == {"line_too_long": len(want_long)}, "counts: %s" % st)
    dl = env.dead_letters()
    check([d["offset"] for d in dl] == want_long, "dead-letter offsets %s, want %s" %
          ([d["offset"] for d in dl], want_long))
    check(all(d["reason"] == "line_too_long" and "line of 1025 bytes" in d["detail"] and
              len(d["line"]) == LIMIT for d in dl), "dead letters: %s" % dl[:2])


def test_line_limit_wherever_the_line_falls():
    """Every line over the limit is rejected and every one at it accepted,
    whether it arrived whole within one read (it used to be accepted), ends
    a read, or straddles reads."""
    lines, want_long = limit_lines(1)
    # The starts of the long lines fall all over the 4 KiB reads.
    places = {o % CHUNK // 512 for o in want_long}
    check(len(places) == CHUNK // 512, "long lines at too few places in a read: %s" % places)
    env = Env("line-limit", CONFIG)
    env.append("a.jsonl", lines)
    env.once()
    check_limit(env, lines, want_long)
    env.close()


def test_line_limit_live():
    """The same lines appended to a running daemon in pieces cut anywhere."""
    lines, want_long = limit_lines(2)
    env = Env("line-limit-live", CONFIG)
    env.start()
    data = ("\n".join(lines) + "\n").encode()
    rnd = random.Random(3)
    at = 0
    while at < len(data):
        n = rnd.randint(1, 3 * LIMIT)
        env.append_bytes("a.jsonl", data[at:at + n])
        at += n
    env.wait_processed(len(lines))
    env.stop()
    check_limit(env, lines, want_long)
    env.close()


def test_counts_bounded():
    """A snapshot or a profile hint beyond 10^12 is invalid_field naming the
    field; the network metrics of the accepted snapshot are exact."""
    env = Env("counts", BASE_CONFIG)
    env.append("a.jsonl", [
        json.dumps({"ts": T0, "type": "snapshot", "followers": 9223372036854775000,
                    "connections": 10}),
        json.dumps({"ts": T0, "type": "like", "actor": "a", "actor_followers": 10 ** 12 + 1}),
        json.dumps({"ts": T0 + 1, "type": "snapshot", "followers": 10 ** 12,
                    "connections": 500}),
    ])
    env.once()
    st = env.status()
    check(st["events_accepted"] == 1 and st["rejected_by_reason"] == {"invalid_field": 2},
          "counts: %s" % st)
    details = [d["detail"] for d in env.dead_letters()]
    check(details[0].startswith("followers: ") and details[1].startswith("actor_followers: "),
          "details: %s" % details)
    env.close()


if __name__ == "__main__":
    run([test_line_limit_wherever_the_line_falls, test_line_limit_live, test_counts_bounded])
