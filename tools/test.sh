#!/bin/sh
# Builds warmthd twice (warnings as errors; then with ASan+UBSan) and runs
# the whole ctest suite on each build; then the reload, notifier and
# control tests under ThreadSanitizer; then builds the fuzz targets with
# clang and libFuzzer and runs each for a short time (WARMTH_FUZZ_SECONDS,
# default 20). Installs missing packages first.
set -eu
cd "$(dirname "$0")/.."
sh tools/deps.sh --test
jobs=$(nproc 2>/dev/null || echo 2)

echo "== build (warnings are errors)"
cmake -S . -B build -DWARMTH_WERROR=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$jobs"
echo "== tests"
(cd build && ctest --output-on-failure -j"$jobs")

echo "== build (AddressSanitizer + UndefinedBehaviorSanitizer)"
cmake -S . -B build-asan -DWARMTH_WERROR=ON -DWARMTH_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build build-asan -j"$jobs"
echo "== tests (sanitizers)"
(cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 WARMTH_SANITIZED=1 \
	ctest --output-on-failure -j"$jobs")

# ThreadSanitizer on what runs on more than one thread: commits and
# checkpoints on libuv's pool against reloads on the loop, the notifiers'
# work items. Only those tests, to keep the time down; test_notify_pacing
# is left out: it measures delivery times that the sanitizer's slowdown
# moves.
echo "== build (ThreadSanitizer)"
cmake -S . -B build-tsan -DWARMTH_WERROR=ON -DWARMTH_TSAN=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-tsan -j"$jobs" --target warmthd warmthctl sink_driver
echo "== tests (ThreadSanitizer: reload, notifiers, control)"
(cd build-tsan && TSAN_OPTIONS=halt_on_error=1:exitcode=66 WARMTH_SANITIZED=1 \
	ctest --output-on-failure -j"$jobs" \
	-R 'test_reload|test_notify$|test_notify_commands|test_notify_rotation|test_sinks|test_control$')

echo "== fuzz (clang, libFuzzer, ${WARMTH_FUZZ_SECONDS:-20} s a target)"
CC=clang CXX=clang++ cmake -S . -B build-fuzz -DWARMTH_WERROR=ON -DWARMTH_FUZZ=ON \
	-DWARMTH_FUZZ_SECONDS="${WARMTH_FUZZ_SECONDS:-20}" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-fuzz -j"$jobs" --target fuzz_event fuzz_conf fuzz_control fuzz_note
# One target at a time: each fuzzer uses a whole core.
(cd build-fuzz && ctest --output-on-failure -L fuzz -j1)
