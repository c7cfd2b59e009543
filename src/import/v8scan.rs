//! A scanner for one `nodes` entry exactly as V8 writes it:
//!
//! ```text
//! {"id":7,"callFrame":{"functionName":"f","scriptId":"68","url":"u","lineNumber":51,"columnNumber":35},"hitCount":1,"children":[8,9],"positionTicks":[{"line":55,"ticks":1}]}
//! ```
//!
//! Fields in that order, no whitespace, integers without sign (but for the
//! positions' `-1`), fraction or exponent, strings without escapes. That is
//! what Node, Chrome and the inspector write, and it can be read without a
//! general JSON parser: no field names to look up, no `Vec` per node, and a
//! call frame seen before is recognised by its bytes alone. Anything else,
//! however valid, makes [`Scanner::node`] give up before it adds anything, and
//! the caller parses that node with serde_json instead, so the result is
//! always what the general parser gives.

use rustc_hash::FxHashMap;

use super::cdp::NodeList;

/// Scans the nodes of one piece of the `nodes` array; remembers the call
/// frames it has seen, by their bytes.
#[derive(Default)]
pub(crate) struct Scanner<'a> {
    /// The bytes of a `callFrame` object (including its braces) -> frame index.
    frames: FxHashMap<&'a [u8], u32>,
    /// Child ids of the node being scanned.
    children: Vec<u64>,
    /// `(line, ticks)` of the node being scanned.
    ticks: Vec<(f64, f64)>,
}

/// Longest integer the scanner reads (all such are exact in an `f64`).
const MAX_DIGITS: usize = 15;

/// A cursor over the bytes; every method returns `None` on a surprise.
struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    /// Step over `lit` if the bytes continue with it.
    fn eat(&mut self, lit: &[u8]) -> Option<()> {
        if self.bytes.get(self.pos..)?.starts_with(lit) {
            self.pos += lit.len();
            Some(())
        } else {
            None
        }
    }

    /// Whether the bytes continue with `lit` (stepping over it if so).
    fn eat_if(&mut self, lit: &[u8]) -> bool {
        self.eat(lit).is_some()
    }

    /// A non-negative integer in JSON's own spelling (`0` or no leading
    /// zero), ending where a value ends (`,`, `}` or `]`, not consumed).
    fn uint(&mut self) -> Option<u64> {
        let rest = self.bytes.get(self.pos..)?;
        let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        if digits == 0 || digits > MAX_DIGITS || (digits > 1 && rest[0] == b'0') {
            return None;
        }
        if !matches!(rest.get(digits), Some(b',' | b'}' | b']')) {
            return None;
        }
        let v = rest[..digits]
            .iter()
            .fold(0u64, |v, &d| v * 10 + u64::from(d - b'0'));
        self.pos += digits;
        Some(v)
    }

    /// An integer that may be negative (not `-0`, which JSON readers give as
    /// the float -0.0).
    fn int(&mut self) -> Option<i64> {
        if self.eat_if(b"-") {
            if self.bytes.get(self.pos) == Some(&b'0') {
                return None;
            }
            Some(-(self.uint()? as i64))
        } else {
            Some(self.uint()? as i64)
        }
    }

    /// A string without escapes: the bytes between its quotes.
    fn string(&mut self) -> Option<&'a [u8]> {
        self.eat(b"\"")?;
        let rest = self.bytes.get(self.pos..)?;
        let len = memchr::memchr2(b'"', b'\\', rest)?;
        if rest[len] != b'"' {
            return None;
        }
        self.pos += len + 1;
        Some(&rest[..len])
    }
}

/// Text of a string as serde_json would hand it over without escapes:
/// valid UTF-8 and no control characters (which JSON forbids in strings).
fn text(raw: &[u8]) -> Option<&str> {
    if raw.iter().any(|&b| b < 0x20) {
        return None;
    }
    std::str::from_utf8(raw).ok()
}

