//! Function names read from JavaScript text, without a parser.
//!
//! V8 records a function at the `(` of its parameter list (or at the first
//! parameter of an arrow written without parentheses). The name *bound* to the
//! function is the identifier just before that, in one of the shapes
//! bundlers and people write:
//!
//! | text | bound name |
//! |---|---|
//! | `function NAME(` | `NAME` |
//! | `NAME(){` (method, getter, generator) | `NAME` |
//! | `NAME = (a) =>`, `NAME = a =>`, `NAME = async (` | `NAME` |
//! | `NAME = function(`, `NAME: function(` | `NAME` |
//! | `NAME: (a) =>` | `NAME` |
//! | `f(function(`, `list.map((x) =>` | none: an anonymous callback |
//!
//! These scans are heuristics on text (strings and comments are not
//! skipped); they are bounded, and a miss only means "no name from here".

use rustc_hash::FxHashSet;

/// How far back a scan for an enclosing function may look, in bytes.
const ENCLOSING_SCAN_LIMIT: usize = 256 * 1024;

/// Keywords that can stand before `(` without naming a function.
const NOT_NAMES: [&str; 16] = [
    "if", "for", "while", "switch", "catch", "return", "typeof", "new", "in", "of", "do", "else",
    "void", "delete", "await", "yield",
];

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80
}

/// Byte index just after the last non-space byte before `end`.
fn skip_space_back(s: &[u8], mut end: usize) -> usize {
    while end > 0 && s[end - 1].is_ascii_whitespace() {
        end -= 1;
    }
    end
}

/// The identifier ending at `end` (exclusive): its start.
fn ident_back(s: &[u8], end: usize) -> Option<usize> {
    let mut start = end;
    while start > 0 && is_ident_byte(s[start - 1]) {
        start -= 1;
    }
    (start < end && !s[start].is_ascii_digit()).then_some(start)
}

/// The identifier starting at `at`, if one does.
pub fn ident_at(text: &str, at: usize) -> Option<&str> {
    let s = text.as_bytes();
    if at >= s.len() || !is_ident_byte(s[at]) || s[at].is_ascii_digit() {
        return None;
    }
    let mut end = at;
    while end < s.len() && is_ident_byte(s[end]) {
        end += 1;
    }
    text.get(at..end)
}

/// The name bound to the function whose parameters start at byte `at`
/// (see the module docs): the byte range of that identifier.
pub fn binding_before(text: &str, at: usize) -> Option<(usize, usize)> {
    let s = text.as_bytes();
    if at > s.len() {
        return None;
    }
    let end = skip_space_back(s, at);
    if end == 0 {
        return None;
    }
    if s[end - 1] == b'*' {
        // `function* NAME(` has the name after the star; `*NAME(` is a generator method.
        return None;
    }
    if let Some(start) = ident_back(s, end) {
        let word = &text[start..end];
        if word == "function" || word == "async" {
            // An unnamed function expression or async arrow: the name is what it is assigned to.
            let before = skip_space_back(s, start);
            let before = match ident_back(s, before) {
                Some(w) if &text[w..before] == "async" => skip_space_back(s, w),
                _ => before,
            };
            return assigned_name(text, before);
        }
        if NOT_NAMES.contains(&word) {
            return None;
        }
        if s.get(at) == Some(&b'(') || !is_ident_byte(*s.get(at).unwrap_or(&b' ')) {
            // `function NAME(`, `NAME(){`, `get NAME(`: the identifier before the parameters.
            return Some((start, end));
        }
        return None;
    }
    // `NAME = (a) =>`, `NAME: a =>`
    assigned_name(text, end)
}

/// The identifier assigned by a `=` or `:` ending just before `end`.
fn assigned_name(text: &str, end: usize) -> Option<(usize, usize)> {
    let s = text.as_bytes();
    if end == 0 {
        return None;
    }
    let op = s[end - 1];
    if op != b'=' && op != b':' {
        return None;
    }
    // Not `==`, `!=`, `<=`, `>=`, `=>`, nor `::`.
    if end >= 2 && b"=!<>:".contains(&s[end - 2]) {
        return None;
    }
    let name_end = skip_space_back(s, end - 1);
    let start = ident_back(s, name_end)?;
    let word = &text[start..name_end];
    (!NOT_NAMES.contains(&word)).then_some((start, name_end))
}

