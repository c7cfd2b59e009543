//! Issue 13, "the first five minutes": what a newcomer meets around the
//! documented examples. Closed pipes, a bare `cpuflame` at a terminal, the
//! same file twice, filters and windows that leave nothing, subtitles that
//! say what was filtered, warnings that name their thread.

mod common;

use std::fs;
use std::process::Command;

use common::{cpuflame, s, sample};

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The text of the SVG element with `id="subtitle"`.
fn subtitle(svg: &str) -> String {
    let doc = roxmltree::Document::parse_with_options(
        svg,
        roxmltree::ParsingOptions {
            allow_dtd: true,
            ..Default::default()
        },
    )
    .expect("SVG parses");
    doc.descendants()
        .find(|n| n.attribute("id") == Some("subtitle"))
        .map(|n| n.descendants().filter_map(|t| t.text()).collect())
        .unwrap_or_default()
}

#[test]
fn a_closed_standard_output_ends_quietly_with_status_0() {
    // A real shell pipeline: `cpuflame … | head -c 10`. The SVG, the folded
    // text (written by a second thread) and --list all end the same way.
    for args in ["", "--format folded", "--format folded --chart", "--list"] {
        let script = format!(
            "'{}' {args} '{}' | head -c 10 >/dev/null; echo \"status=${{PIPESTATUS[0]}}\"",
            env!("CARGO_BIN_EXE_cpuflame"),
            s(&sample("node/app.cpuprofile")),
        );
        // A profile big enough that the pipe closes before cpuflame is done.
        let o = Command::new("bash")
            .arg("-c")
            .arg(&script)
            .output()
            .unwrap();
        let out = stdout(&o);
        assert!(out.contains("status=0"), "{args}: {out}");
        assert_eq!(stderr(&o), "", "{args}: nothing on standard error");
    }
}

#[test]
fn no_input_at_a_terminal_prints_a_hint_and_exits_2() {
    // cpuflame run on a pseudo-terminal (python's pty module), as a person
    // typing `cpuflame` would: a hint, not a silent wait for standard input.
    let script = r#"
import os, pty, signal, sys
signal.alarm(20)
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], [sys.argv[1]])
out = b""
while True:
    try:
        d = os.read(fd, 4096)
    except OSError:
        break
    if not d:
        break
    out += d
_, status = os.waitpid(pid, 0)
print("status=%d" % os.waitstatus_to_exitcode(status))
print(out.decode("utf-8", "replace"))
"#;
    let o = Command::new("python3")
        .args(["-c", script, env!("CARGO_BIN_EXE_cpuflame")])
        .output()
        .expect("python3 runs");
    let out = stdout(&o);
    assert!(out.contains("status=2"), "{out}{}", stderr(&o));
    assert!(out.contains("no input"), "{out}");
    assert!(out.contains("cpuflame in.cpuprofile"), "shows how: {out}");
    assert!(!out.contains("0 B"), "no progress bar: {out}");
}

