//! `--lines`: a function's self time split by source line, as child frames
//! `fn:LINE` on top of the function.
//!
//! Where the lines come from:
//! - per sample (`Profile::sample_lines`, 1-based; Chrome traces carry them):
//!   each sample goes to its own line, exactly;
//! - otherwise CDP `positionTicks` (`Profile::position_ticks`): each node's
//!   samples are split over its lines in proportion to their ticks, so the line
//!   weights add up to the node's self weight.
//!
//! Samples with no line information stay on the function itself.

use std::collections::HashMap;

use super::label::{sanitize, Category, LabelTable};
use super::transform::Mapper;
use crate::model::Profile;

/// Where each sample's line comes from, for one profile.
#[derive(Debug, Default)]
pub struct LineSplitter {
    /// Per node: `(line, share)` from `positionTicks`.
    ticks: Vec<Vec<(u32, f64)>>,
    /// Whether `sample_lines` are used instead.
    per_sample: bool,
    /// `(frame, line)` → label.
    labels: HashMap<(u32, u32), u32>,
}

impl LineSplitter {
    /// Prepare for `profile`.
    pub fn new(profile: &Profile) -> LineSplitter {
        let per_sample = profile.sample_lines.iter().any(|&l| l > 0);
        let mut ticks: Vec<Vec<(u32, f64)>> = Vec::new();
        if !per_sample && !profile.position_ticks.is_empty() {
            ticks = vec![Vec::new(); profile.nodes.len()];
            for &(node, line, n) in &profile.position_ticks {
                if let Some(v) = ticks.get_mut(node as usize) {
                    match v.iter_mut().find(|(l, _)| *l == line) {
                        Some(e) => e.1 += n as f64,
                        None => v.push((line, n as f64)),
                    }
                }
            }
            for v in &mut ticks {
                let total: f64 = v.iter().map(|e| e.1).sum();
                if total > 0.0 {
                    for e in v.iter_mut() {
                        e.1 /= total;
                    }
                }
                v.sort_by_key(|e| e.0);
            }
        }
        LineSplitter {
            ticks,
            per_sample,
            labels: HashMap::new(),
        }
    }

    fn label(
        &mut self,
        profile: &Profile,
        node: u32,
        line: u32,
        labels: &mut LabelTable,
        mapper: &mut Mapper,
    ) -> u32 {
        let frame_id = profile.nodes[node as usize].frame;
        *self.labels.entry((frame_id, line)).or_insert_with(|| {
            let frame = &profile.frames[frame_id as usize];
            let name = if frame.name.is_empty() {
                "(anonymous)"
            } else {
                frame.name.as_str()
            };
            let l = labels.intern(
                &format!("{}:{line}", sanitize(name)),
                Category::of_frame(frame),
            );
            mapper.set_line(l);
            l
        })
    }

    /// The line frames of a sample on `node` (recorded as sample `index`), with
    /// the share of its weight each gets, into `out`. Empty: no line known.
    pub fn split(
        &mut self,
        profile: &Profile,
        node: u32,
        index: u32,
        labels: &mut LabelTable,
        mapper: &mut Mapper,
        out: &mut Vec<(u32, f64)>,
    ) {
        out.clear();
        if self.per_sample {
            let line = profile
                .sample_lines
                .get(index as usize)
                .copied()
                .unwrap_or(0);
            if line > 0 {
                let l = self.label(profile, node, line, labels, mapper);
                out.push((l, 1.0));
            }
            return;
        }
        let n = self.ticks.get(node as usize).map_or(0, Vec::len);
        for i in 0..n {
            let (line, share) = self.ticks[node as usize][i];
            if share > 0.0 {
                let l = self.label(profile, node, line, labels, mapper);
                out.push((l, share));
            }
        }
    }
}
