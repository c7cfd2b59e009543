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
            format!("{}: 1 nodes repeat an id already used (first: id 0); as in DevTools, an id stands for the last node with it in depth-first order, wherever it is a child or a sample", f.display()),
            format!("{}: the profile has no `timestamps`: samples are spread evenly between startTime and endTime, as DevTools does", f.display()),
        ]
    );
    assert_eq!(p.samples.len(), 47);
    assert!(p.samples.iter().all(|&s| s != NONE));
    assert_eq!(p.timing, Timing::Even);
    // "181012.12024" and "181016.16970" seconds.
    assert!((p.start_time - 181012.12024e6).abs() < 1e-3);
    assert!((p.end_time - 181016.16970e6).abs() < 1e-3);
    // The head is the root, never drawn, even when it is a real function
    // (`iojs`), as in DevTools.
    assert_eq!(p.frames[p.nodes[0].frame as usize].name, "iojs");
    let lines = folded_with(&p, Weight::Time);
    assert!(lines.iter().all(|l| l.starts_with("uv_run;")), "{lines:?}");
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
    assert!(lines.iter().any(|l| l.starts_with(
        "node::CreateEnvironment(v8::Isolate*, v8::Handle<v8::Context>, int, char const* const*, int, char const* const*);"
    )));
    assert!(
        !lines.iter().any(|l| l.starts_with("node;")),
        "the head `node` is not drawn"
    );
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

/// Per sample, the function names from the root's child to the sampled node,
/// by DevTools' `CPUProfileDataModel` read literally (its legacy path): the
/// tree flattened depth-first, an id map where the last node of an id wins,
/// the tree rebuilt from the head through that map, then a stack walk (last
/// child popped first) mapping each id to the node it reaches last. The head
/// is the root and has no frame.
fn devtools_stacks(json: &serde_json::Value) -> Vec<Vec<String>> {
    fn flatten<'a>(n: &'a serde_json::Value, out: &mut Vec<&'a serde_json::Value>) {
        out.push(n);
        for c in n["children"].as_array().into_iter().flatten() {
            flatten(c, out);
        }
    }
    let mut nodes = Vec::new();
    flatten(&json["head"], &mut nodes);
    let id = |n: &serde_json::Value| n["id"].as_u64().unwrap();
    let by_id: std::collections::HashMap<u64, &serde_json::Value> =
        nodes.iter().map(|n| (id(n), *n)).collect();
    // The rebuilt tree: (source node, parent index).
    let mut tree: Vec<(&serde_json::Value, Option<usize>)> = vec![(nodes[0], None)];
    let mut kids: Vec<Vec<usize>> = vec![Vec::new()];
    let mut i = 0;
    while i < tree.len() {
        for c in tree[i].0["children"].as_array().into_iter().flatten() {
            let resolved = by_id[&id(c)];
            tree.push((resolved, Some(i)));
            kids.push(Vec::new());
            let k = tree.len() - 1;
            kids[i].push(k);
        }
        i += 1;
    }
    let mut id_to_node = std::collections::HashMap::new();
    let mut stack = vec![0usize];
    while let Some(e) = stack.pop() {
        id_to_node.insert(id(tree[e].0), e);
        stack.extend(kids[e].iter().copied());
    }
    json["samples"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let mut e = id_to_node[&s.as_u64().unwrap()];
            let mut names = Vec::new();
            while let Some(parent) = tree[e].1 {
                names.push(tree[e].0["functionName"].as_str().unwrap().to_string());
                e = parent;
            }
            names.reverse();
            names
        })
        .collect()
}

/// Per sample, the function names cpuflame's model gives it, root excluded.
fn model_stacks(p: &Profile) -> Vec<Vec<String>> {
    p.samples
        .iter()
        .map(|&n| {
            let mut names = Vec::new();
            let mut i = n;
            while i != 0 && i != NONE {
                let node = &p.nodes[i as usize];
                names.push(p.frames[node.frame as usize].name.clone());
                i = node.parent;
            }
            names.reverse();
            names
        })
        .collect()
}

#[test]
fn cpuprofilify_files_match_devtools_head_and_repeated_ids() {
    for name in [
        "cpuprofilify__dtrace.resolved.cpuprofile",
        "cpuprofilify__perf-script.cpuprofile",
    ] {
        let Some(f) = corpus(name) else {
            return;
        };
        let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&f).unwrap()).unwrap();
        let (p, _) = import(&f);
        let expected = devtools_stacks(&json);
        assert_eq!(model_stacks(&p), expected, "{name}");
        // The head (`iojs`, `node`) is in no drawn stack.
        let head = json["head"]["functionName"].as_str().unwrap();
        assert!(expected
            .iter()
            .all(|s| s.first().map(String::as_str) != Some(head)));
    }
}

#[test]
fn repeated_ids_follow_devtools() {
    // id 5 is used twice: under a (first) and under b (last). DevTools looks
    // children up by id, so both a and b get the last node 5 (`late`, with
    // its child 6), and a sample on 5 lands on the copy under a, the node its
    // stack walk reaches last. A sample on the head's id is a gap.
    let text = r#"{"startTime":0,"endTime":0.006,"samples":[5,6,2,1,3,6],
      "head":{"functionName":"main","id":1,"children":[
        {"functionName":"a","id":2,"children":[{"functionName":"early","id":5}]},
        {"functionName":"b","id":3,"children":[{"functionName":"late","id":5,"children":[
          {"functionName":"leaf","id":6}]}]}]}}"#;
    let (p, w) = import_str(text);
    let p = p.unwrap();
    assert!(
        w[0].contains("1 nodes repeat an id already used (first: id 5)"),
        "{w:?}"
    );
    let json: serde_json::Value = serde_json::from_str(text).unwrap();
    let expected = devtools_stacks(&json);
    assert_eq!(
        expected,
        [
            vec!["a", "late"],
            vec!["a", "late", "leaf"],
            vec!["a"],
            vec![],
            vec!["b"],
            vec!["a", "late", "leaf"],
        ]
    );
    assert_eq!(model_stacks(&p), expected);
    let lines = folded_with(&p, Weight::Samples);
    assert!(!lines.iter().any(|l| l.contains("early")), "{lines:?}");
    assert!(!lines.iter().any(|l| l.starts_with("main")), "{lines:?}");
}

#[test]
fn ids_repeating_without_end_are_bounded() {
    // Each level's two children share the next level's id: DevTools' rebuilt
    // tree doubles at every level (2^40 nodes). An error, not a hang.
    let depth = 40;
    let mut text = String::from(r#"{"startTime":0,"endTime":1,"samples":[1],"head":"#);
    for level in 0..depth {
        text.push_str(&format!(
            r#"{{"functionName":"f{level}","id":{level},"children":[{{"functionName":"x","id":{},"children":[]}},"#,
            level + 1
        ));
    }
    text.push_str(r#"{"functionName":"end","id":99}"#);
    text.push_str(&"]}".repeat(depth));
    text.push('}');
    let (r, _) = import_str(&text);
    let e = r.expect_err("an error").to_string();
    assert!(
        e.contains("repeated node ids make the call tree repeat itself"),
        "{e}"
    );
}
