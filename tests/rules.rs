//! The core issue's weight rules, one test each, on tiny hand-made profiles
//! whose expected folded text is written out here.

mod common;

use common::{cdp, cdp_with_end, fold_text, folded_text, folded_with};
use cpuflame::fold::{FoldOptions, Weight};

const ROOT: u64 = 1;

/// root(1) -> main(2) -> { a(3), b(4) }, plus (program) 5, (idle) 6, (garbage collector) 7,
/// and other(8) as a second bottom frame with child c(9).
fn tree() -> Vec<(u64, &'static str, &'static [u64])> {
    vec![
        (ROOT, "(root)", &[2, 5, 6, 7, 8]),
        (2, "main", &[3, 4]),
        (3, "a", &[]),
        (4, "b", &[]),
        (5, "(program)", &[]),
        (6, "(idle)", &[]),
        (7, "(garbage collector)", &[]),
        (8, "other", &[9]),
        (9, "c", &[]),
    ]
}

#[test]
fn rule1_times_are_running_sums_of_deltas() {
    // t = 1000, 1010, 1040: a lasts 10, b 30, the last a the mean interval 20.
    let p = cdp(&tree(), &[3, 4, 3], &[1000, 10, 30]);
    assert_eq!(folded_text(&p), "main;a 30\nmain;b 30\n");
}

#[test]
fn rule2_negative_deltas_are_sorted_not_clamped() {
    // t = 100, 150, 130 -> sorted a@100, a@130, b@150.
    // a: 30 + 20, b: the mean interval (150-100)/2 = 25.
    let p = cdp(&tree(), &[3, 4, 3], &[100, 50, -20]);
    assert_eq!(folded_text(&p), "main;a 50\nmain;b 25\n");
    // Clamping (speedscope) would have given b 0 and a different total.
    let (_, warnings) = fold_text(&p, &FoldOptions::default());
    assert!(
        warnings.iter().any(|w| w.contains("out of time order")),
        "reordering is reported"
    );
}

#[test]
fn rule2_equal_times_keep_recorded_order() {
    // Stable sort: a and b at the same time keep their order; a lasts 0.
    let p = cdp(&tree(), &[3, 4, 3], &[100, 0, 10]);
    assert_eq!(folded_text(&p), "main;a 5\nmain;b 10\n");
}

#[test]
fn rule3_last_sample_lasts_the_mean_interval() {
    // t = 0, 100, 400: mean interval 200.
    let p = cdp(&tree(), &[3, 3, 4], &[0, 100, 300]);
    assert_eq!(folded_text(&p), "main;a 400\nmain;b 200\n");
}

#[test]
fn rule3_single_sample_lasts_until_end_time() {
    let p = cdp_with_end(&tree(), &[3], &[250], 1000);
    assert_eq!(folded_text(&p), "main;a 750\n");
    // Never below zero when endTime is before the sample.
    let p = cdp_with_end(&tree(), &[3], &[2000], 1000);
    assert_eq!(folded_text(&p), "");
}

#[test]
fn rule3_time_before_the_first_sample_is_not_counted() {
    let p = cdp(&tree(), &[3, 3], &[1_000_000, 10]);
    assert_eq!(folded_text(&p), "main;a 20\n");
}

#[test]
fn rule3_weights_round_per_line_not_per_sample() {
    // Three samples of 0.4 µs each would round to 0 one by one; together 1.2 -> 1.
    // t = 0, 0.4, 0.8, 1.2 ... use fractional deltas through a hand-written profile.
    let p = r#"{"nodes":[{"id":1,"callFrame":{"functionName":"(root)","url":""},"children":[2]},
        {"id":2,"callFrame":{"functionName":"f","url":""}}],
        "startTime":0,"endTime":2,"samples":[2,2,2],"timeDeltas":[0,0.4,0.4]}"#;
    assert_eq!(folded_text(p), "f 1\n");
}

#[test]
fn rule4_root_samples_are_gaps() {
    // a@0 (10), root@10 (10: dropped), b@20 (mean 10).
    let p = cdp(&tree(), &[3, ROOT, 4], &[0, 10, 10]);
    assert_eq!(folded_text(&p), "main;a 10\nmain;b 10\n");
    let (f, _) = fold_text(&p, &FoldOptions::default());
    assert_eq!(f.sources[0].gaps, 10.0);
}

#[test]
fn rule5_idle_and_program_are_top_level_frames() {
    let p = cdp(&tree(), &[3, 6, 5, 9], &[0, 10, 20, 40]);
    // t = 0, 10, 30, 70: a 10, idle 20, program 40 (its neighbours are not
    // ordinary frames under one bottom), c the mean interval 70/3.
    assert_eq!(folded_text(&p), "(program) 40\nmain;a 10\nother;c 23\n");
    let keep = FoldOptions {
        keep_idle: true,
        ..FoldOptions::default()
    };
    assert_eq!(
        folded_with(&p, &keep),
        "(idle) 20\n(program) 40\nmain;a 10\nother;c 23\n"
    );
}

#[test]
fn rule5_isolated_program_between_same_bottom_takes_previous_stack() {
    // a, (program), b: both neighbours under main -> (program) becomes a.
    let p = cdp(&tree(), &[3, 5, 4], &[0, 10, 10]);
    assert_eq!(folded_text(&p), "main;a 20\nmain;b 10\n");
}

