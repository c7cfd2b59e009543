//! Adversarial CDP node lists built from structured data: ids that repeat,
//! huge ids, children that do not exist, nodes that list themselves or an
//! ancestor (cycles), `parent` links instead of or besides `children`, deep
//! chains, samples naming any id, and odd hit counts and time deltas.
#![no_main]
use std::fmt::Write;

use arbitrary::{Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug, Clone, Copy)]
enum Id {
    Small(u8),
    Mid(u16),
    Huge(u64),
    Max,
    /// 2^53 + 1: not exact as a double.
    Inexact,
    /// As a string, `"0x..."`.
    Hex(u8),
    /// As a float, `3.0`.
    Float(u8),
}

impl Id {
    fn write(self, s: &mut String) {
        let _ = match self {
            Id::Small(v) => write!(s, "{v}"),
            Id::Mid(v) => write!(s, "{v}"),
            Id::Huge(v) => write!(s, "{v}"),
            Id::Max => write!(s, "{}", u64::MAX),
            Id::Inexact => write!(s, "{}", (1u64 << 53) + 1),
            Id::Hex(v) => write!(s, "\"0x{v:x}\""),
            Id::Float(v) => write!(s, "{v}.0"),
        };
    }
}

#[derive(Arbitrary, Debug)]
struct Node {
    id: Id,
    name: u8,
    url: u8,
    line: Option<i32>,
    children: Option<Vec<Id>>,
    parent: Option<Id>,
    hit_count: Option<u32>,
    ticks: Option<(u16, u32)>,
}

#[derive(Arbitrary, Debug)]
enum Chain {
    None,
    /// A chain of `len` nodes with ids from 1000, each the child of the one before.
    Down {
        len: u16,
        back_to: Option<u16>,
    },
    /// The same chain linked by `parent`.
    Up {
        len: u16,
    },
    /// A chain 30,000 deep (slow to build: only imported and folded, and
    /// only when `depth` is 0xD5, so that few executions pay for it).
    Deep {
        up: bool,
        depth: u8,
    },
}

#[derive(Arbitrary, Debug)]
struct Tree {
    nodes: Vec<Node>,
    chain: Chain,
    samples: Option<Vec<Id>>,
    deltas: Option<Vec<i16>>,
    start: Option<i32>,
    end: Option<u32>,
    opts: [u8; 3],
}

const NAMES: [&str; 8] = [
    "(root)",
    "(program)",
    "(idle)",
    "(garbage collector)",
    "f",
    "g",
    "",
    "h;i j",
];
const URLS: [&str; 4] = [
    "",
    "file:///app/node_modules/lib/x.js",
    "node:internal/x",
    "https://e.com/a.js",
];

fn node(s: &mut String, id: impl FnOnce(&mut String), n: u8, url: u8, line: Option<i32>) {
    s.push_str("{\"id\":");
    id(s);
    let _ = write!(
        s,
        ",\"callFrame\":{{\"functionName\":\"{}\",\"url\":\"{}\"",
        NAMES[(n & 7) as usize],
        URLS[(url & 3) as usize]
    );
    if let Some(l) = line {
        let _ = write!(s, ",\"lineNumber\":{l},\"columnNumber\":0");
    }
    s.push('}');
}

/// Chains drawn in every execution stay this short: a picture of a chain
/// 2,000 deep took most of the time of a run (47 executions a second).
const SHALLOW: u64 = 300;

fn deep_len(depth: u8) -> u64 {
    if depth == 0xD5 {
        30_000
    } else {
        SHALLOW + depth as u64
    }
}

fn build(t: &Tree) -> String {
    let mut s = String::from("{\"nodes\":[");
    for (i, n) in t.nodes.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        node(&mut s, |s| n.id.write(s), n.name, n.url, n.line);
        if let Some(c) = &n.children {
            s.push_str(",\"children\":[");
            for (j, c) in c.iter().enumerate() {
                if j > 0 {
                    s.push(',');
                }
                c.write(&mut s);
            }
            s.push(']');
        }
        if let Some(p) = n.parent {
            s.push_str(",\"parent\":");
            p.write(&mut s);
        }
        if let Some(h) = n.hit_count {
            let _ = write!(s, ",\"hitCount\":{h}");
        }
        if let Some((line, ticks)) = n.ticks {
            let _ = write!(
                s,
                ",\"positionTicks\":[{{\"line\":{line},\"ticks\":{ticks}}}]"
            );
        }
        s.push('}');
    }
    let (len, down, back) = match t.chain {
        Chain::None => (0, true, None),
        Chain::Down { len, back_to } => (len as u64 % SHALLOW, true, back_to),
        Chain::Up { len } => (len as u64 % SHALLOW, false, None),
        Chain::Deep { up, depth } => (deep_len(depth), !up, None),
    };
    for i in 0..len {
        if !t.nodes.is_empty() || i > 0 {
            s.push(',');
        }
        let id = 1000 + i;
        node(
            &mut s,
            |s| {
                let _ = write!(s, "{id}");
            },
            i as u8 % 6 + 2,
            1,
            None,
        );
        if down {
            if i + 1 < len {
                let _ = write!(s, ",\"children\":[{}]", id + 1);
            } else if let Some(b) = back {
                let _ = write!(s, ",\"children\":[{}]", 1000 + b as u64);
            }
        } else if i > 0 {
            let _ = write!(s, ",\"parent\":{}", id - 1);
        }
        s.push('}');
    }
    s.push(']');
    if let Some(st) = t.start {
        let _ = write!(s, ",\"startTime\":{st}");
    }
    if let Some(e) = t.end {
        let _ = write!(s, ",\"endTime\":{e}");
    }
    if let Some(samples) = &t.samples {
        s.push_str(",\"samples\":[");
        for (j, id) in samples.iter().enumerate() {
            if j > 0 {
                s.push(',');
            }
            id.write(&mut s);
        }
        s.push(']');
    }
    if let Some(d) = &t.deltas {
        s.push_str(",\"timeDeltas\":[");
        for (j, d) in d.iter().enumerate() {
            if j > 0 {
                s.push(',');
            }
            let _ = write!(s, "{d}");
        }
        s.push(']');
    }
    s.push('}');
    s
}

fuzz_target!(|data: &[u8]| {
    let Ok(mut t) = Tree::arbitrary_take_rest(Unstructured::new(data)) else {
        return;
    };
    // Samples and deltas of one length more often than by chance.
    if let (Some(s), Some(d)) = (&t.samples, &mut t.deltas) {
        if t.opts[2] & 0x40 != 0 {
            d.resize(s.len(), 1);
        }
    }
    let doc = build(&t);
    match t.chain {
        Chain::Deep { depth: 0xD5, .. } => cpuflame_fuzz::import_and_fold(doc.as_bytes(), t.opts[0]),
        _ => cpuflame_fuzz::pipeline(doc.as_bytes(), &t.opts),
    }
});
