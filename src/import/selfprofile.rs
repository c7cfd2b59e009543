//! The JS Self-Profiling API's `ProfilerTrace` (`new Profiler(...)` then
//! `await profiler.stop()`), as saved by pages, Sentry's browser profiling and
//! Datadog's browser SDK (`wall-time.json`, the same shape plus clocks and
//! RUM context). FORMATS.md §1.4, rule R14.
//!
//! Shape: `{resources: [url], frames: [{name, resourceId?, line?, column?}],
//! stacks: [{frameId, parentId?}], samples: [{timestamp, stackId?, marker?}]}`.
//!
//! - `parentId` is an index into `stacks`, and **0 is a valid parent**;
//! - line and column are 1-based (the model stores them 0-based);
//! - timestamps are ms since the time origin: they can be negative and can go
//!   backwards (jittered clocks); they are kept as recorded and the fold sorts;
//! - a sample with no `stackId` was idle, except `marker: "gc"`, which is the
//!   garbage collector (the fold puts it on top of the previous stack), and other
//!   markers (`style`, `layout`, `paint`, ...), which become a root frame `(marker)`.

use std::collections::HashMap;
use std::fmt;

use serde::de::{self, value, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use super::json::{Id, Num, Text};
use super::ImportContext;
use crate::error::{Error, Result};
use crate::model::{CallFrame, Node, Profile, SourceInfo, NONE};

/// A `ProfilerFrame`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawFrame<'a> {
    /// Function name, empty for anonymous functions.
    #[serde(borrow, default)]
    pub name: Option<Text<'a>>,
    /// Index into `resources`; absent when the script has no URL.
    #[serde(default)]
    pub resource_id: Option<Id>,
    /// 1-based line.
    #[serde(default)]
    pub line: Option<Num>,
    /// 1-based column.
    #[serde(default)]
    pub column: Option<Num>,
}

/// A `ProfilerStack`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawStack {
    /// Index into `frames`.
    pub frame_id: Id,
    /// Index into `stacks`; absent at the bottom of a stack (0 is a valid index).
    #[serde(default)]
    pub parent_id: Option<Id>,
}

/// A `ProfilerSample`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawSample<'a> {
    /// ms since the time origin.
    #[serde(default)]
    pub timestamp: Option<Num>,
    /// Index into `stacks`; absent when no frame survived (idle, GC, filtered).
    #[serde(default)]
    pub stack_id: Option<Id>,
    /// What the thread was doing (`script`, `gc`, `style`, `layout`, `paint`, `other`).
    #[serde(borrow, default)]
    pub marker: Option<Text<'a>>,
}

/// A top-level `samples` array: node ids in CDP and legacy profiles, sample
/// objects in a `ProfilerTrace`. Read in one pass, element by element.
pub enum Samples<'a> {
    /// CDP / legacy: node ids.
    Ids(Vec<Id>),
    /// JS Self-Profiling: sample objects.
    Objects(Vec<RawSample<'a>>),
}

enum Item<'a> {
    Id(Id),
    Object(RawSample<'a>),
}

impl<'de: 'a, 'a> Deserialize<'de> for Item<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Item<'a>, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Item<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a node id or a sample object")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> std::result::Result<Item<'a>, E> {
                Id::deserialize(value::U64Deserializer::<E>::new(v)).map(Item::Id)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> std::result::Result<Item<'a>, E> {
                Id::deserialize(value::I64Deserializer::<E>::new(v)).map(Item::Id)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> std::result::Result<Item<'a>, E> {
                Id::deserialize(value::F64Deserializer::<E>::new(v)).map(Item::Id)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<Item<'a>, E> {
                Id::deserialize(value::StrDeserializer::<E>::new(v)).map(Item::Id)
            }
            fn visit_map<A: MapAccess<'de>>(
                self,
                map: A,
            ) -> std::result::Result<Item<'a>, A::Error> {
                RawSample::deserialize(value::MapAccessDeserializer::new(map)).map(Item::Object)
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Samples<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Samples<'a>, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Samples<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an array of node ids or of sample objects")
            }
            fn visit_seq<A: SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> std::result::Result<Samples<'a>, A::Error> {
                let mut ids = Vec::new();
                let mut objects = Vec::new();
                while let Some(item) = seq.next_element::<Item<'a>>()? {
                    match item {
                        Item::Id(id) if objects.is_empty() => ids.push(id),
                        Item::Object(o) if ids.is_empty() => objects.push(o),
                        _ => {
                            return Err(de::Error::custom(
                                "`samples` mixes node ids and sample objects",
                            ))
                        }
                    }
                }
                Ok(if objects.is_empty() {
                    Samples::Ids(ids)
                } else {
                    Samples::Objects(objects)
                })
            }
        }
        d.deserialize_seq(V(std::marker::PhantomData))
    }
}

