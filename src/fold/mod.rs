//! The fold: profiles in, weighted stacks out.
//!
//! [`fold`] walks each profile's timeline once. Every sample is mapped to a
//! node of the merged [`StackTree`] (labels, not node ids, decide identity),
//! its weight added there, and, for flame charts, appended to a run of
//! consecutive identical stacks. Synthetic frames follow DevTools:
//! - a `(root)` sample is a gap: no frame, no weight;
//! - `(idle)` and `(program)` are root-level frames (the flame graph leaves
//!   `(idle)` out unless asked; the chart keeps it so its time axis stays true);
//! - `(garbage collector)` goes on top of the previous non-GC sample's stack.

pub mod label;
pub mod stacks;
pub mod timeline;

pub use label::{Category, LabelTable, UrlShortener};
pub use stacks::StackTree;
pub use timeline::{Timed, TimelineStats, Weight};

use crate::model::{FrameKind, Profile, SourceInfo, Warnings, NONE};

/// What to fold and how.
#[derive(Debug, Clone, Default)]
pub struct FoldOptions {
    /// Microseconds (default) or sample counts.
    pub weight: Weight,
    /// Keep `(idle)` samples. Off by default for flame graphs: idle is not CPU time.
    pub keep_idle: bool,
    /// Record runs of consecutive identical stacks, in time order, for flame charts.
    pub runs: bool,
    /// Fold all sources together, with no root frame per source.
    pub merge: bool,
}

/// A run of consecutive samples with the same stack.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Run {
    /// Stack in the merged tree.
    pub stack: u32,
    /// Summed weight.
    pub weight: f64,
    /// When the run starts, µs (in the source's own clock).
    pub start: f64,
}

/// What the fold learned about one source, for titles, subtitles and `--list`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SourceSummary {
    /// The source's name.
    pub name: String,
    /// Who recorded it (pid, tid, file, clock domain): `--list` and the banded
    /// flame chart need these after the profiles themselves are dropped.
    pub info: SourceInfo,
    /// Timeline facts.
    pub timeline: TimelineStats,
    /// Weight drawn (after leaving out idle when asked).
    pub drawn: f64,
    /// Weight of `(idle)` samples (drawn or not).
    pub idle: f64,
    /// Weight of `(program)` samples.
    pub program: f64,
    /// Weight of `(garbage collector)` samples.
    pub gc: f64,
    /// Weight of `(root)` samples: gaps.
    pub gaps: f64,
    /// Weight of samples skipped because their node was unknown or unreachable.
    pub skipped: f64,
    /// Whether any sample had a JavaScript (non-synthetic) frame.
    pub has_js: bool,
    /// Runs for the flame chart, in time order.
    pub runs: Vec<Run>,
}

/// The folded result of a run: merged stacks and a summary per source.
#[derive(Debug, Clone, Default)]
pub struct Folded {
    /// Every label used.
    pub labels: LabelTable,
    /// Merged stacks with their self weights.
    pub tree: StackTree,
    /// One per input source, in input order.
    pub sources: Vec<SourceSummary>,
    /// The weight unit.
    pub weight: Weight,
}

impl Folded {
    /// Total weight drawn.
    pub fn total(&self) -> f64 {
        self.sources.iter().map(|s| s.drawn).sum()
    }
}

/// Fold profiles into weighted stacks.
pub fn fold(profiles: &[Profile], opts: &FoldOptions, warnings: &mut Warnings) -> Folded {
    let urls = UrlShortener::new(profiles);
    let mut out = Folded {
        weight: opts.weight,
        ..Folded::default()
    };
    let with_roots = profiles.len() > 1 && !opts.merge;
    for profile in profiles {
        let summary = fold_one(profile, opts, &urls, with_roots, &mut out);
        if !summary.has_js && summary.timeline.samples > 0 {
            warnings.push(
                &profile.source.file,
                "the runtime recorded no JavaScript stacks: every sample is (program), (idle), \
                 (garbage collector) or empty; the profiler may have sampled the wrong thread \
                 (old workerd builds did this)",
            );
        }
        warnings.count(&profile.source.file, summary.timeline.reordered, |c| {
            format!("{c} samples were out of time order (negative timeDeltas) and were sorted by time, as DevTools does")
        });
        out.sources.push(summary);
    }
    out
}

