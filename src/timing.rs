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
            eprintln!("timing: {phase}: {:.3} s", (now - last.get()).as_secs_f64());
            last.set(now);
        }
    }
}
