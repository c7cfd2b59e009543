//! Importers: every input format becomes [`Profile`]s of the model.
//!
//! One module per format; [`import_bytes`] detects the format by content
//! (never by file name) and hands the parsed document to its module.
//!
//! | module | format |
//! |---|---|
//! | [`cdp`] | V8 / DevTools `.cpuprofile`, and `{profile: {...}}` wrappers |
//! | [`trace`] | Chrome trace events: arrays (also truncated), `{traceEvents}`, Edge `.devtools` |
//! | [`legacy`] | the 2014–2016 `head` tree format |
//! | [`selfprofile`] | the JS Self-Profiling API's `ProfilerTrace` (also Datadog's `wall-time.json`) |

pub mod cdp;
pub mod inputs;
pub mod json;
pub mod legacy;
pub mod naming;
pub mod rundown;
pub mod selfprofile;
pub mod sidecar;
pub mod sniff;
pub mod source;
pub mod trace;
pub mod tree;
mod v8scan;

use std::path::Path;

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::error::{Error, Result};
use crate::model::{Profile, Warnings};

/// State shared by the importers while reading one input.
pub struct ImportContext {
    /// The input's name as shown in messages (`in.cpuprofile`, `standard input`).
    pub input: String,
    /// Repairs made so far.
    pub warnings: Warnings,
}

/// Every top-level object shape we recognise, parsed in one pass: each format's
/// fields are optional, and which ones are present tells the format (R1).
/// Fields shared by formats (`samples`, `startTime`, `endTime`) accept every
/// format's spelling of them.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Document<'a> {
    /// CDP: the call tree, read straight into a tree builder.
    #[serde(default)]
    nodes: Option<cdp::NodeList>,
    /// CDP and legacy: sampled node ids; JS Self-Profiling: sample objects.
    #[serde(borrow, default)]
    samples: Option<selfprofile::Samples<'a>>,
    /// CDP: sample time deltas.
    #[serde(default)]
    time_deltas: Option<Vec<json::Num>>,
    /// CDP: start, µs; legacy: start, seconds.
    #[serde(default)]
    start_time: Option<json::Num>,
    /// CDP: end, µs; legacy: end, seconds.
    #[serde(default)]
    end_time: Option<json::Num>,
    /// `{profile: {...}}`: a CDP `Profiler.stop` response saved whole.
    #[serde(default)]
    profile: Option<cdp::RawProfile>,
    /// Chrome trace object form: only the events that matter are kept.
    #[serde(borrow, default)]
    trace_events: Option<trace::Events<'a>>,
    /// Edge `.devtools` header. This and the fields below are kept raw and read
    /// once the format is known, so that another format's field of the same
    /// name and another type cannot fail the parse.
    #[serde(borrow, default)]
    meta: Option<&'a RawValue>,
    /// Edge `.devtools` body: `{traceEvents}`.
    #[serde(borrow, default)]
    payload: Option<&'a RawValue>,
    /// Legacy tree form: the nested tree, walked later by [`legacy`].
    #[serde(borrow, default)]
    head: Option<&'a RawValue>,
    /// Legacy: absolute sample times, µs.
    #[serde(default)]
    timestamps: Option<Vec<json::Num>>,
    /// JS Self-Profiling: script URLs.
    #[serde(borrow, default)]
    resources: Option<&'a RawValue>,
    /// JS Self-Profiling: frames.
    #[serde(borrow, default)]
    frames: Option<&'a RawValue>,
    /// JS Self-Profiling: stacks.
    #[serde(borrow, default)]
    stacks: Option<&'a RawValue>,
}

/// Read and import one input file (or `-` for standard input).
pub fn import_path(path: &Path, warnings: &mut Warnings) -> Result<Vec<Profile>> {
    let display = if path.as_os_str() == "-" {
        "standard input".to_string()
    } else {
        path.display().to_string()
    };
    crate::memory::reading(&display);
    let raw = source::read_raw(path, &display)?;
    let mut ctx = ImportContext {
        input: display,
        warnings: Warnings::new(),
    };
    let source = naming::source_for(path, &ctx.input);
    let mut profiles = import_raw(raw, source, &mut ctx);
    if let Ok(list) = &mut profiles {
        let scripts = sidecar::read_beside(path, &mut ctx.warnings);
        for p in list.iter_mut().filter(|p| p.scripts.is_empty()) {
            p.scripts.clone_from(&scripts);
        }
    }
    warnings.extend(ctx.warnings);
    profiles
}

