//! Chrome trace-event JSON: the Performance panel, chrome://tracing, Perfetto's
//! JSON export, Edge `.devtools` session logs and tools that write the same
//! shape (FORMATS.md §1.3, rule R12).
//!
//! Containers: a bare event array (possibly truncated: no closing `]`, a
//! trailing comma), `{traceEvents, metadata}`, and Edge's
//! `{meta: {fileDocumentType: "x-msedge-session-log"}, payload: {traceEvents}}`.
//!
//! Only the events that matter are kept while parsing (`Profile`,
//! `ProfileChunk`, `CpuProfile`, `thread_name`, `process_name`), and their
//! `args` stay as borrowed raw JSON until the profile they belong to is
//! assembled, so a large trace is never held twice.
//!
//! Assembly follows DevTools: chunks are gathered per (pid, id) whatever the
//! file order, concatenated in `ts` order (ties keep file order); the sampled
//! thread is the `Profile` event's pid/tid, never the chunk's (chunks come from
//! V8's profiler thread); the start time is the `Profile` event's `ts`. A
//! `CpuProfile` event holds a complete `.cpuprofile` and is imported as one.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;

use indexmap::IndexMap;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;

use super::cdp::{self, position, running_sum, RawNode};
use super::json::{self, Id, Num, Text};
use super::tree::{Links, TreeBuilder};
use super::ImportContext;
use crate::error::{Error, Result};
use crate::model::{Profile, SourceInfo};

/// A pid, tid or profile id: an integer or a string (`"0x2"`), as writers spell it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Tag {
    /// An integer.
    Int(i64),
    /// Anything else, as text.
    Str(String),
}

impl Tag {
    /// The value as a non-negative integer, if it is one.
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Tag::Int(i) => u64::try_from(*i).ok(),
            Tag::Str(s) => s.parse().ok(),
        }
    }
}

impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Tag::Int(i) => write!(f, "{i}"),
            Tag::Str(s) => f.write_str(s),
        }
    }
}

impl<'de> Deserialize<'de> for Tag {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Tag, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Tag;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an id")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> std::result::Result<Tag, E> {
                Ok(i64::try_from(v).map_or_else(|_| Tag::Str(v.to_string()), Tag::Int))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> std::result::Result<Tag, E> {
                Ok(Tag::Int(v))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> std::result::Result<Tag, E> {
                if v.fract() == 0.0 && v.abs() < 9.0e15 {
                    Ok(Tag::Int(v as i64))
                } else {
                    Ok(Tag::Str(v.to_string()))
                }
            }
            fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<Tag, E> {
                Ok(Tag::Str(v.to_string()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> std::result::Result<Tag, E> {
                Ok(Tag::Str(v.to_string()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> std::result::Result<Tag, A::Error> {
                while a.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Tag::Str("[…]".into()))
            }
            fn visit_map<A: de::MapAccess<'de>>(
                self,
                mut a: A,
            ) -> std::result::Result<Tag, A::Error> {
                while a.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Tag::Str("{…}".into()))
            }
        }
        d.deserialize_any(V)
    }
}

/// One trace event as written; `args` is kept raw.
#[derive(Deserialize)]
struct RawEvent<'a> {
    #[serde(borrow, default)]
    name: Option<Text<'a>>,
    #[serde(default)]
    pid: Option<Tag>,
    #[serde(default)]
    tid: Option<Tag>,
    #[serde(default)]
    id: Option<Tag>,
    #[serde(default)]
    ts: Option<Num>,
    #[serde(borrow, default)]
    args: Option<&'a RawValue>,
}

/// The kinds of event the importer keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Profile,
    Chunk,
    CpuProfile,
    ThreadName,
    ProcessName,
    /// Source rundown: a script's URL, source map URL or text (see `rundown`).
    ScriptCatchup,
}

/// A kept event.
struct Event<'a> {
    kind: Kind,
    pid: Option<Tag>,
    tid: Option<Tag>,
    id: Option<Tag>,
    ts: Option<f64>,
    args: Option<&'a RawValue>,
}

/// The events of a trace that matter for CPU profiles, gathered while parsing.
#[derive(Default)]
pub struct Events<'a> {
    kept: Vec<Event<'a>>,
    /// Number of events in the trace (kept or not).
    pub total: usize,
    /// Whether the event array was opened (for recognising truncation).
    opened: bool,
}

