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
///
/// The children of a stack are found through a list of siblings while they
/// are few (most stacks have one or two callees: a short walk costs less than
/// a hash lookup that misses the cache), and through a hash map once a stack
/// has [`WIDE`] of them (a wide stack stays fast, whatever its width).
#[derive(Debug, Clone)]
pub struct StackTree {
    nodes: Vec<StackNode>,
    /// First child of each stack, [`NONE`] when it has none.
    first_child: Vec<u32>,
    /// Next child of the same parent, [`NONE`] for the last.
    next_sibling: Vec<u32>,
    /// Number of children of each stack.
    child_count: Vec<u32>,
    /// `(parent, label) -> child` for every child of a stack with [`WIDE`] or more.
    index: FxHashMap<(u32, u32), u32>,
}

/// How many children a stack has before they are looked up by hash.
const WIDE: u32 = 8;

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
            first_child: vec![NONE],
            next_sibling: vec![NONE],
            child_count: vec![0],
            index: FxHashMap::default(),
        }
    }

    /// The invisible root.
    pub const ROOT: u32 = 0;

    /// Room for `additional` more stacks, reserved at once rather than by
    /// doubling (a doubling hash table briefly holds both sizes).
    pub fn reserve(&mut self, additional: usize) {
        self.nodes.reserve_exact(additional);
        self.first_child.reserve_exact(additional);
        self.next_sibling.reserve_exact(additional);
        self.child_count.reserve_exact(additional);
    }

    /// The child of `parent` labelled `label`, created if new.
    pub fn child(&mut self, parent: u32, label: u32) -> u32 {
        let p = parent as usize;
        let count = self.child_count[p];
        if count >= WIDE {
            if let Some(&c) = self.index.get(&(parent, label)) {
                return c;
            }
        } else {
            let mut c = self.first_child[p];
            while c != NONE {
                if self.nodes[c as usize].label == label {
                    return c;
                }
                c = self.next_sibling[c as usize];
            }
        }
        let id = self.nodes.len() as u32;
        self.nodes.push(StackNode {
            label,
            parent,
            weight: 0.0,
        });
        self.first_child.push(NONE);
        self.next_sibling.push(self.first_child[p]);
        self.first_child[p] = id;
        self.child_count.push(0);
        self.child_count[p] = count + 1;
        if count + 1 == WIDE {
            // The stack just became wide: index all its children.
            let mut c = id;
            while c != NONE {
                self.index.insert((parent, self.nodes[c as usize].label), c);
                c = self.next_sibling[c as usize];
            }
        } else if count + 1 > WIDE {
            self.index.insert((parent, label), id);
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The sibling lists and the hash map for wide stacks find the same
    /// stacks, numbered in the same order, as one plain map of every edge.
    #[test]
    fn children_are_found_as_by_one_map() {
        let mut tree = StackTree::new();
        let mut plain: std::collections::HashMap<(u32, u32), u32> = Default::default();
        let mut count = 1u32;
        // A pseudo-random walk: narrow and wide parents, repeats of both.
        let mut x = 12345u64;
        let mut stacks = vec![StackTree::ROOT];
        for _ in 0..20_000 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let parent = stacks[(x >> 33) as usize % stacks.len()];
            // Root-level stacks get many labels (a wide parent), others few.
            let labels = if parent == StackTree::ROOT { 50 } else { 12 };
            let label = (x >> 13) as u32 % labels;
            let expected = *plain.entry((parent, label)).or_insert_with(|| {
                count += 1;
                count - 1
            });
            let got = tree.child(parent, label);
            assert_eq!(got, expected);
            assert_eq!(tree.node(got).parent, parent);
            assert_eq!(tree.node(got).label, label);
            stacks.push(got);
        }
        assert_eq!(tree.len(), count as usize);
        assert!(tree.child_count[0] > WIDE && tree.child_count.iter().any(|&c| c > 1 && c < WIDE));
    }
}
