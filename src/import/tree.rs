//! Turning a format's node list into the model's flat call tree.
//!
//! Formats link nodes by `children` id lists (CDP) or by `parent` ids (trace
//! chunks). Either way the links can be broken: ids that repeat, children that
//! do not exist, nodes no path from the root reaches, or cycles. This builder
//! walks the links iteratively (never recursing on input depth), numbers the
//! reachable nodes depth-first so parents come before children, and reports
//! what it had to repair.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use crate::error::{Error, Result};
use crate::model::{CallFrame, Node, Warnings, NONE};

/// How the nodes of a format are linked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Links {
    /// Each node lists its children's ids; the root is the first node (CDP).
    Children,
    /// Each node names its parent's id; the root is the node without one (trace chunks).
    Parent,
}

/// Collects nodes as a format lists them, then builds the model's tree.
#[derive(Default)]
pub struct TreeBuilder {
    ids: Vec<u64>,
    node_frames: Vec<u32>,
    /// Parent id per node, [`NO_PARENT`] when none was given.
    parents: Vec<u64>,
    child_ids: Vec<u64>,
    child_ranges: Vec<(u32, u32)>,
    frames: Vec<CallFrame>,
    frame_index: rustc_hash::FxHashMap<u64, Vec<u32>>,
}

/// The finished tree, and how to find a node by the id the format used.
pub struct BuiltTree {
    /// Interned call frames.
    pub frames: Vec<CallFrame>,
    /// Reachable nodes, root first, parents before children.
    pub nodes: Vec<Node>,
    ids: IdMap,
}

/// Format id -> index. Ids are usually dense small integers, so a vector
/// indexed by id is used when it is not much larger than the node count.
enum IdMap {
    Dense(Vec<u32>),
    Sparse(rustc_hash::FxHashMap<u64, u32>),
}

impl IdMap {
    /// Map each id to its first position; also count repeated ids.
    fn positions(ids: &[u64]) -> (IdMap, usize, u64) {
        let n = ids.len();
        let max_id = ids.iter().copied().max().unwrap_or(0);
        let mut duplicates = 0usize;
        let mut first_duplicate = 0;
        let mut dup = |id: u64| {
            if duplicates == 0 {
                first_duplicate = id;
            }
            duplicates += 1;
        };
        let map = if max_id < 4 * n as u64 + 1024 {
            let mut v = vec![ABSENT; max_id as usize + 1];
            for (i, &id) in ids.iter().enumerate() {
                let slot = &mut v[id as usize];
                if *slot == ABSENT {
                    *slot = i as u32;
                } else {
                    dup(id);
                }
            }
            IdMap::Dense(v)
        } else {
            let mut m = HashMap::with_capacity_and_hasher(n, Default::default());
            for (i, &id) in ids.iter().enumerate() {
                if let std::collections::hash_map::Entry::Vacant(e) = m.entry(id) {
                    e.insert(i as u32);
                } else {
                    dup(id);
                }
            }
            IdMap::Sparse(m)
        };
        (map, duplicates, first_duplicate)
    }

    /// The value for `id`, if any.
    fn get(&self, id: u64) -> Option<u32> {
        let v = match self {
            IdMap::Dense(v) => usize::try_from(id)
                .ok()
                .and_then(|i| v.get(i).copied())
                .unwrap_or(ABSENT),
            IdMap::Sparse(m) => m.get(&id).copied().unwrap_or(ABSENT),
        };
        (v != ABSENT).then_some(v)
    }

    /// Replace every present value.
    fn map_values(&mut self, f: impl Fn(u32) -> u32) {
        match self {
            IdMap::Dense(v) => v
                .iter_mut()
                .filter(|x| **x != ABSENT)
                .for_each(|x| *x = f(*x)),
            IdMap::Sparse(m) => m.values_mut().for_each(|x| *x = f(*x)),
        }
    }
}

/// What a sample's id resolved to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolved {
    /// A reachable node, by model index.
    Node(u32),
    /// An id that no node has.
    Unknown,
    /// A node that exists but that no path from the root reaches.
    Unreachable,
}

const UNREACHABLE: u32 = NONE - 1;
const NO_PARENT: u64 = u64::MAX;
const ABSENT: u32 = NONE;

impl BuiltTree {
    /// Resolve a sample's node id.
    pub fn resolve(&self, id: u64) -> Resolved {
        match self.ids.get(id) {
            None => Resolved::Unknown,
            Some(UNREACHABLE) => Resolved::Unreachable,
            Some(i) => Resolved::Node(i),
        }
    }
}

fn frame_hash(name: &str, url: &str, line: i64, column: i64) -> u64 {
    let mut h = rustc_hash::FxHasher::default();
    name.hash(&mut h);
    url.hash(&mut h);
    line.hash(&mut h);
    column.hash(&mut h);
    h.finish()
}

