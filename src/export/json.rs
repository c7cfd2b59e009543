//! `--format json`: a summary for scripts and CI, documented by the JSON
//! Schema `docs/summary.schema.json` (kept in step by the tests).
//!
//! Per source: its name, pid/tid, duration, samples, mean interval and the
//! shares of idle, `(program)` and GC; then the top `--top` functions (the
//! table's rows: self and total, with their location taken apart); with
//! `--diff BASE`, the functions that changed most, BASE normalised to INPUT's
//! total ([`super::compare`]). Times are microseconds; weights are in the
//! run's unit (`unit`: `us`, or `samples` with `--weight samples`).

use std::io::Write;

use serde::Serialize;

use super::compare::Comparison;
use super::frames::parts;
use super::table::rows;
use super::{Exporter, Job};
use crate::error::Result;
use crate::fold::{Category, Folded, SourceSummary, Weight};

/// The document's `format`: what it is, for a script that reads several kinds.
pub const FORMAT_NAME: &str = "cpuflame-summary";

/// The document's `version`: raised when a field changes meaning or goes
/// away (new fields do not raise it).
pub const VERSION: u32 = 1;

/// `--format json`.
#[derive(Debug, Clone, Copy, Default)]
pub struct JsonExporter;

impl Exporter for JsonExporter {
    fn write(&self, job: &Job<'_>, out: &mut (dyn Write + Send)) -> Result<()> {
        let mut bytes = serde_json::to_vec_pretty(&summary(job)).map_err(|e| {
            super::write_error(std::io::Error::other(format!("cannot encode JSON: {e}")))
        })?;
        bytes.push(b'\n');
        out.write_all(&bytes).map_err(super::write_error)
    }
}

/// The whole document.
#[derive(Debug, Serialize)]
pub struct Summary {
    /// [`FORMAT_NAME`].
    pub format: &'static str,
    /// [`VERSION`].
    pub version: u32,
    /// `cpuflame VERSION`.
    pub exporter: String,
    /// The title the picture would have.
    pub title: String,
    /// `time` or `samples`.
    pub weight: &'static str,
    /// Unit of every weight: `us` or `samples`.
    pub unit: &'static str,
    /// Total weight drawn.
    pub total: f64,
    /// How many functions there are (the list holds the top `--top`).
    pub function_count: usize,
    /// One per source (thread, file), in input order.
    pub sources: Vec<Source>,
    /// The top functions by self weight.
    pub functions: Vec<Function>,
    /// With `--diff BASE`: the comparison.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff: Option<Diff>,
}

/// One source.
#[derive(Debug, Serialize)]
pub struct Source {
    /// Its name (`CrRendererMain (pid 775)`, a file name).
    pub name: String,
    /// Process id, if recorded.
    pub pid: Option<u64>,
    /// Thread id, if recorded.
    pub tid: Option<u64>,
    /// Thread name from the recording, if any.
    pub thread: Option<String>,
    /// The input file.
    pub file: String,
    /// Samples recorded.
    pub samples: usize,
    /// First sample to the end of the last, µs (`null` with no samples).
    pub duration_us: Option<f64>,
    /// Mean interval between samples, µs (`null` with no samples).
    pub mean_interval_us: Option<f64>,
    /// Weight drawn (after every filter).
    pub weight: f64,
    /// Share of the sampled weight spent idle, 0–1.
    pub idle_share: f64,
    /// Share in `(program)`, 0–1.
    pub program_share: f64,
    /// Share in `(garbage collector)`, 0–1.
    pub gc_share: f64,
}

/// A function and where it is.
#[derive(Debug, Serialize)]
pub struct Function {
    /// The label, as folded text and pictures show it.
    pub label: String,
    /// The function name.
    pub name: String,
    /// The script, as the label shows it (`null`: native, synthetic).
    pub file: Option<String>,
    /// 1-based line.
    pub line: Option<u32>,
    /// 1-based column.
    pub column: Option<u32>,
    /// `application`, `node_modules`, `runtime`, …
    pub category: &'static str,
    /// Self weight.
    #[serde(rename = "self")]
    pub self_weight: f64,
    /// Self weight, percent of the total.
    pub self_pct: f64,
    /// Total (inclusive) weight.
    pub total: f64,
    /// Total weight, percent of the total.
    pub total_pct: f64,
}

/// The `--diff` part.
#[derive(Debug, Serialize)]
pub struct Diff {
    /// BASE's name.
    pub base: String,
    /// BASE's total as recorded.
    pub base_total: f64,
    /// INPUT's total.
    pub new_total: f64,
    /// Growth of the total, percent of BASE's (`null`: BASE empty).
    pub total_growth_pct: Option<f64>,
    /// The factor BASE's weights were multiplied by to make both totals equal.
    pub scale: f64,
    /// How many functions the two sides have between them.
    pub function_count: usize,
    /// The top `--top` functions by the size of their change.
    pub functions: Vec<Changed>,
}

