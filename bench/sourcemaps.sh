#!/usr/bin/env bash
# Source maps on a real bundled app (issue 10): the TypeScript compiler and library
# from npm, bundled and minified by esbuild (a one-line bundle of several MB, a map
# of tens of MB and about a million mappings), profiled while it type-checks the test app; then
# cpuflame with and without maps, best of RUNS, and the mapping coverage.
# Needs: npm ci in tests/sourcemaps, node, a release build (cargo build --release).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
BIN=target/release/cpuflame
OUT=bench/data/sourcemaps
mkdir -p "$OUT"
NM=tests/sourcemaps/node_modules
# The entry loads the TypeScript library too (not used, but bundled and parsed):
# a bigger bundle and map, as a real app's.
printf 'require("typescript/lib/typescript.js");\nrequire("typescript/lib/_tsc.js");\n' > "$OUT/entry.js"
NODE_PATH="$NM" "$NM/.bin/esbuild" "$OUT/entry.js" --bundle --minify --sourcemap --platform=node \
    --outfile="$OUT/tsc.min.js" --log-level=error
# The bundled compiler looks for its lib.*.d.ts beside itself.
cp "$NM"/typescript/lib/lib.*.d.ts "$OUT/"
node --cpu-prof --cpu-prof-interval 100 --cpu-prof-dir "$OUT" --cpu-prof-name tsc.cpuprofile \
    "$OUT/tsc.min.js" --noEmit -p tests/sourcemaps/app/tsconfig.json
ls -l "$OUT/tsc.min.js" "$OUT/tsc.min.js.map" "$OUT/tsc.cpuprofile" | awk '{print $5, $9}'
node -e '
const m = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
let n = 0; for (const c of m.mappings) if (c === "," || c === ";") n++;
console.log("map:", m.sources.length, "sources,", m.names.length, "names, about", n, "mappings");
' "$(pwd)/$OUT/tsc.min.js.map"
best() {
    local best=999
    for _ in $(seq "$RUNS"); do
        local s e
        s=$(date +%s.%N)
        "$@" >/dev/null 2>&1
        e=$(date +%s.%N)
        best=$(echo "if ($e - $s < $best) $e - $s else $best" | bc)
    done
    printf '%.3f s' "$best"
}
echo "cpuflame -f folded, maps off: $(best $BIN -q -f folded --source-maps off "$OUT/tsc.cpuprofile")"
echo "cpuflame -f folded, maps on:  $(best $BIN -q -f folded "$OUT/tsc.cpuprofile")"
$BIN -f folded --list "$OUT/tsc.cpuprofile" 2>&1 | grep -E "tsc.min.js|source maps" || true
