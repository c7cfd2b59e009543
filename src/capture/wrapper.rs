//! `cpuflame record -- npm test` (or `npx …`, a shell script): a command
//! that starts node processes itself. Each is started with
//! `NODE_OPTIONS=--inspect-brk=127.0.0.1:0` (allowed there since Node 12;
//! `--cpu-prof` is refused in NODE_OPTIONS on Node 20), waits for us, and is
//! found among the command's descendants (`/proc`) by the inspector port it
//! listens on; it is profiled, workers included, as its own source
//! `node pid PID …` until it exits. The descendants are found by polling, not
//! from standard error, so a tool that swallows its children's output
//! (a test runner) does not leave them waiting for a debugger.

use std::collections::HashSet;
use std::ffi::OsString;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::address::Endpoint;
use super::cdp::Cdp;
use super::record::{code_of, stop_child, Recorded};
use super::session::{Session, Thread};
use super::{fail, http, node, stop, CaptureOptions, Captured};
use crate::error::Result;
use crate::model::Warnings;

type Capture = (u32, Result<(Vec<Thread>, Warnings)>);

/// Run `command` with every node process it starts profiled.
pub fn record(command: &[OsString], opts: &CaptureOptions, title: String) -> Result<Recorded> {
    let name = command[0].to_string_lossy().into_owned();
    let mut node_options = std::env::var("NODE_OPTIONS").unwrap_or_default();
    if !node_options.is_empty() {
        node_options.push(' ');
    }
    node_options.push_str("--inspect-brk=127.0.0.1:0");
    let mut cmd = Command::new(&command[0]);
    cmd.args(&command[1..])
        .env("NODE_OPTIONS", node_options)
        .stderr(Stdio::piped());
    let guard = stop::Guard::new();
    let mut child = super::record::spawn_own_group(&mut cmd)
        .map_err(|e| fail(&name, format!("cannot start it: {e}")))?;
    let _urls = node::pass_stderr(&mut child);
    let root = child.id();
    let done = Arc::new(AtomicBool::new(false));
    let until = opts.duration.map(|d| Instant::now() + d);
    let mut seen = HashSet::new();
    let mut captures: Vec<JoinHandle<Capture>> = Vec::new();
    let mut exited_at = None;
    let status = loop {
        for pid in node::descendants(root) {
            if seen.contains(&pid) {
                continue;
            }
            let is_node =
                node::executable(pid).is_ok_and(|e| node::program_kind(e.as_ref()) == "node");
            if !is_node {
                continue;
            }
            if let Some(port) = inspector_port(pid, opts) {
                seen.insert(pid);
                let (opts, done) = (opts.clone(), done.clone());
                captures.push(std::thread::spawn(move || {
                    (pid, capture(pid, port, &opts, &done))
                }));
            }
        }
        if let Ok(Some(s)) = child.try_wait() {
            // The command is done; its node processes (usually done too) get a moment.
            let since = *exited_at.get_or_insert_with(Instant::now);
            if captures.iter().all(|c| c.is_finished()) || since.elapsed() > Duration::from_secs(5)
            {
                break s;
            }
        } else if stop::requested() || until.is_some_and(|u| Instant::now() >= u) {
            done.store(true, Ordering::SeqCst);
            for c in &captures {
                while !c.is_finished() {
                    std::thread::sleep(Duration::from_millis(20));
                }
            }
            stop_child(&mut child, libc::SIGINT);
            match child.wait() {
                Ok(s) => break s,
                Err(e) => return Err(fail(&name, format!("cannot wait for it: {e}"))),
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    done.store(true, Ordering::SeqCst);
    drop(guard);
    let mut profiles = Vec::new();
    let mut warnings = Warnings::new();
    let mut errors = Vec::new();
    for c in captures {
        let Ok((pid, result)) = c.join() else {
            continue;
        };
        let captured = result.and_then(|(threads, w)| {
            super::to_profiles(
                threads,
                &format!("node pid {pid}"),
                Some(pid.into()),
                opts.save.as_deref(),
                w,
            )
        });
        match captured {
            Ok(c) => {
                profiles.extend(c.profiles);
                warnings.extend(c.warnings);
            }
            Err(e) => errors.push(e),
        }
    }
    if profiles.is_empty() {
        return Err(errors.into_iter().next().unwrap_or_else(|| {
            fail(
                &name,
                format!("no node process was profiled (it {status}): record follows node processes started through NODE_OPTIONS; a program that clears NODE_OPTIONS, or Deno and Bun, are not followed"),
            )
        }));
    }
    for e in errors {
        warnings.push("capture", e.to_string());
    }
    Ok(Recorded {
        captured: Captured { profiles, warnings },
        exit_code: code_of(status),
        title,
    })
}

/// The port of `pid`'s inspector, once it listens (it answers `/json/list`).
fn inspector_port(pid: u32, opts: &CaptureOptions) -> Option<u16> {
    node::listening_ports(pid).into_iter().find(|&port| {
        Endpoint::new("127.0.0.1", port, false)
            .and_then(|e| {
                http::get(
                    &e,
                    "/json/version",
                    opts.timeout.min(Duration::from_secs(2)),
                    1 << 16,
                )
            })
            .is_ok_and(|r| r.status == 200 && String::from_utf8_lossy(&r.body).contains("node.js"))
    })
}

/// Profile one node process from its first line to its exit.
fn capture(
    pid: u32,
    port: u16,
    opts: &CaptureOptions,
    done: &AtomicBool,
) -> Result<(Vec<Thread>, Warnings)> {
    let endpoint = Endpoint::new("127.0.0.1", port, false)?;
    let r = http::get(&endpoint, "/json/list", opts.timeout, 16 << 20)?;
    let list: serde_json::Value = serde_json::from_slice(&r.body).map_err(|_| {
        fail(
            &format!("node pid {pid}"),
            "its inspector's /json/list is not JSON",
        )
    })?;
    let url = list
        .get(0)
        .and_then(|t| t.get("webSocketDebuggerUrl"))
        .and_then(|u| u.as_str())
        .ok_or_else(|| fail(&format!("node pid {pid}"), "its inspector lists no target"))?;
    let (_, _, path) = super::record::split_ws(url).ok_or_else(|| {
        fail(
            &format!("node pid {pid}"),
            format!("cannot read the debugger URL {url:?}"),
        )
    })?;
    let mut cdp = Cdp::connect(&endpoint, &path, opts.timeout)?;
    cdp.reply = opts.timeout;
    let mut session = Session::start(cdp, opts.interval_us, true, false)?;
    let end = session.run(None, Some(done));
    let (threads, warnings) = session.finish(false);
    end?;
    Ok((threads, warnings))
}
