//! `cpuflame record -- COMMAND`: run a program with profiling on from its
//! first line, and draw every thread it ran once it ends (normally, by a
//! signal, after `--duration`, or on Ctrl-C to cpuflame).
//!
//! Node (and Deno) start with `--inspect-brk=127.0.0.1:0`: the program waits
//! until the profiler runs in it, workers wait for theirs
//! (`NodeWorker.enable {waitForDebuggerOnStart}`), and at exit every thread
//! announces `NodeRuntime.waitingForDisconnect`, when its profile is read.
//! Bun runs with `--cpu-prof` and its file is read.

use std::ffi::OsString;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use super::address::Endpoint;
use super::cdp::Cdp;
use super::session::{End, Session};
use super::{fail, node, stop, CaptureOptions, Captured};
use crate::error::{Error, Result};

/// A finished recording: the profiles and the program's exit code.
pub struct Recorded {
    /// What was captured.
    pub captured: Captured,
    /// The exit code to pass on (128 + signal for a signal).
    pub exit_code: i32,
    /// A short name for titles (`node app.js`).
    pub title: String,
}

/// Run `command` under the profiler.
pub fn record(command: &[OsString], opts: &CaptureOptions) -> Result<Recorded> {
    let program = command
        .first()
        .ok_or_else(|| Error::Usage("record needs a COMMAND to run".into()))?;
    let title = command
        .iter()
        .take(3)
        .map(|a| {
            Path::new(a)
                .file_name()
                .unwrap_or(a)
                .to_string_lossy()
                .into_owned()
        })
        .collect::<Vec<_>>()
        .join(" ");
    match node::program_kind(Path::new(program)) {
        "node" | "deno" => record_inspected(command, opts, title),
        "bun" => super::bun_record::record(command, opts, title),
        _ => super::wrapper::record(command, opts, title),
    }
}

fn record_inspected(
    command: &[OsString],
    opts: &CaptureOptions,
    title: String,
) -> Result<Recorded> {
    let program = &command[0];
    let deno = node::program_kind(Path::new(program)) == "deno";
    let mut cmd = Command::new(program);
    if deno {
        // `deno run --inspect-brk=…` / `deno test --inspect-brk=…`: after the subcommand.
        let mut args = command[1..].iter();
        if let Some(sub) = args.next() {
            cmd.arg(sub);
        }
        cmd.arg("--inspect-brk=127.0.0.1:0").args(args);
    } else {
        cmd.arg("--inspect-brk=127.0.0.1:0").args(&command[1..]);
    }
    cmd.stderr(Stdio::piped());
    let name = program.to_string_lossy().into_owned();
    let guard = stop::Guard::new();
    let mut child =
        spawn_own_group(&mut cmd).map_err(|e| fail(&name, format!("cannot start it: {e}")))?;
    let pid = child.id();
    let name = format!("{title} (pid {pid})");
    let base = if deno {
        format!("deno pid {pid}")
    } else {
        format!("node pid {pid}")
    };
    let outcome = (|| {
        let url = node::debugger_url(&mut child, opts.timeout.max(Duration::from_secs(10)), &name)?;
        let (host, port, path) = split_ws(&url)
            .ok_or_else(|| fail(&name, format!("cannot read the debugger URL {url:?}")))?;
        let endpoint = Endpoint::new(&host, port, false)?;
        let mut cdp = Cdp::connect(&endpoint, &path, opts.timeout)?;
        cdp.reply = opts.timeout;
        let mut session = Session::start(cdp, opts.interval_us, true, opts.progress)?;
        let until = opts.duration.map(|d| Instant::now() + d);
        let end = session.run(until, None);
        let (threads, warnings) = session.finish(false);
        Ok::<_, Error>((end, threads, warnings))
    })();
    let (end, threads, warnings) = match outcome {
        Ok(x) => x,
        Err(e) => {
            stop_child(&mut child, libc::SIGTERM);
            return Err(e);
        }
    };
    let end = match end {
        Ok(end) => end,
        Err(e) => {
            // Threads that ended before (workers) are still saved with --save.
            if opts.save.is_some() && threads.iter().any(|t| t.profile.is_some()) {
                let _ = super::to_profiles(
                    threads,
                    &base,
                    Some(pid.into()),
                    opts.save.as_deref(),
                    warnings,
                );
            }
            // The runtime went away mid-capture: what it exited with says why.
            let mut status = wait_bounded(&mut child, Duration::from_secs(2));
            if status.is_none() {
                stop_child(&mut child, libc::SIGTERM);
                status = child.try_wait().ok().flatten();
            }
            let why = status
                .map(|s| format!(" (the program {})", describe(s)))
                .unwrap_or_default();
            return Err(fail(&name, format!("{e}{why}")));
        }
    };
    if end != End::Exited {
        // Interrupted or out of time: the program is stopped as Ctrl-C would.
        stop_child(&mut child, libc::SIGINT);
    }
    drop(guard);
    let status = child
        .wait()
        .map_err(|e| fail(&name, format!("cannot wait for it: {e}")))?;
    let exit_code = code_of(status);
    let captured = super::to_profiles(
        threads,
        &base,
        Some(pid.into()),
        opts.save.as_deref(),
        warnings,
    )?;
    Ok(Recorded {
        captured,
        exit_code,
        title,
    })
}

/// `ws://host:port/path` apart.
pub fn split_ws(url: &str) -> Option<(String, u16, String)> {
    let rest = url.strip_prefix("ws://")?;
    let (auth, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let (host, port) = auth.rsplit_once(':')?;
    Some((
        host.to_string(),
        port.parse().ok()?,
        if path.is_empty() {
            "/".into()
        } else {
            path.to_string()
        },
    ))
}

/// The exit code a shell would report.
pub fn code_of(status: ExitStatus) -> i32 {
    status
        .code()
        .or_else(|| status.signal().map(|s| 128 + s))
        .unwrap_or(1)
}

fn describe(s: ExitStatus) -> String {
    match (s.code(), s.signal()) {
        (Some(c), _) => format!("exited with code {c}"),
        (_, Some(sig)) => format!("was killed by signal {sig}"),
        _ => "ended".into(),
    }
}

/// Wait for the child at most `limit`.
fn wait_bounded(child: &mut Child, limit: Duration) -> Option<ExitStatus> {
    let deadline = Instant::now() + limit;
    loop {
        if let Ok(Some(s)) = child.try_wait() {
            return Some(s);
        }
        if Instant::now() >= deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Signal the child (and its process group), then kill it if it lingers.
pub fn stop_child(child: &mut Child, signal: i32) {
    if let Ok(Some(_)) = child.try_wait() {
        return;
    }
    let pid = child.id() as libc::pid_t;
    // SAFETY: signalling our own child's process group (we made it its leader).
    unsafe {
        libc::kill(-pid, signal);
    }
    if wait_bounded(child, Duration::from_secs(5)).is_none() {
        let _ = child.kill();
    }
}

/// Start `cmd` in its own process group (a Ctrl-C at the terminal reaches
/// cpuflame only, which stops the profilers first and then interrupts the
/// program), ended by SIGTERM should cpuflame itself die without cleaning up.
pub fn spawn_own_group(cmd: &mut Command) -> std::io::Result<Child> {
    cmd.process_group(0);
    // SAFETY: prctl(2) is async-signal-safe; nothing else runs in the child
    // between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
            Ok(())
        });
    }
    cmd.spawn()
}
