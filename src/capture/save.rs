//! `--save DIR`: the raw profiles of a capture, one `.cpuprofile` per thread
//! named as Node's `--cpu-prof` names them
//! (`CPU.YYYYMMDD.HHMMSS.PID.TID.SEQ.cpuprofile`, here in UTC), each with its
//! `NAME.scripts.json` sidecar (format: [`crate::model::ScriptInfo`]).

use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use crate::error::{Error, Result};
use crate::model::ScriptInfo;

/// Write one thread's profile and its scripts; returns the profile's path.
pub fn write(
    dir: &Path,
    pid: u64,
    tid: u64,
    seq: usize,
    profile: &Value,
    scripts: &[ScriptInfo],
) -> Result<PathBuf> {
    std::fs::create_dir_all(dir).map_err(|e| Error::write_path(dir, e))?;
    let stem = format!("CPU.{}.{pid}.{tid}.{seq:03}", stamp());
    let path = dir.join(format!("{stem}.cpuprofile"));
    let bytes = serde_json::to_vec(profile).map_err(|e| Error::write_path(&path, e.into()))?;
    write_atomically(&path, &bytes)?;
    let sidecar = dir.join(format!("{stem}.scripts.json"));
    write_atomically(&sidecar, sidecar_json(scripts).to_string().as_bytes())?;
    Ok(path)
}

/// The sidecar document.
pub fn sidecar_json(scripts: &[ScriptInfo]) -> Value {
    let list: Vec<Value> = scripts
        .iter()
        .map(|s| {
            let mut o = json!({"scriptId": s.script_id, "url": s.url});
            if let Some(m) = &s.source_map_url {
                o["sourceMapURL"] = json!(m);
            }
            if let Some(h) = &s.hash {
                o["hash"] = json!(h);
            }
            o
        })
        .collect();
    json!({ "scripts": list })
}

fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension("partial");
    std::fs::write(&tmp, bytes).map_err(|e| Error::write_path(path, e))?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Error::write_path(path, e)
    })
}

/// `YYYYMMDD.HHMMSS` of now, UTC.
fn stamp() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = civil_from_days(days as i64);
    format!(
        "{y:04}{m:02}{d:02}.{:02}{:02}{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 to a calendar date (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_718), (2026, 9, 22));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    }

    #[test]
    fn sidecar() {
        let s = sidecar_json(&[ScriptInfo {
            script_id: "12".into(),
            url: "file:///a.js".into(),
            source_map_url: Some("a.js.map".into()),
            hash: None,
        }]);
        assert_eq!(
            s.to_string(),
            r#"{"scripts":[{"scriptId":"12","sourceMapURL":"a.js.map","url":"file:///a.js"}]}"#
        );
    }
}
