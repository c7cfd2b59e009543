//! The npm packages (issue 13): `npm/pack.sh` packs the `cpuflame` launcher
//! and this platform's binary package; installed from those tarballs into an
//! empty project (offline: nothing is fetched or published), `npx cpuflame`
//! draws a sample, passes exit codes, standard input and output through, and
//! `npm install -g` gives a working `cpuflame` command. The packages are made
//! from the test's own build (`CPUFLAME_BINARY`) so the test needs no
//! release build; `npm/pack.sh` without it builds the release binary.

mod common;

use std::fs;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use common::{root, s, sample};

fn have_npm() -> bool {
    let ok = Command::new("npm").arg("--version").output().is_ok();
    if !ok {
        assert!(std::env::var_os("CI").is_none(), "npm is missing on CI");
        eprintln!("skipping: npm not found");
    }
    ok
}

fn run(cmd: &mut Command) -> Output {
    let o = cmd.output().expect("runs");
    assert!(
        o.status.success(),
        "{cmd:?}: {}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

/// `npm install --offline` of every tarball in `tarballs` into `dir`.
fn npm_install(dir: &Path, tarballs: &[String], global_prefix: Option<&Path>) {
    let mut cmd = Command::new("npm");
    cmd.current_dir(dir)
        .args([
            "install",
            "--offline",
            "--no-audit",
            "--no-fund",
            "--loglevel=error",
        ])
        // A private cache: nothing from the machine's, nothing left behind.
        .env("npm_config_cache", dir.join(".npm-cache"))
        .env("npm_config_update_notifier", "false");
    if let Some(prefix) = global_prefix {
        cmd.args(["--global", "--prefix", s(prefix)]);
    }
    run(cmd.args(tarballs));
}

#[test]
fn npx_cpuflame_from_the_packed_tarballs_draws_a_flame_graph() {
    if !have_npm() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("tarballs");
    run(Command::new("bash")
        .arg(root().join("npm/pack.sh"))
        .arg(&out)
        .env("CPUFLAME_BINARY", env!("CARGO_BIN_EXE_cpuflame")));
    let version = env!("CARGO_PKG_VERSION");
    let mut names: Vec<String> = fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let host = match std::env::consts::ARCH {
        "x86_64" => "linux-x64",
        "aarch64" => "linux-arm64",
        other => panic!("no npm package for {other}"),
    };
    assert_eq!(
        names,
        [
            format!("cpuflame-{version}.tgz"),
            format!("cpuflame-{host}-{version}.tgz")
        ],
        "the launcher and this platform's package"
    );
    let tarballs: Vec<String> = names
        .iter()
        .map(|n| out.join(n).to_string_lossy().into_owned())
        .collect();

    // An empty project, as a JavaScript developer has.
    let project = tmp.path().join("project");
    fs::create_dir(&project).unwrap();
    fs::write(
        project.join("package.json"),
        r#"{"name":"try-cpuflame","private":true}"#,
    )
    .unwrap();
    npm_install(&project, &tarballs, None);
    let npx = |args: &[&str]| {
        Command::new("npx")
            .current_dir(&project)
            .arg("--offline")
            .arg("cpuflame")
            .args(args)
            .env("npm_config_cache", project.join(".npm-cache"))
            .output()
            .expect("runs npx")
    };
    let o = npx(&[s(&sample("node/app.cpuprofile"))]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let svg = String::from_utf8(o.stdout).unwrap();
    assert!(svg.starts_with("<?xml"), "an SVG");
    assert!(
        svg.contains("<title>main (app.js:35:14) (1,021,349 µs"),
        "the sample's frames"
    );
    assert!(svg.contains(">Flame graph: app.cpuprofile</text>"));
    // Exit codes and messages come through the launcher.
    let o = npx(&["/nonexistent.cpuprofile"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("/nonexistent.cpuprofile: cannot read"));
    let o = npx(&["--weight", "bogus", "x"]);
    assert_eq!(o.status.code(), Some(2));
    // Standard input too: `curl … | npx cpuflame -f folded`.
    let mut child = Command::new("npx")
        .current_dir(&project)
        .args(["--offline", "cpuflame", "-f", "folded"])
        .env("npm_config_cache", project.join(".npm-cache"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(
        &mut child.stdin.take().unwrap(),
        &fs::read(sample("node/app.cpuprofile")).unwrap(),
    )
    .unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success());
    assert_eq!(
        common::folded_total(&String::from_utf8(o.stdout).unwrap()),
        1_116_286
    );

    // `npm install -g` from the same tarballs puts `cpuflame` on the PATH.
    let prefix = tmp.path().join("global");
    npm_install(tmp.path(), &tarballs, Some(&prefix));
    let o = Command::new(prefix.join("bin/cpuflame"))
        .arg("--version")
        .output()
        .unwrap();
    assert!(o.status.success());
    assert_eq!(
        String::from_utf8(o.stdout).unwrap().trim(),
        format!("cpuflame {version}")
    );
}

#[test]
fn every_platform_package_is_described() {
    // linux-x64 and linux-arm64 are packed where they are built; darwin and
    // win32 are described for the release machines that build them.
    let launcher: serde_json::Value =
        serde_json::from_slice(&fs::read(root().join("npm/cpuflame/package.json")).unwrap())
            .unwrap();
    let optional = launcher["optionalDependencies"].as_object().unwrap();
    for (platform, os, cpu) in [
        ("linux-x64", "linux", "x64"),
        ("linux-arm64", "linux", "arm64"),
        ("darwin-x64", "darwin", "x64"),
        ("darwin-arm64", "darwin", "arm64"),
        ("win32-x64", "win32", "x64"),
    ] {
        let name = format!("@cpuflame/{platform}");
        assert_eq!(optional[&name], launcher["version"], "{name}");
        let pkg: serde_json::Value = serde_json::from_slice(
            &fs::read(root().join(format!("npm/platforms/{platform}/package.json"))).unwrap(),
        )
        .unwrap();
        assert_eq!(pkg["name"], name.as_str());
        assert_eq!(pkg["os"], serde_json::json!([os]));
        assert_eq!(pkg["cpu"], serde_json::json!([cpu]));
        assert_eq!(pkg["version"], launcher["version"]);
    }
    assert_eq!(launcher["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(launcher["bin"]["cpuflame"], "bin/cpuflame.js");
}