impl<'a> Events<'a> {
    fn push(&mut self, e: RawEvent<'a>) {
        self.total += 1;
        let kind = match e.name.as_deref() {
            Some("Profile") => Kind::Profile,
            Some("ProfileChunk") => Kind::Chunk,
            Some("CpuProfile") => Kind::CpuProfile,
            Some("thread_name") => Kind::ThreadName,
            Some("process_name") => Kind::ProcessName,
            Some("ScriptCatchup") => Kind::ScriptCatchup,
            _ => return,
        };
        self.kept.push(Event {
            kind,
            pid: e.pid,
            tid: e.tid,
            id: e.id,
            ts: e.ts.map(|n| n.0),
            args: e.args,
        });
    }
}

/// Fills an [`Events`] from an event array, dropping what is not needed at once.
struct ArraySeed<'c, 'a> {
    out: &'c mut Events<'a>,
}

impl<'de: 'a, 'a> DeserializeSeed<'de> for ArraySeed<'_, 'a> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de: 'a, 'a> Visitor<'de> for ArraySeed<'_, 'a> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of trace events")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<(), A::Error> {
        self.out.opened = true;
        while let Some(e) = seq.next_element::<RawEvent<'a>>()? {
            self.out.push(e);
        }
        Ok(())
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Events<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Events<'a>, D::Error> {
        let mut out = Events::default();
        ArraySeed { out: &mut out }.deserialize(d)?;
        Ok(out)
    }
}

/// Edge `.devtools` header: `{fileDocumentType: "x-msedge-session-log", ...}`.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct EdgeMeta<'a> {
    /// `x-msedge-session-log` for Edge session logs.
    #[serde(borrow, default)]
    pub file_document_type: Option<Cow<'a, str>>,
}

impl EdgeMeta<'_> {
    /// Whether this header marks an Edge session log.
    pub fn is_edge(&self) -> bool {
        self.file_document_type.as_deref() == Some("x-msedge-session-log")
    }
}

/// Edge `.devtools` payload: the trace events.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct EdgePayload<'a> {
    /// The events.
    #[serde(borrow, default)]
    pub trace_events: Option<Events<'a>>,
}

/// Parse a top-level event array, tolerating truncation: a trace cut short
/// (no closing `]`, a trailing comma, an incomplete last event) keeps every
/// complete event, with a warning. No copy of the input is made.
pub fn parse_array<'a>(bytes: &'a [u8], ctx: &mut ImportContext) -> Result<Events<'a>> {
    let mut events = Events::default();
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let result = ArraySeed { out: &mut events }
        .deserialize(&mut de)
        .and_then(|()| de.end());
    match result {
        Ok(()) => Ok(events),
        Err(e) if e.is_eof() && events.opened => {
            let tail = bytes
                .iter()
                .rev()
                .find(|b| !b.is_ascii_whitespace())
                .copied();
            let dropped = if matches!(tail, Some(b',') | Some(b'}') | Some(b'[')) {
                ""
            } else {
                "; the incomplete last event was left out"
            };
            ctx.warnings.push(
                &ctx.input,
                format!(
                    "the trace event array is not closed (a truncated trace): read its {} complete events{dropped}",
                    events.total
                ),
            );
            Ok(events)
        }
        Err(e) => Err(match json::json_error(&ctx.input, bytes, &e) {
            // serde names our struct; say what the user has instead.
            crate::error::Error::Json {
                input,
                offset,
                message,
                syntax,
            } if message.contains("RawEvent") || message.contains("expected a string") => {
                crate::error::Error::Json {
                    input,
                    offset,
                    syntax,
                    message: format!(
                        "an array whose elements are not trace events (objects with `name`, `ph`, `ts`): {}",
                        message.replace("struct RawEvent", "a trace event object")
                    ),
                }
            }
            other => other,
        }),
    }
}

// ---- typed `args` of the kept events -------------------------------------------------

#[derive(Deserialize)]
struct NameArgs<'a> {
    #[serde(borrow, default)]
    name: Option<Text<'a>>,
}

