#!/usr/bin/env python3
"""test_import.py - warmth-import linkedin, end to end.

The fixture archives under tests/fixtures/linkedin (the 2018 and 2024
layouts with their quirks: a preamble, BOMs, CRLF, rows blank but for the
date, quoted commas and doubled quotes, multi-line and HTML message
content, sponsored mail, drafts, percent-encoded and differently written
profile URLs) are imported, ingested with `warmthd --once` and checked
contact by contact through `warmthctl --db ... --json`. The zip path uses a
zip the test makes from the folder. Re-importing the same archive, and a
newer one holding the old rows, must count nothing twice.
"""
import io
import json
import os
import shutil
import subprocess
import sys
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import check  # noqa: E402

IMPORT = os.path.join(h.BUILD, "warmth-import")
FIXTURES = os.path.join(h.SOURCE, "tests", "fixtures", "linkedin")
# The fixtures span years, far more than state.dedup_retention (the
# default, 30 days): the re-imports' old rows are found among the ids kept
# on disk (state.id_retention).
CONFIG = h.BASE_CONFIG + "time:\n  source: event\n"
LI = "https://www.linkedin.com/in/"


def run_import(*args, expect=0):
    r = subprocess.run([IMPORT, "linkedin", *args], capture_output=True, timeout=60)
    check(r.returncode == expect, "warmth-import %s: exit %d (want %d): %s" %
          (" ".join(args), r.returncode, expect, r.stderr.decode(errors="replace")))
    return r


def lines_of(stdout):
    return [json.loads(line) for line in stdout.decode().splitlines()]


def contacts(env):
    return {c["actor"]: c for c in env.export()}


def check_2024(env):
    cs = contacts(env)
    check(sorted(cs) == sorted(LI + a for a in ("ada-lovelace", "alan-turing", "barbara-liskov",
                                                 "grace-hopper", "j\u00f6rg-m\u00fcller",
                                                 "john-smith-1", "john-smith-2")),
          "contacts: %s" % sorted(cs))
    want = {
        "ada-lovelace": ("connected", "Ada Lovelace", {"connect": 1, "message": 3, "mention": 1}),
        "grace-hopper": ("connected", "Grace Hopper",
                         {"connect": 1, "invite_sent": 1, "invite_accepted": 1, "message": 1,
                          "like": 1}),
        "j\u00f6rg-m\u00fcller": ("connected", "J\u00f6rg M\u00fcller", {"connect": 1, "like": 1}),
        "john-smith-1": ("connected", "John Smith", {"connect": 1}),
        "john-smith-2": ("connected", "John Smith", {"connect": 1}),
        "alan-turing": ("pending", "Alan Turing", {"invite_sent": 1}),
        "barbara-liskov": ("invited_me", "Barbara Liskov", {"invite_sent": 1}),
    }
    for slug, (rel, name, counts) in want.items():
        c = cs[LI + slug]
        if rel is not None:
            check(c["relationship"] == rel, "%s: relationship %s" % (slug, c["relationship"]))
        check(c["name"] == name, "%s: name %r" % (slug, c["name"]))
        check(c["counts"] == counts, "%s: counts %s, want %s" % (slug, c["counts"], counts))
    shown = env.show(LI + "grace-hopper")
    check(shown["actor"] == LI + "grace-hopper", "show grace: %s" % shown)


