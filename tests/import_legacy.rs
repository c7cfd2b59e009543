//! Legacy `head`-tree importer, against the real files of `../shared/corpus`
//! (see its INDEX.md, section B) and hand-made edge cases.
//!
//! The corpus lives beside the crate. When it is missing these tests skip,
//! except under CI (`CI` set), where they fail.

mod common;

use std::path::{Path, PathBuf};

use cpuflame::export::folded::graph_lines;
use cpuflame::fold::{fold, FoldOptions, Weight};
use cpuflame::import::{import_bytes, import_path, ImportContext};
use cpuflame::model::{Profile, SourceInfo, Timing, Warnings, NONE};

fn corpus(name: &str) -> Option<PathBuf> {
    common::corpus().map(|d| d.join(name))
}

fn import(path: &Path) -> (Profile, Vec<String>) {
    let mut w = Warnings::new();
    let mut profiles = import_path(path, &mut w).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(profiles.len(), 1);
    let p = profiles.remove(0);
    p.validate().unwrap();
    (p, w.iter().map(String::from).collect())
}

fn import_str(text: &str) -> (cpuflame::error::Result<Profile>, Vec<String>) {
    let mut ctx = ImportContext {
        input: "t.cpuprofile".into(),
        warnings: Warnings::new(),
    };
    let r = import_bytes(text.as_bytes(), SourceInfo::default(), &mut ctx).map(|mut v| {
        assert_eq!(v.len(), 1);
        let p = v.remove(0);
        p.validate().unwrap();
        p
    });
    (r, ctx.warnings.iter().map(String::from).collect())
}

fn folded_with(p: &Profile, weight: Weight) -> Vec<String> {
    let opts = FoldOptions {
        weight,
        ..FoldOptions::default()
    };
    graph_lines(&fold(std::slice::from_ref(p), &opts, &mut Warnings::new()))
}

fn total(lines: &[String]) -> u64 {
    lines
        .iter()
        .map(|l| l.rsplit(' ').next().unwrap().parse::<u64>().unwrap())
        .sum()
}

fn frame<'a>(p: &'a Profile, name: &str) -> &'a cpuflame::model::CallFrame {
    p.frames.iter().find(|f| f.name == name).unwrap()
}

#[test]
fn v8_profiler_export_with_timestamps() {
    let Some(f) = corpus("cpuprofile2stackcollapse__test.cpuprofile") else {
        return;
    };
    let (p, w) = import(&f);
    assert!(w.is_empty(), "{w:?}");
    assert_eq!(p.samples.len(), 729);
    assert_eq!(p.nodes.len(), 62);
    assert_eq!(p.timing, Timing::Timestamps);
    // Whole seconds in the header, absolute µs in `timestamps`.
    assert_eq!((p.start_time, p.end_time), (691864e6, 691865e6));
    assert_eq!(p.timestamps[0], 691864880067.0);
    assert_eq!(p.timestamps[728], 691865653481.0);
    assert_eq!(p.end_of_last_sample, None);
    // 1-based legacy lines become 0-based; labels show them 1-based again.
    let startup = frame(&p, "startup");
    assert_eq!(
        (startup.url.as_str(), startup.line, startup.column),
        ("bootstrap_node.js", 11, -1)
    );
    let lines = folded_with(&p, Weight::Time);
    assert!(lines[0].starts_with("(anonymous) (bootstrap_node.js:10);startup (bootstrap_node.js:12);run (bootstrap_node.js:375);"), "{}", lines[0]);
    assert_eq!(total(&folded_with(&p, Weight::Samples)), 729);
}

#[test]
fn converted_profile_with_one_timestamp_more_than_samples() {
    let Some(f) = corpus("speedscope__node_10.11.0_example.cpuprofile") else {
        return;
    };
    let (p, _) = import(&f);
    assert_eq!(p.samples.len(), 29);
    assert_eq!(p.timestamps.len(), 29);
    // n+1 timestamps: the last one ends the last sample.
    assert_eq!(p.end_of_last_sample, Some(163140645206.0));
    // startTime == endTime (floored seconds).
    assert_eq!((p.start_time, p.end_time), (163140e6, 163140e6));
    let lines = folded_with(&p, Weight::Time);
    assert_eq!(
        lines,
        [
            "(anonymous) 11575",
            "(anonymous);a;b;d 16788",
            "(anonymous);a;c;d 17557"
        ]
    );
    // The whole span from the first to the extra timestamp is counted.
    assert_eq!(total(&lines), 163140645206 - 163140599286);
    // This file copied CDP's 0-based lines unchanged; the legacy rule subtracts 1.
    assert_eq!(frame(&p, "b").line, 4);
}

