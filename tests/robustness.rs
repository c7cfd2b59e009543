//! Hostile and broken input, closed pipes, full disks and interrupts: never a
//! panic, never a broken or half-written output file.

mod common;

use std::fs;
use std::io::Read;
use std::os::unix::fs::FileTypeExt;
use std::path::Path;
use std::process::{Command, Stdio};

use common::{cpuflame, s, sample};

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A chain of `depth` nodes under the root, sampled at its leaf and its middle.
fn deep_chain(depth: usize) -> String {
    let mut nodes = Vec::with_capacity(depth + 1);
    nodes.push(
        r#"{"id":1,"callFrame":{"functionName":"(root)","url":""},"children":[2]}"#.to_string(),
    );
    for i in 2..depth + 2 {
        let kids = if i < depth + 1 {
            format!(r#","children":[{}]"#, i + 1)
        } else {
            String::new()
        };
        nodes.push(format!(
            r#"{{"id":{i},"callFrame":{{"functionName":"f{}","url":"file:///a/b.js","lineNumber":{},"columnNumber":1}}{kids}}}"#,
            i % 7,
            i % 50
        ));
    }
    format!(
        r#"{{"nodes":[{}],"startTime":0,"endTime":100,"samples":[{},{},{}],"timeDeltas":[0,10,10]}}"#,
        nodes.join(","),
        depth + 1,
        depth + 1,
        depth / 2
    )
}

#[test]
fn a_100000_frame_stack_folds_without_recursion() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("deep.cpuprofile");
    fs::write(&p, deep_chain(100_000)).unwrap();
    let o = cpuflame(&["--format", "folded", s(&p)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = String::from_utf8(o.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2);
    let frames = |l: &str| l.rsplit_once(' ').unwrap().0.split(';').count();
    let mut depths: Vec<usize> = lines.iter().map(|l| frames(l)).collect();
    depths.sort();
    assert_eq!(depths, vec![49_999, 100_000]);
    // The PNG is refused with a clear message instead of allocating gigabytes.
    let png = dir.path().join("deep.png");
    let o = cpuflame(&[s(&p), "-o", s(&png)]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("too large for a PNG"), "{}", stderr(&o));
    assert!(!png.exists());
}

#[test]
fn json_nested_100000_levels_is_an_error_not_a_stack_overflow() {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in [
        (
            "a.json",
            format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)),
        ),
        ("b.json", format!("{{\"nodes\":{}", "[".repeat(100_000))),
    ] {
        let p = dir.path().join(name);
        fs::write(&p, text).unwrap();
        let o = cpuflame(&[s(&p)]);
        assert_eq!(o.status.code(), Some(1), "{name}: {}", stderr(&o));
        assert!(stderr(&o).contains(name), "{name}: {}", stderr(&o));
        assert!(!stderr(&o).contains("overflow"), "{name}: {}", stderr(&o));
    }
    // Deep nesting inside a field we do not read is skipped, not an error.
    let p = dir.path().join("c.json");
    fs::write(
        &p,
        format!(
            "{{\"nodes\":[{{\"id\":1,\"callFrame\":{{\"x\":{}1{}}}}}]}}",
            "{\"a\":".repeat(100_000),
            "}".repeat(100_000)
        ),
    )
    .unwrap();
    let o = cpuflame(&["--format", "folded", s(&p)]);
    assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    assert!(o.status.code() == Some(0) || o.status.code() == Some(1));
}

