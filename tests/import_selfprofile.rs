//! JS Self-Profiling (`ProfilerTrace`) importer, against the Sentry trace of
//! `../shared/corpus` and the Chromium recordings in `samples/chrome`.
//!
//! The corpus lives beside the crate. When it is missing these tests skip,
//! except under CI (`CI` set), where they fail.

mod common;

use std::path::{Path, PathBuf};

use cpuflame::export::folded::graph_lines;
use cpuflame::fold::{fold, FoldOptions, Weight};
use cpuflame::import::{import_bytes, import_path, ImportContext};
use cpuflame::model::{FrameKind, Profile, SourceInfo, Warnings, NONE};

fn corpus(name: &str) -> Option<PathBuf> {
    common::corpus().map(|d| d.join(name))
}

fn sample(name: &str) -> Option<PathBuf> {
    Some(common::sample(&format!("chrome/{name}")))
}

fn import(path: &Path) -> (Profile, Vec<String>) {
    let mut w = Warnings::new();
    let mut profiles = import_path(path, &mut w).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(profiles.len(), 1);
    let p = profiles.remove(0);
    p.validate().unwrap();
    (p, w.iter().map(String::from).collect())
}

fn import_str(text: &str) -> cpuflame::error::Result<Profile> {
    let mut ctx = ImportContext {
        input: "t.json".into(),
        warnings: Warnings::new(),
    };
    import_bytes(text.as_bytes(), SourceInfo::default(), &mut ctx).map(|mut v| {
        assert_eq!(v.len(), 1);
        let p = v.remove(0);
        p.validate().unwrap();
        p
    })
}

/// Folded sample counts, idle kept.
fn counts(p: &Profile) -> Vec<String> {
    let opts = FoldOptions {
        weight: Weight::Samples,
        keep_idle: true,
        ..FoldOptions::default()
    };
    graph_lines(&fold(std::slice::from_ref(p), &opts, &mut Warnings::new()))
}

/// Summed weight of the folded lines whose stack starts with `prefix`.
fn weight_under(lines: &[String], prefix: &str) -> u64 {
    lines
        .iter()
        .filter(|l| l.starts_with(prefix))
        .map(|l| l.rsplit(' ').next().unwrap().parse::<u64>().unwrap())
        .sum()
}

fn root_samples_named(p: &Profile, name: &str) -> usize {
    p.samples
        .iter()
        .filter(|&&s| {
            s != NONE
                && p.nodes[s as usize].parent == 0
                && p.frames[p.nodes[s as usize].frame as usize].name == name
        })
        .count()
}

#[test]
fn sentry_trace() {
    let Some(f) = corpus("sentry__profiling-browser_test_trace.json") else {
        return;
    };
    let (p, w) = import(&f);
    assert!(w.is_empty(), "{w:?}");
    assert_eq!(p.samples.len(), 1065);
    // 709 samples have no stackId: idle.
    assert_eq!(root_samples_named(&p, "(idle)"), 709);
    assert_eq!(
        p.meta_node(FrameKind::Idle)
            .map(|i| p.nodes[i as usize].parent),
        Some(0)
    );
    // Timestamps are ms → µs, left as recorded: 56 go backwards (the fold sorts).
    assert_eq!(p.timestamps[0], 26977.50499999523 * 1000.0);
    let back = p.timestamps.windows(2).filter(|w| w[1] < w[0]).count();
    assert_eq!(back, 56);
    // Stack 0 (dispatchDiscreteEvent) is a real parent: parentId 0 is honoured.
    let lines = counts(&p);
    assert_eq!(weight_under(&lines, "(idle) "), 709);
    assert_eq!(
        weight_under(&lines, "dispatchDiscreteEvent (vendor.js:58555:31);"),
        288
    );
    // 1-based line/column become 0-based in the model; labels add 1 back.
    let f0 = p
        .frames
        .iter()
        .find(|f| f.name == "dispatchDiscreteEvent")
        .unwrap();
    assert_eq!((f0.line, f0.column), (58554, 30));
    // Frames without a resourceId have no URL.
    let profiler = p.frames.iter().find(|f| f.name == "Profiler").unwrap();
    assert_eq!((profiler.url.as_str(), profiler.line), ("", -1));
    let total: u64 = lines
        .iter()
        .map(|l| l.rsplit(' ').next().unwrap().parse::<u64>().unwrap())
        .sum();
    assert_eq!(total, 1065);
}

