//! JS Self-Profiling traces. Input starting with `{` is the document itself;
//! anything else is structured data (`arbitrary`) from which a
//! `{resources, frames, stacks, samples}` object is built, with ids that may
//! point anywhere, cycles through `parentId`, odd numbers and markers.
#![no_main]
use arbitrary::{Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;
use serde_json::{json, Map, Value};

#[derive(Arbitrary, Debug)]
enum Num {
    Small(u8),
    Int(i64),
    Float(f64),
    Str(String),
    Huge,
    Null,
}

impl Num {
    fn value(&self) -> Value {
        match self {
            Num::Small(v) => json!(v),
            Num::Int(v) => json!(v),
            Num::Float(v) => json!(v),
            Num::Str(s) => json!(s),
            Num::Huge => json!(1e300),
            Num::Null => Value::Null,
        }
    }
}

#[derive(Arbitrary, Debug)]
struct Frame {
    name: Option<String>,
    resource_id: Option<Num>,
    line: Option<Num>,
    column: Option<Num>,
}

#[derive(Arbitrary, Debug)]
struct Stack {
    frame_id: Num,
    parent_id: Option<Num>,
}

#[derive(Arbitrary, Debug)]
enum Marker {
    Gc,
    Style,
    Layout,
    Paint,
    Script,
    Other(String),
}

#[derive(Arbitrary, Debug)]
struct Sample {
    timestamp: Num,
    /// Small steps keep the timeline plausible; `timestamp` is used when false.
    step: Option<u16>,
    stack_id: Option<Num>,
    marker: Option<Marker>,
}

#[derive(Arbitrary, Debug)]
struct Trace {
    resources: Option<Vec<String>>,
    frames: Vec<Frame>,
    stacks: Vec<Stack>,
    samples: Vec<Sample>,
    /// A chain of this many stacks (modulo 300), each the parent of the next.
    chain: u16,
    /// Or, when 0xD5, a chain 20,000 deep (slow to build: only imported and
    /// folded, and rare, so that few executions pay for it).
    deep: u8,
    opts: [u8; 3],
}

fn put(m: &mut Map<String, Value>, k: &str, v: &Option<Num>) {
    if let Some(v) = v {
        m.insert(k.into(), v.value());
    }
}

const DEEP: u8 = 0xD5;

fn build(t: &Trace) -> Vec<u8> {
    let mut doc = Map::new();
    if let Some(r) = &t.resources {
        doc.insert("resources".into(), json!(r));
    }
    let frames: Vec<Value> = t
        .frames
        .iter()
        .map(|f| {
            let mut m = Map::new();
            if let Some(n) = &f.name {
                m.insert("name".into(), json!(n));
            }
            put(&mut m, "resourceId", &f.resource_id);
            put(&mut m, "line", &f.line);
            put(&mut m, "column", &f.column);
            Value::Object(m)
        })
        .collect();
    doc.insert("frames".into(), Value::Array(frames));
    let mut stacks: Vec<Value> = t
        .stacks
        .iter()
        .map(|s| {
            let mut m = Map::new();
            m.insert("frameId".into(), s.frame_id.value());
            put(&mut m, "parentId", &s.parent_id);
            Value::Object(m)
        })
        .collect();
    let base = stacks.len();
    let len = if t.deep == DEEP {
        20_000
    } else {
        t.chain as usize % 300
    };
    for i in 0..len {
        let mut m = Map::new();
        m.insert("frameId".into(), json!(i % t.frames.len().max(1)));
        if i > 0 {
            m.insert("parentId".into(), json!(base + i - 1));
        }
        stacks.push(Value::Object(m));
    }
    let top = stacks.len().saturating_sub(1);
    doc.insert("stacks".into(), Value::Array(stacks));
    let mut time = 0.0;
    let samples: Vec<Value> = t
        .samples
        .iter()
        .map(|s| {
            let mut m = Map::new();
            match s.step {
                Some(step) => {
                    time += step as f64 / 8.0;
                    m.insert("timestamp".into(), json!(time));
                }
                None => {
                    m.insert("timestamp".into(), s.timestamp.value());
                }
            }
            match (&s.stack_id, len) {
                (Some(id), _) => {
                    m.insert("stackId".into(), id.value());
                }
                (None, c) if c > 0 && s.marker.is_none() => {
                    m.insert("stackId".into(), json!(top));
                }
                _ => {}
            }
            if let Some(k) = &s.marker {
                let name = match k {
                    Marker::Gc => "gc",
                    Marker::Style => "style",
                    Marker::Layout => "layout",
                    Marker::Paint => "paint",
                    Marker::Script => "script",
                    Marker::Other(s) => s,
                };
                m.insert("marker".into(), json!(name));
            }
            Value::Object(m)
        })
        .collect();
    doc.insert("samples".into(), Value::Array(samples));
    serde_json::to_vec(&Value::Object(doc)).unwrap()
}

fuzz_target!(|data: &[u8]| {
    if data.first() == Some(&b'{') {
        cpuflame_fuzz::pipeline(data, &[4, 0, 0]);
        return;
    }
    let Ok(t) = Trace::arbitrary_take_rest(Unstructured::new(data)) else {
        return;
    };
    let doc = build(&t);
    if t.deep == DEEP {
        cpuflame_fuzz::import_and_fold(&doc, t.opts[0]);
    } else {
        cpuflame_fuzz::pipeline(&doc, &t.opts);
    }
});
