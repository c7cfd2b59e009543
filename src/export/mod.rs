//! Outputs: every format is made from the fold, never from the input, by an
//! [`Exporter`] ([`Format::exporter`]).
//!
//! | module | output |
//! |---|---|
//! | [`folded`] | folded stacks text |
//! | [`svg`] | interactive flame graph / flame chart (inferno) |
//! | [`bands`] | flame chart of several sources: one band each, one time axis |
//! | [`png`] | the SVG rasterised (resvg) |
//! | [`palette`] | colours by category |
//! | [`legend`] | the colour legend under the picture |
//! | [`table`] | Markdown table of the top functions |
//! | [`diff`] | differential flame graph (`--diff`) |
//! | [`pprof`] | gzipped pprof `profile.proto` |
//! | [`json`] | JSON summary for scripts and CI |
//! | [`speedscope`] | speedscope's file format |
//! | [`compare`] | function by function against a `--diff` base |
//! | [`frames`] | labels taken apart into name, file, line, column |
//! | [`html`] | self-contained HTML report (every view in one file) |
//! | [`titles`] | default titles and subtitles |
//! | [`readable`] | edits to inferno's SVG: labels, time axis, picture-only cleanup |

pub mod bands;
pub mod compare;
pub mod diff;
pub mod folded;
pub mod frames;
pub mod html;
pub mod json;
pub mod legend;
pub mod palette;
pub mod png;
pub mod pprof;
pub mod readable;
pub mod speedscope;
pub mod svg;
pub mod table;
pub mod titles;

use std::io::Write;

use crate::error::Result;
use crate::fold::Folded;

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Interactive SVG.
    Svg,
    /// PNG picture.
    Png,
    /// Folded stacks text.
    Folded,
    /// Markdown table of the top functions.
    Table,
    /// Gzipped pprof `profile.proto`.
    Pprof,
    /// JSON summary (`docs/summary.schema.json`).
    Json,
    /// speedscope's file format.
    Speedscope,
    /// Self-contained HTML report.
    Html,
}

impl Format {
    /// The format a file name asks for by its extension, if any.
    pub fn from_extension(path: &std::path::Path) -> Option<Format> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "svg" => Some(Format::Svg),
            "png" => Some(Format::Png),
            "folded" | "txt" | "collapsed" => Some(Format::Folded),
            "md" | "markdown" => Some(Format::Table),
            "pprof" => Some(Format::Pprof),
            "json" if name_ends_with(path, ".speedscope.json") => Some(Format::Speedscope),
            "json" => Some(Format::Json),
            "gz" if name_ends_with(path, ".pb.gz") => Some(Format::Pprof),
            "html" | "htm" => Some(Format::Html),
            _ => None,
        }
    }

    /// Whether the format carries both time and sample counts, so that the
    /// run folds the input a second time in the other weight
    /// ([`Job::other_weight`]).
    pub fn needs_both_weights(self) -> bool {
        matches!(self, Format::Pprof)
    }

    /// Whether the format needs the fold's runs in time order
    /// ([`crate::fold::FoldOptions::runs`]) even for a flame graph.
    pub fn needs_time_order(self) -> bool {
        // The HTML report carries the timeline (overview, flame chart, windows).
        matches!(self, Format::Speedscope | Format::Html)
    }
}

/// How the picture looks.
#[derive(Debug, Clone, PartialEq)]
pub struct Picture {
    /// Flame chart (time order) instead of flame graph.
    pub chart: bool,
    /// Title at the top.
    pub title: String,
    /// Line under the title.
    pub subtitle: Option<String>,
    /// Fixed width in pixels; `None` lets the SVG fill the browser window.
    pub width: Option<usize>,
    /// Height of one frame, px (default 16).
    pub frame_height: usize,
    /// Label font size, px (default 12).
    pub font_size: usize,
    /// Label font family (default `monospace`).
    pub font_type: String,
    /// Frames narrower than this many percent of the width are left out (default 0.1).
    pub min_width: f64,
    /// Unit shown in tooltips (`µs` or `samples`).
    pub count_name: String,
    /// Icicle graph: the root at the top.
    pub inverted: bool,
    /// Callers view: stacks reversed and merged by their leaf.
    pub reverse: bool,
    /// PNG scale relative to the SVG's pixel size.
    pub png_scale: f32,
    /// Fonts for PNG.
    pub fonts: png::FontSource,
    /// A flame chart of several sources is drawn as one band per source on a
    /// shared time axis ([`bands`]). Off when the sources were merged.
    pub bands: bool,
    /// Colour palette.
    pub palette: palette::Palette,
    /// Rows of the table output.
    pub top: usize,
}

