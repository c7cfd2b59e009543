//! Stack transforms: `--include`, `--exclude`, `--focus`, `--hide`,
//! `--fold-packages` and `--collapse-recursion`.
//!
//! The fold first builds the *raw* merged stack tree, exactly as the profile
//! recorded it. A [`Mapper`] then maps each raw stack to an output stack (or to
//! "drop"), memoised per raw stack and computed parent first, so the cost is one
//! step per distinct stack, never per sample, and a regex runs at most once per
//! distinct label.
//!
//! Rules, for a sample whose raw stack is `f1;f2;…;fn` (root first):
//! - `--exclude RE`: dropped when any frame's label matches;
//! - `--include RE`: kept only when some frame's label matches;
//! - `--focus RE`: kept only when some frame matches, and re-rooted at the
//!   first (root-most) match: frames below it are cut off;
//! - `--hide RE`: matching frames are removed, their time going to the caller;
//!   a sample whose every frame is hidden is dropped;
//! - `--fold-packages`: a frame from `node_modules/PKG/…` becomes the frame
//!   `PKG` (`lodash`, `@scope/pkg`), and consecutive frames of one package merge;
//! - `--collapse-recursion`: a frame equal to its caller (direct recursion)
//!   merges into it.
//!
//! Regexes match the frame's label, `name (location)`, so they can match the
//! function name or the file. The frame naming a source (thread or file) when
//! several are drawn is never matched, hidden or cut off; nor are the `fn:LINE`
//! frames of `--lines`, which follow their function.

use regex::Regex;

use super::label::LabelTable;
use super::stacks::StackTree;
use crate::model::NONE;

/// Which transforms to apply. The default changes nothing.
#[derive(Debug, Clone, Default)]
pub struct Transforms {
    /// Keep samples with a frame matching this.
    pub include: Option<Regex>,
    /// Drop samples with a frame matching this.
    pub exclude: Option<Regex>,
    /// Keep samples through a matching frame, re-rooted at the first match.
    pub focus: Option<Regex>,
    /// Remove matching frames, giving their time to the caller.
    pub hide: Option<Regex>,
    /// One frame per `node_modules` package.
    pub fold_packages: bool,
    /// Merge direct recursion.
    pub collapse_recursion: bool,
}

impl Transforms {
    /// Whether any transform is asked for.
    pub fn is_identity(&self) -> bool {
        self.include.is_none()
            && self.exclude.is_none()
            && self.focus.is_none()
            && self.hide.is_none()
            && !self.fold_packages
            && !self.collapse_recursion
    }

    /// Several patterns as one regex matching any of them (`None` when empty).
    pub fn any_of(patterns: &[Regex]) -> Option<Regex> {
        match patterns {
            [] => None,
            [one] => Some(one.clone()),
            many => {
                let joined: Vec<String> =
                    many.iter().map(|r| format!("(?:{})", r.as_str())).collect();
                Regex::new(&joined.join("|")).ok()
            }
        }
    }
}

/// What a label is, for the mapper.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Role {
    /// An ordinary frame: matched against the regexes.
    #[default]
    Frame,
    /// The frame naming a source: kept, never matched.
    Source,
    /// A `fn:LINE` frame: follows its function.
    Line,
}

const INCLUDE: u8 = 1;
const EXCLUDE: u8 = 2;
const FOCUS: u8 = 4;
const HIDE: u8 = 8;
const KNOWN: u8 = 128;

/// The output of one raw stack.
#[derive(Debug, Clone, Copy)]
struct Out {
    /// Output stack; [`NONE`] when every sample here is dropped.
    stack: u32,
    /// Output stack of the enclosing source frame (or the root): where `--focus` re-roots.
    base: u32,
    /// Some frame so far matched `--include`.
    included: bool,
    /// Some frame so far matched `--focus`.
    focused: bool,
    /// The top output frame is this raw frame itself (so `fn:LINE` frames may go on it).
    own: bool,
}

