#!/usr/bin/env python3
"""test_import_crm.py - warmth-import csv (a CRM list of profile URLs and
tags), end to end.

Lists written as spreadsheets and CRMs write them (a UTF-8 BOM, CRLF,
quoted fields holding the delimiter and doubled quotes, semicolons as the
delimiter) are imported into the input folder, ingested with `warmthd
--once` and checked through `warmthctl --db ... --json`: the tags, the
segment they select (potential_client matches tag client), no warmth,
evidence or relationship from them; re-importing the same file counts
nothing; a newer export wins, also one that puts back what the export
before it changed (A, B, then A again); an emptied cell clears the tags; a
person left out of a newer export keeps theirs; an engagement's tags older
than the list lose to it, newer ones win.
"""
import json
import os
import subprocess
import time
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import check, event  # noqa: E402

IMPORT = os.path.join(h.BUILD, "warmth-import")
CONFIG = h.BASE_CONFIG + "time:\n  source: event\n"
LI = "https://www.linkedin.com/in/"
T0 = 1793700000          # 2026-11-04, in the past of any run
DAY = 86400


def run_import(*args, expect=0):
    r = subprocess.run([IMPORT, "csv", *args], capture_output=True, text=True, timeout=60)
    check(r.returncode == expect, "warmth-import csv %s: exit %d (want %d): %s" %
          (" ".join(args), r.returncode, expect, r.stderr))
    return r


def write_list(env, name, data, mtime):
    """A list file outside the input folder, saved at mtime (Unix seconds)."""
    path = os.path.join(env.dir, name)
    with open(path, "wb") as f:
        f.write(data.encode() if isinstance(data, str) else data)
    os.utime(path, (mtime, mtime))
    return path


def contacts(env):
    r = subprocess.run([h.WARMTHCTL, "--db", env.db, "-c", env.config, "--json", "export"],
                       capture_output=True, text=True, timeout=60)
    check(r.returncode == 0, r.stderr)
    return {c["actor"]: c for c in map(json.loads, r.stdout.splitlines())}


def show(env, actor):
    r = subprocess.run([h.WARMTHCTL, "--db", env.db, "-c", env.config, "--json", "show", actor],
                       capture_output=True, text=True, timeout=60)
    check(r.returncode == 0, r.stderr)
    return json.loads(r.stdout)


def engaged(actor, t0, tags=None):
    """A follower who comments twice (warmth to compare), the first event with tags if given."""
    kw = {"tags": tags} if tags is not None else {}
    return [event(t0, "follow", LI + actor, id=actor + "-f", **kw),
            event(t0 + DAY, "comment", LI + actor, post="p1", title="Remote teams",
                  text="Async is the key", id=actor + "-c1"),
            event(t0 + 2 * DAY, "comment", LI + actor, post="p2", title="Hiring",
                  text="We did the same", id=actor + "-c2")]


