//! The compact model an HTML report carries, as JSON text.
//!
//! ```text
//! { version, title, subtitle, options[], inverted, time,
//!   strings[], cats[], colors[]          one per label: name, category, "#rrggbb"
//!   parent[], label[], self[], base[]?   the merged tree, root first, parents
//!                                        before children; parent as id - parent
//!   sources[{ name, first, end, drawn, runs[] }]  runs as (stack, gap, weight),
//!                                        times relative to the source's
//!                                        `--from` origin, gap = start - previous end
//!   legend{ title, entries[{ color, text }] }, baseName?, notes[] }
//! ```
//! Only stacks with weight are kept. With a base (`--diff`), the tree is the
//! union of both sides' stacks and `base` gives each one its base self weight,
//! scaled so both totals are equal (as the differential SVG does).

use std::collections::HashMap;
use std::fmt::Write;

use super::super::{diff, legend, palette, Picture};
use crate::fold::{policy, Category, Folded, StackTree, Weight};
use crate::model::NONE;

/// Write `v` as a JSON number: integers without a fraction, others in full.
fn num(out: &mut String, v: f64) {
    if !v.is_finite() {
        out.push('0');
    } else if v.fract() == 0.0 && v.abs() < 1e15 {
        let _ = write!(out, "{}", v as i64);
    } else {
        let _ = write!(out, "{v}");
    }
}

/// Write `s` as a JSON string.
fn string(out: &mut String, s: &str) {
    // serde_json escapes quotes, backslashes and control characters.
    out.push_str(&serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into()));
}

fn key(out: &mut String, k: &str) {
    if !out.ends_with('{') {
        out.push(',');
    }
    string(out, k);
    out.push(':');
}

fn list<T>(
    out: &mut String,
    items: impl IntoIterator<Item = T>,
    mut f: impl FnMut(&mut String, T),
) {
    out.push('[');
    for (i, it) in items.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        f(out, it);
    }
    out.push(']');
}

fn hex(c: inferno::flamegraph::color::Color) -> String {
    format!("#{:02x}{:02x}{:02x}", c.r, c.g, c.b)
}

/// The origin of each source's time window: its first sample, or the earliest
/// first sample of the sources sharing its clock (as `--from`/`--to` use).
fn origins(folded: &Folded) -> Vec<f64> {
    let s = &folded.sources;
    s.iter()
        .map(|a| {
            let own = a.timeline.first;
            match &a.info.clock {
                Some(clock) => s
                    .iter()
                    .filter(|b| b.info.clock.as_ref() == Some(clock) && b.timeline.samples > 0)
                    .map(|b| b.timeline.first)
                    .fold(own, f64::min),
                None => own,
            }
        })
        .map(|t| if t.is_finite() { t } else { 0.0 })
        .collect()
}