impl TreeBuilder {
    /// An empty builder.
    pub fn new() -> TreeBuilder {
        TreeBuilder::default()
    }

    /// Intern a call frame, returning its index. Allocates only for a new frame.
    pub fn frame(&mut self, name: &str, url: &str, line: i64, column: i64) -> u32 {
        let key = frame_hash(name, url, line, column);
        let bucket = self.frame_index.entry(key).or_default();
        for &i in bucket.iter() {
            let f = &self.frames[i as usize];
            if f.name == name && f.url == url && f.line == line && f.column == column {
                return i;
            }
        }
        let i = self.frames.len() as u32;
        self.frames.push(CallFrame::new(name, url, line, column));
        bucket.push(i);
        i
    }

    /// Add a node with its format id, frame, child ids and parent id.
    pub fn node(
        &mut self,
        id: u64,
        frame: u32,
        children: impl IntoIterator<Item = u64>,
        parent: Option<u64>,
    ) {
        self.ids.push(id);
        self.node_frames.push(frame);
        self.parents.push(parent.unwrap_or(NO_PARENT));
        let start = self.child_ids.len() as u32;
        self.child_ids.extend(children);
        self.child_ranges.push((start, self.child_ids.len() as u32));
    }

    /// Room for `nodes` more nodes with `children` more child ids.
    pub fn reserve_exact(&mut self, nodes: usize, children: usize) {
        self.ids.reserve_exact(nodes);
        self.node_frames.reserve_exact(nodes);
        self.parents.reserve_exact(nodes);
        self.child_ranges.reserve_exact(nodes);
        self.child_ids.reserve_exact(children);
    }

    /// Everything held, for tests comparing two ways of reading nodes.
    #[cfg(test)]
    pub(crate) fn describe(&self) -> String {
        format!(
            "ids {:?} frames {:?} parents {:?} children {:?} ranges {:?} interned {:?}",
            self.ids,
            self.node_frames,
            self.parents,
            self.child_ids,
            self.child_ranges,
            self.frames
        )
    }

    /// Number of child ids listed so far.
    pub fn child_count(&self) -> usize {
        self.child_ids.len()
    }

    /// Add every node of `other` after this builder's nodes, re-interning its
    /// frames (used to join node lists parsed in parallel).
    pub fn append(&mut self, other: TreeBuilder) {
        let remap: Vec<u32> = other
            .frames
            .iter()
            .map(|f| self.frame(&f.name, &f.url, f.line, f.column))
            .collect();
        let base = self.child_ids.len() as u32;
        self.ids.extend(other.ids);
        self.node_frames
            .extend(other.node_frames.iter().map(|&f| remap[f as usize]));
        self.parents.extend(other.parents);
        self.child_ids.extend(other.child_ids);
        self.child_ranges.extend(
            other
                .child_ranges
                .iter()
                .map(|&(a, b)| (a + base, b + base)),
        );
    }

    /// The format ids of the nodes added so far, in order.
    pub fn ids(&self) -> &[u64] {
        &self.ids
    }

    /// Number of nodes added so far.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether no node was added.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Whether any node listed children (decides [`Links`] for formats that allow both).
    pub fn has_children(&self) -> bool {
        !self.child_ids.is_empty()
    }

    /// Whether any node named a parent.
    pub fn has_parents(&self) -> bool {
        self.parents.iter().any(|&p| p != NO_PARENT)
    }

