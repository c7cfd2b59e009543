//! The merged stack tree: one node per distinct path of labels.
//!
//! A `.cpuprofile` is already a call tree, but two of its nodes can carry the
//! same label path (different script ids, a repeated source, GC put on top of
//! a stack). Folding merges them here, on the tree, so the cost is one hash
//! lookup per profile node, not a string per sample.

use rustc_hash::FxHashMap;

use super::label::LabelTable;
use crate::model::NONE;

/// One distinct stack.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StackNode {
    /// Label of the top frame ([`NONE`] for the invisible root).
    pub label: u32,
    /// Parent stack, [`NONE`] for the root.
    pub parent: u32,
    /// Weight of samples whose stack is exactly this one (self weight).
    pub weight: f64,
}

/// The merged tree; node 0 is the invisible root.
#[derive(Debug, Clone)]
pub struct StackTree {
    nodes: Vec<StackNode>,
    index: FxHashMap<(u32, u32), u32>,
}

impl Default for StackTree {
    fn default() -> Self {
        StackTree::new()
    }
}

impl StackTree {
    /// A tree with only its root.
    pub fn new() -> StackTree {
        StackTree {
            nodes: vec![StackNode {
                label: NONE,
                parent: NONE,
                weight: 0.0,
            }],
            index: FxHashMap::default(),
        }
    }

    /// The invisible root.
    pub const ROOT: u32 = 0;

    /// Room for `additional` more stacks, reserved at once rather than by
    /// doubling (a doubling hash table briefly holds both sizes).
    pub fn reserve(&mut self, additional: usize) {
        self.nodes.reserve_exact(additional);
        self.index.reserve(additional);
    }

    /// The child of `parent` labelled `label`, created if new.
    pub fn child(&mut self, parent: u32, label: u32) -> u32 {
        if let Some(&c) = self.index.get(&(parent, label)) {
            return c;
        }
        let id = self.nodes.len() as u32;
        self.nodes.push(StackNode {
            label,
            parent,
            weight: 0.0,
        });
        self.index.insert((parent, label), id);
        id
    }

    /// Add self weight to a stack.
    pub fn add(&mut self, stack: u32, weight: f64) {
        self.nodes[stack as usize].weight += weight;
    }

    /// All stacks; index 0 is the root.
    pub fn nodes(&self) -> &[StackNode] {
        &self.nodes
    }

    /// One stack.
    pub fn node(&self, id: u32) -> &StackNode {
        &self.nodes[id as usize]
    }

    /// Number of stacks including the root.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether only the root exists.
    pub fn is_empty(&self) -> bool {
        self.nodes.len() <= 1
    }

    /// Sum of all self weights.
    pub fn total(&self) -> f64 {
        self.nodes.iter().map(|n| n.weight).sum()
    }

    /// Labels of a stack, root-most first.
    pub fn path(&self, mut id: u32, out: &mut Vec<u32>) {
        out.clear();
        while id != Self::ROOT && id != NONE {
            let n = &self.nodes[id as usize];
            out.push(n.label);
            id = n.parent;
        }
        out.reverse();
    }

    /// Stack ids of a stack's frames, root-most first (the last is `id` itself).
    pub fn path_nodes(&self, mut id: u32, out: &mut Vec<u32>) {
        out.clear();
        while id != Self::ROOT && id != NONE {
            out.push(id);
            id = self.nodes[id as usize].parent;
        }
        out.reverse();
    }

    /// Write a stack as folded text (`a;b;c`) into `out`.
    pub fn write_path(
        &self,
        id: u32,
        labels: &LabelTable,
        scratch: &mut Vec<u32>,
        out: &mut String,
    ) {
        self.path(id, scratch);
        for (i, &l) in scratch.iter().enumerate() {
            if i > 0 {
                out.push(';');
            }
            out.push_str(labels.name(l));
        }
    }

    /// Total (inclusive) weight of every stack, children added into parents.
    pub fn totals(&self) -> Vec<f64> {
        let mut t: Vec<f64> = self.nodes.iter().map(|n| n.weight).collect();
        // Children always have larger ids than their parents.
        for i in (1..self.nodes.len()).rev() {
            let p = self.nodes[i].parent;
            if p != NONE {
                t[p as usize] += t[i];
            }
        }
        t
    }
}
