//! Source maps: a pass over each profile's frames between import and fold,
//! so that every output names the functions, files and lines the user wrote.
//!
//! For each script with frames in the profile, its map is found (in this
//! order): a `--source-map FILE` naming it, `--source-map-dir DIR/NAME.map`,
//! the `sourceMapURL` the runtime reported for it (live captures and their
//! `.scripts.json` sidecar), the `//# sourceMappingURL=` comment on the
//! script's last non-empty line (scripts on disk), `SCRIPT.map` beside it.
//! Web URLs are never fetched. A map is decoded once, only for a script that
//! has frames, checked against the script (refused whole when it does not
//! fit), and each distinct frame is looked up once.

mod locate;
mod map;
mod names;
mod text;

use std::path::{Path, PathBuf};

use rustc_hash::FxHashMap;

use crate::error::{Error, Result};
use crate::model::{CallFrame, FrameKind, Profile, Warnings};
use map::{LoadedMap, Refusal};
use text::Text;

/// `--source-maps`: whether to look for maps at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// Find maps by the rules above (the default).
    #[default]
    Auto,
    /// Leave frames as recorded.
    Off,
}

/// How to find source maps.
#[derive(Debug, Clone, Default)]
pub struct SourceMapOptions {
    /// `--source-maps auto|off` (default `Auto`).
    pub mode: Mode,
    /// `--source-map FILE`: maps given by hand, each used for the script its
    /// `file` field names, or its own name without `.map` (default none).
    pub maps: Vec<PathBuf>,
    /// `--source-map-dir DIR`: where `NAME.map` of every script may be (default none).
    pub dir: Option<PathBuf>,
}

/// What happened to one script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// Its frames were mapped through `map`.
    Mapped {
        /// The map, as the user would name it (a path, or `inline`).
        map: String,
    },
    /// No map was found.
    NoMap,
    /// A map was found and not used.
    Refused {
        /// The map.
        map: String,
        /// Why.
        why: Refusal,
    },
}

/// One script with frames in the profiles, and its map.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptReport {
    /// The script's URL as the profile names it.
    pub url: String,
    /// What happened.
    pub status: Status,
    /// Distinct frames of this script.
    pub frames: usize,
    /// Of those, frames the map gave an original position.
    pub mapped: usize,
}

/// What the pass did, script by script, in the order first seen.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    /// Every script that could have had a map.
    pub scripts: Vec<ScriptReport>,
}

impl Summary {
    /// The one line for standard error (`source maps: 3 scripts mapped, 1
    /// without a map (vendor.js), 1 refused (stale: app.js)`), or `None` when
    /// no script had or pointed to a map: plain profiles print nothing.
    pub fn line(&self) -> Option<String> {
        let mapped = self
            .scripts
            .iter()
            .filter(|s| matches!(s.status, Status::Mapped { .. }))
            .count();
        let none: Vec<&str> = self
            .scripts
            .iter()
            .filter(|s| s.status == Status::NoMap)
            .map(|s| locate::file_name(&s.url))
            .collect();
        let refused: Vec<String> = self
            .scripts
            .iter()
            .filter_map(|s| match &s.status {
                Status::Refused { why, .. } => {
                    Some(format!("{}: {}", why.kind, locate::file_name(&s.url)))
                }
                _ => None,
            })
            .collect();
        if mapped == 0 && refused.is_empty() {
            return None;
        }
        let plural = |n: usize| if n == 1 { "" } else { "s" };
        let mut line = format!("source maps: {mapped} script{} mapped", plural(mapped));
        if !none.is_empty() {
            line.push_str(&format!(
                ", {} without a map ({})",
                none.len(),
                abbreviate(&none)
            ));
        }
        if !refused.is_empty() {
            let r: Vec<&str> = refused.iter().map(String::as_str).collect();
            line.push_str(&format!(", {} refused ({})", refused.len(), abbreviate(&r)));
        }
        Some(line)
    }

    /// The `--list` table of scripts and their maps (empty when no script had one).
    pub fn table(&self) -> String {
        if self.line().is_none() {
            return String::new();
        }
        let mut rows = vec![[
            "script".to_string(),
            "source map".to_string(),
            "frames mapped".to_string(),
        ]];
        for s in &self.scripts {
            let (map, note) = match &s.status {
                Status::Mapped { map } => (map.clone(), format!("{}/{}", s.mapped, s.frames)),
                Status::NoMap => ("-".to_string(), format!("0/{}", s.frames)),
                Status::Refused { map, why } => (
                    map.clone(),
                    format!("refused ({}): {}", why.kind, why.reason),
                ),
            };
            rows.push([s.url.clone(), map, note]);
        }
        let width = |i: usize| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0);
        let (w0, w1) = (width(0), width(1));
        let mut out = String::from("\n");
        for [a, b, c] in &rows {
            out.push_str(&format!("{a:<w0$}  {b:<w1$}  {c}\n"));
        }
        out
    }

    /// Frames mapped and frames of scripts that had a map, over all scripts.
    pub fn coverage(&self) -> (usize, usize) {
        self.scripts
            .iter()
            .filter(|s| matches!(s.status, Status::Mapped { .. }))
            .fold((0, 0), |(m, f), s| (m + s.mapped, f + s.frames))
    }
}

