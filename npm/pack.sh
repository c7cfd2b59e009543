#!/usr/bin/env bash
# Build the npm packages of cpuflame into OUTDIR, as esbuild and Biome ship
# native binaries: the `cpuflame` launcher package, and one package per
# platform holding the binary, which the launcher lists as
# optionalDependencies (npm installs only the one whose os/cpu match).
#
#   npm/pack.sh OUTDIR
#
# Builds the release binary (cargo build --release) for this machine's
# platform and packs that platform's package (linux-x64 or linux-arm64 here);
# the other platforms are described in npm/platforms/ and packed only when a
# binary for them is given. Nothing is published.
#
# Environment:
#   CPUFLAME_BINARY   use this binary instead of building the release one
#                     (the tests pass the debug build; it is stripped on the way)
#   CPUFLAME_TARGETS  space-separated PLATFORM=BINARY pairs for other platforms
#                     (e.g. "linux-arm64=target/aarch64-unknown-linux-gnu/release/cpuflame")
set -euo pipefail

out="${1:?usage: npm/pack.sh OUTDIR}"
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
mkdir -p "$out"
out="$(cd "$out" && pwd)"

version="$(sed -n 's/^version = "\(.*\)"$/\1/p' "$repo/Cargo.toml" | head -n 1)"
[ -n "$version" ] || { echo "pack.sh: no version in Cargo.toml" >&2; exit 1; }

case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) host=linux-x64 ;;
    Linux-aarch64 | Linux-arm64) host=linux-arm64 ;;
    Darwin-x86_64) host=darwin-x64 ;;
    Darwin-arm64) host=darwin-arm64 ;;
    *) echo "pack.sh: no npm platform package for $(uname -s)-$(uname -m)" >&2; exit 1 ;;
esac

binary="${CPUFLAME_BINARY:-}"
if [ -z "$binary" ]; then
    echo "pack.sh: cargo build --release" >&2
    (cd "$repo" && cargo build --release --locked --quiet)
    binary="$repo/target/release/cpuflame"
fi
[ -x "$binary" ] || { echo "pack.sh: $binary is not an executable" >&2; exit 1; }

stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT

# Copy a package directory to the stage with every version set to $version.
stage_package() {
    local src="$1" dst="$2"
    mkdir -p "$dst"
    cp -R "$src/." "$dst/"
    node -e '
        const fs = require("fs");
        const [file, version] = process.argv.slice(1);
        const pkg = JSON.parse(fs.readFileSync(file, "utf8"));
        pkg.version = version;
        for (const name of Object.keys(pkg.optionalDependencies || {})) {
            pkg.optionalDependencies[name] = version;
        }
        fs.writeFileSync(file, JSON.stringify(pkg, null, 2) + "\n");
    ' "$dst/package.json" "$version"
}

pack() {
    (cd "$1" && npm pack --silent --pack-destination "$out" >/dev/null)
}

# The launcher.
stage_package "$here/cpuflame" "$stage/cpuflame"
cp "$repo/LICENSE"* "$stage/cpuflame/" 2>/dev/null || true
pack "$stage/cpuflame"
echo "pack.sh: $out/cpuflame-$version.tgz" >&2

# The platform packages that have a binary.
targets="$host=$binary ${CPUFLAME_TARGETS:-}"
for platform in $(ls "$here/platforms"); do
    bin=""
    for t in $targets; do
        [ "${t%%=*}" = "$platform" ] && bin="${t#*=}"
    done
    if [ -z "$bin" ]; then
        echo "pack.sh: $platform: described in npm/platforms/$platform, not built here" >&2
        continue
    fi
    dst="$stage/$platform"
    stage_package "$here/platforms/$platform" "$dst"
    mkdir -p "$dst/bin"
    name=cpuflame
    case "$platform" in win32-*) name=cpuflame.exe ;; esac
    cp "$bin" "$dst/bin/$name"
    chmod 755 "$dst/bin/$name"
    # Release builds are stripped already; a debug build shrinks from ~110 to ~22 MB.
    if [ "$platform" = "$host" ] && command -v strip >/dev/null; then
        strip "$dst/bin/$name" 2>/dev/null || true
    fi
    pack "$dst"
    echo "pack.sh: $out/cpuflame-$platform-$version.tgz ($(du -h "$dst/bin/$name" | cut -f1) binary)" >&2
done
