//! `--format pprof`, read back by the real client: Debian's `go tool pprof`
//! (golang-go; `.ci/run` installs it).

mod clients;
mod common;

use std::path::Path;
use std::process::Command;

use clients::{folded, require, s, scratch, self_by_name};

/// `go tool pprof ARGS FILE`, which must succeed; its standard output.
fn pprof(args: &[&str], file: &Path) -> String {
    let out = Command::new("go")
        .args(["tool", "pprof"])
        .args(args)
        .arg(file)
        .env("PPROF_TMPDIR", std::env::temp_dir())
        .output()
        .expect("runs go tool pprof");
    assert!(
        out.status.success(),
        "go tool pprof {args:?} {} failed: {}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

/// One sample of `pprof -raw`: values and labels.
#[derive(Debug)]
struct RawSample {
    count: u64,
    nanos: u64,
    labels: Vec<String>,
}

/// The samples of `pprof -raw` (sample types `samples/count cpu/nanoseconds`).
fn raw_samples(raw: &str) -> Vec<RawSample> {
    let mut lines = raw.lines().skip_while(|l| *l != "Samples:").skip(1);
    let header = lines.next().expect("sample types line");
    assert_eq!(header.trim(), "samples/count cpu/nanoseconds[dflt]");
    let mut out: Vec<RawSample> = Vec::new();
    for l in lines {
        if !l.starts_with(' ') {
            break; // "Locations"
        }
        if let Some((values, _locations)) = l.split_once(':').filter(|(v, _)| {
            v.split_whitespace()
                .all(|x| x.bytes().all(|b| b.is_ascii_digit()))
        }) {
            let v: Vec<u64> = values
                .split_whitespace()
                .map(|x| x.parse().unwrap())
                .collect();
            out.push(RawSample {
                count: v[0],
                nanos: v[1],
                labels: Vec::new(),
            });
        } else {
            out.last_mut()
                .expect("labels follow a sample")
                .labels
                .extend(l.split_whitespace().map(String::from));
        }
    }
    out
}

/// The `-top` rows: (name, flat µs).
fn top_rows(top: &str) -> Vec<(String, u64)> {
    top.lines()
        .skip_while(|l| !l.trim_start().starts_with("flat"))
        .skip(1)
        .map(|l| {
            let mut cols = l.split_whitespace();
            let flat = cols.next().unwrap().trim_end_matches("us");
            let flat: f64 = flat.parse().unwrap_or_else(|_| panic!("flat in {l:?}"));
            let name: Vec<&str> = cols.skip(4).collect();
            (name.join(" "), flat as u64)
        })
        .collect()
}

fn export(input: &Path, extra: &[&str], dir: &Path, name: &str) -> std::path::PathBuf {
    let out = dir.join(name);
    let mut args = vec!["-q", "-o", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    args.push(input.to_str().unwrap());
    clients::run_ok(&args);
    out
}

#[test]
fn pprof_reads_every_export_with_cpuflames_totals_and_top_functions() {
    if !require("go", &["version"]) {
        return;
    }
    let dir = scratch();
    for (i, input) in clients::inputs().iter().enumerate() {
        let file = export(input, &[], dir.path(), &format!("{i}.pb.gz"));
        let what = input.display();
        // Totals: cpu/nanoseconds is the time fold, samples/count the sample fold.
        let time = folded(&[&s(input)]);
        let counts = folded(&["--weight", "samples", &s(input)]);
        let raw = raw_samples(&pprof(&["-raw"], &file));
        assert!(!raw.is_empty(), "{what}: no samples");
        let nanos: u64 = raw.iter().map(|r| r.nanos).sum();
        let us = common::folded_total(&time) as f64;
        // Folded text rounds each line to 1 µs; pprof keeps nanoseconds.
        let slack = 0.5 * time.lines().count() as f64 + 1.0;
        assert!(
            (nanos as f64 / 1000.0 - us).abs() <= slack,
            "{what}: pprof total {nanos} ns, cpuflame {us} µs"
        );
        let count: u64 = raw.iter().map(|r| r.count).sum();
        assert_eq!(count, common::folded_total(&counts), "{what}: sample count");
        // One sample per distinct stack: as many as folded lines (pprof merges none).
        assert_eq!(raw.len(), time.lines().count(), "{what}: samples");
        // The top functions' flat time is cpuflame's self time, per name.
        let top = top_rows(&pprof(&["-top", "-unit=us", "-nodecount=6"], &file));
        assert!(top.len() >= 2, "{what}: -top rows: {top:?}");
        let by_name = self_by_name(&time);
        let mut names: Vec<_> = by_name.iter().collect();
        names.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        for (name, flat) in &top {
            // A function with no self time has no line of its own.
            let ours = by_name.get(name).unwrap_or(&0);
            let lines = time.lines().filter(|l| l.contains(name.as_str())).count() as f64;
            assert!(
                (*flat as f64 - *ours as f64).abs() <= 0.5 * lines + 1.0,
                "{what}: {name}: pprof flat {flat} µs, cpuflame self {ours} µs"
            );
        }
        // And the heaviest function is the same.
        assert_eq!(&top[0].0, names[0].0, "{what}: heaviest function");
    }
}

#[test]
fn functions_and_locations_are_distinct_and_one_based() {
    let dir = scratch();
    let input = common::sample("node/app.cpuprofile");
    let file = export(&input, &[], dir.path(), "app.pprof");
    let gz = std::fs::read(&file).unwrap();
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&gz[..]), &mut bytes).unwrap();
    let p: cpuflame::export::pprof::proto::Profile = prost::Message::decode(&bytes[..]).unwrap();
    let st = |i: i64| p.string_table[i as usize].as_str();
    let mut fns = std::collections::HashSet::new();
    for f in &p.function {
        assert!(fns.insert((st(f.name), st(f.filename))), "function twice");
    }
    let mut locs = std::collections::HashSet::new();
    for l in &p.location {
        assert_eq!(l.line.len(), 1);
        let line = l.line[0];
        assert!(locs.insert((line.function_id, line.line, line.column)));
    }
    // The workload's fib, in src/, at its 1-based line (the cpuprofile says 0-based).
    let time = folded(&[&s(&input)]);
    let fib_label = time
        .lines()
        .flat_map(|l| l.split(';'))
        .find(|f| f.starts_with("fib ("))
        .expect("fib in the folded text")
        .to_string();
    let f = p.function.iter().find(|f| st(f.name) == "fib").unwrap();
    let l = p
        .location
        .iter()
        .find(|l| l.line[0].function_id == f.id)
        .unwrap();
    assert_eq!(
        fib_label,
        format!(
            "fib ({}:{}:{})",
            st(f.filename),
            l.line[0].line,
            l.line[0].column
        )
    );
    // Synthetic frames are kept as functions of their own; (idle) only with --idle.
    let names: Vec<&str> = p.function.iter().map(|f| st(f.name)).collect();
    assert!(names.contains(&"(garbage collector)"), "{names:?}");
    assert!(!names.contains(&"(idle)"));
    let sample_types: Vec<(&str, &str)> = p
        .sample_type
        .iter()
        .map(|t| (st(t.r#type), st(t.unit)))
        .collect();
    assert_eq!(sample_types, [("samples", "count"), ("cpu", "nanoseconds")]);
    assert_eq!(st(p.default_sample_type), "cpu");
    let period_type = p.period_type.unwrap();
    assert_eq!(
        (st(period_type.r#type), st(period_type.unit)),
        ("cpu", "nanoseconds")
    );
    assert!(p.period > 0 && p.duration_nanos > p.period);
    // Idle kept with --idle.
    let idle = export(&input, &["--idle"], dir.path(), "idle.pb.gz");
    if require("go", &["version"]) {
        let raw = pprof(&["-raw"], &idle);
        assert!(raw.contains(" (idle) "), "no (idle) location with --idle");
    }
}

#[test]
fn tagfocus_on_a_thread_keeps_that_thread_only() {
    if !require("go", &["version"]) {
        return;
    }
    let dir = scratch();
    let input = common::sample("chrome/page-worker.trace.json");
    let file = export(&input, &[], dir.path(), "page.pb.gz");
    let all = raw_samples(&pprof(&["-raw"], &file));
    let threads: std::collections::BTreeSet<&str> = all
        .iter()
        .flat_map(|r| r.labels.iter())
        .filter(|l| l.starts_with("thread:"))
        .map(|l| l.as_str())
        .collect();
    assert_eq!(threads.len(), 2, "{threads:?}");
    for r in &all {
        assert!(r.labels.iter().any(|l| l == "pid:[19363]"), "{r:?}");
        assert!(r.labels.iter().any(|l| l.starts_with("tid:[")), "{r:?}");
    }
    let worker = raw_samples(&pprof(&["-raw", "-tagfocus=thread=DedicatedWorker"], &file));
    assert!(!worker.is_empty());
    for r in &worker {
        assert!(r.labels.iter().any(|l| l == "tid:[19399]"), "{r:?}");
    }
    let nanos: u64 = worker.iter().map(|r| r.nanos).sum();
    let ours = folded(&["--thread", "DedicatedWorker", &s(&input)]);
    let us = common::folded_total(&ours) as f64;
    assert!(
        (nanos as f64 / 1000.0 - us).abs() <= 0.5 * ours.lines().count() as f64 + 1.0,
        "worker: pprof {nanos} ns, cpuflame {us} µs"
    );
    assert!(worker.len() < all.len());
}
