#!/usr/bin/env python3
"""test_import_zone.py - re-importing LinkedIn's archive in another zone
counts nothing twice.

The archive's invitations and recommendations have naive times, read in
--tz (or the config's zone with -c, else UTC). A user who imported once
from a shell (UTC) and again with -c (their zone), or who fixed the
config's time.zone in between, imports the same rows: their event ids
must not depend on the zone, or every invitation counts twice.
"""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import check  # noqa: E402

IMPORT = os.path.join(h.BUILD, "warmth-import")
ARCHIVE = os.path.join(h.SOURCE, "tests", "fixtures", "linkedin", "2024")
# The fixture's rows are years old: remembered ids must cover them (docs/ingest.md).
CONFIG = h.BASE_CONFIG.replace("state:\n", "state:\n  dedup_retention: 3650d\n") + \
    "time:\n  zone: \"+01:00\"\n"


def test_reimport_in_another_zone():
    env = h.Env("import-zone", CONFIG)
    runs = [("--tz", "UTC"), ("-c", env.config), ("--tz", "America/New_York")]
    for i, args in enumerate(runs):
        r = subprocess.run([IMPORT, "linkedin", ARCHIVE, *args, "-o", env.path("li%d.jsonl" % i)],
                           capture_output=True, text=True, timeout=60)
        check(r.returncode == 0, r.stderr)
        env.once()
        st = env.status()
        if i == 0:
            first = st["events_accepted"]
            check(first > 0, st)
        check(st["events_accepted"] == first,
              "importing again with %s counted %d events again" %
              (" ".join(args), st["events_accepted"] - first))
    env.close()


if __name__ == "__main__":
    h.run([test_reimport_in_another_zone])