/// At most three names, then a count.
fn abbreviate(names: &[&str]) -> String {
    if names.len() <= 3 {
        names.join(", ")
    } else {
        format!("{}, and {} more", names[..3].join(", "), names.len() - 3)
    }
}

/// The URL of the `//# sourceMappingURL=` comment on the last non-empty line
/// of a script's text, if there is one.
pub fn source_map_comment(script: &str) -> Option<&str> {
    let line = script.lines().rev().find(|l| !l.trim().is_empty())?;
    locate::comment_url(line)
}

/// A map given with `--source-map`, read up front.
struct GivenMap {
    path: PathBuf,
    /// The script file name it is for.
    target: String,
    bytes: Vec<u8>,
}

/// Where a found map came from.
struct Found {
    bytes: std::result::Result<Vec<u8>, String>,
    /// As shown to the user.
    name: String,
    /// What its relative sources resolve against.
    base: String,
    /// Found by the script's name, not by its own reference: its `file` must agree.
    by_name: bool,
}

/// One script's state during the pass.
struct Script {
    map: Option<LoadedMap>,
    report: ScriptReport,
}

/// Map the frames of every profile (see the module docs), in place. Refused
/// maps are warnings (errors under `--strict`); the summary line is a note.
pub fn apply(
    profiles: &mut [Profile],
    opts: &SourceMapOptions,
    warnings: &mut Warnings,
) -> Result<Summary> {
    if opts.mode == Mode::Off {
        return Ok(Summary::default());
    }
    let given = read_given(&opts.maps)?;
    let live: FxHashMap<String, String> = profiles
        .iter()
        .flat_map(|p| &p.scripts)
        .filter_map(|s| {
            let m = s.source_map_url.as_deref()?.trim();
            (!m.is_empty() && !s.url.is_empty()).then(|| (s.url.clone(), m.to_string()))
        })
        .collect();
    let mut scripts: FxHashMap<String, Script> = FxHashMap::default();
    let mut order: Vec<String> = Vec::new();
    let mut memo: FxHashMap<CallFrame, Option<CallFrame>> = FxHashMap::default();
    for profile in profiles.iter_mut() {
        for frame in profile.frames.iter_mut() {
            if frame.kind != FrameKind::Function || !could_have_map(&frame.url, &live) {
                continue;
            }
            if let Some(known) = memo.get(frame) {
                if let Some(m) = known {
                    *frame = m.clone();
                }
                continue;
            }
            let script = scripts.entry(frame.url.clone()).or_insert_with(|| {
                order.push(frame.url.clone());
                resolve(&frame.url, opts, &given, &live, warnings)
            });
            script.report.frames += 1;
            let mapped = script.map.as_ref().and_then(|m| m.lookup(frame));
            if mapped.is_some() {
                script.report.mapped += 1;
            }
            memo.insert(frame.clone(), mapped.clone());
            if let Some(m) = mapped {
                *frame = m;
            }
        }
    }
    for g in &given {
        if !scripts.contains_key_name(&g.target) {
            warnings.push(
                &g.path.display().to_string(),
                format!("no script named {} has frames in the profile", g.target),
            );
        }
    }
    let summary = Summary {
        scripts: order
            .into_iter()
            .filter_map(|u| scripts.remove(&u).map(|s| s.report))
            .collect(),
    };
    if let Some(line) = summary.line() {
        warnings.note(line);
    }
    Ok(summary)
}

trait ByName {
    fn contains_key_name(&self, name: &str) -> bool;
}

impl ByName for FxHashMap<String, Script> {
    fn contains_key_name(&self, name: &str) -> bool {
        self.keys().any(|u| locate::file_name(u) == name)
    }
}

/// Scripts that can have a map: files, web URLs, and anything the runtime gave a map.
fn could_have_map(url: &str, live: &FxHashMap<String, String>) -> bool {
    !url.is_empty()
        && (url.starts_with("file://")
            || url.starts_with('/')
            || url.starts_with("http://")
            || url.starts_with("https://")
            || live.contains_key(url))
}

