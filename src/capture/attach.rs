//! `cpuflame attach TARGET`: profile a runtime that is already running,
//! for `--duration`, then draw it. TARGET is a PID (Node or Deno: the
//! inspector is opened with SIGUSR1 and closed again), an inspector's
//! `HOST:PORT`, a `ws://` debugger URL, or an `http://` URL serving a
//! profile (an application's own on-demand endpoint).

use std::time::{Duration, Instant};

use serde_json::Value;

use super::address::{parse_target, Endpoint, Target};
use super::cdp::Cdp;
use super::session::Session;
use super::{bun, fail, http, node, CaptureOptions, Captured};
use crate::error::{Error, Result};
use crate::import::{self, source, ImportContext};
use crate::model::{SourceInfo, Warnings};

/// What `attach` produced: profiles to draw, or the `--list` text.
pub enum Attached {
    /// A capture, and a name for the title.
    Captured(Captured, String),
    /// `attach --list`: the targets, one line each.
    Listed(String),
}

/// The default `--duration` of `attach`.
pub const DEFAULT_DURATION: Duration = Duration::from_secs(10);

/// Attach to `target` and profile it.
pub fn attach(target: &str, opts: &CaptureOptions) -> Result<Attached> {
    match parse_target(target)? {
        Target::Pid(pid) => attach_pid(pid, opts),
        Target::Inspector { host, port } => {
            let endpoint = Endpoint::new(&host, port, opts.remote)?;
            let targets = list(&endpoint, opts)?;
            if opts.list_targets {
                return Ok(Attached::Listed(table(&targets)));
            }
            let t = pick(&targets, opts.target.as_deref(), &endpoint)?;
            let (path, base) = t;
            profile_ws(&endpoint, &path, &base, None, false, opts)
        }
        Target::WebSocket { host, port, path } => {
            if opts.list_targets {
                return Err(Error::Usage(
                    "--list lists the targets of an inspector's HOST:PORT, not of a ws:// URL"
                        .into(),
                ));
            }
            let endpoint = Endpoint::new(&host, port, opts.remote)?;
            let base = format!("{}{path}", endpoint.authority());
            profile_ws(&endpoint, &path, &base, None, false, opts)
        }
        Target::ProfileUrl { host, port, path } => {
            let endpoint = Endpoint::new(&host, port, opts.remote)?;
            fetch_profile(&endpoint, &path, opts)
        }
    }
}

fn attach_pid(pid: u32, opts: &CaptureOptions) -> Result<Attached> {
    let name = format!("pid {pid}");
    let exe = node::executable(pid)?;
    if exe == "bun" {
        return Err(fail(&name, bun::REFUSAL));
    }
    if !node::is_inspectable(&exe) {
        return Err(fail(
            &name,
            format!("it runs {exe:?}, not node or deno: cpuflame will not send it SIGUSR1 (which ends most programs); attach to the node process itself (see `pgrep -a node`)"),
        ));
    }
    let (host, port) = node::inspect_address(pid);
    // SIGUSR1 opens the inspector where the process was told to: refuse to
    // open one reachable from other machines unless the user said so.
    if let Some(host) = host.as_deref().filter(|h| !node::is_loopback_host(h)) {
        if !opts.remote {
            return Err(fail(
                &name,
                format!("its inspector would listen on {host}:{port} (its --inspect-port or --inspect), reachable from other machines: an inspector port gives code execution; pass --remote if that is intended, or restart it with --inspect-port=127.0.0.1:{port}"),
            ));
        }
    }
    let endpoint = Endpoint::new("127.0.0.1", port, false)?;
    // From the signal on, Ctrl-C must not end cpuflame before the inspector
    // it opened is closed again: interrupts stop the capture instead.
    let _interrupts = super::stop::Guard::new();
    let opened = !node::port_open(port);
    if opened {
        node::signal_inspector(pid)?;
    }
    let outcome = (|| {
        if opened {
            node::wait_inspector(pid, port, opts.timeout)?;
        }
        // The port may be another process's inspector.
        if !node::listens_on(pid, port) {
            return Err(fail(
                &name,
                format!("127.0.0.1:{port} is held by another process, not by this one's inspector"),
            ));
        }
        let targets = list(&endpoint, opts)?;
        if opts.list_targets {
            return Ok(Attached::Listed(table(&targets)));
        }
        let path = ws_path(&targets[0], &endpoint)?;
        profile_ws(
            &endpoint,
            &path,
            &format!("{exe} pid {pid}"),
            Some(pid.into()),
            opened,
            opts,
        )
    })();
    if opened {
        // Whatever happened, the inspector we opened must not stay open;
        // when the capture failed too, its error is the one to show.
        let closed = wait_closed(pid, port, opts);
        return match (outcome, closed) {
            (Err(e), _) => Err(e),
            (Ok(_), Err(e)) => Err(e),
            (ok, Ok(())) => ok,
        };
    }
    outcome
}

