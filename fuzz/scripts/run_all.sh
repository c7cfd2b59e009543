#!/usr/bin/env bash
# Run every fuzz target for SECONDS (default 480) each, one after another,
# logging to fuzz/logs/<target>.log. Crashes, timeouts and OOMs are kept in
# fuzz/artifacts/<target>/ and fuzzing goes on (-fork=1 -ignore_*).
# Usage (from the repository root): bash fuzz/scripts/run_all.sh [SECONDS] [TARGET...]
set -u
cd "$(dirname "$0")/.."
secs=${1:-480}
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(import_cdp import_trace import_legacy import_selfprofile folded_diff pipeline tree)
mkdir -p logs
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t"
  nice -n 10 cargo +nightly fuzz run -s none -a "$t" "corpus/$t" "seeds/$t" -- \
    -dict=fuzz.dict -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 \
    -max_len=65536 -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
    >"logs/$t.log" 2>&1
  echo "$t: exit $?"
done
