#!/usr/bin/env bash
# Checks that two cpuflame binaries write byte-identical outputs (issue 14:
# speed work must change nothing). For every profile in samples/, in the
# shared corpus (../shared/corpus) and in bench/data/, and for every samples/
# directory holding several profiles, runs both binaries with each of:
# --format folded, the default SVG flame graph, --chart SVG and PNG
# (directories also with --merge, as SVG and folded), then compares the
# outputs, stderr (warnings) and exit status byte for byte.
#
# Usage: bench/identical.sh BASELINE_BINARY CANDIDATE_BINARY
# Environment:
#   EXTRA   more inputs (files or directories), space-separated
# Prints one line per difference and a summary; exits 1 if anything differs.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
[[ $# -eq 2 ]] || { echo "usage: $0 BASELINE CANDIDATE" >&2; exit 2; }
a=$1 b=$2
out="$(mktemp -d /tmp/cpuflame-identical.XXXXXX)"
trap 'rm -rf "$out"' EXIT

inputs=()
while IFS= read -r f; do inputs+=("$f"); done < <(
  {
    find "$repo/samples" -type f ! -path '*/node_modules/*' \( -name '*.cpuprofile' -o -name '*.json' -o -name '*.gz' \)
    [[ -d $repo/../shared/corpus ]] && find -L "$repo/../shared/corpus" -type f ! -name '*.md'
    [[ -d $here/data ]] && find "$here/data" -type f \( -name '*.cpuprofile' -o -name '*.gz' \)
  } | sort
)
# Directories of several profiles (merged, or one root per file).
while IFS= read -r d; do inputs+=("$d"); done < <(
  find "$repo/samples" -name '*.cpuprofile' ! -path '*/node_modules/*' -printf '%h\n' | sort | uniq -d
)
for f in ${EXTRA:-}; do inputs+=("$f"); done

# run BIN TAG FILE ARGS... -> writes $out/TAG.{out,err,rc}
run() {
  local bin=$1 tag=$2 file=$3; shift 3
  local o="$out/$tag.out"
  rm -f "$o"
  if [[ $* == png ]]; then
    rm -f "$o.png"
    "$bin" "$file" -o "$o.png" >/dev/null 2>"$out/$tag.err"
    echo $? >"$out/$tag.rc"
    mv "$o.png" "$o" 2>/dev/null || : >"$o" # no PNG written: compare as empty
    return
  else
    "$bin" "$file" "$@" >"$o" 2>"$out/$tag.err"
  fi
  echo $? >"$out/$tag.rc"
}

checked=0 differ=0
for f in "${inputs[@]}"; do
  modes=("--format folded" "" "--chart" "png")
  [[ -d $f ]] && modes+=("--merge" "--merge --format folded")
  for m in "${modes[@]}"; do
    # shellcheck disable=SC2086
    run "$a" a "$f" $m
    # shellcheck disable=SC2086
    run "$b" b "$f" $m
    checked=$((checked + 1))
    for part in out err rc; do
      if ! cmp -s "$out/a.$part" "$out/b.$part"; then
        echo "DIFFERS ($part): ${m:-svg} $f"
        differ=$((differ + 1))
      fi
    done
  done
done
echo "identical.sh: $checked runs on ${#inputs[@]} inputs, $differ differences"
((differ == 0))
