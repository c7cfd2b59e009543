//! Chrome trace-event importer, against the real files of `../shared/corpus`
//! (see its INDEX.md) and the recordings in `samples/chrome`.
//!
//! The corpus lives beside the crate. When it is missing these tests skip,
//! except under CI (`CI` set), where they fail.

mod common;

use std::path::{Path, PathBuf};

use cpuflame::export::folded::graph_lines;
use cpuflame::fold::{fold, FoldOptions, Weight};
use cpuflame::import::{import_bytes, import_path, ImportContext};
use cpuflame::model::{Profile, SourceInfo, Warnings};

fn corpus(name: &str) -> Option<PathBuf> {
    common::corpus().map(|d| d.join(name))
}

fn sample(name: &str) -> Option<PathBuf> {
    Some(common::sample(&format!("chrome/{name}")))
}

fn import(path: &Path) -> (Vec<Profile>, Vec<String>) {
    let mut w = Warnings::new();
    let profiles = import_path(path, &mut w).unwrap_or_else(|e| panic!("{e}"));
    for p in &profiles {
        p.validate().unwrap();
    }
    (profiles, w.iter().map(String::from).collect())
}

fn import_str(text: &str) -> (cpuflame::error::Result<Vec<Profile>>, Vec<String>) {
    let mut ctx = ImportContext {
        input: "t.json".into(),
        warnings: Warnings::new(),
    };
    let r = import_bytes(text.as_bytes(), SourceInfo::default(), &mut ctx);
    (r, ctx.warnings.iter().map(String::from).collect())
}

fn folded_with(profiles: &[Profile], opts: &FoldOptions) -> Vec<String> {
    graph_lines(&fold(profiles, opts, &mut Warnings::new()))
}

fn folded(profiles: &[Profile]) -> Vec<String> {
    folded_with(profiles, &FoldOptions::default())
}

fn names(profiles: &[Profile]) -> Vec<&str> {
    profiles.iter().map(|p| p.source.name.as_str()).collect()
}

fn has(warnings: &[String], needle: &str) -> bool {
    warnings.iter().any(|w| w.contains(needle))
}

#[test]
fn every_corpus_file_converts_or_fails_precisely() {
    let Some(d) = common::corpus() else {
        return;
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(&d)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap() != "INDEX.md")
        .collect();
    files.sort();
    assert!(files.len() >= 30, "{} files", files.len());
    for f in files {
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        let mut w = Warnings::new();
        match import_path(&f, &mut w) {
            Ok(profiles) => {
                assert!(!profiles.is_empty(), "{name}");
                for p in &profiles {
                    p.validate().unwrap_or_else(|e| panic!("{name}: {e}"));
                }
                assert!(!folded(&profiles).is_empty(), "{name}: nothing folded");
            }
            Err(e) => {
                assert_eq!(name, "firefox__chrome-tracing.json.gz", "{e}");
                let m = e.to_string();
                assert!(m.contains(": no CPU profile in this trace"), "{m}");
                assert!(!m.contains('\n'), "{m}");
            }
        }
    }
}

#[test]
fn chrome_tracing_capture_without_profile_is_a_clear_error() {
    let Some(f) = corpus("firefox__chrome-tracing.json.gz") else {
        return;
    };
    let e = import_path(&f, &mut Warnings::new()).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "{}: no CPU profile in this trace: none of its 307 events is a Profile, ProfileChunk or \
             CpuProfile (record with the disabled-by-default-v8.cpu_profiler category, or the Performance panel)",
            f.display()
        )
    );
}

#[test]
fn chrome_70_worker_two_threads_and_chunks_before_their_profile() {
    let Some(f) = corpus("speedscope__Chrome_70_worker.json") else {
        return;
    };
    let (p, _) = import(&f);
    assert_eq!(
        names(&p),
        [
            "CrRendererMain (pid 29018)",
            "DedicatedWorker thread (pid 29018, tid 7443)"
        ]
    );
    // 14 chunks of 0xa precede their Profile event: all their samples are kept.
    assert_eq!(p[0].samples.len(), 1980);
    assert_eq!(p[1].samples.len(), 1400);
    // The sampled thread is the Profile's, never the chunks' (the profiler thread).
    assert_eq!((p[0].source.pid, p[0].source.tid), (Some(29018), Some(775)));
    assert_eq!(
        (p[1].source.pid, p[1].source.tid),
        (Some(29018), Some(7443))
    );
    assert_eq!(
        p[1].source.thread_name.as_deref(),
        Some("DedicatedWorker thread")
    );
    assert_eq!(p[0].source.clock.as_deref(), Some("trace pid 29018"));
    assert_eq!(p[0].source.clock, p[1].source.clock);
    // Start time is the Profile event's ts, not args.data.startTime.
    assert_eq!(p[0].start_time, 433087550412.0);
    assert_eq!(p[1].start_time, 433087639087.0);
    // Two sources are drawn under their own root frames.
    let lines = folded(&p);
    assert!(lines
        .iter()
        .all(|l| l.starts_with("CrRendererMain (pid 29018);")
            || l.starts_with("DedicatedWorker thread (pid 29018, tid 7443);")));
}

