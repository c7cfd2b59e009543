//! A flame chart of several sources: one band per source, stacked vertically
//! in one SVG, all on one time axis.
//!
//! Each band is an ordinary inferno flame chart. To make inferno's
//! percentage geometry line up across bands, every band's chart lines cover
//! the same total: a leading spacer run covers the time before the band's
//! first sample, spacers fill gaps between runs, and a trailing spacer runs
//! to the end of the axis. The spacers (and inferno's `all` frame, which
//! would span the whole axis) are then removed from the band's SVG, so only
//! real frames remain, at their real time offsets, with one scale (µs per
//! pixel) in every band.
//!
//! Where sources can be compared in time (the same clock key, such as the
//! threads of one process: V8's monotonic clock is shared within a process),
//! their bands are placed relative to the earliest first sample of the
//! group. Other sources start at the left edge, at their own first sample.
//! The subtitle says which.
//!
//! The composed SVG nests each band's `<svg>` at its offset inside an outer
//! `<svg>`. Each band keeps inferno's script (hover details, click to zoom,
//! its own Search button), wrapped in a function and pointed at the band's
//! own element ids; Ctrl-F searches every band at once. PNG output renders
//! the same SVG (resvg ignores scripts).

use rayon::prelude::*;

use super::titles::{human_duration, thousands};
use super::{escape_xml, palette, readable, svg, Picture};
use crate::error::Result;
use crate::fold::{Category, Folded, SourceSummary, StackTree, Weight};
use inferno::flamegraph::color::PaletteMap;

/// Label of the invisible runs that position each band on the shared axis.
pub const SPACER: &str = "(cpuflame spacer)";

/// Whether `picture` of `folded` is drawn as bands: a flame chart of more than one
/// source that were not merged.
pub fn is_banded(folded: &Folded, picture: &Picture) -> bool {
    picture.chart && picture.bands && folded.sources.len() > 1
}

/// How the bands were placed on the axis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Alignment {
    /// Every source shares one clock (the key given): true relative times.
    SharedClock(String),
    /// No two sources share a clock: each starts at its own first sample.
    OwnStart,
    /// Some sources share clocks (keys given) and are aligned within them;
    /// the others start at their own first sample.
    Mixed(Vec<String>),
    /// Widths are sample counts: no time axis, each band starts at its first sample.
    SampleCounts,
}

/// Where one source's band sits on the axis.
#[derive(Debug, Clone, PartialEq)]
pub struct Band {
    /// Index into [`Folded::sources`].
    pub source: usize,
    /// The time (µs, in the source's clock) drawn at the left edge of the axis.
    pub base: f64,
    /// From the left edge to the band's first sample, µs (0 for sample counts).
    pub offset: f64,
    /// From the first sample to the end of the last, µs (sample count for counts).
    pub span: f64,
    /// The clock key this band shares with other bands, if any.
    pub shared_clock: Option<String>,
}

/// Placement of every band.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    /// One per source, in source order.
    pub bands: Vec<Band>,
    /// Length of the axis, µs (or samples for sample counts).
    pub axis: f64,
    /// How bands were aligned.
    pub alignment: Alignment,
}

impl Layout {
    /// One phrase for the subtitle saying how bands were aligned.
    pub fn describe(&self) -> String {
        match &self.alignment {
            Alignment::SharedClock(key) => {
                format!("one band per source on one shared clock ({key})")
            }
            Alignment::OwnStart => {
                "one band per source, each from its own start (separate clocks)".into()
            }
            Alignment::Mixed(keys) => format!(
                "one band per source; sources on a shared clock ({}) are aligned on it, the others start at their own start",
                keys.join(", ")
            ),
            Alignment::SampleCounts => {
                "one band per source, widths in samples, each from its own first sample".into()
            }
        }
    }
}

fn has_samples(s: &SourceSummary) -> bool {
    s.timeline.samples > 0 && s.timeline.first.is_finite() && s.timeline.end.is_finite()
}