impl<'a> Scanner<'a> {
    /// Scan the node starting at `bytes[pos]` (its `{`) into `list`, returning
    /// the position just after its `}`; `None`, with nothing added, when the
    /// node is not written exactly as V8 writes it.
    pub(crate) fn node(
        &mut self,
        bytes: &'a [u8],
        pos: usize,
        list: &mut NodeList,
    ) -> Option<usize> {
        let mut c = Cursor { bytes, pos };
        c.eat(b"{\"id\":")?;
        let id = c.uint()?;
        c.eat(b",\"callFrame\":")?;
        let frame_start = c.pos;
        c.eat(b"{\"functionName\":")?;
        let name = c.string()?;
        c.eat(b",\"scriptId\":")?;
        c.string()?;
        c.eat(b",\"url\":")?;
        let url = c.string()?;
        c.eat(b",\"lineNumber\":")?;
        let line = c.int()?;
        c.eat(b",\"columnNumber\":")?;
        let column = c.int()?;
        c.eat(b"}")?;
        let frame_bytes = &bytes[frame_start..c.pos];
        let known = self.frames.get(frame_bytes).copied();

        let mut hits = 0.0;
        if c.eat_if(b",\"hitCount\":") {
            hits = c.uint()? as f64;
        }
        self.children.clear();
        let has_children = c.eat_if(b",\"children\":[");
        if has_children && !c.eat_if(b"]") {
            loop {
                self.children.push(c.uint()?);
                if c.eat_if(b"]") {
                    break;
                }
                c.eat(b",")?;
            }
        }
        self.ticks.clear();
        if c.eat_if(b",\"positionTicks\":[") && !c.eat_if(b"]") {
            loop {
                c.eat(b"{\"line\":")?;
                let line = c.uint()? as f64;
                c.eat(b",\"ticks\":")?;
                let ticks = c.uint()? as f64;
                c.eat(b"}")?;
                self.ticks.push((line, ticks));
                if c.eat_if(b"]") {
                    break;
                }
                c.eat(b",")?;
            }
        }
        c.eat(b"}")?;

        // The whole node is as expected: only now add anything.
        let frame = match known {
            Some(f) => f,
            None => {
                let name = text(name)?;
                let url = text(url)?;
                let f = list.frame(name, url, position(line), position(column));
                self.frames.insert(frame_bytes, f);
                f
            }
        };
        list.push_parts(
            id,
            frame,
            has_children.then(|| self.children.iter().copied()),
            None,
            hits,
            self.ticks.iter().copied(),
        );
        Some(c.pos)
    }
}

