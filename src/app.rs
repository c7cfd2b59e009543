//! One run of cpuflame: import, fold, export, write. The binary is a thin
//! shell over [`run`].

use std::path::PathBuf;

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::export::{self, bands, titles};
use crate::fold::{self, FoldOptions, Folded, Weight};
use crate::import;
use crate::model::{Profile, Warnings};
use crate::options::Options;
use crate::output;
use crate::symbolicate;

/// What a successful run has to tell the user.
#[derive(Debug, Default)]
pub struct Report {
    /// Repairs made to the input, one sentence each.
    pub warnings: Warnings,
    /// What grew past `--fail-if-grown`, one sentence each: the run exits
    /// with [`crate::gate::EXIT_GROWN`] when there is any.
    pub grown: Vec<String>,
}

/// Phase timings on standard error when `CPUFLAME_TIMINGS` is set: a
/// profiling aid for the benchmark (`bench/README.md`).
struct Phases {
    on: bool,
    last: std::time::Instant,
}

impl Phases {
    fn new() -> Phases {
        Phases {
            on: std::env::var_os("CPUFLAME_TIMINGS").is_some(),
            last: std::time::Instant::now(),
        }
    }

    fn done(&mut self, what: &str) {
        if self.on {
            eprintln!(
                "cpuflame: timing: {what} {:.3} s",
                self.last.elapsed().as_secs_f64()
            );
            self.last = std::time::Instant::now();
        }
    }
}

/// Read every input, fold, render and write the output.
pub fn run(opts: &Options) -> Result<Report> {
    crate::memory::set_limit(opts.max_memory);
    let mut phases = Phases::new();
    let input_bytes: u64 = opts
        .inputs
        .iter()
        .filter_map(|p| std::fs::metadata(p).ok())
        .filter(|m| m.is_file())
        .map(|m| m.len())
        .sum();
    let progress = crate::progress::Progress::start(!opts.quiet, input_bytes);
    progress.phase(match opts.inputs.as_slice() {
        [one] => format!("reading {}", one.display()),
        many => format!("reading {} inputs", many.len()),
    });
    let mut warnings = Warnings::new();
    let expanded = import::inputs::expand(&opts.inputs)?;
    let files: Vec<PathBuf> = expanded.iter().flat_map(|i| i.files.clone()).collect();
    let (files, duplicates) = crate::hints::without_duplicates(files);
    for (file, d) in duplicates {
        warnings.push(&file, d);
    }
    let from_dirs: Vec<PathBuf> = expanded
        .iter()
        .filter(|i| i.is_dir)
        .flat_map(|i| i.files.clone())
        .collect();
    let profiles = read_inputs(&files, &from_dirs, &mut warnings)?;
    phases.done("read and import");
    progress.done_reading();
    let title = match expanded.as_slice() {
        [one] if one.is_dir => titles::directory_title(
            &display_name(&one.given),
            one.files.len(),
            opts.picture.chart,
        ),
        _ => titles::title(
            &files.iter().map(|p| display_name(p)).collect::<Vec<_>>(),
            opts.picture.chart,
        ),
    };
    let input = match files.as_slice() {
        [one] if one.as_os_str() == "-" => "standard input".to_string(),
        [one] => one.display().to_string(),
        many => format!("{} inputs", many.len()),
    };
    render_with(opts, profiles, (title, input), warnings, progress, phases)
}

/// Select, fold, render and write profiles already imported (a live
/// capture): everything [`run`] does after reading. `title` is used when the
/// user gave no `--title`.
pub fn render(
    opts: &Options,
    profiles: Vec<Profile>,
    title: String,
    warnings: Warnings,
) -> Result<Report> {
    crate::memory::set_limit(opts.max_memory);
    let progress = crate::progress::Progress::start(!opts.quiet, 0);
    let input = title.clone();
    render_with(
        opts,
        profiles,
        (title, input),
        warnings,
        progress,
        Phases::new(),
    )
}