#[test]
fn chrome_141_two_profiles_on_one_thread_and_unknown_ids() {
    let Some(f) = corpus("speedscope__Chrome_141_no-arg-data.json") else {
        return;
    };
    let (p, w) = import(&f);
    // 0x7b has data; 0x7d (same thread) has none and is left out with a warning.
    assert_eq!(names(&p), ["CrRendererMain (pid 7787)"]);
    assert_eq!(p[0].source.tid, Some(6209019));
    assert!(
        has(
            &w,
            "profile 0x7d (CrRendererMain (pid 7787)) has no samples; it is left out"
        ),
        "{w:?}"
    );
    assert!(has(&w, "profile 0x7b (CrRendererMain (pid 7787)): skipped 1 ProfileChunk events with no `args.data`"), "{w:?}");
    assert!(
        has(
            &w,
            "skipped 5 samples naming node ids that are not in the profile (first: id 752)"
        ),
        "{w:?}"
    );
    assert!(
        has(
            &w,
            "59 nodes are not reachable from the root (first: id 757)"
        ),
        "{w:?}"
    );
    assert_eq!(p[0].samples.len(), 421);
    assert_eq!(p[0].samples.iter().filter(|&&s| s == u32::MAX).count(), 21);
    // `lines` is in 4 of the 9 data chunks: padded with zeros per chunk.
    assert_eq!(p[0].sample_lines.len(), 421);
}

#[test]
fn lighthouse_high_rate_profile() {
    let Some(f) = corpus("lighthouse__cpu-profiler-m86.trace.json") else {
        return;
    };
    let (p, _) = import(&f);
    assert_eq!(names(&p), ["CrRendererMain (pid 9318)"]);
    assert_eq!(p[0].samples.len(), 50294);
    assert_eq!(p[0].nodes.len(), 39);
    assert_eq!(p[0].sample_lines.len(), 50294);
    assert_eq!(p[0].sample_lines.iter().filter(|&&l| l != 0).count(), 32549);
    let counts = folded_with(
        &p,
        &FoldOptions {
            weight: Weight::Samples,
            keep_idle: true,
            ..FoldOptions::default()
        },
    );
    let total: u64 = counts
        .iter()
        .map(|l| l.rsplit(' ').next().unwrap().parse::<u64>().unwrap())
        .sum();
    // Every sample lands on a frame except those of the root itself.
    let root_samples = p[0].samples.iter().filter(|&&s| s == 0).count() as u64;
    assert_eq!(total + root_samples, 50294);
}

#[test]
fn chrome_66_cpu_profile_events_without_id_are_keyed_by_thread() {
    let Some(f) = corpus("speedscope__Chrome_66_worker.json") else {
        return;
    };
    let (p, _) = import(&f);
    assert_eq!(
        names(&p),
        [
            "CrRendererMain (pid 30834)",
            "DedicatedWorker thread (pid 30834, tid 31089)"
        ]
    );
    assert_eq!(p[0].samples.len(), 4447);
    assert_eq!(p[1].samples.len(), 3792);
}

#[test]
fn chrome_69_chunks_with_parent_links_on_another_thread() {
    let Some(f) = corpus("speedscope__Chrome_69_simple.json") else {
        return;
    };
    let (p, _) = import(&f);
    assert_eq!(names(&p), ["CrRendererMain (pid 85129)"]);
    assert_eq!(p[0].source.tid, Some(775));
    assert_eq!(p[0].samples.len(), 2051);
    assert_eq!(p[0].nodes.len(), 14);
    assert!(p[0].sample_lines.is_empty(), "no chunk has lines");
}

