//! `--format pprof`: gzipped `profile.proto`, the format of `go tool pprof`,
//! Grafana Pyroscope, Parca, Datadog and Google Cloud Profiler.
//!
//! - Two sample types, `samples/count` and `cpu/nanoseconds` (the default):
//!   the fold's own weights, so pprof's totals are cpuflame's (DevTools'
//!   sample durations, not `hits × interval`). Both come from a fold of the
//!   same input with the same options ([`super::Job::other_weight`]); values
//!   are rounded per stack.
//! - One `Function` per distinct (name, file), one `Location` per (function,
//!   line, column), 1-based; the synthetic frames `(program)`,
//!   `(garbage collector)` and `(idle)` (with `--idle`) are functions of
//!   their own, so no time is silently dropped.
//! - One sample per distinct stack. A fold of several sources draws a root
//!   frame per source; here the source becomes the labels `thread` (its
//!   name), `pid` and `tid` instead, so `pprof -tagfocus thread=worker` picks
//!   one and `-tagroot thread` draws them as roots again.
//!
//! The message structs are derived by hand with `prost` (no `protoc`, no build
//! script), following `profile.proto` of github.com/google/pprof.

use std::collections::HashMap;
use std::io::Write;

use indexmap::{IndexMap, IndexSet};

use super::frames::{parts, SourceRoots};
use super::{Exporter, Job};
use crate::error::Result;
use crate::fold::{Category, Folded, Weight};

/// `profile.proto` messages, only the fields cpuflame writes.
pub mod proto {
    /// A profile: `perftools.profiles.Profile`.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Profile {
        /// What each sample value measures.
        #[prost(message, repeated, tag = "1")]
        pub sample_type: Vec<ValueType>,
        /// The samples.
        #[prost(message, repeated, tag = "2")]
        pub sample: Vec<Sample>,
        /// Binaries (none: JavaScript frames are symbolised already).
        #[prost(message, repeated, tag = "3")]
        pub mapping: Vec<Mapping>,
        /// Code locations.
        #[prost(message, repeated, tag = "4")]
        pub location: Vec<Location>,
        /// Functions.
        #[prost(message, repeated, tag = "5")]
        pub function: Vec<Function>,
        /// Every string, `""` first.
        #[prost(string, repeated, tag = "6")]
        pub string_table: Vec<String>,
        /// Wall-clock time of collection, ns since the epoch (0: unknown).
        #[prost(int64, tag = "9")]
        pub time_nanos: i64,
        /// Duration of collection, ns.
        #[prost(int64, tag = "10")]
        pub duration_nanos: i64,
        /// What the sampling period measures.
        #[prost(message, optional, tag = "11")]
        pub period_type: Option<ValueType>,
        /// The sampling period (mean interval), ns.
        #[prost(int64, tag = "12")]
        pub period: i64,
        /// Free-form comments (string table indices).
        #[prost(int64, repeated, tag = "13")]
        pub comment: Vec<i64>,
        /// The sample type shown by default (string table index).
        #[prost(int64, tag = "14")]
        pub default_sample_type: i64,
    }

    /// A type and unit, as string table indices.
    #[derive(Clone, Copy, PartialEq, Eq, prost::Message)]
    pub struct ValueType {
        /// `cpu`, `samples`.
        #[prost(int64, tag = "1")]
        pub r#type: i64,
        /// `nanoseconds`, `count`.
        #[prost(int64, tag = "2")]
        pub unit: i64,
    }

    /// One stack and its values.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Sample {
        /// Locations, leaf first.
        #[prost(uint64, repeated, tag = "1")]
        pub location_id: Vec<u64>,
        /// One value per sample type.
        #[prost(int64, repeated, tag = "2")]
        pub value: Vec<i64>,
        /// Labels (thread, pid, tid).
        #[prost(message, repeated, tag = "3")]
        pub label: Vec<Label>,
    }

    /// A sample label: a string or a number.
    #[derive(Clone, Copy, PartialEq, Eq, prost::Message)]
    pub struct Label {
        /// Key (string table index).
        #[prost(int64, tag = "1")]
        pub key: i64,
        /// String value (string table index), or 0.
        #[prost(int64, tag = "2")]
        pub str: i64,
        /// Numeric value.
        #[prost(int64, tag = "3")]
        pub num: i64,
    }

    /// A mapped binary (unused by cpuflame, present for completeness of the schema).
    #[derive(Clone, Copy, PartialEq, Eq, prost::Message)]
    pub struct Mapping {
        /// Unique non-zero id.
        #[prost(uint64, tag = "1")]
        pub id: u64,
        /// File name (string table index).
        #[prost(int64, tag = "5")]
        pub filename: i64,
        /// Whether locations in it have functions.
        #[prost(bool, tag = "7")]
        pub has_functions: bool,
    }

    /// A code location: one function and line (no inlining in JavaScript profiles).
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Location {
        /// Unique non-zero id.
        #[prost(uint64, tag = "1")]
        pub id: u64,
        /// Mapping id, 0 for none.
        #[prost(uint64, tag = "2")]
        pub mapping_id: u64,
        /// The function and line.
        #[prost(message, repeated, tag = "4")]
        pub line: Vec<Line>,
    }

    /// A function and position.
    #[derive(Clone, Copy, PartialEq, Eq, prost::Message)]
    pub struct Line {
        /// Function id.
        #[prost(uint64, tag = "1")]
        pub function_id: u64,
        /// 1-based line, 0 unknown.
        #[prost(int64, tag = "2")]
        pub line: i64,
        /// 1-based column, 0 unknown.
        #[prost(int64, tag = "3")]
        pub column: i64,
    }

    /// A function.
    #[derive(Clone, Copy, PartialEq, Eq, prost::Message)]
    pub struct Function {
        /// Unique non-zero id.
        #[prost(uint64, tag = "1")]
        pub id: u64,
        /// Name (string table index).
        #[prost(int64, tag = "2")]
        pub name: i64,
        /// System name (string table index): the same as the name here.
        #[prost(int64, tag = "3")]
        pub system_name: i64,
        /// Source file (string table index).
        #[prost(int64, tag = "4")]
        pub filename: i64,
        /// 1-based line where the function starts, 0 unknown.
        #[prost(int64, tag = "5")]
        pub start_line: i64,
    }
}