fn fold_one(
    profile: &Profile,
    opts: &FoldOptions,
    urls: &UrlShortener,
    with_root: bool,
    out: &mut Folded,
) -> SourceSummary {
    let tree = &mut out.tree;
    let labels = &mut out.labels;
    let base = if with_root {
        let l = labels.intern(&label::sanitize(&profile.source.name), Category::Source);
        tree.child(StackTree::ROOT, l)
    } else {
        StackTree::ROOT
    };
    // Label of every frame, then the merged stack of every node (parents first).
    let frame_labels: Vec<u32> = profile
        .frames
        .iter()
        .map(|f| labels.intern(&label::frame_label(f, urls), Category::of_frame(f)))
        .collect();
    let mut stack_of = vec![base; profile.nodes.len()];
    for (i, node) in profile.nodes.iter().enumerate().skip(1) {
        let parent = stack_of[node.parent as usize];
        stack_of[i] = tree.child(parent, frame_labels[node.frame as usize]);
    }
    let gc_label = labels.intern("(garbage collector)", Category::Gc);
    let idle = profile.meta_node(FrameKind::Idle).unwrap_or(NONE);
    let program = profile.meta_node(FrameKind::Program).unwrap_or(NONE);
    let gc = profile.meta_node(FrameKind::Gc).unwrap_or(NONE);

    let mut summary = SourceSummary {
        name: profile.source.name.clone(),
        info: profile.source.clone(),
        ..SourceSummary::default()
    };

    if let Some(hits) = &profile.hit_counts {
        // No samples, only hit counts: weigh nodes by hits (legacy tree semantics).
        let total_hits: f64 = hits.iter().sum();
        let per_hit = match opts.weight {
            Weight::Time if total_hits > 0.0 => {
                (profile.end_time - profile.start_time).max(0.0) / total_hits
            }
            _ => 1.0,
        };
        for (i, &h) in hits.iter().enumerate().skip(1) {
            let w = h * per_hit;
            if w <= 0.0 {
                continue;
            }
            let kind = profile.frames[profile.nodes[i].frame as usize].kind;
            tally(&mut summary, i as u32, idle, program, gc, w);
            if !kind.is_synthetic() {
                summary.has_js = true;
            }
            if i as u32 == idle && !opts.keep_idle {
                continue;
            }
            tree.add(stack_of[i], w);
            summary.drawn += w;
        }
        return summary;
    }

    let (samples, stats) = timeline::timeline(profile, opts.weight);
    summary.timeline = stats;
    let mut last_non_gc: u32 = NONE;
    for s in &samples {
        let node = s.node;
        if node == NONE {
            summary.skipped += s.weight;
            continue;
        }
        tally(&mut summary, node, idle, program, gc, s.weight);
        let stack = if node == 0 {
            // A (root) sample: a gap.
            last_non_gc = 0;
            continue;
        } else if node == gc {
            let under = if last_non_gc == NONE || (last_non_gc == idle && !opts.keep_idle) {
                base
            } else {
                stack_of[last_non_gc as usize]
            };
            tree.child(under, gc_label)
        } else {
            last_non_gc = node;
            if node == idle && !opts.keep_idle {
                continue;
            }
            if node != program && node != idle {
                summary.has_js |= !profile.frames[profile.nodes[node as usize].frame as usize]
                    .kind
                    .is_synthetic();
            }
            stack_of[node as usize]
        };
        tree.add(stack, s.weight);
        summary.drawn += s.weight;
        if opts.runs {
            match summary.runs.last_mut() {
                Some(r) if r.stack == stack => r.weight += s.weight,
                _ => summary.runs.push(Run {
                    stack,
                    weight: s.weight,
                    start: s.time,
                }),
            }
        }
    }
    summary
}

fn tally(s: &mut SourceSummary, node: u32, idle: u32, program: u32, gc: u32, w: f64) {
    if node == 0 {
        s.gaps += w;
    } else if node == idle {
        s.idle += w;
    } else if node == program {
        s.program += w;
    } else if node == gc {
        s.gc += w;
    }
}
