#!/usr/bin/env bash
# Performance benchmark of issue 5: parse-floor modes and cpuflame tasks on
# the profiles recorded by bench/record.sh. Prints a Markdown table on stdout
# (also saved to bench/data/results.md); progress and errors go to stderr.
#
# Environment:
#   CPUFLAME     cpuflame binary (default /work/main/target/release/cpuflame,
#                i.e. <repo>/target/release/cpuflame; the release build is
#                stripped: use target/profiling/cpuflame, from
#                `cargo build --profile profiling`, to profile it with symbols)
#   RUNS         runs per task, the best (fastest) is reported (default 3)
#   SIZES        profiles to use, bench/data/<N>mb.cpuprofile (default "5 50 240")
#   NICE         prefix for every measured command (default "nice -n 10")
#   PARSE_FLOOR  parse-floor binary (default bench/parse-floor/target/release/parse-floor;
#                built with cargo if missing, set BUILD_PARSE_FLOOR=0 to skip that)
#   REFERENCE    1 (default) adds issue 5's peer figures for the 240 MB file
#   OUT          scratch dir for outputs (default: a fresh dir under /tmp, removed at exit)
#   BASELINE     an older cpuflame binary: first check with bench/identical.sh that
#                CPUFLAME writes byte-identical outputs (stops if not)
#
# The "x floor" column is each row's seconds over `parse-floor typed`'s on
# the same input (serde_json into typed structs: what parsing alone costs).
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
data="$here/data"
CPUFLAME="${CPUFLAME:-$repo/target/release/cpuflame}"
RUNS="${RUNS:-3}"
SIZES="${SIZES:-5 50 240}"
NICE="${NICE:-nice -n 10}"
PARSE_FLOOR="${PARSE_FLOOR:-$here/parse-floor/target/release/parse-floor}"
BUILD_PARSE_FLOOR="${BUILD_PARSE_FLOOR:-1}"
REFERENCE="${REFERENCE:-1}"
TIME_BIN=/usr/bin/time

log() { echo "run.sh: $*" >&2; }

if [[ ! -x $TIME_BIN ]] || ! $TIME_BIN -f "%e %M" true 2>/dev/null; then
  log "GNU time missing; installing package 'time'"
  apt-get install -y time >/dev/null 2>&1 || { apt-get update >/dev/null 2>&1 && apt-get install -y time >/dev/null 2>&1; } \
    || { log "cannot install GNU time"; exit 1; }
fi

if [[ ! -x $PARSE_FLOOR && $BUILD_PARSE_FLOOR == 1 ]] && command -v cargo >/dev/null; then
  log "building parse-floor (nice -n 10 cargo build --release in bench/parse-floor)"
  (cd "$here/parse-floor" && nice -n 10 cargo build --release --quiet) >&2 || log "parse-floor build failed"
fi

if [[ -n ${BASELINE:-} ]]; then
  log "checking outputs against $BASELINE (bench/identical.sh)"
  "$here/identical.sh" "$BASELINE" "$CPUFLAME" >&2 || { log "outputs differ from the baseline's"; exit 1; }
fi

if [[ -z ${OUT:-} ]]; then
  OUT="$(mktemp -d /tmp/cpuflame-bench.XXXXXX)"
  trap 'rm -rf "$OUT"' EXIT
fi
mkdir -p "$OUT"

rows=()    # Markdown table rows
notes=()   # why a row is n/a

# fmt_row INPUT SIZE_MB TASK SECONDS RSS_KB [RAW_MB]
# RAW_MB (default SIZE_MB) is what MB/s and RSS/size are computed against.
fmt_row() {
  local input=$1 size=$2 task=$3 secs=$4 rss_kb=$5 raw=${6:-$2}
  if [[ $secs == n/a ]]; then
    rows+=("| $input | $size | $task | n/a | n/a | n/a | n/a | n/a |")
    return
  fi
  rows+=("$(awk -v i="$input" -v s="$size" -v t="$task" -v sec="$secs" -v kb="$rss_kb" -v raw="$raw" -v floor="${FLOOR_SECS:-}" 'BEGIN {
    rss = kb * 1024 / 1e6
    mbs = (sec > 0) ? sprintf("%.1f", raw / sec) : "inf"
    ratio = (floor > 0) ? sprintf("%.2f", sec / floor) : "n/a"
    printf "| %s | %s | %s | %.3f | %s | %s | %.0f | %.2f |", i, s, t, sec, mbs, ratio, rss, rss / raw }')")
}

# measure CHECK_FILE CMD...  -> sets BEST_SECS and BEST_RSS (KiB), returns 1 on failure.
# CHECK_FILE must be non-empty after each run ("-" = stdout of the command).
# Seconds are wall-clock (bash EPOCHREALTIME around the run, microsecond
# resolution; GNU time's %e only has 10 ms); RSS is GNU time's %M (max over runs).
measure() {
  local check=$1; shift
  local i t0 t1 secs rss rc stdout="$OUT/stdout" tfile="$OUT/time" errf="$OUT/stderr"
  BEST_SECS=""; BEST_RSS=0; FAIL_REASON=""
  for ((i = 0; i < RUNS; i++)); do
    [[ $check != - ]] && rm -f "$check"
    t0=$EPOCHREALTIME
    $TIME_BIN -f "%e %M" -o "$tfile" $NICE "$@" >"$stdout" 2>"$errf"
    rc=$?
    t1=$EPOCHREALTIME
    if ((rc != 0)); then
      FAIL_REASON="exit $rc: $(tail -c 300 "$errf" | tr '\n' ' ')"
      return 1
    fi
    local out=$stdout
    [[ $check != - ]] && out=$check
    if [[ ! -s $out ]]; then
      FAIL_REASON="exit 0 but empty output"
      return 1
    fi
    secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", b - a }')
    rss=$(awk '{ print $2 }' "$tfile" | tail -1)
    if [[ -z $BEST_SECS ]] || awk -v a="$secs" -v b="$BEST_SECS" 'BEGIN { exit !(a < b) }'; then
      BEST_SECS=$secs
    fi
    ((rss > BEST_RSS)) && BEST_RSS=$rss
  done
  return 0
}

