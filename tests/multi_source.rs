//! Several sources in one run: directory inputs, `--thread`, `--merge`,
//! `--list`, and the banded flame chart (SVG and PNG).
//!
//! Inputs are real recordings: `samples/node-workers/` (Node main thread and
//! two workers of one process, Node's default file names) and the four
//! `pushbased__ng-build-cpu__*` files of `../shared/corpus` (one Angular
//! build process). Tests needing the corpus skip when it is missing, except
//! under `CI`, where they fail.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_cpuflame"))
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("cpuflame runs")
}

fn ok(args: &[&str]) -> Vec<u8> {
    let out = run(args);
    assert!(
        out.status.success(),
        "cpuflame {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn ok_text(args: &[&str]) -> String {
    String::from_utf8(ok(args)).expect("UTF-8 output")
}

fn workers_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/node-workers")
}

/// The three Node files, sorted by name: main (tid 0), worker 1, worker 2.
fn worker_files() -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(workers_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "cpuprofile"))
        .map(|p| p.display().to_string())
        .collect();
    v.sort();
    assert_eq!(v.len(), 3);
    v
}

/// The four ng-build files of the shared corpus, sorted by name; `None` (skip)
/// when the corpus is missing, a failure under CI.
fn ng_build_files() -> Option<Vec<String>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    let mut v: Vec<String> = std::fs::read_dir(&dir)
        .map(|rd| {
            rd.map(|e| e.unwrap().path())
                .filter(|p| {
                    p.file_name()
                        .unwrap()
                        .to_string_lossy()
                        .starts_with("pushbased__ng-build-cpu__CPU.")
                })
                .map(|p| p.display().to_string())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    if v.len() != 4 {
        if std::env::var_os("CI").is_some() {
            panic!(
                "{}: the four pushbased__ng-build-cpu__ profiles are missing (found {})",
                dir.display(),
                v.len()
            );
        }
        eprintln!("skipping: {} not found", dir.display());
        return None;
    }
    Some(v)
}

/// Folded lines as `stack -> weight`.
fn folded(text: &str) -> Vec<(String, u64)> {
    text.lines()
        .map(|l| {
            let (stack, w) = l.rsplit_once(' ').expect("folded line");
            (stack.to_string(), w.parse().expect("weight"))
        })
        .collect()
}

fn total(text: &str) -> u64 {
    folded(text).iter().map(|(_, w)| w).sum()
}

/// Total weight per root frame.
fn totals_by_root(text: &str) -> BTreeMap<String, u64> {
    let mut m = BTreeMap::new();
    for (stack, w) in folded(text) {
        let root = stack.split(';').next().unwrap().to_string();
        *m.entry(root).or_insert(0) += w;
    }
    m
}

/// A profile's samples and the time of its first sample (µs), read directly.
fn samples_and_first(path: &str) -> (usize, f64) {
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let start = v["startTime"].as_f64().unwrap();
    let mut t = start;
    let mut first = f64::INFINITY;
    for d in v["timeDeltas"].as_array().unwrap() {
        t += d.as_f64().unwrap();
        first = first.min(t);
    }
    (v["samples"].as_array().unwrap().len(), first)
}

#[test]
fn node_worker_files_are_named_and_a_directory_equals_its_files() {
    let files = worker_files();
    let dir = workers_dir().display().to_string();
    let from_dir = ok_text(&["--format", "folded", &dir]);
    let mut args = vec!["--format", "folded"];
    args.extend(files.iter().map(String::as_str));
    let from_files = ok_text(&args);
    assert_eq!(from_dir, from_files);
    let roots: Vec<String> = totals_by_root(&from_dir).into_keys().collect();
    assert_eq!(
        roots,
        [
            "node pid 11164 main",
            "node pid 11164 worker 1",
            "node pid 11164 worker 2"
        ]
    );
    // Each root carries exactly its own file's weight.
    let by_root = totals_by_root(&from_dir);
    for (file, root) in files.iter().zip(by_root.keys()) {
        let single = ok_text(&["--format", "folded", file]);
        assert_eq!(by_root[root], total(&single), "{root}");
    }
}

#[test]
fn empty_directory_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), "not a profile").unwrap();
    let out = run(&[dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "bad input, not bad usage");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("holds no profiles"), "{err}");
    assert!(err.contains(".cpuprofile"), "{err}");
}

