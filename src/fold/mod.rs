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
pub mod lines;
pub mod policy;
pub mod stacks;
pub mod timeline;
pub mod transform;

pub use label::{Category, LabelTable, UrlShortener};
pub use policy::{Gaps, Policy, Window};
pub use stacks::StackTree;
pub use timeline::{Timed, TimelineStats, Weight};
pub use transform::Transforms;

use crate::model::{MetaNodes, Profile, SourceInfo, Warnings, NONE};

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
    /// Stack transforms (`--include`, `--focus`, `--hide`, …).
    pub transforms: Transforms,
    /// Synthetic frames, time window, gaps.
    pub policy: Policy,
    /// Split self time by source line (`fn:LINE` child frames).
    pub lines: bool,
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
    /// Who recorded it, and its name (pid, tid, file, clock domain): `--list` and the banded
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
    /// Samples (wholly or partly) inside `--from`/`--to`.
    pub window_samples: usize,
    /// Time in sampling gaps beyond 10 × the median interval, µs.
    pub long_gaps: f64,
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
    /// The policy the fold applied (window, synthetic frames, gaps), for subtitles.
    pub policy: Policy,
    /// Remarks about the data that are not repairs (so not errors under
    /// `--strict`), e.g. long sampling gaps: `(input, message)`.
    pub notes: Vec<(String, String)>,
}

impl Folded {
    /// Total weight drawn.
    pub fn total(&self) -> f64 {
        self.sources.iter().map(|s| s.drawn).sum()
    }
}

/// Fold profiles into weighted stacks.
pub fn fold(profiles: &[Profile], opts: &FoldOptions, warnings: &mut Warnings) -> Folded {
    fold_with_urls(profiles, opts, warnings, &UrlShortener::new(profiles))
}

/// [`fold`], with script URLs shortened by `urls` (shared by the two sides
/// of a `--diff`, so that both name every script alike).
pub fn fold_with_urls(
    profiles: &[Profile],
    opts: &FoldOptions,
    warnings: &mut Warnings,
    urls: &UrlShortener,
) -> Folded {
    let mut out = Folded {
        weight: opts.weight,
        policy: opts.policy,
        ..Folded::default()
    };
    let with_roots = profiles.len() > 1 && !opts.merge;
    let origins = policy::origins(profiles);
    // Raw stacks as recorded; the mapper turns them into `out.tree`'s stacks.
    let mut raw = StackTree::new();
    let mut mapper = transform::Mapper::new(&opts.transforms);
    let mut frame_labels = rustc_hash::FxHashMap::default();
    for (profile, &origin) in profiles.iter().zip(&origins) {
        let mut ctx = Ctx {
            raw: &mut raw,
            mapper: &mut mapper,
            origin,
            frame_labels: &mut frame_labels,
        };
        crate::memory::reading(&profile.source.file);
        let meta = profile.meta_nodes();
        let summary = fold_one(profile, meta, opts, urls, with_roots, &mut ctx, &mut out);
        let who = source_label(&profile.source);
        if !summary.has_js && summary.timeline.samples > 0 {
            warnings.push(
                &who,
                "the runtime recorded no JavaScript stacks: every sample is (program), (idle), \
                 (garbage collector) or empty; the profiler may have sampled the wrong thread \
                 (old workerd builds did this)",
            );
        }
        warnings.count(&who, summary.timeline.reordered, |c| {
            format!("{c} samples were out of time order (negative timeDeltas) and were sorted by time, as DevTools does")
        });
        let span = summary.timeline.end - summary.timeline.first;
        // Only runtimes that record no idle samples (Bun, workerd) leave idle
        // time in gaps; a profile with an (idle) node has its long gaps for
        // other reasons (a busy sampler thread), not worth a note.
        let samples_idle = meta.idle != NONE;
        if !samples_idle && span > 0.0 && summary.long_gaps > policy::GAP_NOTE_SHARE * span {
            let share = 100.0 * summary.long_gaps / span;
            out.notes.push((who.clone(), format!(
                "{share:.0}% of the time lies in sampling gaps longer than {} median intervals \
                 (the runtime takes no samples while idle?); {}",
                policy::GAP_FACTOR,
                match opts.policy.gaps {
                    Gaps::Keep => "they are charged to the stack sampled before each gap, as DevTools does; --gaps=idle charges them to (idle)",
                    Gaps::Idle => "they are charged to (idle)",
                }
            )));
        }
        out.sources.push(summary);
    }
    if mapper.is_identity() {
        out.tree = raw;
    }
    out
}