#[test]
fn chrome_116_object_form() {
    let Some(f) = corpus("speedscope__Chrome_116_Trace-20230603T221323.json") else {
        return;
    };
    let (p, w) = import(&f);
    assert_eq!(names(&p), ["CrRendererMain (pid 6543)"]);
    assert_eq!(p[0].samples.len(), 1600);
    assert_eq!(p[0].sample_lines.iter().filter(|&&l| l != 0).count(), 194);
    assert!(w.is_empty(), "{w:?}");
}

#[test]
fn webpack_trace_pads_lines_per_chunk() {
    let Some(f) = corpus("speedscope__source-maps_chrome-85-webpack.json") else {
        return;
    };
    let (p, _) = import(&f);
    assert_eq!(p[0].samples.len(), 1498);
    assert_eq!(p[0].sample_lines.len(), 1498);
    assert_eq!(p[0].sample_lines.iter().filter(|&&l| l != 0).count(), 726);
}

#[test]
fn gzipped_chunked_trace() {
    let Some(f) = corpus("firefox__test.chrome.gz") else {
        return;
    };
    let (p, _) = import(&f);
    assert_eq!(p.len(), 1);
    assert_eq!(p[0].samples.len(), 3711);
}

#[test]
fn rspack_trace_numeric_id_and_cdp_style_chunk() {
    let Some(f) = corpus("firefox__chrome-trace-issue-5429.json.gz") else {
        return;
    };
    let (p, _) = import(&f);
    // No thread_name for the sampled thread: named by its ids.
    assert_eq!(names(&p), ["thread 44554 (pid 44554)"]);
    assert_eq!(p[0].samples.len(), 206);
    assert_eq!(p[0].nodes.len(), 231);
}

#[test]
fn unchunked_cpu_profile_with_orphans() {
    let Some(f) = corpus("firefox__test.chrome-unchunked.json") else {
        return;
    };
    let (p, w) = import(&f);
    assert_eq!(names(&p), ["CrRendererMain (pid 19485)"]);
    assert_eq!(p[0].samples.len(), 20);
    assert!(
        has(&w, "6 child ids name nodes that are not in the profile"),
        "{w:?}"
    );
    assert!(
        has(
            &w,
            "skipped 2 samples on nodes not reachable from the root (first: id 40)"
        ),
        "{w:?}"
    );
}

#[test]
fn merged_trace_names_seven_threads() {
    let Some(f) =
        corpus("pushbased__full-nx-integratoin__MERGED-CPU--nx-run-many-t-build.profile.json")
    else {
        return;
    };
    let (p, _) = import(&f);
    assert_eq!(p.len(), 7);
    // Ordered by start time.
    assert_eq!(
        names(&p),
        [
            "CrRendererMain (pid 10001)",
            "NxRun: (pkg-ts:build) tsc --build tsconfig.lib.json (pid 10001, tid 6)",
            "NxRun: (pkg-vite:build) vite -c vite.config.ts (pid 10001, tid 3)",
            "NxRun: (app-angular:build) ng build --configuration=production (pid 10001, tid 4)",
            "NxRun: (pkg-rollup:build) rollup -c rollup.config.cjs (pid 10001, tid 2)",
            "NgBuild: esbuild --configuration=production (pid 10001, tid 5)",
            "NgBuild: (p:3,t:3) vitest --configuration=production (pid 10001, tid 7)",
        ]
    );
    let samples: Vec<usize> = p.iter().map(|p| p.samples.len()).collect();
    assert_eq!(samples, [8, 7, 8, 6, 6, 6, 6]);
}

#[test]
fn cpu_profile_event_folds_like_the_same_cpuprofile() {
    let Some(f) = corpus("speedscope__Chrome_65_simple-timeline.json") else {
        return;
    };
    let (p, _) = import(&f);
    assert_eq!(p.len(), 1);
    assert_eq!(p[0].samples.len(), 4081);
    let events: serde_json::Value = serde_json::from_slice(&std::fs::read(&f).unwrap()).unwrap();
    let cpu = events
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "CpuProfile")
        .unwrap()["args"]["data"]["cpuProfile"]
        .clone();
    let (alone, _) = import_str(&serde_json::to_string(&cpu).unwrap());
    let alone = alone.unwrap();
    for opts in [
        FoldOptions::default(),
        FoldOptions {
            keep_idle: true,
            ..FoldOptions::default()
        },
        FoldOptions {
            weight: Weight::Samples,
            ..FoldOptions::default()
        },
    ] {
        let a = folded_with(&p, &opts);
        assert!(!a.is_empty());
        assert_eq!(a, folded_with(&alone, &opts));
    }
}

