//! Live capture: profile a running JavaScript runtime and hand back the same
//! [`Profile`]s an importer would (one per thread, all on one clock).
//!
//! | module | what |
//! |---|---|
//! | [`cdp`] | a small synchronous CDP client over one websocket, every wait bounded |
//! | [`http`] | a minimal HTTP/1.1 GET (`/json/list`, profile endpoints) |
//! | [`address`] | attach targets, loopback only unless `--remote` |
//! | [`session`] | the profiling sequence in the target and its workers |
//! | [`node`] | `record -- node …` (`--inspect-brk`), SIGUSR1 for `attach PID` |
//! | [`workerd`], [`bun`] | runtime quirks |
//! | [`record`], [`attach`] | the two subcommands |
//! | [`wrapper`] | `record` of a command that starts node itself (`npm test`) |
//! | [`save`] | `--save DIR`: `.cpuprofile`s and `.scripts.json` sidecars |

pub mod address;
pub mod attach;
pub mod bun;
pub mod bun_record;
pub mod cdp;
pub mod command;
pub mod http;
pub mod node;
pub mod record;
pub mod save;
pub mod session;
pub mod stop;
pub mod workerd;
pub mod wrapper;

use std::path::PathBuf;
use std::time::Duration;

use crate::error::{Error, Result};
use crate::import::{self, ImportContext};
use crate::model::{Profile, SourceInfo, Warnings};

/// What `record` and `attach` share.
#[derive(Debug, Clone)]
pub struct CaptureOptions {
    /// Stop after this long (`attach` default: 10 s; `record`: when the program ends).
    pub duration: Option<Duration>,
    /// Requested sampling interval, µs (the runtime's real one is coarser).
    pub interval_us: u64,
    /// Also write the raw profiles here.
    pub save: Option<PathBuf>,
    /// Allow a non-loopback address.
    pub remote: bool,
    /// `--target PATTERN`: which of several inspector targets.
    pub target: Option<String>,
    /// `attach --list`: list the targets instead of profiling.
    pub list_targets: bool,
    /// How long to wait for a connection and for each reply.
    pub timeout: Duration,
    /// Show progress on a terminal.
    pub progress: bool,
}

/// A capture failure, naming the target.
pub fn fail(target: &str, message: impl Into<String>) -> Error {
    Error::profile(target, message)
}

/// What one capture produced.
pub struct Captured {
    /// One profile per thread.
    pub profiles: Vec<Profile>,
    /// Repairs and losses.
    pub warnings: Warnings,
}

/// Turn the threads of one capture into model profiles (and `--save` them).
///
/// `base` names the process (`node pid 4242`); sources are `BASE main`,
/// `BASE worker 2 (...)`. `clock` is shared by all of them: V8's monotonic
/// clock is one per process, so the banded chart places workers at their
/// real offset.
pub fn to_profiles(
    threads: Vec<session::Thread>,
    base: &str,
    pid: Option<u64>,
    save: Option<&std::path::Path>,
    mut warnings: Warnings,
) -> Result<Captured> {
    let mut profiles = Vec::new();
    let mut first_error = None;
    let mut threads = threads;
    threads.sort_by_key(|t| t.tid);
    for (seq, t) in threads.into_iter().enumerate() {
        let Some(raw) = t.profile else {
            continue;
        };
        let name = format!("{base} {}", t.label);
        let mut file = name.clone();
        if let Some(dir) = save {
            let path = save::write(dir, pid.unwrap_or(0), t.tid, seq + 1, &raw, &t.scripts)?;
            file = path.display().to_string();
        }
        let source = SourceInfo {
            name: name.clone(),
            pid,
            tid: Some(t.tid),
            thread_name: Some(t.label.clone()),
            file,
            // As the saved files' names give it (`import::naming`), so a re-read capture aligns the same.
            clock: Some(pid.map_or_else(|| format!("{base} (live)"), |p| format!("pid {p}"))),
        };
        let bytes = serde_json::to_vec(&raw).map_err(|e| fail(&name, e.to_string()))?;
        drop(raw);
        let mut ctx = ImportContext {
            input: name.clone(),
            warnings: Warnings::new(),
        };
        match import::import_bytes(&bytes, source, &mut ctx) {
            Ok(ps) => {
                for mut p in ps {
                    p.scripts = t.scripts.clone();
                    profiles.push(p);
                }
            }
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
        warnings.extend(ctx.warnings);
    }
    if profiles.is_empty() {
        return Err(first_error.unwrap_or_else(|| {
            let why = warnings
                .iter()
                .next()
                .map(|w| w.to_string())
                .unwrap_or_else(|| "no thread was sampled".into());
            fail(base, format!("the capture produced no profile: {why}"))
        }));
    }
    if let Some(e) = first_error {
        warnings.push("capture", e.to_string());
    }
    Ok(Captured { profiles, warnings })
}

/// Parse `10s`, `500ms`, `2m`, `1h`, `100us`, or plain seconds: the units of
/// [`crate::options::parse_time`] (which `--from`/`--to` use), plus hours
/// and bare seconds, which a capture's length is naturally given in.
pub fn parse_duration(text: &str) -> std::result::Result<Duration, String> {
    let t = text.trim();
    let secs = if let Ok(bare) = t.parse::<f64>() {
        bare
    } else if let Some(hours) = t
        .strip_suffix('h')
        .and_then(|n| n.trim().parse::<f64>().ok())
    {
        hours * 3600.0
    } else {
        crate::options::parse_time(t).map_err(|e| format!("{text:?}: {e}"))? / 1e6
    };
    if !secs.is_finite() || secs <= 0.0 || secs > 7.0 * 86_400.0 {
        return Err(format!("{text:?}: must be more than 0 and at most a week"));
    }
    Ok(Duration::from_secs_f64(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("10s"), Ok(Duration::from_secs(10)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("100us"), Ok(Duration::from_micros(100)));
        assert_eq!(parse_duration("2"), Ok(Duration::from_secs(2)));
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("ten").is_err());
        assert!(parse_duration("3 parsecs").is_err());
    }
}