/// After `process._debugEnd()`, the port closes; check it did.
fn wait_closed(pid: u32, port: u16, opts: &CaptureOptions) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(3);
    // The process's own listening socket, not whoever holds the port next.
    let open = || node::listens_on(pid, port);
    while Instant::now() < deadline {
        if !open() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    // Still open (the profile failed before we could close it): close it now.
    if let Ok(mut cdp) = connect_first(port, opts) {
        let _ = cdp.try_call(
            &super::cdp::Route::Main,
            "Runtime.evaluate",
            serde_json::json!({"expression": "process._debugEnd()"}),
        );
        cdp.close();
    }
    std::thread::sleep(Duration::from_millis(300));
    if open() {
        return Err(fail(
            &format!("pid {pid}"),
            format!("the inspector cpuflame opened on 127.0.0.1:{port} is still open: restart the process to close it"),
        ));
    }
    Ok(())
}

fn connect_first(port: u16, opts: &CaptureOptions) -> Result<Cdp> {
    let endpoint = Endpoint::new("127.0.0.1", port, false)?;
    let targets = list(&endpoint, opts)?;
    Cdp::connect(&endpoint, &ws_path(&targets[0], &endpoint)?, opts.timeout)
}

/// Profile the target at `path` on `endpoint` for the duration.
fn profile_ws(
    endpoint: &Endpoint,
    path: &str,
    base: &str,
    pid: Option<u64>,
    close_inspector: bool,
    opts: &CaptureOptions,
) -> Result<Attached> {
    let guard = super::stop::Guard::new();
    let mut cdp = Cdp::connect(endpoint, path, opts.timeout)?;
    cdp.reply = opts.timeout;
    let mut session = Session::start(cdp, opts.interval_us, false, opts.progress)?;
    let until = Instant::now() + opts.duration.unwrap_or(DEFAULT_DURATION);
    let end = session.run(Some(until), None);
    let (threads, warnings) = session.finish(close_inspector);
    drop(guard);
    if let Err(e) = end {
        let got: usize = threads.iter().filter(|t| t.profile.is_some()).count();
        if got == 0 {
            return Err(e);
        }
    }
    let captured = super::to_profiles(threads, base, pid, opts.save.as_deref(), warnings)?;
    Ok(Attached::Captured(captured, base.to_string()))
}

/// `GET /json/list` of an inspector.
fn list(endpoint: &Endpoint, opts: &CaptureOptions) -> Result<Vec<Value>> {
    let name = endpoint.authority();
    let r = http::get(endpoint, "/json/list", opts.timeout, 16 << 20)?;
    if r.status != 200 {
        let bun_hint = if r.status == 404 {
            " (Bun's inspector has none: use `cpuflame record -- bun ...`)"
        } else {
            ""
        };
        return Err(fail(
            &name,
            format!(
                "not a DevTools inspector: GET /json/list answered HTTP {}{bun_hint}",
                r.status
            ),
        ));
    }
    let v: Value = serde_json::from_slice(&r.body).map_err(|_| {
        fail(
            &name,
            "not a DevTools inspector: /json/list is not a JSON list of targets",
        )
    })?;
    let list = v.as_array().cloned().ok_or_else(|| {
        fail(
            &name,
            "not a DevTools inspector: /json/list is not a JSON list of targets",
        )
    })?;
    if list.is_empty() {
        return Err(fail(&name, "the inspector lists no targets"));
    }
    Ok(list)
}

