//! A progress line on standard error for runs that take a while.
//!
//! Shown only when standard error is a terminal, never with `--quiet`, and
//! only once a run has taken more than a second, so quick runs and scripts
//! never see it. It names the phase (reading, folding, drawing) and the time
//! so far, and is cleared before the result or any message is printed.

use std::borrow::Cow;
use std::io::IsTerminal;
use std::time::Duration;

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
    pub fn start(wanted: bool) -> Progress {
        if !wanted || !std::io::stderr().is_terminal() {
            return Progress { bar: None };
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
        if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} ({elapsed})") {
            bar.set_style(style);
        }
        let shown = bar.clone();
        std::thread::spawn(move || {
            std::thread::sleep(DELAY);
            if !shown.is_finished() {
                shown.set_draw_target(ProgressDrawTarget::stderr());
                shown.enable_steady_tick(Duration::from_millis(120));
            }
        });
        Progress { bar: Some(bar) }
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
        let p = Progress::start(false);
        assert!(p.bar.is_none());
        p.phase("reading");
        p.finish();
    }
}
