//! The `record` and `attach` subcommands: check their arguments, capture,
//! then draw through the usual pipeline ([`crate::app::render`]).

use std::io::IsTerminal;

use super::attach::{self, Attached};
use super::{parse_duration, record, CaptureOptions};
use crate::app::{self, Report};
use crate::cli::{CaptureArgs, CaptureCommand};
use crate::error::{Error, Result};
use crate::export::titles;
use crate::options::Options;
use crate::output;

/// Run a capture subcommand; returns the report and the exit code to pass on
/// (the recorded program's, for `record`).
pub fn run(command: CaptureCommand, opts: &Options) -> Result<(Report, i32)> {
    // No INPUT reads as standard input (`-`) once validated.
    if opts.inputs.iter().any(|p| p.as_os_str() != "-") {
        return Err(Error::Usage(
            "record and attach take no INPUT files: they capture their own".into(),
        ));
    }
    if opts.diff.is_some() {
        return Err(Error::Usage(
            "--diff compares files: save a capture with --save DIR, then diff the files".into(),
        ));
    }
    match command {
        CaptureCommand::Record { capture, command } => {
            let copts = capture_options(&capture, opts, None, false)?;
            let r = record::record(&command, &copts)?;
            let title = titles::title(std::slice::from_ref(&r.title), opts.picture.chart);
            let report = draw(opts, r.captured, title)?;
            Ok((report, r.exit_code))
        }
        CaptureCommand::Attach {
            capture,
            target,
            target_pattern,
            remote,
        } => {
            let copts = capture_options(&capture, opts, target_pattern, remote)?;
            match attach::attach(&target, &copts)? {
                Attached::Listed(text) => {
                    output::write_output(opts.output.as_deref(), text.as_bytes())?;
                    Ok((Report::default(), 0))
                }
                Attached::Captured(c, name) => {
                    let title = titles::title(&[name], opts.picture.chart);
                    Ok((draw(opts, c, title)?, 0))
                }
            }
        }
    }
}

fn draw(opts: &Options, captured: super::Captured, title: String) -> Result<Report> {
    // `--list` after a capture (not `attach --list`) lists the captured sources.
    app::render(opts, captured.profiles, title, captured.warnings)
}

fn capture_options(
    args: &CaptureArgs,
    opts: &Options,
    target: Option<String>,
    remote: bool,
) -> Result<CaptureOptions> {
    let dur =
        |flag: &str, v: &str| parse_duration(v).map_err(|e| Error::Usage(format!("--{flag}: {e}")));
    let duration = args
        .duration
        .as_deref()
        .map(|d| dur("duration", d))
        .transpose()?;
    let interval = dur("interval", &args.interval)?;
    if interval.as_micros() < 10 || interval.as_secs() > 1 {
        return Err(Error::Usage(
            "--interval must be between 10us and 1s".into(),
        ));
    }
    let timeout = dur("timeout", &args.timeout)?;
    Ok(CaptureOptions {
        duration,
        interval_us: interval.as_micros() as u64,
        save: args.save.clone(),
        remote,
        target,
        list_targets: opts.list,
        timeout,
        progress: !opts.quiet && std::io::stderr().is_terminal(),
    })
}
