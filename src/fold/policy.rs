//! Sample-level policies: which samples count, and for how long.
//!
//! - `--from`/`--to`: a time window relative to the first sample. A sample
//!   spans `[t, t + duration)`; one straddling an edge counts only for its
//!   part inside the window, so adjacent windows add up exactly to the whole.
//!   With `--weight samples` a sample counts when its time is in the window.
//! - `--no-program`, `--no-gc`: leave those synthetic frames out.
//! - `--gc-on-stack=false`: `(garbage collector)` as a root-level frame
//!   instead of on top of the interrupted stack (DevTools' rule, the default).
//! - `--gaps=idle`: runtimes that take no samples while idle (Bun, workerd)
//!   leave long deltas that DevTools' rule charges to the stack sampled before
//!   them. With `idle`, the part of a delta beyond 10 × the median interval
//!   goes to `(idle)` instead. Either way, when such gaps hold more than 5 %
//!   of the time, a note says so.

use super::timeline::{Timed, Weight};
use super::Folded;
use crate::export::titles::human_duration;
use crate::model::{Profile, Timing};

/// A time window, µs relative to the first sample.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Window {
    /// Start (inclusive).
    pub from: f64,
    /// End (exclusive); `None`: the end of the profile.
    pub to: Option<f64>,
}

/// What to do with long gaps between samples.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Gaps {
    /// Charge the whole delta to the sample before it (DevTools).
    #[default]
    Keep,
    /// Charge the part beyond [`GAP_FACTOR`] × the median interval to `(idle)`.
    Idle,
}

/// A delta longer than this many median intervals is a gap.
pub const GAP_FACTOR: f64 = 10.0;

/// Share of the time in gaps above which a note is printed.
pub const GAP_NOTE_SHARE: f64 = 0.05;

/// The policy for synthetic frames, windows and gaps.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Policy {
    /// Only samples in this window.
    pub window: Option<Window>,
    /// Leave `(program)` out.
    pub no_program: bool,
    /// Leave `(garbage collector)` out.
    pub no_gc: bool,
    /// Draw `(garbage collector)` on the interrupted stack (true, DevTools) or at the root.
    pub gc_on_stack: bool,
    /// What long gaps between samples are charged to.
    pub gaps: Gaps,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            window: None,
            no_program: false,
            no_gc: false,
            gc_on_stack: true,
            gaps: Gaps::Keep,
        }
    }
}

/// The time origin of every profile for `--from`/`--to`: its first sample, or
/// the earliest first sample of the profiles sharing its clock (threads of one
/// trace), so that one window means the same moment on every thread.
pub fn origins(profiles: &[Profile]) -> Vec<f64> {
    let own: Vec<f64> = profiles
        .iter()
        .map(|p| match p.timing {
            Timing::Timestamps => p.timestamps.iter().copied().fold(f64::INFINITY, f64::min),
            Timing::Even => p.start_time,
        })
        .collect();
    // The earliest first sample of each clock, found in one pass (a trace
    // may hold 100,000 threads: never compare every one with every one).
    let mut earliest: std::collections::HashMap<&str, f64> = std::collections::HashMap::new();
    for (p, &t) in profiles.iter().zip(&own) {
        if let Some(clock) = &p.source.clock {
            let e = earliest.entry(clock.as_str()).or_insert(t);
            *e = e.min(t);
        }
    }
    profiles
        .iter()
        .zip(&own)
        .map(|(p, &t)| match &p.source.clock {
            Some(clock) => earliest.get(clock.as_str()).copied().unwrap_or(t),
            None => t,
        })
        .map(|t| if t.is_finite() { t } else { 0.0 })
        .collect()
}

/// One part of a sample: the sample itself, or the idle gap after it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Piece {
    /// When it starts, µs.
    pub start: f64,
    /// Its weight after clipping to the window (µs, or samples).
    pub weight: f64,
    /// Whether this is the idle part of a long gap (`--gaps=idle`).
    pub gap: bool,
}

/// The policy applied to one source's timeline.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    weight: Weight,
    /// Absolute window, µs.
    lo: f64,
    hi: f64,
    /// Deltas beyond this are gaps (µs); infinite when there is no median.
    threshold: f64,
    gaps: Gaps,
}

