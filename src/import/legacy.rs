//! The legacy (2014–2016) `head` tree format: the V8 C++ API, the `v8-profiler`
//! node module, DevTools up to Chrome 5x, and converters such as cpuprofilify.
//! FORMATS.md §1.2, rule R13.
//!
//! Shape: `{head: {functionName, url, lineNumber, columnNumber?, hitCount, id,
//! children: [<nested nodes>]}, startTime, endTime, samples, timestamps?}`.
//!
//! - the tree is nested objects: it is read with serde_stacker (the stack grows on
//!   the heap), so a tree 100,000 levels deep does not overflow, and flattened
//!   depth-first as it is read, so nothing nested is ever built or dropped;
//! - `lineNumber`/`columnNumber` are 1-based (the model's are 0-based);
//! - `startTime`/`endTime` are seconds, sometimes strings (`"181012.12024"`);
//! - `timestamps` are absolute µs, one per sample or one more (the end of the last
//!   sample); without them, samples are spread evenly as DevTools does;
//! - the `head` is the root and is never drawn, whatever its name (`(root)`,
//!   or `iojs`/`node` in cpuprofilify's files), as in DevTools;
//! - ids may repeat (converter-made files): as in DevTools, an id stands for the
//!   last node with it in depth-first order (see `devtools_tree`), with a warning;
//! - without samples, nodes are weighed by `hitCount`, or by `selfTime` (ms) in the
//!   WebKit-era form (best effort).

use std::collections::HashMap;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;

use super::json::{Id, Num, Text};
use super::tree::{Links, Resolved, TreeBuilder};
use super::ImportContext;
use crate::error::{Error, Result};
use crate::model::{Profile, SourceInfo, Timing, NONE};

/// The top-level fields of a legacy profile, as the shared document parsed them.
pub struct RawLegacy<'a> {
    /// The nested tree, unparsed.
    pub head: &'a RawValue,
    /// Seconds.
    pub start_time: Option<Num>,
    /// Seconds.
    pub end_time: Option<Num>,
    /// Node ids.
    pub samples: Option<Vec<Id>>,
    /// Absolute µs: one per sample, or one more.
    pub timestamps: Option<Vec<Num>>,
}

/// One node, flattened: position in depth-first order, parent position.
#[derive(Default)]
struct FlatNode {
    name: String,
    url: String,
    line: Option<Num>,
    column: Option<Num>,
    hit_count: Option<Num>,
    self_time: Option<Num>,
    id: Option<Id>,
    parent: Option<u32>,
}

/// Reads one node object and, through its `children`, its whole subtree.
struct NodeSeed<'n> {
    nodes: &'n mut Vec<FlatNode>,
    parent: Option<u32>,
}

impl<'de> DeserializeSeed<'de> for NodeSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for NodeSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a profile node object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<(), A::Error> {
        // Reserve this node's place before its children: depth-first pre-order.
        let me = self.nodes.len();
        self.nodes.push(FlatNode {
            parent: self.parent,
            ..FlatNode::default()
        });
        while let Some(key) = map.next_key::<Key>()? {
            match key {
                Key::FunctionName => {
                    self.nodes[me].name = map
                        .next_value::<Option<Text>>()?
                        .map(|t| t.0.into_owned())
                        .unwrap_or_default()
                }
                Key::Url => {
                    self.nodes[me].url = map
                        .next_value::<Option<Text>>()?
                        .map(|t| t.0.into_owned())
                        .unwrap_or_default()
                }
                Key::LineNumber => self.nodes[me].line = map.next_value()?,
                Key::ColumnNumber => self.nodes[me].column = map.next_value()?,
                Key::HitCount => self.nodes[me].hit_count = map.next_value()?,
                Key::SelfTime => self.nodes[me].self_time = map.next_value()?,
                Key::Id => self.nodes[me].id = map.next_value()?,
                Key::Children => map.next_value_seed(ChildrenSeed {
                    nodes: self.nodes,
                    parent: me as u32,
                })?,
                Key::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

/// Reads a `children` array (or `null`).
struct ChildrenSeed<'n> {
    nodes: &'n mut Vec<FlatNode>,
    parent: u32,
}

impl<'de> DeserializeSeed<'de> for ChildrenSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ChildrenSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of child nodes")
    }
    fn visit_unit<E: de::Error>(self) -> std::result::Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<(), A::Error> {
        while seq
            .next_element_seed(NodeSeed {
                nodes: self.nodes,
                parent: Some(self.parent),
            })?
            .is_some()
        {}
        Ok(())
    }
}

