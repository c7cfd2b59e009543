//! The V8 / Chrome DevTools Protocol `Profiler.Profile` (`.cpuprofile`).
//!
//! Written by `node --cpu-prof`, the inspector's `Profiler.stop`, Chrome
//! DevTools, Deno, Bun and workerd. Shape: `{nodes, startTime, endTime,
//! samples, timeDeltas}`; see `../shared/docs/FORMATS.md` §1.1.

use serde::Deserialize;

use super::json::{Id, Num, Skip, Text};
use super::tree::{BuiltTree, Links, Resolved, TreeBuilder};
use super::ImportContext;
use crate::error::{Error, Result};
use crate::model::{Profile, SourceInfo, Timing, Warnings, NONE};

/// A CDP profile as parsed. Its nodes went straight into a tree builder while
/// being read, so nothing here borrows from the input.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct RawProfile {
    /// The call tree, flattened; the first node is the root.
    #[serde(default)]
    pub nodes: Option<NodeList>,
    /// Node id of the top of the stack, per sample.
    #[serde(default)]
    pub samples: Option<Vec<Id>>,
    /// µs from the start (first entry) or from the previous sample (the rest).
    #[serde(default)]
    pub time_deltas: Option<Vec<Num>>,
    /// Start of the profile, µs.
    #[serde(default)]
    pub start_time: Option<Num>,
    /// End of the profile, µs.
    #[serde(default)]
    pub end_time: Option<Num>,
}

/// One node of a CDP profile.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawNode<'a> {
    /// Unique node id.
    pub id: Id,
    /// The function.
    #[serde(borrow, default)]
    pub call_frame: Option<RawCallFrame<'a>>,
    /// Child ids (CDP).
    #[serde(default)]
    pub children: Option<Vec<Id>>,
    /// Parent id (trace chunks and some tools).
    #[serde(default)]
    pub parent: Option<Id>,
    /// Samples with this node on top.
    #[serde(default)]
    pub hit_count: Option<Num>,
    /// Per-line hit counts (1-based lines).
    #[serde(default)]
    pub position_ticks: Option<Vec<RawPositionTick>>,
}

/// A CDP call frame.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct RawCallFrame<'a> {
    /// Empty for anonymous functions.
    #[serde(borrow, default)]
    pub function_name: Option<Text<'a>>,
    /// Script URL, empty when unknown.
    #[serde(borrow, default)]
    pub url: Option<Text<'a>>,
    /// 0-based; -1 when unknown.
    #[serde(default)]
    pub line_number: Option<Num>,
    /// 0-based; -1 when unknown.
    #[serde(default)]
    pub column_number: Option<Num>,
    /// A string in CDP, an integer elsewhere: not needed.
    #[serde(default)]
    pub script_id: Option<Skip>,
}

/// A `positionTicks` entry.
#[derive(Deserialize)]
pub struct RawPositionTick {
    /// 1-based source line.
    pub line: Num,
    /// Samples at that line.
    pub ticks: Num,
}

/// A CDP `nodes` array, read node by node straight into a [`TreeBuilder`]:
/// a 200 MB profile's million nodes are never all held as parsed structs,
/// only as the builder's few integers per node, with names interned.
#[derive(Default)]
pub struct NodeList {
    builder: TreeBuilder,
    /// `hitCount` per node, in list order (used only when there are no samples).
    hit_counts: Vec<f32>,
    /// `(node id, line, ticks)` from `positionTicks`.
    ticks: Vec<(u64, u32, u32)>,
    /// Whether the first node (the root) lists `children`.
    root_has_children: bool,
}

impl NodeList {
    /// Number of nodes read.
    pub fn len(&self) -> usize {
        self.builder.len()
    }

    /// Whether there were none.
    pub fn is_empty(&self) -> bool {
        self.builder.is_empty()
    }

    pub(crate) fn push(&mut self, node: RawNode<'_>) {
        let cf = node.call_frame.as_ref();
        let name = cf.and_then(|c| c.function_name.as_deref()).unwrap_or("");
        let url = cf.and_then(|c| c.url.as_deref()).unwrap_or("");
        let line = position(cf.and_then(|c| c.line_number));
        let col = position(cf.and_then(|c| c.column_number));
        let frame = self.builder.frame(name, url, line, col);
        let ticks = node
            .position_ticks
            .iter()
            .flatten()
            .map(|t| (t.line.0, t.ticks.0));
        self.push_parts(
            node.id.0,
            frame,
            node.children.as_deref().map(|c| c.iter().map(|c| c.0)),
            node.parent.map(|p| p.0),
            node.hit_count.map_or(0.0, |h| h.0),
            ticks,
        );
    }