    /// Build the tree. Cycles are errors; every other repair becomes a warning.
    pub fn finish(
        mut self,
        links: Links,
        input: &str,
        warnings: &mut Warnings,
    ) -> Result<BuiltTree> {
        let n = self.ids.len();
        if n == 0 {
            return Err(Error::profile(input, "the profile has no nodes"));
        }
        // Format id -> position in the input list; the first node with an id wins.
        let (mut by_id, duplicates, first_duplicate) = IdMap::positions(&self.ids);
        warnings.count(input, duplicates, |c| {
            format!("{c} nodes repeat an id already used (first: id {first_duplicate}); the first node with each id is used")
        });

        // Children of each input node, as input positions, in a flat array.
        let (child_start, child_list, root) = match links {
            Links::Children => self.children_from_lists(&by_id, input, warnings),
            Links::Parent => self.children_from_parents(&by_id, input)?,
        };
        // The id lists are in the flat arrays now: free them before the walk.
        self.child_ids = Vec::new();
        self.child_ranges = Vec::new();
        self.frame_index = Default::default();

        // Iterative depth-first walk from the root: white 0, grey 1 (on the path), black 2.
        let mut colour = vec![0u8; n];
        let mut new_index = vec![NONE; n];
        let mut nodes = Vec::with_capacity(n);
        let mut stack: Vec<(u32, u32)> = Vec::new();
        colour[root as usize] = 1;
        new_index[root as usize] = 0;
        nodes.push(Node {
            frame: self.node_frames[root as usize],
            parent: NONE,
        });
        stack.push((root, child_start[root as usize]));
        let mut shared = 0usize;
        while let Some(top) = stack.last_mut() {
            let (raw, pos) = *top;
            if pos == child_start[raw as usize + 1] {
                colour[raw as usize] = 2;
                stack.pop();
                continue;
            }
            top.1 += 1;
            let child = child_list[pos as usize];
            match colour[child as usize] {
                0 => {
                    colour[child as usize] = 1;
                    new_index[child as usize] = nodes.len() as u32;
                    nodes.push(Node {
                        frame: self.node_frames[child as usize],
                        parent: new_index[raw as usize],
                    });
                    stack.push((child, child_start[child as usize]));
                }
                1 => {
                    return Err(Error::profile(
                        input,
                        format!(
                            "the call tree has a cycle: node id {} is listed below itself",
                            self.ids[child as usize]
                        ),
                    ))
                }
                _ => shared += 1,
            }
        }
        warnings.count(input, shared, |c| {
            format!(
                "{c} nodes are listed as the child of more than one node; the first parent is used"
            )
        });

        // Nodes not reached: a cycle among them is an error, the rest are orphans.
        let orphans = colour.iter().filter(|&&c| c == 0).count();
        if orphans > 0 {
            self.check_unreached_cycles(&colour, &child_start, &child_list, links, &by_id, input)?;
            warnings.push(
                input,
                format!(
                    "{orphans} nodes are not reachable from the root (first: id {}); samples on them are skipped",
                    self.ids[colour.iter().position(|&c| c == 0).unwrap_or(0)]
                ),
            );
        }

        // Re-point the id map from input positions to model indices.
        by_id.map_values(|raw| {
            let ni = new_index[raw as usize];
            if ni == NONE {
                UNREACHABLE
            } else {
                ni
            }
        });
        let ids = by_id;
        Ok(BuiltTree {
            frames: self.frames,
            nodes,
            ids,
        })
    }

    /// CDP: children lists name ids; unknown ids are skipped. The root is the first node.
    fn children_from_lists(
        &self,
        by_id: &IdMap,
        input: &str,
        warnings: &mut Warnings,
    ) -> (Vec<u32>, Vec<u32>, u32) {
        let n = self.ids.len();
        let mut start = Vec::with_capacity(n + 1);
        let mut list = Vec::with_capacity(self.child_ids.len());
        let mut missing = 0usize;
        for &(a, b) in &self.child_ranges {
            start.push(list.len() as u32);
            for &cid in &self.child_ids[a as usize..b as usize] {
                match by_id.get(cid) {
                    Some(raw) => list.push(raw),
                    None => missing += 1,
                }
            }
        }
        start.push(list.len() as u32);
        warnings.count(input, missing, |c| {
            format!("{c} child ids name nodes that are not in the profile; they are ignored")
        });
        (start, list, 0)
    }

    /// Trace chunks: each node names its parent. The root is the parentless node
    /// named `(root)`, or failing that the first parentless node.
    fn children_from_parents(
        &self,
        by_id: &IdMap,
        input: &str,
    ) -> Result<(Vec<u32>, Vec<u32>, u32)> {
        let n = self.ids.len();
        let mut counts = vec![0u32; n + 1];
        let mut parent_raw = vec![NONE; n];
        for (i, &p) in self.parents.iter().enumerate() {
            if p != NO_PARENT {
                if let Some(raw) = by_id.get(p) {
                    if raw as usize != i {
                        parent_raw[i] = raw;
                        counts[raw as usize] += 1;
                    }
                }
            }
        }
        let mut start = vec![0u32; n + 1];
        for i in 0..n {
            start[i + 1] = start[i] + counts[i];
        }
        let mut fill = start.clone();
        let mut list = vec![0u32; start[n] as usize];
        for (i, &p) in parent_raw.iter().enumerate() {
            if p != NONE {
                list[fill[p as usize] as usize] = i as u32;
                fill[p as usize] += 1;
            }
        }
        let parentless = |i: &usize| self.parents[*i] == NO_PARENT;
        let root = (0..n)
            .filter(parentless)
            .find(|&i| self.frames[self.node_frames[i] as usize].name == "(root)")
            .or_else(|| (0..n).find(parentless))
            .ok_or_else(|| {
                Error::profile(
                    input,
                    "the call tree has no root: every node names a parent",
                )
            })?;
        Ok((start, list, root as u32))
    }