#[test]
fn legacy_and_cdp_forms_of_one_recording_fold_to_the_same_stacks() {
    // speedscope made the node 10 file from the Chrome 65 profile: same samples.
    let (Some(old), Some(new)) = (
        corpus("speedscope__node_10.11.0_example.cpuprofile"),
        corpus("speedscope__Chrome_65_simple.cpuprofile"),
    ) else {
        return;
    };
    let (a, _) = import(&old);
    let (b, _) = import(&new);
    // Per sample the stacks are the same (no URLs, so labels carry no lines).
    let counts = folded_with(&a, Weight::Samples);
    assert_eq!(counts, folded_with(&b, Weight::Samples));
    assert_eq!(
        counts,
        [
            "(anonymous) 1",
            "(anonymous);a;b;d 14",
            "(anonymous);a;c;d 14"
        ]
    );
}

#[test]
fn dtrace_conversion_string_times_duplicate_ids_no_timestamps() {
    let Some(f) = corpus("cpuprofilify__dtrace.resolved.cpuprofile") else {
        return;
    };
    let (p, w) = import(&f);
    assert_eq!(
        w,
        [
            format!("{}: 1 nodes repeat an id already used (first: id 0); samples go to the first node with that id in depth-first order", f.display()),
            format!("{}: the profile has no `timestamps`: samples are spread evenly between startTime and endTime, as DevTools does", f.display()),
        ]
    );
    assert_eq!(p.samples.len(), 47);
    assert!(p.samples.iter().all(|&s| s != NONE));
    assert_eq!(p.timing, Timing::Even);
    // "181012.12024" and "181016.16970" seconds.
    assert!((p.start_time - 181012.12024e6).abs() < 1e-3);
    assert!((p.end_time - 181016.16970e6).abs() < 1e-3);
    // The head is a real function (`iojs`), so a (root) is put above it.
    assert_eq!(p.frames[p.nodes[0].frame as usize].name, "(root)");
    let lines = folded_with(&p, Weight::Time);
    assert!(
        lines.iter().all(|l| l.starts_with("iojs;uv_run;")),
        "{lines:?}"
    );
    let t = total(&lines);
    assert!((4049459..=4049461).contains(&t), "{t}");
    assert_eq!(total(&folded_with(&p, Weight::Samples)), 47);
}

#[test]
fn perf_script_conversion_with_native_names() {
    let Some(f) = corpus("cpuprofilify__perf-script.cpuprofile") else {
        return;
    };
    let (p, w) = import(&f);
    assert_eq!(w.len(), 2, "{w:?}");
    assert_eq!(p.samples.len(), 54);
    let lines = folded_with(&p, Weight::Samples);
    assert_eq!(total(&lines), 54);
    // Spaces, parentheses and commas stay; a line still ends in one count.
    assert!(lines.iter().any(|l| l.contains(
        ";node::CreateEnvironment(v8::Isolate*, v8::Handle<v8::Context>, int, char const* const*, int, char const* const*);"
    )));
    // Integer-second header: 4 s over 54 samples (rounded per line).
    let t = total(&folded_with(&p, Weight::Time));
    assert!((3_999_970..=4_000_030).contains(&t), "{t}");
}