/// One function's change.
#[derive(Debug, Serialize)]
pub struct Changed {
    /// The label.
    pub label: String,
    /// The function name.
    pub name: String,
    /// The script (`null`: native, synthetic).
    pub file: Option<String>,
    /// 1-based line.
    pub line: Option<u32>,
    /// 1-based column.
    pub column: Option<u32>,
    /// BASE's self weight, normalised.
    pub base: f64,
    /// INPUT's self weight.
    pub new: f64,
    /// `new - base`.
    pub delta: f64,
    /// `delta` in percent of `base` (`null` when the function is new).
    pub delta_pct: Option<f64>,
    /// BASE's total weight, normalised.
    pub base_total: f64,
    /// INPUT's total weight.
    pub new_total: f64,
}

fn opt_str(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_string())
}

fn opt_num(n: u32) -> Option<u32> {
    (n > 0).then_some(n)
}

/// The summary of `job`.
pub fn summary(job: &Job<'_>) -> Summary {
    let folded = job.folded;
    let total = folded.tree.total();
    let pct = |w: f64| if total > 0.0 { 100.0 * w / total } else { 0.0 };
    let all = rows(folded);
    let functions = all
        .iter()
        .take(job.picture.top)
        .map(|r| {
            let p = parts(&r.label, r.category);
            Function {
                label: r.label.clone(),
                name: p.name.to_string(),
                file: opt_str(p.file),
                line: opt_num(p.line),
                column: opt_num(p.column),
                category: r.category.name(),
                self_weight: r.self_weight,
                self_pct: pct(r.self_weight),
                total: r.total_weight,
                total_pct: pct(r.total_weight),
            }
        })
        .collect();
    let idle_drawn = idle_is_drawn(folded);
    let diff = job.base.map(|base| {
        let c = Comparison::of(folded, base.folded);
        Diff {
            base: base.name.to_string(),
            base_total: c.base_total,
            new_total: c.new_total,
            total_growth_pct: c.total_growth_pct(),
            scale: c.scale,
            function_count: c.changes.len(),
            functions: c
                .changes
                .iter()
                .take(job.picture.top)
                .map(|ch| {
                    let p = parts(&ch.label, ch.category);
                    Changed {
                        label: ch.label.clone(),
                        name: p.name.to_string(),
                        file: opt_str(p.file),
                        line: opt_num(p.line),
                        column: opt_num(p.column),
                        base: ch.base_self,
                        new: ch.new_self,
                        delta: ch.delta(),
                        delta_pct: ch.delta_pct(),
                        base_total: ch.base_total,
                        new_total: ch.new_total,
                    }
                })
                .collect(),
        }
    });
    Summary {
        format: FORMAT_NAME,
        version: VERSION,
        exporter: format!("cpuflame {}", env!("CARGO_PKG_VERSION")),
        title: job.picture.title.clone(),
        weight: match folded.weight {
            Weight::Time => "time",
            Weight::Samples => "samples",
        },
        unit: match folded.weight {
            Weight::Time => "us",
            Weight::Samples => "samples",
        },
        total,
        function_count: all.len(),
        sources: folded
            .sources
            .iter()
            .map(|s| source(folded, s, idle_drawn))
            .collect(),
        functions,
        diff,
    }
}

/// Whether the fold drew `(idle)` (`--idle`, `--chart`).
fn idle_is_drawn(folded: &Folded) -> bool {
    folded
        .tree
        .nodes()
        .iter()
        .skip(1)
        .any(|n| n.weight > 0.0 && folded.labels.category(n.label) == Category::Idle)
}

fn source(folded: &Folded, s: &SourceSummary, idle_drawn: bool) -> Source {
    let sampled = s.timeline.samples > 0;
    // Everything sampled, whether drawn or left out by --idle, --no-program, --no-gc.
    let whole = s.drawn
        + if idle_drawn { 0.0 } else { s.idle }
        + if folded.policy.no_program {
            s.program
        } else {
            0.0
        }
        + if folded.policy.no_gc { s.gc } else { 0.0 };
    let share = |w: f64| if whole > 0.0 { w / whole } else { 0.0 };
    Source {
        name: s.info.name.clone(),
        pid: s.info.pid,
        tid: s.info.tid,
        thread: s.info.thread_name.clone(),
        file: s.info.file.clone(),
        samples: s.timeline.samples,
        duration_us: sampled.then_some(s.timeline.end - s.timeline.first),
        mean_interval_us: sampled.then_some(s.timeline.mean_interval),
        weight: s.drawn,
        idle_share: share(s.idle),
        program_share: share(s.program),
        gc_share: share(s.gc),
    }
}
