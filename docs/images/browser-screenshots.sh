#!/usr/bin/env bash
# The README's browser screenshots: cpuflame's SVGs opened in headless
# Chromium (Debian's chromium, playwright-core from tests/browser), as a
# person sees them. Rerun after changing the pictures:
#   bash docs/images/browser-screenshots.sh [path/to/cpuflame]
set -euo pipefail
cd "$(dirname "$0")/../.."
bin="${1:-target/debug/cpuflame}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
shot() { node tests/browser/screenshot.mjs "$@"; echo "wrote $2" >&2; }
"$bin" samples/node/app.cpuprofile > "$tmp/graph.svg"
shot "$tmp/graph.svg" "$PWD/docs/images/browser-flamegraph.png" 1280 660 "" "parseCsv ("
"$bin" samples/node/app.cpuprofile > "$tmp/graph.svg"
shot "$tmp/graph.svg" "$PWD/docs/images/browser-flamegraph-zoomed.png" 1280 660 "phaseCpu (" "jsonRoundTrip ("
"$bin" --chart samples/node/app.cpuprofile > "$tmp/chart.svg"
shot "$tmp/chart.svg" "$PWD/docs/images/browser-chart.png" 1280 700 "" "sortRecords ("