def test_folder_events():
    """Every event of the 2024 folder, as lines: fields, directions, no e-mail, no content."""
    r = run_import(os.path.join(FIXTURES, "2024"))
    evs = lines_of(r.stdout)
    check(b"@" not in r.stdout, "an e-mail address was written: %s" % r.stdout)
    check(all("text" not in e for e in evs if e["type"] == "message"),
          "message content without --message-text")
    by = {(e["type"], e["actor"][len(LI):], e["dir"], e["ts"]) for e in evs}
    want = {
        ("connect", "ada-lovelace", "in", "2024-12-16T00:00:00.000Z"),
        ("connect", "j\u00f6rg-m\u00fcller", "in", "2023-03-02T00:00:00.000Z"),
        ("connect", "grace-hopper", "in", "2024-10-10T00:00:00.000Z"),
        ("connect", "john-smith-1", "in", "2021-05-05T00:00:00.000Z"),
        ("connect", "john-smith-2", "in", "2021-05-06T00:00:00.000Z"),
        ("like", "j\u00f6rg-m\u00fcller", "in", "2024-12-07T14:51:07.000Z"),
        ("like", "grace-hopper", "in", "2024-12-08T10:00:00.000Z"),
        ("mention", "ada-lovelace", "in", "2024-11-20T14:39:00.000Z"),
        ("invite_sent", "grace-hopper", "out", "2024-10-01T09:00:00.000Z"),
        ("invite_accepted", "grace-hopper", "in", "2024-10-10T00:00:00.000Z"),
        ("invite_sent", "alan-turing", "out", "2024-12-15T07:47:00.000Z"),
        ("invite_sent", "barbara-liskov", "in", "2024-12-10T15:05:00.000Z"),
        ("message", "ada-lovelace", "in", "2024-12-16T18:24:37.000Z"),
        ("message", "ada-lovelace", "out", "2024-12-17T09:00:00.000Z"),
        ("message", "ada-lovelace", "out", "2024-12-19T11:00:00.000Z"),
        ("message", "grace-hopper", "out", "2024-12-19T11:00:00.000Z"),
    }
    check(by == want and len(evs) == len(want), "events:\n%s" % "\n".join(map(str, sorted(by))))
    check(len({e["id"] for e in evs}) == len(evs), "ids not distinct")
    grace = [e for e in evs if e["actor"] == LI + "grace-hopper" and e["type"] == "connect"][0]
    check(grace["headline"] == 'Rear Admiral, "Amazing Grace" at US Navy', "headline %s" % grace)
    note = [e for e in evs if e["type"] == "invite_sent" and e["dir"] == "out"
            and e["actor"].endswith("grace-hopper")][0]
    check(note["text"] == "Loved your talk on compilers", "invitation note %s" % note)
    err = r.stderr.decode()
    check(all(e.get("reaction") == "endorsement" for e in evs if e["type"] == "like"),
          "endorsements: %s" % evs)
    check(all("text" not in e for e in evs if e["type"] == "mention"), "recommendation text")
    for line in ("Connections.csv                    6 rows read, 5 events written, "
                 "1 skipped (no name or profile)",
                 "Invitations.csv                    3 rows read, 4 events written",
                 "messages.csv                       5 rows read, 4 events written, "
                 "1 skipped (sponsored (no sender)), 1 skipped (draft)",
                 "Endorsement_Received_Info.csv      3 rows read, 2 events written, "
                 "1 skipped (rejected by the user)",
                 "Recommendations_Received.csv       3 rows read, 1 events written, "
                 "1 skipped (several connections of that name), 1 skipped (not a connection)",
                 "Reactions.csv                      not attributed",
                 "Comments.csv                       not attributed"):
        check(line in err, "summary lacks %r:\n%s" % (line, err))

    texts = {e["ts"]: e.get("text") for e in lines_of(
        run_import(os.path.join(FIXTURES, "2024"), "--message-text").stdout)
        if e["type"] == "message"}
    check(texts["2024-12-16T18:24:37.000Z"] == "Thanks for connecting, Owen!" and
          texts["2024-12-17T09:00:00.000Z"] == "Likewise & welcome", "message text %s" % texts)


def test_zip_same_as_folder():
    """The zip (files in a sub-folder, as some exports) gives the same lines as the folder."""
    tmp = h.Env("import-zip")
    try:
        path = os.path.join(tmp.dir, "export.zip")
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            for name in sorted(os.listdir(os.path.join(FIXTURES, "2024"))):
                z.write(os.path.join(FIXTURES, "2024", name), "Basic_LinkedInDataExport/" + name)
        a = run_import(path).stdout
        b = run_import(os.path.join(FIXTURES, "2024")).stdout
        check(a == b and len(a) > 0, "zip and folder differ:\n%s\n%s" % (a, b))
    finally:
        tmp.close()