#[test]
fn page_worker_recording() {
    let Some(f) = sample("page-worker.trace.json") else {
        return;
    };
    let (p, _) = import(&f);
    assert_eq!(
        names(&p),
        [
            "CrRendererMain (pid 19363)",
            "DedicatedWorker thread (pid 19363, tid 19399)"
        ]
    );
    assert_eq!(p[0].samples.len(), 5276);
    assert_eq!(p[1].samples.len(), 2913);
    assert_eq!(p[0].nodes.len(), 34);
    assert_eq!(p[1].nodes.len(), 31);
    assert_eq!(p[0].sample_lines.iter().filter(|&&l| l != 0).count(), 2282);
    assert_eq!(p[1].sample_lines.iter().filter(|&&l| l != 0).count(), 2460);
    assert_eq!(p[0].start_time, 630953488.0);
    let lines = folded(&p).join("\n");
    assert!(
        lines.contains(";runMainAndWorker (app.js:112:32);mainWorkLoop (app.js:54:22);"),
        "{lines}"
    );
    assert!(
        lines.contains("DedicatedWorker thread (pid 19363, tid 19399);"),
        "{lines}"
    );
    assert!(
        lines.contains(";workerLoop (worker.js:37:20);workerFib (worker.js:4:"),
        "{lines}"
    );
    // GC goes on top of the interrupted stack.
    assert!(
        lines.contains(";workerLoop (worker.js:37:20);(garbage collector) "),
        "{lines}"
    );
}

#[test]
fn truncated_page_worker_recording_equals_the_whole_one() {
    let (Some(whole), Some(cut)) = (
        sample("page-worker.trace.json"),
        sample("page-worker.truncated.json"),
    ) else {
        return;
    };
    let (a, wa) = import(&whole);
    let (b, wb) = import(&cut);
    assert!(wa.is_empty(), "{wa:?}");
    assert_eq!(
        wb,
        [format!(
            "{}: the trace event array is not closed (a truncated trace): read its 2206 complete events",
            cut.display()
        )]
    );
    assert_eq!(names(&a), names(&b));
    assert_eq!(folded(&a), folded(&b));
}

// ---- small hand-made traces, for the rules the corpus does not pin ----------

const NODES: &str = r#"[{"id":1,"callFrame":{"functionName":"(root)","scriptId":0}},
    {"id":2,"parent":1,"callFrame":{"functionName":"main","scriptId":1,"url":"a.js","lineNumber":3}},
    {"id":3,"parent":2,"callFrame":{"functionName":"leaf","scriptId":1,"url":"a.js","lineNumber":9}}]"#;

fn chunk(ts: u64, nodes: &str, samples: &str, deltas: &str) -> String {
    format!(
        r#"{{"name":"ProfileChunk","ph":"P","pid":5,"tid":99,"id":"0x1","ts":{ts},
        "args":{{"data":{{"cpuProfile":{{"nodes":{nodes},"samples":{samples}}},"timeDeltas":{deltas}}}}}}}"#
    )
}

fn small_trace() -> Vec<String> {
    vec![
        // The second chunk comes first in the file; ts decides.
        chunk(1200, "[]", "[3,2]", "[100,100]"),
        r#"{"name":"thread_name","ph":"M","pid":5,"tid":7,"args":{"name":"CrRendererMain"}}"#.into(),
        chunk(1100, NODES, "[2,3]", "[50,100]"),
        r#"{"name":"Profile","ph":"P","pid":5,"tid":7,"id":"0x1","ts":1000,"args":{"data":{"startTime":3}}}"#.into(),
        r#"{"name":"ProfileChunk","ph":"P","pid":5,"tid":99,"id":"0x1","ts":1300,"args":{}}"#.into(),
    ]
}

#[test]
fn chunks_are_joined_in_ts_order_from_the_profile_ts() {
    let text = format!("[{}]", small_trace().join(",\n"));
    let (p, w) = import_str(&text);
    let p = p.unwrap();
    assert_eq!(names(&p), ["CrRendererMain (pid 5)"]);
    assert_eq!(p[0].timestamps, [1050.0, 1150.0, 1250.0, 1350.0]);
    assert_eq!(p[0].source.tid, Some(7));
    assert_eq!(
        w,
        ["t.json: profile 0x1 (CrRendererMain (pid 5)): skipped 1 ProfileChunk events with no `args.data`"]
    );
    assert_eq!(
        folded(&p),
        // main 1050→1150, leaf 1150→1350, main lasts the mean interval (100).
        ["main (a.js:4) 200", "main (a.js:4);leaf (a.js:10) 200"]
    );
}

