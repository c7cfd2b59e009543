//! The `NAME.scripts.json` sidecar beside `NAME.cpuprofile`: the scripts a
//! live runtime reported (format in `crate::model::ScriptInfo`), read back so
//! that a saved capture maps like a live one. The read is bounded and
//! forgiving: a bad sidecar is a warning, never a failed import.

use std::io::Read;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::model::{ScriptInfo, Warnings};

/// Sidecars larger than this are ignored (a sidecar lists scripts, not code).
const MAX_SIDECAR_BYTES: u64 = 64 * 1024 * 1024;

#[derive(Deserialize)]
struct Sidecar {
    #[serde(default)]
    scripts: Vec<serde_json::Value>,
}

/// The sidecar path of a profile path (`a/x.cpuprofile` -> `a/x.scripts.json`),
/// or `None` when the profile is not a `.cpuprofile` (or `.cpuprofile.gz`).
pub fn sidecar_path(profile: &Path) -> Option<PathBuf> {
    let name = profile.file_name()?.to_str()?;
    let stem = name
        .strip_suffix(".cpuprofile")
        .or_else(|| name.strip_suffix(".cpuprofile.gz"))?;
    Some(profile.with_file_name(format!("{stem}.scripts.json")))
}

/// Read the sidecar of `profile`, if there is one. Entries that are not
/// objects with a string `url` are skipped (counted in one warning).
pub fn read_beside(profile: &Path, warnings: &mut Warnings) -> Vec<ScriptInfo> {
    let Some(path) = sidecar_path(profile) else {
        return Vec::new();
    };
    // Only a regular file: opening a FIFO named like a sidecar would block.
    if !std::fs::metadata(&path).is_ok_and(|m| m.is_file()) {
        return Vec::new();
    }
    let Ok(file) = std::fs::File::open(&path) else {
        return Vec::new();
    };
    let shown = path.display().to_string();
    let mut bytes = Vec::new();
    if let Err(e) = file.take(MAX_SIDECAR_BYTES + 1).read_to_end(&mut bytes) {
        warnings.push(&shown, format!("ignored: cannot read: {e}"));
        return Vec::new();
    }
    if bytes.len() as u64 > MAX_SIDECAR_BYTES {
        warnings.push(
            &shown,
            format!("ignored: larger than {} MB", MAX_SIDECAR_BYTES >> 20),
        );
        return Vec::new();
    }
    let sidecar: Sidecar = match serde_json::from_slice(&bytes) {
        Ok(s) => s,
        Err(e) => {
            warnings.push(&shown, format!("ignored: not a scripts list: {e}"));
            return Vec::new();
        }
    };
    let text = |v: &serde_json::Value, key: &str| -> Option<String> {
        v.get(key)
            .and_then(|s| s.as_str())
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let mut skipped = 0;
    let mut out = Vec::new();
    for s in &sidecar.scripts {
        match text(s, "url") {
            Some(url) => out.push(ScriptInfo {
                script_id: text(s, "scriptId").unwrap_or_default(),
                url,
                source_map_url: text(s, "sourceMapURL"),
                hash: text(s, "hash"),
            }),
            None => skipped += 1,
        }
    }
    warnings.count(&shown, skipped, |n| {
        format!("skipped {n} script entries without a url")
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        assert_eq!(
            sidecar_path(Path::new("/a/run.cpuprofile")),
            Some(PathBuf::from("/a/run.scripts.json"))
        );
        assert_eq!(
            sidecar_path(Path::new("run.cpuprofile.gz")),
            Some(PathBuf::from("run.scripts.json"))
        );
        assert_eq!(sidecar_path(Path::new("trace.json")), None);
    }

    #[test]
    fn reads_and_tolerates() {
        let dir = tempfile::tempdir().expect("tempdir");
        let profile = dir.path().join("x.cpuprofile");
        let side = dir.path().join("x.scripts.json");
        let mut w = Warnings::new();
        assert!(read_beside(&profile, &mut w).is_empty());
        assert!(w.is_empty());
        std::fs::write(
            &side,
            r#"{"scripts":[{"scriptId":"12","url":"file:///app/main.js","sourceMapURL":"main.js.map","hash":"ab"},
               {"url":"file:///app/v.js","sourceMapURL":""}, 7, {"scriptId":"3"}]}"#,
        )
        .expect("write");
        let s = read_beside(&profile, &mut w);
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].script_id, "12");
        assert_eq!(s[0].source_map_url.as_deref(), Some("main.js.map"));
        assert_eq!(s[1].source_map_url, None);
        assert_eq!(w.iter().count(), 1, "{:?}", w);
        std::fs::write(&side, "{not json").expect("write");
        let mut w = Warnings::new();
        assert!(read_beside(&profile, &mut w).is_empty());
        assert!(w.iter().next().expect("warning").contains("ignored"));
    }
}
