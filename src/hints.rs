//! Hints for the moments a person would otherwise be puzzled: the same file
//! given twice, a filter that matches no frame, a window past the end of the
//! profile. Each check returns sentences for standard error; the run decides
//! whether they are warnings or an error.

use std::path::PathBuf;

use regex::Regex;

use crate::export::titles::human_duration;
use crate::fold::{Category, Folded, Window};

/// `files` with every file after its first occurrence left out (compared by
/// their real path, so `./a` and `a` are one file), and one warning
/// (`(file, sentence)`) per file given more than once. Standard input (`-`)
/// is never compared.
pub fn without_duplicates(files: Vec<PathBuf>) -> (Vec<PathBuf>, Vec<(String, String)>) {
    let mut seen: Vec<PathBuf> = Vec::with_capacity(files.len());
    let mut kept = Vec::with_capacity(files.len());
    let mut warned: Vec<PathBuf> = Vec::new();
    let mut warnings = Vec::new();
    for f in files {
        let real = if f.as_os_str() == "-" {
            None
        } else {
            Some(std::fs::canonicalize(&f).unwrap_or_else(|_| f.clone()))
        };
        if let Some(real) = real {
            if seen.contains(&real) {
                if !warned.contains(&real) {
                    warnings.push((
                        f.display().to_string(),
                        "given more than once; it is read once (its samples would \
                         otherwise count twice)"
                            .to_string(),
                    ));
                    warned.push(real);
                }
                continue;
            }
            seen.push(real);
        }
        kept.push(f);
    }
    (kept, warnings)
}

/// One `--include`/`--exclude`/`--focus`/`--hide` pattern as the user gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    /// The option, without dashes: `include`, `exclude`, `focus`, `hide`.
    pub flag: String,
    /// The regular expression as typed.
    pub pattern: String,
}

impl Filter {
    /// `--focus "parse"`, as messages and subtitles show it.
    pub fn describe(&self) -> String {
        // As typed in a shell: `--focus 'app\.js:1:1\)$'` (Rust's `{:?}` would
        // double every backslash of a regular expression).
        if self.pattern.contains('\'') {
            format!("--{} {:?}", self.flag, self.pattern)
        } else {
            format!("--{} '{}'", self.flag, self.pattern)
        }
    }
}

/// The filters that match no frame label of `folded`, each with a sentence
/// naming the closest frame names (when some are close).
pub fn unmatched_filters(filters: &[Filter], folded: &Folded) -> Vec<(Filter, String)> {
    let frames: Vec<&str> = folded
        .labels
        .iter()
        .filter(|(_, c)| *c != Category::Source)
        .map(|(l, _)| l)
        .collect();
    let mut out = Vec::new();
    for f in filters {
        // Already validated by the options; a pattern that fails here matches nothing.
        let matches = Regex::new(&f.pattern)
            .map(|re| frames.iter().any(|l| re.is_match(l)))
            .unwrap_or(false);
        if matches {
            continue;
        }
        let close = closest_names(&f.pattern, &frames, 3);
        let mut msg = format!("{} matched no frame", f.describe());
        if !close.is_empty() {
            msg.push_str(&format!(
                "; the closest function names are {}",
                close
                    .iter()
                    .map(|n| format!("{n:?}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        msg.push_str(" (patterns match `name (file:line:col)` labels, case-sensitively)");
        out.push((f.clone(), msg));
    }
    out
}

/// Up to `n` distinct function names (the label before ` (`) closest to
/// `pattern` by edit distance, ignoring case; only names within a third of the
/// pattern's length (at least 2 edits) count as close.
pub fn closest_names(pattern: &str, labels: &[&str], n: usize) -> Vec<String> {
    // The literal part of a pattern such as `^parseCsv ` is what the user meant.
    let wanted: String = pattern
        .chars()
        .filter(|c| c.is_alphanumeric() || "_$.-/:".contains(*c))
        .collect::<String>()
        .to_lowercase();
    if wanted.is_empty() {
        return Vec::new();
    }
    let limit = (wanted.chars().count() / 3).max(2);
    let mut scored: Vec<(usize, &str)> = Vec::new();
    for label in labels {
        let name = label.split(" (").next().unwrap_or(label);
        if name.is_empty() || name.starts_with('(') || scored.iter().any(|(_, s)| *s == name) {
            continue;
        }
        let lower = name.to_lowercase();
        let d = if lower.contains(&wanted) || wanted.contains(&lower) && lower.len() > 2 {
            0
        } else {
            edit_distance(&wanted, &lower)
        };
        if d <= limit {
            scored.push((d, name));
        }
    }
    scored.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(b.1)));
    scored
        .into_iter()
        .take(n)
        .map(|(_, s)| s.to_string())
        .collect()
}

/// Levenshtein distance over chars (names are short: quadratic is fine).
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The length of the longest source, µs from its first sample: what a
/// `--from`/`--to` window is measured against.
pub fn longest_span(folded: &Folded) -> f64 {
    folded
        .sources
        .iter()
        .filter(|s| s.timeline.samples > 0)
        .map(|s| s.timeline.end - s.timeline.first)
        .filter(|d| d.is_finite())
        .fold(0.0, f64::max)
}

/// What to say about a window that reaches past the end of the profile:
/// `Err` when it holds no sample at all, `Ok(Some)` for a warning when only
/// its end lies beyond, `Ok(None)` when it fits.
pub fn window_past_end(window: &Window, folded: &Folded) -> Result<Option<String>, String> {
    let span = longest_span(folded);
    let samples: usize = folded.sources.iter().map(|s| s.window_samples).sum();
    let sampled: usize = folded.sources.iter().map(|s| s.timeline.samples).sum();
    if sampled == 0 {
        return Ok(None);
    }
    if samples == 0 || window.from >= span {
        return Err(format!(
            "the window --from {} holds no samples: the profile lasts {} from its first sample",
            human_duration(window.from),
            human_duration(span)
        ));
    }
    match window.to {
        Some(to) if to > span => Ok(Some(format!(
            "--to {} is past the end of the profile ({} from its first sample): the window ends there",
            human_duration(to),
            human_duration(span)
        ))),
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distances() {
        assert_eq!(edit_distance("parsecsv", "parsecsv"), 0);
        assert_eq!(edit_distance("parscsv", "parsecsv"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
    }

    #[test]
    fn closest_names_prefer_near_spellings() {
        let labels = [
            "parseCsv (src/a.js:1:1)",
            "parseJson (src/a.js:9:1)",
            "main (src/a.js:20:1)",
            "(program)",
        ];
        assert_eq!(closest_names("^parseCvs ", &labels, 3), vec!["parseCsv"]);
        assert_eq!(
            closest_names("parse", &labels, 3),
            vec!["parseCsv", "parseJson"]
        );
        assert!(closest_names("zzzzzzzz", &labels, 3).is_empty());
    }

    #[test]
    fn duplicates_are_read_once() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.cpuprofile");
        std::fs::write(&a, "{}").unwrap();
        let dotted = dir.path().join(".").join("a.cpuprofile");
        let (kept, warnings) = without_duplicates(vec![a.clone(), dotted, a.clone()]);
        assert_eq!(kept, vec![a]);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].1.contains("given more than once"));
    }
}
