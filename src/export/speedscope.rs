//! `--format speedscope`: speedscope's own file format
//! (<https://www.speedscope.app/file-format-schema.json>), to open in
//! speedscope's Time Order, Left Heavy and Sandwich views.
//!
//! One profile per source (thread, worker, file), named after it. Without
//! `--chart`, a `sampled` profile: the source's runs of identical stacks in
//! time order (the fold records them for this format), weights in µs (`none`
//! with `--weight samples`), so its total is cpuflame's. With `--chart`, an
//! `evented` profile: each frame opened and closed at the times it was on the
//! stack (time from the source's first sample). Frames carry their file,
//! 1-based line and column; the synthetic frames are frames like any other.

use std::io::Write;

use indexmap::IndexMap;
use serde::Serialize;

use super::frames::{parts, SourceRoots};
use super::{Exporter, Job};
use crate::error::Result;
use crate::fold::{Category, Folded, StackTree, Weight};

/// The schema URL speedscope's files name.
pub const SCHEMA_URL: &str = "https://www.speedscope.app/file-format-schema.json";

/// `--format speedscope`.
#[derive(Debug, Clone, Copy, Default)]
pub struct SpeedscopeExporter;

impl Exporter for SpeedscopeExporter {
    fn write(&self, job: &Job<'_>, out: &mut (dyn Write + Send)) -> Result<()> {
        let file = document(job);
        let mut bytes = serde_json::to_vec(&file).map_err(|e| {
            super::write_error(std::io::Error::other(format!("cannot encode JSON: {e}")))
        })?;
        bytes.push(b'\n');
        out.write_all(&bytes).map_err(super::write_error)
    }
}

/// A speedscope file.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct File {
    /// [`SCHEMA_URL`].
    #[serde(rename = "$schema")]
    pub schema: &'static str,
    /// Frames shared by every profile.
    pub shared: Shared,
    /// One per source.
    pub profiles: Vec<Profile>,
    /// The document's name (the picture's title).
    pub name: String,
    /// The profile shown first.
    pub active_profile_index: usize,
    /// `cpuflame VERSION`.
    pub exporter: String,
}

/// The shared part.
#[derive(Debug, Serialize)]
pub struct Shared {
    /// Every frame.
    pub frames: Vec<Frame>,
}

/// A frame.
#[derive(Debug, Serialize, Clone)]
pub struct Frame {
    /// Function name.
    pub name: String,
    /// Script.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// 1-based line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// 1-based column.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub col: Option<u32>,
}

/// A profile: sampled or evented.
#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Profile {
    /// Stacks with weights, in time order.
    Sampled {
        /// The source's name.
        name: String,
        /// `microseconds` or `none`.
        unit: &'static str,
        /// 0.
        #[serde(rename = "startValue")]
        start_value: f64,
        /// The sum of the weights.
        #[serde(rename = "endValue")]
        end_value: f64,
        /// Stacks as frame indices, root first.
        samples: Vec<Vec<usize>>,
        /// One per stack.
        weights: Vec<f64>,
    },
    /// Frames opened and closed.
    Evented {
        /// The source's name.
        name: String,
        /// `microseconds` or `none`.
        unit: &'static str,
        /// 0.
        #[serde(rename = "startValue")]
        start_value: f64,
        /// When the last frame closes.
        #[serde(rename = "endValue")]
        end_value: f64,
        /// Open and close events, in time order.
        events: Vec<Event>,
    },
}

/// An evented profile's event.
#[derive(Debug, Serialize)]
pub struct Event {
    /// `O` (open) or `C` (close).
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The frame.
    pub frame: usize,
    /// When.
    pub at: f64,
}

/// Stacks (frame indices, root first) and their weights.
type Stacks = (Vec<Vec<usize>>, Vec<f64>);

/// Frame indices of labels, made on first use.
struct Frames<'f> {
    folded: &'f Folded,
    of_label: IndexMap<u32, usize>,
    list: Vec<Frame>,
}

impl<'f> Frames<'f> {
    fn index(&mut self, label: u32) -> usize {
        if let Some(&i) = self.of_label.get(&label) {
            return i;
        }
        let p = parts(
            self.folded.labels.name(label),
            self.folded.labels.category(label),
        );
        let i = self.list.len();
        self.list.push(Frame {
            name: p.name.to_string(),
            file: (!p.file.is_empty()).then(|| p.file.to_string()),
            line: (p.line > 0).then_some(p.line),
            col: (p.column > 0).then_some(p.column),
        });
        self.of_label.insert(label, i);
        i
    }

