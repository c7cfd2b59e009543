//! `cpuflame record -- node …` against the real Node on this machine: three
//! threads on one clock, names from the workload, the exit code, standard
//! input and output passed through, and Ctrl-C still drawing.

#[path = "capture/helpers.rs"]
mod helpers;

use std::io::{BufRead, BufReader, Read, Write};
use std::path::PathBuf;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

fn workload(name: &str) -> String {
    helpers::fixture(&format!("node/{name}"))
}

use helpers::{cpuflame, finish, folded, run};

#[test]
fn record_node_with_two_workers() {
    let dir = tempfile::tempdir().unwrap();
    let save = dir.path().join("saved");
    let out = dir.path().join("out.folded");
    let o = run(
        &[
            "record",
            "-o",
            out.to_str().unwrap(),
            "--save",
            save.to_str().unwrap(),
            "--",
            "node",
            &workload("workers.js"),
            "3",
        ],
        60,
    );
    let stderr = String::from_utf8_lossy(&o.stderr);
    // The child's exit code passes through; its output too, without the inspector's chatter.
    assert_eq!(o.status.code(), Some(3), "stderr: {stderr}");
    assert!(String::from_utf8_lossy(&o.stdout).contains("workers done alpha:true beta:true"));
    assert!(!stderr.contains("Debugger listening"), "stderr: {stderr}");
    let lines = folded(&std::fs::read_to_string(&out).unwrap());
    let mut sources: Vec<String> = lines.iter().map(|l| l.0.clone()).collect();
    sources.sort();
    sources.dedup();
    assert_eq!(sources.len(), 3, "{sources:?}");
    let weight_of = |source_part: &str, func: &str| -> f64 {
        lines
            .iter()
            .filter(|(s, st, _)| s.contains(source_part) && st.contains(func))
            .map(|l| l.2)
            .sum()
    };
    assert!(sources[0].ends_with(" main"), "{sources:?}");
    assert!(weight_of(" main", "mainPrimeSieve") > 100_000.0); // µs: most of 400 ms
    assert!(weight_of(" main", "workerAlphaHash") == 0.0);
    let alpha = sources
        .iter()
        .find(|s| weight_of(s, "workerAlphaHash") > 50_000.0)
        .expect("a worker ran workerAlphaHash");
    let beta = sources
        .iter()
        .find(|s| weight_of(s, "workerBetaMatrix") > 50_000.0)
        .expect("a worker ran workerBetaMatrix");
    assert!(alpha.contains("worker") && beta.contains("worker") && alpha != beta);

    // The saved files: Node's names, one clock, workers starting after main.
    let mut warnings = cpuflame::model::Warnings::new();
    let mut saved: Vec<PathBuf> = std::fs::read_dir(&save)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    saved.sort();
    let profiles: Vec<_> = saved
        .iter()
        .filter(|p| p.extension().is_some_and(|x| x == "cpuprofile"))
        .flat_map(|p| cpuflame::import::import_path(p, &mut warnings).unwrap())
        .collect();
    assert_eq!(profiles.len(), 3);
    assert_eq!(profiles[0].source.tid, Some(0));
    let first =
        |p: &cpuflame::model::Profile| p.timestamps.iter().cloned().fold(f64::MAX, f64::min);
    for w in &profiles[1..] {
        assert_eq!(w.source.clock, profiles[0].source.clock);
        // Workers start after the main thread's 150 ms of work.
        assert!(
            first(w) > first(&profiles[0]) + 100_000.0,
            "worker at {} main at {}",
            first(w),
            first(&profiles[0])
        );
    }
    // The sidecars hold the scripts the runtime reported.
    let main_sidecar = saved
        .iter()
        .find(|p| p.to_string_lossy().ends_with(".0.001.scripts.json"))
        .expect("main thread sidecar");
    let sidecar: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(main_sidecar).unwrap()).unwrap();
    assert!(sidecar["scripts"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["url"]
            .as_str()
            .unwrap_or("")
            .ends_with("/tests/capture/node/workers.js")));

    // The banded chart puts them on one clock, workers offset.
    let svg = run(&["--chart", "-f", "svg", save.to_str().unwrap()], 30);
    let svg = String::from_utf8_lossy(&svg.stdout);
    assert!(
        svg.contains("one band per source on one shared clock"),
        "no shared clock in the chart"
    );
}

#[test]
fn record_passes_stdin_through() {
    let mut child = cpuflame()
        .args(["record", "-f", "folded", "-o", "/dev/null", "--", "node", "-e"])
        .arg("let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{console.log('got',s.trim().toUpperCase());process.exit(7)})")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"hello capture\n")
        .unwrap();
    let o = finish(child, 30);
    assert_eq!(
        o.status.code(),
        Some(7),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&o.stdout), "got HELLO CAPTURE\n");
}