    /// Look for a cycle among nodes the walk from the root did not reach.
    fn check_unreached_cycles(
        &self,
        colour: &[u8],
        child_start: &[u32],
        child_list: &[u32],
        links: Links,
        by_id: &IdMap,
        input: &str,
    ) -> Result<()> {
        let n = self.ids.len();
        let cycle = |raw: usize| {
            Error::profile(
                input,
                format!(
                    "the call tree has a cycle: node id {} is its own ancestor",
                    self.ids[raw]
                ),
            )
        };
        match links {
            Links::Parent => {
                // Follow parent links; each node is walked once overall.
                let mut state = vec![0u8; n];
                for startn in 0..n {
                    if colour[startn] != 0 || state[startn] != 0 {
                        continue;
                    }
                    let mut path = Vec::new();
                    let mut cur = startn;
                    loop {
                        if state[cur] == 1 {
                            return Err(cycle(cur));
                        }
                        if state[cur] == 2 || colour[cur] != 0 {
                            break;
                        }
                        state[cur] = 1;
                        path.push(cur);
                        match Some(self.parents[cur])
                            .filter(|&p| p != NO_PARENT)
                            .and_then(|p| by_id.get(p))
                        {
                            Some(p) if p as usize != cur => cur = p as usize,
                            Some(_) => return Err(cycle(cur)),
                            None => break,
                        }
                    }
                    for p in path {
                        state[p] = 2;
                    }
                }
            }
            Links::Children => {
                let mut col = colour.to_vec();
                for startn in 0..n {
                    if col[startn] != 0 {
                        continue;
                    }
                    col[startn] = 1;
                    let mut stack = vec![(startn as u32, child_start[startn])];
                    while let Some(top) = stack.last_mut() {
                        let (raw, pos) = *top;
                        if pos == child_start[raw as usize + 1] {
                            col[raw as usize] = 3;
                            stack.pop();
                            continue;
                        }
                        top.1 += 1;
                        let c = child_list[pos as usize] as usize;
                        match col[c] {
                            0 => {
                                col[c] = 1;
                                stack.push((c as u32, child_start[c]));
                            }
                            1 => return Err(cycle(c)),
                            _ => {}
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build(spec: &[(u64, &[u64])]) -> Result<(BuiltTree, Warnings)> {
        let mut b = TreeBuilder::new();
        for &(id, kids) in spec {
            let f = b.frame(&format!("f{id}"), "", -1, -1);
            b.node(id, f, kids.iter().copied(), None);
        }
        let mut w = Warnings::new();
        b.finish(Links::Children, "t", &mut w).map(|t| (t, w))
    }

    #[test]
    fn parents_come_first_whatever_the_order() {
        let (t, w) = build(&[(1, &[3, 2]), (2, &[]), (3, &[4]), (4, &[])]).unwrap();
        assert!(w.is_empty());
        assert_eq!(t.nodes.len(), 4);
        for (i, n) in t.nodes.iter().enumerate().skip(1) {
            assert!((n.parent as usize) < i);
        }
        assert_eq!(t.resolve(4), Resolved::Node(2));
        assert_eq!(t.resolve(9), Resolved::Unknown);
    }

    #[test]
    fn own_child_is_a_cycle() {
        let err = build(&[(1, &[2]), (2, &[2])]).err().unwrap();
        assert!(err.to_string().contains("node id 2"), "{err}");
    }

    #[test]
    fn orphans_and_missing_children_warn() {
        let (t, w) = build(&[(1, &[2, 77]), (2, &[]), (5, &[])]).unwrap();
        assert_eq!(t.resolve(5), Resolved::Unreachable);
        let all: Vec<&str> = w.iter().collect();
        assert_eq!(all.len(), 2, "{all:?}");
    }

    #[test]
    fn deep_chains_do_not_recurse() {
        let n = 200_000u64;
        let mut b = TreeBuilder::new();
        let f = b.frame("f", "", -1, -1);
        for id in 1..=n {
            let kids: Vec<u64> = if id < n { vec![id + 1] } else { vec![] };
            b.node(id, f, kids, None);
        }
        let t = b
            .finish(Links::Children, "t", &mut Warnings::new())
            .unwrap();
        assert_eq!(t.nodes.len(), n as usize);
        assert_eq!(t.resolve(n), Resolved::Node(n as u32 - 1));
    }

    #[test]
    fn parent_links_cycle_is_an_error() {
        let mut b = TreeBuilder::new();
        let r = b.frame("(root)", "", -1, -1);
        let f = b.frame("f", "", -1, -1);
        b.node(1, r, [], None);
        b.node(2, f, [], Some(3));
        b.node(3, f, [], Some(2));
        let err = b
            .finish(Links::Parent, "t", &mut Warnings::new())
            .err()
            .unwrap();
        assert!(err.to_string().contains("cycle"), "{err}");
    }
}