#[test]
fn huge_names_and_odd_numbers_are_survived() {
    let dir = tempfile::tempdir().unwrap();
    let big = "x".repeat(1 << 20);
    let cases = [
        // A 1 MB function name.
        format!(
            r#"{{"nodes":[{{"id":1,"callFrame":{{"functionName":"(root)"}},"children":[2]}},{{"id":2,"callFrame":{{"functionName":"{big}","url":"","lineNumber":-1}}}}],"startTime":0,"endTime":1,"samples":[2,2],"timeDeltas":[0,1]}}"#
        ),
        // Huge, negative and fractional times and positions.
        r#"{"nodes":[{"id":1,"callFrame":{"functionName":"(root)"},"children":[2]},{"id":2,"callFrame":{"functionName":"f","url":"u","lineNumber":1e308,"columnNumber":-5}}],"startTime":-1e300,"endTime":1e308,"samples":[2,2,2],"timeDeltas":[1e300,-1e300,0.5]}"#.to_string(),
        // null in every field.
        r#"{"nodes":[{"id":1,"callFrame":null,"children":null,"hitCount":null},{"id":2,"callFrame":{"functionName":null,"url":null,"lineNumber":null,"columnNumber":null,"scriptId":null},"parent":null}],"startTime":null,"endTime":null,"samples":null,"timeDeltas":null}"#.to_string(),
        // Ids that repeat, a node that lists itself, samples of ids that do not exist.
        r#"{"nodes":[{"id":1,"callFrame":{"functionName":"(root)"},"children":[2,2,3]},{"id":2,"callFrame":{"functionName":"a"}},{"id":2,"callFrame":{"functionName":"b"}},{"id":3,"callFrame":{"functionName":"c"}}],"startTime":0,"endTime":5,"samples":[2,3,99,1,2],"timeDeltas":[0,1,1,1,1]}"#.to_string(),
        // Empty arrays.
        r#"{"nodes":[{"id":1,"callFrame":{"functionName":"(root)"}}],"startTime":0,"endTime":0,"samples":[],"timeDeltas":[]}"#.to_string(),
    ];
    for (i, text) in cases.iter().enumerate() {
        let p = dir.path().join(format!("case{i}.cpuprofile"));
        fs::write(&p, text).unwrap();
        for args in [vec!["--format", "folded"], vec![], vec!["--chart"]] {
            let mut a = args.clone();
            a.push(s(&p));
            let o = cpuflame(&a);
            let err = stderr(&o);
            assert!(!err.contains("panicked"), "case {i} {args:?}: {err}");
            assert!(
                o.status.code() == Some(0) || o.status.code() == Some(1),
                "case {i} {args:?}: {err}"
            );
            if o.status.code() == Some(1) {
                assert_eq!(err.lines().count(), 1, "case {i}: {err}");
            }
        }
    }
}

#[test]
fn invalid_utf8_and_lone_surrogates_in_names() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = br#"{"nodes":[{"id":1,"callFrame":{"functionName":"(root)"},"children":[2,3]},{"id":2,"callFrame":{"functionName":"bad\ud800name"}},{"id":3,"callFrame":{"functionName":"raw"#.to_vec();
    bytes.extend_from_slice(&[0xff, 0xfe]);
    bytes.extend_from_slice(
        br#"bytes"}}],"startTime":0,"endTime":1,"samples":[2,3],"timeDeltas":[0,5]}"#,
    );
    let p = dir.path().join("utf.cpuprofile");
    fs::write(&p, bytes).unwrap();
    let o = cpuflame(&["--format", "folded", s(&p)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = String::from_utf8(o.stdout).expect("output is UTF-8");
    assert!(text.contains("bad\u{fffd}name 5"), "{text}");
    assert!(text.contains("raw\u{fffd}\u{fffd}bytes 5"), "{text}");
}

#[test]
fn a_closed_pipe_ends_quietly() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cpuflame"))
        .args([
            "--format",
            "folded",
            "--chart",
            s(&sample("node/app.cpuprofile")),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read 10 bytes, then hang up, as `| head -c 10` does.
    let mut out = child.stdout.take().unwrap();
    let mut ten = [0u8; 10];
    out.read_exact(&mut ten).unwrap();
    drop(out);
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    let status = child.wait().unwrap();
    // A closed standard output is how a pipeline ends: status 0, no message
    // (as ripgrep does; tests/first_run.rs checks a real shell pipeline).
    assert_eq!(status.code(), Some(0));
    assert_eq!(err, "");
}

#[test]
fn a_full_disk_is_a_clear_error() {
    if !Path::new("/dev/full").exists() {
        return;
    }
    let o = Command::new(env!("CARGO_BIN_EXE_cpuflame"))
        .arg(s(&sample("node/app.cpuprofile")))
        .stdout(
            fs::OpenOptions::new()
                .write(true)
                .open("/dev/full")
                .unwrap(),
        )
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("cannot write standard output"), "{err}");
    assert!(err.contains("No space left"), "{err}");
}

/// Start cpuflame writing `out`, send it `signal` after `delay_ms`, and return
/// its exit code.
fn signal_midway(input: &Path, out: &Path, signal: &str, delay_ms: u64) -> Option<i32> {
    let child = Command::new(env!("CARGO_BIN_EXE_cpuflame"))
        .args([s(input), "-o", s(out)])
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(delay_ms));
    let _ = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status();
    child.wait_with_output().unwrap().status.code()
}