/// Start `record` on the endless workload, wait for it to run, return it.
fn start_forever(
    extra: &[&str],
    out: &std::path::Path,
) -> (Child, BufReader<std::process::ChildStdout>) {
    let mut child = cpuflame()
        .args(["record", "-o", out.to_str().unwrap()])
        .args(extra)
        .args(["--", "node", &workload("forever.js")])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    assert_eq!(line, "started\n");
    (child, stdout)
}

#[test]
fn sigint_stops_the_program_and_still_draws() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.folded");
    let save = dir.path().join("saved");
    let (child, mut stdout) = start_forever(&["--save", save.to_str().unwrap()], &out);
    std::thread::sleep(Duration::from_millis(1500));
    let pid = child.id() as i32;
    // SAFETY: signalling the child we started.
    unsafe {
        libc::kill(pid, libc::SIGINT);
    }
    let o = finish(child, 30);
    let mut rest = String::new();
    let _ = stdout.read_to_string(&mut rest);
    // node dies of the SIGINT cpuflame passes on: 128 + 2, as a shell reports it.
    assert_eq!(
        o.status.code(),
        Some(130),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let lines = folded(&std::fs::read_to_string(&out).unwrap());
    let busy: f64 = lines
        .iter()
        .filter(|l| l.1.contains("foreverBusyLoop"))
        .map(|l| l.2)
        .sum();
    assert!(busy > 200_000.0, "only {busy} µs of foreverBusyLoop");
    // Saved too, with the script's inline source map URL in the sidecar.
    let sidecar = std::fs::read_dir(&save)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with(".scripts.json"))
        .expect("a sidecar");
    let scripts: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(sidecar).unwrap()).unwrap();
    let forever = scripts["scripts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["url"].as_str().unwrap().ends_with("/forever.js"))
        .expect("forever.js among the scripts");
    assert!(forever["sourceMapURL"]
        .as_str()
        .unwrap()
        .starts_with("data:application/json;base64,"));
    assert!(!forever["hash"].as_str().unwrap().is_empty());
}

#[test]
fn duration_stops_the_recording() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.folded");
    let started = Instant::now();
    let (child, _stdout) = start_forever(&["--duration", "1s"], &out);
    let o = finish(child, 30);
    assert_eq!(
        o.status.code(),
        Some(130),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(started.elapsed() < Duration::from_secs(20));
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.contains("foreverBusyLoop"));
}

#[test]
fn record_says_what_it_could_not_profile() {
    // A command that starts no node process: nothing to draw, said so.
    let o = run(&["record", "--", "sh", "-c", "exit 3"], 20);
    assert_eq!(o.status.code(), Some(1));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(e.contains("no node process was profiled"), "{e}");
    let o = run(&["record", "--", "/nonexistent/program"], 20);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("cannot start it"));
    let o = run(&["record", "--", "node", "/nonexistent/app.js"], 20);
    assert_eq!(o.status.code(), Some(1));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(e.contains("Cannot find module"), "{e}");
}

#[test]
fn record_follows_the_node_processes_a_command_starts() {
    // A shell that runs two node programs, one after the other, then fails.
    let script = format!(
        "node {} 0 && node -e 'function secondProgramLoop(){{let s=0;for(let i=0;i<3e7;i++)s+=i%7;return s}} secondProgramLoop()'; exit 6",
        workload("workers.js")
    );
    let o = run(&["record", "-f", "folded", "--", "sh", "-c", &script], 60);
    assert_eq!(
        o.status.code(),
        Some(6),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let text = String::from_utf8_lossy(&o.stdout);
    let lines = folded(&text);
    let mut sources: Vec<String> = lines.iter().map(|l| l.0.clone()).collect();
    sources.sort();
    sources.dedup();
    // The first program's three threads and the second program: four sources, two pids.
    assert_eq!(sources.len(), 4, "{sources:?}");
    let pids: std::collections::BTreeSet<&str> = sources
        .iter()
        .map(|s| s.split_whitespace().nth(2).unwrap())
        .collect();
    assert_eq!(pids.len(), 2, "{sources:?}");
    let second = lines
        .iter()
        .find(|l| l.1.contains("secondProgramLoop"))
        .expect("the second program was profiled");
    assert!(!lines
        .iter()
        .any(|l| l.0 == second.0 && l.1.contains("mainPrimeSieve")));
}