impl Samples<'_> {
    /// Number of samples.
    pub fn len(&self) -> usize {
        match self {
            Samples::Ids(v) => v.len(),
            Samples::Objects(v) => v.len(),
        }
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A `ProfilerTrace` as parsed.
pub struct RawTrace<'a> {
    /// Script URLs.
    pub resources: Vec<Text<'a>>,
    /// Frames.
    pub frames: Vec<RawFrame<'a>>,
    /// Stacks.
    pub stacks: Vec<RawStack>,
    /// Samples.
    pub samples: Vec<RawSample<'a>>,
}

/// 1-based position to the model's 0-based one; -1 when absent or not positive.
fn zero_based(n: Option<Num>) -> i64 {
    match n {
        Some(Num(v)) if (1.0..1e12).contains(&v) => v as i64 - 1,
        _ => -1,
    }
}

/// Call frames, interned; `(root)` is frame 0.
struct Frames {
    frames: Vec<CallFrame>,
    index: HashMap<CallFrame, u32>,
}

impl Frames {
    fn new() -> Frames {
        let root = CallFrame::synthetic("(root)");
        Frames {
            frames: vec![root.clone()],
            index: HashMap::from([(root, 0)]),
        }
    }

    fn frame(&mut self, name: &str, url: &str, line: i64, column: i64) -> u32 {
        let f = CallFrame::new(name, url, line, column);
        let next = self.frames.len() as u32;
        *self.index.entry(f).or_insert_with_key(|f| {
            self.frames.push(f.clone());
            next
        })
    }
}

/// Nodes of the model tree, interned by (parent node, frame).
struct Interner {
    nodes: Vec<Node>,
    index: HashMap<(u32, u32), u32>,
}

impl Interner {
    fn child(&mut self, parent: u32, frame: u32) -> u32 {
        let next = self.nodes.len() as u32;
        *self.index.entry((parent, frame)).or_insert_with(|| {
            self.nodes.push(Node { frame, parent });
            next
        })
    }
}