#[test]
fn truncated_arrays_are_repaired() {
    let events = small_trace().join(",\n");
    let whole = folded(&import_str(&format!("[{events}]")).0.unwrap());
    for (text, dropped) in [
        (format!("[{events}"), false),
        (format!("[{events},\n"), false),
        (format!("[{events},  {{\"name\":\"Prof"), true),
    ] {
        let (p, w) = import_str(&text);
        assert_eq!(folded(&p.unwrap()), whole, "{text}");
        assert!(has(&w, "the trace event array is not closed"), "{w:?}");
        assert_eq!(
            has(&w, "the incomplete last event was left out"),
            dropped,
            "{w:?}"
        );
    }
    // A broken array that is not merely cut short is still an error.
    let (e, _) = import_str(&format!("[{events}] x"));
    assert!(e.unwrap_err().to_string().contains("invalid JSON"));
    let (e, _) = import_str("[{\"name\": 1 2}]");
    assert!(e.unwrap_err().to_string().contains("at byte 10"));
}

#[test]
fn object_and_edge_containers() {
    let events = small_trace().join(",");
    let whole = folded(&import_str(&format!("[{events}]")).0.unwrap());
    let object = format!(r#"{{"metadata":{{"source":"DevTools"}},"traceEvents":[{events}]}}"#);
    assert_eq!(folded(&import_str(&object).0.unwrap()), whole);
    let edge = format!(
        r#"{{"meta":{{"fileDocumentType":"x-msedge-session-log","type":"performance"}},
        "executionContexts":[],"scripts":[{{"scriptId":"1","url":"a.js","sourceText":"x"}}],
        "payload":{{"traceEvents":[{events}]}}}}"#
    );
    assert_eq!(folded(&import_str(&edge).0.unwrap()), whole);
    let empty_edge = r#"{"meta":{"fileDocumentType":"x-msedge-session-log"},"payload":{}}"#;
    let e = import_str(empty_edge).0.unwrap_err().to_string();
    assert!(e.contains("no `payload.traceEvents`"), "{e}");
}

#[test]
fn mismatched_samples_and_deltas_name_the_profile() {
    let text = format!(
        "[{},{}]",
        r#"{"name":"Profile","pid":5,"tid":7,"id":"0x1","ts":1000,"args":{"data":{}}}"#,
        chunk(1100, NODES, "[2,3,3]", "[50,100]")
    );
    let e = import_str(&text).0.unwrap_err().to_string();
    assert_eq!(
        e,
        "t.json: profile 0x1 (thread 7 (pid 5)): ProfileChunk 1 of 1 (ts 1100) has 3 samples but 2 timeDeltas"
    );
}

#[test]
fn profiles_without_samples_are_skipped_or_an_error() {
    let only_empty =
        r#"[{"name":"Profile","pid":5,"tid":7,"id":"0x4","ts":1000,"args":{"data":{}}}]"#;
    let e = import_str(only_empty).0.unwrap_err().to_string();
    assert_eq!(
        e,
        "t.json: none of the 1 CPU profiles in this trace has samples"
    );
    let none =
        r#"{"traceEvents":[{"name":"RunTask","ph":"X","pid":1,"tid":1,"ts":5,"dur":3,"args":{}}]}"#;
    let e = import_str(none).0.unwrap_err().to_string();
    assert!(
        e.starts_with("t.json: no CPU profile in this trace:"),
        "{e}"
    );
}

#[test]
fn same_id_in_two_processes_is_two_profiles() {
    let mut events = small_trace();
    events.extend(
        small_trace()
            .into_iter()
            .map(|e| e.replace("\"pid\":5", "\"pid\":6")),
    );
    let (p, _) = import_str(&format!("[{}]", events.join(",")));
    let p = p.unwrap();
    assert_eq!(
        names(&p),
        ["CrRendererMain (pid 5)", "CrRendererMain (pid 6)"]
    );
    assert_ne!(p[0].source.clock, p[1].source.clock);
    assert_eq!(p[0].samples.len(), 4);
    assert_eq!(p[1].samples.len(), 4);
}