#[test]
fn page_self_profiling_recording() {
    let Some(f) = sample("self-profiling.json") else {
        return;
    };
    let (p, w) = import(&f);
    assert!(w.is_empty(), "{w:?}");
    assert_eq!(p.samples.len(), 140);
    assert_eq!(root_samples_named(&p, "(idle)"), 33);
    assert!(p
        .frames
        .iter()
        .all(|f| f.url.is_empty() || f.url.ends_with("/app.js")));
    let lines = counts(&p);
    assert_eq!(weight_under(&lines, "(idle) "), 33);
    assert_eq!(weight_under(&lines, "selfProfileMain ("), 107);
}

#[test]
fn markers_recording_puts_gc_on_the_previous_stack() {
    let Some(f) = sample("self-profiling-markers.json") else {
        return;
    };
    let (p, _) = import(&f);
    assert_eq!(p.samples.len(), 134);
    assert_eq!(root_samples_named(&p, "(idle)"), 33);
    assert_eq!(root_samples_named(&p, "(garbage collector)"), 4);
    let gc = p.meta_node(FrameKind::Gc).unwrap();
    assert_eq!(p.nodes[gc as usize].parent, 0);
    // `layout`/`style` samples have stacks: no marker frames are made for them.
    assert!(!p
        .frames
        .iter()
        .any(|f| f.name == "(layout)" || f.name == "(style)"));
    let lines = counts(&p);
    let gc_lines: u64 = lines
        .iter()
        .filter(|l| l.contains("(garbage collector) "))
        .map(|l| l.rsplit(' ').next().unwrap().parse::<u64>().unwrap())
        .sum();
    assert_eq!(gc_lines, 4);
    // In this recording the GC samples follow JS stacks or idle, never stand alone.
    assert!(
        lines.iter().all(|l| !l.starts_with("(garbage collector) ")),
        "{lines:?}"
    );
}

#[test]
fn worker_self_profiling_recording() {
    let Some(f) = sample("worker-self-profiling.json") else {
        return;
    };
    let (p, _) = import(&f);
    assert_eq!(p.samples.len(), 174);
    assert_eq!(root_samples_named(&p, "(idle)"), 31);
    // The anonymous `self.onmessage` handler has an empty name.
    assert!(p
        .frames
        .iter()
        .any(|f| f.name.is_empty() && f.url.contains("worker.js")));
    let lines = counts(&p);
    assert!(
        lines.iter().any(|l| l.starts_with("(anonymous) (")),
        "{lines:?}"
    );
    assert!(
        lines.iter().any(|l| l.contains(";workerFib (")),
        "{lines:?}"
    );
}

#[test]
fn datadog_extended_trace_and_markers_without_stacks() {
    let text = r#"{
      "startClocks": {"relative": 10, "timeStamp": 1700000000000},
      "endClocks": {"relative": 20, "timeStamp": 1700000000010},
      "clocksOrigin": {"relative": 0, "timeStamp": 1699999999990},
      "sampleInterval": 10,
      "longTasks": [{"id": "x", "duration": 60, "entryType": "longtask", "startClocks": {"relative": 1}}],
      "views": [{"viewId": "v", "viewName": "home", "startClocks": {"relative": 0}}],
      "resources": ["https://x/a.js"],
      "frames": [{"name": "outer", "resourceId": 0, "line": 1, "column": 1},
                 {"name": "inner", "resourceId": 0, "line": 5, "column": 3},
                 {"name": "native"}],
      "stacks": [{"frameId": 1, "parentId": 2}, {"frameId": 2}, {"frameId": 0}],
      "samples": [
        {"timestamp": -2.5, "stackId": 0, "marker": "script"},
        {"timestamp": 7.5, "marker": "gc"},
        {"timestamp": 5.0, "stackId": 1},
        {"timestamp": 12.5, "marker": "layout"},
        {"timestamp": 17.5},
        {"timestamp": 22.5, "stackId": 2, "marker": "paint"}
      ]
    }"#;
    let p = import_str(text).unwrap();
    // Negative and backwards timestamps are kept as recorded, in µs.
    assert_eq!(
        p.timestamps,
        [-2500.0, 7500.0, 5000.0, 12500.0, 17500.0, 22500.0]
    );
    assert_eq!((p.start_time, p.end_time), (-2500.0, 22500.0));
    let names: Vec<&str> = p
        .samples
        .iter()
        .map(|&s| p.frames[p.nodes[s as usize].frame as usize].name.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "inner",
            "(garbage collector)",
            "native",
            "(layout)",
            "(idle)",
            "outer"
        ]
    );
    // Stack 0 is `inner` over stack 2 (`outer`): one `outer` node serves both.
    let inner = p.samples[0] as usize;
    let outer = p.nodes[inner].parent as usize;
    assert_eq!(p.frames[p.nodes[outer].frame as usize].name, "outer");
    assert_eq!(p.nodes[outer].parent, 0);
    assert_eq!(p.samples[5] as usize, outer);
    let f = &p.frames[p.nodes[inner].frame as usize];
    assert_eq!((f.url.as_str(), f.line, f.column), ("https://x/a.js", 4, 2));
    // Sorted by the fold: inner (-2.5), native (5), GC on native (7.5), layout, idle, outer.
    let lines = counts(&p);
    assert_eq!(
        lines,
        [
            "(idle) 1",
            "(layout) 1",
            "native 1",
            "native;(garbage collector) 1",
            "outer (a.js:1:1) 1",
            "outer (a.js:1:1);inner (a.js:5:3) 1",
        ]
    );
}

