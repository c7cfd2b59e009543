//! Regression tests from fuzzing (`fuzz/`, see README "Fuzzing"), and the
//! bounded-resources claims: a profile claiming 10^12 samples or a duration
//! of 10^9 seconds is read, folded and drawn in time and memory bounded by
//! the file, never by the claim.

mod common;

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{folded_total, s};

/// How long one bounded run may take: generous for a slow CI machine, far
/// below what a loop proportional to 10^12 would take.
const LIMIT: Duration = Duration::from_secs(30);

/// Run the binary under a 4 GB address-space limit (an allocation
/// proportional to 10^12 fails at once) and a time limit; returns
/// (success, stdout, stderr).
fn bounded(args: &[&str]) -> (bool, String, String) {
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg("ulimit -v 4000000 2>/dev/null; exec \"$0\" \"$@\"")
        .arg(env!("CARGO_BIN_EXE_cpuflame"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let start = Instant::now();
    let mut child = cmd.spawn().expect("spawns");
    loop {
        if child.try_wait().expect("waits").is_some() {
            break;
        }
        if start.elapsed() > LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("cpuflame {args:?} still running after {LIMIT:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let out = child.wait_with_output().expect("output");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Every way of drawing `file` finishes within the limits; returns the
/// folded flame graph in µs and in samples.
fn draw_every_way(dir: &Path, file: &Path) -> (String, String) {
    let out = dir.join("out");
    let out = s(&out);
    for args in [
        &["--format", "svg"][..],
        &["--chart", "--format", "svg"],
        &["--chart", "--format", "png"],
        &["--chart", "--gaps", "idle", "--format", "svg"],
        &["--chart", "--format", "folded"],
        &["--format", "table"],
    ] {
        let mut a = args.to_vec();
        a.extend(["-o", out, s(file)]);
        let (ok, _, err) = bounded(&a);
        assert!(ok, "{a:?}: {err}");
        // (A tree-only profile has no time order: its chart's folded text is empty.)
        if args.contains(&"svg") || args.contains(&"png") {
            assert!(fs::metadata(out).unwrap().len() > 0, "{a:?}: empty output");
        }
    }
    let (ok, us, err) = bounded(&["--format", "folded", s(file)]);
    assert!(ok, "{err}");
    let (ok, samples, err) = bounded(&["--format", "folded", "--weight", "samples", s(file)]);
    assert!(ok, "{err}");
    (us, samples)
}

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    fs::write(&p, text).unwrap();
    p
}

const LEGACY_TREE: &str = r#"{"functionName":"(root)","url":"","id":1,"hitCount":0,"children":[
    {"functionName":"work","url":"file:///a.js","id":2,"hitCount":HITS,"children":[]}]}"#;

#[test]
fn legacy_profile_spanning_1e9_seconds_without_timestamps() {
    // 10^9 s with no timestamps: the 4 samples are spread evenly, DevTools'
    // rule; nothing is made per µs or per millisecond of the claimed span.
    let dir = tempfile::tempdir().unwrap();
    let doc = format!(
        r#"{{"head":{},"startTime":0,"endTime":1000000000,"samples":[2,2,1,2]}}"#,
        LEGACY_TREE.replace("HITS", "3")
    );
    let p = write(dir.path(), "even.cpuprofile", &doc);
    let (us, samples) = draw_every_way(dir.path(), &p);
    // 3 of the 4 evenly spread samples: 3/4 of 10^15 µs.
    assert_eq!(us, "work (/a.js) 750000000000000\n");
    assert_eq!(samples, "work (/a.js) 3\n");
}

#[test]
fn legacy_hit_count_of_1e12_is_a_weight_not_a_loop() {
    let dir = tempfile::tempdir().unwrap();
    let doc = format!(
        r#"{{"head":{},"startTime":0,"endTime":1000000000}}"#,
        LEGACY_TREE.replace("HITS", "1000000000000")
    );
    let p = write(dir.path(), "hits.cpuprofile", &doc);
    let (us, samples) = draw_every_way(dir.path(), &p);
    assert_eq!(samples, "work (/a.js) 1000000000000\n");
    assert_eq!(folded_total(&us), 1_000_000_000_000_000);
}

#[test]
fn legacy_self_time_of_1e12_ms() {
    let dir = tempfile::tempdir().unwrap();
    let doc = r#"{"head":{"functionName":"(root)","url":"","id":1,"children":[
        {"functionName":"work","url":"file:///a.js","id":2,"selfTime":1e12,"children":[]}]},
        "startTime":0,"endTime":1e9}"#;
    let p = write(dir.path(), "selftime.cpuprofile", doc);
    let (us, _) = draw_every_way(dir.path(), &p);
    assert_eq!(us, "work (/a.js) 1000000000000000\n");
}

