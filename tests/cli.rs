//! End-to-end tests of the `cpuflame` command on real recordings.

mod common;

use std::fs;

use common::{cpuflame, cpuflame_stdin, folded_total, s, sample};

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Σ durations by DevTools' rules, computed here independently from the raw JSON:
/// (total, root-gap weight, idle weight, gc weight).
fn devtools_totals(json: &serde_json::Value) -> (f64, f64, f64) {
    let nodes = json["nodes"].as_array().unwrap();
    let root = nodes[0]["id"].as_u64().unwrap();
    let name_of = |id: u64| {
        nodes
            .iter()
            .find(|n| n["id"].as_u64() == Some(id))
            .map(|n| n["callFrame"]["functionName"].as_str().unwrap().to_string())
    };
    let root_children: Vec<u64> = nodes[0]["children"]
        .as_array()
        .map(|c| c.iter().map(|x| x.as_u64().unwrap()).collect())
        .unwrap_or_default();
    let idle = root_children
        .iter()
        .copied()
        .find(|&c| name_of(c).as_deref() == Some("(idle)"));
    let samples: Vec<u64> = json["samples"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap())
        .collect();
    let mut t = json["startTime"].as_f64().unwrap();
    let mut timed: Vec<(f64, u64)> = json["timeDeltas"]
        .as_array()
        .unwrap()
        .iter()
        .zip(&samples)
        .map(|(d, &s)| {
            t += d.as_f64().unwrap();
            (t, s)
        })
        .collect();
    timed.sort_by(|a, b| a.0.partial_cmp(&b.0).unwrap());
    let n = timed.len();
    let mean = if n > 1 {
        (timed[n - 1].0 - timed[0].0) / (n - 1) as f64
    } else {
        (json["endTime"].as_f64().unwrap() - timed[0].0).max(0.0)
    };
    let (mut total, mut gaps, mut idle_w) = (0.0, 0.0, 0.0);
    for i in 0..n {
        let d = if i + 1 < n {
            timed[i + 1].0 - timed[i].0
        } else {
            mean
        };
        total += d;
        if timed[i].1 == root {
            gaps += d;
        }
        if Some(timed[i].1) == idle {
            idle_w += d;
        }
    }
    (total, gaps, idle_w)
}

fn read_json(path: &std::path::Path) -> serde_json::Value {
    let bytes = fs::read(path).unwrap();
    let bytes = if bytes.starts_with(&[0x1f, 0x8b]) {
        use std::io::Read;
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&bytes[..])
            .read_to_end(&mut out)
            .unwrap();
        out
    } else {
        bytes
    };
    serde_json::from_slice(&bytes).unwrap()
}

fn check_totals(path: &std::path::Path) {
    let json = read_json(path);
    let (total, gaps, idle) = devtools_totals(&json);
    for (args, expected) in [
        (vec!["--format", "folded", "--idle"], total - gaps),
        (vec!["--format", "folded"], total - gaps - idle),
    ] {
        let mut a = args.clone();
        a.push(s(path));
        let o = cpuflame(&a);
        assert!(o.status.success(), "{}: {}", path.display(), stderr(&o));
        let text = stdout(&o);
        let got = folded_total(&text) as f64;
        let tolerance = 0.5 * text.lines().count() as f64 + 1.0;
        assert!(
            (got - expected).abs() <= tolerance,
            "{}: folded total {got} vs DevTools {expected} (±{tolerance}) with {args:?}",
            path.display()
        );
        assert!(!text.contains("(root)"), "(root) never appears");
    }
}

#[test]
fn totals_match_devtools_on_every_recorded_sample() {
    let mut checked = 0;
    for dir in [
        "node",
        "node-inspector",
        "node-workers",
        "deno",
        "bun",
        "workerd",
    ] {
        for entry in fs::read_dir(sample(dir)).unwrap() {
            let p = entry.unwrap().path();
            if p.extension().is_some_and(|e| e == "cpuprofile") {
                check_totals(&p);
                checked += 1;
            }
        }
    }
    assert!(checked >= 9, "checked {checked} samples");
}

