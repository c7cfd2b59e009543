//! Function by function, INPUT against a `--diff` BASE: what the Markdown
//! diff table, the JSON summary's `diff` and the `--fail-if-grown` gate share.
//!
//! Each side's self and total times come from [`super::table::rows`] (the
//! table's own numbers). BASE's are scaled by [`super::diff::base_scale`] so
//! both totals are equal, as the differential flame graph does: a profile
//! that ran longer is not "slower everywhere", and a function that grew is
//! one whose *share* grew. Functions are matched by label, which both sides
//! build with the same script names.

use std::collections::HashMap;

use super::table::{rows, Row};
use crate::fold::{Category, Folded};

/// One function's self and total time on both sides.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// The frame label.
    pub label: String,
    /// Its category.
    pub category: Category,
    /// BASE's self weight, normalised to INPUT's total (0 when absent).
    pub base_self: f64,
    /// INPUT's self weight (0 when absent).
    pub new_self: f64,
    /// BASE's total weight, normalised.
    pub base_total: f64,
    /// INPUT's total weight.
    pub new_total: f64,
}

impl Change {
    /// Self weight gained (negative: lost).
    pub fn delta(&self) -> f64 {
        self.new_self - self.base_self
    }

    /// Self weight gained as a percentage of BASE's; `None` when BASE had none.
    pub fn delta_pct(&self) -> Option<f64> {
        (self.base_self > 0.0).then(|| 100.0 * self.delta() / self.base_self)
    }
}

/// INPUT against BASE.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// The scale applied to BASE's weights.
    pub scale: f64,
    /// BASE's total as recorded (not scaled).
    pub base_total: f64,
    /// INPUT's total.
    pub new_total: f64,
    /// Every function of either side, largest self change (either way) first.
    pub changes: Vec<Change>,
}

impl Comparison {
    /// Compare `input` with `base`.
    pub fn of(input: &Folded, base: &Folded) -> Comparison {
        let scale = super::diff::base_scale(input, base);
        let blank = |r: &Row| Change {
            label: r.label.clone(),
            category: r.category,
            base_self: 0.0,
            new_self: 0.0,
            base_total: 0.0,
            new_total: 0.0,
        };
        let mut changes: HashMap<String, Change> = HashMap::new();
        for r in rows(base) {
            let c = changes.entry(r.label.clone()).or_insert_with(|| blank(&r));
            c.base_self = r.self_weight * scale;
            c.base_total = r.total_weight * scale;
        }
        for r in rows(input) {
            let c = changes.entry(r.label.clone()).or_insert_with(|| blank(&r));
            c.new_self = r.self_weight;
            c.new_total = r.total_weight;
        }
        let mut changes: Vec<Change> = changes.into_values().collect();
        changes.sort_by(|a, b| {
            b.delta()
                .abs()
                .total_cmp(&a.delta().abs())
                .then(b.new_self.total_cmp(&a.new_self))
                .then(a.label.cmp(&b.label))
        });
        Comparison {
            scale,
            base_total: base.tree.total(),
            new_total: input.tree.total(),
            changes,
        }
    }

    /// The total's growth in percent of BASE's (raw totals, not normalised:
    /// did the whole run take longer?); `None` when BASE is empty.
    pub fn total_growth_pct(&self) -> Option<f64> {
        (self.base_total > 0.0)
            .then(|| 100.0 * (self.new_total - self.base_total) / self.base_total)
    }
}
