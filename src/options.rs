//! Validated options: built from the command line, used by [`crate::app::run`].

use std::io::IsTerminal;
use std::path::PathBuf;

use crate::cli::{Cli, FormatArg, WeightArg};
use crate::error::{Error, Result};
use crate::export::{Format, Picture};
use crate::fold::{FoldOptions, Weight};

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
}

impl Options {
    /// Check the command line and build options from it.
    pub fn from_cli(cli: Cli) -> Result<Options> {
        let format = match (cli.format, &cli.output) {
            (Some(FormatArg::Svg), _) => Format::Svg,
            (Some(FormatArg::Png), _) => Format::Png,
            (Some(FormatArg::Folded), _) => Format::Folded,
            (None, Some(path)) => Format::from_extension(path).ok_or_else(|| {
                Error::Usage(format!(
                    "cannot tell the output format from {:?}: name it .svg, .png, .folded or .txt, or pass --format",
                    path.display().to_string()
                ))
            })?,
            (None, None) => Format::Svg,
        };
        if format == Format::Png
            && !cli.list
            && cli.output.is_none()
            && std::io::stdout().is_terminal()
        {
            return Err(Error::Usage(
                "refusing to write a PNG to the terminal: use -o FILE.png or redirect standard output".into(),
            ));
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
            // --merge folds every source into one: nothing left to draw in bands.
            bands: !cli.merge,
            ..Picture::default()
        };
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
                runs: cli.chart,
                merge: cli.merge,
            },
            picture,
            title: cli.title,
            subtitle: cli.subtitle,
            quiet: cli.quiet,
            strict: cli.strict,
            threads: cli.thread,
            list: cli.list,
        })
    }
}
