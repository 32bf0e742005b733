# bench/lib.sh - what the bench/*.sh scripts share, sourced by each after
# it has moved to the source tree's root: the build directory and its
# checks, the scratch directory and its removal, and the minimal daemon
# config every benchmark starts from. Nothing here measures anything.

bench_name=${0##*/}
build=${BUILD_DIR:-build}

# bench_require BIN...: exits, saying how to build, unless every BIN is in
# the build directory.
bench_require() {
	for bin in "$@"; do
		if [ ! -x "$build/$bin" ]; then
			echo "bench/$bench_name: $build/$bin not found." >&2
			echo "Build first: cmake -S . -B $build && cmake --build $build" >&2
			echo "(or point BUILD_DIR at an existing build directory)" >&2
			exit 1
		fi
	done
}

# bench_require_tool TOOL PACKAGE: exits, saying which Debian package to
# install, unless TOOL is on the PATH. Benchmarks never install anything.
bench_require_tool() {
	if ! command -v "$1" >/dev/null 2>&1; then
		echo "bench/$bench_name: $1 is not installed; install it with" >&2
		echo "  sudo apt-get install $2" >&2
		exit 1
	fi
}

# bench_scratch PREFIX: makes the scratch directory $tmp (with an empty
# in/ for the inputs), removed at exit unless KEEP=1. A daemon whose pid
# is in $pid at exit gets SIGTERM first, so that no benchmark leaves one
# running when interrupted.
pid=
bench_scratch() {
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")
	mkdir "$tmp/in"
	trap bench_exit EXIT
	trap 'exit 130' INT TERM
}

bench_exit() {
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid"
		# Not always our child (under GNU time it is its child): then
		# wait returns at once and the kill is enough.
		wait "$pid" 2>/dev/null || true
	fi
	if [ "${KEEP:-0}" = 1 ]; then
		echo "scratch directory kept: $tmp"
	else
		rm -rf "$tmp"
	fi
}

# bench_config FILE: writes the config every benchmark starts from: the
# defaults but for the paths, all inside the scratch directory (relative
# paths are taken from the config's directory). Keys a benchmark needs
# besides are appended from its standard input.
bench_config() {
	{
		cat <<'YAML'
# Written by a bench/ script: every default but the paths.
control:
  socket: ./control.sock
state:
  database: ./state.db
inputs:
  - path: ./in/*.jsonl
dead_letter: ./rejected.jsonl
notify:
  - type: file
    path: ./notifications.jsonl
YAML
		cat
	} >"$1"
}
