//! Source maps with real bundlers and real profiles: the app in
//! tests/sourcemaps/app is built with esbuild (external and inline maps),
//! webpack 5, rollup + terser and tsc, each bundle is profiled with
//! `node --cpu-prof`, and every hot frame must come back with its original
//! name, file and line. Then the ways a map goes wrong.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use cpuflame::import;
use cpuflame::model::{Profile, Warnings};
use cpuflame::symbolicate::{self, Mode, SourceMapOptions, Status, Summary};

fn area() -> PathBuf {
    common::root().join("tests/sourcemaps")
}

/// The bundles and their profiles, built once per test binary; `None` (a
/// skip) only off CI when the bundlers are not installed.
fn built() -> Option<&'static Path> {
    static BUILT: OnceLock<Option<PathBuf>> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            if !area().join("node_modules/.bin/esbuild").exists() {
                assert!(
                    std::env::var_os("CI").is_none(),
                    "tests/sourcemaps/node_modules is missing on CI (npm ci in tests/sourcemaps)"
                );
                eprintln!("skipping: run npm ci in tests/sourcemaps");
                return None;
            }
            let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("sourcemaps");
            let _ = std::fs::remove_dir_all(&out);
            std::fs::create_dir_all(&out).expect("out dir");
            build_all(&out);
            Some(out)
        })
        .as_deref()
}