#[test]
fn a_stray_json_file_in_a_directory_is_skipped_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    for f in worker_files() {
        let p = Path::new(&f);
        std::fs::copy(p, dir.path().join(p.file_name().unwrap())).unwrap();
    }
    std::fs::write(dir.path().join("package.json"), r#"{"name":"app"}"#).unwrap();
    let d = dir.path().to_str().unwrap();
    let out = run(&["--format", "folded", d]);
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("package.json") && err.contains("skipped"),
        "{err}"
    );
    let clean = ok_text(&["--format", "folded", &workers_dir().display().to_string()]);
    assert_eq!(String::from_utf8(out.stdout).unwrap(), clean);
    // Named on the command line, the same file is an error.
    let named = run(&[dir.path().join("package.json").to_str().unwrap()]);
    assert_eq!(named.status.code(), Some(1));
}

#[test]
fn thread_worker_keeps_the_workers_with_their_single_file_totals() {
    let files = worker_files();
    let dir = workers_dir().display().to_string();
    let text = ok_text(&["--format", "folded", "--thread", "WORKER", &dir]);
    let by_root = totals_by_root(&text);
    assert_eq!(
        by_root.keys().collect::<Vec<_>>(),
        ["node pid 11164 worker 1", "node pid 11164 worker 2"]
    );
    for (file, root) in files[1..].iter().zip(by_root.keys()) {
        let single = ok_text(&["--format", "folded", file]);
        assert_eq!(by_root[root], total(&single), "{root}");
        // Same stacks too, under the source's root frame.
        let prefixed: Vec<(String, u64)> = folded(&single)
            .into_iter()
            .map(|(s, w)| (format!("{root};{s}"), w))
            .collect();
        let mine: Vec<(String, u64)> = folded(&text)
            .into_iter()
            .filter(|(s, _)| s.starts_with(&format!("{root};")))
            .collect();
        let mut a = prefixed.clone();
        let mut b = mine.clone();
        a.sort();
        b.sort();
        assert_eq!(a, b, "{root}");
    }
}

#[test]
fn thread_digits_match_the_thread_id_and_patterns_add_up() {
    let files = worker_files();
    let dir = workers_dir().display().to_string();
    // One source left: no root frame, exactly the single file.
    let only2 = ok_text(&["--format", "folded", "--thread", "2", &dir]);
    assert_eq!(only2, ok_text(&["--format", "folded", &files[2]]));
    let both = ok_text(&[
        "--format", "folded", "--thread", "0", "--thread", "worker 1", &dir,
    ]);
    assert_eq!(
        totals_by_root(&both).into_keys().collect::<Vec<_>>(),
        ["node pid 11164 main", "node pid 11164 worker 1"]
    );
}

