//! Phase timings on stderr when `LINKRISK_TIMINGS` is set: how the benchmarks find where the
//! time goes.

use std::time::Instant;

pub struct Timer(Option<std::cell::Cell<Instant>>);

impl Timer {
    pub fn start() -> Timer {
        Timer(std::env::var_os("LINKRISK_TIMINGS").map(|_| std::cell::Cell::new(Instant::now())))
    }

    /// Prints the time since the previous lap.
    pub fn lap(&self, phase: &str) {
        if let Some(last) = &self.0 {
            let now = Instant::now();
            eprintln!(
                "timing: {phase}: {:.3} s (peak {} MiB so far)",
                (now - last.get()).as_secs_f64(),
                peak_mib().map_or("?".to_string(), |m| m.to_string())
            );
            last.set(now);
        }
    }
}

/// The process's peak resident memory so far, from `/proc/self/status` (Linux only).
fn peak_mib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024)
}
