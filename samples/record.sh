#!/usr/bin/env bash
# Re-record every sample profile under samples/. Not run by CI.
#
# Usage:  samples/record.sh [TARGET...]
#   TARGET: node node-workers node-inspector deno bun workerd   (default: all)
#
# Needs: node (recorded with v20.20.2), npm, curl, bash. Deno, Bun and workerd are installed from npm into a
# temporary directory (RUNTIME_DIR, default: a fresh mktemp dir, removed on exit unless KEEP_RUNTIMES=1).
# Versions are pinned to the ones used for the committed files; override with the *_VERSION variables.
#
# NOTE: profiles contain absolute file:// URLs of the workload scripts, so re-recording from another checkout
# path changes the urls. Old recordings with default names (CPU.*.cpuprofile) are deleted before re-recording.
set -euo pipefail

DENO_VERSION="${DENO_VERSION:-2.9.6}"
BUN_VERSION="${BUN_VERSION:-1.4.5}"
WORKERD_VERSION="${WORKERD_VERSION:-1.20261117.1}"
WORKERD_OLD_VERSION="${WORKERD_OLD_VERSION:-1.20240223.1}"
WS_VERSION="${WS_VERSION:-8.23.0}"

S="$(cd "$(dirname "$0")" && pwd)"
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(node node-workers node-inspector deno bun workerd)
want() { local t; for t in "${targets[@]}"; do [ "$t" = "$1" ] && return 0; done; return 1; }

if [ -z "${RUNTIME_DIR:-}" ]; then
  RUNTIME_DIR="$(mktemp -d /tmp/cpuflame-runtimes.XXXXXX)"
  [ "${KEEP_RUNTIMES:-0}" = 1 ] || trap 'rm -rf "$RUNTIME_DIR"' EXIT
fi
echo "runtimes in $RUNTIME_DIR"

npm_install() { # DIR PKG...
  local dir="$1"; shift
  mkdir -p "$dir"
  [ -f "$dir/package.json" ] || echo '{"private":true}' >"$dir/package.json"
  (cd "$dir" && npm install --no-audit --no-fund --loglevel=error "$@")
}

echo "node $(node --version)"

if want node; then
  echo "== node"
  cd "$S/node"
  tmp="$(mktemp -d)"
  node --cpu-prof --cpu-prof-dir="$tmp" --cpu-prof-interval 500 workload/app.js
  f="$(ls "$tmp"/CPU.*.cpuprofile)"
  echo "default file name was: $(basename "$f")"
  mv "$f" app.cpuprofile && chmod 644 app.cpuprofile && rmdir "$tmp"
fi

if want node-workers; then
  echo "== node-workers"
  cd "$S/node-workers"
  rm -f CPU.*.cpuprofile
  node --cpu-prof --cpu-prof-dir=. --cpu-prof-interval 1000 workload/main.js
  chmod 644 CPU.*.cpuprofile
fi

if want node-inspector; then
  echo "== node-inspector"
  "$S/node-inspector/workload/record.sh" "$S/node-inspector/server.cpuprofile"
fi

if want deno; then
  echo "== deno"
  npm_install "$RUNTIME_DIR/deno" "@deno/linux-x64-glibc@$DENO_VERSION"
  DENO="$RUNTIME_DIR/deno/node_modules/@deno/linux-x64-glibc/deno"
  "$DENO" --version
  cd "$S/deno"
  rm -f CPU.*.cpuprofile
  DENO_DIR="$RUNTIME_DIR/deno-dir" DENO_NO_UPDATE_CHECK=1 \
    "$DENO" run --cpu-prof --cpu-prof-dir=. --cpu-prof-interval 1000 workload/main.ts
  chmod 644 CPU.*.cpuprofile
fi

if want bun; then
  echo "== bun"
  npm_install "$RUNTIME_DIR/bun" "@oven/bun-linux-x64@$BUN_VERSION"
  BUN="$RUNTIME_DIR/bun/node_modules/@oven/bun-linux-x64/bin/bun"
  "$BUN" --version
  cd "$S/bun"
  rm -f CPU.*.cpuprofile
  "$BUN" --cpu-prof --cpu-prof-dir=. workload/app.js
  chmod 644 CPU.*.cpuprofile
fi

if want workerd; then
  echo "== workerd"
  npm_install "$RUNTIME_DIR/ws" "ws@$WS_VERSION"
  npm_install "$RUNTIME_DIR/workerd-current" "@cloudflare/workerd-linux-64@$WORKERD_VERSION"
  npm_install "$RUNTIME_DIR/workerd-old" "@cloudflare/workerd-linux-64@$WORKERD_OLD_VERSION"
  export WS_MODULE="$RUNTIME_DIR/ws/node_modules/ws"
  W="$S/workerd/workload/record.sh"
  WCUR="$RUNTIME_DIR/workerd-current/node_modules/@cloudflare/workerd-linux-64/bin/workerd"
  WOLD="$RUNTIME_DIR/workerd-old/node_modules/@cloudflare/workerd-linux-64/bin/workerd"
  "$WCUR" --version; "$WOLD" --version
  "$W" "$WCUR" "$S/workerd/workerd-current.cpuprofile"
  "$W" "$WOLD" "$S/workerd/workerd-$WORKERD_OLD_VERSION.cpuprofile"
  ROUTES=/pbkdf2 "$W" "$WOLD" "$S/workerd/workerd-$WORKERD_OLD_VERSION-pbkdf2.cpuprofile"
fi

echo "== stats"
cd "$S"
node inspect.js $(find . -name '*.cpuprofile' | sort)
