//! Names for sources, from what the file name says.
//!
//! Node's `--cpu-prof` writes `CPU.YYYYMMDD.HHMMSS.PID.TID.SEQ.cpuprofile`, one
//! file per thread (TID 0 is the main thread, 1..n are worker threads); the
//! source is then named `node pid PID main` or `node pid PID worker TID`.

use std::path::Path;

use crate::model::SourceInfo;

/// The source description for a profile read from `path`.
pub fn source_for(path: &Path, display: &str) -> SourceInfo {
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| display.to_string());
    let mut info = SourceInfo {
        name: file_name.clone(),
        file: display.to_string(),
        ..SourceInfo::default()
    };
    if let Some((pid, tid)) = node_file_ids(&file_name) {
        info.pid = Some(pid);
        info.tid = Some(tid);
        info.name = if tid == 0 {
            format!("node pid {pid} main")
        } else {
            format!("node pid {pid} worker {tid}")
        };
        info.clock = Some(format!("pid {pid}"));
    }
    info
}

/// `(pid, tid)` from a Node default profile name, if `name` is one.
pub fn node_file_ids(name: &str) -> Option<(u64, u64)> {
    let stem = name.strip_suffix(".gz").unwrap_or(name);
    let stem = stem.strip_suffix(".cpuprofile")?;
    let parts: Vec<&str> = stem.split('.').collect();
    // CPU, date, time, pid, tid, seq; a prefix before `CPU` (a copy renamed
    // `run-3__CPU.…`) is allowed.
    if parts.len() != 6 || !parts[0].ends_with("CPU") {
        return None;
    }
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !parts[1..].iter().all(|p| all_digits(p)) || parts[1].len() != 8 {
        return None;
    }
    Some((parts[3].parse().ok()?, parts[4].parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_names() {
        assert_eq!(
            node_file_ids("CPU.20250519.000216.90620.1.002.cpuprofile"),
            Some((90620, 1))
        );
        assert_eq!(node_file_ids("CPU.1700000000000.42.cpuprofile"), None);
        assert_eq!(node_file_ids("app.cpuprofile"), None);
        assert_eq!(
            node_file_ids("ng-build__CPU.20250519.000216.90620.2.003.cpuprofile"),
            Some((90620, 2))
        );
        let s = source_for(
            Path::new("/x/CPU.20250519.000215.90620.0.001.cpuprofile"),
            "x",
        );
        assert_eq!(s.name, "node pid 90620 main");
    }
}
