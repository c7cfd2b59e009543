//! Validated options: built from the command line, used by [`crate::app::run`].

use std::io::IsTerminal;
use std::path::PathBuf;

use regex::Regex;

use crate::cli::{Cli, FormatArg, GapsArg, PaletteArg, SourceMapsArg, WeightArg};
use crate::error::{Error, Result};
use crate::export::palette::Palette;
use crate::export::{Format, Picture};
use crate::fold::{FoldOptions, Gaps, Policy, Transforms, Weight, Window};
use crate::symbolicate::{self, SourceMapOptions};

/// Everything a run needs, checked.
#[derive(Debug, Clone)]
pub struct Options {
    /// Inputs; `-` is standard input.
    pub inputs: Vec<PathBuf>,
    /// Destination file; `None` is standard output.
    pub output: Option<PathBuf>,
    /// Output format.
    pub format: Format,
    /// How to fold.
    pub fold: FoldOptions,
    /// How the picture looks. `title`/`subtitle` are filled in by the run when
    /// the user gave none.
    pub picture: Picture,
    /// User-given title, if any.
    pub title: Option<String>,
    /// User-given subtitle, if any.
    pub subtitle: Option<String>,
    /// Print no warnings.
    pub quiet: bool,
    /// Warnings are errors.
    pub strict: bool,
    /// `--thread` patterns: keep only the sources matching one (empty: keep all).
    pub threads: Vec<String>,
    /// Print the sources and exit.
    pub list: bool,
    /// `--diff BASE`: the profile to compare against.
    pub diff: Option<PathBuf>,
    /// `--fail-if-grown PCT[:REGEX]`: the CI gate.
    pub fail_if_grown: Option<crate::gate::Gate>,
    /// `--include`/`--exclude`/`--focus`/`--hide` as given, for messages and subtitles.
    pub filters: Vec<crate::hints::Filter>,
    /// How to find source maps.
    pub source_maps: SourceMapOptions,
    /// `--max-memory`: the memory budget in bytes (`None`: the default).
    pub max_memory: Option<u64>,
}