/// A source as warnings name it: its file, and the thread when the file's
/// name does not already say it (`trace.json (CrRendererMain (pid 775))`), so
/// a warning about one thread of a trace says which.
pub fn source_label(source: &SourceInfo) -> String {
    if source.name.is_empty() || source.file.ends_with(&source.name) {
        source.file.clone()
    } else {
        format!("{} ({})", source.file, source.name)
    }
}

/// What the fold of one source shares with the others.
struct Ctx<'a, 'p> {
    raw: &'a mut StackTree,
    mapper: &'a mut transform::Mapper,
    origin: f64,
    /// Label and category of every distinct call frame met so far: the
    /// sources of a merge (300 files of one program) repeat the same frames,
    /// whose labels are then made once, not once per source.
    frame_labels: &'a mut rustc_hash::FxHashMap<&'p crate::model::CallFrame, (u32, Category)>,
}

/// Map raw stack `raw_stack` through the transforms and add `w` to it; the
/// output stack, or `None` when the transforms drop it.
fn emit(ctx: &mut Ctx<'_, '_>, out: &mut Folded, raw_stack: u32, w: f64) -> Option<u32> {
    if ctx.mapper.is_identity() {
        // No transforms: the raw tree is the output tree (moved there at the end).
        if raw_stack == StackTree::ROOT {
            return None;
        }
        ctx.raw.add(raw_stack, w);
        return Some(raw_stack);
    }
    let stack = ctx
        .mapper
        .map(ctx.raw, &mut out.tree, &out.labels, raw_stack)?;
    out.tree.add(stack, w);
    Some(stack)
}