/// The node fields we read; anything else (`callUID`, `bailoutReason`, ...) is skipped.
enum Key {
    FunctionName,
    Url,
    LineNumber,
    ColumnNumber,
    HitCount,
    SelfTime,
    Id,
    Children,
    Other,
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Key, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<Key, E> {
                Ok(match v {
                    "functionName" => Key::FunctionName,
                    "url" => Key::Url,
                    "lineNumber" => Key::LineNumber,
                    "columnNumber" => Key::ColumnNumber,
                    "hitCount" => Key::HitCount,
                    "selfTime" => Key::SelfTime,
                    "id" => Key::Id,
                    "children" => Key::Children,
                    _ => Key::Other,
                })
            }
        }
        d.deserialize_identifier(V)
    }
}

/// Flatten the nested `head` tree, depth-first, without recursing on the native stack.
fn flatten(head: &RawValue, input: &str) -> Result<Vec<FlatNode>> {
    let mut nodes = Vec::new();
    let text = head.get();
    let mut json = serde_json::Deserializer::from_str(text);
    json.disable_recursion_limit();
    let de = serde_stacker::Deserializer::new(&mut json);
    NodeSeed {
        nodes: &mut nodes,
        parent: None,
    }
    .deserialize(de)
    .map_err(|e| {
        let mut m = e.to_string();
        if let Some(p) = m.rfind(" at line ") {
            m.truncate(p);
        }
        Error::profile(input, format!("`head` is not a node tree: {m}"))
    })?;
    Ok(nodes)
}

/// The call tree as DevTools' `CPUProfileDataModel` builds it from a legacy
/// profile (FORMATS.md §1.2; checked against the corpus' cpuprofilify files
/// in `tests/import_legacy.rs`).
struct DevToolsTree {
    /// `(position in the flat list, parent index)`, parents first; index 0
    /// is the head, the root that is never drawn.
    nodes: Vec<(u32, Option<u32>)>,
    /// The node a sample naming each id is drawn on.
    sample_node: HashMap<u64, u32>,
    /// Nodes repeating an id, and the first such id.
    duplicates: (usize, u64),
}