    /// Intern a call frame (see [`TreeBuilder::frame`]).
    pub(crate) fn frame(&mut self, name: &str, url: &str, line: i64, column: i64) -> u32 {
        self.builder.frame(name, url, line, column)
    }

    /// Add one node, its fields already read: `children` is `None` when the
    /// node has no `children` field, `hits` 0 when it has no `hitCount`,
    /// `ticks` the `(line, ticks)` of its `positionTicks`.
    pub(crate) fn push_parts(
        &mut self,
        id: u64,
        frame: u32,
        children: Option<impl Iterator<Item = u64>>,
        parent: Option<u64>,
        hits: f64,
        ticks: impl Iterator<Item = (f64, f64)>,
    ) {
        if self.builder.is_empty() {
            self.root_has_children = children.is_some();
        }
        self.builder
            .node(id, frame, children.into_iter().flatten(), parent);
        // Four bytes a node; any count a profile can hold, roughly (only the
        // proportions matter when there are no samples).
        self.hit_counts.push(if (0.0..1e30).contains(&hits) {
            hits as f32
        } else {
            0.0
        });
        for (line, count) in ticks {
            if line >= 1.0 && count >= 1.0 && line < 1e9 && count < 4e9 {
                self.ticks.push((id, line as u32, count as u32));
            }
        }
    }
}

impl NodeList {
    /// Everything held, for tests comparing two ways of reading nodes.
    #[cfg(test)]
    pub(crate) fn describe(&self) -> String {
        format!(
            "{} hits {:?} ticks {:?} root_has_children {}",
            self.builder.describe(),
            self.hit_counts,
            self.ticks,
            self.root_has_children
        )
    }

    /// Room for `nodes` more nodes with `children` more child ids.
    fn reserve_exact(&mut self, nodes: usize, children: usize) {
        self.builder.reserve_exact(nodes, children);
        self.hit_counts.reserve_exact(nodes);
    }

    /// Add the nodes of `other` after these.
    fn append(&mut self, other: NodeList) {
        if self.builder.is_empty() {
            self.root_has_children = other.root_has_children;
        }
        self.builder.append(other.builder);
        self.hit_counts.extend(other.hit_counts);
        self.ticks.extend(other.ticks);
    }
}

/// Where a V8 `.cpuprofile` written compactly (`{"nodes":[{"id":…`, as Node,
/// Chrome and the inspector write it) can be cut between two nodes: the bytes
/// `},{"id":` cannot occur inside a JSON string (a `"` there is escaped), so
/// they only ever separate two node objects.
const NODE_BOUNDARY: &[u8] = b"},{\"id\":";
const COMPACT_START: &[u8] = b"{\"nodes\":[";

/// Parse the `nodes` of a compact `.cpuprofile` on every core: the array is
/// cut at node boundaries into pieces parsed in parallel, then joined. Returns
/// the nodes and the offset just after the array's `]`; `None` when the file
/// is not laid out that way (or is broken: the sequential parse then reports
/// the error precisely).
/// `release(from, to)`, when given, is told of byte ranges already parsed.
pub(crate) fn parse_nodes_in_parallel(
    bytes: &[u8],
    release: Option<&(dyn Fn(usize, usize) + Sync)>,
) -> Option<(NodeList, usize)> {
    use rayon::prelude::*;
    if !bytes.starts_with(COMPACT_START) {
        return None;
    }
    // Small files in one piece: the node scanner makes this path the fast
    // one at every size, but splitting only pays for itself on large files.
    let pieces = if bytes.len() < 8 << 20 {
        1
    } else {
        (rayon::current_num_threads() * 2).clamp(2, 64)
    };
    let mut starts = vec![COMPACT_START.len()];
    for k in 1..pieces {
        let target = (bytes.len() / pieces * k).max(*starts.last()? + 1);
        if let Some(at) = find(&bytes[target..], NODE_BOUNDARY) {
            let start = target + at + 2; // the `{` of the next node
            if start > *starts.last()? {
                starts.push(start);
            }
        }
    }
    let parsed: Vec<Option<(NodeList, usize, bool)>> = (0..starts.len())
        .into_par_iter()
        .map(|i| parse_node_run(bytes, starts[i], starts.get(i + 1).copied(), release))
        .collect();
    let count = parsed.len();
    let mut pieces = Vec::with_capacity(count);
    let mut end = 0;
    for (i, piece) in parsed.into_iter().enumerate() {
        let (nodes, stop, closed) = piece?;
        // Only the last piece may (and must) reach the closing `]`.
        if closed != (i + 1 == count) {
            return None;
        }
        pieces.push(nodes);
        end = stop;
    }
    // Join into the first piece, sized once so that no vector doubles past need.
    let mut pieces = pieces.into_iter();
    let mut list = pieces.next()?;
    let rest: Vec<NodeList> = pieces.collect();
    list.reserve_exact(
        rest.iter().map(NodeList::len).sum(),
        rest.iter().map(|p| p.builder.child_count()).sum(),
    );
    for piece in rest {
        list.append(piece);
    }
    Some((list, end))
}