/// The model of `folded` (against `base`, if any) as JSON text.
pub fn encode(folded: &Folded, base: Option<(&Folded, &str)>, picture: &Picture) -> String {
    let tree = &folded.tree;
    let totals = tree.totals();
    // Kept stacks, renumbered in id order (so parents still come first).
    let mut new_id = vec![NONE; tree.len()];
    let mut parent: Vec<u32> = vec![NONE];
    let mut label: Vec<u32> = vec![NONE];
    let mut selfw: Vec<f64> = vec![0.0];
    new_id[0] = 0;
    for (id, n) in tree.nodes().iter().enumerate().skip(1) {
        if totals[id] <= 0.0 {
            continue;
        }
        let p = new_id[n.parent as usize];
        if p == NONE {
            continue;
        }
        new_id[id] = parent.len() as u32;
        parent.push(p);
        label.push(n.label);
        selfw.push(n.weight);
    }
    let mut names: Vec<String> = Vec::with_capacity(folded.labels.len());
    let mut cats: Vec<Category> = Vec::with_capacity(folded.labels.len());
    for (name, cat) in folded.labels.iter() {
        names.push(name.to_string());
        cats.push(cat);
    }
    // --diff: the base's stacks joined in, by label text.
    let mut base_self: Option<Vec<f64>> = None;
    if let Some((b, _)) = base {
        let scale = diff::base_scale(folded, b);
        let mut by_name: HashMap<String, u32> = names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.clone(), i as u32))
            .collect();
        let mut child: HashMap<(u32, u32), u32> = HashMap::new();
        for (i, (&p, &l)) in parent.iter().zip(&label).enumerate().skip(1) {
            child.insert((p, l), i as u32);
        }
        let mut weights = vec![0.0; parent.len()];
        let btotals = b.tree.totals();
        let mut map = vec![NONE; b.tree.len()];
        map[StackTree::ROOT as usize] = 0;
        for (id, n) in b.tree.nodes().iter().enumerate().skip(1) {
            let p = map[n.parent as usize];
            if btotals[id] <= 0.0 || p == NONE {
                continue;
            }
            let name = b.labels.name(n.label);
            let l = *by_name.entry(name.to_string()).or_insert_with(|| {
                names.push(name.to_string());
                cats.push(b.labels.category(n.label));
                (names.len() - 1) as u32
            });
            let id_new = *child.entry((p, l)).or_insert_with(|| {
                parent.push(p);
                label.push(l);
                selfw.push(0.0);
                weights.push(0.0);
                (parent.len() - 1) as u32
            });
            weights[id_new as usize] += n.weight * scale;
            map[id] = id_new;
        }
        base_self = Some(weights);
    }

    let mut out = String::with_capacity(64 + parent.len() * 16);
    out.push('{');
    key(&mut out, "version");
    string(&mut out, env!("CARGO_PKG_VERSION"));
    key(&mut out, "title");
    string(&mut out, &picture.title);
    key(&mut out, "subtitle");
    string(&mut out, picture.subtitle.as_deref().unwrap_or(""));
    key(&mut out, "options");
    let mut options = policy::subtitle_parts(folded);
    options.push(format!(
        "weights: {}",
        match folded.weight {
            Weight::Time => "time (µs)",
            Weight::Samples => "sample counts",
        }
    ));
    if picture.palette == palette::Palette::Colorblind {
        options.push("palette: colorblind".into());
    }
    list(&mut out, &options, |o, s| string(o, s));
    key(&mut out, "inverted");
    out.push_str(if picture.inverted { "true" } else { "false" });
    key(&mut out, "time");
    out.push_str(if folded.weight == Weight::Time {
        "true"
    } else {
        "false"
    });
    key(&mut out, "strings");
    list(&mut out, &names, |o, s| string(o, s));
    key(&mut out, "cats");
    list(&mut out, &cats, |o, c| string(o, c.name()));
    key(&mut out, "colors");
    list(&mut out, names.iter().zip(&cats), |o, (n, &c)| {
        string(o, &hex(palette::color_in(n, c, picture.palette)))
    });
    key(&mut out, "parent");
    list(&mut out, parent.iter().enumerate(), |o, (i, &p)| {
        let _ = write!(o, "{}", if p == NONE { 0 } else { i as u32 - p });
    });
    key(&mut out, "label");
    list(&mut out, &label, |o, &l| {
        let _ = write!(o, "{}", if l == NONE { -1 } else { l as i64 });
    });
    key(&mut out, "self");
    list(&mut out, &selfw, |o, &w| num(o, w));
    if let (Some(w), Some((_, base_name))) = (&base_self, base) {
        key(&mut out, "base");
        list(&mut out, w, |o, &w| num(o, (w * 1000.0).round() / 1000.0));
        key(&mut out, "baseName");
        string(&mut out, base_name);
    }
    key(&mut out, "sources");
    let origin = origins(folded);
    list(
        &mut out,
        folded.sources.iter().zip(&origin),
        |o, (s, &t0)| {
            o.push('{');
            key(o, "name");
            string(o, &s.info.name);
            key(o, "first");
            num(o, s.timeline.first - t0);
            key(o, "end");
            num(o, s.timeline.end - t0);
            key(o, "drawn");
            num(o, s.drawn);
            key(o, "runs");
            let mut end = 0.0;
            list(o, &s.runs, |o, r| {
                let id = new_id.get(r.stack as usize).copied().unwrap_or(NONE);
                let _ = write!(o, "{},", if id == NONE { 0 } else { id });
                let start = r.start - t0;
                num(o, start - end);
                o.push(',');
                num(o, r.weight);
                end = start + r.weight;
            });
            o.push('}');
        },
    );
    key(&mut out, "legend");
    let lg = match base {
        Some((_, name)) => legend::diff_legend(name),
        None => legend::entries(folded, picture.palette),
    };
    out.push('{');
    key(&mut out, "title");
    string(&mut out, &lg.title);
    key(&mut out, "entries");
    list(&mut out, &lg.entries, |o, e| {
        o.push('{');
        key(o, "color");
        string(o, &hex(e.color));
        key(o, "text");
        string(o, &e.text);
        o.push('}');
    });
    out.push('}');
    key(&mut out, "notes");
    list(&mut out, &folded.notes, |o, (input, note)| {
        string(o, &format!("{input}: {note}"))
    });
    out.push('}');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_strings_are_valid_json() {
        let mut s = String::new();
        num(&mut s, 12.0);
        s.push(' ');
        num(&mut s, 0.25);
        s.push(' ');
        num(&mut s, f64::NAN);
        assert_eq!(s, "12 0.25 0");
        let mut t = String::new();
        string(&mut t, "</script>\"\n");
        assert_eq!(t, r#""</script>\"\n""#);
    }
}