def test_list_end_to_end():
    env = h.Env("crm-e2e", CONFIG)
    # Known from a collector: ada and her twin (the same engagement, no list row)
    # and carol, whose collector tagged her "prospect" the day before the list.
    env.append("collector.jsonl", engaged("ada", T0) + engaged("twin", T0) +
               engaged("carol", T0, tags=["prospect"]))
    env.once()
    before = show(env, LI + "ada")
    check(before["tags"] == [] and before["segment"] != "potential_client", before)
    # A BOM, CRLF, a quoted name with the delimiter and doubled quotes, URLs written
    # three ways, tags split at commas and semicolons, a blank line, rows without a
    # usable URL, and dave twice (the later row wins).
    data = ("\ufeffName,LinkedIn URL,Tags,Owner\r\n"
            "\"Lovelace, Ada \"\"the first\"\"\",https://www.linkedin.com/in/Ada/,\"client; vip\",me\r\n"
            "Bob,HTTP://LinkedIn.com/in/bob?trk=x,client,me\r\n"
            "Carol,linkedin.com/in/carol,,me\r\n"
            "\r\n"
            "Dave,https://uk.linkedin.com/in/dave,prospect,me\r\n"
            "Nobody,,client,me\r\n"
            "Elsewhere,https://example.com/in/x,client,me\r\n"
            "Dave Again,https://www.linkedin.com/in/DAVE/,\"partner,client , partner\",me\r\n")
    crm = write_list(env, "crm.csv", data, T0 + 3 * DAY)
    r = run_import(crm, "--url-column", "linkedin url", "--tags-column", "TAGS",
                   "--name-column", "name", "-o", env.path("crm.jsonl"))
    check("crm.csv: 7 rows read, 4 events written, 1 skipped (no URL), 1 skipped (bad URL), "
          "1 skipped (same URL on a later row, which wins)" in r.stderr, r.stderr)
    env.once()
    cs = contacts(env)
    ada, twin, bob = cs[LI + "ada"], cs[LI + "twin"], cs[LI + "bob"]
    carol, dave = cs[LI + "carol"], cs[LI + "dave"]
    check(ada["tags"] == ["client", "vip"] and ada["name"] == 'Lovelace, Ada "the first"', ada)
    check(ada["segment"] == "potential_client", "ada's segment: %s" % ada["segment"])
    check(bob["tags"] == ["client"] and bob["segment"] == "potential_client", bob)
    check(dave["tags"] == ["partner", "client"] and dave["name"] == "Dave Again", dave)
    check(carol["tags"] == [], "an empty cell clears the collector's tags: %s" % carol["tags"])
    # State, not engagement: no warmth, no evidence, no relationship.
    check(ada["warmth"] == twin["warmth"], "the list changed ada's warmth: %s vs %s" %
          (ada["warmth"], twin["warmth"]))
    check(bob["warmth"] == 0 and bob["relationship"] == "none" and bob["counts"] == {"profile": 1},
          bob)
    check(ada["counts"] == {"follow": 1, "comment": 2, "profile": 1}, ada["counts"])
    shown = show(env, LI + "ada")
    check([e["type"] for e in shown["recent"]] == ["comment", "comment"], shown["recent"])
    check(shown["relationship"] == "follower", shown["relationship"])
    check(show(env, LI + "bob")["ready"] is False, "bob is ready from a list row")
    r = subprocess.run([h.WARMTHCTL, "--db", env.db, "-c", env.config, "show", LI + "ada"],
                       capture_output=True, text=True, timeout=60)
    lines = {l.split(None, 1)[0]: l.split(None, 1)[1] for l in r.stdout.splitlines()
             if len(l.split(None, 1)) == 2}
    check("client" in lines.get("tags", "") and "vip" in lines.get("tags", ""), r.stdout)
    check("potential" in lines.get("segment", ""), r.stdout)
    st = env.status()
    accepted = st["events_accepted"]
    check(st["events_rejected"] == 0, st)

    # The same file again (same time): every event a duplicate. Appended to a file
    # the daemon reads on (a file of the same bytes would be taken for the old one).
    r = run_import(crm, "--url-column", "linkedin url", "--tags-column", "TAGS",
                   "--name-column", "name")
    env.append("collector.jsonl", r.stdout.splitlines())
    env.once()
    st = env.status()
    check(st["events_accepted"] == accepted and st["events_duplicate"] == 4, str(st))

    # An engagement's tags from before the list lose to it, even read after it.
    env.append("collector.jsonl", [event(T0 + 3 * DAY - 60, "like", LI + "ada", post="p3",
                                         tags=["stale"], id="ada-stale")])
    env.once()
    check(contacts(env)[LI + "ada"]["tags"] == ["client", "vip"], "an older hint won")
    # One from after it wins (newest by event time).
    env.append("collector.jsonl", [event(T0 + 3 * DAY + 60, "like", LI + "bob", post="p3",
                                         tags=["newer"], id="bob-newer")])
    env.once()
    check(contacts(env)[LI + "bob"]["tags"] == ["newer"], "a newer hint lost")
    env.close()


def test_exports_over_time():
    """A, then B, then A again: each newer export wins; an emptied cell
    clears; a person left out keeps their tags; a ';' list (Excel in many
    locales) with a segment column."""
    env = h.Env("crm-exports", CONFIG)
    env.append("collector.jsonl", engaged("ada", T0))
    env.once()
    exports = [
        ("A", "url;tags;stage\r\nlinkedin.com/in/ada;client;\r\nlinkedin.com/in/bob;vip;\r\n"),
        ("B", "url;tags;stage\r\nlinkedin.com/in/ada;\"partner, friend\";\r\n"),
        ("A", "url;tags;stage\r\nlinkedin.com/in/ada;client;\r\nlinkedin.com/in/bob;vip;\r\n"),
        ("empty", "url;tags;stage\r\nlinkedin.com/in/ada;;\r\n"),
        ("segment", "url;tags;stage\r\n\"linkedin.com/in/ada\";\"a;b\";Potential Client\r\n"),
    ]
    want = [(["client"], ["vip"]), (["partner", "friend"], ["vip"]), (["client"], ["vip"]),
            ([], ["vip"]), (["client", "a", "b"], ["vip"])]
    # Each export replaces the same output file, as a job importing a nightly export would.
    for i, ((label, data), (ada_tags, bob_tags)) in enumerate(zip(exports, want)):
        path = write_list(env, "export.csv", data, T0 + (3 + i) * DAY)
        run_import(path, "--url-column", "URL", "--tags-column", "tags", "--segment-column",
                   "stage", "-c", env.config, "-o", env.path("crm.jsonl"))
        env.once()
        cs = contacts(env)
        check(cs[LI + "ada"]["tags"] == ada_tags, "after export %d (%s): ada %s, want %s" %
              (i, label, cs[LI + "ada"]["tags"], ada_tags))
        check(cs[LI + "bob"]["tags"] == bob_tags, "after export %d (%s): bob %s" %
              (i, label, cs[LI + "bob"]["tags"]))
    check(contacts(env)[LI + "ada"]["segment"] == "potential_client", contacts(env)[LI + "ada"])
    # A tab list found by itself; the wrong delimiter named finds no header.
    # (an empty field between two tabs stays a field: libcsv trims tabs as spaces otherwise)
    path = write_list(env, "tabs.csv", "url\tname\ttags\nlinkedin.com/in/cy\t\tx|y\n",
                      T0 + 9 * DAY)
    r = run_import(path, "--url-column", "url", "--tags-column", "tags", "--tag-separator", "|")
    check(json.loads(r.stdout)["tags"] == ["x", "y"], r.stdout)
    r = run_import(path, "--url-column", "url", "--tags-column", "tags", "--delimiter", ";",
                   expect=1)
    check('no header row with the columns "url", "tags"' in r.stderr, r.stderr)
    env.close()


