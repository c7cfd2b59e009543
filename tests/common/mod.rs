//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use cpuflame::export::folded;
use cpuflame::fold::{self, FoldOptions, Folded};
use cpuflame::import::{self, ImportContext};
use cpuflame::model::{SourceInfo, Warnings};

/// The crate root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A bundled sample.
pub fn sample(rel: &str) -> PathBuf {
    root().join("samples").join(rel)
}

/// The shared corpus, which CI has. Missing it is a failure on CI, a skip elsewhere.
pub fn corpus() -> Option<PathBuf> {
    let dir = root().join("../shared/corpus");
    if dir.is_dir() {
        Some(dir)
    } else {
        assert!(
            std::env::var_os("CI").is_none(),
            "../shared/corpus is missing on CI"
        );
        eprintln!("skipping: ../shared/corpus not found");
        None
    }
}

/// Whether Debian's Chromium and playwright-core (`tests/browser`) are there
/// for the browser tests. Missing them is a failure on CI, a skip elsewhere.
pub fn browser_ready() -> bool {
    let ok = Path::new("/usr/bin/chromium").exists()
        && root()
            .join("tests/browser/node_modules/playwright-core")
            .is_dir();
    if !ok {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install chromium and tests/browser/node_modules (see .ci/run)"
        );
        eprintln!("skipping: chromium or tests/browser/node_modules missing");
    }
    ok
}

/// Run a checker script of `tests/browser/` (playwright-core driving
/// Chromium) with `args`; it must succeed, and what it prints is JSON.
pub fn browser_check(script: &str, args: &[&std::ffi::OsStr]) -> serde_json::Value {
    node_json(&root().join("tests/browser").join(script), args)
}

/// Run the node script `script` with `args`; it must succeed, and what it
/// prints is JSON (the browser checkers, ajv, speedscope's loader).
pub fn node_json(script: &Path, args: &[&std::ffi::OsStr]) -> serde_json::Value {
    let out = Command::new("node")
        .arg(script)
        .args(args)
        .output()
        .expect("runs node");
    assert!(
        out.status.success(),
        "{} failed: {}",
        script.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the script prints JSON")
}

/// Import a JSON document given as text and fold it.
pub fn fold_text(json: &str, opts: &FoldOptions) -> (Folded, Warnings) {
    let mut ctx = ImportContext {
        input: "test.cpuprofile".into(),
        warnings: Warnings::new(),
    };
    let source = SourceInfo {
        name: "test".into(),
        file: "test.cpuprofile".into(),
        ..SourceInfo::default()
    };
    let profiles = import::import_bytes(json.as_bytes(), source, &mut ctx).expect("imports");
    let mut warnings = ctx.warnings;
    let folded = fold::fold(&profiles, opts, &mut warnings);
    (folded, warnings)
}

/// Folded flame graph text (sorted lines) of a JSON document, default options.
pub fn folded_text(json: &str) -> String {
    folded_with(json, &FoldOptions::default())
}

/// Folded flame graph text with options.
pub fn folded_with(json: &str, opts: &FoldOptions) -> String {
    let (f, _) = fold_text(json, opts);
    lines(folded::graph_lines(&f))
}

/// Join lines with newlines.
pub fn lines(v: Vec<String>) -> String {
    v.iter().map(|l| format!("{l}\n")).collect()
}

/// Run the cpuflame binary.
pub fn cpuflame(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cpuflame"))
        .args(args)
        .output()
        .expect("runs cpuflame")
}

/// Run the cpuflame binary with standard input.
pub fn cpuflame_stdin(args: &[&str], input: &[u8]) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_cpuflame"))
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawns");
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

/// Sum of the weights of folded lines.
pub fn folded_total(text: &str) -> u64 {
    text.lines()
        .map(|l| l.rsplit_once(' ').unwrap().1.parse::<u64>().unwrap())
        .sum()
}

/// A path as &str.
pub fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Build a CDP profile JSON: `nodes` as (id, name, children), samples and deltas.
pub fn cdp(nodes: &[(u64, &str, &[u64])], samples: &[u64], deltas: &[i64]) -> String {
    cdp_with_end(nodes, samples, deltas, 0)
}

/// Like [`cdp`] with an explicit endTime (startTime is 0).
pub fn cdp_with_end(
    nodes: &[(u64, &str, &[u64])],
    samples: &[u64],
    deltas: &[i64],
    end: i64,
) -> String {
    let nodes: Vec<String> = nodes
        .iter()
        .map(|(id, name, kids)| {
            format!(
                r#"{{"id":{id},"callFrame":{{"functionName":"{name}","scriptId":"0","url":"","lineNumber":-1,"columnNumber":-1}},"hitCount":0{}}}"#,
                if kids.is_empty() {
                    String::new()
                } else {
                    format!(",\"children\":{kids:?}")
                }
            )
        })
        .collect();
    format!(
        r#"{{"nodes":[{}],"startTime":0,"endTime":{end},"samples":{samples:?},"timeDeltas":{deltas:?}}}"#,
        nodes.join(",")
    )
}
