//! Edits to inferno's SVG so that every label can be read.
//!
//! - Labels keep the function name: inferno cuts them on the right (its
//!   `TextTruncateDirection::Right`, set in [`super::svg`]), and when a frame
//!   is too narrow for `name (file:line:col)` the location goes first (the
//!   tooltip still has it), both in the text inferno writes for a fixed width
//!   and in the text its script draws after load, a resize or a zoom.
//! - The root bar says what it is: `total: 1.12 s` instead of a blank bar.
//! - Flame charts get start offsets in their tooltips and labelled time ticks
//!   (`0 ms`, `250 ms`, `1.5 s`) under the frames.
//! - Pictures (PNG) leave out what only works in a browser: the Search and
//!   Reset Zoom buttons and the empty hover-details line.

use super::escape_xml;
use super::titles::{human_duration, thousands};

/// Drop the location from a label that does not fit, keeping the function
/// name; `w` is the width in pixels. Called by the edited inferno script.
const FIT_JS: &str = r#"
function cpuflame_fit(txt, w) {
    // The function name first: a location that does not fit is in the tooltip.
    var cw = known_font_width || fontsize * fontwidth;
    if (txt.length * cw < w) return txt;
    var at = txt.lastIndexOf(" (");
    return at > 0 ? txt.substring(0, at) : txt;
}
"#;

/// The line of inferno's script that takes a frame's label from its tooltip.
const TXT_LINE: &str = r#"var txt = find_child(e, "title").textContent.replace(/\([^(]*\)$/,"");"#;

/// An inferno SVG whose script fits every label with [`FIT_JS`]; `None` when
/// the script no longer has the shape this edit expects.
pub fn fit_labels_script(svg: &str) -> Option<String> {
    const END: &str = "]]></script>";
    if !svg.contains(TXT_LINE) || !svg.contains(END) {
        return None;
    }
    let fitted = format!(
        "var txt = cpuflame_fit({}, w);",
        TXT_LINE.strip_prefix("var txt = ")?.strip_suffix(';')?
    );
    let mut svg = svg.replace(TXT_LINE, &fitted);
    // Room for one character and "..", or no text: a bare ".." names nothing.
    for (from, to) in [
        (
            "if (w < 2 * known_font_width) {",
            "if (w < 3 * known_font_width) {",
        ),
        (
            "if (w < 2 * fontsize * fontwidth) {",
            "if (w < 3 * fontsize * fontwidth) {",
        ),
    ] {
        svg = svg.replacen(from, to, 1);
    }
    Some(svg.replacen(END, &format!("{FIT_JS}{END}"), 1))
}

/// What a frame's `<g>` holds, found by [`edit_frames`].
pub struct Frame<'a> {
    /// The tooltip text (XML-escaped, as in the SVG).
    pub title: &'a str,
    /// `fg:x`: where the frame starts, in weight units from the left edge.
    pub x: Option<u64>,
    /// The text drawn in the frame (escaped).
    pub text: &'a str,
}