impl Options {
    /// Check the command line and build options from it.
    pub fn from_cli(cli: Cli) -> Result<Options> {
        let format = match (cli.format, &cli.output) {
            (Some(FormatArg::Svg), _) => Format::Svg,
            (Some(FormatArg::Png), _) => Format::Png,
            (Some(FormatArg::Folded), _) => Format::Folded,
            (Some(FormatArg::Table), _) => Format::Table,
            (Some(FormatArg::Pprof), _) => Format::Pprof,
            (Some(FormatArg::Json), _) => Format::Json,
            (Some(FormatArg::Speedscope), _) => Format::Speedscope,
            (Some(FormatArg::Html), _) => Format::Html,
            (None, Some(path)) => Format::from_extension(path).ok_or_else(|| {
                Error::Usage(format!(
                    "cannot tell the output format from {:?}: name it .svg, .png, .folded, .txt, .md, .html, .pb.gz, .pprof, .json or .speedscope.json, or pass --format",
                    path.display().to_string()
                ))
            })?,
            (None, None) => Format::Svg,
        };
        if matches!(format, Format::Png | Format::Pprof)
            && !cli.list
            && cli.output.is_none()
            && std::io::stdout().is_terminal()
        {
            let (what, ext) = match format {
                Format::Png => ("a PNG", "png"),
                _ => ("gzipped pprof", "pb.gz"),
            };
            return Err(Error::Usage(format!(
                "refusing to write {what} to the terminal: use -o FILE.{ext} or redirect standard output"
            )));
        }
        if !(16..=100_000).contains(&cli.width.unwrap_or(1200)) {
            return Err(Error::Usage(
                "--width must be between 16 and 100000 pixels".into(),
            ));
        }
        if !(1..=1000).contains(&cli.frame_height) || !(1..=500).contains(&cli.font_size) {
            return Err(Error::Usage(
                "--frame-height must be 1 to 1000 and --font-size 1 to 500 pixels".into(),
            ));
        }
        if !(cli.min_width.is_finite() && (0.0..=100.0).contains(&cli.min_width)) {
            return Err(Error::Usage(
                "--min-width is a percentage from 0 to 100".into(),
            ));
        }
        if !(cli.png_scale.is_finite() && (0.1..=8.0).contains(&cli.png_scale)) {
            return Err(Error::Usage("--png-scale must be between 0.1 and 8".into()));
        }
        // The font family goes into the SVG's style sheet as is.
        if cli.font_type.is_empty()
            || !cli
                .font_type
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || " -_,".contains(c))
        {
            return Err(Error::Usage(
                "--font-type may hold only letters, digits, spaces, '-', '_' and ','".into(),
            ));
        }
        if let Some(p) = cli.thread.iter().find(|p| p.trim().is_empty()) {
            return Err(Error::Usage(format!(
                "--thread {p:?}: give part of a source name, or a thread id"
            )));
        }
        let weight = match cli.weight {
            WeightArg::Time => Weight::Time,
            WeightArg::Samples => Weight::Samples,
        };
        let (transforms, policy) = questions(&cli)?;
        let filters = [
            ("include", &cli.include),
            ("exclude", &cli.exclude),
            ("focus", &cli.focus),
            ("hide", &cli.hide),
        ]
        .iter()
        .flat_map(|(flag, values)| {
            values.iter().map(|v| crate::hints::Filter {
                flag: flag.to_string(),
                pattern: v.clone(),
            })
        })
        .collect();
        if cli.diff.is_some() && cli.chart {
            return Err(Error::Usage(
                "--diff draws a flame graph (SVG, PNG or folded), a table or JSON: it cannot be combined with --chart".into(),
            ));
        }
        if cli.diff.is_some() && format == Format::Pprof {
            return Err(Error::Usage(
                "--diff compares in a picture, folded text, a table or JSON; pprof compares two profiles itself (go tool pprof -diff_base BASE.pb.gz NEW.pb.gz)".into(),
            ));
        }
        if cli.diff.is_some() && format == Format::Speedscope {
            return Err(Error::Usage(
                "--diff compares in a picture, folded text, a table or JSON; speedscope has no differential view: export each profile".into(),
            ));
        }
        if cli.diff.as_deref().is_some_and(|d| d.as_os_str() == "-")
            && (cli.inputs.is_empty() || cli.inputs.iter().any(|p| p.as_os_str() == "-"))
        {
            return Err(Error::Usage(
                "standard input (-) can be read only once: give --diff BASE or INPUT as a file"
                    .into(),
            ));
        }
        if cli.reverse && (cli.chart || !matches!(format, Format::Svg | Format::Png)) {
            return Err(Error::Usage(
                "--reverse draws the callers view of a flame graph (SVG or PNG); a chart, folded text, the table and the other formats have none (inferno-flamegraph --reverse reads folded text; the HTML report has its sandwich view)".into(),
            ));
        }
        if cli.chart && cli.merge {
            return Err(Error::Usage(
                "--chart draws each source in its own band on one time axis; --merge would lay them end to end: leave --merge out, or pick sources with --thread".into(),
            ));
        }
        if cli.list && cli.diff.is_some() {
            return Err(Error::Usage(
                "--list prints the sources of INPUT: it takes no --diff".into(),
            ));
        }
        if cli.top.is_some() && !matches!(format, Format::Table | Format::Json) {
            return Err(Error::Usage(
                "--top sets the rows of --format table (or -o FILE.md) and the functions of --format json".into(),
            ));
        }
        let fail_if_grown = cli
            .fail_if_grown
            .as_deref()
            .map(crate::gate::Gate::parse)
            .transpose()?;
        if fail_if_grown.is_some() && cli.diff.is_none() {
            return Err(Error::Usage(
                "--fail-if-grown compares INPUT with a base: give --diff BASE".into(),
            ));
        }
        if cli.top == Some(0) {
            return Err(Error::Usage("--top must be at least 1".into()));
        }
        let picture = Picture {
            chart: cli.chart,
            width: cli.width,
            frame_height: cli.frame_height,
            font_size: cli.font_size,
            font_type: cli.font_type,
            min_width: cli.min_width,
            count_name: match weight {
                Weight::Time => "µs".into(),
                Weight::Samples => "samples".into(),
            },
            inverted: cli.inverted,
            reverse: cli.reverse,
            png_scale: cli.png_scale,
            palette: match cli.palette {
                PaletteArg::Default => Palette::Default,
                PaletteArg::Colorblind => Palette::Colorblind,
            },
            top: cli.top.unwrap_or(25),
            // --merge folds every source into one: nothing left to draw in bands.
            bands: !cli.merge,
            ..Picture::default()
        };
        // No input named and nothing piped in: a person at a terminal, not a
        // pipeline. A hint beats waiting for them to type a profile.
        if cli.inputs.is_empty() && std::io::stdin().is_terminal() {
            return Err(Error::Usage(
                "no input: give a profile file (cpuflame in.cpuprofile > flame.svg) or pipe one \
                 in (... | cpuflame -o flame.svg); cpuflame --help lists the options"
                    .into(),
            ));
        }
        let inputs = if cli.inputs.is_empty() {
            vec![PathBuf::from("-")]
        } else {
            cli.inputs
        };
        if inputs.iter().filter(|p| p.as_os_str() == "-").count() > 1 {
            return Err(Error::Usage(
                "standard input (-) can be read only once".into(),
            ));
        }
        Ok(Options {
            inputs,
            output: cli.output,
            format,
            fold: FoldOptions {
                weight,
                // The chart keeps idle periods so its time axis stays true.
                keep_idle: cli.idle || cli.chart,
                runs: cli.chart || format.needs_time_order(),
                merge: cli.merge,
                transforms,
                policy,
                lines: cli.lines,
            },
            picture,
            title: cli.title,
            subtitle: cli.subtitle,
            quiet: cli.quiet,
            max_memory: cli.max_memory,
            strict: cli.strict,
            threads: cli.thread,
            list: cli.list,
            diff: cli.diff,
            fail_if_grown,
            filters,
            source_maps: SourceMapOptions {
                mode: match cli.source_maps {
                    SourceMapsArg::Auto => symbolicate::Mode::Auto,
                    SourceMapsArg::Off => symbolicate::Mode::Off,
                },
                maps: cli.source_map,
                dir: cli.source_map_dir,
            },
        })
    }
}