/// `--format pprof`.
#[derive(Debug, Clone, Copy, Default)]
pub struct PprofExporter;

impl Exporter for PprofExporter {
    fn write(&self, job: &Job<'_>, out: &mut (dyn Write + Send)) -> Result<()> {
        let profile = build(job);
        let bytes = prost::Message::encode_to_vec(&profile);
        let mut gz = flate2::write::GzEncoder::new(
            Vec::with_capacity(bytes.len() / 4 + 64),
            flate2::Compression::default(),
        );
        gz.write_all(&bytes).map_err(super::write_error)?;
        let gz = gz.finish().map_err(super::write_error)?;
        out.write_all(&gz).map_err(super::write_error)
    }
}

/// Indices into the sample values.
const COUNT: usize = 0;
const NANOS: usize = 1;

/// The profile of `job`, before encoding.
pub fn build(job: &Job<'_>) -> proto::Profile {
    let mut b = Builder::default();
    b.string("");
    let (time, count) = match (job.folded.weight, job.other_weight) {
        (Weight::Time, other) => (Some(job.folded), other),
        (Weight::Samples, other) => (other, Some(job.folded)),
    };
    if let Some(f) = count {
        b.add_fold(f, COUNT, 1.0);
    }
    if let Some(f) = time {
        b.add_fold(f, NANOS, 1000.0);
    }
    b.finish(job.folded, count.is_some(), time.is_some())
}

#[derive(Default)]
struct Builder {
    strings: IndexSet<String>,
    functions: HashMap<(i64, i64), u64>,
    function_list: Vec<proto::Function>,
    locations: HashMap<(u64, i64, i64), u64>,
    location_list: Vec<proto::Location>,
    /// (source, locations leaf first) → [count, nanoseconds].
    samples: IndexMap<(Option<usize>, Vec<u64>), [f64; 2]>,
}

impl Builder {
    fn string(&mut self, s: &str) -> i64 {
        if let Some(i) = self.strings.get_index_of(s) {
            return i as i64;
        }
        self.strings.insert_full(s.to_string()).0 as i64
    }

    fn location(&mut self, label: &str, category: Category) -> u64 {
        let p = parts(label, category);
        let name = self.string(p.name);
        let file = self.string(p.file);
        let next_fn = self.function_list.len() as u64 + 1;
        let function = *self.functions.entry((name, file)).or_insert(next_fn);
        if function == next_fn {
            self.function_list.push(proto::Function {
                id: function,
                name,
                system_name: name,
                filename: file,
                // V8 positions a frame at its function's start.
                start_line: p.line as i64,
            });
        }
        let key = (function, p.line as i64, p.column as i64);
        let next = self.location_list.len() as u64 + 1;
        let id = *self.locations.entry(key).or_insert(next);
        if id == next {
            self.location_list.push(proto::Location {
                id,
                mapping_id: 0,
                line: vec![proto::Line {
                    function_id: function,
                    line: key.1,
                    column: key.2,
                }],
            });
        }
        id
    }