def test_ingest_and_reimport():
    env = h.Env("import", CONFIG)
    try:
        src = os.path.join(FIXTURES, "2024")
        run_import(src, "-o", env.path("linkedin.jsonl"))
        env.once()
        st = env.status()
        check(st["events_accepted"] == 16 and st["events_rejected"] == 0, "status %s" % st)
        check_2024(env)

        # The same archive again, as another file: every line a duplicate.
        run_import(src, "-o", env.path("linkedin-again.jsonl"))
        env.once()
        st = env.status()
        check(st["events_accepted"] == 16 and st["events_duplicate"] == 16, "status %s" % st)
        check_2024(env)

        # A newer archive holding the old rows and two new ones, with URLs written
        # differently: only the new rows count.
        newer = os.path.join(env.dir, "newer")
        shutil.copytree(src, newer)
        with open(os.path.join(newer, "Connections.csv"), "ab") as f:
            f.write(b"Edsger,Dijkstra,http://linkedin.com/in/EDSGER-dijkstra/,,TU Eindhoven,"
                    b"Professor,05 Jan 2025\r\n")
        # The same invitation's time written with padding: the instant identifies it.
        inv = os.path.join(newer, "Invitations.csv")
        with open(inv, "rb") as f:
            data = f.read()
        check(b'"10/1/24, 9:00 AM"' in data, "fixture changed")
        with open(inv, "wb") as f:
            f.write(data.replace(b'"10/1/24, 9:00 AM"', b'"10/01/24, 09:00 AM"'))
        with open(os.path.join(newer, "messages.csv"), "ab") as f:
            f.write(b"c1,,Ada Lovelace,https://WWW.linkedin.com/in/ada-lovelace/,Owen Owner,"
                    b"https://www.linkedin.com/in/owen-owner,2025-01-06 08:00:00 UTC,,Happy new"
                    b" year,INBOX,No,No\n")
        run_import(newer, "-o", env.path("linkedin-newer.jsonl"))
        env.once()
        st = env.status()
        check(st["events_accepted"] == 18 and st["events_duplicate"] == 32, "status %s" % st)
        cs = contacts(env)
        check(cs[LI + "edsger-dijkstra"]["relationship"] == "connected", "edsger %s" % cs)
        check(cs[LI + "ada-lovelace"]["counts"] == {"connect": 1, "message": 4, "mention": 1},
              "ada %s" % cs)
        check(sorted(os.listdir(env.indir)) == ["linkedin-again.jsonl", "linkedin-newer.jsonl",
                                                "linkedin.jsonl"],
              "input folder: %s" % os.listdir(env.indir))
    finally:
        env.close()


def test_2018_layout():
    """No URLs, "1/8/18, 6:14 PM" in --tz: people are matched by name across files."""
    env = h.Env("import-2018", CONFIG)
    try:
        # A name that cannot make an actor id (a line break inside it) is skipped.
        old = os.path.join(env.dir, "2018")
        shutil.copytree(os.path.join(FIXTURES, "2018"), old)
        with open(os.path.join(old, "Connections.csv"), "a") as f:
            f.write('"Bob\nby",Tables,,,,"4/1/18, 9:00 AM"\n')
        r = run_import(old, "--tz", "+01:00", "--account", "me", "-o", env.path("old.jsonl"))
        check(b"4 rows read, 2 events written, 1 skipped (no name or profile), "
              b"1 skipped (unusable actor id)" in r.stderr, r.stderr)
        check(b"messages.csv                       not in the archive" in r.stderr and
              b"Shares.csv                         not attributed" in r.stderr, r.stderr)
        env.once()
        cs = {c["actor"]: c for c in env.export()}
        check(sorted(cs) == ["linkedin:name:Ada Lovelace", "linkedin:name:Charles Babbage",
                             "linkedin:name:Linus Torvalds"], "contacts %s" % sorted(cs))
        charles = cs["linkedin:name:Charles Babbage"]
        check(charles["relationship"] == "connected" and charles["counts"] ==
              {"connect": 1, "invite_sent": 1, "invite_accepted": 1}, "charles %s" % charles)
        check(cs["linkedin:name:Ada Lovelace"]["relationship"] == "connected", "ada %s" % cs)
        with open(env.path("old.jsonl")) as f:
            evs = [json.loads(line) for line in f]
        check(all(e["account"] == "me" for e in evs), "account %s" % evs)
        ada = [e for e in evs if e["actor"] == "linkedin:name:Ada Lovelace"][0]
        check(ada["ts"] == "2018-01-08T17:14:00.000Z", "naive time in +01:00: %s" % ada)
    finally:
        env.close()


