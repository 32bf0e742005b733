#!/bin/sh
# json_compare.sh - builds bench/json_compare.c with cc -O2 (together with
# warmthd's own event parser, daemon/event*.c) and runs it: yajl vs jsmn vs
# event_parse on ~1M generated event lines. See docs/performance.md,
# "JSON parser choice". Usage: bench/json_compare.sh [LINES [PASSES]]
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
out=${TMPDIR:-/tmp}/warmth-json-compare.$$
if [ ! -f /usr/include/jsmn.h ]; then
	echo "bench/json_compare.sh: needs jsmn.h (Debian package libjsmn-dev)" >&2
	exit 1
fi
# event_parse's simdjson fast path is C++ (daemon/event_simd.cpp): compiled
# apart, then everything linked by c++.
objs=$(mktemp -d "${TMPDIR:-/tmp}/warmth-json-compare.XXXXXX")
trap 'rm -rf "$out" "$objs"' EXIT INT TERM
c++ -std=c++17 -O2 -fno-exceptions -fno-rtti -DSIMDJSON_EXCEPTIONS=0 -c -o "$objs/simd.o" \
	"$root/daemon/event_simd.cpp"
for f in bench/json_compare daemon/event daemon/event_text daemon/event_names daemon/util \
	daemon/log; do
	cc -std=gnu11 -O2 -Wall -Wextra -DNDEBUG -DWITH_EVENT_PARSE -D_GNU_SOURCE \
		-DWARMTH_VERSION='"bench"' -I"$root/include" -c -o "$objs/$(basename "$f").o" \
		"$root/$f.c"
done
c++ -o "$out" "$objs"/*.o -lsimdjson -lyajl -lm
echo "machine: $(nproc) CPUs, $(lscpu | sed -n 's/^Model name: *//p'), $(cc --version | head -n 1)"
"$out" "${1:-1000000}" "${2:-1}"