def test_options_and_errors():
    env = h.Env("crm-options", CONFIG)
    path = write_list(env, "l.csv", "url,tags,kind\nlinkedin.com/in/a,x,Martian\n"
                      "linkedin.com/in/b,y,peer\n", T0)
    r = run_import(path, "--url-column", "url", "--tags-column", "tags", "--segment-column",
                   "kind")
    check("2 skipped (not a segment that tags select)" in r.stderr, r.stderr)
    # Martian is no segment; peer is one, but no tags select it: both rows skipped.
    check(r.stdout.count("\n") == 0, r.stdout)
    r = run_import(path, "--url-column", "url", "--segment", "potential_client", "--time",
                   "2026-11-01T10:00:00Z")
    evs = [json.loads(x) for x in r.stdout.splitlines()]
    check([e["tags"] for e in evs] == [["client"], ["client"]], evs)
    check(all(e["ts"] == "2026-11-01T10:00:00.000Z" and e["type"] == "profile" and
              e["id"].startswith("crm-") for e in evs), evs)
    run_import(path, "--url-column", "url", "--segment", "Potential Client", "-o",
               env.path("seg.jsonl"))
    run_import(path, "--url-column", "url", "--segment", "peer", expect=2)
    run_import(path, "--url-column", "url", expect=2)
    run_import(path, "--url-column", "url", "--tags-column", "tags", "--since", "2024-01-01",
               expect=2)
    run_import(path, "--url-column", "url", "--tags-column", "tags", "--delimiter", "x", expect=2)
    r = run_import(path, "--url-column", "nope", "--tags-column", "tags", expect=1)
    check('no header row with the columns "nope", "tags"' in r.stderr, r.stderr)
    # A list whose time is beyond the daemon's clock plus time.future_tolerance
    # would be rejected whole (future_ts): said here, nothing written.
    future = write_list(env, "future.csv", "url,tags\nlinkedin.com/in/a,x\n", time.time() + 3 * DAY)
    r = run_import(future, "--url-column", "url", "--tags-column", "tags", "-o",
                   env.path("f.jsonl"), expect=1)
    check("is in the future" in r.stderr and "file's modification time" in r.stderr and
          not os.path.exists(env.path("f.jsonl")), r.stderr)
    r = run_import(path, "--url-column", "url", "--tags-column", "tags", "--time", "2099-01-01",
                   expect=1)
    check("is in the future" in r.stderr and "(--time)" in r.stderr, r.stderr)
    # With -c, the config's own tolerance: ten years lets it through.
    cfg = env.path("tolerant.yaml")
    with open(cfg, "w") as f:
        f.write("time:\n  future_tolerance: 3650d\n")
    os.chmod(cfg, 0o644)
    run_import(future, "--url-column", "url", "--tags-column", "tags", "-c", cfg)
    r = run_import(os.path.join(env.dir, "missing.csv"), "--url-column", "url", "--tags-column",
                   "tags", "-o", env.path("x.jsonl"), expect=1)
    check(not os.path.exists(env.path("x.jsonl")), "a failed import left its output")
    utf16 = write_list(env, "u16.csv", "url,tags\n".encode("utf-16"), T0)
    r = run_import(utf16, "--url-column", "url", "--tags-column", "tags", expect=1)
    check("UTF-16" in r.stderr, r.stderr)
    latin1 = write_list(env, "latin1.csv", "url,tags\nlinkedin.com/in/z,caf\xe9\n".encode("latin-1"),
                        T0)
    r = run_import(latin1, "--url-column", "url", "--tags-column", "tags")
    check("1 skipped (not UTF-8" in r.stderr and r.stdout == "", r.stderr)
    many = ",".join("t%d" % i for i in range(20))
    path = write_list(env, "many.csv", 'url,tags\nlinkedin.com/in/m,"%s"\n' % many, T0)
    r = run_import(path, "--url-column", "url", "--tags-column", "tags")
    check(len(json.loads(r.stdout)["tags"]) == 16 and "1 with more than 16 tags" in r.stderr,
          r.stderr)
    env.close()


if __name__ == "__main__":
    h.run([test_list_end_to_end, test_exports_over_time, test_options_and_errors])