/// Maps raw stacks to output stacks, memoised.
#[derive(Debug)]
pub struct Mapper {
    t: Transforms,
    /// Per label: match bits (0 until computed).
    bits: Vec<u8>,
    /// Per label: its role.
    roles: Vec<Role>,
    /// Per label: the package label replacing it under `--fold-packages`, or [`NONE`].
    package: Vec<u32>,
    /// Per raw stack.
    memo: Vec<Out>,
    /// No transform asked for: every stack maps to itself.
    identity: bool,
}

impl Mapper {
    /// A mapper applying `t`.
    pub fn new(t: &Transforms) -> Mapper {
        Mapper {
            t: t.clone(),
            bits: Vec::new(),
            roles: Vec::new(),
            package: Vec::new(),
            memo: Vec::new(),
            identity: t.is_identity(),
        }
    }

    /// Whether every stack maps to itself (no transform asked for).
    pub fn is_identity(&self) -> bool {
        self.identity
    }

    fn grow(&mut self, label: u32) {
        let n = label as usize + 1;
        if self.roles.len() < n {
            self.roles.resize(n, Role::Frame);
            self.package.resize(n, NONE);
        }
    }

    /// `label` names a source: never matched.
    pub fn set_source(&mut self, label: u32) {
        self.grow(label);
        self.roles[label as usize] = Role::Source;
    }

    /// `label` is a `fn:LINE` frame.
    pub fn set_line(&mut self, label: u32) {
        self.grow(label);
        self.roles[label as usize] = Role::Line;
    }

    /// Under `--fold-packages`, `label` becomes `package`.
    pub fn set_package(&mut self, label: u32, package: u32) {
        self.grow(label);
        self.package[label as usize] = package;
    }

    fn role(&self, label: u32) -> Role {
        self.roles.get(label as usize).copied().unwrap_or_default()
    }

    fn match_bits(&mut self, label: u32, labels: &LabelTable) -> u8 {
        let i = label as usize;
        if self.bits.len() <= i {
            self.bits.resize(labels.len().max(i + 1), 0);
        }
        if self.bits[i] & KNOWN == 0 {
            let name = labels.name(label);
            let mut b = KNOWN;
            let test = |r: &Option<Regex>, bit: u8| match r {
                Some(r) if r.is_match(name) => bit,
                _ => 0,
            };
            b |= test(&self.t.include, INCLUDE);
            b |= test(&self.t.exclude, EXCLUDE);
            b |= test(&self.t.focus, FOCUS);
            b |= test(&self.t.hide, HIDE);
            self.bits[i] = b;
        }
        self.bits[i]
    }

    /// The output stack of raw stack `id`, or `None` when its samples are dropped.
    pub fn map(
        &mut self,
        raw: &StackTree,
        out: &mut StackTree,
        labels: &LabelTable,
        id: u32,
    ) -> Option<u32> {
        if self.identity {
            // Without transforms the output tree is the raw tree itself.
            return (id != StackTree::ROOT).then_some(id);
        }
        while self.memo.len() <= id as usize {
            let next = self.memo.len() as u32;
            let o = self.compute(raw, out, labels, next);
            self.memo.push(o);
        }
        let o = self.memo[id as usize];
        let dropped = o.stack == NONE
            || o.stack == StackTree::ROOT
            || (self.t.focus.is_some() && !o.focused)
            || (self.t.include.is_some() && !o.included);
        if dropped {
            None
        } else {
            Some(o.stack)
        }
    }