#[test]
fn the_same_file_twice_is_read_once_with_a_warning() {
    let app = sample("node/app.cpuprofile");
    let once = cpuflame(&["-f", "folded", s(&app)]);
    let dir = app.parent().unwrap().join(".").join("app.cpuprofile");
    let twice = cpuflame(&["-f", "folded", s(&app), s(&dir)]);
    assert!(twice.status.success());
    assert_eq!(
        common::folded_total(&stdout(&twice)),
        common::folded_total(&stdout(&once)),
        "not counted twice"
    );
    let err = stderr(&twice);
    assert!(err.contains("given more than once"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
}

#[test]
fn list_warnings_name_their_thread() {
    let o = cpuflame(&["--list", s(&sample("chrome/page-worker.trace.json"))]);
    assert!(o.status.success());
    let err = stderr(&o);
    let reorder: Vec<&str> = err
        .lines()
        .filter(|l| l.contains("out of time order"))
        .collect();
    assert_eq!(reorder.len(), 2, "{err}");
    assert!(reorder[0].contains("(CrRendererMain (pid 19363))"), "{err}");
    assert!(
        reorder[1].contains("(DedicatedWorker thread (pid 19363, tid 19399))"),
        "{err}"
    );
}

#[test]
fn a_filter_matching_nothing_says_so_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("f.svg");
    let app = sample("node/app.cpuprofile");
    for flag in ["--focus", "--include"] {
        let o = cpuflame(&[flag, "^mian ", s(&app), "-o", s(&out)]);
        assert_eq!(o.status.code(), Some(1), "{flag}");
        let err = stderr(&o);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.contains(&format!("{flag} '^mian ' matched no frame")),
            "{err}"
        );
        assert!(err.contains("closest function names are \"main\""), "{err}");
        let svg = fs::read_to_string(&out).unwrap();
        let sub = svg.split("No samples to draw").nth(1).unwrap_or("");
        assert!(
            sub.contains("no samples match"),
            "the picture says so: {svg}"
        );
        assert!(!svg.contains("idle left out"), "no 100% idle noise: {svg}");
    }
    // A pattern with nothing close gets no suggestion.
    let o = cpuflame(&["--focus", "qqqqqqqqqq", s(&app), "-o", s(&out)]);
    assert_eq!(o.status.code(), Some(1));
    assert!(!stderr(&o).contains("closest"), "{}", stderr(&o));
    // --exclude/--hide matching nothing change nothing: a warning, exit 0.
    let o = cpuflame(&["--exclude", "nomatch", s(&app), "-o", s(&out)]);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        stderr(&o).contains("--exclude 'nomatch' matched no frame"),
        "{}",
        stderr(&o)
    );
    // Filters that each match but together leave nothing.
    let o = cpuflame(&[
        "--include",
        "^main ",
        "--exclude",
        "^main ",
        s(&app),
        "-o",
        s(&out),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("no samples match --include"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_window_past_the_end_says_so() {
    let app = sample("node/app.cpuprofile");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("w.svg");
    let o = cpuflame(&["--from", "100s", s(&app), "-o", s(&out)]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("holds no samples"), "{err}");
    assert!(err.contains("the profile lasts 1.27 s"), "{err}");
    let o = cpuflame(&["--from", "1s", "--to", "100s", s(&app), "-o", s(&out)]);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        stderr(&o).contains("--to 100.00 s is past the end of the profile (1.27 s"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn no_idle_means_no_idle_note() {
    // 1 µs of idle in 2 s: "0.0% idle left out" would be noise.
    let json = common::cdp_with_end(
        &[(1, "(root)", &[2, 3]), (2, "work", &[]), (3, "(idle)", &[])],
        &[2, 3, 2],
        &[0, 1_000_000, 1],
        2_000_002,
    );
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("busy.cpuprofile");
    fs::write(&input, json).unwrap();
    let o = cpuflame(&[s(&input)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let sub = subtitle(&stdout(&o));
    assert!(sub.contains("3 samples"), "{sub}");
    assert!(!sub.contains("idle"), "{sub}");
    // Real idle is still reported.
    let o = cpuflame(&[s(&sample("chrome/page.cpuprofile"))]);
    assert!(subtitle(&stdout(&o)).contains("% idle left out"));
}

#[test]
fn subtitles_say_what_was_filtered() {
    let trace = sample("chrome/page-worker.trace.json");
    let o = cpuflame(&[
        "--include",
        "js",
        "--hide",
        "^busy",
        "--thread",
        "worker",
        "--from",
        "100ms",
        "--no-gc",
        "--width",
        "1200",
        s(&trace),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let sub = subtitle(&stdout(&o));
    for part in [
        "--include 'js' --hide '^busy'",
        "--thread \"worker\" (1 of 2 sources)",
        "window 100.0 ms – end",
    ] {
        assert!(sub.contains(part), "{part:?} in {sub}");
    }
    // The PNG carries the same subtitle (it is the SVG rasterised): check the
    // chart's SVG too, banded or not.
    let o = cpuflame(&["--chart", "--focus", "js", s(&trace)]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(subtitle(&stdout(&o)).contains("--focus 'js'"));
}
