//! Writing results without ever leaving a broken file behind.
//!
//! A file output is written to a temporary file in the same directory and
//! renamed over the destination only once it is complete, so an existing file
//! survives every failure (including a full disk) untouched. An interrupt
//! (Ctrl-C) while the temporary file exists removes it before exiting.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::error::{Error, Result};

/// Write `bytes` to `dest`, or to standard output when `dest` is `None`.
pub fn write_output(dest: Option<&Path>, bytes: &[u8]) -> Result<()> {
    match dest {
        None => {
            let stdout = io::stdout();
            let mut lock = stdout.lock();
            lock.write_all(bytes)
                .and_then(|_| lock.flush())
                .map_err(|source| Error::Write {
                    output: "standard output".into(),
                    source,
                })
        }
        Some(path) => write_file_atomically(path, bytes),
    }
}

/// The temporary file being written, if any, for the interrupt handler to remove.
static PENDING: Mutex<Option<PathBuf>> = Mutex::new(None);

/// Install a Ctrl-C / SIGTERM handler that removes an unfinished temporary
/// file and exits with status 130. Call once, from the binary.
pub fn remove_temporary_files_on_interrupt() {
    let _ = ctrlc::set_handler(|| {
        if let Ok(mut pending) = PENDING.lock() {
            if let Some(p) = pending.take() {
                let _ = std::fs::remove_file(p);
            }
        }
        eprintln!("cpuflame: interrupted");
        std::process::exit(130);
    });
}

fn set_pending(path: Option<PathBuf>) {
    if let Ok(mut pending) = PENDING.lock() {
        *pending = path;
    }
}

fn write_file_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let result = write_through_temporary(path, bytes);
    set_pending(None);
    result
}

fn write_through_temporary(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let err = |source: io::Error| Error::write_path(path, source);
    let mut tmp = tempfile::Builder::new()
        .prefix(".cpuflame-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(err)?;
    set_pending(Some(tmp.path().to_path_buf()));
    tmp.write_all(bytes).map_err(err)?;
    tmp.as_file().sync_data().map_err(err)?;
    // Keep the destination's permissions when replacing a file.
    if let Ok(meta) = std::fs::metadata(path) {
        let _ = tmp.as_file().set_permissions(meta.permissions());
    } else {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = tmp
                .as_file()
                .set_permissions(std::fs::Permissions::from_mode(0o644));
        }
    }
    tmp.persist(path).map_err(|e| err(e.error))?;
    Ok(())
}
