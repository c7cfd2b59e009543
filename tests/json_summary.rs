//! `--format json`: every output validates against the committed schema
//! (docs/summary.schema.json, checked by ajv from tests/speedscope), and its
//! values are the Markdown table's.

mod clients;
mod common;

use std::path::{Path, PathBuf};

use clients::{run_ok, s, scratch};
use serde_json::Value;

fn ajv() -> Option<PathBuf> {
    let dir = common::root().join("tests/speedscope");
    if dir.join("node_modules/ajv").is_dir() {
        return Some(dir.join("validate.mjs"));
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI must install tests/speedscope/node_modules (npm ci, see .ci/run)"
    );
    eprintln!("skipping: tests/speedscope/node_modules missing");
    None
}

fn validate(script: &Path, files: &[PathBuf]) -> Value {
    let schema = common::root().join("docs/summary.schema.json");
    let mut args = vec![schema.as_os_str()];
    args.extend(files.iter().map(|f| f.as_os_str()));
    common::node_json(script, &args)
}

fn json(args: &[&str]) -> Value {
    let mut a = vec!["-q", "-f", "json"];
    a.extend_from_slice(args);
    serde_json::from_slice(&run_ok(&a)).expect("JSON")
}

fn table(args: &[&str]) -> String {
    let mut a = vec!["-q", "-f", "table"];
    a.extend_from_slice(args);
    String::from_utf8(run_ok(&a)).unwrap()
}

/// The cells of a Markdown table's body rows.
fn cells(md: &str) -> Vec<Vec<String>> {
    md.lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| #"))
        .map(|l| {
            l.trim_matches('|')
                .split(" | ")
                .map(|c| c.trim().trim_matches('`').replace("\\|", "|"))
                .collect()
        })
        .collect()
}

fn ms(us: &Value) -> String {
    format!("{:.2} ms", us.as_f64().unwrap() / 1000.0)
}

#[test]
fn the_schema_validates_every_output() {
    let Some(script) = ajv() else { return };
    let tmp = scratch();
    let base = common::sample("node-inspector/server.cpuprofile");
    let mut files = Vec::new();
    for (i, input) in clients::inputs().iter().enumerate() {
        for (j, extra) in [
            vec![],
            vec!["--weight", "samples"],
            vec!["--idle", "--top", "3"],
            vec!["--no-gc", "--no-program", "--chart"],
            vec!["--diff", base.to_str().unwrap()],
            vec!["--merge", "--lines"],
        ]
        .into_iter()
        .enumerate()
        {
            let out = tmp.path().join(format!("{i}-{j}.json"));
            let mut args = vec!["-q", "-o", out.to_str().unwrap()];
            args.extend(extra);
            args.push(input.to_str().unwrap());
            run_ok(&args);
            files.push(out);
        }
    }
    let r = validate(&script, &files);
    for f in &files {
        assert_eq!(r[s(f)], Value::Null, "{}: {}", f.display(), r[s(f)]);
    }
    // The schema is closed: a field it does not document fails.
    let mut doc: Value = serde_json::from_slice(&std::fs::read(&files[0]).unwrap()).unwrap();
    doc["functions"][0]["surprise"] = 1.into();
    let bad = tmp.path().join("bad.json");
    std::fs::write(&bad, doc.to_string()).unwrap();
    assert_ne!(
        validate(&script, std::slice::from_ref(&bad))[s(&bad)],
        Value::Null
    );
}

#[test]
fn values_are_the_tables() {
    for input in clients::inputs() {
        let input = s(&input);
        let doc = json(&["--top", "12", &input]);
        let rows = cells(&table(&["--top", "12", &input]));
        let functions = doc["functions"].as_array().unwrap();
        assert_eq!(functions.len(), rows.len(), "{input}");
        for (f, row) in functions.iter().zip(&rows) {
            let location = match (&f["file"], &f["line"], &f["column"]) {
                (Value::String(file), Value::Number(l), Value::Number(c)) => {
                    format!("{file}:{l}:{c}")
                }
                (Value::String(file), Value::Number(l), Value::Null) => format!("{file}:{l}"),
                (Value::String(file), Value::Null, _) => file.clone(),
                _ => String::new(),
            };
            let pct = |v: &Value| format!("{:.1}%", v.as_f64().unwrap());
            assert_eq!(
                [
                    f["name"].as_str().unwrap().to_string(),
                    ms(&f["self"]),
                    pct(&f["self_pct"]),
                    ms(&f["total"]),
                    pct(&f["total_pct"]),
                    location,
                ],
                [&row[1], &row[2], &row[3], &row[4], &row[5], &row[6]].map(|c| c.to_string()),
                "{input}"
            );
        }
        // Sources: the --list table's samples, and the folded total.
        let total = common::folded_total(&clients::folded(&[&input])) as f64;
        let lines = clients::folded(&[&input]).lines().count() as f64;
        assert!((doc["total"].as_f64().unwrap() - total).abs() <= 0.5 * lines + 1.0);
        let listed = String::from_utf8(run_ok(&["--list", "-q", &input])).unwrap();
        let sources = doc["sources"].as_array().unwrap();
        assert_eq!(sources.len(), listed.lines().count() - 1);
        for (src, line) in sources.iter().zip(listed.lines().skip(1)) {
            assert!(line.starts_with(src["name"].as_str().unwrap()), "{line}");
            let samples = src["samples"].as_u64().unwrap().to_string();
            assert!(
                line.split_whitespace().any(|c| c == samples),
                "{line}: {samples}"
            );
        }
    }
}

#[test]
fn diff_values_are_the_diff_tables() {
    let input = s(&common::sample("node/app.cpuprofile"));
    let base = s(&common::sample("node-inspector/server.cpuprofile"));
    let doc = json(&["--top", "8", "--diff", &base, &input]);
    let rows = cells(&table(&["--top", "8", "--diff", &base, &input]));
    let diff = &doc["diff"];
    assert_eq!(diff["base"], "server.cpuprofile");
    let changes = diff["functions"].as_array().unwrap();
    assert_eq!(changes.len(), 8);
    assert_eq!(rows.len(), 8);
    for (c, row) in changes.iter().zip(&rows) {
        let delta = c["delta"].as_f64().unwrap();
        let sign = if delta > 0.0 {
            "+"
        } else if delta < 0.0 {
            "-"
        } else {
            ""
        };
        assert_eq!(
            [
                c["name"].as_str().unwrap().to_string(),
                ms(&c["base"]),
                ms(&c["new"]),
                format!("{sign}{:.2} ms", delta.abs() / 1000.0),
                match c["delta_pct"].as_f64() {
                    Some(p) => format!("{p:+.1}%"),
                    None => "new".into(),
                },
            ],
            [&row[1], &row[2], &row[3], &row[4], &row[5]].map(|c| c.to_string())
        );
        // BASE scaled to INPUT's total.
        let b = c["base"].as_f64().unwrap();
        assert!((c["new"].as_f64().unwrap() - b - delta).abs() < 1e-6);
    }
    let scale = diff["scale"].as_f64().unwrap();
    assert!(
        (scale * diff["base_total"].as_f64().unwrap() - diff["new_total"].as_f64().unwrap()).abs()
            < 1e-3
    );
    // Sorted by the size of the change.
    for w in changes.windows(2) {
        assert!(w[0]["delta"].as_f64().unwrap().abs() >= w[1]["delta"].as_f64().unwrap().abs());
    }
    // A profile against itself: nothing changed.
    let same = json(&["--diff", &input, &input]);
    for c in same["diff"]["functions"].as_array().unwrap() {
        assert_eq!(c["delta"], 0.0, "{c}");
    }
}