fn fold_one<'p>(
    profile: &'p Profile,
    meta: MetaNodes,
    opts: &FoldOptions,
    urls: &UrlShortener,
    with_root: bool,
    ctx: &mut Ctx<'_, 'p>,
    out: &mut Folded,
) -> SourceSummary {
    let base = if with_root {
        let l = out
            .labels
            .intern(&label::sanitize(&profile.source.name), Category::Source);
        ctx.mapper.set_source(l);
        ctx.raw.child(StackTree::ROOT, l)
    } else {
        StackTree::ROOT
    };
    // Label of every frame, then the raw stack of every node (parents first).
    let frame_labels: Vec<u32> = profile
        .frames
        .iter()
        .map(|f| {
            let (l, category) = *ctx.frame_labels.entry(f).or_insert_with(|| {
                let category = Category::of_frame(f);
                (
                    out.labels.intern(&label::frame_label(f, urls), category),
                    category,
                )
            });
            if opts.transforms.fold_packages && category == Category::Dependency {
                if let Some(pkg) = label::package_of(&f.url) {
                    let p = out
                        .labels
                        .intern(&label::sanitize(pkg), Category::Dependency);
                    ctx.mapper.set_package(l, p);
                }
            }
            l
        })
        .collect();
    ctx.raw.reserve(profile.nodes.len());
    let mut stack_of = vec![base; profile.nodes.len()];
    for (i, node) in profile.nodes.iter().enumerate().skip(1) {
        let parent = stack_of[node.parent as usize];
        stack_of[i] = ctx.raw.child(parent, frame_labels[node.frame as usize]);
    }
    let gc_label = out.labels.intern("(garbage collector)", Category::Gc);
    let MetaNodes { program, idle, gc } = meta;
    let pol = &opts.policy;
    // Whether a sample on `node` is left out by the policy or --idle.
    let left_out = |node: u32| {
        (node == idle && !opts.keep_idle)
            || (node == program && pol.no_program)
            || (node == gc && pol.no_gc)
    };

    let mut summary = SourceSummary {
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
            if left_out(i as u32) {
                continue;
            }
            if emit(ctx, out, stack_of[i], w).is_some() {
                summary.drawn += w;
            }
        }
        return summary;
    }

    let (samples, stats) = timeline::timeline(profile, meta, opts.weight);
    summary.timeline = stats;
    let plan = policy::Plan::new(pol, &samples, ctx.origin, opts.weight);
    let mut splitter = opts.lines.then(|| lines::LineSplitter::new(profile));
    let mut line_split: Vec<(u32, f64)> = Vec::new();
    // `(idle)` for the idle part of long gaps: the profile's own, else a new root-level frame.
    let gap_idle = if idle != NONE {
        stack_of[idle as usize]
    } else {
        let l = out.labels.intern("(idle)", Category::Idle);
        ctx.raw.child(base, l)
    };
    let mut last_non_gc: u32 = NONE;
    for s in &samples {
        let node = s.node;
        if node == NONE {
            summary.skipped += s.weight;
            continue;
        }
        summary.long_gaps += plan.excess(s);
        // The raw stack of this sample, or None for a (root) gap.
        let raw_stack = if node == 0 {
            last_non_gc = 0;
            None
        } else if node == gc {
            let under = if !pol.gc_on_stack
                || last_non_gc == NONE
                || (last_non_gc == idle && !opts.keep_idle)
            {
                base
            } else {
                stack_of[last_non_gc as usize]
            };
            Some(ctx.raw.child(under, gc_label))
        } else {
            last_non_gc = node;
            summary.has_js |= !profile.frames[profile.nodes[node as usize].frame as usize]
                .kind
                .is_synthetic();
            Some(stack_of[node as usize])
        };
        let (pieces, n) = plan.pieces(s);
        for piece in &pieces[..n] {
            let w = piece.weight;
            let raw_stack = if piece.gap {
                Some(gap_idle)
            } else {
                summary.window_samples += 1;
                raw_stack
            };
            if piece.gap {
                summary.idle += w;
            } else {
                tally(&mut summary, node, idle, program, gc, w);
            }
            let Some(raw_stack) = raw_stack else {
                continue; // a (root) sample: a gap, no frame, no weight
            };
            if (piece.gap && !opts.keep_idle) || (!piece.gap && left_out(node)) {
                continue;
            }
            // --lines: the function's self time split over line frames.
            if let Some(sp) = splitter.as_mut().filter(|_| !piece.gap && node != gc) {
                sp.split(
                    profile,
                    node,
                    s.index,
                    &mut out.labels,
                    ctx.mapper,
                    &mut line_split,
                );
            } else {
                line_split.clear();
            }
            let mut shown = None;
            let mut rest = w;
            for &(line, share) in &line_split {
                let lw = w * share;
                let line_stack = ctx.raw.child(raw_stack, line);
                if let Some(st) = emit(ctx, out, line_stack, lw) {
                    summary.drawn += lw;
                    shown = shown.or(Some(st));
                }
                rest -= lw;
            }
            if line_split.is_empty() {
                if let Some(st) = emit(ctx, out, raw_stack, w) {
                    summary.drawn += w;
                    shown = Some(st);
                }
            } else if rest.abs() > 1e-9 * w.abs().max(1.0) {
                // Rounding left-overs stay on the function.
                if let Some(st) = emit(ctx, out, raw_stack, rest) {
                    summary.drawn += rest;
                    shown = shown.or(Some(st));
                }
            }
            let Some(stack) = shown else {
                continue;
            };
            if opts.runs {
                // Runs follow the function (a chart is not split by line).
                let stack = if line_split.is_empty() {
                    stack
                } else {
                    match ctx
                        .mapper
                        .map(ctx.raw, &mut out.tree, &out.labels, raw_stack)
                    {
                        Some(st) => st,
                        None => stack,
                    }
                };
                // A run is a span of time: samples left out between two
                // (idle, a (root) gap) end it, so that it can be clipped to a window.
                let time = opts.weight == Weight::Time;
                match summary.runs.last_mut() {
                    Some(r)
                        if r.stack == stack
                            && (!time
                                || (r.start + r.weight - piece.start).abs()
                                    <= 1e-9 * piece.start.abs().max(1.0)) =>
                    {
                        r.weight += w
                    }
                    _ => summary.runs.push(Run {
                        stack,
                        weight: w,
                        start: piece.start,
                    }),
                }
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
