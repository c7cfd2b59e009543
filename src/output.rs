//! Writing results without ever leaving a broken file behind.
//!
//! A file output is written to a temporary file in the same directory and
//! renamed over the destination only once it is complete, so an existing file
//! survives every failure (including a full disk) untouched.

use std::io::{self, Write};
use std::path::Path;

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

fn write_file_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
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
