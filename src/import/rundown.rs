//! Scripts named by a Chrome trace's source rundown (`ScriptCatchup` events):
//! category `disabled-by-default-devtools.v8-source-rundown` gives each
//! script's URL and `sourceMapUrl`, and `…v8-source-rundown-sources` its
//! `sourceText`, whose `sourceMappingURL` comment is used when Chrome elided
//! the URL (it does for inline `data:` maps). Source maps then map the trace
//! with no files on disk. Unreadable events are skipped: this is a bonus, not
//! a reason to fail an import.

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::model::ScriptInfo;

#[derive(Deserialize)]
struct Args {
    #[serde(default)]
    data: Option<Data>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Data {
    #[serde(default)]
    isolate: Option<serde_json::Value>,
    #[serde(default)]
    script_id: Option<serde_json::Value>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    source_map_url: Option<String>,
    #[serde(default)]
    source_text: Option<String>,
}

/// What the events say about one script.
#[derive(Default)]
struct Seen {
    url: Option<String>,
    map: Option<String>,
    from_text: Option<String>,
}

/// The scripts with a source map URL, by process id, from the `args` of a
/// trace's `ScriptCatchup` events (`(pid, args)` pairs).
pub fn scripts<'a>(
    events: impl Iterator<Item = (Option<u64>, Option<&'a RawValue>)>,
) -> HashMap<Option<u64>, Vec<ScriptInfo>> {
    let mut seen: HashMap<(Option<u64>, String, String), Seen> = HashMap::new();
    for (pid, args) in events {
        let Some(Ok(Args { data: Some(d) })) = args.map(|a| serde_json::from_str::<Args>(a.get()))
        else {
            continue;
        };
        let Some(id) = d.script_id.as_ref().map(|v| v.to_string()) else {
            continue;
        };
        let isolate = d
            .isolate
            .as_ref()
            .map(|v| v.to_string())
            .unwrap_or_default();
        let s = seen.entry((pid, isolate, id)).or_default();
        if let Some(url) = d.url.filter(|u| !u.is_empty()) {
            s.url = Some(url);
        }
        if let Some(map) = d.source_map_url.filter(|u| !u.is_empty()) {
            s.map = Some(map);
        }
        if let Some(text) = d.source_text {
            s.from_text = crate::symbolicate::source_map_comment(&text).map(str::to_string);
        }
    }
    let mut out: HashMap<Option<u64>, Vec<ScriptInfo>> = HashMap::new();
    let mut keys: Vec<_> = seen.into_iter().collect();
    keys.sort_by(|a, b| a.0.cmp(&b.0));
    for ((pid, _, id), s) in keys {
        let (Some(url), Some(map)) = (s.url, s.map.or(s.from_text)) else {
            continue;
        };
        out.entry(pid).or_default().push(ScriptInfo {
            script_id: id.trim_matches('"').to_string(),
            url,
            source_map_url: Some(map),
            hash: None,
        });
    }
    out
}
