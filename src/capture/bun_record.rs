//! `cpuflame record -- bun …`: Bun's inspector is not CDP, so Bun records
//! itself (`bun --cpu-prof --cpu-prof-dir=DIR`, one `.cpuprofile` written at
//! exit) and cpuflame reads the file. Ctrl-C forwards SIGINT to Bun; what
//! Bun wrote by then is drawn.

use std::ffi::OsString;
use std::process::Command;
use std::time::{Duration, Instant};

use super::record::{code_of, stop_child, Recorded};
use super::{fail, stop, CaptureOptions, Captured};
use crate::error::Result;
use crate::import;
use crate::model::Warnings;

/// Run Bun with its own profiler on and read what it wrote.
pub fn record(command: &[OsString], opts: &CaptureOptions, title: String) -> Result<Recorded> {
    let name = command[0].to_string_lossy().into_owned();
    let dir =
        tempfile::tempdir().map_err(|e| fail(&name, format!("no temporary directory: {e}")))?;
    let mut cmd = Command::new(&command[0]);
    cmd.arg("--cpu-prof")
        .arg(format!("--cpu-prof-dir={}", dir.path().display()))
        .args(&command[1..]);
    let guard = stop::Guard::new();
    let mut child = super::record::spawn_own_group(&mut cmd)
        .map_err(|e| fail(&name, format!("cannot start it: {e}")))?;
    let until = opts.duration.map(|d| Instant::now() + d);
    let status = loop {
        if let Some(s) = child
            .try_wait()
            .map_err(|e| fail(&name, format!("cannot wait for it: {e}")))?
        {
            break s;
        }
        if stop::requested() || until.is_some_and(|u| Instant::now() >= u) {
            stop_child(&mut child, libc::SIGINT);
            match child.wait() {
                Ok(s) => break s,
                Err(e) => return Err(fail(&name, format!("cannot wait for it: {e}"))),
            }
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    drop(guard);
    let mut files: Vec<_> = std::fs::read_dir(dir.path())
        .map_err(|e| fail(&name, e.to_string()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "cpuprofile"))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(fail(
            &name,
            format!("Bun wrote no profile (it {status}; bun --cpu-prof writes one only when the program ends by itself)"),
        ));
    }
    let mut warnings = Warnings::new();
    let mut profiles = Vec::new();
    for f in &files {
        if let Some(save) = &opts.save {
            std::fs::create_dir_all(save).map_err(|e| crate::error::Error::write_path(save, e))?;
            if let Some(n) = f.file_name() {
                std::fs::copy(f, save.join(n))
                    .map_err(|e| crate::error::Error::write_path(save, e))?;
            }
        }
        let mut ps = import::import_path(f, &mut warnings)?;
        for p in &mut ps {
            p.source.name = format!("bun pid {} main", child.id());
            p.source.pid = Some(child.id().into());
            p.source.file = title.clone();
        }
        profiles.extend(ps);
    }
    Ok(Recorded {
        captured: Captured { profiles, warnings },
        exit_code: code_of(status),
        title,
    })
}