impl Default for Picture {
    fn default() -> Self {
        Picture {
            chart: false,
            title: "Flame Graph".into(),
            subtitle: None,
            width: None,
            frame_height: 16,
            font_size: 12,
            font_type: "monospace".into(),
            min_width: 0.1,
            count_name: "µs".into(),
            inverted: false,
            reverse: false,
            png_scale: 1.5,
            fonts: png::FontSource::default(),
            bands: true,
            palette: palette::Palette::Default,
            top: 25,
        }
    }
}

/// What every exporter is handed: the fold of INPUT, how the picture looks,
/// and, with `--diff BASE`, the fold of BASE.
#[derive(Debug, Clone, Copy)]
pub struct Job<'a> {
    /// INPUT, folded with every filter, window and transform applied.
    pub folded: &'a Folded,
    /// Titles, sizes, colours, `--top`, `--chart` …
    pub picture: &'a Picture,
    /// `--diff BASE`: the base, folded with the same options.
    pub base: Option<Base<'a>>,
    /// INPUT folded again in the other weight (sample counts when `folded`
    /// is in time, and back), for formats that carry both
    /// ([`Format::needs_both_weights`]); `None` otherwise.
    pub other_weight: Option<&'a Folded>,
}

/// The base of a `--diff`.
#[derive(Debug, Clone, Copy)]
pub struct Base<'a> {
    /// BASE, folded with the same options and script names as INPUT.
    pub folded: &'a Folded,
    /// BASE as titles and legends name it.
    pub name: &'a str,
}

impl<'a> Job<'a> {
    /// A job with no `--diff` base.
    pub fn new(folded: &'a Folded, picture: &'a Picture) -> Job<'a> {
        Job {
            folded,
            picture,
            base: None,
            other_weight: None,
        }
    }
}

/// One output format: one small module each, behind this one trait (as
/// hyperfine's `export/` does), so that the run needs to know nothing of any.
pub trait Exporter {
    /// Write `job` in this format into `out`. Formats that are made in memory
    /// (pictures, documents) write their bytes only once complete; large text
    /// (folded stacks) is streamed. A failed write is an
    /// [`crate::error::Error::Write`] naming `output`: the caller renames it.
    fn write(&self, job: &Job<'_>, out: &mut (dyn Write + Send)) -> Result<()>;
}

impl Format {
    /// The exporter writing this format.
    pub fn exporter(self) -> Box<dyn Exporter> {
        match self {
            Format::Svg => Box::new(svg::SvgExporter),
            Format::Png => Box::new(png::PngExporter),
            Format::Folded => Box::new(folded::FoldedExporter),
            Format::Table => Box::new(table::TableExporter),
            Format::Pprof => Box::new(pprof::PprofExporter),
            Format::Json => Box::new(json::JsonExporter),
            Format::Speedscope => Box::new(speedscope::SpeedscopeExporter),
            Format::Html => Box::new(html::HtmlExporter),
        }
    }
}

/// Whether a file name ends with `suffix`, ignoring case.
fn name_ends_with(path: &std::path::Path, suffix: &str) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.to_ascii_lowercase().ends_with(suffix))
}

/// An I/O failure while writing an output, as [`Exporter::write`] reports it.
pub(crate) fn write_error(source: std::io::Error) -> crate::error::Error {
    crate::error::Error::Write {
        output: "output".into(),
        source,
    }
}

/// Render `folded` in `format`, in memory: the caller decides where the bytes go,
/// so that a failure never leaves a half-written file.
pub fn export(folded: &Folded, format: Format, picture: &Picture) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(1 << 16);
    write(folded, format, picture, &mut out)?;
    Ok(out)
}

/// Render `folded` in `format` into `out` as it is produced (folded text is
/// streamed; pictures are made in memory first). A failed write comes back as
/// [`crate::error::Error::Write`] naming `output`; the caller renames it.
pub fn write(
    folded: &Folded,
    format: Format,
    picture: &Picture,
    out: &mut (dyn Write + Send),
) -> Result<()> {
    format.exporter().write(&Job::new(folded, picture), out)
}

/// The SVG for `folded`: banded when [`bands::is_banded`], else inferno's own.
pub(crate) fn write_any_svg(folded: &Folded, picture: &Picture, out: &mut Vec<u8>) -> Result<()> {
    if bands::is_banded(folded, picture) {
        bands::write_bands(folded, picture, out)?;
    } else {
        svg::write_svg(folded, picture, out)?;
    }
    legend::append(out, &legend::entries(folded, picture.palette), picture);
    Ok(())
}

/// Escape text for XML content and attributes.
pub fn escape_xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
