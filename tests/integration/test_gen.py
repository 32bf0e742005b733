#!/usr/bin/env python3
"""test_gen.py - checks warmth-gen, the event generator, on its own.

The generator's truth file is what the daemon's tests compare against, so
it is checked here against an independent reading of its output: a small
reference reader written from INTERFACE.md (reject reasons, ids counted
once per account, relationship registers by event time with ties to "off")
must reach exactly the truth the generator wrote. Also checked: identical
bytes for identical options, the population mix and heavy tail, --sorted,
--ids, --malformed 1 and the command line.

Python 3 standard library only. WARMTH_BUILD_DIR names the build directory
that holds warmth-gen (default: build).
"""
import datetime
import decimal
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest

BUILD_DIR = os.environ.get("WARMTH_BUILD_DIR", "build")
GEN = os.path.join(BUILD_DIR, "warmth-gen")

TYPES = ["follow", "unfollow", "connect", "disconnect", "invite_sent", "invite_accepted",
         "invite_declined", "invite_withdrawn", "like", "comment", "reply", "share",
         "mention", "message", "profile_view", "snapshot"]
REASONS = ["not_json", "not_object", "missing_ts", "invalid_ts", "missing_type",
           "unknown_type", "missing_actor", "invalid_actor", "invalid_utf8", "invalid_field"]
RFC3339 = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?"
                     r"([Zz]|[+-]\d{2}:\d{2})$")


def run_gen(*args, check=True):
    return subprocess.run([GEN, *map(str, args)], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, check=check)