/// Rewrite every frame of an inferno SVG: `edit` returns a new tooltip and a
/// new text (escaped), or `None` for either to keep it.
pub fn edit_frames(
    svg: &str,
    mut edit: impl FnMut(&Frame<'_>) -> (Option<String>, Option<String>),
) -> String {
    const OPEN: &str = "<g><title>";
    let mut out = String::with_capacity(svg.len() + svg.len() / 8);
    let mut rest = svg;
    while let Some(at) = rest.find(OPEN) {
        out.push_str(&rest[..at]);
        let g = &rest[at..];
        let Some(end) = g.find("</g>") else {
            break;
        };
        let g = &g[..end + 4];
        rest = &rest[at + g.len()..];
        let parsed = (|| {
            let t_end = g.find("</title>")?;
            let title = &g[OPEN.len()..t_end];
            let x = g
                .find(" fg:x=\"")
                .map(|i| &g[i + 7..])
                .and_then(|v| v[..v.find('"')?].parse().ok());
            let text_open = g.rfind("<text ")?;
            let text_start = text_open + g[text_open..].find('>')? + 1;
            let text_end = g.rfind("</text>")?;
            (text_start <= text_end).then_some((t_end, text_start, text_end, title, x))
        })();
        let Some((t_end, text_start, text_end, title, x)) = parsed else {
            out.push_str(g);
            continue;
        };
        let frame = Frame {
            title,
            x,
            text: &g[text_start..text_end],
        };
        let (new_title, new_text) = edit(&frame);
        out.push_str(OPEN);
        out.push_str(new_title.as_deref().unwrap_or(title));
        out.push_str(&g[t_end..text_start]);
        out.push_str(new_text.as_deref().unwrap_or(frame.text));
        out.push_str(&g[text_end..]);
    }
    out.push_str(rest);
    out
}

/// The text for a frame inferno cut short (`fib (src/work.js:3:1..`): the
/// function name alone when it fits in the room the cut text took.
pub fn name_first(title: &str, text: &str) -> Option<String> {
    let label = label_of(title);
    let shown = text.strip_suffix("..")?;
    if label.starts_with(shown) && label.len() > shown.len() {
        let at = label.rfind(" (")?;
        let name = &label[..at];
        if at > 0 && name.chars().count() <= shown.chars().count() {
            return Some(name.to_string());
        }
    }
    None
}

/// The label part of a tooltip: `name (loc)` without ` (1,234 µs, 5%)`.
fn label_of(title: &str) -> &str {
    match title.rfind(" (") {
        Some(at) if title.ends_with(')') => &title[..at],
        _ => title,
    }
}

/// The tooltip with the frame's start: `fib (a.js:1:1) (1,234 µs, 5%, at +250.0 ms)`.
pub fn with_start(title: &str, start_us: u64) -> Option<String> {
    let body = title.strip_suffix(')')?;
    Some(format!(
        "{body}, starts at +{})",
        escape_xml(&human_duration(start_us as f64))
    ))
}

/// What the root bar says: the total drawn.
pub fn total_label(total: f64, time: bool) -> String {
    if time {
        format!("total: {}", human_duration(total))
    } else {
        format!(
            "total: {} samples",
            thousands(total.round().max(0.0) as usize)
        )
    }
}

/// Give inferno's root frame (tooltip `all (…)`, no text) a label saying
/// what it is (when `root`), and fit every cut label to its function name; in a chart
/// (`chart`), add each frame's start to its tooltip.
pub fn relabel(svg: &str, total: f64, time: bool, chart: bool, root: bool) -> String {
    let total_text = escape_xml(&total_label(total, time));
    edit_frames(svg, |f| {
        if root && f.title.starts_with("all (") && f.x == Some(0) {
            let title = format!("{total_text}{}", &f.title[3..]);
            return (Some(title), Some(total_text.clone()));
        }
        let title = if chart && time {
            f.x.and_then(|x| with_start(f.title, x))
        } else {
            None
        };
        (title, name_first(f.title, f.text))
    })
}

/// Tick positions and labels for an axis `span_us` long: about `target`
/// ticks at a round step (1, 2, 2.5 or 5 × 10^k µs), as `(µs, label)`.
pub fn ticks(span_us: f64, target: usize) -> Vec<(f64, String)> {
    if !(span_us.is_finite() && span_us > 0.0) || target == 0 {
        return Vec::new();
    }
    let raw = span_us / target as f64;
    let mag = 10f64.powf(raw.log10().floor());
    // The round step giving the tick count nearest the target.
    let count = |step: f64| (span_us / step - target as f64).abs();
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .fold(
            10.0 * mag,
            |best, s| if count(s) < count(best) { s } else { best },
        )
        .max(1.0);
    let unit_ms = step >= 1_000.0;
    let mut out = Vec::new();
    let mut k = 0.0;
    while k * step <= span_us * (1.0 + 1e-9) && out.len() <= 4 * target {
        let t = k * step;
        out.push((t, tick_label(t, unit_ms)));
        k += 1.0;
    }
    out
}

/// `0 ms`, `250 ms`, `1.5 s`, `75 µs`: the shortest exact form.
fn tick_label(us: f64, unit_ms: bool) -> String {
    let trim = |v: f64| {
        let s = format!("{v:.3}");
        let s = s.trim_end_matches('0').trim_end_matches('.');
        s.to_string()
    };
    if us >= 1_000_000.0 {
        format!("{} s", trim(us / 1e6))
    } else if unit_ms {
        format!("{} ms", trim(us / 1e3))
    } else {
        format!("{} µs", trim(us))
    }
}

/// The markup of a time axis `span_us` long, drawn `width` pixels wide (or
/// as wide as the frames when `None`) at (`x`, `y`), with the ids the
/// scripts use to keep it as wide as the frames.
pub fn axis_markup(span_us: f64, x: f64, y: f64, width: Option<f64>, font_size: usize) -> String {
    let target = width.map_or(10, |w| ((w / 110.0) as usize).clamp(2, 12));
    let mut out = format!(
        "<svg id=\"cpuflame-axis\" x=\"{x}\" y=\"{y}\" {}height=\"{}\" overflow=\"visible\" font-size=\"{}\" fill=\"rgb(80,80,80)\">",
        width.map(|w| format!("width=\"{w}\" ")).unwrap_or_default(),
        font_size + 8,
        font_size.saturating_sub(1).max(8),
    );
    out.push_str("<line x1=\"0\" x2=\"100%\" y1=\"0.5\" y2=\"0.5\" stroke=\"rgb(150,150,150)\" stroke-width=\"1\"/>");
    for (t, label) in ticks(span_us, target) {
        let pct = 100.0 * t / span_us;
        let anchor = if pct > 99.0 {
            "end"
        } else if pct < 1.0 {
            "start"
        } else {
            "middle"
        };
        out.push_str(&format!(
            "<line x1=\"{pct:.4}%\" x2=\"{pct:.4}%\" y1=\"0\" y2=\"5\" stroke=\"rgb(110,110,110)\"/><text x=\"{pct:.4}%\" y=\"{}\" text-anchor=\"{anchor}\">{}</text>",
            font_size + 5,
            escape_xml(&label)
        ));
    }
    out.push_str("</svg>");
    out
}

/// JavaScript keeping the axis as wide as the frames when the SVG fills
/// the window (inferno's fluid drawing resizes the frames only).
pub const AXIS_WIDTH_JS: &str = "var cpuflame_axis = document.getElementById(\"cpuflame-axis\"); if (cpuflame_axis) cpuflame_axis.setAttribute(\"width\", frames.attributes.width.value);";

/// The line of inferno's script that sizes the frames to the window.
const FRAMES_WIDTH_LINE: &str =
    "frames.attributes.width.value = svg.width.baseVal.value - xpad * 2;";

/// Add a time axis under the frames of a single inferno flame chart, growing
/// the picture to make room. The axis is hidden while zoomed (its ticks are
/// those of the whole chart). Unchanged when the SVG has an unexpected shape.
pub fn add_chart_axis(svg: &str, span_us: f64, font_size: usize) -> String {
    (|| {
        let frames_at = svg.find("<svg id=\"frames\"")?;
        let frames_tag = &svg[frames_at..frames_at + svg[frames_at..].find('>')?];
        let x: f64 = attr(frames_tag, "x")?.parse().ok()?;
        let width: f64 = attr(frames_tag, "width")?.parse().ok()?;
        let root_at = svg.find("<svg ")?;
        let root_tag = &svg[root_at..root_at + svg[root_at..].find('>')?];
        let height: f64 = attr(root_tag, "height")?.parse().ok()?;
        // The bottom of the lowest frame.
        let mut bottom = 0.0f64;
        for r in svg[frames_at..].split("<rect ").skip(1) {
            let y: f64 = attr(r, "y").and_then(|v| v.parse().ok()).unwrap_or(0.0);
            let h: f64 = attr(r, "height")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0.0);
            bottom = bottom.max(y + h);
        }
        let row = (font_size + 10) as f64;
        let axis = axis_markup(span_us, x, bottom + 3.0, Some(width), font_size);
        let close = svg.rfind("</svg>")?;
        let mut out = String::with_capacity(svg.len() + axis.len() + 256);
        let new_height = format!("{}", height + row);
        let mut root = root_tag.replacen(
            &format!(" height=\"{}\"", attr(root_tag, "height")?),
            &format!(" height=\"{new_height}\""),
            1,
        );
        if let Some(vb) = attr(root_tag, "viewBox") {
            let parts: Vec<&str> = vb.split_whitespace().collect();
            if parts.len() == 4 {
                root = root.replacen(
                    &format!(" viewBox=\"{vb}\""),
                    &format!(
                        " viewBox=\"{} {} {} {new_height}\"",
                        parts[0], parts[1], parts[2]
                    ),
                    1,
                );
            }
        }
        out.push_str(&svg[..root_at]);
        out.push_str(&root);
        let mut body = svg[root_at + root_tag.len()..close].to_string();
        // Hide the ticks while zoomed (inferno shows Reset Zoom then).
        body = body.replacen(
            ".hide { display:none; }",
            ".hide { display:none; }\n#unzoom:not(.hide) ~ #cpuflame-axis { display:none; }",
            1,
        );
        body = body.replacen(
            FRAMES_WIDTH_LINE,
            &format!("{FRAMES_WIDTH_LINE} {AXIS_WIDTH_JS}"),
            1,
        );
        // The hover line and the search count move down under the axis.
        for id in ["details", "matched"] {
            body = shift_text_y(&body, id, row);
        }
        out.push_str(&body);
        out.push_str(&axis);
        out.push_str(&svg[close..]);
        Some(out)
    })()
    .unwrap_or_else(|| svg.to_string())
}

