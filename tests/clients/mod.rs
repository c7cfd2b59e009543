//! Helpers for the tests that check an export with the real client that reads it
//! (`go tool pprof`, speedscope, a JSON Schema validator, bash, man).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// Whether `program` runs (`program ARGS` exits, whatever its status). Missing
/// it fails the test on CI (the CI variable is set) and skips it elsewhere.
pub fn require(program: &str, args: &[&str]) -> bool {
    let found = Command::new(program)
        .args(args)
        .output()
        .map(|o| o.status.code().is_some())
        .unwrap_or(false);
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "{program} is missing on CI (.ci/run installs it)"
        );
        eprintln!("skipping: {program} not found");
    }
    found
}

/// A fresh scratch directory, removed when dropped.
pub fn scratch() -> tempfile::TempDir {
    tempfile::tempdir().expect("temporary directory")
}

/// Run cpuflame with `args` and insist it succeeds; its standard output.
pub fn run_ok(args: &[&str]) -> Vec<u8> {
    let out = super::common::cpuflame(args);
    assert!(
        out.status.success(),
        "cpuflame {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// The folded flame graph text cpuflame writes for `args` (plus `-f folded -q`).
pub fn folded(args: &[&str]) -> String {
    let mut a = vec!["-f", "folded", "-q"];
    a.extend_from_slice(args);
    String::from_utf8(run_ok(&a)).expect("UTF-8 folded text")
}

/// Self weight per function *name* (the leaf label without its location), from folded text.
pub fn self_by_name(folded: &str) -> std::collections::HashMap<String, u64> {
    let mut out = std::collections::HashMap::new();
    for l in folded.lines() {
        let (stack, w) = l.rsplit_once(' ').expect("weight");
        let leaf = stack.rsplit(';').next().unwrap_or(stack);
        let name = match leaf.rfind(" (") {
            Some(i) if leaf.ends_with(')') => &leaf[..i],
            _ => leaf,
        };
        *out.entry(name.to_string()).or_default() += w.parse::<u64>().expect("number");
    }
    out
}

/// A path as a string.
pub fn s(p: &Path) -> String {
    p.to_str().expect("UTF-8 path").to_string()
}

/// The exported samples every test reads: a Node app, a Chrome page with a
/// worker (two threads), Deno and Bun, and (when the corpus is here) two
/// legacy profiles.
pub fn inputs() -> Vec<PathBuf> {
    let mut v = vec![
        super::common::sample("node/app.cpuprofile"),
        super::common::sample("chrome/page-worker.trace.json"),
        super::common::sample("deno/CPU.1795313934985.11227.cpuprofile"),
        super::common::sample("bun/CPU.20261122.021858.11250.0.001.cpuprofile"),
    ];
    if let Some(c) = super::common::corpus() {
        v.push(c.join("cpuprofile2stackcollapse__test.cpuprofile"));
        v.push(c.join("speedscope__node_10.11.0_example.cpuprofile"));
    }
    v
}
