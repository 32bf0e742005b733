"""Every path the shipped config has the daemon write (state.database,
dead_letter, control.socket, the file notifier's path, and the suggested
metrics.textfile) is one the shipped unit lets it write: under
ProtectSystem=strict only the StateDirectory, the RuntimeDirectory and the
ReadWritePaths are writable, so a suggested path outside them would fail
with "Read-only file system" at the first write."""

import os
import re

from harness import SOURCE, check, run

UNIT = os.path.join(SOURCE, "systemd", "warmthd.service")
CONFIG = os.path.join(SOURCE, "conf", "warmthd.yaml")


def unit_writable():
    """The directories the unit lets the service write, and its ProtectSystem."""
    dirs, protect = [], None
    with open(UNIT) as f:
        for line in f:
            line = line.strip()
            if line.startswith("#") or "=" not in line:
                continue
            key, value = line.split("=", 1)
            if key == "ProtectSystem":
                protect = value
            elif key == "StateDirectory":
                dirs += ["/var/lib/" + v for v in value.split()]
            elif key == "RuntimeDirectory":
                dirs += ["/run/" + v for v in value.split()]
            elif key == "ReadWritePaths":
                dirs += [v.lstrip("-+") for v in value.split()]
    return dirs, protect


def written_paths():
    """(key, path) of what the shipped config has the daemon write, commented
    suggestions included."""
    out, section = [], None
    with open(CONFIG) as f:
        for line in f:
            m = re.match(r"^([a-z_]+):", line)
            if m:
                section = m.group(1)
            m = re.match(r"^\s*#?\s*(?:- )?([a-z_]+): (/\S+)", line)
            if not m:
                continue
            key, path = m.groups()
            if key in ("database", "socket", "textfile") or \
                    (key == "dead_letter" and section == "dead_letter") or \
                    (key == "path" and section == "notify"):
                out.append(("%s.%s" % (section, key), path))
    return out


def test_suggested_paths_are_writable_under_the_unit():
    dirs, protect = unit_writable()
    check(protect == "strict", "the unit's ProtectSystem is %r; this test assumes strict" % protect)
    paths = written_paths()
    keys = {k for k, _ in paths}
    for want in ("state.database", "control.socket", "dead_letter.dead_letter", "metrics.textfile",
                 "notify.path"):
        check(want in keys, "the shipped config no longer shows %s: %s" % (want, sorted(keys)))
    bad = [(k, p) for k, p in paths
           if not any(p == d or p.startswith(d.rstrip("/") + "/") for d in dirs)]
    check(not bad, "paths the unit leaves read-only (writable: %s): %s" % (dirs, bad))


if __name__ == "__main__":
    run([test_suggested_paths_are_writable_under_the_unit])
