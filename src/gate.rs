//! `--fail-if-grown PCT[:REGEX]`: a regression gate for CI.
//!
//! With `--diff BASE`, the run writes its output as usual, then fails with
//! [`EXIT_GROWN`] when
//! - no REGEX: INPUT's total grew by more than PCT percent over BASE's (raw
//!   totals: did the same workload take longer?);
//! - REGEX: the self time of a function whose label (`name (file:line:col)`)
//!   matches grew by more than PCT percent after normalising both totals
//!   ([`crate::export::compare`]): its *share* of the time grew. A matching
//!   function BASE does not have at all counts as grown.
//!
//! Sampling noise between two recordings of the same workload is several
//! percent for a function with a few hundred samples, so a useful PCT is
//! 10–20, on profiles of the same workload recorded alike.

use regex::Regex;

use crate::error::{Error, Result};
use crate::export::compare::Comparison;
use crate::fold::{Folded, Weight};

/// The exit status of a run whose gate failed: distinct from errors (1) and
/// usage errors (2).
pub const EXIT_GROWN: i32 = 3;

/// A parsed `--fail-if-grown`.
#[derive(Debug, Clone)]
pub struct Gate {
    /// Growth allowed, percent.
    pub pct: f64,
    /// Functions to watch; `None`: the total.
    pub pattern: Option<Regex>,
}

impl Gate {
    /// Parse `PCT` or `PCT:REGEX` (`20`, `20%`, `12.5:^slowFn `).
    pub fn parse(text: &str) -> Result<Gate> {
        let (pct, pattern) = match text.split_once(':') {
            Some((p, r)) => (p, Some(r)),
            None => (text, None),
        };
        let pct: f64 = pct
            .trim()
            .trim_end_matches('%')
            .parse()
            .ok()
            .filter(|p: &f64| p.is_finite() && *p >= 0.0)
            .ok_or_else(|| {
                Error::Usage(format!(
                    "--fail-if-grown {text:?}: expected PCT or PCT:REGEX, PCT a percentage of 0 or more (e.g. 20:slowFn)"
                ))
            })?;
        let pattern = match pattern {
            None => None,
            Some("") => {
                return Err(Error::Usage(format!(
                    "--fail-if-grown {text:?}: the regular expression after ':' is empty"
                )))
            }
            Some(r) => Some(Regex::new(r).map_err(|e| {
                let why = e.to_string();
                let why = why.lines().last().unwrap_or("invalid").trim().to_string();
                Error::Usage(format!(
                    "--fail-if-grown {text:?}: {r:?} is not a valid regular expression: {why}"
                ))
            })?),
        };
        Ok(Gate { pct, pattern })
    }

    /// What grew past the limit, one sentence each; empty when the gate passes.
    pub fn check(&self, input: &Folded, base: &Folded) -> Vec<String> {
        let c = Comparison::of(input, base);
        let amount = |w: f64| match input.weight {
            Weight::Time => format!("{:.2} ms", w / 1000.0),
            Weight::Samples => format!("{w:.0} samples"),
        };
        let Some(pattern) = &self.pattern else {
            return match c.total_growth_pct() {
                Some(g) if g > self.pct => vec![format!(
                    "the total grew by {g:.1}% (limit {}%): {} -> {}",
                    self.pct,
                    amount(c.base_total),
                    amount(c.new_total)
                )],
                _ => Vec::new(),
            };
        };
        // A function is its name and file: an edit above it moves its line
        // and column, and must neither make it "new" nor hide its growth.
        let mut by_function: std::collections::BTreeMap<String, (f64, f64)> = Default::default();
        for ch in c.changes.iter().filter(|ch| pattern.is_match(&ch.label)) {
            let e = by_function.entry(function_of(&ch.label)).or_default();
            e.0 += ch.base_self;
            e.1 += ch.new_self;
        }
        let mut grown: Vec<_> = by_function
            .iter()
            .filter(|(_, &(_, new_self))| new_self > 0.0)
            .filter_map(|(function, &(base_self, new_self))| {
                if base_self <= 0.0 {
                    return Some(format!(
                        "{function}: new, not in the base: {} of self time",
                        amount(new_self)
                    ));
                }
                let g = 100.0 * (new_self - base_self) / base_self;
                (g > self.pct).then(|| {
                    format!(
                        "{function}: self time grew by {g:.1}% after normalising (limit {}%): {} -> {}",
                        self.pct,
                        amount(base_self),
                        amount(new_self)
                    )
                })
            })
            .collect();
        grown.sort();
        grown
    }
}

/// A frame label without its line and column: `slowFn (app.js:12:3)` is
/// `slowFn (app.js)`; labels with no position stay as they are.
fn function_of(label: &str) -> String {
    if let Some(body) = label.strip_suffix(')') {
        let mut parts = body.rsplitn(3, ':');
        if let (Some(col), Some(line), Some(rest)) = (parts.next(), parts.next(), parts.next()) {
            let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
            if digits(col) && digits(line) {
                return format!("{rest})");
            }
        }
    }
    label.to_string()
}

#[cfg(test)]
mod tests {
    use super::{function_of, Gate};

    #[test]
    fn functions_are_named_without_their_position() {
        assert_eq!(function_of("slowFn (app.js:12:3)"), "slowFn (app.js)");
        assert_eq!(
            function_of("f (http://h:8080/a.js:1:2)"),
            "f (http://h:8080/a.js)"
        );
        assert_eq!(function_of("(program)"), "(program)");
        assert_eq!(function_of("g (a.js:x:1)"), "g (a.js:x:1)");
    }

    #[test]
    fn parses() {
        let g = Gate::parse("20:slowFn").unwrap();
        assert_eq!(g.pct, 20.0);
        assert!(g.pattern.unwrap().is_match("slowFn (a.js:1:1)"));
        assert_eq!(Gate::parse("12.5%").unwrap().pct, 12.5);
        assert!(Gate::parse("20").unwrap().pattern.is_none());
        // The regex may itself hold ':' (a location).
        assert!(Gate::parse("5:a.js:1")
            .unwrap()
            .pattern
            .unwrap()
            .is_match("f (a.js:1:2)"));
        for bad in ["", "x", "-3", "20:", "20:(", "nan"] {
            assert!(Gate::parse(bad).is_err(), "{bad:?}");
        }
    }
}
