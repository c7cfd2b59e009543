//! Frames as structured data (name, file, line, column) for the formats that
//! carry them apart (pprof, speedscope, JSON), read back from the fold's
//! labels (`name (file:LINE:COL)`, see [`crate::fold::label`]), and which
//! source (thread, file) a stack belongs to.

use crate::fold::{label, Category, Folded, StackTree};
use crate::model::NONE;

/// One frame, taken apart.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FrameParts<'a> {
    /// Function name (`(anonymous)`, `(program)`, `JSON.parse`, `fib:12` for a `--lines` frame).
    pub name: &'a str,
    /// Script as the label shows it (shortened URL or path); empty when none.
    pub file: &'a str,
    /// 1-based line, 0 when unknown.
    pub line: u32,
    /// 1-based column, 0 when unknown.
    pub column: u32,
}

/// Take a label apart: `fib (src/a.js:3:7)` → `fib`, `src/a.js`, 3, 7.
pub fn parts(label: &str, category: Category) -> FrameParts<'_> {
    let (name, location) = super::table::split_label(label, category);
    let mut file = location;
    let mut numbers = [0u32; 2];
    let mut found = 0;
    // Up to two trailing `:N` parts: the line, then the column.
    while found < 2 {
        let Some(i) = file.rfind(':') else { break };
        let tail = &file[i + 1..];
        if tail.is_empty() || !tail.bytes().all(|b| b.is_ascii_digit()) {
            break;
        }
        let Ok(n) = tail.parse::<u32>() else { break };
        numbers[found] = n;
        found += 1;
        file = &file[..i];
    }
    let (line, column) = match found {
        2 => (numbers[1], numbers[0]),
        1 => (numbers[0], 0),
        _ => (0, 0),
    };
    FrameParts {
        name,
        file,
        line,
        column,
    }
}

/// Which source each root-level stack belongs to, when the fold drew one root
/// frame per source (several sources, not `--merge`d).
#[derive(Debug, Clone)]
pub struct SourceRoots {
    /// Per stack-tree node: the index in `folded.sources` of its source, or
    /// `None` (merged, or a single source: see [`SourceRoots::single`]).
    of_root: Vec<Option<usize>>,
    /// The only source, when there is exactly one and no root frame.
    single: Option<usize>,
}

impl SourceRoots {
    /// Find the source of every root frame of `folded`.
    pub fn of(folded: &Folded) -> SourceRoots {
        let nodes = folded.tree.nodes();
        let mut of_root = vec![None; nodes.len()];
        // Each source's root-frame name, made once (the first source of a
        // name wins, as a linear search would): linear in sources.
        let mut by_name = std::collections::HashMap::with_capacity(folded.sources.len());
        for (i, s) in folded.sources.iter().enumerate() {
            by_name.entry(label::sanitize(&s.info.name)).or_insert(i);
        }
        for (i, n) in nodes.iter().enumerate().skip(1) {
            if n.parent != StackTree::ROOT || folded.labels.category(n.label) != Category::Source {
                continue;
            }
            let name = folded.labels.name(n.label);
            of_root[i] = by_name.get(name).copied();
        }
        SourceRoots {
            of_root,
            single: (folded.sources.len() == 1).then_some(0),
        }
    }

    /// The source of a stack whose root-most node is `root`.
    pub fn source(&self, root: u32) -> Option<usize> {
        if root == NONE {
            return self.single;
        }
        self.of_root
            .get(root as usize)
            .copied()
            .flatten()
            .or(self.single)
    }

    /// The only source, for a single-source fold.
    pub fn single(&self) -> Option<usize> {
        self.single
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_come_apart() {
        let p = parts("fib (src/a.js:3:7)", Category::App);
        assert_eq!(
            (p.name, p.file, p.line, p.column),
            ("fib", "src/a.js", 3, 7)
        );
        let p = parts("(anonymous) (node:internal/main:1)", Category::Runtime);
        assert_eq!(
            (p.name, p.file, p.line, p.column),
            ("(anonymous)", "node:internal/main", 1, 0)
        );
        let p = parts("f (http://127.0.0.1:8080/app.js:10:2)", Category::App);
        assert_eq!(p.file, "http://127.0.0.1:8080/app.js");
        assert_eq!((p.line, p.column), (10, 2));
        let p = parts("JSON.parse", Category::Native);
        assert_eq!((p.name, p.file, p.line), ("JSON.parse", "", 0));
        let p = parts("(garbage collector)", Category::Gc);
        assert_eq!((p.name, p.file), ("(garbage collector)", ""));
    }
}
