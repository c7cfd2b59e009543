//! Folded stacks: `frame;frame;frame WEIGHT`, root first, one line per stack.
//!
//! The flame graph lines are sorted (as flamegraph.pl and inferno sort them),
//! each stack once with its self weight. The flame chart lines are the runs of
//! consecutive identical stacks in time order, earliest first. Weights are
//! rounded per line, not per sample; lines that round to 0 are left out.

use crate::fold::{Folded, StackTree};

fn round(w: f64) -> u64 {
    if w.is_finite() && w > 0.0 {
        w.round() as u64
    } else {
        0
    }
}

/// The flame graph's lines: every stack with self weight, sorted by stack text.
pub fn graph_lines(folded: &Folded) -> Vec<String> {
    let tree = &folded.tree;
    let mut scratch = Vec::new();
    let mut lines = Vec::new();
    for (id, node) in tree.nodes().iter().enumerate().skip(1) {
        let w = round(node.weight);
        if w == 0 {
            continue;
        }
        let mut s = String::new();
        tree.write_path(id as u32, &folded.labels, &mut scratch, &mut s);
        s.push(' ');
        s.push_str(&w.to_string());
        lines.push(s);
    }
    lines.sort_unstable();
    lines
}

/// The flame chart's lines: runs in time order, earliest first, source after source.
pub fn chart_lines(folded: &Folded) -> Vec<String> {
    let tree: &StackTree = &folded.tree;
    let mut scratch = Vec::new();
    let mut lines = Vec::new();
    for source in &folded.sources {
        for run in &source.runs {
            let w = round(run.weight);
            if w == 0 {
                continue;
            }
            let mut s = String::new();
            tree.write_path(run.stack, &folded.labels, &mut scratch, &mut s);
            s.push(' ');
            s.push_str(&w.to_string());
            lines.push(s);
        }
    }
    lines
}
