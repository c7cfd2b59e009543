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

/// Install a Ctrl-C / SIGTERM / SIGHUP handler that removes an unfinished temporary
/// file and exits with status 130. Call once, from the binary.
pub fn remove_temporary_files_on_interrupt() {
    let _ = ctrlc::set_handler(|| {
        // A live capture takes the first interrupt as "stop and draw".
        if crate::capture::stop::request() {
            return;
        }
        if let Ok(mut pending) = PENDING.lock() {
            if let Some(p) = pending.take() {
                let _ = std::fs::remove_file(p);
            }
        }
        eprintln!("cpuflame: interrupted");
        std::process::exit(130);
    });
}

/// Remove an unfinished temporary file, if one is being written (used when
/// memory runs out: never waits for the lock).
pub fn remove_pending() {
    if let Ok(mut pending) = PENDING.try_lock() {
        if let Some(p) = pending.take() {
            let _ = std::fs::remove_file(p);
        }
    }
}

fn set_pending(path: Option<PathBuf>) {
    if let Ok(mut pending) = PENDING.lock() {
        *pending = path;
    }
}

fn write_file_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut dest = Destination::open(Some(path))?;
    dest.write_all(bytes)
        .map_err(|e| Error::write_path(path, e))?;
    dest.finish()
}

/// Where the output goes, written as it is produced: standard output, or a
/// temporary file beside the destination that [`Destination::finish`] renames
/// over it. Dropped without `finish` (an error on the way), the temporary
/// file is removed and an existing destination is left as it was.
pub struct Destination {
    name: String,
    /// `None` once finished.
    kind: Option<Kind>,
}

enum Kind {
    Stdout(io::BufWriter<io::Stdout>),
    /// An existing file that is not a regular file (a FIFO, a device).
    Direct(io::BufWriter<std::fs::File>),
    File {
        tmp: io::BufWriter<tempfile::NamedTempFile>,
        path: PathBuf,
    },
}

impl Destination {
    /// Open standard output (`None`) or a temporary file for `path`.
    pub fn open(path: Option<&Path>) -> Result<Destination> {
        let Some(path) = path else {
            return Ok(Destination {
                name: "standard output".into(),
                kind: Some(Kind::Stdout(io::BufWriter::with_capacity(
                    1 << 16,
                    io::stdout(),
                ))),
            });
        };
        let name = path.display().to_string();
        // A symlink is followed: the file it points to is replaced, the link stays.
        let real = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        if let Ok(meta) = std::fs::metadata(&real) {
            if !meta.is_file() {
                // A pipe, a terminal, /dev/stdout: no rename over it, write into it.
                let file = std::fs::OpenOptions::new()
                    .write(true)
                    .open(&real)
                    .map_err(|e| Error::write_path(path, e))?;
                return Ok(Destination {
                    name,
                    kind: Some(Kind::Direct(io::BufWriter::with_capacity(1 << 16, file))),
                });
            }
        }
        let dir = match real.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        if !dir.is_dir() {
            return Err(Error::write_path(
                path,
                io::Error::new(
                    io::ErrorKind::NotFound,
                    format!("the directory {} does not exist", dir.display()),
                ),
            ));
        }
        let tmp = tempfile::Builder::new()
            .prefix(".cpuflame-")
            .suffix(".tmp")
            .tempfile_in(&dir)
            // tempfile names its own temporary path; name the destination only.
            .map_err(|e| Error::write_path(path, io::Error::new(e.kind(), e.kind().to_string())))?;
        set_pending(Some(tmp.path().to_path_buf()));
        Ok(Destination {
            name,
            kind: Some(Kind::File {
                tmp: io::BufWriter::with_capacity(1 << 16, tmp),
                path: real,
            }),
        })
    }

    /// The destination as messages name it.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Flush, and for a file, put it in place of the destination.
    pub fn finish(mut self) -> Result<()> {
        match self.kind.take() {
            None => Ok(()),
            Some(Kind::Stdout(mut w)) => w.flush().map_err(|source| Error::Write {
                output: self.name.clone(),
                source,
            }),
            Some(Kind::Direct(mut w)) => w.flush().map_err(|source| Error::Write {
                output: self.name.clone(),
                source,
            }),
            Some(Kind::File { tmp, path }) => {
                let result = persist(tmp, &path);
                set_pending(None);
                result
            }
        }
    }

    fn inner(&mut self) -> io::Result<&mut dyn Write> {
        match &mut self.kind {
            Some(Kind::Stdout(w)) => Ok(w),
            Some(Kind::Direct(w)) => Ok(w),
            Some(Kind::File { tmp, .. }) => Ok(tmp),
            None => Err(io::Error::other("output already finished")),
        }
    }
}

impl Write for Destination {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.inner()?.write(buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.inner()?.write_all(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner()?.flush()
    }
}

impl Drop for Destination {
    fn drop(&mut self) {
        // An unfinished temporary file is removed by its own drop.
        if matches!(self.kind, Some(Kind::File { .. })) {
            set_pending(None);
        }
    }
}

fn persist(tmp: io::BufWriter<tempfile::NamedTempFile>, path: &Path) -> Result<()> {
    let err = |source: io::Error| Error::write_path(path, source);
    let tmp = tmp.into_inner().map_err(|e| err(e.into_error()))?;
    // No fsync: the rename protects the destination from a failed or killed
    // run, which is what matters here, at no cost for a 300 MB folded file.
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
