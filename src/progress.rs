//! A progress line on standard error for runs that take a while.
//!
//! Shown only when standard error is a terminal, never with `--quiet`, and
//! only once a run has taken more than a second, so quick runs and scripts
//! never see it. While reading it is a bar of the input bytes parsed (the
//! importers report them through [`add_bytes_read`]); then it names the phase
//! (folding, drawing) and the time so far. It is cleared before the result or
//! any message is printed.

use std::borrow::Cow;
use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Input bytes parsed so far in this process.
static BYTES_READ: AtomicU64 = AtomicU64::new(0);

/// Tell the progress line that `n` more input bytes were parsed.
pub fn add_bytes_read(n: usize) {
    BYTES_READ.fetch_add(n as u64, Ordering::Relaxed);
}

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How long a run goes before the progress line appears.
const DELAY: Duration = Duration::from_secs(1);

/// The progress line of one run (a no-op when not shown).
pub struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    /// A progress line that appears after a second, if `wanted` and standard
    /// error is a terminal.
    pub fn start(wanted: bool, total_bytes: u64) -> Progress {
        if !wanted || !std::io::stderr().is_terminal() {
            return Progress { bar: None };
        }
        let bar = ProgressBar::with_draw_target(Some(total_bytes), ProgressDrawTarget::hidden());
        if let Ok(style) = ProgressStyle::with_template(
            "{spinner} {msg} [{bar:30}] {bytes}/{total_bytes} ({elapsed})",
        ) {
            bar.set_style(style.progress_chars("=> "));
        }
        let shown = bar.clone();
        std::thread::spawn(move || {
            std::thread::sleep(DELAY);
            if shown.is_finished() {
                return;
            }
            shown.set_draw_target(ProgressDrawTarget::stderr());
            shown.enable_steady_tick(Duration::from_millis(120));
            while !shown.is_finished() {
                shown.set_position(BYTES_READ.load(Ordering::Relaxed));
                std::thread::sleep(Duration::from_millis(100));
            }
        });
        Progress { bar: Some(bar) }
    }

    /// Reading is over: show the phase and the time only.
    pub fn done_reading(&self) {
        if let Some(bar) = &self.bar {
            if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} ({elapsed})") {
                bar.set_style(style);
            }
        }
    }

    /// Name the phase now running.
    pub fn phase(&self, what: impl Into<Cow<'static, str>>) {
        if let Some(bar) = &self.bar {
            bar.set_message(what);
        }
    }

    /// Remove the line (before printing results or messages).
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quiet_runs_have_no_progress_line() {
        let p = Progress::start(false, 100);
        assert!(p.bar.is_none());
        p.phase("reading");
        p.finish();
    }
}
