//! Getting the bytes of an input: a memory-mapped file, standard input, or a
//! gzip stream decompressed on the way in.

use std::fs::File;
use std::io::{self, Read};
use std::ops::Deref;
use std::path::Path;

use crate::error::{Error, Result};

/// The bytes of one input document.
pub enum Bytes {
    /// A file mapped into memory: no copy, pages load as the parser reaches them.
    Mapped(memmap2::Mmap),
    /// Standard input, a decompressed gzip stream, or a small file.
    Owned(Vec<u8>),
}

impl Deref for Bytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Bytes::Mapped(m) => m,
            Bytes::Owned(v) => v,
        }
    }
}

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

impl Bytes {
    /// For a mapped file: a function that lets the kernel drop the pages of a
    /// byte range the parser is done with, so a 200 MB profile need not stay
    /// resident while the rest is read. `None` for bytes in memory.
    pub fn releaser(&self) -> Option<impl Fn(usize, usize) + Sync + '_> {
        let Bytes::Mapped(map) = self else {
            return None;
        };
        Some(move |from: usize, to: usize| {
            const PAGE: usize = 4096;
            let start = from.div_ceil(PAGE) * PAGE;
            let end = (to / PAGE * PAGE).min(map.len());
            if end > start {
                // SAFETY: the map is a read-only private mapping of a file that
                // is never written through it; MADV_DONTNEED only drops cached
                // pages, and a later read faults the same file contents back in.
                let _ = unsafe {
                    map.unchecked_advise_range(
                        memmap2::UncheckedAdvice::DontNeed,
                        start,
                        end - start,
                    )
                };
            }
        })
    }
}

/// Whether `bytes` start with the gzip magic.
pub fn is_gzip(bytes: &[u8]) -> bool {
    bytes.starts_with(&GZIP_MAGIC)
}

/// A reader decompressing gzip `bytes` (all members) as it goes, telling the
/// progress line how much of the compressed input it has consumed. A UTF-8
/// byte-order mark at the start of the text is skipped; UTF-16 text is an error.
pub fn gunzip_reader<'a>(bytes: &'a [u8], display: &str) -> Result<TextReader<impl Read + 'a>> {
    let counted = Counted {
        inner: bytes,
        since: 0,
    };
    let mut reader =
        io::BufReader::with_capacity(1 << 16, flate2::read::MultiGzDecoder::new(counted));
    let mut skipped = 0;
    // A broken stream is reported by the reads that follow.
    if let Ok(head) = io::BufRead::fill_buf(&mut reader) {
        skipped = text_start(head, display)?;
        // A heap snapshot, a pprof file, an HTML page… gzipped is named as
        // such, not reported as broken JSON.
        if let Some(what) = super::sniff::foreign(&head[skipped..]) {
            return Err(Error::profile(display, what));
        }
        io::BufRead::consume(&mut reader, skipped);
    }
    Ok(TextReader {
        inner: reader,
        pos: skipped,
        line_start: skipped,
    })
}

/// Decompressed text read as a stream, keeping what an error message needs:
/// how far it got and where its current line starts.
pub struct TextReader<R> {
    inner: R,
    /// Bytes of text consumed (counting a skipped byte-order mark).
    pos: usize,
    /// Where the line being read starts.
    line_start: usize,
}

impl<R> TextReader<R> {
    /// Bytes of text decompressed and consumed so far.
    pub fn decompressed(&self) -> usize {
        self.pos
    }
}

impl<R: Read> Read for TextReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(nl) = buf[..n].iter().rposition(|&b| b == b'\n') {
            self.line_start = self.pos + nl + 1;
        }
        self.pos += n;
        Ok(n)
    }
}

impl<R> TextReader<R> {
    /// The byte offset of a parse error met while reading this stream: the
    /// same offset [`super::json::json_error`] gives for the text in memory.
    pub fn error_offset(&self, err: &serde_json::Error) -> usize {
        if err.is_eof() {
            self.pos
        } else {
            (self.line_start + err.column().saturating_sub(1)).min(self.pos)
        }
    }
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Where the JSON text of a document starts: after a UTF-8 byte-order mark
/// (PowerShell 5 and Notepad write them), or an error for UTF-16 text, which
/// no profiler writes but an editor's "Save as Unicode" does.
pub fn text_start(bytes: &[u8], display: &str) -> Result<usize> {
    if bytes.starts_with(UTF8_BOM) {
        return Ok(UTF8_BOM.len());
    }
    let utf16 = match bytes {
        [0xFF, 0xFE, ..] => Some("UTF-16 (little-endian, with a byte-order mark)"),
        [0xFE, 0xFF, ..] => Some("UTF-16 (big-endian, with a byte-order mark)"),
        [b'{' | b'[', 0, ..] => Some("UTF-16 (little-endian)"),
        [0, b'{' | b'[', ..] => Some("UTF-16 (big-endian)"),
        _ => None,
    };
    match utf16 {
        Some(kind) => Err(Error::profile(
            display,
            format!("the file is {kind} text; profiles are UTF-8 JSON: re-save it as UTF-8"),
        )),
        None => Ok(0),
    }
}

/// Counts the bytes read through it for the progress line.
struct Counted<R> {
    inner: R,
    since: usize,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.since += n;
        if self.since >= 1 << 20 {
            crate::progress::add_bytes_read(self.since);
            self.since = 0;
        }
        Ok(n)
    }
}

/// Decompress gzip `bytes` whole.
pub fn gunzip(bytes: &[u8], display: &str) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(bytes)
        .read_to_end(&mut out)
        .map_err(|e| Error::profile(display, super::sniff::gzip_failure(&e, out.len())))?;
    Ok(out)
}

/// The error for a gzip stream that broke while it was parsed as it came.
pub fn gunzip_error(display: &str, e: &serde_json::Error, decompressed: usize) -> Error {
    let kind = e.io_error_kind().unwrap_or(io::ErrorKind::InvalidData);
    let mut m = e.to_string();
    if let Some(p) = m.rfind(" at line ") {
        m.truncate(p);
    }
    // The same words as a gzip file read whole: a truncated download says so.
    Error::profile(
        display,
        super::sniff::gzip_failure(&io::Error::new(kind, m), decompressed),
    )
}

/// Read a file (or standard input for `-`) as it is, compressed or not.
pub fn read_raw(path: &Path, display: &str) -> Result<Bytes> {
    let err = |source: io::Error| Error::Read {
        input: display.to_string(),
        source,
    };
    let raw = if path.as_os_str() == "-" {
        let mut v = Vec::new();
        io::stdin().lock().read_to_end(&mut v).map_err(err)?;
        Bytes::Owned(v)
    } else {
        let file = File::open(path).map_err(err)?;
        let meta = file.metadata().map_err(err)?;
        if meta.is_dir() {
            return Err(err(io::Error::other("is a directory")));
        }
        if meta.len() == 0 {
            Bytes::Owned(Vec::new())
        } else {
            // SAFETY: the map is read-only and lives as long as the parse. A file
            // truncated by another process meanwhile can fault; that is the
            // accepted cost of mapping, as in ripgrep.
            match unsafe { memmap2::Mmap::map(&file) } {
                Ok(m) => Bytes::Mapped(m),
                Err(_) => {
                    let mut v = Vec::with_capacity(meta.len() as usize);
                    (&file).read_to_end(&mut v).map_err(err)?;
                    Bytes::Owned(v)
                }
            }
        }
    };
    Ok(raw)
}
