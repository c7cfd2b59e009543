#!/usr/bin/env bash
# Re-record samples/node-inspector/server.cpuprofile: start the server, request /profile?seconds=1
# with curl while a bounded load loop hits /work, then shut the server down.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$here/../server.cpuprofile}"
log="$(mktemp)"
node "$here/server.js" >"$log" 2>&1 &
srv=$!
trap 'kill $srv 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 50); do grep -q '^listening' "$log" && break; sleep 0.1; done
port="$(awk '/^listening/ {print $2}' "$log")"
echo "server pid $srv on 127.0.0.1:$port"
curl -sS --fail -o "$out" "http://127.0.0.1:$port/profile?seconds=1&interval=500" &
prof=$!
sleep 0.1
node "$here/load.js" "$port" 400 8000 2 1100
wait $prof
curl -sS "http://127.0.0.1:$port/quit" >/dev/null || true
echo "wrote $out"
