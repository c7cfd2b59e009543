//! parse-floor: how fast can serde_json get through a `.cpuprofile` at all?
//!
//! Usage: parse-floor FILE MODE
//!   ignored     serde_json over a memory-mapped file into serde::de::IgnoredAny
//!   typed       serde_json over a memory-mapped file into a typed, borrowed struct
//!   read-typed  fs::read the file, then the same typed parse
//!
//! Prints the elapsed seconds (wall clock, including mmap/read) on stdout,
//! and a short summary on stderr.

use std::borrow::Cow;
use std::fs::File;
use std::time::Instant;

use serde::de::IgnoredAny;
use serde::Deserialize;

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Profile<'a> {
    #[serde(borrow)]
    nodes: Vec<Node<'a>>,
    #[serde(default)]
    samples: Vec<u32>,
    #[serde(default)]
    time_deltas: Vec<i64>,
    start_time: f64,
    end_time: f64,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Node<'a> {
    id: u32,
    #[serde(borrow)]
    call_frame: CallFrame<'a>,
    #[serde(default)]
    children: Vec<u32>,
    #[serde(default)]
    hit_count: u32,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CallFrame<'a> {
    #[serde(borrow)]
    function_name: Cow<'a, str>,
    #[serde(borrow)]
    url: Cow<'a, str>,
    #[serde(borrow)]
    script_id: Cow<'a, str>,
    line_number: i64,
    column_number: i64,
}

fn summary(p: &Profile<'_>) -> String {
    let borrowed = p
        .nodes
        .iter()
        .filter(|n| matches!(n.call_frame.url, Cow::Borrowed(_)))
        .count();
    format!(
        "nodes={} samples={} timeDeltas={} span_us={} urls_borrowed={}",
        p.nodes.len(),
        p.samples.len(),
        p.time_deltas.len(),
        p.end_time - p.start_time,
        borrowed
    )
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 3 {
        eprintln!("usage: parse-floor FILE ignored|typed|read-typed");
        std::process::exit(2);
    }
    let (path, mode) = (&args[1], args[2].as_str());
    let t0 = Instant::now();
    let info = match mode {
        "ignored" => {
            let f = File::open(path).expect("open");
            // SAFETY: the benchmark input is not modified while we read it.
            let map = unsafe { memmap2::Mmap::map(&f) }.expect("mmap");
            serde_json::from_slice::<IgnoredAny>(&map).expect("parse");
            format!("bytes={}", map.len())
        }
        "typed" => {
            let f = File::open(path).expect("open");
            // SAFETY: as above.
            let map = unsafe { memmap2::Mmap::map(&f) }.expect("mmap");
            let p: Profile = serde_json::from_slice(&map).expect("parse");
            let s = summary(&p);
            drop(p);
            s
        }
        "read-typed" => {
            let buf = std::fs::read(path).expect("read");
            let p: Profile = serde_json::from_slice(&buf).expect("parse");
            let s = summary(&p);
            drop(p);
            s
        }
        other => {
            eprintln!("unknown mode {other}; expected ignored, typed or read-typed");
            std::process::exit(2);
        }
    };
    let secs = t0.elapsed().as_secs_f64();
    eprintln!("parse-floor {mode}: {info}");
    println!("{secs:.3}");
}
