#!/bin/sh
# The demo: installs what is missing, builds, then runs warmthd on a
# generated, realistic engagement history in a scratch directory
# (demo-run/) and shows what it learned with warmthctl. Safe to run again.
#
# The test suite runs it too, against binaries it already built and with a
# smaller history: DEMO_BUILD=DIR skips the set-up and the build,
# DEMO_EVENTS=N sets the number of events, DEMO_RUN=DIR the scratch folder.
set -eu
cd "$(dirname "$0")/.."
build=${DEMO_BUILD:-}
if [ -z "$build" ]; then
	sh tools/deps.sh
	jobs=$(nproc 2>/dev/null || echo 2)
	cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build build -j"$jobs" >/dev/null
	build=build
	echo "built warmthd, warmthctl, warmth-gen and warmth-import in build/"
fi
events=${DEMO_EVENTS:-200000}

run=${DEMO_RUN:-demo-run}
rm -rf "$run"
mkdir -p "$run/in"
cat >"$run/warmthd.yaml" <<'YAML'
# A demo configuration: paths are relative to this file.
state:
  database: ./state.db
inputs:
  - path: ./in/*.jsonl
dead_letter: ./rejected.jsonl
time:
  source: event
readiness:
  # This demo account may send 200 invitations a week (DOMAIN: "some
  # accounts 200"); the generated history sends about 140.
  weekly_invites: 200
notify:
  - type: file
    path: ./notifications.jsonl
YAML
# warmthd refuses a config others may write, whatever the umask made it.
chmod 0644 "$run/warmthd.yaml"

# What the user already knows comes first: their LinkedIn archive (here the
# small sample the tests use) as events, written atomically into the input folder.
echo "importing a sample LinkedIn archive (tests/fixtures/linkedin/2024)..."
"$build"/warmth-import linkedin tests/fixtures/linkedin/2024 -c "$run/warmthd.yaml" \
	-o "$run/in/linkedin.jsonl" 2>"$run/import.log" || { cat "$run/import.log" >&2; exit 1; }
sed 's/^/  /' "$run/import.log"

echo "generating 8 weeks of engagement from 2,000 people (with 1% malformed lines)..."
"$build"/warmth-gen --seed 7 --contacts 2000 --events "$events" --days 56 --malformed 0.01 \
	--snapshot-every 20000 -o "$run/in/engagement.jsonl"
ls -l "$run/in/engagement.jsonl" | awk '{print "  " $5 " bytes"}'

echo "ingesting with warmthd --once..."
start=$(date +%s.%N)
"$build"/warmthd -c "$run/warmthd.yaml" --once 2>"$run/warmthd.log"
end=$(date +%s.%N)
awk -v s="$start" -v e="$end" 'BEGIN { printf "  done in %.2f s\n", e - s }'

echo
n=$(wc -l <"$run/notifications.jsonl")
echo "== $n ready notifications fired as the history was replayed; the first three:"
head -n 3 "$run/notifications.jsonl" | python3 -c '
import json, sys
for line in sys.stdin:
    r = json.loads(line)
    why = [x for x in r["reasons"] if x.startswith(("followed", "engaged on", "last engagement"))]
    print("READY: %s (%s), warmth %.0f at %s\n  %s\n  Suggested note: %s\n" % (
        r["name"], r["segment"].replace("_", " "), r["warmth"], r["ts"][:10],
        "; ".join(why), r["note"]))
'
echo "== warmthctl status"
"$build"/warmthctl --db "$run/state.db" -c "$run/warmthd.yaml" status
echo
echo "== warmthctl top -n 10"
"$build"/warmthctl --db "$run/state.db" -c "$run/warmthd.yaml" top -n 10
echo
echo "== warmthctl ready (the first 10 of those ready for a connection request)"
"$build"/warmthctl --db "$run/state.db" -c "$run/warmthd.yaml" ready | head -n 11
echo
echo "== why: warmthctl show (the warmest ready contact)"
first=$("$build"/warmthctl --db "$run/state.db" -c "$run/warmthd.yaml" --json ready |
	python3 -c 'import json,sys; r=json.load(sys.stdin); print(r[0]["actor"] if r else "")')
[ -n "$first" ] && "$build"/warmthctl --db "$run/state.db" -c "$run/warmthd.yaml" show "$first"
echo
echo "== warmthctl plan (this week: whom to invite, in order, each with its note; who waits"
echo "   for the budget and until when; whom to engage with first; what to withdraw)"
# Each part cut to its first entries: the whole plan lists up to the week's budget.
"$build"/warmthctl --db "$run/state.db" -c "$run/warmthd.yaml" plan | awk '
	/^[^ ]/ { shown = 0; told = 0; print; next }
	/^$/ { print; next }
	/^  ( *[0-9]+\. |[^ ])/ { shown++ }
	shown <= 5 { print; next }
	shown == 6 && !told { print "  ..."; told = 1 }'
echo
echo "== warmthctl metrics"
# Every warmthctl here names the demo's config: its clock is event time.
"$build"/warmthctl --db "$run/state.db" -c "$run/warmthd.yaml" metrics
echo
echo "== the first rejected lines ($run/rejected.jsonl)"
head -n 3 "$run/rejected.jsonl"
echo
# With -c: without it warmthctl takes /etc/warmthd/warmthd.yaml or the defaults, so the wall
# clock, weeks after this replay's event time, and every figure would differ from the daemon's.
echo "demo state is in $run/ (try: $build/warmthctl --db $run/state.db -c $run/warmthd.yaml show ACTOR)"

# Run interactively, the demo then serves the dashboard on the same state
# until Ctrl-C. DEMO_SERVE=0 skips it (the test suite does), as does a run
# without a terminal; DEMO_PORT sets the port (default 9464).
serve=${DEMO_SERVE:-}
[ -z "$serve" ] && { [ -t 0 ] && serve=1 || serve=0; }
if [ "$serve" = 1 ]; then
	port=${DEMO_PORT:-9464}
	cat >>"$run/warmthd.yaml" <<YAML
control:
  socket: ./control.sock
metrics:
  listen: 127.0.0.1:$port
http:
  dashboard: true
  dashboard_token_file: ./dashboard.token
YAML
	"$build"/warmthd -c "$run/warmthd.yaml" 2>>"$run/warmthd.log" &
	pid=$!
	trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; echo; echo "dashboard stopped"; exit 0' INT TERM
	url=""
	for _ in $(seq 50); do
		url=$("$build"/warmthctl -s "$run/control.sock" dashboard 2>/dev/null) && break
		kill -0 "$pid" 2>/dev/null || { echo "warmthd stopped; see $run/warmthd.log" >&2; exit 1; }
		sleep 0.2
	done
	[ -n "$url" ] || { kill "$pid"; echo "the dashboard did not start; see $run/warmthd.log" >&2; exit 1; }
	echo
	echo "== the dashboard: open $url"
	echo "   (warmthd runs on $run/ until Ctrl-C)"
	wait "$pid"
fi
