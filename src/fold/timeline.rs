//! From recorded samples to a timeline: which node, for how long.
//!
//! This is where Chrome DevTools' arithmetic lives (FORMATS.md §2.1–2.2, the
//! core issue's rules 1–5):
//! 1. sample times are the running sum of `timeDeltas` from `startTime`;
//! 2. samples are stable-sorted by time (negative deltas are real: re-sorting,
//!    not clamping, is what DevTools does);
//! 3. an isolated `(program)` sample between two samples with the same bottom
//!    frame takes the previous sample's node (`fixMissingSamples`);
//! 4. sample i lasts until sample i+1; the last one lasts the mean interval
//!    `(t[n-1] - t[0]) / (n-1)`, or `endTime - t[0]` when it is alone.
//!    Time before the first sample is not counted.

use crate::model::{MetaNodes, Profile, Timing, NONE};

/// How to weigh a sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Weight {
    /// Microseconds of the sample's duration (DevTools).
    #[default]
    Time,
    /// One per sample.
    Samples,
}

/// One sample on the timeline.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Timed {
    /// Model node index, or [`NONE`] for a sample whose node was unknown.
    pub node: u32,
    /// When it was taken, µs.
    pub time: f64,
    /// How much it weighs: µs, or 1 in sample mode.
    pub weight: f64,
    /// How long it lasts, µs, whatever the weight mode.
    pub duration: f64,
    /// Its index in the profile's samples as recorded (before sorting).
    pub index: u32,
}

/// Facts about a timeline for subtitles and `--list`.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct TimelineStats {
    /// Number of samples.
    pub samples: usize,
    /// Samples that were out of time order as recorded (negative deltas).
    pub reordered: usize,
    /// Isolated `(program)` samples given back to the stack around them.
    pub program_repaired: usize,
    /// Time of the first sample, µs.
    pub first: f64,
    /// End of the last sample, µs.
    pub end: f64,
    /// Mean interval between samples, µs.
    pub mean_interval: f64,
}

/// Sort, repair and weigh the samples of `profile`.
/// `meta` are the profile's meta nodes ([`Profile::meta_nodes`]).
pub fn timeline(profile: &Profile, meta: MetaNodes, weight: Weight) -> (Vec<Timed>, TimelineStats) {
    let n = profile.samples.len();
    let mut stats = TimelineStats {
        samples: n,
        ..TimelineStats::default()
    };
    if n == 0 {
        return (Vec::new(), stats);
    }
    let even_interval = (profile.end_time - profile.start_time).max(0.0) / n as f64;
    let time_of = |i: usize| match profile.timing {
        Timing::Timestamps => profile.timestamps[i],
        Timing::Even => profile.start_time + even_interval * i as f64,
    };
    let mut order: Vec<u32> = (0..n as u32).collect();
    if profile.timing == Timing::Timestamps {
        let ts = &profile.timestamps;
        if ts.windows(2).any(|w| w[1] < w[0]) {
            // `sort_by` is stable, as DevTools' JS sort is.
            order.sort_by(|&a, &b| ts[a as usize].total_cmp(&ts[b as usize]));
            stats.reordered = order
                .iter()
                .enumerate()
                .filter(|&(i, &o)| i != o as usize)
                .count();
        }
    }
    let mut out: Vec<Timed> = order
        .iter()
        .map(|&i| Timed {
            node: profile.samples[i as usize],
            time: time_of(i as usize),
            weight: 0.0,
            duration: 0.0,
            index: i,
        })
        .collect();

    stats.program_repaired = fix_missing_samples(profile, meta, &mut out);

    let first = out[0].time;
    let last = out[n - 1].time;
    let mean = if n > 1 {
        (last - first) / (n - 1) as f64
    } else {
        0.0
    };
    let end_of_last = match (profile.timing.clone(), profile.end_of_last_sample) {
        (Timing::Even, _) => profile.end_time.max(last),
        (_, Some(e)) if e >= last => e,
        _ if n > 1 => last + mean,
        _ => profile.end_time.max(last),
    };
    for i in 0..n {
        let next = if i + 1 < n {
            out[i + 1].time
        } else {
            end_of_last
        };
        out[i].duration = (next - out[i].time).max(0.0);
        out[i].weight = match weight {
            Weight::Time => out[i].duration,
            Weight::Samples => 1.0,
        };
    }
    stats.first = first;
    stats.end = end_of_last;
    stats.mean_interval = if n > 1 { mean } else { end_of_last - first };
    (out, stats)
}

/// DevTools' `fixMissingSamples`: V8 sometimes fails to walk the stack and
/// records `(program)` in the middle of JavaScript. An isolated single
/// `(program)` sample whose neighbours (as recorded, not as repaired) are
/// ordinary frames under the same bottom frame takes the previous sample's node.
fn fix_missing_samples(profile: &Profile, meta: MetaNodes, samples: &mut [Timed]) -> usize {
    let MetaNodes { program, idle, gc } = meta;
    if program == NONE {
        return 0;
    }
    let n = samples.len();
    if n < 3 {
        return 0;
    }
    // Bottom frame (child of the root) of every node; parents come first.
    let mut bottom = vec![NONE; profile.nodes.len()];
    for (i, node) in profile.nodes.iter().enumerate().skip(1) {
        bottom[i] = if node.parent == 0 {
            i as u32
        } else {
            bottom[node.parent as usize]
        };
    }
    let ordinary = |id: u32| id != NONE && id != 0 && id != program && id != idle && id != gc;
    let mut repaired = 0;
    let mut prev_original = samples[0].node;
    for i in 1..n - 1 {
        let current = samples[i].node;
        let next = samples[i + 1].node;
        if current == program
            && ordinary(prev_original)
            && ordinary(next)
            && bottom[prev_original as usize] == bottom[next as usize]
        {
            samples[i].node = prev_original;
            repaired += 1;
        }
        prev_original = current;
    }
    repaired
}