/// The model's position for a scanned integer, as [`super::cdp::position`] gives it.
fn position(v: i64) -> i64 {
    super::cdp::position(Some(super::json::Num(v as f64)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    /// Build the same nodes with the scanner and with serde_json, and compare
    /// everything a `NodeList` holds.
    fn both(nodes: &[&str]) -> (Vec<bool>, String, String) {
        let mut scanned = NodeList::default();
        let mut parsed = NodeList::default();
        let mut scanner = Scanner::default();
        let mut took = Vec::new();
        for n in nodes {
            let ok = scanner.node(n.as_bytes(), 0, &mut scanned) == Some(n.len());
            if !ok {
                // What the caller does: the general parser takes the node.
                scanned.push_json(n.as_bytes());
            }
            took.push(ok);
            parsed.push_json(n.as_bytes());
        }
        (took, scanned.describe(), parsed.describe())
    }

    impl NodeList {
        fn push_json(&mut self, bytes: &[u8]) {
            let mut de = serde_json::Deserializer::from_slice(bytes);
            let node = super::super::cdp::RawNode::deserialize(&mut de).unwrap();
            self.push(node);
        }
    }

    #[test]
    fn v8_nodes_are_scanned_as_serde_reads_them() {
        let nodes = [
            r#"{"id":1,"callFrame":{"functionName":"(root)","scriptId":"0","url":"","lineNumber":-1,"columnNumber":-1},"hitCount":0,"children":[2,3,21,514541]}"#,
            r#"{"id":2,"callFrame":{"functionName":"(program)","scriptId":"0","url":"","lineNumber":-1,"columnNumber":-1},"hitCount":96}"#,
            r#"{"id":3,"callFrame":{"functionName":"","scriptId":"80","url":"node:internal/main/run_main_module","lineNumber":0,"columnNumber":0},"hitCount":5,"children":[4,42],"positionTicks":[{"line":28,"ticks":1},{"line":16,"ticks":0},{"line":11,"ticks":3}]}"#,
            // The same frame under another scriptId, and one seen before.
            r#"{"id":4,"callFrame":{"functionName":"","scriptId":"81","url":"node:internal/main/run_main_module","lineNumber":0,"columnNumber":0},"hitCount":1,"children":[]}"#,
            r#"{"id":5,"callFrame":{"functionName":"(program)","scriptId":"0","url":"","lineNumber":-1,"columnNumber":-1},"hitCount":2,"positionTicks":[]}"#,
            r#"{"id":6,"callFrame":{"functionName":"名前","scriptId":"9","url":"file:///a.js","lineNumber":1000000000000,"columnNumber":7},"hitCount":3}"#,
        ];
        let (took, scanned, parsed) = both(&nodes);
        assert_eq!(took, vec![true; nodes.len()]);
        assert_eq!(scanned, parsed);
        assert!(parsed.contains("名前"), "{parsed}");
    }

    #[test]
    fn anything_else_goes_to_the_general_parser() {
        let nodes = [
            // Escapes, whitespace, floats, exponents, strings for numbers,
            // fields out of order or unknown, a parent, -0 and leading zeros.
            r#"{"id":1,"callFrame":{"functionName":"a\"b","scriptId":"0","url":"","lineNumber":-1,"columnNumber":-1},"hitCount":0,"children":[2]}"#,
            r#"{"id":2, "callFrame":{"functionName":"b","scriptId":"0","url":"","lineNumber":1,"columnNumber":1},"hitCount":1}"#,
            r#"{"id":3,"callFrame":{"functionName":"c","scriptId":"0","url":"","lineNumber":1.5,"columnNumber":1},"hitCount":1}"#,
            r#"{"id":4,"callFrame":{"functionName":"d","scriptId":"0","url":"","lineNumber":1,"columnNumber":1},"hitCount":1e2}"#,
            r#"{"id":"5","callFrame":{"functionName":"e","scriptId":"0","url":"","lineNumber":1,"columnNumber":1}}"#,
            r#"{"callFrame":{"functionName":"f","scriptId":"0","url":"","lineNumber":1,"columnNumber":1},"id":6}"#,
            r#"{"id":7,"callFrame":{"functionName":"g","scriptId":"0","url":"","lineNumber":1,"columnNumber":1},"hitCount":1,"deoptReason":"x"}"#,
            r#"{"id":8,"callFrame":{"functionName":"h","scriptId":"0","url":"","lineNumber":1,"columnNumber":1},"parent":1}"#,
            r#"{"id":9,"callFrame":{"functionName":"i","scriptId":"0","url":"","lineNumber":-0,"columnNumber":1}}"#,
            r#"{"id":10,"callFrame":{"functionName":"j","scriptId":0,"url":"","lineNumber":1,"columnNumber":1}}"#,
            r#"{"id":11,"callFrame":{"functionName":"k","scriptId":"0","url":"","lineNumber":1,"columnNumber":1},"hitCount":1,"positionTicks":[{"ticks":1,"line":2}]}"#,
            r#"{"id":012,"callFrame":{"functionName":"l","scriptId":"0","url":"","lineNumber":1,"columnNumber":1}}"#,
        ];
        // (The last is not JSON at all: serde_json must be the one to say so.)
        let (took, scanned, parsed) = both(&nodes[..nodes.len() - 1]);
        assert_eq!(took, vec![false; nodes.len() - 1]);
        assert_eq!(scanned, parsed);
        let mut list = NodeList::default();
        let last = nodes[nodes.len() - 1].as_bytes();
        assert_eq!(Scanner::default().node(last, 0, &mut list), None);
        assert!(list.is_empty());
    }

    #[test]
    fn bad_text_goes_to_the_general_parser() {
        let mut raw = br#"{"id":1,"callFrame":{"functionName":"a"#.to_vec();
        raw.push(0xff);
        raw.extend_from_slice(br#"","scriptId":"0","url":"","lineNumber":1,"columnNumber":1}}"#);
        let mut list = NodeList::default();
        assert_eq!(Scanner::default().node(&raw, 0, &mut list), None);
        assert!(list.is_empty());
        let ctl = "{\"id\":1,\"callFrame\":{\"functionName\":\"a\tb\",\"scriptId\":\"0\",\"url\":\"\",\"lineNumber\":1,\"columnNumber\":1}}";
        assert_eq!(Scanner::default().node(ctl.as_bytes(), 0, &mut list), None);
        assert!(list.is_empty());
    }
}
