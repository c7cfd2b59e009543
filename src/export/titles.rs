//! Titles and subtitles filled in from what the fold learned.

use crate::fold::{Folded, Weight};

/// A duration in µs, in the unit a person reads best.
pub fn human_duration(us: f64) -> String {
    let us = if us.is_finite() { us.max(0.0) } else { 0.0 };
    if us < 1_000.0 {
        format!("{us:.0} µs")
    } else if us < 1_000_000.0 {
        format!("{:.1} ms", us / 1_000.0)
    } else {
        format!("{:.2} s", us / 1_000_000.0)
    }
}

/// A count with thousands separators.
pub fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The default title: the input's name (or how many inputs there are).
pub fn title(input_names: &[String], chart: bool) -> String {
    let what = if chart { "Flame chart" } else { "Flame graph" };
    match input_names {
        [one] => format!("{what}: {one}"),
        many => format!("{what}: {} profiles", many.len()),
    }
}

/// The default title for one directory given as input.
pub fn directory_title(dir: &str, files: usize, chart: bool) -> String {
    let what = if chart { "Flame chart" } else { "Flame graph" };
    let n = if files == 1 {
        "1 profile".to_string()
    } else {
        format!("{files} profiles")
    };
    format!("{what}: {dir}/ ({n})")
}

/// The default subtitle: duration, samples, mean interval, idle left out.
pub fn subtitle(folded: &Folded, chart: bool, keep_idle: bool) -> String {
    subtitle_spanning(folded, chart, keep_idle, None)
}

/// The default subtitle, with the duration given by the caller when `span` is
/// `Some` (a banded chart shows the length of its shared time axis, not the sum
/// of every source's duration).
pub fn subtitle_spanning(
    folded: &Folded,
    chart: bool,
    keep_idle: bool,
    span: Option<f64>,
) -> String {
    let samples: usize = folded.sources.iter().map(|s| s.timeline.samples).sum();
    let mut parts = Vec::new();
    if folded.sources.len() > 1 {
        parts.push(format!("{} sources", folded.sources.len()));
    }
    let span: f64 = span.unwrap_or_else(|| {
        folded
            .sources
            .iter()
            .map(|s| s.timeline.end - s.timeline.first)
            .filter(|d| d.is_finite())
            .sum()
    });
    if samples > 0 {
        parts.push(human_duration(span));
    }
    parts.push(format!("{} samples", thousands(samples)));
    if let [one] = folded.sources.as_slice() {
        if one.timeline.samples > 1 {
            parts.push(format!(
                "mean interval {}",
                human_duration(one.timeline.mean_interval)
            ));
        }
    }
    let idle: f64 = folded.sources.iter().map(|s| s.idle).sum();
    let sampled: f64 = folded
        .sources
        .iter()
        .map(|s| s.drawn + if keep_idle { 0.0 } else { s.idle })
        .sum();
    let pct = if sampled > 0.0 {
        100.0 * idle / sampled
    } else {
        0.0
    };
    // No idle worth a tenth of a percent is noise, and with nothing drawn
    // (a filter matched nothing) an idle share means nothing.
    if pct >= 0.05 && folded.total() > 0.0 {
        if keep_idle || chart {
            parts.push(format!("{pct:.1}% idle"));
        } else {
            parts.push(format!("{pct:.1}% idle left out (--idle keeps it)"));
        }
    }
    if folded.weight == Weight::Samples {
        parts.push("widths are sample counts".into());
    }
    parts.join(" · ")
}

/// `subtitle` followed by what `--from`/`--to`, `--no-program`, `--no-gc`,
/// `--gc-on-stack` and `--gaps` changed, if anything.
pub fn with_policy(subtitle: String, folded: &Folded) -> String {
    let parts = crate::fold::policy::subtitle_parts(folded);
    if parts.is_empty() {
        subtitle
    } else {
        format!("{subtitle} · {}", parts.join(" · "))
    }
}

/// What a run kept of its input: the user's filters and `--thread` choice.
#[derive(Debug, Clone, Copy)]
pub struct Selection<'a> {
    /// `--include`/`--exclude`/`--focus`/`--hide`, as given.
    pub filters: &'a [crate::hints::Filter],
    /// `--thread` patterns.
    pub threads: &'a [String],
    /// Sources kept by `--thread`.
    pub kept: usize,
    /// Sources read.
    pub of: usize,
}

/// `subtitle` followed by the filters and `--thread` choice, so a picture
/// never hides that it is partial; led by "no samples match" when nothing was
/// left to draw.
pub fn with_selection(subtitle: String, selection: &Selection<'_>, nothing_left: bool) -> String {
    let mut parts = Vec::new();
    if nothing_left {
        parts.push("no samples match".to_string());
    }
    parts.push(subtitle);
    if !selection.filters.is_empty() {
        parts.push(
            selection
                .filters
                .iter()
                .map(|f| f.describe())
                .collect::<Vec<_>>()
                .join(" "),
        );
    }
    if !selection.threads.is_empty() {
        let threads: Vec<String> = selection
            .threads
            .iter()
            .map(|t| format!("--thread {t:?}"))
            .collect();
        parts.push(format!(
            "{} ({} of {} sources)",
            threads.join(" "),
            selection.kept,
            selection.of
        ));
    }
    parts.retain(|p| !p.is_empty());
    parts.join(" · ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(human_duration(850.0), "850 µs");
        assert_eq!(human_duration(12_345.0), "12.3 ms");
        assert_eq!(human_duration(1_270_000.0), "1.27 s");
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(thousands(12), "12");
    }
}
