//! One test per runtime, on the real recordings in `samples/`: what each
//! runtime writes differently, and what cpuflame makes of it.

mod common;

use std::fs;

use common::{cpuflame, folded_total, s, sample};

fn folded(args: &[&str]) -> (String, String) {
    let o = cpuflame(args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    (
        String::from_utf8(o.stdout).unwrap(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn weight_of(text: &str, needle: &str) -> u64 {
    text.lines()
        .filter(|l| l.contains(needle))
        .map(|l| l.rsplit_once(' ').unwrap().1.parse::<u64>().unwrap())
        .sum()
}

fn only_file(dir: &str) -> std::path::PathBuf {
    let mut files: Vec<_> = fs::read_dir(sample(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "cpuprofile"))
        .collect();
    files.sort();
    files.remove(0)
}

#[test]
fn node_cpu_prof() {
    let (text, _) = folded(&["--format", "folded", s(&sample("node/app.cpuprofile"))]);
    // App code, a local package and a scoped one, runtime internals, GC on the stack.
    assert!(text.contains("fib (src/work.js:3:13)"));
    assert!(text.contains("(node_modules/tiny-lib/index.js:"));
    assert!(text.contains("(node_modules/@acme/util/lib/index.js:"));
    assert!(text.contains("Module._load (node:internal/modules/cjs/loader:"));
    assert!(text.contains("jsonRoundTrip (src/work.js:13:23);(garbage collector)"));
    assert!(
        !text.contains("(idle)"),
        "idle is left out of the flame graph"
    );
}

#[test]
fn node_inspector_profile_of_a_live_server() {
    let (text, _) = folded(&[
        "--format",
        "folded",
        s(&sample("node-inspector/server.cpuprofile")),
    ]);
    assert!(text.contains("handleWork (server.js:"), "{text}");
    assert!(text.contains("renderTable (server.js:"));
    assert!(text.contains("escapeHtml (server.js:"));
}

#[test]
fn deno_ext_urls_are_runtime_frames() {
    let p = only_file("deno");
    let (text, _) = folded(&["--format", "folded", s(&p)]);
    assert!(text.contains("(ext:core/"), "{text}");
    assert!(text.contains("(ext:deno_web/"));
    assert!(text.contains("digestLoop (main.ts:"));
    // Runtime frames are green in the picture.
    let svg = String::from_utf8(cpuflame(&[s(&p)]).stdout).unwrap();
    let i = svg.find("(ext:core/").unwrap();
    let fill = &svg[i..][svg[i..].find("fill=\"rgb(").unwrap() + 10..];
    let rgb: Vec<u8> = fill[..fill.find(')').unwrap()]
        .split(',')
        .map(|x| x.parse().unwrap())
        .collect();
    assert!(
        rgb[1] > rgb[0] && rgb[1] > rgb[2],
        "ext: is runtime green: {rgb:?}"
    );
}

#[test]
fn bun_epoch_start_and_long_idle_gap() {
    let p = only_file("bun");
    let json: serde_json::Value = serde_json::from_slice(&fs::read(&p).unwrap()).unwrap();
    assert!(
        json["startTime"].as_f64().unwrap() > 1.7e15,
        "Bun writes epoch µs"
    );
    let deltas: Vec<i64> = json["timeDeltas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_i64().unwrap())
        .collect();
    let longest = *deltas[1..].iter().max().unwrap() as u64;
    assert!(
        longest > 150_000,
        "the idle gap is one long delta: {longest}"
    );
    // DevTools charges the gap to the stack sampled before it; --gaps=idle to (idle).
    let (keep, note) = folded(&["--format", "folded", s(&p)]);
    assert!(note.contains("sampling gaps"), "{note}");
    let (idle, _) = folded(&["--format", "folded", "--gaps=idle", "--idle", s(&p)]);
    let idle_w = weight_of(&idle, "(idle)");
    assert!(idle_w > 150_000, "(idle) {idle_w}");
    assert_eq!(
        folded_total(&keep),
        folded_total(&idle),
        "the time only moves to (idle)"
    );
    assert!(keep.contains("sortWords (app.js:"));
}

#[test]
fn workerd_current_has_real_stacks() {
    let p = sample("workerd/workerd-current.cpuprofile");
    let (text, err) = folded(&["--format", "folded", s(&p)]);
    assert!(!err.contains("no JavaScript stacks"), "{err}");
    assert!(text.contains("pbkdf2Derive (index.mjs:"), "{text}");
    assert!(text.contains("renderRows (index.mjs:"));
}

#[test]
fn workerd_2024_records_only_program() {
    // The workerd#1754 repro: every sample is (program).
    let p = sample("workerd/workerd-1.20240223.1-pbkdf2.cpuprofile");
    let (text, err) = folded(&["--format", "folded", s(&p)]);
    assert!(err.contains("recorded no JavaScript stacks"), "{err}");
    assert_eq!(text.lines().count(), 1);
    assert!(text.starts_with("(program) "));
    // The lone sample lasts until endTime (DevTools' n = 1 rule).
    let json: serde_json::Value = serde_json::from_slice(&fs::read(&p).unwrap()).unwrap();
    let t0 = json["startTime"].as_f64().unwrap() + json["timeDeltas"][0].as_f64().unwrap();
    let expected = (json["endTime"].as_f64().unwrap() - t0).round() as u64;
    assert_eq!(folded_total(&text), expected);
    // With pure-JS routes the old build records a few real frames, very sparsely.
    let (text, err) = folded(&[
        "--format",
        "folded",
        s(&sample("workerd/workerd-1.20240223.1.cpuprofile")),
    ]);
    assert!(!err.contains("no JavaScript stacks"));
    assert!(text.contains("renderRows (index.mjs:"));
}

#[test]
fn chrome_devtools_profile_and_trace_of_the_same_page() {
    let (text, _) = folded(&["--format", "folded", s(&sample("chrome/page.cpuprofile"))]);
    assert!(text.contains("mainMakeGarbage (app.js:66:25)"), "{text}");
    let (trace, _) = folded(&[
        "--format",
        "folded",
        s(&sample("chrome/page-worker.trace.json")),
    ]);
    let roots: std::collections::BTreeSet<&str> = trace
        .lines()
        .map(|l| l.split(';').next().unwrap())
        .collect();
    assert!(
        roots.iter().any(|r| r.starts_with("CrRendererMain (pid ")),
        "{roots:?}"
    );
    assert!(
        roots
            .iter()
            .any(|r| r.starts_with("DedicatedWorker thread (pid ")),
        "{roots:?}"
    );
}

#[test]
fn js_self_profiling_from_a_page_and_a_worker() {
    for f in [
        "chrome/self-profiling.json",
        "chrome/worker-self-profiling.json",
    ] {
        let (text, _) = folded(&["--format", "folded", "--idle", s(&sample(f))]);
        assert!(
            text.contains("(idle) "),
            "{f}: samples without a stack are idle"
        );
        assert!(folded_total(&text) > 0);
    }
}

#[test]
fn edge_session_log_of_a_real_recording() {
    // No Edge runs here: the real Chromium recording, in Edge's `.devtools`
    // container (`meta.fileDocumentType`, `payload.traceEvents`), must give
    // exactly what the trace itself gives.
    let trace: serde_json::Value =
        serde_json::from_slice(&fs::read(sample("chrome/page-worker.trace.json")).unwrap())
            .unwrap();
    let edge = serde_json::json!({
        "meta": {"fileDocumentType": "x-msedge-session-log", "type": "performance", "version": 1},
        "executionContexts": [],
        "scripts": [],
        "payload": {"traceEvents": trace["traceEvents"]},
    });
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("session.devtools");
    fs::write(&p, serde_json::to_vec(&edge).unwrap()).unwrap();
    let (from_edge, _) = folded(&["--format", "folded", s(&p)]);
    let (from_trace, _) = folded(&[
        "--format",
        "folded",
        s(&sample("chrome/page-worker.trace.json")),
    ]);
    assert!(from_trace.lines().count() > 10);
    assert_eq!(from_edge, from_trace);
}
