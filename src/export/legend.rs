//! The colour legend drawn under a flame graph or chart (and so in its PNG).
//!
//! inferno draws the picture; we add a band at the bottom, made from the text
//! template `templates/legend.svg`, naming the colour of every category the
//! picture shows: application, each dependency package, runtime, native, GC,
//! idle, program. Differential graphs get a red/blue key instead. Every text is
//! XML-escaped: package names come from the profile and are untrusted.

use inferno::flamegraph::color::Color;

use super::palette::{self, Palette};
use super::{escape_xml, Picture};
use crate::fold::{label::package_of, Category, Folded};

const TEMPLATE: &str = include_str!("../../templates/legend.svg");

/// At most this many packages are named; the rest are counted.
const MAX_PACKAGES: usize = 12;

/// One colour in the legend.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The swatch.
    pub color: Color,
    /// What it stands for.
    pub text: String,
}

/// The legend's heading and entries.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Legend {
    /// Heading before the entries.
    pub title: String,
    /// The colours.
    pub entries: Vec<Entry>,
}

/// The categories (and dependency packages) of every frame `folded` draws.
pub fn entries(folded: &Folded, palette: Palette) -> Legend {
    let totals = folded.tree.totals();
    let mut present = [false; Category::ALL.len()];
    // Each package with the time spent in its own frames.
    let mut packages: Vec<(String, f64)> = Vec::new();
    for (id, node) in folded.tree.nodes().iter().enumerate().skip(1) {
        if totals[id] <= 0.0 {
            continue;
        }
        let category = folded.labels.category(node.label);
        if let Some(i) = Category::ALL.iter().position(|&c| c == category) {
            present[i] = true;
        }
        if category == Category::Dependency {
            let name = folded.labels.name(node.label);
            let package = package_of(name).unwrap_or(name);
            match packages.iter_mut().find(|p| p.0 == package) {
                Some(p) => p.1 += node.weight,
                None => packages.push((package.to_string(), node.weight)),
            }
        }
    }
    // The packages that take the most time first (then by name, for a stable order).
    packages.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let packages: Vec<String> = packages.into_iter().map(|p| p.0).collect();
    let mut legend = Legend {
        title: "Colours:".into(),
        entries: Vec::new(),
    };
    for (i, &category) in Category::ALL.iter().enumerate() {
        if !present[i] {
            continue;
        }
        if category == Category::Dependency {
            for p in packages.iter().take(MAX_PACKAGES) {
                legend.entries.push(Entry {
                    color: palette::color_in(p, category, palette),
                    text: format!("{p} (dependency)"),
                });
            }
            if packages.len() > MAX_PACKAGES {
                legend.entries.push(Entry {
                    color: palette::legend_color_in(category, palette),
                    text: format!("{} more packages", packages.len() - MAX_PACKAGES),
                });
            }
            continue;
        }
        legend.entries.push(Entry {
            color: palette::legend_color_in(category, palette),
            text: category.name().to_string(),
        });
    }
    legend
}

/// The key of a differential flame graph.
pub fn diff_legend(base_name: &str) -> Legend {
    Legend {
        title: format!("Against {base_name} (normalised by total time):"),
        entries: vec![
            Entry {
                color: Color {
                    r: 255,
                    g: 120,
                    b: 120,
                },
                text: "grew".into(),
            },
            Entry {
                color: Color {
                    r: 120,
                    g: 120,
                    b: 255,
                },
                text: "shrank".into(),
            },
            Entry {
                color: Color {
                    r: 250,
                    g: 250,
                    b: 250,
                },
                text: "unchanged".into(),
            },
        ],
    }
}

fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = template.to_string();
    for (k, v) in values {
        out = out.replace(&format!("{{{k}}}"), v);
    }
    out
}

