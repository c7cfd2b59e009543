//! `--diff BASE`: a differential flame graph of INPUT against BASE.
//!
//! Both profiles are folded with the same options; each stack gets two
//! weights, BASE's scaled so both totals are equal (a profile that ran longer
//! is not "slower everywhere"), then INPUT's. inferno draws such
//! `stack BASE INPUT` lines (the format of `difffolded.pl`) as a differential
//! flame graph: widths from INPUT, red where a frame grew, blue where it
//! shrank, the deeper the colour the larger the change. A stack only in BASE
//! has no width; `--format folded` still lists it.

use std::collections::HashMap;

use super::{legend, png, Format, Picture};
use crate::error::{Error, Result};
use crate::fold::Folded;

/// Every stack's self weight by its folded text.
fn weights(folded: &Folded) -> HashMap<String, f64> {
    let tree = &folded.tree;
    let mut scratch = Vec::new();
    let mut out = HashMap::new();
    for (id, node) in tree.nodes().iter().enumerate().skip(1) {
        if node.weight <= 0.0 {
            continue;
        }
        let mut s = String::new();
        tree.write_path(id as u32, &folded.labels, &mut scratch, &mut s);
        *out.entry(s).or_insert(0.0) += node.weight;
    }
    out
}

fn round(w: f64) -> u64 {
    if w.is_finite() && w > 0.0 {
        w.round() as u64
    } else {
        0
    }
}

/// The scale applied to BASE's weights so its total equals INPUT's.
pub fn base_scale(input: &Folded, base: &Folded) -> f64 {
    let (ti, tb) = (input.tree.total(), base.tree.total());
    if tb > 0.0 && ti > 0.0 {
        ti / tb
    } else {
        1.0
    }
}

/// `stack BASE_WEIGHT INPUT_WEIGHT` lines, BASE normalised to INPUT's total,
/// sorted by stack; stacks whose two weights both round to 0 are left out.
pub fn diff_lines(input: &Folded, base: &Folded) -> Vec<String> {
    let scale = base_scale(input, base);
    let a = weights(base);
    let b = weights(input);
    let mut stacks: Vec<&String> = a
        .keys()
        .chain(b.keys().filter(|k| !a.contains_key(*k)))
        .collect();
    stacks.sort_unstable();
    stacks
        .into_iter()
        .filter_map(|s| {
            let wa = round(a.get(s).copied().unwrap_or(0.0) * scale);
            let wb = round(b.get(s).copied().unwrap_or(0.0));
            (wa > 0 || wb > 0).then(|| format!("{s} {wa} {wb}"))
        })
        .collect()
}

/// Render the comparison of `input` against `base` (named `base_name`) in `format`.
pub fn export(
    input: &Folded,
    base: &Folded,
    base_name: &str,
    format: Format,
    picture: &Picture,
) -> Result<Vec<u8>> {
    let lines = diff_lines(input, base);
    let mut out = Vec::with_capacity(1 << 16);
    match format {
        Format::Folded => {
            for l in &lines {
                out.extend_from_slice(l.as_bytes());
                out.push(b'\n');
            }
        }
        Format::Svg => write_svg(&lines, base_name, picture, &mut out)?,
        Format::Png => {
            let mut p = picture.clone();
            p.width = Some(p.width.unwrap_or(1200));
            let mut svg = Vec::new();
            write_svg(&lines, base_name, &p, &mut svg)?;
            png::write_png(&svg, p.png_scale, p.fonts, &mut out)?;
        }
        Format::Html => {
            super::html::write_report(input, Some((base, base_name)), picture, &mut out)?
        }
        Format::Table => {
            return Err(Error::Usage(
                "--diff cannot be combined with --format table".into(),
            ))
        }
    }
    Ok(out)
}

fn write_svg(
    lines: &[String],
    base_name: &str,
    picture: &Picture,
    out: &mut Vec<u8>,
) -> Result<()> {
    // Nothing drawn in INPUT: inferno would refuse; draw the empty page.
    if !lines.iter().any(|l| !l.ends_with(" 0")) {
        let empty = Folded::default();
        return super::svg::write_svg(&empty, picture, out);
    }
    // A differential graph: stacks as given (never a chart), inferno's red/blue.
    let mut opt = super::svg::inferno_options(&Picture {
        chart: false,
        ..picture.clone()
    });
    super::svg::draw_with(&mut opt, lines, out)?;
    legend::append(out, &legend::diff_legend(base_name), picture);
    Ok(())
}