/// Everything after reading: source maps, select, fold, render, write.
/// `names` is the default title and the input's name in messages.
fn render_with(
    opts: &Options,
    mut profiles: Vec<Profile>,
    names: (String, String),
    mut warnings: Warnings,
    progress: crate::progress::Progress,
    mut phases: Phases,
) -> Result<Report> {
    let (title, input) = names;
    // Source maps apply to captured profiles too: their scripts carry the
    // sourceMapURLs the runtime reported.
    let maps = symbolicate::apply(&mut profiles, &opts.source_maps, &mut warnings)?;
    phases.done("source maps");
    progress.phase("folding stacks");
    let sources_read = profiles.len();
    let profiles = select_sources(profiles, &opts.threads)?;
    let sources_kept = profiles.len();
    if opts.list {
        // The sources as recorded: time weights, idle kept, nothing merged.
        let list_opts = FoldOptions {
            keep_idle: true,
            ..FoldOptions::default()
        };
        let listed = fold::fold(&profiles, &list_opts, &mut warnings);
        check_strict(opts, &warnings)?;
        let table = source_table(&listed) + &maps.table();
        output::write_output(opts.output.as_deref(), table.as_bytes())?;
        return Ok(Report {
            warnings,
            grown: Vec::new(),
        });
    }
    // The base of a --diff is read now, so that both sides share one way of
    // naming scripts (and --strict sees its repairs too).
    let base_profiles = match &opts.diff {
        None => Vec::new(),
        Some(base_path) => {
            let base_files: Vec<PathBuf> = import::inputs::expand(std::slice::from_ref(base_path))?
                .iter()
                .flat_map(|i| i.files.clone())
                .collect();
            let mut base = read_all(&base_files, &mut warnings)?;
            symbolicate::apply(&mut base, &opts.source_maps, &mut warnings)?;
            select_sources(base, &opts.threads)?
        }
    };
    let urls = fold::UrlShortener::of(profiles.iter().chain(&base_profiles));
    let folded = fold::fold_with_urls(&profiles, &opts.fold, &mut warnings, &urls);
    // pprof carries time and sample counts: fold once more in the other weight
    // (its repairs are the first fold's: not warned twice).
    let other_weight = opts.format.needs_both_weights().then(|| {
        let other = FoldOptions {
            weight: match opts.fold.weight {
                Weight::Time => Weight::Samples,
                Weight::Samples => Weight::Time,
            },
            ..opts.fold.clone()
        };
        fold::fold_with_urls(&profiles, &other, &mut Warnings::new(), &urls)
    });
    drop(profiles);
    let base = opts
        .diff
        .as_ref()
        .map(|_| fold::fold_with_urls(&base_profiles, &opts.fold, &mut warnings, &urls));
    drop(base_profiles);
    phases.done("fold");
    progress.phase("drawing");
    check_strict(opts, &warnings)?;
    // Notes are remarks, not repairs: --strict lets them through.
    for (input, note) in &folded.notes {
        warnings.push(input, note);
    }
    let mut picture = opts.picture.clone();
    picture.title = opts.title.clone().unwrap_or(title);
    picture.subtitle = Some(opts.subtitle.clone().unwrap_or_else(|| {
        if opts.format != export::Format::Folded && bands::is_banded(&folded, &picture) {
            let layout = bands::layout(&folded);
            let axis = (folded.weight == Weight::Time).then_some(layout.axis);
            let s = titles::subtitle_spanning(&folded, true, opts.fold.keep_idle, axis);
            format!("{s} · {}", layout.describe())
        } else {
            titles::subtitle(&folded, picture.chart, opts.fold.keep_idle)
        }
    }));
    if opts.subtitle.is_none() {
        picture.subtitle = picture.subtitle.map(|s| titles::with_policy(s, &folded));
    }
    // A picture must never hide that it is partial, nor be puzzlingly empty.
    let selection = titles::Selection {
        filters: &opts.filters,
        threads: &opts.threads,
        kept: sources_kept,
        of: sources_read,
    };
    let nothing_left = nothing_left(opts, &folded, &input, &mut warnings);
    if opts.subtitle.is_none() {
        picture.subtitle = picture
            .subtitle
            .map(|s| titles::with_selection(s, &selection, nothing_left.is_some()));
    }
    let base_name = opts.diff.as_deref().map(display_name);
    if let Some(base_name) = &base_name {
        if opts.title.is_none() {
            picture.title = format!("{} against {base_name}", picture.title);
        }
    }
    let base = base.unwrap_or_default();
    let job = export::Job {
        folded: &folded,
        picture: &picture,
        base: base_name.as_deref().map(|name| export::Base {
            folded: &base,
            name,
        }),
        other_weight: other_weight.as_ref(),
    };
    // Written as it is made into a temporary file renamed into place when
    // complete (or standard output), so a failure leaves no broken file.
    let mut dest = output::Destination::open(opts.output.as_deref())?;
    opts.format
        .exporter()
        .write(&job, &mut dest)
        .map_err(|e| rename_output(e, dest.name()))?;
    phases.done("export and write");
    progress.finish();
    dest.finish()?;
    let grown = match (&opts.fail_if_grown, job.base) {
        (Some(gate), Some(base)) => gate.check(&folded, base.folded),
        _ => Vec::new(),
    };
    match nothing_left {
        Some(e) => Err(e),
        None => Ok(Report { warnings, grown }),
    }
}

