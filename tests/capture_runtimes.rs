//! Live capture of the other runtimes, each started here on 127.0.0.1 with a
//! small workload of ours: Deno (attach, record), workerd (attach, the
//! pbkdf2 worker under a request loop), headless Chromium (a page and its
//! dedicated worker: two bands), Bun (record; attach refused with advice).
//! Deno, workerd and Bun come from npm (tests/capture/package.json, installed
//! by .ci/run); on CI a missing runtime is a failure, not a skip.

#[path = "capture/helpers.rs"]
mod helpers;

use std::path::PathBuf;
use std::process::Command;

use helpers::*;

/// A runtime binary, or `None` (a skip) off CI; on CI its absence fails the test.
fn runtime(rel: &str) -> Option<PathBuf> {
    let p = if rel.starts_with('/') {
        PathBuf::from(rel)
    } else {
        PathBuf::from(fixture("node_modules")).join(rel)
    };
    if p.is_file() {
        return Some(p);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{} is missing on CI (npm ci in tests/capture, apt-get install chromium)",
        p.display()
    );
    eprintln!(
        "skipping: {} not installed (cd tests/capture && npm ci)",
        p.display()
    );
    None
}

fn deno_env(cmd: &mut Command, dir: &std::path::Path) {
    cmd.env("DENO_DIR", dir).env("DENO_NO_UPDATE_CHECK", "1");
}

#[test]
fn deno_attach_by_address_and_record() {
    let Some(deno) = runtime("@deno/linux-x64-glibc/deno") else {
        return;
    };
    let cache = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut cmd = Command::new(&deno);
    deno_env(&mut cmd, cache.path());
    cmd.args([
        "run",
        &format!("--inspect=127.0.0.1:{port}"),
        &fixture("deno/busy.ts"),
    ]);
    let (_deno, ()) = start_until(cmd, |l| (l == "deno ready").then_some(()));
    let text = attach_folded(&format!("127.0.0.1:{port}"), &[]);
    assert!(weight(&text, "denoBusyFibonacci") > 0.0, "{text}");

    // By PID: SIGUSR1 opens Deno's inspector on 127.0.0.1:9229; it is closed afterwards.
    if port_open(9229) {
        eprintln!("skipping deno attach by PID: 127.0.0.1:9229 is taken");
    } else {
        let mut cmd = Command::new(&deno);
        deno_env(&mut cmd, cache.path());
        cmd.args(["run", &fixture("deno/busy.ts")]);
        let (plain, ()) = start_until(cmd, |l| (l == "deno ready").then_some(()));
        // Too early, SIGUSR1 would end it: cpuflame refuses until Deno handles the signal.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while !sigusr1_caught(plain.pid()) {
            assert!(
                std::time::Instant::now() < deadline,
                "deno never handled SIGUSR1"
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        let text = attach_folded(&plain.pid().to_string(), &[]);
        assert!(weight(&text, "denoBusyFibonacci") > 0.0, "{text}");
        assert!(!port_open(9229), "deno's inspector stayed open");
    }

    let mut rec = cpuflame();
    deno_env(&mut rec, cache.path());
    rec.args([
        "record",
        "-f",
        "folded",
        "--",
        deno.to_str().unwrap(),
        "run",
        &fixture("deno/short.ts"),
    ]);
    let o = finish(
        rec.stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap(),
        60,
    );
    assert_eq!(o.status.code(), Some(4), "{}", err(&o));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("deno done true"));
    assert!(weight(&text, "denoShortWork") > 100_000.0);
    assert!(!err(&o).contains("Debugger session"), "{}", err(&o));
}