/// Move the `<text id="ID" … y="…">` down by `dy`.
fn shift_text_y(body: &str, id: &str, dy: f64) -> String {
    let key = format!("<text id=\"{id}\"");
    let Some(at) = body.find(&key) else {
        return body.to_string();
    };
    let Some(end) = body[at..].find('>').map(|e| at + e) else {
        return body.to_string();
    };
    let tag = &body[at..end];
    let Some(y) = attr(tag, "y").and_then(|v| v.parse::<f64>().ok()) else {
        return body.to_string();
    };
    let new_tag = tag.replacen(
        &format!(" y=\"{}\"", attr(tag, "y").unwrap_or_default()),
        &format!(" y=\"{:.2}\"", y + dy),
        1,
    );
    format!("{}{}{}", &body[..at], new_tag, &body[end..])
}

fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let key = format!(" {name}=\"");
    let start = tag.find(&key)? + key.len();
    let len = tag[start..].find('"')?;
    Some(&tag[start..start + len])
}

/// A picture (PNG) has no browser: leave out the Search and Reset Zoom
/// buttons and the hover-details and search-count lines.
pub fn for_picture(svg: &str) -> String {
    let mut out = svg.to_string();
    for id in ["search", "unzoom", "matched", "details"] {
        // Bands rename the ids `search-b0`, `search-b1`, …
        let mut from = 0;
        while let Some(rel) = out[from..].find(&format!("<text id=\"{id}")) {
            let at = from + rel;
            let after_id = &out[at + 10 + id.len()..];
            let same = after_id.starts_with('"') || after_id.starts_with("-b");
            match out[at..].find("</text>") {
                Some(len) if same => out.replace_range(at..at + len + 7, ""),
                _ => from = at + 1,
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tick_steps_are_round() {
        let t = ticks(1_270_000.0, 5);
        let labels: Vec<&str> = t.iter().map(|(_, l)| l.as_str()).collect();
        assert_eq!(
            labels,
            ["0 ms", "250 ms", "500 ms", "750 ms", "1 s", "1.25 s"]
        );
        let t = ticks(3_100_000.0, 6);
        let labels: Vec<&str> = t.iter().map(|(_, l)| l.as_str()).collect();
        assert_eq!(
            labels,
            ["0 ms", "500 ms", "1 s", "1.5 s", "2 s", "2.5 s", "3 s"]
        );
        let t = ticks(900.0, 4);
        assert_eq!(t[1].1, "250 µs");
        assert!(ticks(0.0, 5).is_empty());
    }

    #[test]
    fn cut_labels_keep_the_function_name() {
        assert_eq!(
            name_first(
                "fib (src/work.js:3:13) (149,511 µs, 13.39%)",
                "fib (src/wo.."
            ),
            Some("fib".into())
        );
        assert_eq!(
            name_first("parseCsvLine (src/p.js:3:13) (1 µs, 1%)", "parse.."),
            None,
            "a name that does not fit stays cut"
        );
        assert_eq!(
            name_first("fib (a.js:1:1) (1 µs, 1%)", "fib (a.js:1:1)"),
            None
        );
        assert_eq!(
            with_start("fib (a.js:1:1) (1,234 µs, 5%)", 250_000).as_deref(),
            Some("fib (a.js:1:1) (1,234 µs, 5%, starts at +250.0 ms)")
        );
    }

    #[test]
    fn pictures_lose_the_buttons() {
        let svg = "<svg><text id=\"search\" x=\"1\">Search</text><text id=\"search-b1\">Search</text><text id=\"title\">T</text><text id=\"details\"> </text></svg>";
        assert_eq!(for_picture(svg), "<svg><text id=\"title\">T</text></svg>");
    }
}