/// Import a file's bytes as read. A `.cpuprofile` (the common, large case)
/// never needs its bytes again once parsed: they are dropped (unmapped)
/// before the tree is built, so the two never add up in memory.
fn import_raw(
    raw: source::Bytes,
    source: crate::model::SourceInfo,
    ctx: &mut ImportContext,
) -> Result<Vec<Profile>> {
    let bytes = if source::is_gzip(&raw) {
        // A gzip .cpuprofile is parsed as it is decompressed, never held whole.
        let mut text = source::gunzip_reader(&raw, &ctx.input)?;
        let streamed = {
            let mut de = serde_json::Deserializer::from_reader(&mut text);
            Document::<'static>::deserialize(&mut de).and_then(|doc| de.end().map(|_| doc))
        };
        match streamed {
            Ok(doc) => {
                if let Ok(cdp) = split_cdp(doc) {
                    drop(text);
                    drop(raw);
                    return cdp.import(source, ctx).map(|p| vec![p]);
                }
            }
            // Broken JSON (or a broken gzip stream): reported from the stream,
            // so that a bomb of padding is never held whole in memory.
            Err(e) if e.is_io() => {
                return Err(source::gunzip_error(&ctx.input, &e, text.decompressed()))
            }
            Err(e) if e.is_syntax() || e.is_eof() => {
                let err = json::json_error(&ctx.input, &[], &e);
                return Err(match err {
                    Error::Json { input, message, .. } => Error::Json {
                        input,
                        offset: text.error_offset(&e),
                        message,
                        syntax: true,
                    },
                    other => other,
                });
            }
            // Another format (which borrows from its text), or valid JSON of
            // the wrong shape: read again in memory (within the memory budget),
            // where the error, if any, is reported precisely.
            Err(_) => {}
        }
        // Another format, or an error to report with its byte offset: in memory.
        source::Bytes::Owned(source::gunzip(&raw, &ctx.input)?)
    } else {
        raw
    };
    if let Some(what) = sniff::foreign(&bytes) {
        return Err(Error::profile(&ctx.input, what));
    }
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return import_bytes(&bytes, source, ctx);
    }
    let parallel = {
        let release = bytes.releaser();
        let release = release
            .as_ref()
            .map(|r| r as &(dyn Fn(usize, usize) + Sync));
        parse_cdp_in_parallel(&bytes, release)
    };
    if let Some(cdp) = parallel {
        drop(bytes);
        return cdp.import(source, ctx).map(|p| vec![p]);
    }
    let input = ctx.input.clone();
    let doc: Document =
        serde_json::from_slice(&bytes).map_err(|e| json::json_error(&input, &bytes, &e))?;
    let cdp = match split_cdp(doc) {
        Ok(cdp) => cdp,
        Err(doc) => return import_document(*doc, source, ctx),
    };
    drop(bytes);
    cdp.import(source, ctx).map(|p| vec![p])
}

