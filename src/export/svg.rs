//! The interactive SVG, drawn by inferno: flame graph or flame chart.

use std::io::Write;

use inferno::flamegraph::{
    self, color::PaletteMap, Direction, Options as InfernoOptions, TextTruncateDirection,
};

use super::{folded, palette, readable, Picture};
use crate::error::{Error, Result};
use crate::fold::Folded;

/// Draw `folded` as an SVG into `out`.
pub fn write_svg(folded: &Folded, picture: &Picture, out: &mut dyn Write) -> Result<()> {
    let mut map = palette::palette_map_for(&folded.labels, picture.palette);
    // inferno leaves out frames narrower than `min_width` percent of the
    // total; prune them here already (a little under the limit, for rounding),
    // so that inferno gets thousands of lines, not a million.
    let prune_below = 0.9 * picture.min_width / 100.0 * folded.total();
    let mut picture = std::borrow::Cow::Borrowed(picture);
    let lines = if picture.chart {
        // inferno reverses chart input "so time moves left to right": give it
        // the runs latest first, and the earliest ends up at the left.
        let mut l = folded::pruned_chart_lines(folded, prune_below);
        l.reverse();
        // Say so when short runs were cut, as a chart of a million runs is.
        let runs: usize = folded.sources.iter().map(|s| s.runs.len()).sum();
        if l.len() < runs {
            let note = format!(
                "{} runs shorter than {}% of the width drawn on their callers",
                runs - l.len(),
                picture.min_width
            );
            let p = picture.to_mut();
            p.subtitle = Some(match p.subtitle.take() {
                Some(s) if !s.is_empty() => format!("{s} · {note}"),
                _ => note,
            });
        }
        l
    } else if picture.reverse {
        // The callers view merges by leaf: prune nothing before inferno does.
        folded::graph_lines(folded)
    } else {
        folded::pruned_graph_lines(folded, prune_below)
    };
    let mut buf = Vec::with_capacity(1 << 16);
    if lines.is_empty() {
        write_empty(&picture, &mut buf);
    } else {
        draw_lines(&picture, &mut map, &lines, &mut buf)?;
        // Every label readable: the root bar says what it is, cut labels keep
        // the function name, a chart gets start times and a time axis.
        let time = folded.weight == crate::fold::Weight::Time;
        let total: f64 = lines
            .iter()
            .filter_map(|l| l.rsplit_once(' ')?.1.parse::<f64>().ok())
            .sum();
        let text = String::from_utf8_lossy(&buf);
        let mut text = readable::relabel(&text, total, time, picture.chart, true);
        if picture.chart && time {
            text = readable::add_chart_axis(&text, total, picture.font_size);
        }
        buf = text.into_bytes();
    }
    out.write_all(&buf).map_err(|e| Error::Write {
        output: "SVG".into(),
        source: e,
    })
}

/// inferno's options for `picture`, without a palette map (the caller adds one).
pub(crate) fn inferno_options(picture: &Picture) -> InfernoOptions<'static> {
    let mut opt = InfernoOptions::default();
    opt.title = picture.title.clone();
    opt.subtitle = picture.subtitle.clone();
    opt.image_width = picture.width;
    opt.frame_height = picture.frame_height;
    opt.font_size = picture.font_size;
    opt.font_type = picture.font_type.clone();
    opt.min_width = picture.min_width;
    opt.count_name = picture.count_name.clone();
    opt.name_type = "Function:".to_string();
    opt.deterministic = true;
    opt.bgcolors = Some(flamegraph::color::BackgroundColor::Grey);
    // Keep the function name: cut long labels on the right, not the left.
    opt.text_truncate_direction = TextTruncateDirection::Right;
    opt.search_color = palette::search_color(picture.palette);
    if picture.inverted {
        opt.direction = Direction::Inverted;
    }
    if picture.chart {
        opt.flame_chart = true;
    } else {
        opt.reverse_stack_order = picture.reverse;
    }
    opt
}

/// Have inferno draw folded `lines` with `opt`.
pub(crate) fn draw_with(
    opt: &mut InfernoOptions<'_>,
    lines: &[String],
    out: &mut Vec<u8>,
) -> Result<()> {
    // inferno adds the weights up in a usize, unchecked: refuse a total it
    // cannot hold (only absurd input: 2^64 µs is 585,000 years).
    let total = lines.iter().try_fold(0u64, |sum, l| {
        l.rsplit(' ')
            .take(2)
            .filter_map(|w| w.parse::<u64>().ok())
            .try_fold(sum, u64::checked_add)
    });
    if total.is_none_or(|t| usize::try_from(t).is_err()) {
        return Err(Error::Write {
            output: "SVG".into(),
            source: std::io::Error::other(
                "the weights add up to more than 2^64, more than a flame graph can draw",
            ),
        });
    }
    let start = out.len();
    flamegraph::from_lines(opt, lines.iter().map(String::as_str), &mut *out).map_err(|e| {
        Error::Write {
            output: "SVG".into(),
            source: e,
        }
    })?;
    // Labels drawn by the script (after load, a resize, a zoom) keep the
    // function name too.
    if let Ok(svg) = std::str::from_utf8(&out[start..]) {
        if let Some(fitted) = readable::fit_labels_script(svg) {
            out.truncate(start);
            out.extend_from_slice(fitted.as_bytes());
        }
    }
    Ok(())
}

/// Have inferno draw folded `lines` (chart lines latest first) with our options.
pub(crate) fn draw_lines(
    picture: &Picture,
    map: &mut PaletteMap,
    lines: &[String],
    out: &mut Vec<u8>,
) -> Result<()> {
    let mut opt = inferno_options(picture);
    opt.palette_map = Some(map);
    draw_with(&mut opt, lines, out)
}

/// A small SVG saying there is nothing to draw (inferno would print an error).
fn write_empty(picture: &Picture, out: &mut Vec<u8>) {
    let esc = super::escape_xml;
    let _ = write!(
        out,
        concat!(
            "<?xml version=\"1.0\" standalone=\"no\"?>\n",
            "<svg version=\"1.1\" width=\"{w}\" height=\"80\" viewBox=\"0 0 {w} 80\" xmlns=\"http://www.w3.org/2000/svg\">",
            "<rect width=\"100%\" height=\"100%\" fill=\"#f8f8f8\"/>",
            "<text x=\"50%\" y=\"28\" text-anchor=\"middle\" font-family=\"monospace\" font-size=\"17\">{t}</text>",
            "<text x=\"50%\" y=\"56\" text-anchor=\"middle\" font-family=\"monospace\" font-size=\"12\">No samples to draw{s}</text>",
            "</svg>\n"
        ),
        w = picture.width.unwrap_or(1200),
        t = esc(&picture.title),
        s = picture
            .subtitle
            .as_deref()
            .map(|s| format!(" ({})", esc(s)))
            .unwrap_or_default(),
    );
}

/// `--format svg`: the interactive flame graph or chart; with `--diff`, the
/// differential flame graph.
#[derive(Debug, Clone, Copy, Default)]
pub struct SvgExporter;

impl super::Exporter for SvgExporter {
    fn write(&self, job: &super::Job<'_>, out: &mut (dyn Write + Send)) -> Result<()> {
        let mut bytes = Vec::with_capacity(1 << 16);
        match job.base {
            None => super::write_any_svg(job.folded, job.picture, &mut bytes)?,
            Some(base) => super::diff::write_diff_svg(job.folded, base, job.picture, &mut bytes)?,
        }
        out.write_all(&bytes).map_err(super::write_error)
    }
}