/// Parse nodes from `start` until the piece boundary `until` (just after a
/// comma) or the array's `]`: `(nodes, where it stopped, whether at the ']')`.
fn parse_node_run(
    bytes: &[u8],
    start: usize,
    until: Option<usize>,
    release: Option<&(dyn Fn(usize, usize) + Sync)>,
) -> Option<(NodeList, usize, bool)> {
    const RELEASE_EVERY: usize = 8 << 20;
    let mut list = NodeList::default();
    let mut scanner = super::v8scan::Scanner::default();
    let mut pos = start;
    let mut released = start;
    let mut reported = start;
    loop {
        if pos - reported >= 1 << 20 {
            crate::progress::add_bytes_read(pos - reported);
            reported = pos;
        }
        if let Some(release) = release.filter(|_| pos - released >= RELEASE_EVERY) {
            release(released, pos);
            released = pos;
        }
        if let Some(end) = scanner.node(bytes, pos, &mut list) {
            pos = end;
        } else {
            let mut stream =
                serde_json::Deserializer::from_slice(&bytes[pos..]).into_iter::<RawNode>();
            let node = stream.next()?.ok()?;
            pos += stream.byte_offset();
            list.push(node);
        }
        while bytes.get(pos)?.is_ascii_whitespace() {
            pos += 1;
        }
        match bytes[pos] {
            b',' => {
                pos += 1;
                if Some(pos) == until {
                    return Some((list, pos, false));
                }
                if until.is_some_and(|u| pos > u) {
                    return None;
                }
                while bytes.get(pos)?.is_ascii_whitespace() {
                    pos += 1;
                }
            }
            b']' => return Some((list, pos + 1, true)),
            _ => return None,
        }
    }
}

/// The first position of `needle` in `hay`.
fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let first = needle[0];
    let mut from = 0;
    while let Some(i) = hay[from..].iter().position(|&b| b == first) {
        let at = from + i;
        if hay[at..].starts_with(needle) {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

impl<'de> Deserialize<'de> for NodeList {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<NodeList, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = NodeList;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an array of nodes")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> std::result::Result<NodeList, A::Error> {
                let mut list = NodeList::default();
                while let Some(node) = seq.next_element::<RawNode<'de>>()? {
                    list.push(node);
                }
                Ok(list)
            }
        }
        d.deserialize_seq(V)
    }
}

/// A 0-based position as the model stores it: -1 when absent or not a sane integer.
pub(crate) fn position(n: Option<Num>) -> i64 {
    match n {
        Some(Num(v)) if (0.0..1e12).contains(&v) => v as i64,
        _ => -1,
    }
}

impl RawProfile {
    /// Whether this looks like a CDP profile at all.
    pub fn is_present(&self) -> bool {
        self.nodes.is_some()
    }

