#!/bin/sh
# Writes the dashboard's screenshots (each page at desktop and phone width)
# to docs/screenshots/, by running the browser test with WARMTH_SCREENSHOTS
# set: the pictures are of the same daemon and generated data the test
# checks. Needs a build in build/ (or BUILD=DIR).
set -eu
cd "$(dirname "$0")/.."
build=${BUILD:-build}
mkdir -p docs/screenshots
WARMTH_BUILD_DIR="$PWD/$build" WARMTH_SOURCE_DIR="$PWD" WARMTH_SCREENSHOTS="$PWD/docs/screenshots" \
	python3 tests/browser/test_dashboard_browser.py
ls docs/screenshots
