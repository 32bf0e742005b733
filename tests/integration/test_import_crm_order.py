#!/usr/bin/env python3
"""test_import_crm_order.py - a CRM list's tags are one register, the
newest list (by event time) winning, whatever else the contact heard and
in whatever order the lists are read.

Two cases the list tests did not cover:
- a newer list loses nothing to an engagement carrying only a name (a
  collector's like) that is newer than the list: only events that carry
  tags compete for the tags;
- an emptied cell is a value: an older list read after it (a re-import,
  files read in another order) must not bring the tags back.
"""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import check, event  # noqa: E402

IMPORT = os.path.join(h.BUILD, "warmth-import")
CONFIG = h.BASE_CONFIG + "time:\n  source: event\n"
LI = "https://www.linkedin.com/in/"
T0 = 1793700000          # 2026-11-04, in the past of any run
DAY = 86400


def import_list(env, name, data, mtime, out):
    path = os.path.join(env.dir, name)
    with open(path, "w") as f:
        f.write(data)
    os.utime(path, (mtime, mtime))
    r = subprocess.run([IMPORT, "csv", path, "--url-column", "url", "--tags-column", "tags",
                        "-o", env.path(out)], capture_output=True, text=True, timeout=60)
    check(r.returncode == 0, r.stderr)


def tags(env, actor):
    r = subprocess.run([h.WARMTHCTL, "--db", env.db, "-c", env.config, "--json", "show",
                        LI + actor], capture_output=True, text=True, timeout=60)
    check(r.returncode == 0, r.stderr)
    return json.loads(r.stdout)["tags"]


def test_newer_list_beats_newer_name():
    """list 1 (day 1) client; a like with a name on day 5; list 2 (day 3)
    changes the tags: list 2 is the newest event carrying tags and wins."""
    env = h.Env("crm-order-name", CONFIG)
    env.append("collector.jsonl", [event(T0, "follow", LI + "ada", id="ada-f"),
                                   event(T0, "follow", LI + "bob", id="bob-f")])
    env.once()
    import_list(env, "l1.csv", "url,tags\nlinkedin.com/in/ada,client\nlinkedin.com/in/bob,client\n",
                T0 + DAY, "crm1.jsonl")
    env.once()
    check(tags(env, "ada") == ["client"], tags(env, "ada"))
    env.append("collector.jsonl", [
        event(T0 + 5 * DAY, "like", LI + "ada", post="p1", name="Ada Lovelace", id="ada-l"),
        event(T0 + 5 * DAY, "like", LI + "bob", post="p1", name="Bob", id="bob-l")])
    env.once()
    import_list(env, "l2.csv", "url,tags\nlinkedin.com/in/ada,partner\nlinkedin.com/in/bob,\n",
                T0 + 3 * DAY, "crm2.jsonl")
    env.once()
    check(tags(env, "ada") == ["partner"],
          "a newer list lost to a newer like that carried no tags: %s" % tags(env, "ada"))
    check(tags(env, "bob") == [],
          "a newer list's empty cell lost to a newer like: %s" % tags(env, "bob"))
    env.close()


def test_older_list_read_later():
    """list 2 (day 3) empties ada's tags and is read first; list 1 (day 1),
    read after it, is older and changes nothing."""
    env = h.Env("crm-order-late", CONFIG)
    env.append("collector.jsonl", [event(T0, "follow", LI + "ada", id="ada-f")])
    env.once()
    import_list(env, "l2.csv", "url,tags\nlinkedin.com/in/ada,\n", T0 + 3 * DAY, "crm2.jsonl")
    env.once()
    check(tags(env, "ada") == [], tags(env, "ada"))
    import_list(env, "l1.csv", "url,tags\nlinkedin.com/in/ada,client\n", T0 + DAY, "crm1.jsonl")
    env.once()
    check(tags(env, "ada") == [],
          "an older list read after a newer one that emptied the tags won: %s" % tags(env, "ada"))
    # The register survives a restart of the daemon (it is stored, not only in memory).
    import_list(env, "l0.csv", "url,tags\nlinkedin.com/in/ada,old\n", T0 + DAY // 2, "crm0.jsonl")
    env.once()
    check(tags(env, "ada") == [], "after a restart an older list won: %s" % tags(env, "ada"))
    env.close()


if __name__ == "__main__":
    h.run([test_newer_list_beats_newer_name, test_older_list_read_later])