    /// The frames of a stack, root first, without a source's root frame.
    fn stack(&mut self, id: u32, scratch: &mut Vec<u32>) -> Vec<usize> {
        self.folded.tree.path(id, scratch);
        let skip = usize::from(
            scratch
                .first()
                .is_some_and(|&l| self.folded.labels.category(l) == Category::Source),
        );
        scratch[skip..].iter().map(|&l| self.index(l)).collect()
    }
}

/// The speedscope document of `job`.
pub fn document(job: &Job<'_>) -> File {
    let folded = job.folded;
    let unit = match folded.weight {
        Weight::Time => "microseconds",
        Weight::Samples => "none",
    };
    let mut frames = Frames {
        folded,
        of_label: IndexMap::new(),
        list: Vec::new(),
    };
    let mut scratch = Vec::new();
    let has_runs = folded.sources.iter().any(|s| !s.runs.is_empty());
    let mut profiles = Vec::new();
    if has_runs {
        for s in &folded.sources {
            if s.runs.is_empty() {
                continue;
            }
            let name = s.info.name.clone();
            if job.picture.chart {
                profiles.push(evented(&mut frames, s, name, unit, &mut scratch));
            } else {
                let mut samples = Vec::with_capacity(s.runs.len());
                let mut weights = Vec::with_capacity(s.runs.len());
                for r in &s.runs {
                    samples.push(frames.stack(r.stack, &mut scratch));
                    weights.push(r.weight);
                }
                profiles.push(Profile::Sampled {
                    name,
                    unit,
                    start_value: 0.0,
                    end_value: weights.iter().sum(),
                    samples,
                    weights,
                });
            }
        }
    } else {
        // A fold without runs (a library caller's): each source's stacks in
        // tree order, which speedscope's Left Heavy and Sandwich views need no more.
        let roots = SourceRoots::of(folded);
        let mut by_source: IndexMap<Option<usize>, Stacks> = IndexMap::new();
        let mut path = Vec::new();
        for (id, n) in folded.tree.nodes().iter().enumerate().skip(1) {
            if n.weight <= 0.0 {
                continue;
            }
            folded.tree.path_nodes(id as u32, &mut path);
            let root = path.first().copied().unwrap_or(StackTree::ROOT);
            let source = if folded.labels.category(folded.tree.node(root).label) == Category::Source
            {
                roots.source(root)
            } else {
                roots.single()
            };
            let stack = frames.stack(id as u32, &mut scratch);
            if stack.is_empty() {
                continue;
            }
            let e = by_source.entry(source).or_default();
            e.0.push(stack);
            e.1.push(n.weight);
        }
        for (source, (samples, weights)) in by_source {
            let name = source
                .and_then(|s| folded.sources.get(s))
                .map(|s| s.info.name.clone())
                .unwrap_or_else(|| job.picture.title.clone());
            profiles.push(Profile::Sampled {
                name,
                unit,
                start_value: 0.0,
                end_value: weights.iter().sum(),
                samples,
                weights,
            });
        }
    }
    File {
        schema: SCHEMA_URL,
        shared: Shared {
            frames: frames.list,
        },
        profiles,
        name: job.picture.title.clone(),
        active_profile_index: 0,
        exporter: format!("cpuflame {}", env!("CARGO_PKG_VERSION")),
    }
}

/// A source's runs as open/close events: frames not shared with the next
/// run's stack close when it starts, its new frames open.
fn evented(
    frames: &mut Frames<'_>,
    s: &crate::fold::SourceSummary,
    name: String,
    unit: &'static str,
    scratch: &mut Vec<u32>,
) -> Profile {
    let time = frames.folded.weight == Weight::Time;
    let origin = s.runs.first().map(|r| r.start).unwrap_or(0.0);
    let mut events = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    let mut at = 0.0f64;
    let close_to = |open: &mut Vec<usize>, keep: usize, at: f64, events: &mut Vec<Event>| {
        while open.len() > keep {
            if let Some(frame) = open.pop() {
                events.push(Event {
                    kind: "C",
                    frame,
                    at,
                });
            }
        }
    };
    for r in &s.runs {
        // Time from the source's first sample; sample counts laid end to end.
        let start = if time { (r.start - origin).max(at) } else { at };
        if start > at {
            // A gap (a (root) sample, idle left out): nothing on the stack.
            close_to(&mut open, 0, at, &mut events);
        }
        let stack = frames.stack(r.stack, scratch);
        let shared = open.iter().zip(&stack).take_while(|(a, b)| a == b).count();
        close_to(&mut open, shared, start, &mut events);
        for &f in &stack[shared..] {
            events.push(Event {
                kind: "O",
                frame: f,
                at: start,
            });
            open.push(f);
        }
        at = start + r.weight;
    }
    close_to(&mut open, 0, at, &mut events);
    Profile::Evented {
        name,
        unit,
        start_value: 0.0,
        end_value: at,
        events,
    }
}