#[test]
fn totals_match_devtools_on_every_corpus_cpuprofile() {
    let Some(dir) = common::corpus() else { return };
    let mut checked = 0;
    for entry in fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        // Modern CDP profiles only; the legacy and trace files have their own tests.
        if !name.contains(".cpuprofile") || read_json(&p).get("nodes").is_none() {
            continue;
        }
        check_totals(&p);
        checked += 1;
    }
    assert!(checked >= 10, "checked {checked} corpus profiles");
}

#[test]
fn node_sample_labels_and_escaping() {
    let o = cpuflame(&["--format", "folded", s(&sample("node/app.cpuprofile"))]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    // 1-based positions, paths relative to the common script directory.
    assert!(text.contains("fib (src/work.js:3:13)"), "{text}");
    // `;` inside a name is replaced so it cannot split a frame.
    assert!(text.contains("parse:fast (src/parse.js:12:15)"));
    assert!(!text.contains("parse;fast"));
    // node_modules packages keep their path; runtime frames their node: URL.
    assert!(text.contains("(node_modules/tiny-lib/index.js:"), "{text}");
    assert!(text.contains("(node:internal/"));
    // Every line is `stack weight` with a positive integer weight, in tree
    // order: frame by frame, siblings in byte order, a stack before its callees.
    let lines: Vec<&str> = text.lines().collect();
    for pair in lines.windows(2) {
        let a: Vec<&str> = pair[0].rsplit_once(' ').unwrap().0.split(';').collect();
        let b: Vec<&str> = pair[1].rsplit_once(' ').unwrap().0.split(';').collect();
        assert!(a < b, "{:?} before {:?}", pair[0], pair[1]);
    }
    for l in &lines {
        let (_, w) = l.rsplit_once(' ').unwrap();
        assert!(w.parse::<u64>().unwrap() > 0);
    }
}

#[test]
fn sample_weights_count_samples() {
    let p = sample("node/app.cpuprofile");
    let json = read_json(&p);
    let samples = json["samples"].as_array().unwrap();
    let idle_id = json["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["callFrame"]["functionName"] == "(idle)")
        .map(|n| n["id"].as_u64().unwrap());
    let idle = samples.iter().filter(|s| s.as_u64() == idle_id).count();
    let o = cpuflame(&["--format", "folded", "--weight", "samples", s(&p)]);
    assert_eq!(
        folded_total(&stdout(&o)) as usize,
        samples.len() - idle,
        "one per sample, idle left out"
    );
}

#[test]
fn chart_folded_is_chronological() {
    let p = sample("node/app.cpuprofile");
    let o = cpuflame(&["--chart", "--format", "folded", s(&p)]);
    let text = stdout(&o);
    let lines: Vec<&str> = text.lines().collect();
    // Consecutive lines never repeat a stack (they would be one run).
    for w in lines.windows(2) {
        assert_ne!(
            w[0].rsplit_once(' ').unwrap().0,
            w[1].rsplit_once(' ').unwrap().0
        );
    }
    // The chart keeps idle, so its total is the whole sampled time less gaps.
    let json = read_json(&p);
    let (total, gaps, _) = devtools_totals(&json);
    let got = folded_total(&text) as f64;
    assert!((got - (total - gaps)).abs() <= 0.5 * lines.len() as f64 + 1.0);
    // The workload starts in node's bootstrap and ends in its own code.
    assert!(lines[0].starts_with("(program)") || lines[0].contains("node:internal"));
}

fn rect_x_of(svg: &str, label_prefix: &str) -> f64 {
    let start = svg
        .find(&format!("<title>{label_prefix}"))
        .unwrap_or_else(|| panic!("no frame {label_prefix}"));
    let rest = &svg[start..];
    let x = rest.find("x=\"").unwrap() + 3;
    let end = rest[x..].find('%').unwrap();
    rest[x..x + end].parse().unwrap()
}

#[test]
fn chart_svg_runs_left_to_right() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("t.cpuprofile");
    // early runs 100 µs, then late 10 µs, then its last sample the mean.
    fs::write(
        &p,
        common::cdp(
            &[(1, "(root)", &[2, 3]), (2, "early", &[]), (3, "late", &[])],
            &[2, 2, 3, 3],
            &[0, 50, 50, 10],
        ),
    )
    .unwrap();
    let o = cpuflame(&["--chart", s(&p)]);
    let svg = stdout(&o);
    let early = rect_x_of(&svg, "early");
    let late = rect_x_of(&svg, "late");
    assert!(early < late, "early at {early}%, late at {late}%");
    assert!(early < 1.0);
}

#[test]
fn svg_is_deterministic_and_coloured_by_category() {
    let p = sample("node/app.cpuprofile");
    let a = cpuflame(&[s(&p)]);
    let b = cpuflame(&[s(&p)]);
    assert_eq!(a.stdout, b.stdout, "same input, same bytes");
    let svg = stdout(&a);
    assert!(svg.contains("Flame graph: app.cpuprofile"));
    assert!(svg.contains("2,040 samples"), "subtitle counts samples");
    assert!(svg.contains("idle left out"));
    // Application frames warm, node_modules blue, runtime green.
    let fill_of = |label: &str| {
        let i = svg.find(&format!("<title>{label}")).unwrap();
        let f = svg[i..].find("fill=\"rgb(").unwrap() + i + 10;
        let end = svg[f..].find(')').unwrap() + f;
        let v: Vec<u8> = svg[f..end].split(',').map(|x| x.parse().unwrap()).collect();
        (v[0], v[1], v[2])
    };
    let (r, g, b) = fill_of("busyFor (app.js");
    assert!(r > g && r > b, "app is warm: {r},{g},{b}");
    let (r, _, b) = fill_of("hashMany (node_modules/");
    assert!(b > r, "dependency is blue: {r},{b}");
    let (r, g, b) = fill_of("Module._load (node:internal");
    assert!(g > r && g > b, "runtime is green");
    // The idle frame is left out by default, kept with --idle.
    assert!(!svg.contains("<title>(idle)"));
    let kept = stdout(&cpuflame(&["--idle", s(&p)]));
    assert!(kept.contains("<title>(idle)"));
}

#[test]
fn untrusted_names_cannot_become_markup() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("evil.cpuprofile");
    let evil = r#"</text><script>alert(1)</script>\"><svg onload=alert(1)>]]>"#;
    let json = format!(
        r#"{{"nodes":[{{"id":1,"callFrame":{{"functionName":"(root)","url":""}},"children":[2]}},
        {{"id":2,"callFrame":{{"functionName":"{evil}","url":"javascript:alert(1)","lineNumber":0,"columnNumber":0}}}}],
        "startTime":0,"endTime":10,"samples":[2,2],"timeDeltas":[0,5]}}"#
    );
    fs::write(&p, json).unwrap();
    let o = cpuflame(&["--title", "<script>alert(2)</script>", s(&p)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let svg = stdout(&o);
    assert!(
        !svg.contains("<script>alert"),
        "no script element from data"
    );
    assert!(!svg.contains("<svg onload"));
    assert!(svg.contains("&lt;/text&gt;&lt;script&gt;alert(1)&lt;/script&gt;"));
    // The whole document still parses as XML.
    let opt = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..roxmltree::ParsingOptions::default()
    };
    let doc = roxmltree::Document::parse_with_options(&svg, opt).expect("well-formed SVG");
    let scripts = doc
        .descendants()
        .filter(|n| n.has_tag_name("script"))
        .count();
    assert_eq!(scripts, 1, "only inferno's own script");
}

