//! Ctrl-C during a capture: the first interrupt asks the capture to stop and
//! still draw what was sampled; a second one quits at once, as always.

use std::sync::atomic::{AtomicBool, Ordering};

static ACTIVE: AtomicBool = AtomicBool::new(false);
static REQUESTED: AtomicBool = AtomicBool::new(false);

/// Called by the interrupt handler: `true` when a capture took the interrupt
/// as a request to stop (the handler then returns instead of exiting).
pub fn request() -> bool {
    ACTIVE.load(Ordering::SeqCst) && !REQUESTED.swap(true, Ordering::SeqCst)
}

/// Whether a stop was requested.
pub fn requested() -> bool {
    REQUESTED.load(Ordering::SeqCst)
}

/// While alive, interrupts stop the capture instead of the process.
pub struct Guard(());

impl Guard {
    /// Take interrupts over until dropped.
    pub fn new() -> Guard {
        REQUESTED.store(false, Ordering::SeqCst);
        ACTIVE.store(true, Ordering::SeqCst);
        Guard(())
    }
}

impl Default for Guard {
    fn default() -> Guard {
        Guard::new()
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        ACTIVE.store(false, Ordering::SeqCst);
    }
}
