//! `--format speedscope`, checked with speedscope itself: every export
//! validates against the schema shipped in the `speedscope` npm package, and
//! one opens in speedscope's web app (from that package, served on
//! 127.0.0.1) in headless Chromium with the right names and totals.
//! `.ci/run` installs tests/speedscope (npm ci) and chromium.

mod clients;
mod common;

use std::path::{Path, PathBuf};

use clients::{folded, run_ok, s, scratch};
use serde_json::Value;

fn npm_folder() -> Option<PathBuf> {
    let dir = common::root().join("tests/speedscope");
    if dir.join("node_modules/speedscope").is_dir() && dir.join("node_modules/ajv").is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI must install tests/speedscope/node_modules (npm ci, see .ci/run)"
    );
    eprintln!("skipping: tests/speedscope/node_modules missing");
    None
}

fn node(script: &Path, args: &[String]) -> Value {
    let args: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_ref()).collect();
    common::node_json(script, &args)
}

/// `{file: null | errors}` from ajv for `files` against `schema`.
pub fn validate(dir: &Path, schema: &Path, files: &[PathBuf]) -> Value {
    let mut args = vec![s(schema)];
    args.extend(files.iter().map(|f| s(f)));
    node(&dir.join("validate.mjs"), &args)
}

fn schema(dir: &Path) -> PathBuf {
    dir.join("node_modules/speedscope/dist/release/file-format-schema.json")
}

