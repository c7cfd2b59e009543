//! Driving one capture over a [`Cdp`] connection: start the profiler (and
//! the debugger, for the scripts) in the target and in every worker as it
//! attaches, follow events until the end, stop everything and detach,
//! leaving the process as it was.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::cdp::{Cdp, Incoming, Route};
use super::{bun, fail, stop};
use crate::error::Result;
use crate::model::{ScriptInfo, Warnings};

/// How threads of the target are found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Workers {
    /// Not (yet) known, or none.
    None,
    /// Node and Deno: the `NodeWorker` domain.
    NodeWorker,
    /// Chromium: `Target.setAutoAttach {flatten: true}`.
    Flat,
}

/// One sampled thread.
#[derive(Debug)]
pub struct Thread {
    /// Its session.
    pub route: Route,
    /// 0 for the main thread, else the worker's thread id (Node) or a count.
    pub tid: u64,
    /// What it is (`main`, `worker 2 (worker-hash.js)`).
    pub label: String,
    /// The `Profiler.stop` result's `profile`, once stopped.
    pub profile: Option<Value>,
    /// Scripts reported by `Debugger.scriptParsed`.
    pub scripts: Vec<ScriptInfo>,
    /// Still profiling.
    live: bool,
}

/// Why a capture ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// The program reached its end (Node's `waitingForDisconnect`).
    Exited,
    /// `--duration` elapsed.
    Duration,
    /// Ctrl-C or SIGTERM to cpuflame.
    Interrupted,
}

/// A capture in progress.
pub struct Session {
    cdp: Cdp,
    /// Every thread seen, main first.
    pub threads: Vec<Thread>,
    interval_us: u64,
    workers: Workers,
    /// The connection failed or stalled: cleanup calls are skipped.
    broken: bool,
    /// Repairs and losses to report.
    pub warnings: Warnings,
    progress: bool,
}

impl Session {
    /// Start profiling the target behind `cdp`: the main thread now, workers
    /// as they attach. `resume`: the target waits for a debugger
    /// (`--inspect-brk`) and is let go once profiling runs.
    pub fn start(cdp: Cdp, interval_us: u64, resume: bool, progress: bool) -> Result<Session> {
        let mut s = Session {
            cdp,
            threads: Vec::new(),
            interval_us,
            workers: Workers::None,
            broken: false,
            warnings: Warnings::new(),
            progress,
        };
        s.start_thread(Route::Main, 0, "main".into(), resume)?;
        Ok(s)
    }

    fn start_thread(&mut self, route: Route, tid: u64, label: String, resume: bool) -> Result<()> {
        self.threads.push(Thread {
            route: route.clone(),
            tid,
            label,
            profile: None,
            scripts: Vec::new(),
            live: false,
        });
        // Node: be told when the thread is about to end, while its profile
        // can still be read. Other runtimes refuse NodeRuntime: fine.
        let _ = self.cdp.try_call(
            &route,
            "NodeRuntime.notifyWhenWaitingForDisconnect",
            json!({"enabled": true}),
        )?;
        let _ = self.cdp.try_call(&route, "NodeRuntime.enable", json!({}))?;
        if let Err(why) = self.cdp.try_call(&route, "Profiler.enable", json!({}))? {
            return Err(bun::explain(fail(
                &self.cdp.name,
                format!("Profiler.enable was refused: {why}"),
            )));
        }
        self.cdp.call(
            &route,
            "Profiler.setSamplingInterval",
            json!({"interval": self.interval_us}),
        )?;
        self.cdp.call(&route, "Profiler.start", json!({}))?;
        if let Some(t) = self.threads.iter_mut().rev().find(|t| t.route == route) {
            t.live = true;
        }
        // Scripts, for source maps (already-loaded ones are reported too);
        // never pause the program for a `debugger;` statement. Before the
        // thread is let go: Deno's --inspect-brk schedules a break at the
        // first statement when it is let go, and with the debugger switched
        // on only afterwards it sometimes stayed paused without a
        // `Debugger.paused` (seen on Deno 2.9.6 under load).
        if self
            .cdp
            .try_call(&route, "Debugger.enable", json!({}))?
            .is_ok()
        {
            let _ =
                self.cdp
                    .try_call(&route, "Debugger.setSkipAllPauses", json!({"skip": true}))?;
        }
        if route == Route::Main {
            self.find_workers(resume)?;
        }
        if resume {
            let _ = self
                .cdp
                .try_call(&route, "Runtime.runIfWaitingForDebugger", json!({}))?;
        }
        Ok(())
    }