    fn compute(
        &mut self,
        raw: &StackTree,
        out: &mut StackTree,
        labels: &LabelTable,
        id: u32,
    ) -> Out {
        let node = *raw.node(id);
        if node.parent == NONE {
            return Out {
                stack: StackTree::ROOT,
                base: StackTree::ROOT,
                included: false,
                focused: false,
                own: false,
            };
        }
        let p = self.memo[node.parent as usize];
        if p.stack == NONE {
            return p;
        }
        let label = node.label;
        match self.role(label) {
            Role::Source => {
                let stack = out.child(p.stack, label);
                return Out {
                    stack,
                    base: stack,
                    own: true,
                    ..p
                };
            }
            Role::Line => {
                let stack = if p.own {
                    out.child(p.stack, label)
                } else {
                    p.stack
                };
                return Out {
                    stack,
                    own: false,
                    ..p
                };
            }
            Role::Frame => {}
        }
        let bits = self.match_bits(label, labels);
        if bits & EXCLUDE != 0 {
            return Out { stack: NONE, ..p };
        }
        let included = p.included || bits & INCLUDE != 0;
        if self.t.focus.is_some() && !p.focused {
            if bits & FOCUS == 0 {
                // Not yet at the focus: nothing is drawn below it.
                return Out {
                    stack: p.base,
                    included,
                    own: false,
                    ..p
                };
            }
            return Out {
                stack: out.child(p.base, label),
                included,
                focused: true,
                own: true,
                ..p
            };
        }
        if bits & HIDE != 0 {
            return Out {
                included,
                own: false,
                ..p
            };
        }
        let package = self.package.get(label as usize).copied().unwrap_or(NONE);
        let shown = if self.t.fold_packages && package != NONE {
            package
        } else {
            label
        };
        let top = out.node(p.stack).label;
        let merges = p.stack != StackTree::ROOT
            && top == shown
            && (shown != label || self.t.collapse_recursion);
        let stack = if merges {
            p.stack
        } else {
            out.child(p.stack, shown)
        };
        Out {
            stack,
            included,
            // Line frames go on a function's own frame, not on a package frame.
            own: shown == label,
            ..p
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fold::Category;

    fn build(paths: &[&[&str]]) -> (StackTree, LabelTable, Vec<u32>) {
        let mut raw = StackTree::new();
        let mut labels = LabelTable::default();
        let mut leaves = Vec::new();
        for path in paths {
            let mut s = StackTree::ROOT;
            for f in *path {
                let l = labels.intern(f, Category::App);
                s = raw.child(s, l);
            }
            leaves.push(s);
        }
        (raw, labels, leaves)
    }

    fn mapped(t: Transforms, paths: &[&[&str]]) -> Vec<Option<String>> {
        let (raw, labels, leaves) = build(paths);
        let mut m = Mapper::new(&t);
        let mut out = StackTree::new();
        let mut scratch = Vec::new();
        leaves
            .iter()
            .map(|&l| {
                m.map(&raw, &mut out, &labels, l).map(|s| {
                    // Without transforms, stacks map to themselves in the raw tree.
                    let tree = if m.is_identity() { &raw } else { &out };
                    let mut text = String::new();
                    tree.write_path(s, &labels, &mut scratch, &mut text);
                    text
                })
            })
            .collect()
    }

    fn re(s: &str) -> Option<Regex> {
        Some(Regex::new(s).unwrap())
    }

    #[test]
    fn each_transform() {
        let paths: &[&[&str]] = &[
            &["main", "a", "b"],
            &["main", "c"],
            &["main", "a", "a", "a"],
        ];
        let show = |t| mapped(t, paths);
        let s = |v: &str| Some(v.to_string());
        assert_eq!(
            show(Transforms::default()),
            [s("main;a;b"), s("main;c"), s("main;a;a;a")]
        );
        assert_eq!(
            show(Transforms {
                exclude: re("^b$"),
                ..Transforms::default()
            }),
            [None, s("main;c"), s("main;a;a;a")]
        );
        assert_eq!(
            show(Transforms {
                include: re("^b$"),
                ..Transforms::default()
            }),
            [s("main;a;b"), None, None]
        );
        assert_eq!(
            show(Transforms {
                focus: re("^a$"),
                ..Transforms::default()
            }),
            [s("a;b"), None, s("a;a;a")]
        );
        assert_eq!(
            show(Transforms {
                hide: re("^a$"),
                ..Transforms::default()
            }),
            [s("main;b"), s("main;c"), s("main")]
        );
        assert_eq!(
            show(Transforms {
                collapse_recursion: true,
                ..Transforms::default()
            }),
            [s("main;a;b"), s("main;c"), s("main;a")]
        );
        assert_eq!(
            show(Transforms {
                hide: re("."),
                ..Transforms::default()
            }),
            [None, None, None]
        );
    }
}