fn text(v: &Value, k: &str) -> String {
    v.get(k)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

fn titles(targets: &[Value]) -> String {
    targets
        .iter()
        .map(|t| format!("{:?}", text(t, "title")))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The websocket path of a target, which must be on the endpoint we checked.
fn ws_path(t: &Value, endpoint: &Endpoint) -> Result<String> {
    let url = text(t, "webSocketDebuggerUrl");
    let (_, _, path) = super::record::split_ws(&url).ok_or_else(|| {
        fail(
            &endpoint.authority(),
            format!(
                "target {:?} has no usable webSocketDebuggerUrl (another client attached?)",
                text(t, "title")
            ),
        )
    })?;
    // Connect to the address the user allowed, whatever host the list names.
    Ok(path)
}

/// Targets a profile is taken of directly: pages and runtimes (Node, Deno,
/// workerd say `node`); workers come through their page, and a browser's
/// own UI pages (`browser_ui`), iframes and service workers are left out
/// unless `--target` names them.
fn is_primary(t: &Value) -> bool {
    matches!(
        text(t, "type").as_str(),
        "page" | "node" | "other" | "webview"
    )
}

fn pick(targets: &[Value], pattern: Option<&str>, endpoint: &Endpoint) -> Result<(String, String)> {
    let chosen: Vec<&Value> = match pattern {
        Some(p) => {
            let p = p.to_lowercase();
            targets
                .iter()
                .filter(|t| {
                    ["id", "title", "url", "type"]
                        .iter()
                        .any(|k| text(t, k).to_lowercase().contains(&p))
                })
                .collect()
        }
        None => targets.iter().filter(|t| is_primary(t)).collect(),
    };
    match chosen.as_slice() {
        [one] => {
            let title = text(one, "title");
            let base = if title.is_empty() { text(one, "url") } else { title };
            Ok((ws_path(one, endpoint)?, base))
        }
        [] => Err(fail(
            &endpoint.authority(),
            format!("no target matches{}; the targets are: {}", pattern.map(|p| format!(" --target {p:?}")).unwrap_or_default(), titles(targets)),
        )),
        many => Err(fail(
            &endpoint.authority(),
            format!(
                "{} targets: pick one with --target PATTERN (a part of its title, url or id; see `cpuflame attach {} --list`): {}",
                many.len(),
                endpoint.authority(),
                many.iter().map(|t| format!("{:?}", text(t, "title"))).collect::<Vec<_>>().join(", ")
            ),
        )),
    }
}

/// `attach --list`: type, title, url, websocket path.
fn table(targets: &[Value]) -> String {
    let mut out = String::from("type\ttitle\turl\twebSocketDebuggerUrl\n");
    for t in targets {
        out.push_str(&format!(
            "{}\t{}\t{}\t{}\n",
            text(t, "type"),
            text(t, "title"),
            text(t, "url"),
            text(t, "webSocketDebuggerUrl")
        ));
    }
    out
}

/// An application's profile endpoint: fetched, then imported like a file.
fn fetch_profile(endpoint: &Endpoint, path: &str, opts: &CaptureOptions) -> Result<Attached> {
    let name = format!("http://{}{path}", endpoint.authority());
    // The endpoint profiles for as long as it was asked to before answering.
    let wait = opts.timeout + opts.duration.unwrap_or(Duration::from_secs(120));
    let r = http::get(endpoint, path, wait, 1 << 30)?;
    if r.status != 200 {
        return Err(fail(&name, format!("answered HTTP {}", r.status)));
    }
    let body = if source::is_gzip(&r.body) {
        source::gunzip(&r.body, &name)?
    } else {
        r.body
    };
    if let Some(dir) = &opts.save {
        let v: Value =
            serde_json::from_slice(&body).map_err(|e| fail(&name, format!("not JSON: {e}")))?;
        super::save::write(dir, 0, 0, 1, &v, &[])?;
    }
    let src = SourceInfo {
        name: name.clone(),
        file: name.clone(),
        ..SourceInfo::default()
    };
    let mut ctx = ImportContext {
        input: name.clone(),
        warnings: Warnings::new(),
    };
    let profiles = import::import_bytes(&body, src, &mut ctx)?;
    Ok(Attached::Captured(
        Captured {
            profiles,
            warnings: ctx.warnings,
        },
        name,
    ))
}
