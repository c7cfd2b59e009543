//! Wrong kinds of file (issue 13): each gets one line naming what it is and
//! what to do, exit 1, instead of a parser's internals. The files are made
//! here by the tools that write them (node, go) where a tool makes them.

mod common;

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{cpuflame, s, sample};

/// A tool this test needs: missing on CI is a failure, elsewhere a skip.
fn have(tool: &str) -> bool {
    let found = Command::new(tool)
        .arg("version")
        .output()
        .or_else(|_| Command::new(tool).arg("--version").output())
        .is_ok();
    if !found {
        assert!(std::env::var_os("CI").is_none(), "{tool} is missing on CI");
        eprintln!("skipping: {tool} not found");
    }
    found
}

/// Run cpuflame on `file` and check the one-line message holds every `expected`.
fn assert_named(file: &Path, expected: &[&str]) {
    let o = cpuflame(&[s(file)]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{}: {err}", file.display());
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(err.contains(s(file)), "names the file: {err}");
    for e in expected {
        assert!(err.contains(e), "expected {e:?} in {err}");
    }
    for internal in ["invalid type", "expected struct", "invalid JSON", "RawNode"] {
        assert!(!err.contains(internal), "no parser internals: {err}");
    }
    assert!(o.stdout.is_empty());
}

/// The one file node writes into `dir` with this `ext`.
fn only_file(dir: &Path, ext: &str) -> PathBuf {
    let found: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(ext))
        .collect();
    assert_eq!(found.len(), 1, "{found:?}");
    found.into_iter().next().unwrap()
}

#[test]
fn node_heap_snapshots_heap_profiles_and_prof_logs_are_named() {
    if !have("node") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let work = "let a = []; for (let i = 0; i < 200000; i++) a.push({ i, s: 'x' + i });";
    // A heap snapshot, as --heapsnapshot-signal or DevTools' Memory panel write it.
    let snap = d.join("app.heapsnapshot");
    let st = Command::new("node")
        .arg("-e")
        .arg(format!(
            "{work} require('v8').writeHeapSnapshot({:?})",
            s(&snap)
        ))
        .status()
        .unwrap();
    assert!(st.success());
    assert_named(&snap, &["a V8 heap snapshot", "not CPU time", "--cpu-prof"]);
    // A sampling heap profile from --heap-prof.
    let heap_dir = d.join("heap");
    fs::create_dir(&heap_dir).unwrap();
    let st = Command::new("node")
        .arg("--heap-prof")
        .arg(format!("--heap-prof-dir={}", s(&heap_dir)))
        .args(["-e", work])
        .status()
        .unwrap();
    assert!(st.success());
    let heap = only_file(&heap_dir, ".heapprofile");
    assert_named(&heap, &["heap profile", "node --heap-prof", "--cpu-prof"]);
    // A --prof tick log, isolate-*.log, written in the working directory.
    let prof_dir = d.join("prof");
    fs::create_dir(&prof_dir).unwrap();
    let st = Command::new("node")
        .current_dir(&prof_dir)
        .args(["--prof", "-e", work])
        .status()
        .unwrap();
    assert!(st.success());
    let log = only_file(&prof_dir, ".log");
    assert!(log
        .file_name()
        .unwrap()
        .to_string_lossy()
        .starts_with("isolate-"));
    assert_named(&log, &["node --prof", "isolate-*.log", "node --cpu-prof"]);
}