const CDP_NODES: &str = r#"{"id":1,"callFrame":{"functionName":"(root)","url":""},"children":[2]},
    {"id":2,"callFrame":{"functionName":"work","url":"file:///a.js"}}"#;

#[test]
fn cdp_profile_spanning_1e9_seconds() {
    let dir = tempfile::tempdir().unwrap();
    // One delta of 10^9 s.
    let doc = format!(
        r#"{{"nodes":[{CDP_NODES}],"startTime":0,"endTime":1e15,"samples":[2,2],"timeDeltas":[0,1e15]}}"#
    );
    let p = write(dir.path(), "long.cpuprofile", &doc);
    let (us, samples) = draw_every_way(dir.path(), &p);
    assert_eq!(samples, "work (/a.js) 2\n");
    assert_eq!(folded_total(&us), 2_000_000_000_000_000);
    // No time deltas: 3 samples spread evenly over 10^9 s.
    let doc =
        format!(r#"{{"nodes":[{CDP_NODES}],"startTime":0,"endTime":1e15,"samples":[2,2,2]}}"#);
    let p = write(dir.path(), "even.cpuprofile", &doc);
    let (us, samples) = draw_every_way(dir.path(), &p);
    assert_eq!(samples, "work (/a.js) 3\n");
    assert_eq!(us, "work (/a.js) 1000000000000000\n");
}

#[test]
fn self_profiling_trace_spanning_1e9_seconds() {
    let dir = tempfile::tempdir().unwrap();
    // Timestamps are ms: 10^12 ms = 10^9 s between the two samples.
    let doc = r#"{"resources":[],"frames":[{"name":"work"}],"stacks":[{"frameId":0}],
        "samples":[{"timestamp":0,"stackId":0},{"timestamp":1e12,"stackId":0},{"timestamp":1e12}]}"#;
    let p = write(dir.path(), "self.json", doc);
    let (us, samples) = draw_every_way(dir.path(), &p);
    assert_eq!(us, "work 1000000000000000\n");
    assert_eq!(samples, "work 2\n");
}

#[test]
fn trace_profile_chunk_spanning_1e9_seconds() {
    let dir = tempfile::tempdir().unwrap();
    let doc = r#"[{"ph":"P","name":"Profile","pid":1,"tid":1,"ts":0,"id":"0x1","args":{"data":{"startTime":0}}},
        {"ph":"P","name":"ProfileChunk","pid":1,"tid":1,"ts":1,"id":"0x1","args":{"data":{
            "cpuProfile":{"nodes":[{"id":1,"callFrame":{"functionName":"(root)"}},
                                   {"id":2,"parent":1,"callFrame":{"functionName":"work"}}],
                          "samples":[2,2]},
            "timeDeltas":[0,1e15]}}}]"#;
    let p = write(dir.path(), "trace.json", doc);
    let (us, samples) = draw_every_way(dir.path(), &p);
    assert_eq!(samples, "work 2\n");
    assert_eq!(folded_total(&us), 2_000_000_000_000_000);
}

#[test]
fn cdp_hit_count_of_1e12_finishes() {
    // A tree-only .cpuprofile whose node claims 10^12 hits: weighed by its
    // hits (the whole 10^15 µs span, as the only node with any), at once.
    let dir = tempfile::tempdir().unwrap();
    let doc = format!(
        r#"{{"nodes":[{}],"startTime":0,"endTime":1e15}}"#,
        CDP_NODES.replace(
            r#""url":"file:///a.js"}"#,
            r#""url":"file:///a.js"},"hitCount":1e12"#
        )
    );
    assert!(doc.contains("1e12"));
    let p = write(dir.path(), "hits.cpuprofile", &doc);
    let out = dir.path().join("out.svg");
    let (ok, _, err) = bounded(&["--chart", "-o", s(&out), s(&p)]);
    assert!(ok, "{err}");
    let svg = fs::read_to_string(&out).unwrap();
    assert!(svg.contains("<svg"));
    let folded = dir.path().join("out.folded");
    let (ok, _, err) = bounded(&["-o", s(&folded), s(&p)]);
    assert!(ok, "{err}");
    let text = fs::read_to_string(&folded).unwrap();
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(text.trim_end().ends_with(" 1000000000000000"), "{text}");
}