/// The legend's markup placed at `y`, laid out within `width` pixels, and its height.
pub fn render(legend: &Legend, y: usize, width: usize, picture: &Picture) -> (String, usize) {
    let (group, entry) = TEMPLATE
        .split_once("<!-- ENTRY -->")
        .expect("the legend template has an ENTRY part");
    let group = group.split_once("-->\n").map_or(group, |(_, rest)| rest);
    let entry = entry.trim();
    let fs = picture.font_size.clamp(8, 24);
    let char_w = fs as f64 * 0.62;
    let swatch = fs;
    let row = fs + 8;
    let pad = 10;
    let title_w = (legend.title.chars().count() as f64 * char_w) as usize + 12;
    let mut x = pad + title_w;
    let mut row_y = y + 6;
    let mut body = String::new();
    for e in &legend.entries {
        let w = swatch + 6 + (e.text.chars().count() as f64 * char_w) as usize + 18;
        if x + w > width.saturating_sub(pad) && x > pad + title_w {
            x = pad + title_w;
            row_y += row;
        }
        body.push_str(&fill(
            entry,
            &[
                ("x", &x.to_string()),
                ("y", &(row_y + 1).to_string()),
                ("swatch", &swatch.to_string()),
                ("r", &e.color.r.to_string()),
                ("g", &e.color.g.to_string()),
                ("b", &e.color.b.to_string()),
                ("text_x", &(x + swatch + 6).to_string()),
                ("text_y", &(row_y + fs).to_string()),
                ("text", &escape_xml(&e.text)),
            ],
        ));
        body.push('\n');
        x += w;
    }
    let height = row_y + row + 6 - y;
    let svg = fill(
        group,
        &[
            ("font", &escape_xml(&picture.font_type)),
            ("font_size", &fs.to_string()),
            ("y", &y.to_string()),
            ("height", &height.to_string()),
            ("x", &pad.to_string()),
            ("title_y", &(y + 6 + fs).to_string()),
            ("title", &escape_xml(&legend.title)),
            ("entries", &body),
        ],
    );
    (svg, height)
}

/// Find `name="NUMBER"` in `tag` and give the number's byte range.
fn attr_range(tag: &str, name: &str) -> Option<(usize, usize)> {
    let key = format!(" {name}=\"");
    let start = tag.find(&key)? + key.len();
    let len = tag[start..].find('"')?;
    Some((start, start + len))
}

/// Add `legend` to the bottom of an SVG made by inferno (or the banded chart):
/// the root `<svg>`'s height and viewBox grow, and the legend goes before the
/// closing tag. An SVG of another shape (the "no samples" page) is left as is.
pub fn append(svg: &mut Vec<u8>, legend: &Legend, picture: &Picture) {
    if legend.entries.is_empty() {
        return;
    }
    let Ok(text) = std::str::from_utf8(svg) else {
        return;
    };
    let Some(open) = text.find("<svg ") else {
        return;
    };
    let Some(close) = text[open..].find('>').map(|i| open + i) else {
        return;
    };
    let tag = &text[open..close];
    let Some((hs, he)) = attr_range(tag, "height") else {
        return;
    };
    let Ok(height) = tag[hs..he].parse::<usize>() else {
        return;
    };
    let width = attr_range(tag, "width")
        .and_then(|(a, b)| tag[a..b].parse::<usize>().ok())
        .or(picture.width)
        .unwrap_or(1200);
    let Some(end) = text.rfind("</svg>") else {
        return;
    };
    let (markup, extra) = render(legend, height, width, picture);
    let new_height = (height + extra).to_string();
    let mut new_tag = tag.to_string();
    if let Some((vs, ve)) = attr_range(tag, "viewBox") {
        let parts: Vec<&str> = tag[vs..ve].split_whitespace().collect();
        if parts.len() == 4 {
            let vb = format!("{} {} {} {}", parts[0], parts[1], parts[2], new_height);
            new_tag.replace_range(vs..ve, &vb);
        }
    }
    // The height comes before the viewBox in the tag: replace it last so the
    // viewBox range above stays valid... unless it comes after; recompute.
    if let Some((hs2, he2)) = attr_range(&new_tag, "height") {
        new_tag.replace_range(hs2..he2, &new_height);
    }
    let mut out = String::with_capacity(text.len() + markup.len() + 16);
    out.push_str(&text[..open]);
    out.push_str(&new_tag);
    out.push_str(&text[close..end]);
    out.push_str(&markup);
    out.push_str(&text[end..]);
    *svg = out.into_bytes();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legend_grows_the_picture_and_escapes_names() {
        let mut svg = br#"<?xml version="1.0"?><svg version="1.1" width="600" height="100" viewBox="0 0 600 100" xmlns="http://www.w3.org/2000/svg"><svg id="frames"></svg></svg>"#.to_vec();
        let legend = Legend {
            title: "Colours:".into(),
            entries: vec![Entry {
                color: Color { r: 1, g: 2, b: 3 },
                text: "<evil>&\"pkg\" (dependency)".into(),
            }],
        };
        append(&mut svg, &legend, &Picture::default());
        let text = String::from_utf8(svg).unwrap();
        assert!(!text.contains("<evil>"), "{text}");
        assert!(text.contains("&lt;evil&gt;&amp;&quot;pkg&quot;"), "{text}");
        assert!(text.contains("rgb(1,2,3)"));
        assert!(!text.contains("height=\"100\""), "{text}");
        assert!(text.ends_with("</g>\n</svg>"), "{text}");
        roxmltree::Document::parse(&text).expect("well-formed");
    }
}
