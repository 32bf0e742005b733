"""The demo (the README's main command) runs end to end: against the
binaries of this build and with a smaller history, it imports a sample
LinkedIn archive, ingests, fires ready
notifications with notes, and shows who is ready, why, the week's plan
and the metrics."""

import os
import subprocess
import tempfile

from harness import BUILD, SANITIZED, SOURCE, check, run


def test_demo_runs():
    scratch = tempfile.mkdtemp(prefix="warmth-demo-")
    env = dict(os.environ, DEMO_BUILD=os.path.abspath(BUILD),
               DEMO_EVENTS="20000" if SANITIZED else "60000",
               DEMO_RUN=os.path.join(scratch, "run"), DEMO_SERVE="0")
    r = subprocess.run(["sh", os.path.join(SOURCE, "tools", "demo.sh")], capture_output=True,
                       text=True, env=env, timeout=600)
    check(r.returncode == 0, "demo failed (%d):\n%s\n%s" % (r.returncode, r.stdout[-3000:],
                                                            r.stderr[-3000:]))
    out = r.stdout
    for want in ("importing a sample LinkedIn archive",
                 "Connections.csv                    6 rows read, 5 events written",
                 "ready notifications fired", "READY: ", "Suggested note: ", "== warmthctl status",
                 "== warmthctl top", "why", "== warmthctl plan", "invite this week (",
                 "note (", "held by the budget (", "engage with first (", "withdraw (",
                 "== warmthctl metrics", "ratio"):
        check(want in out, "demo output lacks %r:\n%s" % (want, out[-3000:]))
    # The demo's clock is event time (its config): the metrics it shows, the
    # week's pace and engagement over the last 7 days among them, are the
    # daemon's, not those of a wall clock days after the history ends.
    run_dir = os.path.join(scratch, "run")
    m = subprocess.run([os.path.join(BUILD, "warmthctl"), "--db", os.path.join(run_dir, "state.db"),
                        "-c", os.path.join(run_dir, "warmthd.yaml"), "metrics"],
                       capture_output=True, text=True, timeout=60)
    check(m.returncode == 0, "metrics: %s" % m.stderr)
    shown = out.split("== warmthctl metrics\n", 1)[1]
    for line in m.stdout.splitlines():
        if line.startswith(("engagement 7d", "advice")):
            check(line in shown, "the demo shows other metrics than its config's clock gives: %r not in\n%s"
                  % (line, shown[:1500]))
    check("--db %s show" % os.path.join(run_dir, "state.db") not in out or
          "-c %s" % os.path.join(run_dir, "warmthd.yaml") in out.splitlines()[-1],
          "the demo's closing hint leaves out its config: %r" % out.splitlines()[-1])
    subprocess.run(["rm", "-rf", scratch])


if __name__ == "__main__":
    run([test_demo_runs])