#[test]
fn thread_matching_nothing_lists_the_sources() {
    let dir = workers_dir().display().to_string();
    let out = run(&["--thread", "renderer", &dir]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    for name in [
        "node pid 11164 main",
        "node pid 11164 worker 1",
        "node pid 11164 worker 2",
    ] {
        assert!(err.contains(name), "{err}");
    }
    assert!(err.contains("renderer"), "{err}");
}

#[test]
fn merge_total_is_the_sum_of_the_file_totals() {
    let Some(files) = ng_build_files() else {
        return;
    };
    for weight in ["samples", "time"] {
        let mut args = vec!["--format", "folded", "--merge", "--weight", weight];
        args.extend(files.iter().map(String::as_str));
        let merged = ok_text(&args);
        // No root frame per source.
        assert!(!merged.contains("pushbased__"), "{weight}");
        let lines = folded(&merged).len() as u64;
        let sum: u64 = files
            .iter()
            .map(|f| total(&ok_text(&["--format", "folded", "--weight", weight, f])))
            .sum();
        let merged_total = total(&merged);
        if weight == "samples" {
            // Idle is left out of flame graphs: compare with the non-idle samples.
            assert_eq!(merged_total, sum);
        } else {
            // Weights are rounded per line: merging lines moves rounding only.
            assert!(
                merged_total.abs_diff(sum) <= lines,
                "{merged_total} vs {sum}"
            );
        }
    }
    // Same functions add up: a stack present in several files has their summed weight.
    let mut args = vec!["--format", "folded", "--merge", "--weight", "samples"];
    args.extend(files.iter().map(String::as_str));
    let merged: BTreeMap<String, u64> = folded(&ok_text(&args)).into_iter().collect();
    let mut summed: BTreeMap<String, u64> = BTreeMap::new();
    for f in &files {
        for (s, w) in folded(&ok_text(&["--format", "folded", "--weight", "samples", f])) {
            *summed.entry(s).or_insert(0) += w;
        }
    }
    assert_eq!(merged, summed);
}

/// `--list` rows by name: (pid, tid, samples, idle, file).
fn list_rows(text: &str) -> Vec<Vec<String>> {
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split_whitespace().collect();
    assert_eq!(
        header,
        ["name", "pid", "tid", "samples", "duration", "idle", "file"]
    );
    lines
        .map(|l| {
            // The name may hold spaces: split the 6 right-hand columns off the end.
            let cols: Vec<&str> = l.split_whitespace().collect();
            let n = cols.len();
            // duration is "674.6 ms": two tokens.
            let name = cols[..n - 7].join(" ");
            vec![
                name,
                cols[n - 7].into(),
                cols[n - 6].into(),
                cols[n - 5].into(),
                format!("{} {}", cols[n - 4], cols[n - 3]),
                cols[n - 2].into(),
                cols[n - 1].into(),
            ]
        })
        .collect()
}

#[test]
fn list_prints_every_source_with_its_sample_count() {
    let files = worker_files();
    let dir = workers_dir().display().to_string();
    let out = run(&["--list", &dir]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let rows = list_rows(&text);
    assert_eq!(rows.len(), 3, "{text}");
    let expect = [
        ("node pid 11164 main", "0", 407),
        ("node pid 11164 worker 1", "1", 272),
        ("node pid 11164 worker 2", "2", 348),
    ];
    for ((row, (name, tid, samples)), file) in rows.iter().zip(expect).zip(&files) {
        assert_eq!(row[0], name);
        assert_eq!(row[1], "11164");
        assert_eq!(row[2], tid);
        assert_eq!(row[3], samples.to_string());
        assert_eq!(samples_and_first(file).0, samples);
        assert_eq!(&row[6], file);
    }
    // The main thread waits for its workers: idle; the workers never idle.
    let idle: f64 = rows[0][5].trim_end_matches('%').parse().unwrap();
    assert!(idle > 20.0 && idle < 60.0, "{text}");
    assert_eq!(rows[1][5], "0.0%");
    // --thread applies to the list; nothing is drawn.
    let workers = ok_text(&["--list", "--thread", "worker", &dir]);
    assert_eq!(list_rows(&workers).len(), 2);
    assert!(!workers.contains("<svg"));

    if let Some(ng) = ng_build_files() {
        let mut args = vec!["--list"];
        args.extend(ng.iter().map(String::as_str));
        let rows = list_rows(&ok_text(&args));
        assert_eq!(rows.len(), 4);
        for (row, f) in rows.iter().zip(&ng) {
            assert_eq!(row[3], samples_and_first(f).0.to_string(), "{f}");
        }
    }
}

/// One band of a banded chart SVG.
#[derive(Debug)]
struct Band {
    source: String,
    offset: u64,
    span: u64,
    title: String,
    /// `(fg:x, fg:w)` of every frame.
    frames: Vec<(u64, u64)>,
    /// `total_samples` of its frames element.
    total: u64,
    text: String,
}

fn attr(s: &str, name: &str) -> Option<String> {
    let key = format!(" {name}=\"");
    let at = s.find(&key)? + key.len();
    Some(s[at..at + s[at..].find('"')?].to_string())
}

fn bands_of(svg: &str) -> Vec<Band> {
    let mut out = Vec::new();
    let mut parts: Vec<&str> = svg.split("<svg id=\"band-b").collect();
    parts.remove(0);
    for (k, part) in parts.iter().enumerate() {
        assert!(part.starts_with(&format!("{k}\"")));
        let tag = &part[..part.find('>').unwrap()];
        let title_at = part
            .find(&format!("<text id=\"title-b{k}\""))
            .expect("band title");
        let title_start = title_at + part[title_at..].find('>').unwrap() + 1;
        let title_end = title_start + part[title_start..].find("</text>").unwrap();
        let frames_at = part.find(&format!("<svg id=\"frames-b{k}\"")).unwrap();
        let total = attr(&part[frames_at..], "total_samples")
            .unwrap()
            .parse()
            .unwrap();
        let frames = part
            .split("<rect ")
            .skip(1)
            .filter_map(|r| {
                let r = &r[..r.find("/>").unwrap()];
                Some((
                    attr(r, "fg:x")?.parse().unwrap(),
                    attr(r, "fg:w")?.parse().unwrap(),
                ))
            })
            .collect();
        out.push(Band {
            source: attr(tag, "data-source").unwrap(),
            offset: attr(tag, "data-offset-us").unwrap().parse().unwrap(),
            span: attr(tag, "data-span-us").unwrap().parse().unwrap(),
            title: part[title_start..title_end].to_string(),
            frames,
            total,
            text: part.to_string(),
        });
    }
    out
}

/// Checks every banded chart must pass; `firsts` are the sources' first-sample
/// times, `shared` whether they are on one clock.
fn check_bands(svg: &str, names: &[String], firsts: &[f64], shared: bool) -> Vec<Band> {
    let bands = bands_of(svg);
    assert_eq!(attr(svg, "data-bands").unwrap(), names.len().to_string());
    assert_eq!(bands.len(), names.len());
    let axis: u64 = attr(svg, "data-axis").unwrap().parse().unwrap();
    let base = firsts.iter().cloned().fold(f64::INFINITY, f64::min);
    for (k, ((band, name), first)) in bands.iter().zip(names).zip(firsts).enumerate() {
        assert_eq!(&band.source, name);
        assert_eq!(&band.title, name, "the band's heading is its source");
        // One scale: every band's frames measure the same axis.
        assert_eq!(band.total, axis, "{name}");
        // The band sits where its first sample was taken.
        let want = if shared { first - base } else { 0.0 };
        assert!(
            (band.offset as f64 - want).abs() <= 1.0,
            "{name}: offset {} want {want}",
            band.offset
        );
        let min_x = band.frames.iter().map(|f| f.0).min().unwrap();
        let max_end = band.frames.iter().map(|f| f.0 + f.1).max().unwrap();
        assert!(min_x.abs_diff(band.offset) <= 1, "{name}: {min_x}");
        assert!(
            max_end.abs_diff(band.offset + band.span) <= 2,
            "{name}: {max_end} vs {}",
            band.offset + band.span
        );
        assert!(max_end <= axis);
        // No spacer, and no axis-wide `all` frame, is drawn.
        assert!(!band.text.contains("cpuflame spacer"), "{name}");
        assert!(!band.text.contains("<title>all ("), "{name}");
        // The root frame of the band is its source, starting at its offset.
        let root_title = format!("<title>{name} (");
        assert!(band.text.contains(&root_title), "{name}");
        // inferno's script runs per band, pointed at the band's own ids.
        assert!(band
            .text
            .contains(&format!("getElementById(\"frames-b{k}\")")));
    }
    bands
}

#[test]
fn banded_chart_of_node_workers_shares_the_process_clock() {
    let files = worker_files();
    let dir = workers_dir().display().to_string();
    let svg = ok_text(&["--chart", &dir]);
    let names: Vec<String> = ["main", "worker 1", "worker 2"]
        .iter()
        .map(|n| format!("node pid 11164 {n}"))
        .collect();
    let firsts: Vec<f64> = files.iter().map(|f| samples_and_first(f).1).collect();
    let bands = check_bands(&svg, &names, &firsts, true);
    // The workers start after the main thread, in order (README: within 66 ms).
    assert_eq!(bands[0].offset, 0);
    assert!(bands[1].offset > 10_000 && bands[1].offset < bands[2].offset);
    assert!(bands[2].offset < 100_000);
    // The subtitle says the bands share the process's clock.
    assert!(
        svg.contains("one shared clock (pid 11164)"),
        "subtitle: {:?}",
        attr(&svg[svg.find("id=\"subtitle\"").unwrap() - 1..], "id")
    );
    assert!(svg.contains("Flame chart: node-workers/ (3 profiles)"));
    // Frames carry percentages consistent with their time offsets.
    let b1 = &bands[1];
    let rect = b1
        .text
        .split("<rect ")
        .skip(1)
        .map(|r| format!(" {}", &r[..r.find("/>").unwrap()]))
        .find(|r| attr(r, "fg:x").is_some_and(|x| x.parse::<u64>().unwrap() == b1.offset))
        .unwrap();
    let pct: f64 = attr(&rect, "x")
        .unwrap()
        .trim_end_matches('%')
        .parse()
        .unwrap();
    let axis: f64 = attr(&svg, "data-axis").unwrap().parse().unwrap();
    assert!(
        (pct - 100.0 * b1.offset as f64 / axis).abs() < 0.001,
        "{pct}"
    );
}

#[test]
fn banded_chart_of_separate_clocks_starts_each_at_its_own_start() {
    let Some(files) = ng_build_files() else {
        return;
    };
    let firsts: Vec<f64> = files.iter().map(|f| samples_and_first(f).1).collect();
    // Renamed without Node's pattern, the files carry no pid: separate clocks.
    let plain = tempfile::tempdir().unwrap();
    let mut plain_files = Vec::new();
    for (i, f) in files.iter().enumerate() {
        let p = plain.path().join(format!("run-{i}.cpuprofile"));
        std::fs::copy(f, &p).unwrap();
        plain_files.push(p.to_str().unwrap().to_string());
    }
    let mut args = vec!["--chart"];
    args.extend(plain_files.iter().map(String::as_str));
    let svg = ok_text(&args);
    let names: Vec<String> = (0..files.len())
        .map(|i| format!("run-{i}.cpuprofile"))
        .collect();
    check_bands(&svg, &names, &firsts, false);
    assert!(svg.contains("each from its own start (separate clocks)"));

    // Node's names (the corpus copies keep them after a prefix) are one
    // process: one clock.
    let mut args = vec!["--chart"];
    args.extend(files.iter().map(String::as_str));
    let svg = ok_text(&args);
    let names: Vec<String> = ["main", "worker 1", "worker 2", "worker 16"]
        .iter()
        .map(|n| format!("node pid 90620 {n}"))
        .collect();
    check_bands(&svg, &names, &firsts, true);
    assert!(svg.contains("one shared clock (pid 90620)"));
}

#[test]
fn banded_chart_mixes_shared_and_own_clocks() {
    let Some(ng) = ng_build_files() else {
        return;
    };
    let files = worker_files();
    let svg = ok_text(&["--chart", &files[0], &files[1], &ng[0]]);
    let bands = bands_of(&svg);
    assert_eq!(bands.len(), 3);
    let (_, f0) = samples_and_first(&files[0]);
    let (_, f1) = samples_and_first(&files[1]);
    assert_eq!(bands[0].offset, 0);
    assert!((bands[1].offset as f64 - (f1 - f0)).abs() <= 1.0);
    assert_eq!(bands[2].offset, 0);
    assert!(svg.contains("sources on a shared clock (pid 11164) are aligned on it"));
}

#[test]
fn merged_chart_and_single_source_chart_are_not_banded() {
    let dir = workers_dir().display().to_string();
    // --merge would lay the sources end to end on the time axis: refused.
    let merged = run(&["--chart", "--merge", &dir]);
    assert_eq!(merged.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&merged.stderr).contains("--merge"));
    let one = ok_text(&["--chart", "--thread", "worker 2", &dir]);
    assert!(!one.contains("data-bands"));
    assert!(one.contains("Flame chart: node-workers/"));
}

#[test]
fn banded_chart_png_renders_every_band() {
    let dir = workers_dir().display().to_string();
    let tmp = tempfile::tempdir().unwrap();
    let png_path = tmp.path().join("bands.png");
    let svg = ok_text(&["--chart", "--width", "800", &dir]);
    ok(&[
        "--chart",
        "--width",
        "800",
        &dir,
        "-o",
        png_path.to_str().unwrap(),
    ]);
    let png = std::fs::read(&png_path).unwrap();
    let pixmap = resvg::tiny_skia::Pixmap::decode_png(&png).expect("a PNG");
    // --png-scale defaults to 1.5.
    let height: f64 = attr(&svg, "height").unwrap().parse().unwrap();
    assert_eq!(pixmap.width(), 1200);
    assert_eq!(pixmap.height(), (height * 1.5).round() as u32);
    // Every band has coloured frames (saturated pixels) in its own stripe.
    let w = pixmap.width() as usize;
    let px = pixmap.data();
    let colourful = |y0: usize, y1: usize| {
        (y0..y1)
            .flat_map(|y| (0..w).map(move |x| (y * w + x) * 4))
            .filter(|&i| {
                let (r, g, b) = (px[i] as i32, px[i + 1] as i32, px[i + 2] as i32);
                r.max(g).max(b) - r.min(g).min(b) > 60
            })
            .count()
    };
    let mut stripes = Vec::new();
    for part in svg.split("<svg id=\"band-b").skip(1) {
        let tag = &part[..part.find('>').unwrap()];
        let y: f64 = attr(tag, "y").unwrap().parse().unwrap();
        let h: f64 = attr(tag, "height").unwrap().parse().unwrap();
        stripes.push(((y * 1.5) as usize, ((y + h) * 1.5) as usize));
    }
    assert_eq!(stripes.len(), 3);
    for (y0, y1) in stripes {
        let n = colourful(y0, y1.min(pixmap.height() as usize));
        assert!(n > 5_000, "band at {y0}..{y1} has {n} coloured pixels");
    }
}

#[test]
fn banded_chart_in_sample_counts_has_no_time_axis() {
    let dir = workers_dir().display().to_string();
    let svg = ok_text(&["--chart", "--weight", "samples", &dir]);
    let bands = bands_of(&svg);
    assert_eq!(bands.len(), 3);
    for (b, n) in bands.iter().zip([407u64, 272, 348]) {
        assert_eq!(b.offset, 0);
        assert_eq!(b.span, n, "{}", b.source);
    }
    assert_eq!(attr(&svg, "data-axis").unwrap(), "407");
    assert!(svg.contains("widths in samples"));
}
