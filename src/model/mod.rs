//! The one data model in the middle.
//!
//! Every importer (`crate::import`) produces [`Profile`]s; every output
//! (`crate::export`) is made from them, through the fold (`crate::fold`).
//! Nothing here knows JSON or SVG.
//!
//! A [`Profile`] is one *source*: one sampled thread of one process. Its call
//! tree is stored flat, parents before children, with the root at index 0, so
//! every pass over it is a simple loop and no pass recurses on input depth.

mod frame;
mod script;
mod warnings;

pub use frame::{CallFrame, FrameKind};
pub use script::ScriptInfo;
pub use warnings::Warnings;

/// Marks "no node": the root's parent, or a sample whose node id is unknown.
pub const NONE: u32 = u32::MAX;

/// One node of the call tree: which function, called from which node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Node {
    /// Index into [`Profile::frames`].
    pub frame: u32,
    /// Index of the parent node in [`Profile::nodes`], or [`NONE`] for the root.
    pub parent: u32,
}

/// The synthetic root children DevTools singles out, by node index ([`NONE`] when absent).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MetaNodes {
    /// `(program)`.
    pub program: u32,
    /// `(idle)`.
    pub idle: u32,
    /// `(garbage collector)`.
    pub gc: u32,
}

/// Who recorded a profile: shown as the root frame when several sources are drawn together.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceInfo {
    /// A name a person recognises: `node pid 90620 main`, `CrRendererMain (pid 775)`,
    /// or the file name for a single profile.
    pub name: String,
    /// Process id, where the format records one.
    pub pid: Option<u64>,
    /// Thread id, where the format records one.
    pub tid: Option<u64>,
    /// Thread name from the recording (`CrRendererMain`, `DedicatedWorker thread`), if any.
    pub thread_name: Option<String>,
    /// The input file this source came from.
    pub file: String,
    /// Sources sharing a clock domain (same process of one trace) carry the same key:
    /// their timestamps can be compared. `None`: only comparable with itself.
    pub clock: Option<String>,
}

/// How the samples of a profile are timed.
#[derive(Debug, Clone, PartialEq)]
pub enum Timing {
    /// Each sample has a timestamp in µs (`timestamps[i]`), in recording order
    /// (not necessarily sorted: V8 writes negative deltas).
    Timestamps,
    /// The format gives no times: samples are spread evenly over
    /// `[start_time, end_time]` (legacy profiles without `timestamps`, as DevTools does).
    Even,
}

/// One sampled thread: call tree, frames and samples, as recorded.
///
/// Invariants every importer upholds (checked by `Profile::validate` in debug builds):
/// `nodes[0]` is the root with `parent == NONE`; every other node's parent index
/// is smaller than its own; `samples` entries are node indices or [`NONE`];
/// with [`Timing::Timestamps`], `timestamps.len() == samples.len()`.
#[derive(Debug, Clone)]
pub struct Profile {
    /// Who recorded it.
    pub source: SourceInfo,
    /// Distinct call frames (interned: a profile repeats a few thousand frames across
    /// up to millions of nodes).
    pub frames: Vec<CallFrame>,
    /// The call tree, parents before children, root first.
    pub nodes: Vec<Node>,
    /// Node index of the top of the stack, per sample, in recording order.
    pub samples: Vec<u32>,
    /// Sample times in µs, same length as `samples` (see [`Timing`]).
    pub timestamps: Vec<f64>,
    /// How samples are timed.
    pub timing: Timing,
    /// The end of the last sample when the format records it (legacy files with
    /// n+1 `timestamps`); otherwise the fold uses the mean interval as DevTools does.
    pub end_of_last_sample: Option<f64>,
    /// Profile header start, µs.
    pub start_time: f64,
    /// Profile header end, µs.
    pub end_time: f64,
    /// Per node: samples hit, used only when the format has no samples at all
    /// (old tree-only exports): the fold then weighs nodes by hit count.
    pub hit_counts: Option<Vec<f64>>,
    /// Per sample: the 1-based source line of the sample position, 0 when unknown
    /// (trace `lines`, or filled from `positionTicks`). Empty when the format has none.
    pub sample_lines: Vec<u32>,
    /// `(node index, 1-based line, ticks)` triples from CDP `positionTicks`.
    pub position_ticks: Vec<(u32, u32, u32)>,
    /// The scripts the runtime reported while this profile was captured live
    /// (or from a `.scripts.json` sidecar); empty for plain files. Source maps use them.
    pub scripts: Vec<ScriptInfo>,
}

impl Profile {
    /// An empty profile whose tree holds only a `(root)` node.
    pub fn new(source: SourceInfo) -> Profile {
        Profile {
            source,
            frames: vec![CallFrame::synthetic("(root)")],
            nodes: vec![Node {
                frame: 0,
                parent: NONE,
            }],
            samples: Vec::new(),
            timestamps: Vec::new(),
            timing: Timing::Timestamps,
            end_of_last_sample: None,
            start_time: 0.0,
            end_time: 0.0,
            hit_counts: None,
            sample_lines: Vec::new(),
            position_ticks: Vec::new(),
            scripts: Vec::new(),
        }
    }

    /// The node index of a root child with the given meta name (`(program)`, `(idle)`,
    /// `(garbage collector)`): the first one, as DevTools' `extractMetaNodes` picks.
    pub fn meta_node(&self, kind: FrameKind) -> Option<u32> {
        let m = self.meta_nodes();
        let i = match kind {
            FrameKind::Program => m.program,
            FrameKind::Idle => m.idle,
            FrameKind::Gc => m.gc,
            FrameKind::Root => 0,
            FrameKind::Function => NONE,
        };
        (i != NONE).then_some(i)
    }

    /// All three meta nodes, found in one pass over the tree.
    pub fn meta_nodes(&self) -> MetaNodes {
        let mut m = MetaNodes {
            program: NONE,
            idle: NONE,
            gc: NONE,
        };
        for (i, n) in self.nodes.iter().enumerate().skip(1) {
            if n.parent != 0 {
                continue;
            }
            let slot = match self.frames[n.frame as usize].kind {
                FrameKind::Program => &mut m.program,
                FrameKind::Idle => &mut m.idle,
                FrameKind::Gc => &mut m.gc,
                _ => continue,
            };
            if *slot == NONE {
                *slot = i as u32;
            }
        }
        m
    }

    /// Check the structural invariants; importers call this in debug builds and tests.
    pub fn validate(&self) -> std::result::Result<(), String> {
        if self.nodes.is_empty() || self.nodes[0].parent != NONE {
            return Err("nodes[0] must be the root".into());
        }
        for (i, n) in self.nodes.iter().enumerate().skip(1) {
            if n.parent as usize >= i {
                return Err(format!("node {i} has parent {} not before it", n.parent));
            }
            if n.frame as usize >= self.frames.len() {
                return Err(format!("node {i} has frame {} out of range", n.frame));
            }
        }
        for &s in &self.samples {
            if s != NONE && s as usize >= self.nodes.len() {
                return Err(format!("sample names node index {s} out of range"));
            }
        }
        if self.timing == Timing::Timestamps && self.timestamps.len() != self.samples.len() {
            return Err("timestamps and samples differ in length".into());
        }
        Ok(())
    }
}