#[test]
fn deep_trees_do_not_overflow_the_stack() {
    let depth = 100_000;
    let mut text = String::with_capacity(depth * 70);
    text.push_str(r#"{"startTime":1,"endTime":2,"samples":["#);
    text.push_str(&depth.to_string());
    text.push_str(r#"],"timestamps":[1000000,1500000],"head":"#);
    for id in 1..=depth {
        text.push_str(&format!(
            r#"{{"functionName":"{}","url":"a.js","lineNumber":{id},"id":{id},"children":["#,
            if id == 1 { "(root)" } else { "f" }
        ));
    }
    text.push_str(&"]}".repeat(depth));
    text.push('}');
    // Run on a thread with a small stack, to be sure nothing recurses per level.
    let handle = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || {
            let (p, w) = import_str(&text);
            let p = p.unwrap();
            assert!(w.is_empty(), "{w:?}");
            (p.nodes.len(), p.samples[0], p.end_of_last_sample)
        })
        .unwrap();
    let (nodes, sample, end) = handle.join().unwrap();
    assert_eq!(nodes, depth);
    assert_eq!(sample as usize, depth - 1);
    assert_eq!(end, Some(1500000.0));
}

#[test]
fn hit_counts_when_there_are_no_samples() {
    let text = r#"{"startTime":10,"endTime":11,"head":{"functionName":"(root)","id":1,"hitCount":0,
      "children":[{"functionName":"a","url":"x.js","lineNumber":3,"columnNumber":7,"id":2,"hitCount":1,
        "children":[{"functionName":"b","id":3,"hitCount":3,"children":[]}]}]}}"#;
    let (p, w) = import_str(text);
    let p = p.unwrap();
    assert_eq!(
        w,
        ["t.cpuprofile: the profile has no samples: nodes are weighed by their hitCount"]
    );
    let a = frame(&p, "a");
    assert_eq!((a.line, a.column), (2, 6));
    // 1 s over 4 hits.
    assert_eq!(
        folded_with(&p, Weight::Time),
        ["a (x.js:3:7) 250000", "a (x.js:3:7);b 750000"]
    );
}

#[test]
fn webkit_self_time_only() {
    let text = r#"{"head":{"functionName":"(root)","totalTime":30,"selfTime":0,"numberOfCalls":0,
      "visible":true,"callUID":1,"children":[
        {"functionName":"a","totalTime":30,"selfTime":10,"callUID":2,"children":[
          {"functionName":"b","totalTime":20,"selfTime":20,"callUID":3,"children":[]}]}]}}"#;
    let (p, w) = import_str(text);
    let p = p.unwrap();
    assert!(w[0].contains("weighed by their selfTime"), "{w:?}");
    // selfTime is ms: the weights are µs.
    assert_eq!(folded_with(&p, Weight::Time), ["a 10000", "a;b 20000"]);
}

#[test]
fn broken_legacy_files_fail_precisely() {
    let mismatch = r#"{"startTime":1,"endTime":2,"samples":[2,2,2],"timestamps":[1,2],
      "head":{"functionName":"(root)","id":1,"children":[{"functionName":"a","id":2}]}}"#;
    assert_eq!(
        import_str(mismatch).0.unwrap_err().to_string(),
        "t.cpuprofile: `samples` has 3 entries but `timestamps` has 2 (expected 3 or 4)"
    );
    let nothing = r#"{"startTime":1,"endTime":2,"head":{"functionName":"(root)","id":1}}"#;
    assert_eq!(
        import_str(nothing).0.unwrap_err().to_string(),
        "t.cpuprofile: the legacy profile has no samples and no hit counts: nothing was recorded"
    );
    let not_a_tree = r#"{"head":[1,2]}"#;
    let e = import_str(not_a_tree).0.unwrap_err().to_string();
    assert!(
        e.starts_with("t.cpuprofile: `head` is not a node tree:"),
        "{e}"
    );
}

#[test]
fn unknown_sample_ids_and_equal_header_times() {
    let text = r#"{"startTime":"5","endTime":"5","samples":[2,9,2],
      "head":{"functionName":"(root)","id":1,"children":[{"functionName":"a","id":2}]}}"#;
    let (p, w) = import_str(text);
    let p = p.unwrap();
    assert_eq!(p.samples[1], NONE);
    assert_eq!(
        w,
        [
            "t.cpuprofile: skipped 1 samples naming node ids that are not in the profile (first: id 9)",
            "t.cpuprofile: the profile has no `timestamps` and endTime is not after startTime: each sample is taken to last 1 ms",
        ]
    );
    assert_eq!(folded_with(&p, Weight::Time), ["a 2000"]);
}