/// Found by the `import_selfprofile` target (3 crashes, one cause): a JS
/// Self-Profiling sample at 2.9·10^16 ms (2.9·10^19 µs) gave a stack a weight
/// past 2^64: the folded text saturated at 18446744073709551615 and inferno's
/// unchecked `usize` sum overflowed (a panic in debug builds, a wrong picture
/// in release). Timestamps now have CDP's bound, ±10^18 µs.
#[test]
fn self_profiling_timestamp_past_1e18_us_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let doc = r#"{"frames":[{"name":"a"},{"name":"b"}],"stacks":[{"frameId":0},{"frameId":1}],
        "samples":[{"timestamp":0,"stackId":0},{"timestamp":1.5e16,"stackId":1},{"timestamp":3e16}]}"#;
    let p = write(dir.path(), "big.json", doc);
    for format in ["folded", "svg"] {
        let (ok, out, err) = bounded(&["--format", format, s(&p)]);
        assert!(!ok && out.is_empty(), "{format}: {out}");
        assert!(
            err.contains("samples[1].timestamp = 15000000000000000 ms is out of range"),
            "{err}"
        );
        assert!(!err.contains("panicked"), "{err}");
    }
    // At the bound it is drawn.
    let doc = doc.replace("1.5e16", "1e15").replace("3e16", "1e15");
    let p = write(dir.path(), "edge.json", &doc);
    let (ok, out, err) = bounded(&["--format", "folded", s(&p)]);
    assert!(ok, "{err}");
    assert_eq!(out, "a 1000000000000000000\n");
}

/// The same overflow through several sources, each within its bounds: 12
/// threads of 2·10^18 µs each add up past 2^64. The SVG is refused with a
/// clear error instead of overflowing inferno's sum; the per-thread folded
/// text is exact.
#[test]
fn weights_adding_up_past_2_pow_64_are_refused_in_pictures() {
    let dir = tempfile::tempdir().unwrap();
    let events: Vec<String> = (1..=12)
        .flat_map(|tid| {
            [
                format!(
                    r#"{{"ph":"P","name":"Profile","pid":1,"tid":{tid},"ts":0,"id":"0x{tid}","args":{{"data":{{"startTime":0}}}}}}"#
                ),
                format!(
                    r#"{{"ph":"P","name":"ProfileChunk","pid":1,"tid":{tid},"ts":1,"id":"0x{tid}","args":{{"data":{{"cpuProfile":{{"nodes":[{{"id":1,"callFrame":{{"functionName":"(root)"}}}},{{"id":2,"parent":1,"callFrame":{{"functionName":"work"}}}}],"samples":[2,2]}},"timeDeltas":[0,1e18]}}}}}}"#
                ),
            ]
        })
        .collect();
    let p = write(
        dir.path(),
        "threads.json",
        &format!("[{}]", events.join(",")),
    );
    let (ok, out, err) = bounded(&["--format", "folded", s(&p)]);
    assert!(ok, "{err}");
    assert_eq!(out.lines().count(), 12);
    assert!(out
        .lines()
        .all(|l| l.ends_with(";work 2000000000000000000")));
    for args in [&["--format", "svg"][..], &["--format", "png"]] {
        let out_file = dir.path().join("out");
        let mut a = args.to_vec();
        a.extend(["-o", s(&out_file), s(&p)]);
        let (ok, _, err) = bounded(&a);
        assert!(!ok, "{a:?}");
        assert!(
            err.contains("the weights add up to more than 2^64"),
            "{a:?}: {err}"
        );
        assert!(!err.contains("panicked"), "{err}");
        assert!(!out_file.exists(), "{a:?} left a file");
    }
}

/// Found by the `pipeline` target (1 crash): a legacy profile whose
/// `timestamps` held 6.9·10^24 µs (a cpuprofile2stackcollapse recording with
/// one number mutated) gave a stack a weight past 2^64, refused by the SVG
/// guard above but saturating the folded text. Legacy times now have CDP's
/// bound, ±10^18 µs, as do startTime and endTime (seconds).
#[test]
fn legacy_times_past_1e18_us_are_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let tree = LEGACY_TREE.replace("HITS", "0");
    for (name, extra, message) in [
        (
            "ts.cpuprofile",
            r#""startTime":1,"endTime":2,"samples":[2,2,2],"timestamps":[1e6,6.9e24,1.5e6]"#,
            "timestamps[1] = ",
        ),
        (
            "end.cpuprofile",
            r#""startTime":0,"endTime":1e20,"samples":[2,2]"#,
            "startTime or endTime is out of range",
        ),
    ] {
        let p = write(dir.path(), name, &format!(r#"{{"head":{tree},{extra}}}"#));
        for format in ["folded", "svg"] {
            let (ok, out, err) = bounded(&["--format", format, s(&p)]);
            assert!(!ok && out.is_empty(), "{name} {format}: {out}");
            assert!(
                err.contains(message) && err.contains("out of range"),
                "{name}: {err}"
            );
        }
    }
    // Within the bound: drawn.
    let p = write(
        dir.path(),
        "ok.cpuprofile",
        &format!(
            r#"{{"head":{tree},"startTime":0,"endTime":1e12,"samples":[2,2],"timestamps":[0,1e17,1e18]}}"#
        ),
    );
    let (ok, out, err) = bounded(&["--format", "folded", s(&p)]);
    assert!(ok, "{err}");
    assert_eq!(folded_total(&out), 1_000_000_000_000_000_000);
}