/// DevTools flattens the `head` tree depth-first, keeps the *last* node of
/// each id in an id map, and rebuilds the tree from the head by looking every
/// child up by its id: so a repeated id stands for the last node with it
/// (with its subtree) wherever it is a child. Samples then go to the node
/// its id map ends with after a stack-based walk of that tree (root first,
/// a node's last child popped first). Without repeated ids this is the tree
/// as written. Resolved positions grow down every path, so the tree is
/// finite; a tree that repeated ids would blow up past a bound is an error.
fn devtools_tree(flat: &[FlatNode], input: &str) -> Result<DevToolsTree> {
    let n = flat.len();
    let mut last: HashMap<u64, u32> = HashMap::with_capacity(n);
    let mut duplicates = (0usize, 0u64);
    for (pos, node) in flat.iter().enumerate() {
        if let Some(Id(id)) = node.id {
            if last.insert(id, pos as u32).is_some() {
                if duplicates.0 == 0 {
                    duplicates.1 = id;
                }
                duplicates.0 += 1;
            }
        }
    }
    // Children of each flat node, in order (compressed: start offsets).
    let mut count = vec![0u32; n + 1];
    for node in flat {
        if let Some(p) = node.parent {
            count[p as usize + 1] += 1;
        }
    }
    for i in 0..n {
        count[i + 1] += count[i];
    }
    let mut fill = count.clone();
    let mut kids = vec![0u32; n.saturating_sub(1)];
    for (pos, node) in flat.iter().enumerate() {
        if let Some(p) = node.parent {
            kids[fill[p as usize] as usize] = pos as u32;
            fill[p as usize] += 1;
        }
    }
    let resolve = |c: u32| match flat[c as usize].id {
        Some(Id(id)) => last.get(&id).copied().unwrap_or(c),
        None => c,
    };
    let limit = 4 * n + 100_000;
    let mut nodes: Vec<(u32, Option<u32>)> = Vec::with_capacity(n);
    let mut expanded_kids: Vec<(u32, u32)> = Vec::with_capacity(n); // (first, end) into nodes
    if n > 0 {
        nodes.push((0, None));
    }
    // Breadth-first, so every node's children are contiguous.
    let mut next = 0usize;
    while next < nodes.len() {
        let (pos, _) = nodes[next];
        let first = nodes.len() as u32;
        for &c in &kids[count[pos as usize] as usize..count[pos as usize + 1] as usize] {
            nodes.push((resolve(c), Some(next as u32)));
        }
        expanded_kids.push((first, nodes.len() as u32));
        if nodes.len() > limit {
            return Err(Error::profile(
                input,
                format!(
                    "repeated node ids make the call tree repeat itself past {limit} nodes \
                     (first repeated id: {})",
                    duplicates.1
                ),
            ));
        }
        next += 1;
    }
    // The id map after DevTools' walk: pop a node, map its id, push its children.
    let mut sample_node: HashMap<u64, u32> = HashMap::with_capacity(n);
    let mut stack: Vec<u32> = if nodes.is_empty() {
        Vec::new()
    } else {
        vec![0]
    };
    while let Some(e) = stack.pop() {
        let (pos, _) = nodes[e as usize];
        if let Some(Id(id)) = flat[pos as usize].id {
            sample_node.insert(id, e);
        }
        let (a, b) = expanded_kids[e as usize];
        stack.extend(a..b);
    }
    Ok(DevToolsTree {
        nodes,
        sample_node,
        duplicates,
    })
}

/// 1-based legacy position to the model's 0-based one; -1 when absent or 0.
fn zero_based(n: Option<Num>) -> i64 {
    match n {
        Some(Num(v)) if (1.0..1e12).contains(&v) => v as i64 - 1,
        _ => -1,
    }
}