impl RawTrace<'_> {
    /// Convert into the model.
    pub fn import(self, source: SourceInfo, ctx: &mut ImportContext) -> Result<Profile> {
        let input = ctx.input.clone();
        let mut builder = Frames::new();
        let mut bad_resources = 0usize;
        let frame_of: Vec<u32> = self
            .frames
            .iter()
            .map(|f| {
                let url = match f.resource_id {
                    None => "",
                    Some(Id(r)) => match self.resources.get(r as usize) {
                        Some(u) => u.as_ref(),
                        None => {
                            bad_resources += 1;
                            ""
                        }
                    },
                };
                builder.frame(
                    f.name.as_deref().unwrap_or(""),
                    url,
                    zero_based(f.line),
                    zero_based(f.column),
                )
            })
            .collect();
        ctx.warnings.count(&input, bad_resources, |c| {
            format!(
                "{c} frames name a resourceId that is not in `resources`; their URL is left empty"
            )
        });

        let mut tree = Interner {
            nodes: vec![Node {
                frame: 0,
                parent: NONE,
            }],
            index: HashMap::new(),
        };
        // Model node of every stack, resolved iteratively from the bottom frame up.
        let n = self.stacks.len();
        let mut node_of = vec![NONE; n];
        let mut visiting = vec![false; n];
        let mut path: Vec<usize> = Vec::new();
        for k in 0..n {
            if node_of[k] != NONE {
                continue;
            }
            path.clear();
            let mut cur = k;
            let mut parent_node = 0u32;
            loop {
                if visiting[cur] {
                    return Err(Error::profile(
                        &input,
                        format!("the stacks have a cycle: stack {cur} is its own ancestor"),
                    ));
                }
                visiting[cur] = true;
                path.push(cur);
                match self.stacks[cur].parent_id {
                    None => break,
                    Some(Id(p)) => {
                        let p = usize::try_from(p).ok().filter(|&p| p < n).ok_or_else(|| {
                            Error::profile(
                                &input,
                                format!(
                                    "stack {cur} has parentId {p}, but there are only {n} stacks"
                                ),
                            )
                        })?;
                        if node_of[p] != NONE {
                            parent_node = node_of[p];
                            break;
                        }
                        cur = p;
                    }
                }
            }
            for &s in path.iter().rev() {
                let f = self.stacks[s].frame_id.0;
                let frame = usize::try_from(f)
                    .ok()
                    .and_then(|f| frame_of.get(f))
                    .copied()
                    .ok_or_else(|| {
                        Error::profile(
                            &input,
                            format!(
                                "stack {s} has frameId {f}, but there are only {} frames",
                                frame_of.len()
                            ),
                        )
                    })?;
                parent_node = tree.child(parent_node, frame);
                node_of[s] = parent_node;
                visiting[s] = false;
            }
        }

        // Samples: stacks, or synthetic root frames when the stack is empty.
        let mut samples = Vec::with_capacity(self.samples.len());
        let mut timestamps = Vec::with_capacity(self.samples.len());
        let mut bad_stacks = (0usize, 0u64);
        let mut no_time = 0usize;
        let mut meta: HashMap<String, u32> = HashMap::new();
        for (i, s) in self.samples.iter().enumerate() {
            let Some(Num(t)) = s.timestamp else {
                no_time += 1;
                continue;
            };
            // The bound `running_sum` puts on CDP times: beyond it, weights
            // overflow the integers of folded text and of inferno.
            if !(t * 1000.0).is_finite() || (t * 1000.0).abs() > 1e18 {
                return Err(Error::profile(
                    &input,
                    format!("samples[{i}].timestamp = {t} ms is out of range"),
                ));
            }
            let node = match s.stack_id {
                Some(Id(k)) => match usize::try_from(k).ok().and_then(|k| node_of.get(k)) {
                    Some(&node) => node,
                    None => {
                        if bad_stacks.0 == 0 {
                            bad_stacks.1 = k;
                        }
                        bad_stacks.0 += 1;
                        NONE
                    }
                },
                None => {
                    let name = match s.marker.as_deref() {
                        None => "(idle)".to_string(),
                        Some("gc") => "(garbage collector)".to_string(),
                        Some(m) => format!("({m})"),
                    };
                    match meta.get(&name) {
                        Some(&node) => node,
                        None => {
                            let frame = builder.frame(&name, "", -1, -1);
                            let node = tree.child(0, frame);
                            meta.insert(name, node);
                            node
                        }
                    }
                }
            };
            samples.push(node);
            timestamps.push(t * 1000.0);
        }
        ctx.warnings.count(&input, bad_stacks.0, |c| {
            format!(
                "skipped {c} samples naming a stackId that is not in `stacks` (first: {})",
                bad_stacks.1
            )
        });
        ctx.warnings.count(&input, no_time, |c| {
            format!("skipped {c} samples with no timestamp")
        });
        if samples.is_empty() {
            return Err(Error::profile(
                &input,
                "the JS Self-Profiling trace has no samples: nothing was recorded",
            ));
        }

        let mut profile = Profile::new(source);
        profile.frames = builder.frames;
        profile.nodes = tree.nodes;
        profile.start_time = timestamps.iter().copied().fold(f64::INFINITY, f64::min);
        profile.end_time = timestamps.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        profile.samples = samples;
        profile.timestamps = timestamps;
        debug_assert_eq!(profile.validate(), Ok(()));
        Ok(profile)
    }
}