#[test]
fn stack_errors_are_precise() {
    let cyc = r#"{"resources":[],"frames":[{"name":"a"}],"stacks":[{"frameId":0,"parentId":1},{"frameId":0,"parentId":0}],"samples":[{"timestamp":1,"stackId":0}]}"#;
    assert_eq!(
        import_str(cyc).unwrap_err().to_string(),
        "t.json: the stacks have a cycle: stack 0 is its own ancestor"
    );
    let parent = r#"{"resources":[],"frames":[{"name":"a"}],"stacks":[{"frameId":0,"parentId":4}],"samples":[]}"#;
    assert_eq!(
        import_str(parent).unwrap_err().to_string(),
        "t.json: stack 0 has parentId 4, but there are only 1 stacks"
    );
    let frame = r#"{"resources":[],"frames":[],"stacks":[{"frameId":3}],"samples":[{"timestamp":1,"stackId":0}]}"#;
    assert_eq!(
        import_str(frame).unwrap_err().to_string(),
        "t.json: stack 0 has frameId 3, but there are only 0 frames"
    );
    let empty = r#"{"resources":[],"frames":[],"stacks":[],"samples":[]}"#;
    assert!(import_str(empty)
        .unwrap_err()
        .to_string()
        .contains("has no samples"));
}

#[test]
fn unknown_stack_ids_are_skipped_with_a_warning() {
    let text = r#"{"resources":[],"frames":[{"name":"a"}],"stacks":[{"frameId":0}],
      "samples":[{"timestamp":1,"stackId":0},{"timestamp":2,"stackId":9},{"timestamp":3,"stackId":0}]}"#;
    let mut ctx = ImportContext {
        input: "t.json".into(),
        warnings: Warnings::new(),
    };
    let p = import_bytes(text.as_bytes(), SourceInfo::default(), &mut ctx).unwrap();
    assert_eq!(p[0].samples[1], NONE);
    let w: Vec<&str> = ctx.warnings.iter().collect();
    assert_eq!(
        w,
        ["t.json: skipped 1 samples naming a stackId that is not in `stacks` (first: 9)"]
    );
}

#[test]
fn samples_of_the_wrong_kind_are_refused() {
    let mixed = r#"{"resources":[],"frames":[],"stacks":[],"samples":[{"timestamp":1}, 3]}"#;
    let e = import_str(mixed).unwrap_err().to_string();
    assert!(
        e.contains("`samples` mixes node ids and sample objects"),
        "{e}"
    );
    let ids = r#"{"resources":[],"frames":[],"stacks":[],"samples":[1,2]}"#;
    let e = import_str(ids).unwrap_err().to_string();
    assert!(e.contains("samples are objects"), "{e}");
    let cdp =
        r#"{"nodes":[{"id":1,"callFrame":{"functionName":"(root)"}}],"samples":[{"timestamp":1}]}"#;
    let e = import_str(cdp).unwrap_err().to_string();
    assert!(e.contains("a .cpuprofile's samples are node ids"), "{e}");
}

#[test]
fn other_formats_fields_of_the_same_name_do_not_break_detection() {
    // A .cpuprofile carrying unrelated `meta`, `payload`, `frames` and `stacks` keys.
    let cdp = r#"{"meta":"x","payload":[1],"frames":7,"stacks":"s","resources":{},
      "nodes":[{"id":1,"callFrame":{"functionName":"(root)"},"children":[2]},
               {"id":2,"callFrame":{"functionName":"a"}}],
      "startTime":0,"endTime":10,"samples":[2,2],"timeDeltas":[1,1]}"#;
    let p = import_str(cdp).unwrap();
    assert_eq!(p.samples.len(), 2);
    // A self-profiling trace whose frames are not frames: a precise error.
    let bad = r#"{"resources":[],"frames":[{"name":5}],"stacks":[],"samples":[]}"#;
    let e = import_str(bad).unwrap_err().to_string();
    assert!(e.starts_with("t.json: `frames`: invalid type"), "{e}");
}
