#!/usr/bin/env bash
# Record a workerd profile over CDP.
# Usage: record.sh WORKERD_BINARY OUT.cpuprofile   (env WS_MODULE=/path/to/node_modules/ws)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bin="$1"; out="$2"
ip="${INSPECTOR_PORT:-9239}"; hp="${HTTP_PORT:-8797}"
log="$(mktemp)"
"$bin" serve "$here/config.capnp" --inspector-addr="127.0.0.1:$ip" --socket-addr "http=127.0.0.1:$hp" >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 100); do
  curl -sf "http://127.0.0.1:$ip/json" >/dev/null 2>&1 && curl -s -o /dev/null "http://127.0.0.1:$hp/" && break
  kill -0 $pid 2>/dev/null || { echo "workerd exited:"; cat "$log"; exit 1; }
  sleep 0.1
done
node "$here/cdp-profile.mjs" "$ip" "$hp" "$out" "${ROUNDS:-8}" "${INTERVAL_US:-500}"
echo "--- workerd log:"; cat "$log"
