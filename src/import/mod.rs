//! Importers: every input format becomes [`Profile`]s of the model.
//!
//! One module per format; [`import_bytes`] detects the format by content
//! (never by file name) and hands the parsed document to its module.
//!
//! | module | format |
//! |---|---|
//! | [`cdp`] | V8 / DevTools `.cpuprofile`, and `{profile: {...}}` wrappers |

pub mod cdp;
pub mod json;
pub mod naming;
pub mod source;
pub mod tree;

use std::path::Path;

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::model::{Profile, Warnings};

/// State shared by the importers while reading one input.
pub struct ImportContext {
    /// The input's name as shown in messages (`in.cpuprofile`, `standard input`).
    pub input: String,
    /// Repairs made so far.
    pub warnings: Warnings,
}

/// Every top-level shape we recognise, parsed in one pass: each format's
/// fields are optional, and which ones are present tells the format (R1).
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Document<'a> {
    /// CDP: the call tree.
    #[serde(borrow, default)]
    nodes: Option<Vec<cdp::RawNode<'a>>>,
    /// CDP: sampled node ids.
    #[serde(default)]
    samples: Option<Vec<json::Id>>,
    /// CDP: sample time deltas.
    #[serde(default)]
    time_deltas: Option<Vec<json::Num>>,
    /// CDP: start, µs.
    #[serde(default)]
    start_time: Option<json::Num>,
    /// CDP: end, µs.
    #[serde(default)]
    end_time: Option<json::Num>,
    /// `{profile: {...}}`: a CDP `Profiler.stop` response saved whole.
    #[serde(borrow, default)]
    profile: Option<cdp::RawProfile<'a>>,
    /// Chrome trace object form.
    #[serde(default)]
    trace_events: Option<json::Skip>,
    /// Legacy tree form.
    #[serde(default)]
    head: Option<json::Skip>,
    /// JS Self-Profiling form.
    #[serde(default)]
    stacks: Option<json::Skip>,
}

/// Read and import one input file (or `-` for standard input).
pub fn import_path(path: &Path, warnings: &mut Warnings) -> Result<Vec<Profile>> {
    let display = if path.as_os_str() == "-" {
        "standard input".to_string()
    } else {
        path.display().to_string()
    };
    let bytes = source::read_input(path, &display)?;
    let mut ctx = ImportContext {
        input: display,
        warnings: Warnings::new(),
    };
    let profiles = import_bytes(&bytes, naming::source_for(path, &ctx.input), &mut ctx);
    warnings.extend(ctx.warnings);
    profiles
}

/// Import a document already in memory (decompressed), detecting its format.
pub fn import_bytes(
    bytes: &[u8],
    source: crate::model::SourceInfo,
    ctx: &mut ImportContext,
) -> Result<Vec<Profile>> {
    let input = ctx.input.clone();
    let first = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .map(|i| bytes[i]);
    match first {
        None => Err(Error::profile(&input, "the file is empty")),
        Some(b'{') => {
            let doc: Document =
                serde_json::from_slice(bytes).map_err(|e| json::json_error(&input, bytes, &e))?;
            if doc.nodes.is_some() {
                let cdp = cdp::RawProfile {
                    nodes: doc.nodes,
                    samples: doc.samples,
                    time_deltas: doc.time_deltas,
                    start_time: doc.start_time,
                    end_time: doc.end_time,
                };
                Ok(vec![cdp.import(source, ctx)?])
            } else if let Some(p) = doc.profile.filter(|p| p.is_present()) {
                Ok(vec![p.import(source, ctx)?])
            } else if doc.trace_events.is_some() || doc.head.is_some() || doc.stacks.is_some() {
                Err(Error::profile(
                    &input,
                    "this is a Chrome trace, legacy or JS Self-Profiling file, which this build cannot read yet",
                ))
            } else {
                Err(not_a_profile(&input))
            }
        }
        Some(b'[') => Err(Error::profile(
            &input,
            "this is a Chrome trace event array, which this build cannot read yet",
        )),
        Some(_) => match serde_json::from_slice::<json::Skip>(bytes) {
            Err(e) => Err(json::json_error(&input, bytes, &e)),
            Ok(_) => Err(not_a_profile(&input)),
        },
    }
}

fn not_a_profile(input: &str) -> Error {
    Error::profile(
        input,
        "not a CPU profile: expected a .cpuprofile object with `nodes`, a Chrome trace, \
         a legacy profile with `head`, or a JS Self-Profiling trace",
    )
}