def parse_ts(value):
    """Milliseconds since the epoch, or None if value is not a valid ts."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return int(decimal.Decimal(str(value)) * 1000)
    if not isinstance(value, str):
        return None
    m = RFC3339.match(value)
    if not m:
        return None
    y, mo, d, h, mi, s = (int(x) for x in m.groups()[:6])
    try:
        t = datetime.datetime(y, mo, d, h, mi, s, tzinfo=datetime.timezone.utc)
    except ValueError:
        return None
    ms = int(t.timestamp()) * 1000
    if m.group(7):
        ms += int((m.group(7)[1:] + "000")[:3])
    zone = m.group(8)
    if zone not in ("Z", "z"):
        sign = 1 if zone[0] == "+" else -1
        ms -= sign * (int(zone[1:3]) * 60 + int(zone[4:6])) * 60000
    return ms


def has_control(s):
    return any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in s)


def classify(raw, long_lines):
    """(reason, None) for a rejected line, or (None, event dict)."""
    if long_lines and len(raw) >= long_lines:
        return "line_too_long", None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return "invalid_utf8", None
    try:
        ev = json.loads(text)
    except ValueError:
        return "not_json", None
    if not isinstance(ev, dict):
        return "not_object", None
    if "ts" not in ev:
        return "missing_ts", None
    ts = parse_ts(ev["ts"])
    if ts is None or ts < 0:
        return "invalid_ts", None
    if "type" not in ev:
        return "missing_type", None
    if ev["type"] not in TYPES:
        return "unknown_type", None
    actor = ev.get("actor")
    if "actor" not in ev:
        if ev["type"] != "snapshot":
            return "missing_actor", None
    elif (not isinstance(actor, str) or not actor or len(actor.encode()) > 256
          or has_control(actor)):
        return "invalid_actor", None
    if ev.get("dir", "in") not in ("in", "out"):
        return "invalid_field", None
    for key in ("account", "id", "post", "title", "text", "name", "headline", "reaction"):
        if key in ev and not isinstance(ev[key], str):
            return "invalid_field", None
    if ev.get("id") == "":
        return "invalid_field", None
    for key in ("actor_connections", "actor_followers", "followers", "connections"):
        v = ev.get(key, 0)
        if isinstance(v, bool) or not isinstance(v, int) or v < 0:
            return "invalid_field", None
    if "creator" in ev and not isinstance(ev["creator"], bool):
        return "invalid_field", None
    if "tags" in ev and (not isinstance(ev["tags"], list)
                         or not all(isinstance(t, str) for t in ev["tags"])):
        return "invalid_field", None
    ev["ts_ms"] = ts
    return None, ev


class Reference:
    """What a correct daemon makes of the lines, computed from the format alone."""

    REGS = {"follow": [("follower", True)], "unfollow": [("follower", False)],
            "connect": [("connected", True), ("pending", False)],
            "invite_accepted": [("connected", True), ("pending", False)],
            "disconnect": [("connected", False)], "invite_sent": [("pending", True)],
            "invite_declined": [("pending", False)], "invite_withdrawn": [("pending", False)]}

    def __init__(self, long_lines=0):
        self.long_lines = long_lines
        self.lines = self.accepted = self.rejected = self.duplicate = 0
        self.by_type = {}
        self.by_reason = {}
        self.seen_ids = set()
        self.contacts = {}
        self.accounts = {}

    def feed(self, raw):
        self.lines += 1
        reason, ev = classify(raw, self.long_lines)
        if reason:
            self.rejected += 1
            self.by_reason[reason] = self.by_reason.get(reason, 0) + 1
            return
        account = ev.get("account", "default")
        if "id" in ev:
            if (account, ev["id"]) in self.seen_ids:
                self.duplicate += 1
                return
            self.seen_ids.add((account, ev["id"]))
        self.accepted += 1
        self.by_type[ev["type"]] = self.by_type.get(ev["type"], 0) + 1
        if ev["type"] == "snapshot":
            a = self.accounts.setdefault(account, {"ts": -1})
            if ev["ts_ms"] > a["ts"]:
                a.update(ts=ev["ts_ms"], followers=ev["followers"],
                         connections=ev["connections"])
            return
        c = self.contacts.setdefault(f"{account}\t{ev['actor']}",
                                     {"counts": {}, "regs": {}, "name": None, "name_ts": -1})
        c["counts"][ev["type"]] = c["counts"].get(ev["type"], 0) + 1
        for reg, on in self.REGS.get(ev["type"], []):
            if reg == "follower" and ev.get("dir") == "out":
                reg = "target"
            # An invitation they sent me (dir in) is theirs, not my pending one.
            if ev["type"] == "invite_sent" and ev.get("dir", "in") != "out":
                continue
            ts0, on0 = c["regs"].get(reg, (0, False))
            if ev["ts_ms"] > ts0:
                c["regs"][reg] = (ev["ts_ms"], on)
            elif ev["ts_ms"] == ts0 and not on:
                c["regs"][reg] = (ts0, False)
        if "name" in ev and ev["ts_ms"] >= c["name_ts"]:
            c["name"], c["name_ts"] = ev["name"], ev["ts_ms"]

    @staticmethod
    def relationship(regs):
        on = {k for k, (_, v) in regs.items() if v}
        if "connected" in on:
            return "connected"
        if "pending" in on:
            return "pending"
        if {"follower", "target"} <= on:
            return "mutual"
        return "follower" if "follower" in on else "target" if "target" in on else "none"

    def truth(self):
        return {
            "lines": self.lines, "accepted": self.accepted, "rejected": self.rejected,
            "duplicate": self.duplicate, "accepted_by_type": self.by_type,
            "rejected_by_reason": self.by_reason,
            "accounts": {k: {"followers": v["followers"], "connections": v["connections"]}
                         for k, v in self.accounts.items()},
            "contacts": {k: {"name": c["name"], "relationship": self.relationship(c["regs"]),
                             "counts": c["counts"]} for k, c in self.contacts.items()},
        }


class GenTest(unittest.TestCase):
    def setUp(self):
        if not os.access(GEN, os.X_OK):
            self.fail(f"{GEN} not found: build it first (cmake --build {BUILD_DIR})")
        self.tmp = tempfile.TemporaryDirectory(prefix="warmth-gen-test.")
        self.dir = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def path(self, name):
        return os.path.join(self.dir, name)

    def generate(self, *args):
        out, truth = self.path("events.jsonl"), self.path("truth.json")
        run_gen("-o", out, "--truth", truth, *args)
        with open(out, "rb") as f:
            data = f.read()
        with open(truth, encoding="utf-8") as f:
            return data, json.load(f)

    def test_command_line(self):
        r = run_gen("--help")
        self.assertEqual(r.returncode, 0)
        self.assertIn(b"--snapshot-every", r.stdout)
        self.assertEqual(run_gen("--no-such-option", check=False).returncode, 2)
        for bad in (["--events", "x"], ["--malformed", "1.5"], ["--start", "yesterday"],
                    ["--contacts", "0"], ["--long-lines", "10"], ["stray"]):
            r = run_gen(*bad, check=False)
            self.assertEqual(r.returncode, 2, bad)
            self.assertTrue(r.stderr, bad)

    def test_deterministic(self):
        args = ["--events", 5000, "--contacts", 300, "--accounts", 2, "--malformed", 0.05,
                "--duplicates", 0.1, "--ids", 0.9, "--snapshot-every", 500]
        a, ta = self.generate("--seed", 11, *args)
        b, tb = self.generate("--seed", 11, *args)
        self.assertEqual(a, b)
        self.assertEqual(ta, tb)
        # stdout gives the same bytes as -o.
        self.assertEqual(run_gen("--seed", 11, *args).stdout, a)
        c, _ = self.generate("--seed", 12, *args)
        self.assertNotEqual(a, c)

    def test_truth_matches_an_independent_reading(self):
        long_lines = 3000
        data, truth = self.generate(
            "--seed", 5, "--events", 20000, "--contacts", 700, "--accounts", 3,
            "--malformed", 0.05, "--long-lines", long_lines, "--ids", 0.8,
            "--duplicates", 0.1, "--snapshot-every", 997)
        lines = data.split(b"\n")
        self.assertEqual(lines.pop(), b"", "output must end with a newline")
        ref = Reference(long_lines)
        for raw in lines:
            ref.feed(raw)
        expected = ref.truth()
        self.assertEqual(truth["lines"], len(lines))
        self.assertEqual(truth["accepted"] + truth["rejected"] + truth["duplicate"], len(lines))
        for key in ("lines", "accepted", "rejected", "duplicate", "accepted_by_type",
                    "rejected_by_reason", "accounts"):
            self.assertEqual(truth[key], expected[key], key)
        self.assertEqual(len(truth["contacts"]), 700)
        self.assertEqual(truth["contacts"], expected["contacts"])

        # Every line parses as JSON except the malformed ones, and every reason occurs.
        not_json = sum(1 for raw in lines if not self._is_json(raw))
        self.assertLessEqual(not_json, truth["rejected"])
        self.assertEqual(set(truth["rejected_by_reason"]), set(REASONS) | {"line_too_long"})
        self.assertAlmostEqual(truth["rejected"] / len(lines), 0.05, delta=0.01)
        self.assertAlmostEqual(truth["duplicate"] / truth["accepted"], 0.08, delta=0.015)
        self.assertEqual(truth["accepted_by_type"]["snapshot"], 20000 // 997)
        self.assertEqual(set(truth["accounts"]), {"default", "acct-1", "acct-2"})
        relationships = {c["relationship"] for c in truth["contacts"].values()}
        self.assertEqual(relationships,
                         {"none", "follower", "target", "mutual", "pending", "connected"})

    @staticmethod
    def _is_json(raw):
        try:
            json.loads(raw.decode("utf-8"))
            return True
        except ValueError:
            return False

    def test_population_and_heavy_tail(self):
        data, truth = self.generate("--seed", 3, "--events", 40000, "--contacts", 2000)
        self.assertEqual(len(truth["contacts"]), 2000, "every contact appears")
        totals = sorted((sum(c["counts"].values()) for c in truth["contacts"].values()),
                        reverse=True)
        self.assertGreater(sum(totals[:20]) / sum(totals), 0.3, "top 1% make much of the traffic")
        profiles = {}
        for raw in data.splitlines():
            ev = json.loads(raw)
            if "headline" in ev:
                profiles[ev["actor"]] = ev
        self.assertEqual(len(profiles), 2000, "each contact's first event carries its profile")
        n = len(profiles)
        execs = sum(1 for p in profiles.values() if p["actor_connections"] >= 10000) / n
        creators = sum(1 for p in profiles.values() if p["creator"]) / n
        clients = sum(1 for p in profiles.values() if "client" in p.get("tags", [])) / n
        self.assertAlmostEqual(execs, 0.05, delta=0.02)
        self.assertAlmostEqual(creators, 0.10, delta=0.03)
        self.assertAlmostEqual(clients, 0.15, delta=0.03)
        names = {p["name"] for p in profiles.values()}
        self.assertTrue(any(not name.isascii() for name in names))
        for actor in profiles:
            self.assertRegex(actor, r"^urn:li:person:[0-9a-f]{12}$")
        self.assertTrue(80 <= len(data) / len(data.splitlines()) <= 200, "line length")

    def test_sorted_and_late(self):
        for sorted_flag in (True, False):
            args = ["--seed", 9, "--events", 5000, "--contacts", 200, "--snapshot-every", 100]
            data, _ = self.generate(*args, *(["--sorted"] if sorted_flag else []))
            times = [parse_ts(json.loads(raw)["ts"]) for raw in data.splitlines()]
            late = sum(1 for a, b in zip(times, times[1:]) if b < a)
            if sorted_flag:
                self.assertEqual(late, 0)
            else:
                self.assertTrue(0 < late < len(times) * 0.06, late)

    def test_ids_and_duplicates(self):
        data, truth = self.generate("--events", 3000, "--ids", 0, "--duplicates", 0.5)
        self.assertNotIn(b'"id"', data)
        self.assertEqual(truth["duplicate"], 0)
        self.assertEqual(truth["accepted"], 3000)
        data, truth = self.generate("--events", 3000, "--duplicates", 1)
        self.assertEqual(truth["duplicate"], 3000)
        self.assertEqual(len(data.splitlines()), 6000)

    def test_all_malformed(self):
        data, truth = self.generate("--events", 50, "--malformed", 1)
        self.assertEqual(len(data.splitlines()), 50)
        self.assertEqual(truth["rejected"], 50)
        self.assertEqual(truth["accepted"], 0)
        self.assertEqual(truth["contacts"], {})
        self.assertEqual(sum(truth["rejected_by_reason"].values()), 50)


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"] + sys.argv[1:])