/// Read every `--source-map FILE`: unreadable or not JSON is an error (the user named it).
fn read_given(paths: &[PathBuf]) -> Result<Vec<GivenMap>> {
    #[derive(serde::Deserialize)]
    struct FileField {
        #[serde(default)]
        file: Option<serde_json::Value>,
    }
    let mut out = Vec::new();
    for path in paths {
        let shown = path.display().to_string();
        let bytes = locate::read_bounded(path).map_err(|e| Error::Read {
            input: shown.clone(),
            source: std::io::Error::other(e),
        })?;
        let field: FileField = serde_json::from_slice(&bytes).map_err(|e| Error::Json {
            input: shown.clone(),
            offset: 0,
            message: format!("not a source map: {e}"),
            syntax: e.is_syntax() || e.is_eof(),
        })?;
        let own_name = locate::file_name(&shown);
        let target = match field.file.as_ref().and_then(|f| f.as_str()) {
            Some(f) if !locate::file_name(f).is_empty() => locate::file_name(f).to_string(),
            _ => own_name
                .strip_suffix(".map")
                .unwrap_or(own_name)
                .to_string(),
        };
        out.push(GivenMap {
            path: path.clone(),
            target,
            bytes,
        });
    }
    Ok(out)
}

/// A local path as a `file://` URL, for resolving sources against it.
fn file_url(path: &Path) -> String {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    format!("file://{}", abs.display())
}

/// Find, read, decode and check the map of one script.
fn resolve(
    url: &str,
    opts: &SourceMapOptions,
    given: &[GivenMap],
    live: &FxHashMap<String, String>,
    warnings: &mut Warnings,
) -> Script {
    let name = locate::file_name(url);
    let script_path = locate::local_path(url);
    let script_text = script_path
        .as_deref()
        .filter(|p| p.is_file())
        .and_then(|p| locate::read_bounded(p).ok())
        .map(|b| Text::new(String::from_utf8_lossy(&b).into_owned()));
    let found = find(
        url,
        name,
        script_path.as_deref(),
        script_text.as_ref(),
        opts,
        given,
        live,
    );
    let mut report = ScriptReport {
        url: url.to_string(),
        status: Status::NoMap,
        frames: 0,
        mapped: 0,
    };
    let Some(found) = found else {
        return Script { map: None, report };
    };
    let loaded = found
        .bytes
        .map_err(|e| Refusal::new("unreadable", e))
        .and_then(
            |b| match script_text.as_ref().and_then(|t| map::quick_stale(&b, t)) {
                Some(stale) => Err(stale),
                None => Ok(b),
            },
        )
        .and_then(|b| map::decode(&b))
        .and_then(|m| LoadedMap::new(m, script_text, found.base, found.by_name.then_some(name)));
    match loaded {
        Ok(m) => {
            report.status = Status::Mapped { map: found.name };
            Script {
                map: Some(m),
                report,
            }
        }
        Err(why) => {
            warnings.push(
                &found.name,
                format!("source map not used for {name}: {}", why.reason),
            );
            report.status = Status::Refused {
                map: found.name,
                why,
            };
            Script { map: None, report }
        }
    }
}

/// The first map found for a script, by the order in the module docs.
fn find(
    url: &str,
    name: &str,
    script_path: Option<&Path>,
    script_text: Option<&Text>,
    opts: &SourceMapOptions,
    given: &[GivenMap],
    live: &FxHashMap<String, String>,
) -> Option<Found> {
    let from_file = |path: &Path, by_name: bool| Found {
        bytes: locate::read_bounded(path),
        name: path.display().to_string(),
        base: file_url(path),
        by_name,
    };
    if let Some(g) = given.iter().find(|g| g.target == name) {
        return Some(Found {
            bytes: Ok(g.bytes.clone()),
            name: g.path.display().to_string(),
            base: file_url(&g.path),
            by_name: true,
        });
    }
    if let Some(dir) = &opts.dir {
        let candidate = dir.join(format!("{name}.map"));
        if !name.is_empty() && candidate.is_file() {
            return Some(from_file(&candidate, true));
        }
    }
    let referenced = live.get(url).map(String::as_str).or_else(|| {
        script_text
            .and_then(Text::last_non_empty_line)
            .and_then(locate::comment_url)
    });
    if let Some(r) = referenced {
        if r.starts_with("data:") {
            return Some(Found {
                bytes: locate::data_url(r),
                name: format!("inline map of {name}"),
                base: url.to_string(),
                by_name: false,
            });
        }
        let target = locate::join(url, r);
        if let Some(path) = locate::local_path(&target) {
            return Some(from_file(&path, false));
        }
        // A web URL: never fetched.
    }
    let beside = script_path.map(|p| {
        let mut s = p.as_os_str().to_owned();
        s.push(".map");
        PathBuf::from(s)
    })?;
    beside.is_file().then(|| from_file(&beside, true))
}