    /// Ask to hear of every worker: Node's NodeWorker domain, or Chromium's auto-attach.
    fn find_workers(&mut self, wait: bool) -> Result<()> {
        let node = self.cdp.try_call(
            &Route::Main,
            "NodeWorker.enable",
            json!({"waitForDebuggerOnStart": wait}),
        )?;
        if node.is_ok() {
            self.workers = Workers::NodeWorker;
            return Ok(());
        }
        let flat = self.cdp.try_call(
            &Route::Main,
            "Target.setAutoAttach",
            json!({"autoAttach": true, "waitForDebuggerOnStart": wait, "flatten": true}),
        )?;
        if flat.is_ok() {
            self.workers = Workers::Flat;
        }
        Ok(())
    }

    /// A best-effort call while cleaning up: once the connection has failed
    /// (or stalled), no more are tried, so the cleanup stays bounded.
    fn cleanup(&mut self, route: &Route, method: &str, params: Value) {
        if self.broken {
            return;
        }
        if self.cdp.try_call(route, method, params).is_err() {
            self.broken = true;
        }
    }

    /// Follow events until the program ends, `until` passes, or a stop is requested.
    /// `also`: another reason to stop (the wrapper around the program ended).
    pub fn run(&mut self, until: Option<Instant>, also: Option<&AtomicBool>) -> Result<End> {
        let started = Instant::now();
        let mut shown = Instant::now();
        loop {
            if stop::requested() || also.is_some_and(|a| a.load(Ordering::SeqCst)) {
                return Ok(End::Interrupted);
            }
            let now = Instant::now();
            if until.is_some_and(|u| now >= u) {
                return Ok(End::Duration);
            }
            if self.progress && now.duration_since(shown) >= Duration::from_secs(1) {
                shown = now;
                let live = self.threads.iter().filter(|t| t.live).count();
                let of = until
                    .map(|u| format!(" of {:.0} s", u.duration_since(started).as_secs_f64()))
                    .unwrap_or_default();
                eprint!(
                    "\rcpuflame: profiling {}: {:.0} s{of}, {live} thread{} (Ctrl-C: stop and draw)   ",
                    self.cdp.name,
                    started.elapsed().as_secs_f64(),
                    if live == 1 { "" } else { "s" }
                );
            }
            let mut wake = now + Duration::from_millis(100);
            if let Some(u) = until {
                wake = wake.min(u);
            }
            let Some(ev) = self.cdp.next_event(wake)? else {
                continue;
            };
            if self.handle(ev)? {
                if self.progress {
                    eprint!("\r\x1b[K");
                }
                return Ok(End::Exited);
            }
        }
    }

    /// React to one event; `true` when the main thread is ending.
    fn handle(&mut self, ev: Incoming) -> Result<bool> {
        let method = ev.method.as_deref().unwrap_or_default();
        let p = &ev.params;
        let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
        match method {
            "Debugger.scriptParsed" => {
                if let Some(t) = self.thread_mut(&ev.route) {
                    t.scripts.push(ScriptInfo {
                        script_id: text(p, "scriptId").unwrap_or_default(),
                        url: text(p, "url").unwrap_or_default(),
                        source_map_url: text(p, "sourceMapURL").filter(|s| !s.is_empty()),
                        hash: text(p, "hash").filter(|s| !s.is_empty()),
                    });
                }
            }
            "Debugger.paused" => {
                self.cleanup(&ev.route, "Debugger.resume", json!({}));
            }
            "NodeWorker.attachedToWorker" => {
                if let Some(session) = text(p, "sessionId") {
                    let info = p.get("workerInfo").cloned().unwrap_or(Value::Null);
                    // Node titles a worker `[worker THREADID]`: the id --cpu-prof names files by.
                    let tid = text(&info, "title")
                        .and_then(|t| t.strip_prefix("[worker ")?.split(']').next()?.parse().ok())
                        .unwrap_or(self.threads.len() as u64);
                    let title = text(&info, "url")
                        .filter(|u| !u.is_empty())
                        .or_else(|| text(&info, "title"))
                        .unwrap_or_default();
                    let waiting = p
                        .get("waitingForDebugger")
                        .and_then(Value::as_bool)
                        .unwrap_or(false);
                    self.start_worker(Route::Worker(session), tid, title, waiting);
                }
            }
            "Target.attachedToTarget" => {
                let info = p.get("targetInfo").cloned().unwrap_or(Value::Null);
                let session = text(p, "sessionId");
                let waiting = p
                    .get("waitingForDebugger")
                    .and_then(Value::as_bool)
                    .unwrap_or(false);
                if let Some(session) = session {
                    let route = Route::Flat(session);
                    if text(&info, "type").as_deref() == Some("worker") {
                        let title = text(&info, "url")
                            .or_else(|| text(&info, "title"))
                            .unwrap_or_default();
                        let tid = self.threads.len() as u64;
                        self.start_worker(route, tid, title, waiting);
                    } else if waiting {
                        self.cleanup(&route, "Runtime.runIfWaitingForDebugger", json!({}));
                    }
                }
            }
            "NodeRuntime.waitingForDisconnect" => {
                if ev.route == Route::Main {
                    return Ok(true);
                }
                self.stop_thread(&ev.route);
                self.detach(&ev.route);
            }
            "NodeWorker.detachedFromWorker" | "Target.detachedFromTarget" => {
                if let Some(session) = text(p, "sessionId") {
                    let route = if method.starts_with("NodeWorker") {
                        Route::Worker(session)
                    } else {
                        Route::Flat(session)
                    };
                    if let Some(t) = self.thread_mut(&route).filter(|t| t.live) {
                        t.live = false;
                        let label = t.label.clone();
                        self.warnings.push(
                            "capture",
                            format!("{label} ended before its profile could be read: its samples are lost"),
                        );
                    }
                }
            }
            "Inspector.detached" | "Target.targetDestroyed" if ev.route == Route::Main => {}
            _ => {}
        }
        Ok(false)
    }