def test_2023_urns():
    """The 2023 layout names people by member urn: the urn is the actor."""
    evs = lines_of(run_import(os.path.join(FIXTURES, "2023")).stdout)
    got = sorted((e["type"], e["actor"], e["dir"], e["ts"], e.get("text")) for e in evs)
    check(got == [("invite_sent", "urn:li:member:2002", "out", "2023-03-05T11:00:00.000Z",
                   "Hello Alan"),
                  ("invite_sent", "urn:li:member:3003", "in", "2023-03-06T16:00:00.000Z", None)],
          "2023: %s" % got)


def test_since_and_errors():
    r = run_import(os.path.join(FIXTURES, "2024"), "--since", "2024-12-16")
    evs = lines_of(r.stdout)
    check(len(evs) == 5 and all(e["ts"] >= "2024-12-16" for e in evs), "since: %s" % evs)
    check(b"skipped (before --since)" in r.stderr, r.stderr)

    tmp = h.Env("import-errors")
    try:
        # Without --tz, the config's time.zone is the zone of naive times.
        # Only time.zone is read: a credential only the service has, or a
        # typo elsewhere, does not stop the importer.
        with open(tmp.config, "a") as f:
            # (BASE_CONFIG ends in the notify: list.)
            f.write("  - type: webhook\n    url: http://127.0.0.1:9/\n"
                    "    secret_credential: webhook-key\n"
                    "time:\n  zone: \"+02:00\"\nscorring: {}\n")
        evs = lines_of(run_import(os.path.join(FIXTURES, "2024"), "-c", tmp.config).stdout)
        ada = [e for e in evs if e["type"] == "connect" and e["actor"] == LI + "ada-lovelace"]
        check(ada[0]["ts"] == "2024-12-15T22:00:00.000Z", "zone from the config: %s" % ada)
        run_import(os.path.join(FIXTURES, "2024"), "-c", os.path.join(tmp.dir, "none.yaml"),
                   expect=1)
        out = os.path.join(tmp.dir, "out.jsonl")
        r = run_import(os.path.join(tmp.dir, "missing.zip"), "-o", out, expect=1)
        check(b"missing.zip" in r.stderr, r.stderr)
        bad = os.path.join(tmp.dir, "bad.zip")
        with open(bad, "wb") as f:
            f.write(b"not a zip")
        r = run_import(bad, "-o", out, expect=1)
        check(b"not a zip archive" in r.stderr, r.stderr)
        check(not os.path.exists(out) and
              [n for n in os.listdir(tmp.dir) if n.startswith(".out")] == [],
              "output left behind: %s" % os.listdir(tmp.dir))
        # A file without its header is an error, not an empty file: nothing is written.
        headless = os.path.join(tmp.dir, "headless")
        os.mkdir(headless)
        with open(os.path.join(headless, "Connections.csv"), "w") as f:
            f.write("Ada,Lovelace,https://www.linkedin.com/in/ada,,,,16 Dec 2024\n")
        r = run_import(headless, "-o", out, expect=1)
        check(b'Connections.csv: no header row with the column "First Name"' in r.stderr,
              r.stderr)
        check(not os.path.exists(out) and
              [n for n in os.listdir(tmp.dir) if n.startswith(".out")] == [],
              "output left behind: %s" % os.listdir(tmp.dir))
        run_import(os.path.join(FIXTURES, "2024"), "--tz", "Mars/Olympus", expect=2)
        run_import(os.path.join(FIXTURES, "2024"), "--since", "soon", expect=2)
        run_import(expect=2)
    finally:
        tmp.close()


if __name__ == "__main__":
    h.run([test_folder_events, test_zip_same_as_folder, test_ingest_and_reimport,
           test_2018_layout, test_2023_urns, test_since_and_errors])