fn export(input: &Path, extra: &[&str], out: &Path) -> Value {
    let mut args = vec!["-q", "-o", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    args.push(input.to_str().unwrap());
    run_ok(&args);
    serde_json::from_slice(&std::fs::read(out).unwrap()).unwrap()
}

#[test]
fn every_export_follows_speedscopes_schema_and_cpuflames_totals() {
    let Some(dir) = npm_folder() else { return };
    let tmp = scratch();
    let mut files = Vec::new();
    for (i, input) in clients::inputs().iter().enumerate() {
        for (j, extra) in [
            &[][..],
            &["--chart"][..],
            &["--weight", "samples"][..],
            &["--chart", "--weight", "samples"][..],
        ]
        .iter()
        .enumerate()
        {
            let out = tmp.path().join(format!("{i}-{j}.speedscope.json"));
            let doc = export(input, extra, &out);
            let what = format!("{} {extra:?}", input.display());
            assert_eq!(
                doc["exporter"],
                format!("cpuflame {}", env!("CARGO_PKG_VERSION"))
            );
            let profiles = doc["profiles"].as_array().unwrap();
            let chart = extra.contains(&"--chart");
            let samples = extra.contains(&"samples");
            // One profile per source, named after it, weights summing to its folded total.
            let listed = String::from_utf8(run_ok(&["--list", "-q", &s(input)])).unwrap();
            assert_eq!(profiles.len(), listed.lines().count() - 1, "{what}");
            for p in profiles {
                let name = p["name"].as_str().unwrap();
                assert!(listed.contains(name), "{what}: {name}");
                assert_eq!(
                    p["type"],
                    if chart { "evented" } else { "sampled" },
                    "{what}"
                );
                assert_eq!(p["unit"], if samples { "none" } else { "microseconds" });
                let mut fargs = extra.to_vec();
                if profiles.len() > 1 {
                    fargs.extend(["--thread", name]);
                }
                let input_s = s(input);
                fargs.push(&input_s);
                let ours_text = folded(&fargs);
                let ours = common::folded_total(&ours_text) as f64;
                // Folded text rounds each line to a whole µs.
                let slack = 0.5 * ours_text.lines().count() as f64 + 1.0;
                let theirs = if chart {
                    evented_total(p)
                } else {
                    p["weights"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|w| w.as_f64().unwrap())
                        .sum()
                };
                assert!(
                    (theirs - ours).abs() <= slack,
                    "{what}: {name}: speedscope {theirs}, cpuflame {ours}"
                );
            }
            files.push(out);
        }
    }
    let result = validate(&dir, &schema(&dir), &files);
    for f in &files {
        assert_eq!(
            result[s(f)],
            Value::Null,
            "{}: {}",
            f.display(),
            result[s(f)]
        );
    }
    // The validator does reject a file that breaks the schema.
    let broken = tmp.path().join("broken.speedscope.json");
    let mut doc: Value = serde_json::from_slice(&std::fs::read(&files[0]).unwrap()).unwrap();
    doc["profiles"][0]["type"] = "sideways".into();
    std::fs::write(&broken, doc.to_string()).unwrap();
    assert_ne!(
        validate(&dir, &schema(&dir), std::slice::from_ref(&broken))[s(&broken)],
        Value::Null
    );
}

/// Time spent with at least one frame open, from an evented profile's events,
/// checking that they nest.
fn evented_total(p: &Value) -> f64 {
    let mut open: Vec<u64> = Vec::new();
    let mut total = 0.0;
    let mut since = 0.0;
    let mut last_at = f64::NEG_INFINITY;
    for e in p["events"].as_array().unwrap() {
        let at = e["at"].as_f64().unwrap();
        assert!(at >= last_at, "events in time order");
        last_at = at;
        let frame = e["frame"].as_u64().unwrap();
        match e["type"].as_str().unwrap() {
            "O" => {
                if open.is_empty() {
                    since = at;
                }
                open.push(frame);
            }
            "C" => {
                assert_eq!(open.pop(), Some(frame), "closes the frame opened last");
                if open.is_empty() {
                    total += at - since;
                }
            }
            other => panic!("event type {other}"),
        }
    }
    assert!(open.is_empty(), "every frame closed");
    assert_eq!(p["endValue"].as_f64().unwrap(), last_at);
    total
}

/// `1.03s`, `86.23ms`, `950.00µs` in µs.
fn parse_time(t: &str) -> f64 {
    for (unit, scale) in [("µs", 1.0), ("ms", 1e3), ("s", 1e6)] {
        if let Some(n) = t.strip_suffix(unit) {
            return n.parse::<f64>().unwrap_or_else(|_| panic!("time {t:?}")) * scale;
        }
    }
    panic!("time {t:?}")
}

/// A tooltip's (time µs, frame name): `505.96ms (96%) (anonymous)\nfile:1`.
fn tooltip(t: &Value) -> (f64, String) {
    let first = t.as_str().unwrap().lines().next().unwrap();
    let (time, rest) = first.split_once(' ').unwrap();
    let (_pct, name) = rest.split_once(") ").unwrap();
    (parse_time(time), name.to_string())
}

#[test]
fn speedscope_opens_an_export_with_its_names_and_total() {
    let Some(dir) = npm_folder() else { return };
    if !Path::new("/usr/bin/chromium").exists() && std::env::var_os("CHROMIUM").is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "chromium is missing on CI"
        );
        eprintln!("skipping: no chromium");
        return;
    }
    let tmp = scratch();
    let input = common::sample("chrome/page-worker.trace.json");
    let file = tmp.path().join("page.speedscope.json");
    let doc = export(&input, &[], &file);
    let r = node(&dir.join("open-in-speedscope.mjs"), &[s(&file)]);
    assert_eq!(r["errors"], serde_json::json!([]), "{r}");
    // The first of two profiles, named after its thread.
    assert_eq!(r["header"], "CrRendererMain (pid 19363) (1/2)", "{r}");
    let main_thread = folded(&["--thread", "CrRendererMain", &s(&input)]);
    let total = common::folded_total(&main_thread) as f64;
    // One source: no root frame naming it.
    let roots: std::collections::BTreeSet<String> = main_thread
        .lines()
        .map(|l| {
            l.rsplit_once(' ')
                .unwrap()
                .0
                .split(';')
                .next()
                .unwrap_or("")
                .split(" (")
                .next()
                .unwrap()
                .to_string()
        })
        .collect();
    // Left Heavy: every root frame once, heaviest first; together the thread's total.
    let heavy: Vec<(f64, String)> = r["leftHeavy"]
        .as_array()
        .unwrap()
        .iter()
        .map(tooltip)
        .collect();
    assert!(heavy.len() >= 2, "{r}");
    for w in heavy.windows(2) {
        assert!(w[0].0 >= w[1].0, "heaviest first: {heavy:?}");
    }
    let sum: f64 = heavy.iter().map(|h| h.0).sum();
    assert!(
        (sum - total).abs() <= 0.005 * total,
        "Left Heavy {sum} µs, cpuflame {total} µs"
    );
    for (_, name) in &heavy {
        assert!(roots.contains(name), "{name} not a root of {roots:?}");
    }
    // Time Order: the root frames as the samples came, the first run first.
    let order: Vec<(f64, String)> = r["timeOrder"]
        .as_array()
        .unwrap()
        .iter()
        .map(tooltip)
        .collect();
    let frames = doc["shared"]["frames"].as_array().unwrap();
    let first_root = doc["profiles"][0]["samples"][0][0].as_u64().unwrap() as usize;
    assert_eq!(order[0].1, frames[first_root]["name"], "{order:?}");
    assert!(
        order.len() > heavy.len(),
        "time order interleaves roots: {order:?}"
    );
    for (_, name) in &order {
        assert!(roots.contains(name), "{name}");
    }
    // Sandwich: cpuflame's heaviest functions by self time, with its numbers.
    let by_name = clients::self_by_name(&main_thread);
    let sandwich = r["sandwich"].as_array().unwrap();
    assert!(sandwich.len() >= 5, "{r}");
    for row in &sandwich[..5] {
        let name = row["name"].as_str().unwrap();
        let shown = parse_time(row["self"].as_str().unwrap().split(' ').next().unwrap());
        let ours = *by_name.get(name).unwrap_or(&0) as f64;
        assert!(
            (shown - ours).abs() <= 10.0 + 0.0005 * ours,
            "{name}: speedscope {shown} µs, cpuflame {ours} µs"
        );
    }
    assert_eq!(sandwich[0]["name"], "mainIsPrime");
}