#[test]
fn png_has_labels_and_a_report_sized_width() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bug-report.png");
    let o = cpuflame(&[s(&sample("node/app.cpuprofile")), "-o", s(&out)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let png = fs::read(&out).unwrap();
    let pixmap = resvg::tiny_skia::Pixmap::decode_png(&png).unwrap();
    assert!(pixmap.width() >= 1200, "width {}", pixmap.width());
    let dark = pixmap
        .pixels()
        .iter()
        .filter(|p| p.red() < 60 && p.green() < 60 && p.blue() < 60)
        .count();
    assert!(dark > 5_000, "label text is drawn ({dark} dark pixels)");
}

#[test]
fn png_labels_render_with_only_the_bundled_font() {
    use cpuflame::export::{self, png::FontSource, Format, Picture};
    let text = fs::read_to_string(sample("node/app.cpuprofile")).unwrap();
    let (folded, _) = common::fold_text(&text, &Default::default());
    let dark_pixels = |fonts: FontSource| {
        let picture = Picture {
            fonts,
            title: "t".into(),
            ..Picture::default()
        };
        let png = export::export(&folded, Format::Png, &picture).unwrap();
        let pm = resvg::tiny_skia::Pixmap::decode_png(&png).unwrap();
        pm.pixels()
            .iter()
            .filter(|p| p.red() < 60 && p.green() < 60 && p.blue() < 60)
            .count()
    };
    let bundled = dark_pixels(FontSource::BundledOnly);
    let none = dark_pixels(FontSource::NoFonts);
    assert!(none < 100, "without any font no text is drawn ({none})");
    assert!(bundled > 5_000, "the bundled font draws labels ({bundled})");
}

#[test]
fn gzip_and_standard_input_are_read() {
    let Some(dir) = common::corpus() else { return };
    let gz = dir.join("firefox__node-CPU-20200511T201834.cpuprofile.gz");
    let o = cpuflame(&["--format", "folded", s(&gz)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let from_file = stdout(&o);
    assert!(from_file.lines().count() > 100);
    let bytes = fs::read(&gz).unwrap();
    let o = cpuflame_stdin(&["--format", "folded"], &bytes);
    assert_eq!(stdout(&o), from_file);
    let o = cpuflame_stdin(&["--format", "folded", "-"], &bytes);
    assert_eq!(stdout(&o), from_file);
}

#[test]
fn no_javascript_stacks_still_render_with_a_warning() {
    let p = sample("workerd/workerd-1.20240223.1-pbkdf2.cpuprofile");
    let o = cpuflame(&[s(&p)]);
    assert!(o.status.success());
    assert!(
        stderr(&o).contains("recorded no JavaScript stacks"),
        "{}",
        stderr(&o)
    );
    assert!(stdout(&o).contains("<title>(program)"));
}

#[test]
fn output_format_follows_extension_and_flag() {
    let dir = tempfile::tempdir().unwrap();
    let p = sample("node/app.cpuprofile");
    for (name, magic) in [
        ("a.svg", &b"<?xml"[..]),
        ("a.png", &b"\x89PNG"[..]),
        ("a.folded", &b"(anonymous)"[..]),
        ("a.txt", &b"(anonymous)"[..]),
    ] {
        let out = dir.path().join(name);
        let o = cpuflame(&[s(&p), "-o", s(&out)]);
        assert!(o.status.success(), "{name}: {}", stderr(&o));
        assert!(fs::read(&out).unwrap().starts_with(magic), "{name}");
    }
    let out = dir.path().join("b.svg");
    cpuflame(&[s(&p), "-o", s(&out), "-f", "folded"]);
    assert!(fs::read(&out).unwrap().starts_with(b"(anonymous)"));
    let o = cpuflame(&[s(&p), "-o", s(&dir.path().join("a.dat"))]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "unknown extension is a usage error"
    );
    assert!(stderr(&o).contains("--format"));
}

/// Bad input: one line naming the file and the problem, exit 1, output untouched.
fn assert_bad(content: &[u8], expected: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("bad.cpuprofile");
    fs::write(&input, content).unwrap();
    let out = dir.path().join("out.svg");
    fs::write(&out, "ORIGINAL").unwrap();
    let o = cpuflame(&[s(&input), "-o", s(&out)]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(err.contains("bad.cpuprofile"), "names the file: {err}");
    for e in expected {
        assert!(err.contains(e), "expected {e:?} in {err}");
    }
    assert!(!err.contains("panicked"));
    assert_eq!(fs::read_to_string(&out).unwrap(), "ORIGINAL");
    let leftovers: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers.len(), 2, "no temporary files left: {leftovers:?}");
}

#[test]
fn bad_input_is_one_clear_line() {
    let good = fs::read(sample("node/app.cpuprofile")).unwrap();
    assert_bad(&good[..500], &["invalid JSON at byte 500", "truncated"]);
    assert_bad(b"{\"nodes\": [}", &["invalid JSON at byte 11"]);
    assert_bad(b"", &["empty"]);
    assert_bad(b"hello", &["invalid JSON at byte 0"]);
    assert_bad(b"{\"hello\": 1}", &["not a CPU profile"]);
    assert_bad(b"{\"nodes\": []}", &["`nodes` is empty"]);
    assert_bad(
        common::cdp(&[(1, "(root)", &[2]), (2, "a", &[])], &[2, 2], &[1]).as_bytes(),
        &["`samples` has 2 entries but `timeDeltas` has 1"],
    );
    assert_bad(
        common::cdp(&[(1, "(root)", &[2]), (2, "a", &[2])], &[2], &[1]).as_bytes(),
        &["cycle", "node id 2"],
    );
    assert_bad(
        br#"{"nodes":[{"id":"x","callFrame":{}}]}"#,
        &["unexpected content at byte", "not an integer"],
    );
    assert_bad(b"\x1f\x8b\x08\x00garbage", &["gzip"]);
}

#[test]
fn missing_input_and_bad_usage() {
    let o = cpuflame(&["/nonexistent/x.cpuprofile"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("/nonexistent/x.cpuprofile: cannot read"));
    let o = cpuflame(&["--weight", "bogus", "x"]);
    assert_eq!(o.status.code(), Some(2));
    let o = cpuflame(&[
        "--font-type",
        "x;}</style>",
        s(&sample("node/app.cpuprofile")),
    ]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn strict_turns_repairs_into_errors() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("t.cpuprofile");
    fs::write(
        &p,
        common::cdp(
            &[(1, "(root)", &[2]), (2, "a", &[])],
            &[2, 9, 2],
            &[0, 1, 1],
        ),
    )
    .unwrap();
    let o = cpuflame(&[s(&p)]);
    assert!(o.status.success());
    assert!(stderr(&o).contains("warning"));
    let o = cpuflame(&["--strict", s(&p)]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("--strict"));
    let o = cpuflame(&["--quiet", s(&p)]);
    assert!(stderr(&o).is_empty());
}

/// `(title, fg:x, fg:w)` of every frame of an inferno SVG.
fn frames_of(svg: &str) -> Vec<(String, u64, u64)> {
    svg.split("<g><title>")
        .skip(1)
        .map(|g| {
            let title = g[..g.find("</title>").unwrap()].to_string();
            let num = |key: &str| {
                let i = g.find(key).unwrap() + key.len();
                let end = g[i..].find('"').unwrap() + i;
                g[i..end].parse::<u64>().unwrap()
            };
            (title, num("fg:x=\""), num("fg:w=\""))
        })
        .collect()
}

#[test]
fn pruning_before_inferno_draws_the_same_frames() {
    // cpuflame prunes stacks below --min-width before inferno sees them; the
    // picture must be what inferno alone would draw from every stack.
    for chart in [false, true] {
        let p = sample("node/app.cpuprofile");
        let mut args = vec![s(&p), "--min-width", "0.5"];
        if chart {
            args.push("--chart");
        }
        let pruned = frames_of(&stdout(&cpuflame(&args)));
        args[2] = "0";
        let full = frames_of(&stdout(&cpuflame(&args)));
        let total = full.iter().map(|f| f.1 + f.2).max().unwrap();
        let wide: Vec<_> = full
            .iter()
            .filter(|f| f.2 as f64 >= 0.005 * total as f64)
            .cloned()
            .collect();
        for f in &wide {
            assert!(pruned.contains(f), "chart={chart}: {f:?} is missing");
        }
        assert!(
            pruned.len() >= wide.len() && pruned.len() < full.len(),
            "chart={chart}: {} pruned, {} wide, {} all",
            pruned.len(),
            wide.len(),
            full.len()
        );
    }
}