/// Place every source of `folded` on one axis.
pub fn layout(folded: &Folded) -> Layout {
    let sources = &folded.sources;
    if folded.weight == Weight::Samples {
        let bands: Vec<Band> = sources
            .iter()
            .enumerate()
            .map(|(i, s)| Band {
                source: i,
                base: s.timeline.first,
                offset: 0.0,
                span: s.runs.iter().map(|r| r.weight).sum(),
                shared_clock: None,
            })
            .collect();
        let axis = bands.iter().map(|b| b.span).fold(0.0, f64::max);
        return Layout {
            bands,
            axis,
            alignment: Alignment::SampleCounts,
        };
    }
    // Clock groups: sources with samples and the same clock key.
    let key_of = |s: &SourceSummary| s.info.clock.clone().filter(|_| has_samples(s));
    let mut groups: Vec<(String, f64, usize)> = Vec::new(); // key, earliest first, members
                                                            // Where each key is in `groups`: found by hash, since every file (or
                                                            // thread) may be its own clock.
    let mut group_of: rustc_hash::FxHashMap<String, usize> = Default::default();
    for s in sources {
        if let Some(k) = key_of(s) {
            match group_of.get(&k) {
                Some(&g) => {
                    let g = &mut groups[g];
                    g.1 = g.1.min(s.timeline.first);
                    g.2 += 1;
                }
                None => {
                    group_of.insert(k.clone(), groups.len());
                    groups.push((k, s.timeline.first, 1));
                }
            }
        }
    }
    groups.retain(|g| g.2 > 1);
    group_of = groups
        .iter()
        .enumerate()
        .map(|(i, g)| (g.0.clone(), i))
        .collect();
    let bands: Vec<Band> = sources
        .iter()
        .enumerate()
        .map(|(i, s)| {
            if !has_samples(s) {
                return Band {
                    source: i,
                    base: 0.0,
                    offset: 0.0,
                    span: 0.0,
                    shared_clock: None,
                };
            }
            let group = key_of(s).and_then(|k| group_of.get(&k).map(|&g| &groups[g]));
            let (base, shared_clock) = match group {
                Some(g) => (g.1, Some(g.0.clone())),
                None => (s.timeline.first, None),
            };
            Band {
                source: i,
                base,
                offset: s.timeline.first - base,
                span: s.timeline.end - s.timeline.first,
                shared_clock,
            }
        })
        .collect();
    let axis = bands
        .iter()
        .map(|b| b.offset + b.span)
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    let counted = bands.iter().filter(|b| b.span > 0.0).count();
    let shared = bands.iter().filter(|b| b.shared_clock.is_some()).count();
    let alignment = if shared == 0 {
        Alignment::OwnStart
    } else if groups.len() == 1 && shared == counted {
        Alignment::SharedClock(groups[0].0.clone())
    } else {
        Alignment::Mixed(groups.iter().map(|g| g.0.clone()).collect())
    };
    Layout {
        bands,
        axis,
        alignment,
    }
}

fn round(w: f64) -> u64 {
    if w.is_finite() && w > 0.0 {
        w.round() as u64
    } else {
        0
    }
}

/// A band's chart lines, earliest first, positioned on the axis with spacers
/// (all but the trailing one), and where they end.
fn band_lines(folded: &Folded, band: &Band, time: bool) -> (Vec<String>, u64) {
    let source = &folded.sources[band.source];
    let mut lines = Vec::with_capacity(source.runs.len() + 2);
    let mut scratch = Vec::new();
    let mut cursor: u64 = 0;
    let mut acc = 0.0;
    for run in &source.runs {
        let (start, end) = if time {
            (
                round(run.start - band.base),
                round(run.start + run.weight - band.base),
            )
        } else {
            let s = acc;
            acc += run.weight;
            (round(s), round(acc))
        };
        if start > cursor {
            lines.push(format!("{SPACER} {}", start - cursor));
            cursor = start;
        }
        if end > cursor {
            let mut s = String::new();
            folded
                .tree
                .write_path(run.stack, &folded.labels, &mut scratch, &mut s);
            s.push(' ');
            s.push_str(&(end - cursor).to_string());
            lines.push(s);
            cursor = end;
        }
    }
    (lines, cursor)
}

