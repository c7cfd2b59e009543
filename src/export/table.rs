//! `--format table`: a Markdown table of the top functions, for an issue or a
//! CI summary.
//!
//! A function is a frame label (after every transform). Its *self* time is the
//! weight of the stacks it is the top of; its *total* time is the weight of
//! every stack it is on, counted once per stack even when it recurses (as
//! DevTools' bottom-up view counts it). Rows are sorted by self time, then
//! total, then name; percentages are of the total drawn.

use std::collections::HashMap;

use super::titles::thousands;
use super::Picture;
use crate::fold::{Category, Folded, StackTree, Weight};
use crate::model::NONE;

/// One function's times.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The frame label.
    pub label: String,
    /// Its category.
    pub category: Category,
    /// Self weight.
    pub self_weight: f64,
    /// Total (inclusive) weight.
    pub total_weight: f64,
}

/// Every function's self and total weight, sorted by self weight (largest first).
pub fn rows(folded: &Folded) -> Vec<Row> {
    let tree = &folded.tree;
    let nodes = tree.nodes();
    let totals = tree.totals();
    let mut self_w: HashMap<u32, f64> = HashMap::new();
    let mut total_w: HashMap<u32, f64> = HashMap::new();
    // Depth-first over the tree with a count of each label on the current path,
    // so a recursive function's total counts each stack once.
    let mut children: Vec<Vec<u32>> = vec![Vec::new(); nodes.len()];
    for (i, n) in nodes.iter().enumerate().skip(1) {
        if n.parent != NONE {
            children[n.parent as usize].push(i as u32);
        }
    }
    let mut on_path: HashMap<u32, u32> = HashMap::new();
    // (node, entering?)
    let mut stack: Vec<(u32, bool)> = children[StackTree::ROOT as usize]
        .iter()
        .rev()
        .map(|&c| (c, true))
        .collect();
    while let Some((id, enter)) = stack.pop() {
        let n = &nodes[id as usize];
        if !enter {
            if let Some(c) = on_path.get_mut(&n.label) {
                *c -= 1;
            }
            continue;
        }
        if totals[id as usize] <= 0.0 {
            continue;
        }
        *self_w.entry(n.label).or_default() += n.weight;
        let count = on_path.entry(n.label).or_default();
        if *count == 0 {
            *total_w.entry(n.label).or_default() += totals[id as usize];
        }
        *count += 1;
        stack.push((id, false));
        for &c in children[id as usize].iter().rev() {
            stack.push((c, true));
        }
    }
    let mut rows: Vec<Row> = total_w
        .iter()
        // The root frame naming a thread or file is not a function.
        .filter(|(&label, _)| folded.labels.category(label) != Category::Source)
        .map(|(&label, &total)| Row {
            label: folded.labels.name(label).to_string(),
            category: folded.labels.category(label),
            self_weight: self_w.get(&label).copied().unwrap_or(0.0),
            total_weight: total,
        })
        .collect();
    rows.sort_by(|a, b| {
        b.self_weight
            .total_cmp(&a.self_weight)
            .then(b.total_weight.total_cmp(&a.total_weight))
            .then(a.label.cmp(&b.label))
    });
    rows
}

/// Split a label into function name and location (`fib (src/a.js:3:1)` →
/// `fib`, `src/a.js:3:1`).
pub fn split_label(label: &str, category: Category) -> (&str, &str) {
    let has_location = matches!(
        category,
        Category::App | Category::Dependency | Category::Runtime
    );
    if has_location && label.ends_with(')') {
        if let Some(i) = label.rfind(" (") {
            return (&label[..i], &label[i + 2..label.len() - 1]);
        }
    }
    (label, "")
}

/// Text as a Markdown code span fit for a table cell (`|` escaped, as GFM tables need).
pub fn code_md(s: &str) -> String {
    if s.is_empty() {
        return String::new();
    }
    let s = s.replace('|', "\\|");
    if s.contains('`') {
        format!("`` {s} ``")
    } else {
        format!("`{s}`")
    }
}

