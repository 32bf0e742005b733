#!/bin/sh
# json_compare.sh - builds bench/json_compare.c with cc -O2 (together with
# warmthd's own event parser, daemon/event.c) and runs it: yajl vs jsmn vs
# event_parse on ~1M generated event lines. See docs/performance.md,
# "JSON parser choice". Usage: bench/json_compare.sh [LINES [PASSES]]
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
out=${TMPDIR:-/tmp}/warmth-json-compare.$$
trap 'rm -f "$out"' EXIT INT TERM
cc -std=gnu11 -O2 -Wall -Wextra -DNDEBUG -DWITH_EVENT_PARSE -D_GNU_SOURCE -DWARMTH_VERSION='"bench"' \
	-I"$root/include" -o "$out" \
	"$root/bench/json_compare.c" "$root/daemon/event.c" "$root/daemon/util.c" "$root/daemon/log.c" \
	-lyajl -lm
echo "machine: $(nproc) CPUs, $(lscpu | sed -n 's/^Model name: *//p'), $(cc --version | head -n 1)"
"$out" "${1:-1000000}" "${2:-1}"
