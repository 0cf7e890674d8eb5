//! A backstop around polars: it panics on a few inputs it cannot represent (an Arrow interval
//! column, some string-view IPC files written by other libraries) instead of returning an
//! error. Every read of a source goes through [`reading_as`] once, at the seam
//! ([`crate::source::Source::guarded`]), which turns such a panic into an error
//! naming the file; the binary's panic hook stays quiet while a guarded read runs, so the user
//! sees that one line and nothing of polars' message (which may quote data).

use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::Result;

/// How many guarded reads are running, on any thread.
static ACTIVE: AtomicUsize = AtomicUsize::new(0);

/// Whether a guarded read is running: a panic now is polars failing on an input, and is
/// reported by [`reading_as`] rather than by the panic hook.
pub fn is_active() -> bool {
    ACTIVE.load(Ordering::SeqCst) > 0
}

/// Runs `read` (a read of `path`), turning a panic into an error naming the file and saying
/// `what` it means for this read in the user's words ("is not a valid Parquet file").
pub fn reading_as<T>(path: &str, what: &str, read: impl FnOnce() -> Result<T>) -> Result<T> {
    ACTIVE.fetch_add(1, Ordering::SeqCst);
    let outcome = std::panic::catch_unwind(AssertUnwindSafe(read));
    ACTIVE.fetch_sub(1, Ordering::SeqCst);
    match outcome {
        Ok(result) => result,
        Err(_) => crate::bail!("{} {what}", crate::escape::path(std::path::Path::new(path))),
    }
}