    fn start_worker(&mut self, route: Route, tid: u64, title: String, waiting: bool) {
        let label = if title.is_empty() {
            format!("worker {tid}")
        } else {
            format!("worker {tid} ({})", short_title(&title))
        };
        if let Err(e) = self.start_thread(route.clone(), tid, label.clone(), waiting) {
            self.warnings
                .push("capture", format!("{label} could not be profiled: {e}"));
            if waiting {
                self.cleanup(&route, "Runtime.runIfWaitingForDebugger", json!({}));
            }
        }
    }

    fn thread_mut(&mut self, route: &Route) -> Option<&mut Thread> {
        self.threads.iter_mut().rev().find(|t| t.route == *route)
    }

    /// Stop one thread's profiler and keep its profile.
    fn stop_thread(&mut self, route: &Route) {
        let Some(t) = self.thread_mut(route) else {
            return;
        };
        if !t.live {
            return;
        }
        t.live = false;
        let label = t.label.clone();
        if self.broken {
            self.warnings.push(
                "capture",
                format!("{label}: no profile: the connection had failed"),
            );
            return;
        }
        // A long capture's profile takes a while to serialise.
        let saved = self.cdp.reply;
        self.cdp.reply = saved * 6;
        let stopped = self.cdp.try_call(route, "Profiler.stop", json!({}));
        self.cdp.reply = saved;
        match stopped {
            Ok(Ok(mut r)) => {
                let profile = r.get_mut("profile").map(Value::take);
                if let Some(t) = self.thread_mut(route) {
                    t.profile = profile;
                }
            }
            Ok(Err(why)) => self.warnings.push(
                "capture",
                format!("{label}: no profile: Profiler.stop was refused: {why}"),
            ),
            Err(e) => {
                self.broken = true;
                self.warnings
                    .push("capture", format!("{label}: no profile: {e}"));
            }
        }
        self.cleanup(route, "Debugger.disable", json!({}));
        self.cleanup(route, "Profiler.disable", json!({}));
    }

    /// Let a worker session go (the worker then finishes exiting).
    fn detach(&mut self, route: &Route) {
        if let Route::Worker(s) = route {
            self.cleanup(&Route::Main, "NodeWorker.detach", json!({"sessionId": s}));
        }
    }

    /// Stop every profiler still running (workers first), switch off what was
    /// switched on, and close the connection.
    ///
    /// `close_inspector`: cpuflame opened the inspector (SIGUSR1), so it asks
    /// Node to close it again (`process._debugEnd()`) before leaving.
    pub fn finish(mut self, close_inspector: bool) -> (Vec<Thread>, Warnings) {
        let routes: Vec<Route> = self
            .threads
            .iter()
            .rev()
            .filter(|t| t.live)
            .map(|t| t.route.clone())
            .collect();
        for r in &routes {
            self.stop_thread(r);
        }
        for r in &routes {
            if *r != Route::Main {
                self.detach(r);
            }
        }
        match self.workers {
            Workers::NodeWorker => {
                self.cleanup(&Route::Main, "NodeWorker.disable", json!({}));
            }
            Workers::Flat => {
                self.cleanup(
                    &Route::Main,
                    "Target.setAutoAttach",
                    json!({"autoAttach": false, "waitForDebuggerOnStart": false}),
                );
            }
            Workers::None => {}
        }
        self.cleanup(
            &Route::Main,
            "NodeRuntime.notifyWhenWaitingForDisconnect",
            json!({"enabled": false}),
        );
        if self.progress {
            eprint!("\r\x1b[K");
        }
        if close_inspector {
            // The inspector goes away with this call: its reply may never come.
            self.cdp.reply = self.cdp.reply.min(Duration::from_secs(2));
            self.cleanup(
                &Route::Main,
                "Runtime.evaluate",
                json!({"expression": "process._debugEnd()"}),
            );
        }
        self.cdp.close();
        (self.threads, self.warnings)
    }
}

/// The last path segment of a worker's URL or title.
fn short_title(title: &str) -> String {
    let t = title.trim_end_matches('/');
    t.rsplit('/').next().unwrap_or(t).to_string()
}
