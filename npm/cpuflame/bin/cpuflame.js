#!/usr/bin/env node
// The `cpuflame` command installed by npm: finds the native binary in the
// platform package npm installed beside this one (an optionalDependency
// whose `os` and `cpu` match this machine, as esbuild and Biome do) and runs
// it with the same arguments, standard streams and exit status.
"use strict";

const { spawnSync } = require("child_process");
const path = require("path");

const platformPackage = `@cpuflame/${process.platform}-${process.arch}`;
const binaryName = process.platform === "win32" ? "cpuflame.exe" : "cpuflame";

function binaryPath() {
  // An explicit binary wins (a local build, a distribution's package).
  if (process.env.CPUFLAME_BINARY) return process.env.CPUFLAME_BINARY;
  try {
    return require.resolve(`${platformPackage}/bin/${binaryName}`);
  } catch (e) {
    process.stderr.write(
      `cpuflame: error: no prebuilt cpuflame for ${process.platform}-${process.arch}: ` +
        `the package ${platformPackage} is not installed (npm leaves out optional ` +
        `dependencies with --no-optional or --omit=optional; reinstall without it), or ` +
        `there is none for this platform; build it from source with a Rust toolchain: ` +
        `cargo install --locked --path . in a clone of the repository (the README says how)\n`
    );
    process.exit(1);
  }
}

const result = spawnSync(binaryPath(), process.argv.slice(2), { stdio: "inherit" });
if (result.error) {
  process.stderr.write(`cpuflame: error: cannot run ${binaryPath()}: ${result.error.message}\n`);
  process.exit(1);
}
if (result.signal) {
  // Die of the same signal, so a shell sees what the binary saw (SIGPIPE, SIGINT).
  process.kill(process.pid, result.signal);
}
process.exit(result.status === null ? 1 : result.status);