    /// Convert into the model.
    pub fn import(self, source: SourceInfo, ctx: &mut ImportContext) -> Result<Profile> {
        let input = ctx.input.clone();
        let nodes = self.nodes.unwrap_or_default();
        if nodes.is_empty() {
            return Err(Error::profile(
                &input,
                "`nodes` is empty: nothing was recorded",
            ));
        }
        let NodeList {
            builder,
            hit_counts,
            ticks: ticks_raw,
            root_has_children,
        } = nodes;
        // DevTools rebuilds children from parents only when the root has no `children`.
        let links = if !root_has_children && builder.has_parents() {
            Links::Parent
        } else {
            Links::Children
        };
        let ids: Vec<u64> = if self.samples.as_ref().is_none_or(Vec::is_empty) {
            builder.ids().to_vec()
        } else {
            Vec::new()
        };
        let mut tree = builder.finish(links, &input, &mut ctx.warnings)?;

        let mut profile = Profile::new(source);
        profile.frames = std::mem::take(&mut tree.frames);
        profile.nodes = std::mem::take(&mut tree.nodes);
        profile.start_time = self.start_time.map_or(0.0, |n| n.0);
        profile.end_time = self.end_time.map_or(profile.start_time, |n| n.0);
        // Bun names its files as Node does, but writes epoch-µs times
        // (about 1.8e15) where V8 writes a monotonic clock.
        if profile.start_time > 1e15 {
            if let Some(rest) = profile.source.name.strip_prefix("node pid ") {
                profile.source.name = format!("bun pid {rest}");
            }
        }

        for (id, line, ticks) in ticks_raw {
            if let Resolved::Node(i) = tree.resolve(id) {
                profile.position_ticks.push((i, line, ticks));
            }
        }

        match (self.samples, self.time_deltas) {
            (Some(samples), deltas) if !samples.is_empty() => {
                profile.samples = resolve_samples(
                    &tree,
                    samples.iter().map(|s| s.0),
                    "",
                    &input,
                    &mut ctx.warnings,
                );
                match deltas {
                    Some(deltas) => {
                        if deltas.len() != samples.len() {
                            return Err(Error::profile(
                                &input,
                                format!(
                                    "`samples` has {} entries but `timeDeltas` has {}",
                                    samples.len(),
                                    deltas.len()
                                ),
                            ));
                        }
                        profile.timestamps = running_sum(profile.start_time, &deltas, &input)?;
                    }
                    None => {
                        ctx.warnings.push(
                            &input,
                            "the profile has no `timeDeltas`: samples are spread evenly between startTime and endTime",
                        );
                        profile.timing = Timing::Even;
                    }
                }
            }
            _ => {
                // Tree-only export: weigh nodes by their hit counts.
                let mut hc = vec![0.0; profile.nodes.len()];
                for (&id, &h) in ids.iter().zip(&hit_counts) {
                    if let Resolved::Node(i) = tree.resolve(id) {
                        hc[i as usize] += h as f64;
                    }
                }
                if hc.iter().any(|&h| h > 0.0) {
                    ctx.warnings.push(
                        &input,
                        "the profile has no samples: nodes are weighed by their hitCount",
                    );
                    profile.hit_counts = Some(hc);
                }
            }
        }
        debug_assert_eq!(profile.validate(), Ok(()));
        Ok(profile)
    }
}

/// Map sample node ids to model node indices; unknown and unreachable ids become
/// [`NONE`] (skipped by the fold), counted in one warning each. `context`, when
/// not empty, starts each warning (`profile 0x2 (CrRendererMain (pid 7)): `).
pub(crate) fn resolve_samples(
    tree: &BuiltTree,
    ids: impl Iterator<Item = u64>,
    context: &str,
    input: &str,
    warnings: &mut Warnings,
) -> Vec<u32> {
    let mut unknown = (0usize, 0u64);
    let mut unreachable = (0usize, 0u64);
    let out = ids
        .map(|id| match tree.resolve(id) {
            Resolved::Node(i) => i,
            Resolved::Unknown => {
                if unknown.0 == 0 {
                    unknown.1 = id;
                }
                unknown.0 += 1;
                NONE
            }
            Resolved::Unreachable => {
                if unreachable.0 == 0 {
                    unreachable.1 = id;
                }
                unreachable.0 += 1;
                NONE
            }
        })
        .collect();
    warnings.count(input, unknown.0, |c| {
        format!(
            "{context}skipped {c} samples naming node ids that are not in the profile (first: id {})",
            unknown.1
        )
    });
    warnings.count(input, unreachable.0, |c| {
        format!(
            "{context}skipped {c} samples on nodes not reachable from the root (first: id {})",
            unreachable.1
        )
    });
    out
}

/// `t[0] = start + d[0]`, `t[i] = t[i-1] + d[i]`, refusing times that overflow.
pub(crate) fn running_sum(start: f64, deltas: &[Num], input: &str) -> Result<Vec<f64>> {
    if !start.is_finite() || start.abs() > 1e18 {
        return Err(Error::profile(
            input,
            format!("the start time {start:e} µs is not a usable time"),
        ));
    }
    let mut t = start;
    let mut out = Vec::with_capacity(deltas.len());
    for (i, d) in deltas.iter().enumerate() {
        t += d.0;
        if !t.is_finite() || t.abs() > 1e18 {
            return Err(Error::profile(
                input,
                format!("timeDeltas[{i}] = {:e} makes the sample time overflow", d.0),
            ));
        }
        out.push(t);
    }
    Ok(out)
}
