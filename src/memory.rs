//! The memory budget (`--max-memory`) and the net under every allocation.
//!
//! A profile's size says little about the memory it needs: a 2 MB gzip file
//! can hold a billion samples. Rust aborts the process when an allocation
//! fails; a user should instead get one line naming the file and what was
//! needed, and exit status 1. [`Budgeted`], the binary's global allocator,
//! does that: it counts the bytes in use, refuses any allocation past the
//! budget (or one the system refuses, as under `ulimit -v`), and then prints
//! the error, removes an unfinished output file and exits.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicUsize, Ordering::Relaxed};

/// The global allocator of the `cpuflame` binary: the system's, with a budget.
pub struct Budgeted;

/// Bytes the budget allows; `usize::MAX` until [`set_limit`].
static LIMIT: AtomicUsize = AtomicUsize::new(usize::MAX);
/// Bytes allocated and not freed.
static USED: AtomicUsize = AtomicUsize::new(0);
/// Set while the failure is being reported: allocations then bypass the budget.
static FAILING: AtomicBool = AtomicBool::new(false);
/// Where the limit came from, for the message: 0 default, 1 `--max-memory`.
static LIMIT_GIVEN: AtomicBool = AtomicBool::new(false);

/// What is being read or made, for the message (best effort with parallel
/// inputs: the latest named). Kept in fixed storage: the message is written
/// when no memory is left.
const NAME_CAP: usize = 240;
static NAME: [AtomicU8; NAME_CAP] = [const { AtomicU8::new(0) }; NAME_CAP];
static NAME_LEN: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    /// Set on the thread writing the out-of-memory message.
    static REPORTING: Cell<bool> = const { Cell::new(false) };
}

/// Name the input being read (shown if memory runs out).
pub fn reading(name: &str) {
    let mut end = name.len().min(NAME_CAP);
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    NAME_LEN.store(0, Relaxed);
    for (slot, &b) in NAME.iter().zip(&name.as_bytes()[..end]) {
        slot.store(b, Relaxed);
    }
    NAME_LEN.store(end, Relaxed);
}

/// The default budget: three quarters of the machine's physical memory
/// (`None` when it cannot be told).
pub fn default_limit() -> Option<u64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let kib: u64 = info
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))?
        .trim()
        .strip_suffix("kB")?
        .trim()
        .parse()
        .ok()?;
    Some(kib * 1024 / 4 * 3)
}

/// Set the budget: `Some(bytes)` from `--max-memory`, or `None` for the default.
pub fn set_limit(bytes: Option<u64>) {
    LIMIT_GIVEN.store(bytes.is_some(), Relaxed);
    let limit = bytes.or_else(default_limit).unwrap_or(u64::MAX);
    LIMIT.store(usize::try_from(limit).unwrap_or(usize::MAX), Relaxed);
}

/// Parse a size: bytes, or a number with K, M, G or T (powers of 1024;
/// `KB`, `KiB`, `MB`… are read alike), e.g. `512M`, `1.5G`.
pub fn parse_size(text: &str) -> std::result::Result<u64, String> {
    let t = text.trim();
    let digits = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(digits);
    let n: f64 = num
        .parse()
        .map_err(|_| format!("{text:?} is not a size (e.g. 512M, 2G)"))?;
    let unit = unit.trim().to_ascii_uppercase();
    let shift = match unit.trim_end_matches('B').trim_end_matches('I') {
        "" => 0,
        "K" => 10,
        "M" => 20,
        "G" => 30,
        "T" => 40,
        _ => return Err(format!("{text:?}: unknown unit (use K, M, G or T)")),
    };
    let bytes = n * (1u64 << shift) as f64;
    if !(1.0..1.8e19).contains(&bytes) {
        return Err(format!("{text:?} is not a usable size"));
    }
    Ok(bytes as u64)
}

/// A byte count for people: `1.5 GiB`.
struct Size(u64);

impl std::fmt::Display for Size {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let b = self.0 as f64;
        match self.0 {
            0..1024 => write!(f, "{} bytes", self.0),
            1024..0x10_0000 => write!(f, "{:.1} KiB", b / 1024.0),
            0x10_0000..0x4000_0000 => write!(f, "{:.1} MiB", b / 1048576.0),
            _ => write!(f, "{:.1} GiB", b / 1073741824.0),
        }
    }
}

/// Text written into a fixed buffer: no allocation while memory is out.
struct Fixed {
    buf: [u8; 768],
    len: usize,
}

impl std::fmt::Write for Fixed {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let n = s.len().min(self.buf.len() - self.len);
        self.buf[self.len..self.len + n].copy_from_slice(&s.as_bytes()[..n]);
        self.len += n;
        Ok(())
    }
}