/// The colours of the labels one band draws (not of every label of every
/// source: a trace with 100,000 threads would copy them all 100,000 times).
fn band_palette(folded: &Folded, band: &Band, palette: palette::Palette) -> PaletteMap {
    let mut map = PaletteMap::default();
    let mut seen = rustc_hash::FxHashSet::default();
    for run in &folded.sources[band.source].runs {
        let mut stack = run.stack;
        while stack != StackTree::ROOT && stack != crate::model::NONE && seen.insert(stack) {
            let node = folded.tree.node(stack);
            let name = folded.labels.name(node.label);
            let category = folded.labels.category(node.label);
            map.insert(name, palette::color_in(name, category, palette));
            stack = node.parent;
        }
    }
    // inferno's bottom "all" frame has an empty name.
    map.insert("", palette::legend_color_in(Category::Source, palette));
    map.insert(SPACER, palette::legend_color(Category::Idle));
    map
}

/// The line under a band's heading.
fn band_subtitle(folded: &Folded, band: &Band) -> String {
    let s = &folded.sources[band.source];
    let samples = format!("{} samples", thousands(s.timeline.samples));
    if folded.weight == Weight::Samples {
        return samples;
    }
    if !has_samples(s) {
        return format!("{samples}: nothing to draw");
    }
    let when = match &band.shared_clock {
        Some(key) => format!("starts at +{} ({key} clock)", human_duration(band.offset)),
        None => "starts at its own first sample (own clock)".to_string(),
    };
    let mut parts = vec![
        when,
        format!("lasts {}", human_duration(band.span)),
        samples,
    ];
    if s.idle > 0.0 && s.drawn > 0.0 {
        parts.push(format!("{:.1}% idle", 100.0 * s.idle / s.drawn));
    }
    parts.join(" · ")
}

/// Element ids in inferno's SVG, renamed per band so the bands do not clash.
const IDS: &[&str] = &[
    "title", "subtitle", "details", "unzoom", "search", "matched", "frames",
];

/// The pieces of one inferno SVG.
struct Parts {
    height: f64,
    defs: String,
    style: String,
    script: String,
    body: String,
}

fn between<'a>(s: &'a str, start: &str, end: &str) -> Option<(usize, &'a str, usize)> {
    let a = s.find(start)? + start.len();
    let b = a + s[a..].find(end)?;
    Some((a, &s[a..b], b + end.len()))
}

fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let key = format!(" {name}=\"");
    between(tag, &key, "\"").map(|(_, v, _)| v)
}

fn split_inferno(svg: &str) -> Option<Parts> {
    let root_at = svg.find("<svg ")?;
    let root_end = root_at + svg[root_at..].find('>')?;
    let height: f64 = attr(&svg[root_at..=root_end], "height")?.parse().ok()?;
    let defs = between(svg, "<defs>", "</defs>")
        .map(|(_, d, _)| format!("<defs>{d}</defs>"))
        .unwrap_or_default();
    let style = between(svg, "<style type=\"text/css\">", "</style>")
        .map(|(_, s, _)| s.to_string())
        .unwrap_or_default();
    let (_, script, after_script) = between(svg, "<script type=\"text/ecmascript\">", "</script>")?;
    let script = script.replace("<![CDATA[", "").replace("]]>", "");
    let close = svg.rfind("</svg>")?;
    if close < after_script {
        return None;
    }
    Some(Parts {
        height,
        defs,
        style,
        script,
        body: svg[after_script..close].to_string(),
    })
}