#[test]
fn workerd_attach_under_requests() {
    let Some(workerd) = runtime("@cloudflare/workerd-linux-64/bin/workerd") else {
        return;
    };
    let (inspector, http) = (free_port(), free_port());
    let config = common_sample("workerd/workload/config.capnp");
    let server = Proc(
        Command::new(&workerd)
            .args([
                "serve",
                &config,
                &format!("--inspector-addr=127.0.0.1:{inspector}"),
            ])
            .args(["--socket-addr", &format!("http=127.0.0.1:{http}")])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap(),
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !(port_open(inspector) && port_open(http)) {
        assert!(
            std::time::Instant::now() < deadline,
            "workerd did not start"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let _loads = [load_path(http, "/pbkdf2"), load_path(http, "/primes")];
    let text = attach_folded(&format!("127.0.0.1:{inspector}"), &[]);
    assert!(weight(&text, "countPrimes") > 0.0, "{text}");
    assert!(weight(&text, "pbkdf2Derive") > 0.0, "{text}");
    drop(server);
}

#[test]
fn chromium_page_and_dedicated_worker_two_bands() {
    let Some(chromium) = runtime("/usr/bin/chromium") else {
        return;
    };
    let mut serve = Command::new("node");
    serve.arg(fixture("chromium/serve.js"));
    let (_site, site) = start_until(serve, |l| {
        l.strip_prefix("listening ")?.trim().parse::<u16>().ok()
    });
    let profile_dir = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(chromium);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--remote-debugging-address=127.0.0.1",
        "--remote-debugging-port=0",
    ])
    .arg(format!("--user-data-dir={}", profile_dir.path().display()))
    .arg(format!("http://127.0.0.1:{site}/page.html"));
    let (_browser, port) = start_until(cmd, |l| {
        let rest = l.split("DevTools listening on ws://127.0.0.1:").nth(1)?;
        rest.split('/').next()?.parse::<u16>().ok()
    });
    // Wait until the page's worker runs.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let o = run(&["attach", &format!("127.0.0.1:{port}"), "--list"], 20);
        if String::from_utf8_lossy(&o.stdout)
            .lines()
            .any(|l| l.starts_with("worker\t"))
        {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no worker target: {}",
            err(&o)
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    let dir = tempfile::tempdir().unwrap();
    let save = dir.path().join("saved");
    let text = attach_folded(
        &format!("127.0.0.1:{port}"),
        &["--save", save.to_str().unwrap()],
    );
    let lines = folded(&text);
    let main: f64 = lines
        .iter()
        .filter(|l| l.0.ends_with(" main") && l.1.contains("pageMainThreadBusy"))
        .map(|l| l.2)
        .sum();
    let worker: f64 = lines
        .iter()
        .filter(|l| l.0.contains(" worker ") && l.1.contains("dedicatedWorkerBusy"))
        .map(|l| l.2)
        .sum();
    assert!(main > 0.0 && worker > 0.0, "main {main} worker {worker}");
    // Drawn as a chart: two bands on the page's clock.
    let chart = run(
        &[
            "attach",
            &format!("127.0.0.1:{port}"),
            "--duration",
            "1s",
            "--chart",
            "-f",
            "svg",
        ],
        60,
    );
    let svg = String::from_utf8_lossy(&chart.stdout);
    assert!(
        svg.contains("2 sources") && svg.contains("one band per source on one shared clock"),
        "{}",
        err(&chart)
    );
    assert_eq!(
        std::fs::read_dir(&save).unwrap().count(),
        4,
        "two profiles, two sidecars"
    );
}

#[test]
fn bun_record_and_attach_refused() {
    let Some(bun) = runtime("@oven/bun-linux-x64/bin/bun") else {
        return;
    };
    let o = run(
        &[
            "record",
            "-f",
            "folded",
            "--",
            bun.to_str().unwrap(),
            &fixture("bun/app.js"),
        ],
        60,
    );
    assert_eq!(o.status.code(), Some(5), "{}", err(&o));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("bun done true"));
    assert!(weight(&text, "bunBusyStrings") > 200_000.0, "{text}");

    let port = free_port();
    let mut cmd = Command::new(&bun);
    cmd.arg(format!("--inspect=127.0.0.1:{port}/dbg"))
        .arg(fixture("bun/app.js"))
        .arg("serve");
    let (server, ()) = start_until(cmd, |l| (l == "bun done true").then_some(()));
    for target in [
        format!("ws://127.0.0.1:{port}/dbg"),
        server.pid().to_string(),
    ] {
        let o = run(&["attach", &target, "--duration", "1s"], 30);
        assert_eq!(o.status.code(), Some(1));
        assert!(err(&o).contains("cpuflame record -- bun"), "{}", err(&o));
    }
    let o = run(&["attach", &format!("127.0.0.1:{port}")], 30);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        err(&o).contains("HTTP 404") && err(&o).contains("record -- bun"),
        "{}",
        err(&o)
    );
    // Still running after our attempts.
    assert!(std::path::Path::new(&format!("/proc/{}", server.pid())).exists());
}

fn common_sample(rel: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("samples")
        .join(rel)
        .display()
        .to_string()
}

fn load_path(port: u16, path: &str) -> Proc {
    Proc(
        Command::new("node")
            .arg(fixture("node/load.js"))
            .arg(port.to_string())
            .arg(path)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap(),
    )
}

/// Whether `pid` has a SIGUSR1 handler (`SigCgt` bit 10).
fn sigusr1_caught(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("SigCgt:"))
        .and_then(|m| u64::from_str_radix(m.trim(), 16).ok())
        .is_some_and(|m| m & (1 << 9) != 0)
}

/// `cpuflame attach TARGET --duration 2s -f folded EXTRA…`, which must
/// succeed: its folded text.
fn attach_folded(target: &str, extra: &[&str]) -> String {
    let mut args = vec!["attach", target, "--duration", "2s", "-f", "folded"];
    args.extend_from_slice(extra);
    let o = run(&args, 60);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    String::from_utf8_lossy(&o.stdout).into_owned()
}
