//! Outputs: every format is made from the fold, never from the input.
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
//! | [`titles`] | default titles and subtitles |
//! | [`readable`] | edits to inferno's SVG: labels, time axis, picture-only cleanup |

pub mod bands;
pub mod diff;
pub mod folded;
pub mod legend;
pub mod palette;
pub mod png;
pub mod readable;
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
}

impl Format {
    /// The format a file name asks for by its extension, if any.
    pub fn from_extension(path: &std::path::Path) -> Option<Format> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "svg" => Some(Format::Svg),
            "png" => Some(Format::Png),
            "folded" | "txt" | "collapsed" => Some(Format::Folded),
            "md" | "markdown" => Some(Format::Table),
            _ => None,
        }
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
    let io = |source: std::io::Error| crate::error::Error::Write {
        output: "output".into(),
        source,
    };
    match format {
        Format::Folded if !picture.chart => folded::write_graph_overlapped(folded, out).map_err(io),
        _ => {
            let bytes = render(folded, format, picture)?;
            out.write_all(&bytes).map_err(io)
        }
    }
}

/// Render a format in memory.
fn render(folded: &Folded, format: Format, picture: &Picture) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(1 << 16);
    match format {
        Format::Table => out.extend_from_slice(table::table(folded, picture).as_bytes()),
        Format::Folded => {
            if picture.chart {
                for l in folded::chart_lines(folded) {
                    out.extend_from_slice(l.as_bytes());
                    out.push(b'\n');
                }
            } else {
                // Writing into memory cannot fail.
                let _ = folded::write_graph(folded, &mut out);
            }
        }
        Format::Svg => write_any_svg(folded, picture, &mut out)?,
        Format::Png => {
            let mut p = picture.clone();
            p.width = Some(p.width.unwrap_or(1200));
            let mut svg_bytes = Vec::new();
            write_any_svg(folded, &p, &mut svg_bytes)?;
            png::write_png(&svg_bytes, p.png_scale, p.fonts, &mut out)?;
        }
    }
    Ok(out)
}

/// The SVG for `folded`: banded when [`bands::is_banded`], else inferno's own.
fn write_any_svg(folded: &Folded, picture: &Picture, out: &mut Vec<u8>) -> Result<()> {
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