/// inferno's script made to run for band `k` only, or `None` if inferno's
/// script no longer has the shape these edits expect (the band is then static).
fn band_script(js: &str, k: usize) -> Option<String> {
    let b = format!("-b{k}");
    let mut edits: Vec<(String, String)> = vec![
        (
            "document.getElementsByTagName(\"svg\")[0]".into(),
            format!("document.getElementById(\"band{b}\")"),
        ),
        (
            "parent.id == \"frames\"".into(),
            format!("parent.id == \"frames{b}\""),
        ),
        (
            "e.target.id == \"unzoom\"".into(),
            format!("e.target.id == \"unzoom{b}\""),
        ),
        (
            "e.target.id == \"search\"".into(),
            format!("e.target.id == \"search{b}\""),
        ),
        ("\"#frames rect\"".into(), format!("\"#frames{b} rect\"")),
        // One Ctrl-F for all bands: the outer script handles the key.
        ("window.addEventListener(\"keydown\",".into(), ";(0,".into()),
        // A zoom kept in the URL belongs to one band.
        (
            "if (params.x && params.y)".into(),
            format!("if (params.x && params.y && params.band == \"{k}\")"),
        ),
        (
            "zoom(find_group(document.querySelector(".into(),
            "zoom(find_group(frames.querySelector(".into(),
        ),
        (
            "params.y = el.attributes.y.value;".into(),
            format!("params.y = el.attributes.y.value; params.band = \"{k}\";"),
        ),
    ];
    for id in ["details", "search", "unzoom", "matched", "frames"] {
        edits.push((
            format!("getElementById(\"{id}\")"),
            format!("getElementById(\"{id}{b}\")"),
        ));
    }
    let mut out = js.to_string();
    for (from, to) in &edits {
        if !out.contains(from.as_str()) {
            return None;
        }
        out = out.replace(from.as_str(), to);
    }
    if out.contains("]]>") {
        return None;
    }
    Some(format!(
        "(function () {{\nvar total_samples, text, originalContent, bangWidth, wWidth, k;\n{out}\n\
         window.addEventListener(\"load\", function () {{ init(); }}, false);\n\
         (window.cpuflameBands = window.cpuflameBands || []).push({{search: search, toggle: search_prompt, searching: function () {{ return searching; }}}});\n}})();\n"
    ))
}

/// inferno's style sheet with every rule on one of its ids repeated for the
/// bands' renamed ids (`#title` also styles `#title-b0`, `#title-b1`, ...).
/// Plain id selectors, because resvg's CSS knows no attribute prefix selectors.
fn widen_style(style: &str, bands: usize) -> String {
    let mut out = String::with_capacity(style.len() * 2);
    for rule in style.split_inclusive('}') {
        let Some((selectors, body)) = rule.split_once('{') else {
            out.push_str(rule);
            continue;
        };
        let mut list: Vec<String> = Vec::new();
        for sel in selectors.split(',') {
            let sel = sel.trim();
            list.push(sel.to_string());
            let id = IDS.iter().find(|id| {
                let tag = format!("#{id}");
                sel.find(&tag).is_some_and(|at| {
                    !sel[at + tag.len()..]
                        .starts_with(|c: char| c.is_alphanumeric() || c == '-' || c == '_')
                })
            });
            if let Some(id) = id {
                for k in 0..bands {
                    list.push(sel.replace(&format!("#{id}"), &format!("#{id}-b{k}")));
                }
            }
        }
        let lead = &selectors[..selectors.len() - selectors.trim_start().len()];
        out.push_str(lead);
        out.push_str(&list.join(", "));
        out.push_str(" {");
        out.push_str(body);
    }
    out
}

/// Rename ids and drop the spacer frames and the axis-wide `all` frame.
fn band_body(body: &str, k: usize, axis: u64) -> String {
    let mut body = body.to_string();
    for id in IDS {
        body = body.replace(&format!("id=\"{id}\""), &format!("id=\"{id}-b{k}\""));
    }
    let mut out = String::with_capacity(body.len());
    let mut rest = body.as_str();
    let mut all_frame = None;
    let mut kept = 0usize;
    while let Some(at) = rest.find("<g><title>") {
        out.push_str(&rest[..at]);
        let Some(len) = rest[at..].find("</g>") else {
            break;
        };
        let g = &rest[at..at + len + 4];
        rest = &rest[at + len + 4..];
        let title = &g["<g><title>".len()..];
        if title.starts_with(&format!("{} (", escape_xml(SPACER))) {
            continue;
        }
        if title.starts_with("all (")
            && g.contains(" fg:x=\"0\" ")
            && g.contains(&format!(" fg:w=\"{axis}\""))
        {
            all_frame = Some(g.to_string());
            continue;
        }
        kept += 1;
        out.push_str(g);
    }
    if kept == 0 {
        // inferno's script needs one frame to measure its font on.
        if let Some(g) = all_frame {
            out.push_str(&g);
        }
    }
    out.push_str(rest);
    out
}