impl RawLegacy<'_> {
    /// Convert into the model.
    pub fn import(self, source: SourceInfo, ctx: &mut ImportContext) -> Result<Profile> {
        let input = ctx.input.clone();
        let flat = flatten(self.head, &input)?;
        // DevTools' tree: the head is the root, never drawn, whatever its name;
        // a repeated id stands for the last node with it (see `devtools_tree`).
        let dt = devtools_tree(&flat, &input)?;
        ctx.warnings.count(&input, dt.duplicates.0, |c| {
            format!(
                "{c} nodes repeat an id already used (first: id {}); as in DevTools, an id stands \
                 for the last node with it in depth-first order, wherever it is a child or a sample",
                dt.duplicates.1
            )
        });

        let mut builder = TreeBuilder::new();
        for (i, &(pos, parent)) in dt.nodes.iter().enumerate() {
            let n = &flat[pos as usize];
            let frame = builder.frame(&n.name, &n.url, zero_based(n.line), zero_based(n.column));
            builder.node(i as u64, frame, [], parent.map(u64::from));
        }
        let by_id = dt.sample_node;
        let mut tree = builder.finish(Links::Parent, &input, &mut ctx.warnings)?;
        let model_node = |pos: u32| match tree.resolve(u64::from(pos)) {
            Resolved::Node(i) => i,
            _ => NONE,
        };

        let mut profile = Profile::new(source);
        profile.start_time = self.start_time.map_or(0.0, |n| n.0 * 1e6);
        profile.end_time = self
            .end_time
            .map_or(profile.start_time, |n| n.0 * 1e6)
            .max(profile.start_time);
        // The bound `running_sum` puts on CDP times: beyond it, weights
        // overflow the integers of folded text and of inferno.
        let out_of_range = |t: f64| !t.is_finite() || t.abs() > 1e18;
        if out_of_range(profile.start_time) || out_of_range(profile.end_time) {
            return Err(Error::profile(
                &input,
                "startTime or endTime is out of range",
            ));
        }

        let samples = self.samples.unwrap_or_default();
        if samples.is_empty() {
            // Tree only: weigh by hitCount, or by selfTime (ms) in the WebKit-era form.
            let mut hits = vec![0.0; tree.nodes.len()];
            let mut selfs = vec![0.0; tree.nodes.len()];
            for (e, &(pos, _)) in dt.nodes.iter().enumerate() {
                let n = &flat[pos as usize];
                let i = model_node(e as u32);
                if i != NONE {
                    hits[i as usize] += n.hit_count.map_or(0.0, |h| h.0.max(0.0));
                    selfs[i as usize] += n.self_time.map_or(0.0, |h| h.0.max(0.0));
                }
            }
            if hits.iter().any(|&h| h > 0.0) {
                ctx.warnings.push(
                    &input,
                    "the profile has no samples: nodes are weighed by their hitCount",
                );
                profile.hit_counts = Some(hits);
            } else if selfs.iter().any(|&h| h > 0.0) {
                ctx.warnings.push(
                    &input,
                    "the profile has no samples (WebKit-era form): nodes are weighed by their selfTime",
                );
                // selfTime is in ms: one "hit" per µs over a span of the total.
                let total: f64 = selfs.iter().sum();
                profile.hit_counts = Some(selfs);
                profile.end_time = profile.start_time + total * 1000.0;
            } else {
                return Err(Error::profile(
                    &input,
                    "the legacy profile has no samples and no hit counts: nothing was recorded",
                ));
            }
        } else {
            let mut unknown = (0usize, 0u64);
            profile.samples = samples
                .iter()
                .map(|&Id(id)| match by_id.get(&id) {
                    Some(&pos) => model_node(pos),
                    None => {
                        if unknown.0 == 0 {
                            unknown.1 = id;
                        }
                        unknown.0 += 1;
                        NONE
                    }
                })
                .collect();
            ctx.warnings.count(&input, unknown.0, |c| {
                format!(
                    "skipped {c} samples naming node ids that are not in the profile (first: id {})",
                    unknown.1
                )
            });
            let n = samples.len();
            match self.timestamps {
                Some(ts) if ts.len() == n || ts.len() == n + 1 => {
                    if let Some(i) = ts.iter().position(|t| out_of_range(t.0)) {
                        return Err(Error::profile(
                            &input,
                            format!("timestamps[{i}] = {} is out of range", ts[i].0),
                        ));
                    }
                    profile.timestamps = ts[..n].iter().map(|t| t.0).collect();
                    if ts.len() == n + 1 {
                        profile.end_of_last_sample = Some(ts[n].0);
                    }
                }
                Some(ts) => {
                    return Err(Error::profile(
                        &input,
                        format!(
                        "`samples` has {n} entries but `timestamps` has {} (expected {n} or {})",
                        ts.len(),
                        n + 1
                    ),
                    ))
                }
                None => {
                    profile.timing = Timing::Even;
                    if profile.end_time > profile.start_time {
                        ctx.warnings.push(
                            &input,
                            "the profile has no `timestamps`: samples are spread evenly between startTime and endTime, as DevTools does",
                        );
                    } else {
                        profile.end_time = profile.start_time + n as f64 * 1000.0;
                        ctx.warnings.push(
                            &input,
                            "the profile has no `timestamps` and endTime is not after startTime: each sample is taken to last 1 ms",
                        );
                    }
                }
            }
        }
        profile.frames = std::mem::take(&mut tree.frames);
        profile.nodes = std::mem::take(&mut tree.nodes);
        debug_assert_eq!(profile.validate(), Ok(()));
        Ok(profile)
    }
}