/// Why nothing is left to draw, when the user's filters or window left
/// nothing: the error the run ends with (after writing a picture that says
/// so). Filters that match no frame but removed nothing get a warning.
fn nothing_left(
    opts: &Options,
    folded: &Folded,
    input: &str,
    warnings: &mut Warnings,
) -> Option<Error> {
    let unmatched = crate::hints::unmatched_filters(&opts.filters, folded);
    let mut fatal = None;
    for (filter, message) in unmatched {
        // --include and --focus that match nothing leave nothing; --exclude
        // and --hide that match nothing change nothing: worth a warning.
        if matches!(filter.flag.as_str(), "include" | "focus") && fatal.is_none() {
            fatal = Some(message);
        } else {
            warnings.push(input, message);
        }
    }
    if let Some(message) = fatal {
        return Some(Error::profile(input, message));
    }
    if let Some(window) = &opts.fold.policy.window {
        match crate::hints::window_past_end(window, folded) {
            Err(message) => return Some(Error::profile(input, message)),
            Ok(Some(note)) => warnings.push(input, note),
            Ok(None) => {}
        }
    }
    let sampled = folded.sources.iter().any(|s| s.timeline.samples > 0);
    if sampled && folded.total() <= 0.0 && !opts.filters.is_empty() {
        return Some(Error::profile(
            input,
            format!(
                "no samples match {}",
                opts.filters
                    .iter()
                    .map(|f| f.describe())
                    .collect::<Vec<_>>()
                    .join(" ")
            ),
        ));
    }
    None
}

/// With `--strict`, the first repair made to the input is an error.
fn check_strict(opts: &Options, warnings: &Warnings) -> Result<()> {
    if !opts.strict {
        return Ok(());
    }
    match warnings.iter().next() {
        None => Ok(()),
        Some(first) => {
            let (input, message) = first.split_once(": ").unwrap_or(("input", first));
            Err(Error::Strict {
                input: input.to_string(),
                message: message.to_string(),
            })
        }
    }
}

/// Name the real destination in a write error raised while exporting.
fn rename_output(e: Error, name: &str) -> Error {
    match e {
        Error::Write { source, .. } => Error::Write {
            output: name.to_string(),
            source,
        },
        other => other,
    }
}

/// An input's name as titles show it.
fn display_name(p: &std::path::Path) -> String {
    if p.as_os_str() == "-" {
        "standard input".to_string()
    } else {
        p.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| p.display().to_string())
    }
}

/// Whether a source matches a `--thread` pattern: all digits is a thread id,
/// anything else part of the name, ignoring case.
pub fn source_matches(source: &crate::model::SourceInfo, pattern: &str) -> bool {
    let pattern = pattern.trim();
    if !pattern.is_empty() && pattern.bytes().all(|b| b.is_ascii_digit()) {
        return pattern
            .parse::<u64>()
            .ok()
            .is_some_and(|t| source.tid == Some(t));
    }
    source.name.to_lowercase().contains(&pattern.to_lowercase())
}