fn run(cmd: &mut Command) {
    let o = cmd.current_dir(area()).output().expect("starts");
    assert!(
        o.status.success(),
        "{cmd:?} failed: {}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}

fn bin(name: &str) -> PathBuf {
    area().join("node_modules/.bin").join(name)
}

fn build_all(out: &Path) {
    let o = |d: &str| out.join(d).display().to_string();
    for (dir, map) in [("esbuild", "--sourcemap"), ("inline", "--sourcemap=inline")] {
        run(Command::new(bin("esbuild")).args([
            "app/src/main.js",
            "--bundle",
            "--minify",
            map,
            "--platform=node",
            "--log-level=warning",
            &format!("--outfile={}/app.js", o(dir)),
        ]));
    }
    run(Command::new(bin("webpack")).args([
        "./app/src/main.js",
        "--mode",
        "production",
        "--devtool",
        "source-map",
        "--target",
        "node",
        "--output-path",
        &o("webpack"),
        "--output-filename",
        "app.js",
    ]));
    run(Command::new(bin("rollup"))
        .args(["-c", "rollup.config.mjs", "--silent"])
        .env("OUT", o("rollup")));
    run(Command::new(bin("tsc")).args(["-p", "app/tsconfig.json", "--outDir", &o("tsc")]));
    // tsc's entry is main.js (it requires ./work.js); its profile is app.cpuprofile too.
    for dir in ["esbuild", "inline", "webpack", "rollup", "tsc"] {
        let entry = if dir == "tsc" { "main.js" } else { "app.js" };
        run(Command::new("node").args([
            "--cpu-prof",
            "--cpu-prof-interval",
            "100",
            "--cpu-prof-dir",
            &o(dir),
            "--cpu-prof-name",
            "app.cpuprofile",
            &format!("{}/{entry}", o(dir)),
            "60",
        ]));
    }
}

fn load(path: &Path) -> Vec<Profile> {
    let mut w = Warnings::new();
    import::import_path(path, &mut w).expect("imports")
}

fn mapped(path: &Path, opts: &SourceMapOptions) -> (Vec<Profile>, Summary, Warnings) {
    let mut profiles = load(path);
    let mut w = Warnings::new();
    let s = symbolicate::apply(&mut profiles, opts, &mut w).expect("maps");
    (profiles, s, w)
}

/// The 0-based line of the first line of `file` containing `needle`.
fn line_of(file: &str, needle: &str) -> i64 {
    let text = std::fs::read_to_string(area().join("app").join(file)).expect("source");
    text.lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle} not in {file}")) as i64
}

/// Every hot function, by its original name, file and line.
fn check_originals(dir: &str, ts: bool) {
    let Some(out) = built() else { return };
    let (profiles, summary, warnings) = mapped(
        &out.join(dir).join("app.cpuprofile"),
        &SourceMapOptions::default(),
    );
    assert!(warnings.is_empty(), "{dir}: {warnings:?}");
    let (work, main) = if ts {
        ("ts/work.ts", "ts/main.ts")
    } else {
        ("src/work.js", "src/run.js")
    };
    let anon = if ts {
        // tsc writes no sourcesContent: no enclosing function to name, so the
        // runtime's empty name stays (drawn as `(anonymous)`).
        ""
    } else {
        "(anonymous in runAll)"
    };
    let expected = [
        ("sumSquares", work, line_of(work, "function sumSquares(")),
        ("hashText", work, line_of(work, "const hashText = (")),
        ("area", work, line_of(work, "  area(ms")),
        ("runAll", main, line_of(main, "function runAll(")),
        (anon, main, line_of(main, ".forEach(function (budget")),
    ];
    let frames: Vec<_> = profiles.iter().flat_map(|p| &p.frames).collect();
    for (name, file, line) in expected {
        assert!(
            frames
                .iter()
                .any(|f| f.name == name && f.url.ends_with(file) && f.line == line),
            "{dir}: no frame {name} at {file}:{}; frames:\n{}",
            line + 1,
            frames
                .iter()
                .map(|f| format!("{} {}:{}", f.name, f.url, f.line + 1))
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
    let (m, f) = summary.coverage();
    eprintln!("{dir}: coverage {m}/{f} frames of mapped scripts");
    assert!(summary
        .scripts
        .iter()
        .all(|s| matches!(s.status, Status::Mapped { .. })));
    assert!(m > 0 && m <= f);
}

#[test]
fn esbuild_external_map() {
    check_originals("esbuild", false);
    // The names come from the map: the bundle itself has minified ones.
    let Some(out) = built() else { return };
    let off = SourceMapOptions {
        mode: Mode::Off,
        ..SourceMapOptions::default()
    };
    let (profiles, summary, _) = mapped(&out.join("esbuild/app.cpuprofile"), &off);
    assert!(summary.scripts.is_empty());
    let names: Vec<&str> = profiles
        .iter()
        .flat_map(|p| &p.frames)
        .map(|f| f.name.as_str())
        .collect();
    assert!(!names.contains(&"sumSquares") && !names.contains(&"hashText"));
}

#[test]
fn esbuild_inline_map() {
    check_originals("inline", false);
}

#[test]
fn webpack_map() {
    check_originals("webpack", false);
}

#[test]
fn rollup_terser_map() {
    check_originals("rollup", false);
}

#[test]
fn tsc_map() {
    check_originals("tsc", true);
}

/// A copy of the esbuild bundle and its profile in a fresh directory, with
/// the profile's script URL pointed at the copy and `map` written as
/// `app.js.map` (or none).
fn esbuild_copy(name: &str, map: Option<&[u8]>, script_tail: Option<&str>) -> PathBuf {
    let out = built().expect("built");
    let dir = out.join("cases").join(name);
    std::fs::create_dir_all(&dir).expect("dir");
    let mut script = std::fs::read_to_string(out.join("esbuild/app.js")).expect("script");
    if let Some(tail) = script_tail {
        let cut = script.rfind("//# sourceMappingURL=").expect("comment");
        script.truncate(cut);
        script.push_str(tail);
    }
    std::fs::write(dir.join("app.js"), script).expect("write");
    if let Some(m) = map {
        std::fs::write(dir.join("app.js.map"), m).expect("write map");
    }
    let profile = std::fs::read_to_string(out.join("esbuild/app.cpuprofile")).expect("profile");
    let from = out.join("esbuild/app.js").display().to_string();
    let to = dir.join("app.js").display().to_string();
    std::fs::write(dir.join("app.cpuprofile"), profile.replace(&from, &to)).expect("write");
    dir
}

/// Folded text of a run, and its standard error; the run must succeed.
fn folded(args: &[&str]) -> (String, String) {
    let o = common::cpuflame(args);
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(o.status.success(), "{args:?}: {err}");
    (String::from_utf8_lossy(&o.stdout).into_owned(), err)
}

fn total(folded: &str) -> u64 {
    folded
        .lines()
        .filter_map(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
        .sum()
}

#[test]
fn nothing_lost_and_one_summary_line() {
    let Some(out) = built() else { return };
    let p = out.join("esbuild/app.cpuprofile");
    let p = p.to_str().expect("utf-8");
    let (on, err) = folded(&["-f", "folded", p]);
    let (off, err_off) = folded(&["-f", "folded", "--source-maps", "off", p]);
    assert_eq!(total(&on), total(&off));
    assert!(on.contains(";sumSquares ("), "{on}");
    assert!(!off.contains("sumSquares"));
    let summary: Vec<&str> = err.lines().filter(|l| l.contains("source maps:")).collect();
    assert_eq!(summary, ["cpuflame: source maps: 1 script mapped"], "{err}");
    assert!(!err_off.contains("source maps"));
    // --list names the script and its map.
    let (list, _) = folded(&["--list", p]);
    assert!(
        list.contains("app.js.map") && list.contains("app.js"),
        "{list}"
    );
}

#[test]
fn missing_map_is_reported_not_fatal() {
    if built().is_none() {
        return;
    }
    let dir = esbuild_copy("missing", None, None);
    let p = dir.join("app.cpuprofile");
    let (text, err) = folded(&["-f", "folded", p.to_str().expect("utf-8")]);
    assert!(
        err.contains("cannot read") || err.contains("No such file"),
        "{err}"
    );
    assert!(err.contains("1 refused (unreadable: app.js)"), "{err}");
    assert!(!text.contains("sumSquares"));
    // No comment and no map beside: simply without a map, and nothing said.
    let dir = esbuild_copy("none", None, Some("\n"));
    let p = dir.join("app.cpuprofile");
    let (profiles, summary, w) = mapped(&p, &SourceMapOptions::default());
    assert!(w.is_empty() && summary.line().is_none());
    assert_eq!(summary.scripts[0].status, Status::NoMap);
    assert!(profiles[0].frames.iter().all(|f| f.name != "sumSquares"));
}

#[test]
fn map_of_another_bundle_is_refused() {
    let Some(out) = built() else { return };
    let other = std::fs::read(out.join("tsc/work.js.map")).expect("map");
    let dir = esbuild_copy("other", Some(&other), None);
    let p = dir.join("app.cpuprofile");
    let p = p.to_str().expect("utf-8");
    let (text, err) = folded(&["-f", "folded", p]);
    assert!(err.contains("refused (stale: app.js)"), "{err}");
    assert!(err.contains("source map not used for app.js"), "{err}");
    assert!(!text.contains("work.ts"), "never half-applied");
    let o = common::cpuflame(&["-f", "folded", "--strict", p]);
    assert_eq!(o.status.code(), Some(1));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(e.contains("--strict") && e.contains("app.js.map"), "{e}");
    assert!(o.stdout.is_empty());
}

#[test]
fn broken_maps_are_warnings() {
    let Some(out) = built() else { return };
    let good = std::fs::read(out.join("esbuild/app.js.map")).expect("map");
    for (case, bytes) in [
        ("truncated", &good[..good.len() / 2]),
        ("notjson", &b"<html>not found</html>"[..]),
    ] {
        let dir = esbuild_copy(case, Some(bytes), None);
        let p = dir.join("app.cpuprofile");
        let (text, err) = folded(&["-f", "folded", p.to_str().expect("utf-8")]);
        assert!(err.contains("refused (invalid: app.js)"), "{case}: {err}");
        assert!(!text.contains("sumSquares"), "{case}");
    }
    // A data: URL saying base64 that is not.
    let dir = esbuild_copy(
        "badbase64",
        None,
        Some("//# sourceMappingURL=data:application/json;base64,{not*base64}\n"),
    );
    let (_, err) = folded(&[
        "-f",
        "folded",
        dir.join("app.cpuprofile").to_str().expect("utf-8"),
    ]);
    assert!(err.contains("not valid base64"), "{err}");
    assert!(err.contains("refused (unreadable: app.js)"), "{err}");
}

#[test]
fn url_encoded_data_url_maps() {
    let Some(out) = built() else { return };
    let map = std::fs::read_to_string(out.join("esbuild/app.js.map")).expect("map");
    let encoded: String = map
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    // The map's relative sources now resolve against the script.
    let dir = esbuild_copy(
        "urlencoded",
        None,
        Some(&format!(
            "//# sourceMappingURL=data:application/json;charset=utf-8,{encoded}\n"
        )),
    );
    let (profiles, summary, w) = mapped(&dir.join("app.cpuprofile"), &SourceMapOptions::default());
    assert!(w.is_empty(), "{w:?}");
    assert!(matches!(summary.scripts[0].status, Status::Mapped { .. }));
    assert!(profiles[0]
        .frames
        .iter()
        .any(|f| f.name == "sumSquares" && f.url.ends_with("work.js")));
}

#[test]
fn index_map_with_sections() {
    let Some(out) = built() else { return };
    let map = std::fs::read_to_string(out.join("esbuild/app.js.map")).expect("map");
    let index = format!(
        r#"{{"version":3,"file":"app.js","sections":[{{"offset":{{"line":0,"column":0}},"map":{map}}}]}}"#
    );
    let dir = esbuild_copy("index", Some(index.as_bytes()), None);
    let (profiles, summary, w) = mapped(&dir.join("app.cpuprofile"), &SourceMapOptions::default());
    assert!(w.is_empty(), "{w:?}");
    assert!(matches!(summary.scripts[0].status, Status::Mapped { .. }));
    assert!(profiles[0]
        .frames
        .iter()
        .any(|f| f.name == "hashText" && f.url.ends_with("work.js")));
}

#[test]
fn huge_map_with_absurd_lines_is_refused() {
    if built().is_none() {
        return;
    }
    // 100 MB: a hundred million empty lines, then one mapping.
    let mut map = String::with_capacity(100 << 20);
    map.push_str(r#"{"version":3,"sources":["a.js"],"names":[],"mappings":""#);
    map.push_str(&";".repeat(100 << 20));
    map.push_str(r#"AAAA"}"#);
    let dir = esbuild_copy("huge", Some(map.as_bytes()), None);
    drop(map);
    let (text, err) = folded(&[
        "-f",
        "folded",
        dir.join("app.cpuprofile").to_str().expect("utf-8"),
    ]);
    assert!(err.contains("refused (stale: app.js)"), "{err}");
    assert!(err.contains("reach line 104857601"), "{err}");
    assert!(!text.is_empty());
}

#[test]
fn web_urls_map_only_through_a_map_dir() {
    let Some(out) = built() else { return };
    let dir = out.join("cases/web");
    std::fs::create_dir_all(&dir).expect("dir");
    let profile = std::fs::read_to_string(out.join("esbuild/app.cpuprofile")).expect("profile");
    let url = format!("file://{}", out.join("esbuild/app.js").display());
    let web = profile.replace(&url, "https://example.invalid/static/app.js");
    assert_ne!(web, profile);
    let p = dir.join("web.cpuprofile");
    std::fs::write(&p, web).expect("write");
    let (_, summary, _) = mapped(&p, &SourceMapOptions::default());
    assert_eq!(summary.scripts[0].status, Status::NoMap);
    let with_dir = SourceMapOptions {
        dir: Some(out.join("esbuild")),
        ..SourceMapOptions::default()
    };
    let (profiles, summary, w) = mapped(&p, &with_dir);
    assert!(w.is_empty(), "{w:?}");
    assert!(matches!(summary.scripts[0].status, Status::Mapped { .. }));
    assert!(profiles[0].frames.iter().any(|f| f.name == "area"));
    // --source-map FILE: matched by the map's name without .map.
    let given = SourceMapOptions {
        maps: vec![out.join("esbuild/app.js.map")],
        ..SourceMapOptions::default()
    };
    let (profiles, _, w) = mapped(&p, &given);
    assert!(w.is_empty(), "{w:?}");
    assert!(profiles[0].frames.iter().any(|f| f.name == "sumSquares"));
}

#[test]
fn sidecar_scripts_map_a_capture_with_no_files() {
    let Some(out) = built() else { return };
    let dir = out.join("cases/live");
    std::fs::create_dir_all(&dir).expect("dir");
    // The script is gone from disk; the runtime reported its inline map.
    let profile = std::fs::read_to_string(out.join("inline/app.cpuprofile")).expect("profile");
    let url = format!("file://{}", out.join("inline/app.js").display());
    let gone = "file:///nonexistent/build/app.js";
    std::fs::write(dir.join("cap.cpuprofile"), profile.replace(&url, gone)).expect("write");
    let script = std::fs::read_to_string(out.join("inline/app.js")).expect("script");
    let data_url = script
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("//# sourceMappingURL="))
        .expect("inline map");
    let sidecar = serde_json::json!({"scripts": [
        {"scriptId": "40", "url": gone, "sourceMapURL": data_url}
    ]});
    std::fs::write(dir.join("cap.scripts.json"), sidecar.to_string()).expect("write");
    let (profiles, summary, w) = mapped(&dir.join("cap.cpuprofile"), &SourceMapOptions::default());
    assert!(w.is_empty(), "{w:?}");
    assert_eq!(profiles[0].scripts.len(), 1);
    assert!(matches!(summary.scripts[0].status, Status::Mapped { .. }));
    let frames = &profiles[0].frames;
    for (name, file) in [
        ("sumSquares", "src/work.js"),
        ("area", "src/work.js"),
        ("runAll", "src/run.js"),
    ] {
        assert!(
            frames
                .iter()
                .any(|f| f.name == name && f.url.ends_with(file)),
            "{name}: {frames:?}"
        );
    }
    // A broken sidecar is a warning, and the profile still reads.
    std::fs::write(dir.join("cap.scripts.json"), "{oops").expect("write");
    let mut w = Warnings::new();
    let p = import::import_path(&dir.join("cap.cpuprofile"), &mut w).expect("imports");
    assert!(p[0].scripts.is_empty());
    assert!(w.iter().any(|m| m.contains("cap.scripts.json")), "{w:?}");
}

#[test]
fn chrome_trace_source_rundown_maps_with_no_files() {
    // A real Chromium trace (samples/chrome/sourcemaps/record.js) of a page whose
    // bundle has an inline map: the script is a web URL, its map is read from the
    // trace's ScriptCatchup sourceText (Chrome elides inline sourceMapUrls).
    let trace = common::sample("chrome/sourcemaps/inline-map.trace.json");
    let (profiles, summary, w) = mapped(&trace, &SourceMapOptions::default());
    assert!(w.is_empty(), "{w:?}");
    assert_eq!(summary.scripts.len(), 1);
    assert!(summary.scripts[0].url.starts_with("http://127.0.0.1:"));
    assert!(matches!(summary.scripts[0].status, Status::Mapped { .. }));
    let frames: Vec<_> = profiles.iter().flat_map(|p| &p.frames).collect();
    for (name, file, needle) in [
        ("sumSquares", "src/work.js", "function sumSquares("),
        ("hashText", "src/work.js", "const hashText = ("),
        ("area", "src/work.js", "  area(ms"),
        ("runAll", "src/run.js", "function runAll("),
        (
            "(anonymous in runAll)",
            "src/run.js",
            ".forEach(function (budget",
        ),
    ] {
        let line = line_of(file, needle);
        assert!(
            frames
                .iter()
                .any(|f| f.name == name && f.url.ends_with(file) && f.line == line),
            "no {name} at {file}:{}: {frames:?}",
            line + 1
        );
    }
    let off = SourceMapOptions {
        mode: Mode::Off,
        ..SourceMapOptions::default()
    };
    let (profiles, _, _) = mapped(&trace, &off);
    assert!(profiles
        .iter()
        .flat_map(|p| &p.frames)
        .all(|f| f.name != "sumSquares"));
}
