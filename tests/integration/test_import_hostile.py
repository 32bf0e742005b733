#!/usr/bin/env python3
"""test_import_hostile.py - warmth-import on damaged and hostile input.

- A NUL byte inside a profile URL (a damaged file) never makes the row
  someone else's: "linkedin.com/in/al<NUL>ice" is a bad URL, not "al".
- A CRM list saved as UTF-16 without a byte order mark is named as such.
- A cell of megabytes (a notes column taken for names, a huge tags cell)
  is cut to the daemon's limits, so the daemon accepts the person instead
  of rejecting the whole line as longer than ingest.max_line_bytes.
- In the folder form, a symbolic link or a FIFO named like an archive
  file is refused (no hang, no reading /dev/zero into memory).
- A zip entry that expands more than a hundred times beyond 16 MiB (a zip
  bomb) is refused before it is read.
"""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import check  # noqa: E402

IMPORT = os.path.join(h.BUILD, "warmth-import")
CONFIG = h.BASE_CONFIG + "time:\n  source: event\n"
LI = "https://www.linkedin.com/in/"
T0 = 1793700000
CONN_HEADER = b"First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"


def run(*args, expect=0, timeout=60):
    r = subprocess.run([IMPORT, *args], capture_output=True, timeout=timeout)
    check(r.returncode == expect, "warmth-import %s: exit %d (want %d): %s" %
          (" ".join(args), r.returncode, expect, r.stderr))
    return r


def write(env, name, data, mtime=T0):
    path = os.path.join(env.dir, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
    os.utime(path, (mtime, mtime))
    return path


def test_nul_bytes():
    env = h.Env("import-nul", CONFIG)
    crm = write(env, "nul.csv", b"url,tags,name\nhttps://www.linkedin.com/in/al\x00ice,client,Al\x00ice\n"
                b"https://www.linkedin.com/in/bo,client,Bo\x00b\n")
    r = run("csv", crm, "--url-column", "url", "--tags-column", "tags", "--name-column", "name")
    evs = [json.loads(x) for x in r.stdout.splitlines()]
    check([e["actor"] for e in evs] == [LI + "bo"], "a NUL made a row someone else's: %s" % evs)
    check(evs[0]["name"] == "Bo\ufffdb", evs[0])
    check(b"1 skipped (bad URL)" in r.stderr, r.stderr)
    folder = os.path.join(env.dir, "archive")
    write(env, "archive/Connections.csv", CONN_HEADER +
          b"Al,X,https://www.linkedin.com/in/al\x00ice,,Acme,CTO,16 Dec 2024\n"
          b"Bo,Y,https://www.linkedin.com/in/bo,,Acme,CTO,16 Dec 2024\n")
    r = run("linkedin", folder)
    actors = [json.loads(x)["actor"] for x in r.stdout.splitlines()]
    check(actors == [LI + "bo"], "a NUL made a connection someone else: %s" % actors)
    env.close()


def test_utf16_without_bom():
    env = h.Env("import-utf16", CONFIG)
    for enc in ("utf-16-le", "utf-16-be"):
        crm = write(env, "u16.csv", "url,tags\nlinkedin.com/in/a,x\n".encode(enc))
        r = run("csv", crm, "--url-column", "url", "--tags-column", "tags", expect=1)
        check(b"UTF-16" in r.stderr, "%s: %s" % (enc, r.stderr))
    env.close()


def test_huge_cells_cut_to_the_daemons_limits():
    env = h.Env("import-huge", CONFIG.replace("ingest:\n", "ingest:\n  max_line_bytes: 64KiB\n"))
    big = "n" * (256 * 1024)      # four times ingest.max_line_bytes
    tag = "\u00e9" * 100           # 200 bytes: cut at 64 on a character boundary
    crm = write(env, "big.csv", ("url,tags,name\nlinkedin.com/in/a,client,%s\n"
                                 "linkedin.com/in/b,\"client,%s\",Bob\n" % (big, tag)).encode())
    run("csv", crm, "--url-column", "url", "--tags-column", "tags", "--name-column", "name",
        "-o", env.path("crm.jsonl"))
    env.once()
    st = env.status()
    check(st["events_rejected"] == 0, "the daemon rejected an imported line: %s" % st)
    r = subprocess.run([h.WARMTHCTL, "--db", env.db, "-c", env.config, "--json", "export"],
                       capture_output=True, text=True, timeout=60)
    cs = {c["actor"]: c for c in map(json.loads, r.stdout.splitlines())}
    check(cs[LI + "a"]["name"] == "n" * 256 and cs[LI + "a"]["tags"] == ["client"], cs.get(LI + "a"))
    check(cs[LI + "b"]["tags"] == ["client", "\u00e9" * 32], cs.get(LI + "b"))
    env.close()


def test_folder_links_and_fifos():
    env = h.Env("import-links", CONFIG)
    folder = os.path.join(env.dir, "archive")
    os.makedirs(folder)
    os.symlink("/dev/zero", os.path.join(folder, "Connections.csv"))
    r = run("linkedin", folder, "-o", env.path("li.jsonl"), expect=1, timeout=20)
    check(b"a symbolic link" in r.stderr, r.stderr)
    check(not os.path.exists(env.path("li.jsonl")), "a failed import left its output")
    os.unlink(os.path.join(folder, "Connections.csv"))
    os.mkfifo(os.path.join(folder, "Connections.csv"))
    r = run("linkedin", folder, expect=1, timeout=20)
    check(b"not a regular file" in r.stderr, r.stderr)
    env.close()


def test_zip_bomb():
    """An archive entry that expands a thousand times (a zip bomb) is refused
    before it is read into memory; an honest large entry is read."""
    import zipfile
    env = h.Env("import-bomb", CONFIG)
    bomb = env.path("bomb.zip")
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("Connections.csv", CONN_HEADER + b" " * (64 << 20))
    check(os.path.getsize(bomb) < 1 << 20, "the bomb is small: %d" % os.path.getsize(bomb))
    r = run("linkedin", bomb, "-o", env.path("li.jsonl"), expect=1)
    check(b"times: not a CSV export (a zip bomb?)" in r.stderr, r.stderr)
    check(not os.path.exists(env.path("li.jsonl")), "a failed import left its output")
    # 20 MiB of real rows compress far less than a hundred times: read.
    rows = b"".join(b"Ada%d,Lovelace,https://www.linkedin.com/in/ada-%d,,Analytical %d,Engineer,"
                    b"16 Dec 2024\n" % (i, i, i * 7919) for i in range(250000))
    honest = env.path("honest.zip")
    with zipfile.ZipFile(honest, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("Connections.csv", CONN_HEADER + rows)
    r = run("linkedin", honest, "-o", env.path("ok.jsonl"))
    with open(env.path("ok.jsonl")) as f:
        check(sum(1 for _ in f) == 250000, "every honest row imported")
    env.close()


if __name__ == "__main__":
    h.run([test_nul_bytes, test_utf16_without_bom, test_huge_cells_cut_to_the_daemons_limits,
           test_folder_links_and_fifos, test_zip_bomb])