/// The median of the intervals between consecutive (sorted) samples, µs.
pub fn median_interval(samples: &[Timed]) -> Option<f64> {
    let mut d: Vec<f64> = samples.windows(2).map(|w| w[1].time - w[0].time).collect();
    if d.is_empty() {
        return None;
    }
    let mid = d.len() / 2;
    let (_, m, _) = d.select_nth_unstable_by(mid, f64::total_cmp);
    Some(*m).filter(|m| *m > 0.0)
}

impl Plan {
    /// The plan for a timeline whose window origin is `origin`.
    pub fn new(policy: &Policy, samples: &[Timed], origin: f64, weight: Weight) -> Plan {
        let (lo, hi) = match policy.window {
            Some(w) => (origin + w.from, w.to.map_or(f64::INFINITY, |t| origin + t)),
            None => (f64::NEG_INFINITY, f64::INFINITY),
        };
        let threshold = median_interval(samples).map_or(f64::INFINITY, |m| m * GAP_FACTOR);
        Plan {
            weight,
            lo,
            hi,
            threshold,
            gaps: policy.gaps,
        }
    }

    /// Time of a sample beyond the gap threshold, µs (0 for ordinary samples).
    pub fn excess(&self, s: &Timed) -> f64 {
        (s.duration - self.threshold).max(0.0)
    }

    fn clip(&self, start: f64, duration: f64) -> f64 {
        (start + duration).min(self.hi) - start.max(self.lo)
    }

    /// The pieces of sample `s` that count, with their clipped weights
    /// (pieces outside the window are left out).
    pub fn pieces(&self, s: &Timed) -> ([Piece; 2], usize) {
        let none = Piece {
            start: 0.0,
            weight: 0.0,
            gap: false,
        };
        let mut out = [none; 2];
        let mut n = 0;
        let excess = if self.gaps == Gaps::Idle {
            self.excess(s)
        } else {
            0.0
        };
        let kept = s.duration - excess;
        match self.weight {
            Weight::Samples => {
                if s.time >= self.lo && s.time < self.hi {
                    out[0] = Piece {
                        start: s.time,
                        weight: s.weight,
                        gap: false,
                    };
                    n = 1;
                }
            }
            Weight::Time => {
                let w = self.clip(s.time, kept);
                // A zero-length sample still counts when it lies in the window.
                if w > 0.0 || (kept == 0.0 && s.time >= self.lo && s.time < self.hi) {
                    out[0] = Piece {
                        start: s.time.max(self.lo),
                        weight: w.max(0.0),
                        gap: false,
                    };
                    n = 1;
                }
                if excess > 0.0 {
                    let start = s.time + kept;
                    let w = self.clip(start, excess);
                    if w > 0.0 {
                        out[n] = Piece {
                            start: start.max(self.lo),
                            weight: w,
                            gap: true,
                        };
                        n += 1;
                    }
                }
            }
        }
        (out, n)
    }
}

/// Extra subtitle parts saying what the policy left out or changed.
pub fn subtitle_parts(folded: &Folded) -> Vec<String> {
    let mut parts = Vec::new();
    let p = &folded.policy;
    if let Some(w) = p.window {
        let samples: usize = folded.sources.iter().map(|s| s.window_samples).sum();
        let to = match w.to {
            Some(t) => human_duration(t),
            None => "end".to_string(),
        };
        parts.push(format!(
            "window {} – {} ({} samples)",
            human_duration(w.from),
            to,
            super::super::export::titles::thousands(samples)
        ));
    }
    if p.no_program && folded.sources.iter().any(|s| s.program > 0.0) {
        parts.push("(program) left out".into());
    }
    if p.no_gc && folded.sources.iter().any(|s| s.gc > 0.0) {
        parts.push("(garbage collector) left out".into());
    }
    if !p.gc_on_stack && !p.no_gc {
        parts.push("GC at the root".into());
    }
    let gaps: f64 = folded.sources.iter().map(|s| s.long_gaps).sum();
    if p.gaps == Gaps::Idle && gaps > 0.0 {
        parts.push(format!(
            "{} of sampling gaps as (idle)",
            human_duration(gaps)
        ));
    }
    parts
}