#[derive(Deserialize)]
struct ProfileArgs {
    #[serde(default)]
    data: Option<ProfileData>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ProfileData {
    #[serde(default)]
    start_time: Option<Num>,
}

#[derive(Deserialize)]
struct ChunkArgs<'a> {
    #[serde(borrow, default)]
    data: Option<ChunkData<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ChunkData<'a> {
    #[serde(borrow, default)]
    cpu_profile: Option<ChunkProfile<'a>>,
    #[serde(default)]
    time_deltas: Option<Vec<Num>>,
    #[serde(default)]
    lines: Option<Vec<Num>>,
    #[serde(default)]
    end_time: Option<Num>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ChunkProfile<'a> {
    #[serde(borrow, default)]
    nodes: Option<Vec<RawNode<'a>>>,
    #[serde(default)]
    samples: Option<Vec<Id>>,
    /// Some tools put the deltas here rather than in `data`.
    #[serde(default)]
    time_deltas: Option<Vec<Num>>,
}

#[derive(Deserialize)]
struct CpuProfileArgs {
    #[serde(default)]
    data: Option<CpuProfileData>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CpuProfileData {
    #[serde(default)]
    cpu_profile: Option<cdp::RawProfile>,
    #[serde(default)]
    time_deltas: Option<Vec<Num>>,
}

fn parse_args<'a, T: Deserialize<'a>>(
    raw: Option<&'a RawValue>,
    what: &str,
    input: &str,
) -> Result<Option<T>> {
    match raw {
        None => Ok(None),
        Some(r) => serde_json::from_str(r.get()).map(Some).map_err(|e| {
            let mut m = e.to_string();
            if let Some(p) = m.rfind(" at line ") {
                m.truncate(p);
            }
            Error::profile(input, format!("{what}: unreadable `args`: {m}"))
        }),
    }
}

// ---- assembly ---------------------------------------------------------------------------

/// The thread a profile sampled, and what to call it.
struct Thread {
    pid: Option<Tag>,
    tid: Option<Tag>,
}

/// One profile being assembled: a `Profile` event and its chunks, or a `CpuProfile`.
struct Pending {
    /// Index of the `Profile` (or `CpuProfile`) event.
    head: Option<usize>,
    /// Indices of the chunks.
    chunks: Vec<usize>,
    /// The profile id as written, for messages.
    id: Option<Tag>,
    /// Whether this is a `CpuProfile` event.
    complete: bool,
}

/// Import the CPU profiles of a trace, one [`Profile`] per profile id and thread.
pub fn import(
    events: Events<'_>,
    source: SourceInfo,
    ctx: &mut ImportContext,
) -> Result<Vec<Profile>> {
    let input = ctx.input.clone();
    let kept = events.kept;

    // Names of threads and processes (the first name given wins).
    let mut thread_names: HashMap<(Option<Tag>, Option<Tag>), String> = HashMap::new();
    let mut process_names: HashMap<Option<Tag>, String> = HashMap::new();
    for e in &kept {
        if !matches!(e.kind, Kind::ThreadName | Kind::ProcessName) {
            continue;
        }
        // A name we cannot read is not worth failing the import for.
        let Some(Ok(NameArgs { name: Some(name) })) =
            e.args.map(|r| serde_json::from_str::<NameArgs>(r.get()))
        else {
            continue;
        };
        if e.kind == Kind::ThreadName {
            thread_names
                .entry((e.pid.clone(), e.tid.clone()))
                .or_insert_with(|| name.into_owned());
        } else {
            process_names
                .entry(e.pid.clone())
                .or_insert_with(|| name.into_owned());
        }
    }

    // Gather profiles by (pid, id), whatever the file order.
    let mut pending: IndexMap<(Option<Tag>, Tag), Pending> = IndexMap::new();
    let mut complete: Vec<Pending> = Vec::new();
    let mut duplicates = 0usize;
    for (i, e) in kept.iter().enumerate() {
        let key = || {
            let id = e.id.clone().unwrap_or_else(|| {
                Tag::Str(format!(
                    "tid {}",
                    e.tid.as_ref().map_or("?".into(), Tag::to_string)
                ))
            });
            (e.pid.clone(), id)
        };
        match e.kind {
            Kind::Profile => {
                let p = pending.entry(key()).or_insert_with(|| Pending {
                    head: None,
                    chunks: Vec::new(),
                    id: e.id.clone(),
                    complete: false,
                });
                if p.head.is_none() {
                    p.head = Some(i);
                } else {
                    duplicates += 1;
                }
            }
            Kind::Chunk => pending
                .entry(key())
                .or_insert_with(|| Pending {
                    head: None,
                    chunks: Vec::new(),
                    id: e.id.clone(),
                    complete: false,
                })
                .chunks
                .push(i),
            Kind::CpuProfile => complete.push(Pending {
                head: Some(i),
                chunks: Vec::new(),
                id: e.id.clone(),
                complete: true,
            }),
            Kind::ThreadName | Kind::ProcessName | Kind::ScriptCatchup => {}
        }
    }
    ctx.warnings.count(&input, duplicates, |c| {
        format!("{c} `Profile` events repeat a (pid, id) already seen; the first one is used")
    });
    if pending.is_empty() && complete.is_empty() {
        return Err(Error::profile(
            &input,
            format!(
                "no CPU profile in this trace: none of its {} events is a Profile, ProfileChunk or CpuProfile \
                 (record with the disabled-by-default-v8.cpu_profiler category, or the Performance panel)",
                events.total
            ),
        ));
    }

    // Order: by the profile's start (`ts`), then by where it appears in the file.
    let mut all: Vec<Pending> = pending.into_values().chain(complete).collect();
    let first_index = |p: &Pending| p.head.or_else(|| p.chunks.first().copied()).unwrap_or(0);
    let start_ts = |p: &Pending| {
        p.head
            .and_then(|h| kept[h].ts)
            .or_else(|| p.chunks.iter().filter_map(|&c| kept[c].ts).reduce(f64::min))
            .unwrap_or(0.0)
    };
    all.sort_by(|a, b| {
        start_ts(a)
            .total_cmp(&start_ts(b))
            .then(first_index(a).cmp(&first_index(b)))
    });

    // Names, made unique: two profiles on one thread get their ids appended.
    let threads: Vec<Thread> = all
        .iter()
        .map(|p| match p.head {
            Some(h) => Thread {
                pid: kept[h].pid.clone(),
                tid: kept[h].tid.clone(),
            },
            // Chunks without their `Profile`: the sampled thread is unknown.
            None => Thread {
                pid: p.chunks.first().and_then(|&c| kept[c].pid.clone()),
                tid: None,
            },
        })
        .collect();
    // How many threads of each process carry each name, counted once (not
    // per thread: a trace may hold 100,000 threads).
    let mut name_counts: HashMap<(&Option<Tag>, &str), usize> = HashMap::new();
    for ((pid, _), name) in &thread_names {
        *name_counts.entry((pid, name.as_str())).or_default() += 1;
    }
    let names: Vec<String> = threads
        .iter()
        .map(|t| thread_label(t, &thread_names, &name_counts, &process_names))
        .collect();

    let mut out = Vec::new();
    let mut empty = 0usize;
    for ((p, thread), name) in all.iter().zip(&threads).zip(names) {
        let mut info = source.clone();
        info.pid = thread.pid.as_ref().and_then(Tag::as_u64);
        info.tid = thread.tid.as_ref().and_then(Tag::as_u64);
        info.thread_name = thread_names
            .get(&(thread.pid.clone(), thread.tid.clone()))
            .cloned();
        info.clock = Some(format!(
            "trace pid {}",
            thread.pid.as_ref().map_or("?".into(), Tag::to_string)
        ));
        info.name = name;
        let what = match &p.id {
            Some(id) => format!("profile {id} ({})", info.name),
            None => format!("profile of {}", info.name),
        };
        if p.head.is_none() {
            ctx.warnings.push(
                &input,
                format!("{what}: ProfileChunk events without their Profile event; the sampled thread is unknown"),
            );
        }
        let profile = if p.complete {
            complete_profile(&kept[p.head.unwrap_or(0)], info, &what, ctx)?
        } else {
            chunked_profile(&kept, p, info, &what, ctx)?
        };
        match profile {
            Some(profile) => out.push((profile, p.id.clone())),
            None => {
                empty += 1;
                ctx.warnings
                    .push(&input, format!("{what} has no samples; it is left out"));
            }
        }
    }
    // Two profiles on one thread: tell them apart by their ids.
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (p, _) in &out {
        *seen.entry(p.source.name.clone()).or_default() += 1;
    }
    for (p, id) in out.iter_mut() {
        if seen[p.source.name.as_str()] > 1 {
            if let Some(id) = id {
                p.source.name.push_str(&format!(" [profile {id}]"));
            }
        }
    }
    if out.is_empty() {
        return Err(Error::profile(
            &input,
            format!("none of the {empty} CPU profiles in this trace has samples"),
        ));
    }
    let mut scripts = super::rundown::scripts(
        kept.iter()
            .filter(|e| e.kind == Kind::ScriptCatchup)
            .map(|e| (e.pid.as_ref().and_then(Tag::as_u64), e.args)),
    );
    for (p, _) in out.iter_mut() {
        p.scripts = scripts.get(&p.source.pid).cloned().unwrap_or_default();
    }
    scripts.clear();
    Ok(out.into_iter().map(|(p, _)| p).collect())
}

/// `CrRendererMain (pid 775)`, `DedicatedWorker thread (pid 775, tid 31089)`.
///
/// A process's main thread (Chrome's `Cr*Main`, or a thread whose id is the
/// process id) is named with the pid alone; other threads also with their tid,
/// since a process often has several threads of one name (workers).
fn thread_label(
    t: &Thread,
    threads: &HashMap<(Option<Tag>, Option<Tag>), String>,
    name_counts: &HashMap<(&Option<Tag>, &str), usize>,
    processes: &HashMap<Option<Tag>, String>,
) -> String {
    let pid = t.pid.as_ref().map_or("?".to_string(), Tag::to_string);
    let Some(tid) = &t.tid else {
        return format!("pid {pid}");
    };
    match threads.get(&(t.pid.clone(), t.tid.clone())) {
        Some(name) => {
            let unique = name_counts.get(&(&t.pid, name.as_str())) == Some(&1);
            let main = t.pid.as_ref() == Some(tid)
                || (unique && name.starts_with("Cr") && name.ends_with("Main"));
            if main {
                format!("{name} (pid {pid})")
            } else {
                format!("{name} (pid {pid}, tid {tid})")
            }
        }
        None => match processes.get(&t.pid) {
            Some(process) => format!("{process} thread {tid} (pid {pid})"),
            None => format!("thread {tid} (pid {pid})"),
        },
    }
}

/// A `CpuProfile` event: a complete `.cpuprofile` inside `args.data.cpuProfile`.
fn complete_profile(
    e: &Event<'_>,
    info: SourceInfo,
    what: &str,
    ctx: &mut ImportContext,
) -> Result<Option<Profile>> {
    let input = ctx.input.clone();
    let args: Option<CpuProfileArgs> = parse_args(e.args, what, &input)?;
    let Some(data) = args.and_then(|a| a.data) else {
        return Ok(None);
    };
    let Some(mut cpu) = data.cpu_profile else {
        return Ok(None);
    };
    if cpu.time_deltas.is_none() {
        cpu.time_deltas = data.time_deltas;
    }
    if cpu.samples.as_ref().is_none_or(Vec::is_empty)
        || cpu.nodes.as_ref().is_none_or(cdp::NodeList::is_empty)
    {
        return Ok(None);
    }
    cpu.import(info, ctx).map(Some).map_err(|e| match e {
        Error::Profile { input, message } => Error::Profile {
            input,
            message: format!("{what}: {message}"),
        },
        other => other,
    })
}

/// A `Profile` event and its `ProfileChunk`s.
fn chunked_profile(
    kept: &[Event<'_>],
    p: &Pending,
    info: SourceInfo,
    what: &str,
    ctx: &mut ImportContext,
) -> Result<Option<Profile>> {
    let input = ctx.input.clone();
    let head_args: Option<ProfileArgs> = match p.head {
        Some(h) => parse_args(kept[h].args, what, &input)?,
        None => None,
    };
    let data_start = head_args
        .and_then(|a| a.data)
        .and_then(|d| d.start_time)
        .map(|n| n.0);
    // DevTools uses the event's `ts` (the trace clock), not `args.data.startTime`.
    let mut chunks: Vec<usize> = p.chunks.clone();
    chunks.sort_by(|&a, &b| {
        let ta = kept[a].ts.unwrap_or(f64::NEG_INFINITY);
        let tb = kept[b].ts.unwrap_or(f64::NEG_INFINITY);
        ta.total_cmp(&tb)
    });
    let start = p
        .head
        .and_then(|h| kept[h].ts)
        .or(data_start)
        .or_else(|| chunks.first().and_then(|&c| kept[c].ts))
        .unwrap_or(0.0);

    let mut builder = TreeBuilder::new();
    let mut first_has_children: Option<bool> = None;
    let mut samples: Vec<u64> = Vec::new();
    let mut deltas: Vec<Num> = Vec::new();
    let mut lines: Vec<u32> = Vec::new();
    let mut any_lines = false;
    let mut end_time: Option<f64> = None;
    let mut no_data = 0usize;
    for (k, &c) in chunks.iter().enumerate() {
        let args: Option<ChunkArgs> = parse_args(kept[c].args, what, &input)?;
        let Some(data) = args.and_then(|a| a.data) else {
            no_data += 1;
            continue;
        };
        if let Some(e) = data.end_time {
            end_time = Some(e.0);
        }
        let (nodes, chunk_samples, inner_deltas) = match data.cpu_profile {
            Some(cp) => (cp.nodes, cp.samples, cp.time_deltas),
            None => (None, None, None),
        };
        for node in nodes.iter().flatten() {
            let cf = node.call_frame.as_ref();
            let name = cf.and_then(|c| c.function_name.as_deref()).unwrap_or("");
            let url = cf.and_then(|c| c.url.as_deref()).unwrap_or("");
            let line = position(cf.and_then(|c| c.line_number));
            let col = position(cf.and_then(|c| c.column_number));
            let frame = builder.frame(name, url, line, col);
            first_has_children.get_or_insert(node.children.is_some());
            let children = node.children.iter().flatten().map(|c| c.0);
            builder.node(node.id.0, frame, children, node.parent.map(|p| p.0));
        }
        let chunk_samples = chunk_samples.unwrap_or_default();
        let chunk_deltas = data.time_deltas.or(inner_deltas).unwrap_or_default();
        if chunk_samples.len() != chunk_deltas.len() {
            return Err(Error::profile(
                &input,
                format!(
                    "{what}: ProfileChunk {} of {} (ts {}) has {} samples but {} timeDeltas",
                    k + 1,
                    chunks.len(),
                    kept[c].ts.map_or("?".into(), |t| t.to_string()),
                    chunk_samples.len(),
                    chunk_deltas.len()
                ),
            ));
        }
        // `lines` is written only for chunks with some known line: pad the others with 0.
        let n = chunk_samples.len();
        match data.lines {
            Some(l) => {
                any_lines = true;
                lines.extend(
                    l.iter()
                        .map(|x| {
                            if (0.0..4e9).contains(&x.0) {
                                x.0 as u32
                            } else {
                                0
                            }
                        })
                        .chain(std::iter::repeat(0))
                        .take(n),
                );
            }
            None => lines.extend(std::iter::repeat_n(0, n)),
        }
        samples.extend(chunk_samples.iter().map(|s| s.0));
        deltas.extend(chunk_deltas);
    }
    ctx.warnings.count(&input, no_data, |c| {
        format!("{what}: skipped {c} ProfileChunk events with no `args.data`")
    });
    if samples.is_empty() || builder.is_empty() {
        return Ok(None);
    }
    // Trace nodes name their parent; tool-made chunks may list children as CDP does.
    let links = if first_has_children == Some(true) || !builder.has_parents() {
        Links::Children
    } else {
        Links::Parent
    };
    // The tree's own repairs and errors name the profile too.
    let mut tree = builder.finish(links, &format!("{input}: {what}"), &mut ctx.warnings)?;
    let mut profile = Profile::new(info);
    profile.frames = std::mem::take(&mut tree.frames);
    profile.nodes = std::mem::take(&mut tree.nodes);
    let context = format!("{what}: ");
    profile.samples = cdp::resolve_samples(
        &tree,
        samples.into_iter(),
        &context,
        &input,
        &mut ctx.warnings,
    );
    profile.timestamps = running_sum(start, &deltas, &input)?;
    profile.start_time = start;
    let last = profile
        .timestamps
        .iter()
        .copied()
        .fold(f64::NEG_INFINITY, f64::max);
    // The final chunk's `endTime` is in V8's clock, like `args.data.startTime`.
    profile.end_time = match (end_time, data_start) {
        (Some(e), Some(s)) if e >= s => start + (e - s),
        _ => last.max(start),
    };
    if any_lines {
        profile.sample_lines = lines;
    }
    debug_assert_eq!(profile.validate(), Ok(()));
    Ok(Some(profile))
}