/// The names declared in `source` (functions, methods, variables, properties:
/// identifiers followed by `(`, `=` or `:`, or preceded by `function`), in one
/// pass: a runtime name found here is the author's, not a minifier's.
pub fn declared_names(source: &str) -> FxHashSet<String> {
    let s = source.as_bytes();
    let mut out = FxHashSet::default();
    let mut i = 0;
    let mut previous: &str = "";
    while i < s.len() {
        if !is_ident_byte(s[i]) || s[i].is_ascii_digit() {
            if !s[i].is_ascii_whitespace() {
                previous = "";
            }
            i += 1;
            continue;
        }
        let start = i;
        while i < s.len() && is_ident_byte(s[i]) {
            i += 1;
        }
        let Some(word) = source.get(start..i) else {
            continue;
        };
        let after = s[i..].iter().find(|b| !b.is_ascii_whitespace());
        if (previous == "function" || matches!(after, Some(b'(' | b'=' | b':')))
            && !out.contains(word)
        {
            out.insert(word.to_string());
        }
        previous = word;
    }
    out
}

/// Whether `name` is declared in `source` (see [`declared_names`]).
#[cfg(test)]
fn declared_in(source: &str, name: &str) -> bool {
    declared_names(source).contains(name)
}

/// The nearest named function enclosing byte `at` of `text`: walks back over
/// balanced braces to each enclosing `{` and reads the header before it.
pub fn enclosing_function(text: &str, at: usize) -> Option<&str> {
    let s = text.as_bytes();
    let mut i = at.min(s.len());
    let stop = i.saturating_sub(ENCLOSING_SCAN_LIMIT);
    let mut depth = 0usize;
    while i > stop {
        i -= 1;
        match s[i] {
            b'}' => depth += 1,
            b'{' if depth > 0 => depth -= 1,
            b'{' => {
                if let Some(name) = header_name(text, i) {
                    return Some(name);
                }
            }
            _ => {}
        }
    }
    None
}

/// The name of the function whose body opens with the `{` at `brace`.
fn header_name(text: &str, brace: usize) -> Option<&str> {
    let s = text.as_bytes();
    let mut end = skip_space_back(s, brace);
    // `) => {` : an arrow body.
    let arrow = end >= 2 && &s[end - 2..end] == b"=>";
    if arrow {
        end = skip_space_back(s, end - 2);
    }
    // Skip a TypeScript return type `): T {` is not attempted: the `)` must be next.
    if end == 0 {
        return None;
    }
    let params = if s[end - 1] == b')' {
        let mut depth = 0usize;
        let mut j = end;
        loop {
            if j == 0 {
                return None;
            }
            j -= 1;
            match s[j] {
                b')' => depth += 1,
                b'(' => {
                    depth -= 1;
                    if depth == 0 {
                        break j;
                    }
                }
                _ => {}
            }
        }
    } else if arrow {
        ident_back(s, end)?
    } else {
        return None;
    };
    let (a, b) = binding_before(text, params)?;
    text.get(a..b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bound(text: &str) -> Option<&str> {
        // The marker `@` stands where V8's column points.
        let at = text.find('@').expect("marker");
        let t = text.replacen('@', "", 1);
        let (a, b) = binding_before(&t, at)?;
        Some(Box::leak(t[a..b].to_string().into_boxed_str()))
    }

    #[test]
    fn bound_names() {
        assert_eq!(
            bound("function computeTotal@(a, b) {"),
            Some("computeTotal")
        );
        assert_eq!(bound("class A { render@() {"), Some("render"));
        assert_eq!(bound("const sum = @(a) => a"), Some("sum"));
        assert_eq!(bound("const sum=@t=>t"), Some("sum"));
        assert_eq!(bound("let go = async @(a) =>"), Some("go"));
        assert_eq!(bound("x.run = function @(a) {"), Some("run"));
        assert_eq!(bound("{ parse: function@(a) {"), Some("parse"));
        assert_eq!(bound("{ parse: @(a) => 1 }"), Some("parse"));
        assert_eq!(bound("items.forEach(@(x) => x)"), None);
        assert_eq!(bound("setTimeout(function @() {"), None);
        assert_eq!(bound("if @(a == b)"), None);
        assert_eq!(bound("a == @(b)"), None);
    }

    #[test]
    fn declared_names() {
        let src = "function computeTotal(a) {}\nconst sum = (a) => a;\nclass A { render() {} }";
        assert!(declared_in(src, "computeTotal"));
        assert!(declared_in(src, "sum"));
        assert!(declared_in(src, "render"));
        assert!(!declared_in(src, "s"));
        assert!(!declared_in(src, "comp"));
    }

    #[test]
    fn enclosing() {
        let src = "function outer(list) {\n  if (x) { list.forEach((v) => { work(v); }); }\n}";
        let at = src.find("work").expect("work");
        assert_eq!(enclosing_function(src, at), Some("outer"));
        let src = "const runAll = (xs) => {\n xs.map(function (v) { return v; });\n};";
        let at = src.find("return").expect("return");
        assert_eq!(enclosing_function(src, at), Some("runAll"));
        assert_eq!(enclosing_function("no functions { here }", 15), None);
    }
}
