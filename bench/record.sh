#!/usr/bin/env bash
# Records the benchmark profiles of issue 5 into bench/data/:
#   5mb.cpuprofile, 50mb.cpuprofile, 240mb.cpuprofile and 50mb.cpuprofile.gz
# with `node --cpu-prof` running bench/workload.js. Takes about a minute.
#
# Environment:
#   SIZES     space-separated sizes in MB to record (default "5 50 240")
#   INTERVAL  --cpu-prof-interval in microseconds (default 50)
#   NODE      node binary (default: node)
#   NICE      prefix for the heavy commands (default "nice -n 10")
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
data="$here/data"
SIZES="${SIZES:-5 50 240}"
INTERVAL="${INTERVAL:-50}"
NODE="${NODE:-node}"
NICE="${NICE:-nice -n 10}"

command -v "$NODE" >/dev/null || { echo "record.sh: $NODE not found" >&2; exit 1; }
mkdir -p "$data"
log="$data/record.log"
: >"$log"
echo "# $(date -u +%FT%TZ) $("$NODE" --version) interval=${INTERVAL}us" | tee -a "$log"

for mb in $SIZES; do
  name="${mb}mb.cpuprofile"
  rm -f "$data/$name"
  start=$(date +%s.%N)
  $NICE "$NODE" --cpu-prof --cpu-prof-interval "$INTERVAL" \
    --cpu-prof-dir "$data" --cpu-prof-name "$name" \
    "$here/workload.js" --mb "$mb" 2>&1 | tee -a "$log"
  end=$(date +%s.%N)
  printf 'recorded %s in %.1f s (wall, including writing the profile)\n' \
    "$name" "$(echo "$end - $start" | bc)" | tee -a "$log"
done

if [[ " $SIZES " == *" 50 "* ]]; then
  $NICE gzip -6 -c "$data/50mb.cpuprofile" >"$data/50mb.cpuprofile.gz"
fi

echo "# statistics" | tee -a "$log"
files=()
for mb in $SIZES; do files+=("$data/${mb}mb.cpuprofile"); done
[[ -f "$data/50mb.cpuprofile.gz" ]] && files+=("$data/50mb.cpuprofile.gz")
$NICE "$NODE" --max-old-space-size=8192 "$here/profile-stats.js" "${files[@]}" | tee -a "$log"