/// Escape plain text for Markdown (on one line: line breaks become spaces).
pub fn escape_md(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().map(|c| if c.is_control() { ' ' } else { c }) {
        if "\\`*_[]<>|~#".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn amount(w: f64, weight: Weight) -> String {
    match weight {
        Weight::Time => format!("{:.2} ms", w / 1000.0),
        Weight::Samples => thousands(w.round().max(0.0) as usize),
    }
}

/// The table: a heading line, then the Markdown table of the top `picture.top` functions.
pub fn table(folded: &Folded, picture: &Picture) -> String {
    let all = rows(folded);
    let total = folded.tree.total();
    let pct = |w: f64| {
        if total > 0.0 {
            format!("{:.1}%", 100.0 * w / total)
        } else {
            "0.0%".into()
        }
    };
    let mut out = heading(folded, picture, "Top functions", |unit| {
        format!("self {unit} | self % | total {unit} | total %")
    });
    for (i, r) in all.iter().take(picture.top).enumerate() {
        let (name, location) = split_label(&r.label, r.category);
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} |\n",
            i + 1,
            code_md(name),
            amount(r.self_weight, folded.weight),
            pct(r.self_weight),
            amount(r.total_weight, folded.weight),
            pct(r.total_weight),
            code_md(location),
        ));
    }
    if all.len() > picture.top {
        out.push_str(&format!(
            "\n{} of {} functions shown (--top N shows more); total {}.\n",
            picture.top.min(all.len()),
            thousands(all.len()),
            amount(total, folded.weight),
        ));
    } else {
        out.push_str(&format!("\nTotal {}.\n", amount(total, folded.weight)));
    }
    out
}

/// The title line (the picture's title, "Flame graph" becoming `what`), the
/// subtitle, and the head of a seven-column table whose four middle columns
/// `middle` names for the weight's unit (`time` or `samples`).
fn heading(
    folded: &Folded,
    picture: &Picture,
    what: &str,
    middle: impl Fn(&str) -> String,
) -> String {
    let unit = match folded.weight {
        Weight::Time => "time",
        Weight::Samples => "samples",
    };
    format!(
        "**{}**  \n{}\n\n| # | function | {} | location |\n|---:|---|---:|---:|---:|---:|---|\n",
        escape_md(&picture.title.replacen("Flame graph", what, 1)),
        escape_md(picture.subtitle.as_deref().unwrap_or("")),
        middle(unit),
    )
}

/// A signed amount (`+1.20 ms`, `-3`).
fn signed_amount(w: f64, weight: Weight) -> String {
    let sign = if w > 0.0 {
        "+"
    } else if w < 0.0 {
        "-"
    } else {
        ""
    };
    format!("{sign}{}", amount(w.abs(), weight))
}

/// `--format table --diff BASE`: the functions whose self time changed most
/// (either way), BASE normalised to INPUT's total ([`super::compare`]).
pub fn diff_table(folded: &Folded, base: super::Base<'_>, picture: &Picture) -> String {
    let c = super::compare::Comparison::of(folded, base.folded);
    let mut out = heading(folded, picture, "Changed functions", |unit| {
        format!("base self {unit} | new self {unit} | Δ | Δ%")
    });
    for (i, ch) in c.changes.iter().take(picture.top).enumerate() {
        let (name, location) = split_label(&ch.label, ch.category);
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} |\n",
            i + 1,
            code_md(name),
            amount(ch.base_self, folded.weight),
            amount(ch.new_self, folded.weight),
            signed_amount(ch.delta(), folded.weight),
            match ch.delta_pct() {
                Some(p) => format!("{p:+.1}%"),
                None => "new".into(),
            },
            code_md(location),
        ));
    }
    let growth = match c.total_growth_pct() {
        Some(p) => format!(" ({p:+.1}%)"),
        None => String::new(),
    };
    out.push_str(&format!(
        "\n{} of {} functions shown, by the size of their change in self time; \
         base: {}, total {}; new total {}{growth}. Base times are scaled by {:.3} \
         so that both totals are equal.\n",
        picture.top.min(c.changes.len()),
        thousands(c.changes.len()),
        escape_md(base.name),
        amount(c.base_total, folded.weight),
        amount(c.new_total, folded.weight),
        c.scale,
    ));
    out
}

/// `--format table`: the Markdown table of the top functions; with `--diff`,
/// the functions that changed most ([`diff_table`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct TableExporter;

impl super::Exporter for TableExporter {
    fn write(
        &self,
        job: &super::Job<'_>,
        out: &mut (dyn std::io::Write + Send),
    ) -> crate::error::Result<()> {
        let text = match job.base {
            None => table(job.folded, job.picture),
            Some(base) => diff_table(job.folded, base, job.picture),
        };
        out.write_all(text.as_bytes()).map_err(super::write_error)
    }
}