/// Temporary files left in `dir`.
fn temporary_files(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect()
}

#[test]
fn an_interrupt_leaves_no_partial_file() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("deep.cpuprofile");
    fs::write(&input, deep_chain(30_000)).unwrap();
    for delay_ms in [50u64, 150, 300, 600] {
        let out = dir.path().join("out.svg");
        let _ = fs::remove_file(&out);
        let code = signal_midway(&input, &out, "-INT", delay_ms);
        assert!(
            code == Some(130) || code == Some(0),
            "{delay_ms} ms: {code:?}"
        );
        if out.exists() {
            // Only a complete file may exist.
            assert!(fs::read_to_string(&out)
                .unwrap()
                .trim_end()
                .ends_with("</svg>"));
        }
        let leftovers = temporary_files(dir.path());
        assert!(leftovers.is_empty(), "{delay_ms} ms: {leftovers:?}");
    }
}

#[test]
fn parallel_and_sequential_parses_agree() {
    // Large compact .cpuprofiles, laid out as V8 writes them (`{"nodes":[{"id":`),
    // are parsed in pieces on every core; the same profile pretty-printed takes
    // the sequential path. The folded text must be the same.
    let n = 60_000u64;
    let mut nodes = vec![
        r#"{"id":1,"callFrame":{"functionName":"(root)","url":""},"children":[2,3]}"#.to_string(),
    ];
    let mut samples = Vec::new();
    for id in 2..n {
        let kids: Vec<String> = [id * 2, id * 2 + 1]
            .into_iter()
            .filter(|&k| k < n)
            .map(|k| k.to_string())
            .collect();
        // Names holding the boundary text itself, escaped as JSON must.
        let mut node = format!(
            r#"{{"id":{id},"callFrame":{{"functionName":"f{}}},{{\"id\":{}","scriptId":"1","url":"file:///app/src/m{}.js","lineNumber":{},"columnNumber":3}},"hitCount":1"#,
            id % 97,
            id % 13,
            id % 31,
            id % 400
        );
        if !kids.is_empty() {
            node.push_str(&format!(r#","children":[{}]"#, kids.join(",")));
        }
        node.push_str(&format!(
            r#","positionTicks":[{{"line":{},"ticks":1}}]}}"#,
            1 + id % 50
        ));
        nodes.push(node);
        if id % 3 == 0 {
            samples.push(id.to_string());
        }
    }
    let deltas: Vec<String> = (0..samples.len() as i64)
        .map(|i| (100 + (i % 7) - 3).to_string())
        .collect();
    let compact = format!(
        r#"{{"nodes":[{}],"startTime":0,"endTime":1,"samples":[{}],"timeDeltas":[{}]}}"#,
        nodes.join(","),
        samples.join(","),
        deltas.join(",")
    );
    assert!(
        compact.len() > 8 << 20,
        "{} bytes: big enough for the parallel path",
        compact.len()
    );
    let doc: serde_json::Value = serde_json::from_str(&compact).unwrap();
    let pretty = serde_json::to_vec_pretty(&doc).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("compact.cpuprofile");
    let b = dir.path().join("pretty.cpuprofile");
    fs::write(&a, &compact).unwrap();
    fs::write(&b, &pretty).unwrap();
    let run = |p: &Path, threads: &str| {
        let o = Command::new(env!("CARGO_BIN_EXE_cpuflame"))
            .args(["--format", "folded", "--lines", s(p)])
            .env("RAYON_NUM_THREADS", threads)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
        o.stdout
    };
    let x = run(&a, "2");
    assert!(!x.is_empty());
    assert_eq!(x, run(&b, "2"));
    assert_eq!(x, run(&a, "1"), "one or two threads, same result");
    assert_eq!(x, run(&a, "7"), "any number of pieces, same result");
    assert!(String::from_utf8(x).unwrap().contains("f5},{\"id\":5 (m"));
}

#[test]
fn a_chart_of_300000_runs_stays_a_usable_svg() {
    // Samples alternating between two stacks: every sample is its own run.
    let n = 300_000;
    let samples: Vec<String> = (0..n)
        .map(|i| if i % 2 == 0 { "3" } else { "4" }.to_string())
        .collect();
    let deltas = vec!["100"; n].join(",");
    let json = format!(
        r#"{{"nodes":[{{"id":1,"callFrame":{{"functionName":"(root)"}},"children":[2]}},{{"id":2,"callFrame":{{"functionName":"main","url":"file:///a.js"}},"children":[3,4]}},{{"id":3,"callFrame":{{"functionName":"a","url":"file:///a.js"}}}},{{"id":4,"callFrame":{{"functionName":"b","url":"file:///a.js"}}}}],"startTime":0,"endTime":0,"samples":[{}],"timeDeltas":[{deltas}]}}"#,
        samples.join(",")
    );
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("runs.cpuprofile");
    fs::write(&p, json).unwrap();
    let o = cpuflame(&["--chart", s(&p)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let svg = String::from_utf8(o.stdout).unwrap();
    assert!(svg.len() < 200_000, "{} bytes", svg.len());
    assert!(
        svg.contains("299999 runs shorter than 0.1% of the width drawn on their callers"),
        "the subtitle says what was pruned"
    );
    // The one wide frame, main, spans the whole time axis.
    assert!(
        svg.contains("<title>main (/a.js) (30,000,000 µs, 100.00%)</title>"),
        "{}",
        &svg[..2000]
    );
}

#[test]
fn sigterm_also_leaves_no_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("deep.cpuprofile");
    fs::write(&input, deep_chain(30_000)).unwrap();
    for delay_ms in [100u64, 400] {
        signal_midway(&input, &dir.path().join("out.svg"), "-TERM", delay_ms);
        let leftovers = temporary_files(dir.path());
        assert!(leftovers.is_empty(), "{delay_ms} ms: {leftovers:?}");
    }
}

#[test]
fn output_through_symlinks_pipes_and_missing_directories() {
    let dir = tempfile::tempdir().unwrap();
    let app = sample("node/app.cpuprofile");
    // A symlink stays a symlink; the file it points to gets the picture.
    let target = dir.path().join("target.svg");
    let link = dir.path().join("link.svg");
    fs::write(&target, "old").unwrap();
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let o = cpuflame(&[s(&app), "-o", s(&link)]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert!(fs::read_to_string(&target).unwrap().starts_with("<?xml"));
    // A named pipe is written into, not replaced.
    let fifo = dir.path().join("fifo.svg");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || fs::read(fifo).unwrap())
    };
    let o = cpuflame(&[s(&app), "-o", s(&fifo)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let got = reader.join().unwrap();
    assert!(got.starts_with(b"<?xml") && got.ends_with(b"</svg>\n") || got.ends_with(b"</svg>"));
    assert!(fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
    // A missing directory is named, not a temporary file inside it.
    let o = cpuflame(&[s(&app), "-o", "/nonexistent-dir/x.svg"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains("/nonexistent-dir/x.svg") && err.contains("does not exist"),
        "{err}"
    );
    assert!(!err.contains(".cpuflame-"), "{err}");
}

#[test]
fn strict_covers_the_diff_base_too() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("base.cpuprofile");
    // A base with a sample on an unknown node: a repair.
    fs::write(
        &base,
        common::cdp(
            &[(1, "(root)", &[2]), (2, "a", &[])],
            &[2, 9, 2],
            &[0, 1, 1],
        ),
    )
    .unwrap();
    let app = sample("node/app.cpuprofile");
    let o = cpuflame(&["--diff", s(&base), s(&app)]);
    assert!(o.status.success());
    let o = cpuflame(&["--strict", "--diff", s(&base), s(&app)]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("base.cpuprofile"));
}