#[test]
fn a_go_pprof_profile_is_named() {
    if !have("go") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let prog = dir.path().join("spin.go");
    fs::write(
        &prog,
        r#"package main

import (
	"os"
	"runtime/pprof"
	"time"
)

func main() {
	f, _ := os.Create(os.Args[1])
	pprof.StartCPUProfile(f)
	n, t := 0, time.Now()
	for time.Since(t) < 100*time.Millisecond {
		n++
	}
	pprof.StopCPUProfile()
	f.Close()
}
"#,
    )
    .unwrap();
    let out = dir.path().join("cpu.pprof");
    let st = Command::new("go")
        .args(["run", s(&prog), s(&out)])
        .env("GOFLAGS", "-mod=mod")
        .env("GO111MODULE", "off")
        .status()
        .unwrap();
    assert!(st.success());
    // Go writes it gzip-compressed; pprof files also travel uncompressed.
    assert_named(&out, &["a pprof profile", "go tool pprof"]);
    let raw = dir.path().join("cpu.pb");
    let mut plain = Vec::new();
    std::io::Read::read_to_end(
        &mut flate2::read::GzDecoder::new(fs::File::open(&out).unwrap()),
        &mut plain,
    )
    .unwrap();
    fs::write(&raw, plain).unwrap();
    assert_named(&raw, &["a pprof profile"]);
}

#[test]
fn an_html_error_page_is_named() {
    // What `curl -o x.cpuprofile URL` saves when the server answers with an error page.
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("profile.cpuprofile");
    fs::write(
        &page,
        "<!DOCTYPE html>\n<html>\n<head><title>502 Bad Gateway</title></head>\n\
         <body>\n<center><h1>502 Bad Gateway</h1></center>\n<hr><center>nginx</center>\n\
         </body>\n</html>\n",
    )
    .unwrap();
    assert_named(&page, &["an HTML page", "\"502 Bad Gateway\"", "curl -f"]);
    // The same through standard input, as `curl -s URL | cpuflame` feeds it.
    let o = common::cpuflame_stdin(&[], &fs::read(&page).unwrap());
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("standard input: an HTML page"));
}

#[test]
fn a_truncated_gzip_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&fs::read(sample("node/app.cpuprofile")).unwrap())
        .unwrap();
    let whole = gz.finish().unwrap();
    let cut = dir.path().join("app.cpuprofile.gz");
    fs::write(&cut, &whole[..whole.len() / 2]).unwrap();
    assert_named(&cut, &["a gzip file that ends early", "truncated", "again"]);
    // Cut inside the 8-byte trailer: the data is whole but the file is not.
    fs::write(&cut, &whole[..whole.len() - 4]).unwrap();
    assert_named(&cut, &["ends early"]);
}

#[test]
fn a_firefox_profile_is_named() {
    // The shape of Gecko's profile format (`meta`, `libs`, `threads` with
    // schema'd tables), as Firefox's profiler writes it and the Firefox
    // Profiler exports it.
    let gecko = r#"{"meta":{"version":27,"interval":1,"stackwalk":1,"startTime":1700000000000.5,
"shutdownTime":null,"processType":0,"platform":"X11","oscpu":"Linux x86_64","misc":"rv:120.0",
"abi":"x86_64-gcc3","toolkit":"gtk","product":"Firefox","appBuildID":"20231120000000",
"categories":[{"name":"JavaScript","color":"yellow","subcategories":["Other"]}]},
"libs":[],"pausedRanges":[],"processes":[],
"threads":[{"name":"GeckoMain","processType":"default","tid":4242,"pid":4242,
"samples":{"schema":{"stack":0,"time":1,"eventDelay":2},"data":[[1,0.5,0],[1,1.5,0]]},
"markers":{"schema":{"name":0,"startTime":1,"endTime":2,"phase":3,"category":4,"data":5},"data":[]},
"stackTable":{"schema":{"prefix":0,"frame":1},"data":[[null,0],[0,1]]},
"frameTable":{"schema":{"location":0,"relevantForJS":1,"innerWindowID":2,"implementation":3,"line":4,"column":5,"category":6,"subcategory":7},"data":[[0,false,0,null,null,null,0,0],[1,false,0,null,12,3,0,0]]},
"stringTable":["(root)","fib (https://example.com/app.js:12:3)"]}]}"#;
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("Firefox 2023-11-20 21.14 profile.json");
    fs::write(&f, gecko).unwrap();
    assert_named(&f, &["a Firefox (Gecko) profile", "profiler.firefox.com"]);
}