/// Draw the banded chart of `folded` into `out`.
pub fn write_bands(folded: &Folded, picture: &Picture, out: &mut Vec<u8>) -> Result<()> {
    let layout = layout(folded);
    let time = folded.weight == Weight::Time;
    let mut all_lines: Vec<(Vec<String>, u64)> = layout
        .bands
        .iter()
        .map(|b| band_lines(folded, b, time))
        .collect();
    let axis = all_lines
        .iter()
        .map(|l| l.1)
        .max()
        .unwrap_or(0)
        .max(round(layout.axis))
        .max(1);
    for (lines, end) in &mut all_lines {
        if *end < axis {
            lines.push(format!("{SPACER} {}", axis - *end));
        }
        // inferno draws chart input latest first.
        lines.reverse();
    }
    let rendered: Vec<Result<Vec<u8>>> = layout
        .bands
        .par_iter()
        .zip(all_lines.par_iter())
        .map(|(band, (lines, _))| {
            let mut p = picture.clone();
            p.title = folded.sources[band.source].info.name.clone();
            p.subtitle = Some(band_subtitle(folded, band));
            let mut m = band_palette(folded, band, picture.palette);
            let mut buf = Vec::with_capacity(1 << 15);
            svg::draw_lines(&p, &mut m, lines, &mut buf)?;
            // Cut labels keep the function name; tooltips say when a frame
            // starts on the shared axis.
            let text = String::from_utf8_lossy(&buf);
            let total = axis as f64;
            Ok(readable::relabel(&text, total, time, true, false).into_bytes())
        })
        .collect();

    let fs = picture.font_size as f64;
    let width = picture.width.unwrap_or(1200);
    let title_y = 2.0 * fs.max(12.0);
    let subtitle_y = title_y + 2.0 * fs;
    let mut y = subtitle_y + fs;
    let mut defs = String::new();
    let mut style = String::new();
    let mut bands_svg = String::new();
    for (k, (band, svg)) in layout.bands.iter().zip(rendered).enumerate() {
        let svg = String::from_utf8_lossy(&svg?).into_owned();
        let Some(parts) = split_inferno(&svg) else {
            return Err(crate::error::Error::Write {
                output: "SVG".into(),
                source: std::io::Error::other("inferno's SVG has an unexpected shape"),
            });
        };
        if k == 0 {
            defs = parts.defs.clone();
            style = parts.style.clone();
        }
        let source = &folded.sources[band.source];
        let script = match band_script(&parts.script, k) {
            Some(js) => format!("<script type=\"text/ecmascript\"><![CDATA[{js}]]></script>"),
            None => "<!-- inferno's script left out: its shape changed -->".to_string(),
        };
        let w = match picture.width {
            Some(w) => format!(" width=\"{w}\""),
            None => String::new(),
        };
        bands_svg.push_str(&format!(
            "<svg id=\"band-b{k}\" class=\"band\" x=\"0\" y=\"{y}\"{w} height=\"{h}\" data-source=\"{name}\" data-tid=\"{tid}\" data-offset-us=\"{off}\" data-span-us=\"{span}\" data-axis=\"{axis}\" data-clock=\"{clock}\">{script}{body}</svg>\n",
            h = parts.height,
            name = escape_xml(&source.info.name),
            tid = source.info.tid.map(|t| t.to_string()).unwrap_or_default(),
            off = round(band.offset),
            span = round(band.span),
            clock = escape_xml(band.shared_clock.as_deref().unwrap_or("")),
            body = band_body(&parts.body, k, axis),
        ));
        y += parts.height;
    }
    // One time axis under the bands, on the shared clock.
    let axis_svg = if time {
        let row = picture.font_size as f64 + 10.0;
        let markup = readable::axis_markup(
            axis as f64,
            10.0,
            y + 2.0,
            picture.width.map(|w| (w as f64 - 20.0).max(1.0)),
            picture.font_size,
        );
        y += row;
        markup
    } else {
        String::new()
    };
    let height = y + fs;
    let style = widen_style(&style, layout.bands.len());
    let fluid = picture.width.is_none();
    let outer_js = format!(
        concat!(
            "(function () {{\n",
            "var root = document.documentElement;\n",
            "if ({fluid}) {{ root.removeAttribute(\"width\"); root.removeAttribute(\"viewBox\"); }}\n",
            "var fitAxis = function () {{ var ax = document.getElementById(\"cpuflame-axis\"); if (ax && {fluid}) ax.setAttribute(\"width\", Math.max(1, root.width.baseVal.value - 20)); }};\n",
            "window.addEventListener(\"load\", fitAxis, false);\n",
            "window.addEventListener(\"resize\", fitAxis, false);\n",
            "window.addEventListener(\"keydown\", function (e) {{\n",
            "  if (e.keyCode === 114 || (e.ctrlKey && e.keyCode === 70)) {{\n",
            "    e.preventDefault();\n",
            "    var bands = window.cpuflameBands || [];\n",
            "    var active = bands.filter(function (b) {{ return b.searching(); }});\n",
            "    if (active.length) {{ active.forEach(function (b) {{ b.toggle(); }}); return; }}\n",
            "    var term = prompt(\"Enter a search term (regexp allowed, eg: ^ext4_)\", \"\");\n",
            "    if (term != null) bands.forEach(function (b) {{ b.search(term); }});\n",
            "  }}\n",
            "}}, false);\n",
            "}})();\n"
        ),
        fluid = fluid
    );
    let head = format!(
        concat!(
            "<?xml version=\"1.0\" standalone=\"no\"?>\n",
            "<svg version=\"1.1\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" ",
            "xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" ",
            "xmlns:fg=\"http://github.com/jonhoo/inferno\" data-bands=\"{n}\" data-axis=\"{axis}\">\n",
            "<!--cpuflame: a flame chart per source, drawn by inferno, on one time axis.-->\n",
            "{defs}<style type=\"text/css\">{style}</style>\n",
            "<script type=\"text/ecmascript\"><![CDATA[{js}]]></script>\n",
            "<rect x=\"0\" y=\"0\" width=\"100%\" height=\"{h}\" fill=\"#ffffff\"/>\n",
            "<text id=\"title\" fill=\"rgb(0,0,0)\" x=\"50%\" y=\"{ty}\">{title}</text>\n",
        ),
        w = width,
        h = height,
        n = layout.bands.len(),
        axis = axis,
        defs = defs,
        style = style,
        js = outer_js,
        ty = title_y,
        title = escape_xml(&picture.title),
    );
    out.extend_from_slice(head.as_bytes());
    if let Some(sub) = &picture.subtitle {
        out.extend_from_slice(
            format!(
                "<text id=\"subtitle\" x=\"50%\" y=\"{subtitle_y}\">{}</text>\n",
                escape_xml(sub)
            )
            .as_bytes(),
        );
    }
    out.extend_from_slice(bands_svg.as_bytes());
    out.extend_from_slice(axis_svg.as_bytes());
    out.extend_from_slice(b"</svg>\n");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The edits to inferno's script must all apply: if an inferno upgrade
    /// changes its script, this fails instead of bands silently losing
    /// their interactivity.
    #[test]
    fn script_edits_apply_to_infernos_script() {
        let mut map = palette::palette_map(&Default::default());
        let p = Picture {
            chart: true,
            ..Picture::default()
        };
        let mut buf = Vec::new();
        svg::draw_lines(&p, &mut map, &["a;b 10".into(), "a 5".into()], &mut buf).unwrap();
        let svg = String::from_utf8(buf).unwrap();
        let parts = split_inferno(&svg).expect("inferno's SVG splits");
        let js = band_script(&parts.script, 3).expect("every edit applies");
        assert!(js.contains("getElementById(\"frames-b3\")"));
        assert!(!js.contains("getElementById(\"frames\")"));
        assert!(!js.contains("window.addEventListener(\"keydown\""));
        let style = widen_style(&parts.style, 2);
        assert!(style.contains("#title, #title-b0, #title-b1 {"), "{style}");
        assert!(style.contains("#search:hover, #search-b0:hover, #search-b1:hover, #search.show"));
        assert!(!style.contains("#subtitle-b0-b"));
        let body = band_body(&parts.body, 3, 15);
        assert!(body.contains("id=\"frames-b3\""));
        assert!(!body.contains("<title>all ("), "{body}");
    }
}