/// Charge `size` bytes; false when the budget does not allow them.
fn charge(size: usize) -> bool {
    let before = USED.fetch_add(size, Relaxed);
    let now = before.saturating_add(size);
    if now > LIMIT.load(Relaxed) && !FAILING.load(Relaxed) {
        USED.fetch_sub(size, Relaxed);
        return false;
    }
    true
}

/// An allocation of `size` bytes failed: the one-line error and exit status 1.
/// (A soft mode that returned null to `try_reserve` was removed: any other
/// allocation failing inside it would have aborted.)
#[cold]
fn fail(size: usize) -> *mut u8 {
    if REPORTING.try_with(Cell::get).unwrap_or(true) {
        // Failing again while reporting.
        return std::ptr::null_mut();
    }
    if FAILING.swap(true, Relaxed) {
        // Another thread is reporting and about to exit: wait for it.
        loop {
            std::thread::park();
        }
    }
    let _ = REPORTING.try_with(|r| r.set(true));
    let mut m = Fixed {
        buf: [0; 768],
        len: 0,
    };
    let name_len = NAME_LEN.load(Relaxed).min(NAME_CAP);
    let mut name = [0u8; NAME_CAP];
    for (d, s) in name.iter_mut().zip(&NAME[..name_len]) {
        *d = s.load(Relaxed);
    }
    let name = std::str::from_utf8(&name[..name_len]).unwrap_or("");
    let _ = m.write_str("cpuflame: error: ");
    if !name.is_empty() {
        let _ = write!(m, "{name}: ");
    }
    let used = USED.load(Relaxed);
    let _ = write!(
        m,
        "out of memory: a block of {} was needed with {} in use; that is more than ",
        Size(size as u64),
        Size(used as u64)
    );
    let limit = LIMIT.load(Relaxed);
    if limit == usize::MAX || used.saturating_add(size) <= limit {
        let _ = m.write_str("the system gives (ulimit -v?)\n");
    } else if LIMIT_GIVEN.load(Relaxed) {
        let _ = writeln!(m, "the --max-memory budget of {}", Size(limit as u64));
    } else {
        let _ = writeln!(
            m,
            "the budget of {} (three quarters of this machine's memory; see --max-memory)",
            Size(limit as u64)
        );
    }
    use std::io::Write as _;
    let _ = std::io::stderr().write_all(&m.buf[..m.len]);
    crate::output::remove_pending();
    std::process::exit(1);
}

// SAFETY: every method hands the layout to `System` unchanged; the budget
// only counts sizes and may refuse (null), which the callers handle.
unsafe impl GlobalAlloc for Budgeted {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if !charge(layout.size()) {
            return fail(layout.size());
        }
        // SAFETY: as the caller promised for `layout`.
        let p = unsafe { System.alloc(layout) };
        if p.is_null() {
            USED.fetch_sub(layout.size(), Relaxed);
            return fail(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if !charge(layout.size()) {
            return fail(layout.size());
        }
        // SAFETY: as the caller promised for `layout`.
        let p = unsafe { System.alloc_zeroed(layout) };
        if p.is_null() {
            USED.fetch_sub(layout.size(), Relaxed);
            return fail(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System` with this layout.
        unsafe { System.dealloc(ptr, layout) };
        USED.fetch_sub(layout.size(), Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let old = layout.size();
        if new_size > old && !charge(new_size - old) {
            return fail(new_size);
        }
        // SAFETY: as the caller promised for `ptr`, `layout` and `new_size`.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if p.is_null() {
            if new_size > old {
                USED.fetch_sub(new_size - old, Relaxed);
            }
            return fail(new_size);
        }
        if new_size < old {
            USED.fetch_sub(old - new_size, Relaxed);
        }
        p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_in_powers_of_1024() {
        assert_eq!(parse_size("512M"), Ok(512 << 20));
        assert_eq!(parse_size("2G"), Ok(2 << 30));
        assert_eq!(parse_size("2GiB"), Ok(2 << 30));
        assert_eq!(parse_size("1.5gb"), Ok(3 << 29));
        assert_eq!(parse_size("4096"), Ok(4096));
        assert!(parse_size("lots").is_err());
        assert!(parse_size("2X").is_err());
        assert!(parse_size("0").is_err());
    }

    #[test]
    fn sizes_print_for_people() {
        assert_eq!(Size(512).to_string(), "512 bytes");
        assert_eq!(Size(3 << 29).to_string(), "1.5 GiB");
        assert_eq!(Size(32_000_000_000).to_string(), "29.8 GiB");
    }
}