/// Keep the sources matching any of `patterns` (all when there are none).
fn select_sources(profiles: Vec<Profile>, patterns: &[String]) -> Result<Vec<Profile>> {
    if patterns.is_empty() {
        return Ok(profiles);
    }
    let names: Vec<String> = profiles.iter().map(|p| p.source.name.clone()).collect();
    let kept: Vec<Profile> = profiles
        .into_iter()
        .filter(|p| patterns.iter().any(|pat| source_matches(&p.source, pat)))
        .collect();
    if kept.is_empty() {
        return Err(Error::Usage(format!(
            "no source matches --thread {}; the sources are: {}",
            patterns
                .iter()
                .map(|p| format!("{p:?}"))
                .collect::<Vec<_>>()
                .join(", --thread "),
            names
                .iter()
                .map(|n| format!("{n:?}"))
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    Ok(kept)
}

/// The `--list` table: one line per source.
pub fn source_table(folded: &Folded) -> String {
    let header = ["name", "pid", "tid", "samples", "duration", "idle", "file"];
    let mut rows: Vec<[String; 7]> = vec![header.map(String::from)];
    for s in &folded.sources {
        let opt = |v: Option<u64>| v.map(|v| v.to_string()).unwrap_or_else(|| "-".into());
        let sampled = s.timeline.samples > 0;
        rows.push([
            s.info.name.clone(),
            opt(s.info.pid),
            opt(s.info.tid),
            s.timeline.samples.to_string(),
            if sampled {
                titles::human_duration(s.timeline.end - s.timeline.first)
            } else {
                "-".into()
            },
            if s.drawn > 0.0 {
                format!("{:.1}%", 100.0 * s.idle / s.drawn)
            } else {
                "-".into()
            },
            s.info.file.clone(),
        ]);
    }
    let mut widths = [0usize; 7];
    for r in &rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut out = String::new();
    for r in &rows {
        let mut line = String::new();
        for (i, c) in r.iter().enumerate() {
            let pad = widths[i] - c.chars().count();
            // Numbers right-aligned, text left-aligned; the last column unpadded.
            if (1..=5).contains(&i) {
                line.push_str(&" ".repeat(pad));
                line.push_str(c);
            } else {
                line.push_str(c);
                if i < 6 {
                    line.push_str(&" ".repeat(pad));
                }
            }
            if i < 6 {
                line.push_str("  ");
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Import every input; several files are read in parallel.
fn read_all(files: &[PathBuf], warnings: &mut Warnings) -> Result<Vec<Profile>> {
    read_inputs(files, &[], warnings)
}

/// Import every file; several are read in parallel. A file found in a
/// directory (`from_dirs`) that turns out not to be a profile (a stray
/// `package.json`) is skipped with a warning, as long as some profile is left.
fn read_inputs(
    files: &[PathBuf],
    from_dirs: &[PathBuf],
    warnings: &mut Warnings,
) -> Result<Vec<Profile>> {
    let results: Vec<(Result<Vec<Profile>>, Warnings)> = files
        .par_iter()
        .map(|path| {
            let mut w = Warnings::new();
            let r = import::import_path(path, &mut w);
            (r, w)
        })
        .collect();
    let mut profiles = Vec::new();
    let mut skipped = Vec::new();
    for ((r, w), path) in results.into_iter().zip(files) {
        warnings.extend(w);
        match r {
            Ok(p) => profiles.extend(p),
            Err(e @ (Error::Profile { .. } | Error::Json { .. })) if from_dirs.contains(path) => {
                skipped.push(e)
            }
            Err(e) => return Err(e),
        }
    }
    if profiles.is_empty() {
        if let Some(first) = skipped.into_iter().next() {
            return Err(first);
        }
    } else {
        for e in skipped {
            warnings.push("skipped", e.to_string());
        }
    }
    Ok(profiles)
}