# task INPUT SIZE_MB TASK_NAME CHECK_FILE RAW_MB CMD...
task() {
  local input=$1 size=$2 name=$3 check=$4 raw=$5; shift 5
  log "$input: $name"
  if measure "$check" "$@"; then
    fmt_row "$input" "$size" "$name" "$BEST_SECS" "$BEST_RSS" "$raw"
  else
    log "  -> n/a ($FAIL_REASON)"
    notes+=("$input / $name: $FAIL_REASON")
    fmt_row "$input" "$size" "$name" n/a 0
  fi
}

# cpuflame_task INPUT SIZE_MB TASK_NAME CHECK_FILE RAW_MB ARGS...
cpuflame_task() {
  local input=$1 size=$2 name=$3
  if [[ ! -x $CPUFLAME ]]; then
    log "$input: $name -> n/a (no binary at $CPUFLAME)"
    notes+=("$input / $name: no cpuflame binary at $CPUFLAME")
    fmt_row "$input" "$size" "$name" n/a 0
    return
  fi
  local check=$4 raw=$5; shift 5
  task "$input" "$size" "$name" "$check" "$raw" "$@"
}

mb_of() { awk -v b="$(stat -c %s "$1")" 'BEGIN { printf "%.1f", b / 1e6 }'; }

for mb in $SIZES; do
  f="$data/${mb}mb.cpuprofile"
  if [[ ! -f $f ]]; then
    log "missing $f: run bench/record.sh first"
    continue
  fi
  input="${mb}mb"
  size=$(mb_of "$f")
  cat "$f" >/dev/null   # warm the page cache; every task then reads from memory

  FLOOR_SECS=""
  if [[ -x $PARSE_FLOOR ]] && measure - "$PARSE_FLOOR" "$f" typed; then
    FLOOR_SECS=$BEST_SECS # the yardstick of the "x floor" column
  fi
  for mode in ignored typed read-typed; do
    if [[ -x $PARSE_FLOOR ]]; then
      task "$input" "$size" "parse-floor $mode" - "$size" "$PARSE_FLOOR" "$f" "$mode"
    else
      notes+=("$input / parse-floor $mode: no binary at $PARSE_FLOOR")
      fmt_row "$input" "$size" "parse-floor $mode" n/a 0
    fi
  done

  cpuflame_task "$input" "$size" "cpuflame --format folded" - "$size" "$CPUFLAME" "$f" --format folded
  cpuflame_task "$input" "$size" "cpuflame svg" - "$size" "$CPUFLAME" "$f"
  cpuflame_task "$input" "$size" "cpuflame --chart svg" - "$size" "$CPUFLAME" "$f" --chart
  cpuflame_task "$input" "$size" "cpuflame png (-o x.png)" "$OUT/x.png" "$size" "$CPUFLAME" "$f" -o "$OUT/x.png"
  if [[ -f $f.gz ]]; then
    gz_size=$(mb_of "$f.gz")
    cat "$f.gz" >/dev/null
    cpuflame_task "$input.gz" "$gz_size (raw $size)" "cpuflame --format folded (gzip input)" - "$size" \
      "$CPUFLAME" "$f.gz" --format folded
  fi
  for threads in 1 2; do
    cpuflame_task "$input" "$size" "cpuflame svg, RAYON_NUM_THREADS=$threads" - "$size" \
      env RAYON_NUM_THREADS=$threads "$CPUFLAME" "$f"
  done
done

if [[ $REFERENCE == 1 ]]; then
  FLOOR_SECS="" # not measured on the same file
  # Peers' figures on issue 5's 240 MB profile (reference only, not measured here).
  for peer in "speedscope:23.5:3.0" "0x:7.0:1.8" "Node fold \\| inferno:9.9:1.2" "FlameScope:132:2.3"; do
    IFS=: read -r pname psecs pgb <<<"$peer"
    fmt_row "240mb (issue 5 reference)" "240" "$pname" "$psecs" \
      "$(awk -v g="$pgb" 'BEGIN { printf "%.0f", g * 1e9 / 1024 }')" 240
  done
fi

{
  echo "cpuflame benchmark, $(date -u +%FT%TZ), $(nproc) cores, best of $RUNS runs, cpuflame: $CPUFLAME"
  echo
  echo "| input | size MB | task | seconds | MB/s | x floor | peak RSS MB | RSS/size |"
  echo "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |"
  printf '%s\n' "${rows[@]}"
  if ((${#notes[@]})); then
    echo
    echo "n/a rows:"
    printf -- '- %s\n' "${notes[@]}"
  fi
} | tee "$data/results.md"