    /// Add every stack of `folded` with weight, times `scale`, to value `slot`.
    fn add_fold(&mut self, folded: &Folded, slot: usize, scale: f64) {
        let roots = SourceRoots::of(folded);
        // Location of each label (0: a source's root frame, not a location).
        let mut loc_of: Vec<Option<u64>> = vec![None; folded.labels.len()];
        let mut path = Vec::new();
        for (id, node) in folded.tree.nodes().iter().enumerate().skip(1) {
            if node.weight <= 0.0 {
                continue;
            }
            folded.tree.path_nodes(id as u32, &mut path);
            let mut source = roots.single();
            let mut locs = Vec::with_capacity(path.len());
            for (depth, &n) in path.iter().enumerate() {
                let l = folded.tree.node(n).label;
                let category = folded.labels.category(l);
                if depth == 0 && category == Category::Source {
                    source = roots.source(n);
                    continue;
                }
                let loc = match loc_of[l as usize] {
                    Some(loc) => loc,
                    None => {
                        let loc = self.location(folded.labels.name(l), category);
                        loc_of[l as usize] = Some(loc);
                        loc
                    }
                };
                locs.push(loc);
            }
            if locs.is_empty() {
                continue;
            }
            locs.reverse();
            self.samples.entry((source, locs)).or_insert([0.0; 2])[slot] += node.weight * scale;
        }
    }

    fn finish(mut self, folded: &Folded, has_count: bool, has_time: bool) -> proto::Profile {
        let mut sample_type = Vec::new();
        let samples_t = proto::ValueType {
            r#type: self.string("samples"),
            unit: self.string("count"),
        };
        let cpu_t = proto::ValueType {
            r#type: self.string("cpu"),
            unit: self.string("nanoseconds"),
        };
        let mut slots = Vec::new();
        if has_count {
            sample_type.push(samples_t);
            slots.push(COUNT);
        }
        if has_time {
            sample_type.push(cpu_t);
            slots.push(NANOS);
        }
        let keys = [
            self.string("thread"),
            self.string("pid"),
            self.string("tid"),
        ];
        let labels: Vec<Vec<proto::Label>> = folded
            .sources
            .iter()
            .map(|s| {
                let mut l = vec![proto::Label {
                    key: keys[0],
                    str: self.string(&s.info.name),
                    num: 0,
                }];
                for (key, v) in [(keys[1], s.info.pid), (keys[2], s.info.tid)] {
                    if let Some(v) = v {
                        l.push(proto::Label {
                            key,
                            str: 0,
                            num: i64::try_from(v).unwrap_or(i64::MAX),
                        });
                    }
                }
                l
            })
            .collect();
        let samples = std::mem::take(&mut self.samples)
            .into_iter()
            .filter_map(|((source, locs), values)| {
                let value: Vec<i64> = slots.iter().map(|&s| round(values[s])).collect();
                value.iter().any(|&v| v > 0).then(|| proto::Sample {
                    location_id: locs,
                    value,
                    label: source
                        .and_then(|s| labels.get(s).cloned())
                        .unwrap_or_default(),
                })
            })
            .collect();
        // Sampling facts over every source.
        let sampled: Vec<_> = folded
            .sources
            .iter()
            .filter(|s| s.timeline.samples > 0)
            .collect();
        let n: usize = sampled.iter().map(|s| s.timeline.samples).sum();
        let mean_us = if n > 0 {
            sampled
                .iter()
                .map(|s| s.timeline.mean_interval * s.timeline.samples as f64)
                .sum::<f64>()
                / n as f64
        } else {
            0.0
        };
        let duration_us = sampled
            .iter()
            .map(|s| s.timeline.end - s.timeline.first)
            .fold(0.0, f64::max);
        let first_us = sampled
            .iter()
            .map(|s| s.timeline.first)
            .fold(f64::INFINITY, f64::min);
        let comment = vec![self.string(&format!("cpuflame {}", env!("CARGO_PKG_VERSION")))];
        let default_sample_type = if has_time { cpu_t.r#type } else { 0 };
        proto::Profile {
            sample_type,
            sample: samples,
            mapping: Vec::new(),
            location: self.location_list,
            function: self.function_list,
            string_table: self.strings.into_iter().collect(),
            time_nanos: epoch_nanos(first_us),
            duration_nanos: round(duration_us * 1000.0),
            period_type: Some(cpu_t),
            period: round(mean_us * 1000.0),
            comment,
            default_sample_type,
        }
    }
}

fn round(v: f64) -> i64 {
    if v.is_finite() && v > 0.0 {
        v.round().min(i64::MAX as f64) as i64
    } else {
        0
    }
}

/// The first sample's wall-clock time in ns, when the profile's clock is the
/// Unix epoch (µs after 2001: JS Self-Profiling traces converted to it);
/// V8 and Chrome record a monotonic clock whose origin is unknown: 0, which
/// pprof reads as "not recorded".
fn epoch_nanos(first_us: f64) -> i64 {
    const YEAR_2001_US: f64 = 978_307_200e6;
    if first_us.is_finite() && first_us > YEAR_2001_US {
        round(first_us * 1000.0)
    } else {
        0
    }
}