/// A plain CDP profile out of a parsed document (owning everything, so the
/// input can go), or the document back when it is another format (or a
/// `.cpuprofile` whose `samples` are not node ids, which
/// [`import_document`] reports).
fn split_cdp(doc: Document<'_>) -> std::result::Result<cdp::RawProfile, Box<Document<'_>>> {
    // The precedence of `import_document`: trace events, then an Edge log,
    // then `nodes` (whatever else the object carries).
    let other_format = doc.nodes.is_none()
        || doc.trace_events.is_some()
        || is_edge(doc.meta)
        || matches!(doc.samples, Some(selfprofile::Samples::Objects(_)));
    if other_format {
        return Err(Box::new(doc));
    }
    let samples = match doc.samples {
        Some(selfprofile::Samples::Ids(ids)) => Some(ids),
        _ => None,
    };
    Ok(cdp::RawProfile {
        nodes: doc.nodes,
        samples,
        time_deltas: doc.time_deltas,
        start_time: doc.start_time,
        end_time: doc.end_time,
    })
}

/// Whether a top-level `meta` says this is a Microsoft Edge session log.
fn is_edge(meta: Option<&RawValue>) -> bool {
    meta.and_then(|m| serde_json::from_str::<trace::EdgeMeta>(m.get()).ok())
        .is_some_and(|m| m.is_edge())
}

/// The fast path for large compact `.cpuprofile`s: the nodes (98 % of the
/// bytes) parsed on every core, then the small rest of the object. `None`
/// whenever the file is not exactly that; the caller then parses it the
/// ordinary way (which also reports any error precisely).
fn parse_cdp_in_parallel(
    bytes: &[u8],
    release: Option<&(dyn Fn(usize, usize) + Sync)>,
) -> Option<cdp::RawProfile> {
    let (nodes, end) = cdp::parse_nodes_in_parallel(bytes, release)?;
    let tail = &bytes[end..];
    let tail = &tail[tail.iter().position(|b| !b.is_ascii_whitespace())?..];
    let mut rest = Vec::with_capacity(tail.len() + 1);
    rest.push(b'{');
    rest.extend_from_slice(tail.strip_prefix(b",").unwrap_or(tail));
    let mut doc: Document = serde_json::from_slice(&rest).ok()?;
    if doc.nodes.is_some() {
        return None; // a second `nodes`: let the ordinary parse decide
    }
    doc.nodes = Some(nodes);
    split_cdp(doc).ok()
}

/// Import a document already in memory (decompressed), detecting its format.
/// A UTF-8 byte-order mark is skipped (byte offsets in errors still count it).
pub fn import_bytes(
    bytes: &[u8],
    source: crate::model::SourceInfo,
    ctx: &mut ImportContext,
) -> Result<Vec<Profile>> {
    let skip = source::text_start(bytes, &ctx.input)?;
    import_text(&bytes[skip..], source, ctx).map_err(|e| match e {
        Error::Json {
            input,
            offset,
            message,
            syntax,
        } => Error::Json {
            input,
            offset: offset + skip,
            message,
            syntax,
        },
        e => e,
    })
}

/// [`import_bytes`] after the byte-order mark.
fn import_text(
    bytes: &[u8],
    source: crate::model::SourceInfo,
    ctx: &mut ImportContext,
) -> Result<Vec<Profile>> {
    let input = ctx.input.clone();
    if let Some(what) = sniff::foreign(bytes) {
        return Err(Error::profile(&input, what));
    }
    let first = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .map(|i| bytes[i]);
    match first {
        None => Err(Error::profile(&input, "the file is empty")),
        Some(b'{') => {
            let doc: Document =
                serde_json::from_slice(bytes).map_err(|e| json::json_error(&input, bytes, &e))?;
            import_document(doc, source, ctx)
        }
        Some(b'[') => {
            let events = trace::parse_array(bytes, ctx)?;
            trace::import(events, source, ctx)
        }
        Some(_) => match serde_json::from_slice::<json::Skip>(bytes) {
            Err(e) => Err(json::json_error(&input, bytes, &e)),
            Ok(_) => Err(not_a_profile(&input)),
        },
    }
}

/// Hand a parsed top-level object to its format's importer (R1).
fn import_document(
    doc: Document<'_>,
    source: crate::model::SourceInfo,
    ctx: &mut ImportContext,
) -> Result<Vec<Profile>> {
    let input = ctx.input.clone();
    if let Some(events) = doc.trace_events {
        return trace::import(events, source, ctx);
    }
    if is_edge(doc.meta) {
        let payload: Option<trace::EdgePayload> = match doc.payload {
            Some(p) => Some(part(p, "payload", &input)?),
            None => None,
        };
        return match payload.and_then(|p| p.trace_events) {
            Some(events) => trace::import(events, source, ctx),
            None => Err(Error::profile(
                &input,
                "this Edge session log (.devtools) has no `payload.traceEvents`",
            )),
        };
    }
    let doc = match split_cdp(doc) {
        Ok(cdp) => return Ok(vec![cdp.import(source, ctx)?]),
        Err(doc) => *doc,
    };
    if doc.nodes.is_some() && doc.head.is_none() && doc.stacks.is_none() {
        return Err(Error::profile(
            &input,
            "`samples` holds objects, but a .cpuprofile's samples are node ids",
        ));
    }
    if let Some(head) = doc.head {
        let samples = match doc.samples {
            None => None,
            Some(selfprofile::Samples::Ids(ids)) => Some(ids),
            Some(selfprofile::Samples::Objects(_)) => {
                return Err(Error::profile(
                    &input,
                    "`samples` holds objects, but a legacy profile's samples are node ids",
                ))
            }
        };
        let legacy = legacy::RawLegacy {
            head,
            start_time: doc.start_time,
            end_time: doc.end_time,
            samples,
            timestamps: doc.timestamps,
        };
        return Ok(vec![legacy.import(source, ctx)?]);
    }
    if doc.frames.is_some() && doc.stacks.is_some() {
        let samples =
            match doc.samples {
                None => Vec::new(),
                Some(selfprofile::Samples::Objects(o)) => o,
                Some(selfprofile::Samples::Ids(ids)) if ids.is_empty() => Vec::new(),
                Some(selfprofile::Samples::Ids(_)) => return Err(Error::profile(
                    &input,
                    "`samples` holds node ids, but a JS Self-Profiling trace's samples are objects",
                )),
            };
        let trace = selfprofile::RawTrace {
            resources: match doc.resources {
                Some(r) => {
                    part::<Option<Vec<json::Text>>>(r, "resources", &input)?.unwrap_or_default()
                }
                None => Vec::new(),
            },
            frames: doc
                .frames
                .map_or(Ok(None), |f| part(f, "frames", &input))?
                .unwrap_or_default(),
            stacks: doc
                .stacks
                .map_or(Ok(None), |f| part(f, "stacks", &input))?
                .unwrap_or_default(),
            samples,
        };
        return Ok(vec![trace.import(source, ctx)?]);
    }
    if let Some(p) = doc.profile.filter(|p| p.is_present()) {
        return Ok(vec![p.import(source, ctx)?]);
    }
    Err(not_a_profile(&input))
}

/// Read a top-level field kept raw, now that the format is known.
fn part<'a, T: Deserialize<'a>>(raw: &'a RawValue, field: &str, input: &str) -> Result<T> {
    serde_json::from_str(raw.get()).map_err(|e| {
        let mut m = e.to_string();
        if let Some(p) = m.rfind(" at line ") {
            m.truncate(p);
        }
        Error::profile(input, format!("`{field}`: {m}"))
    })
}

fn not_a_profile(input: &str) -> Error {
    Error::profile(
        input,
        "not a CPU profile: expected a .cpuprofile object with `nodes`, a Chrome trace, \
         a legacy profile with `head`, or a JS Self-Profiling trace",
    )
}