#[test]
fn rule5_program_runs_and_different_bottoms_stay() {
    // Two (program) samples in a row are not repaired.
    let p = cdp(&tree(), &[3, 5, 5, 4], &[0, 10, 10, 10]);
    assert_eq!(folded_text(&p), "(program) 20\nmain;a 10\nmain;b 10\n");
    // Neighbours under different bottom frames: not repaired.
    let p = cdp(&tree(), &[3, 5, 9], &[0, 10, 10]);
    assert_eq!(folded_text(&p), "(program) 10\nmain;a 10\nother;c 10\n");
    // A neighbour that is itself synthetic: not repaired.
    let p = cdp(&tree(), &[6, 5, 3], &[0, 10, 10]);
    assert_eq!(folded_text(&p), "(program) 10\nmain;a 10\n");
}

#[test]
fn rule6_gc_goes_on_top_of_the_previous_non_gc_stack() {
    // a, gc, gc, b: GC runs on top of main;a; a is not split.
    let p = cdp(&tree(), &[3, 7, 7, 4], &[0, 10, 10, 10]);
    assert_eq!(
        folded_text(&p),
        "main;a 10\nmain;a;(garbage collector) 20\nmain;b 10\n"
    );
    // GC first, or after a gap, stands alone.
    let p = cdp(&tree(), &[7, 3, ROOT, 7, 4], &[0, 10, 10, 10, 10]);
    assert_eq!(
        folded_text(&p),
        "(garbage collector) 20\nmain;a 10\nmain;b 10\n"
    );
}

#[test]
fn rule6_gc_after_idle_is_kept_when_idle_is_left_out() {
    // GC interrupting idle is CPU time: drawn at the root when (idle) is hidden,
    // on top of (idle) when it is kept (DevTools).
    let p = cdp(&tree(), &[6, 7, 3], &[0, 10, 10]);
    assert_eq!(folded_text(&p), "(garbage collector) 10\nmain;a 10\n");
    let keep = FoldOptions {
        keep_idle: true,
        ..FoldOptions::default()
    };
    assert_eq!(
        folded_with(&p, &keep),
        "(idle) 10\n(idle);(garbage collector) 10\nmain;a 10\n"
    );
}

#[test]
fn rule7_parent_links_are_used_when_the_root_has_no_children() {
    let p = r#"{"nodes":[
        {"id":1,"callFrame":{"functionName":"(root)","url":""}},
        {"id":2,"parent":1,"callFrame":{"functionName":"main","url":""}},
        {"id":3,"parent":2,"callFrame":{"functionName":"a","url":""}}],
        "startTime":0,"endTime":0,"samples":[3,2],"timeDeltas":[0,10]}"#;
    assert_eq!(folded_text(p), "main 10\nmain;a 10\n");
}

#[test]
fn rule7_unknown_and_unreachable_samples_are_skipped_with_one_warning() {
    let mut nodes = tree();
    nodes.push((42, "orphan", &[]));
    let p = cdp(&nodes, &[3, 999, 999, 42, 4], &[0, 10, 10, 10, 10]);
    let (f, warnings) = fold_text(&p, &FoldOptions::default());
    // DevTools would stop at the first unknown id; we skip it and go on.
    let text = common::lines(cpuflame::export::folded::graph_lines(&f));
    assert_eq!(text, "main;a 10\nmain;b 10\n");
    let all: Vec<&str> = warnings.iter().collect();
    assert!(
        all.iter().any(|w| w.contains(
            "skipped 2 samples naming node ids that are not in the profile (first: id 999)"
        )),
        "{all:?}"
    );
    assert!(
        all.iter()
            .any(|w| w.contains("skipped 1 samples on nodes not reachable")),
        "{all:?}"
    );
    assert_eq!(f.sources[0].skipped, 30.0);
}

#[test]
fn rule8_identical_stacks_merge_whatever_their_node_ids() {
    // Two sibling nodes with the same call frame, and the same function reached
    // through two node ids: one folded line each.
    let nodes: Vec<(u64, &str, &[u64])> = vec![
        (1, "(root)", &[2, 3]),
        (2, "main", &[4]),
        (3, "main", &[5]),
        (4, "a", &[]),
        (5, "a", &[]),
    ];
    let p = cdp(&nodes, &[4, 5, 2, 3], &[0, 10, 10, 10]);
    assert_eq!(folded_text(&p), "main 20\nmain;a 20\n");
}

#[test]
fn sample_weight_mode_counts_samples() {
    let p = cdp(&tree(), &[3, 3, 4, 6], &[0, 100, 300, 5]);
    let opts = FoldOptions {
        weight: Weight::Samples,
        ..FoldOptions::default()
    };
    assert_eq!(folded_with(&p, &opts), "main;a 2\nmain;b 1\n");
}

#[test]
fn chart_runs_are_chronological_and_keep_idle() {
    let p = cdp(&tree(), &[3, 3, 6, 4, 3], &[0, 10, 10, 10, 10]);
    let opts = FoldOptions {
        keep_idle: true,
        runs: true,
        ..FoldOptions::default()
    };
    let (f, _) = fold_text(&p, &opts);
    let text = common::lines(cpuflame::export::folded::chart_lines(&f));
    assert_eq!(text, "main;a 20\n(idle) 10\nmain;b 10\nmain;a 10\n");
}

#[test]
fn devtools_worked_example_from_formats_md() {
    // speedscope's Chrome 65 simple.cpuprofile: DevTools 35 571.6 µs.
    let Some(dir) = common::corpus() else { return };
    let text =
        std::fs::read_to_string(dir.join("speedscope__Chrome_65_simple.cpuprofile")).unwrap();
    assert_eq!(
        folded_text(&text),
        "(anonymous) 1060\n(anonymous);a;b;d 17002\n(anonymous);a;c;d 17510\n"
    );
}