/// Compile one pattern option (`--include` …) into one regex matching any of its values.
fn patterns(flag: &str, values: &[String]) -> Result<Option<Regex>> {
    let mut compiled = Vec::with_capacity(values.len());
    for v in values {
        if v.is_empty() {
            return Err(Error::Usage(format!(
                "--{flag} needs a regular expression; an empty one would match every frame"
            )));
        }
        let r = Regex::new(v).map_err(|e| {
            let why = e.to_string();
            let why = why.lines().last().unwrap_or("invalid").trim();
            Error::Usage(format!(
                "--{flag} {v:?} is not a valid regular expression: {why}"
            ))
        })?;
        compiled.push(r);
    }
    Ok(Transforms::any_of(&compiled))
}

/// The stack transforms and the sample policy asked for.
fn questions(cli: &Cli) -> Result<(Transforms, Policy)> {
    let transforms = Transforms {
        include: patterns("include", &cli.include)?,
        exclude: patterns("exclude", &cli.exclude)?,
        focus: patterns("focus", &cli.focus)?,
        hide: patterns("hide", &cli.hide)?,
        fold_packages: cli.fold_packages,
        collapse_recursion: cli.collapse_recursion,
    };
    let from = cli
        .from
        .as_deref()
        .map(|t| parse_time(t).map_err(|e| Error::Usage(format!("--from {t:?}: {e}"))))
        .transpose()?;
    let to = cli
        .to
        .as_deref()
        .map(|t| parse_time(t).map_err(|e| Error::Usage(format!("--to {t:?}: {e}"))))
        .transpose()?;
    if let (Some(f), Some(t)) = (from, to) {
        if t <= f {
            return Err(Error::Usage(format!(
                "--to ({}) must be later than --from ({})",
                cli.to.as_deref().unwrap_or(""),
                cli.from.as_deref().unwrap_or("")
            )));
        }
    }
    let window = (from.is_some() || to.is_some()).then(|| Window {
        from: from.unwrap_or(0.0),
        to,
    });
    let policy = Policy {
        window,
        no_program: cli.no_program,
        no_gc: cli.no_gc,
        gc_on_stack: cli.gc_on_stack,
        gaps: match cli.gaps {
            GapsArg::Keep => Gaps::Keep,
            GapsArg::Idle => Gaps::Idle,
        },
    };
    Ok((transforms, policy))
}

/// A duration such as `1.5s`, `200ms`, `350us`, `350µs` or `2m`, in microseconds.
/// A bare number is refused: the unit is too easy to get wrong.
pub fn parse_time(text: &str) -> std::result::Result<f64, String> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let value: f64 = number
        .parse()
        .map_err(|_| "expected a number followed by a unit, e.g. 1.5s, 200ms, 350us".to_string())?;
    let scale = match unit.trim() {
        "s" | "sec" => 1e6,
        "ms" => 1e3,
        "us" | "µs" | "μs" => 1.0,
        "m" | "min" => 60e6,
        "" => return Err("give a unit: s, ms or us (e.g. 1.5s, 200ms, 350us)".into()),
        other => return Err(format!("unknown unit {other:?}: use s, ms or us")),
    };
    let us = value * scale;
    if !us.is_finite() {
        return Err("the time is too large".into());
    }
    Ok(us)
}

#[cfg(test)]
mod tests {
    use super::parse_time;

    #[test]
    fn times() {
        assert_eq!(parse_time("1.5s"), Ok(1_500_000.0));
        assert_eq!(parse_time("200ms"), Ok(200_000.0));
        assert_eq!(parse_time("350us"), Ok(350.0));
        assert_eq!(parse_time("350µs"), Ok(350.0));
        assert_eq!(parse_time("0s"), Ok(0.0));
        assert!(parse_time("12").unwrap_err().contains("unit"));
        assert!(parse_time("-1s").is_err());
        assert!(parse_time("1.2.3s").is_err());
        assert!(parse_time("5 parsecs")
            .unwrap_err()
            .contains("unknown unit"));
    }
}
