use std::process::ExitCode;

fn main() -> ExitCode {
    // A panic is a bug, but the user still gets one line and exit code 2, never a backtrace.
    // The line names where in the source it happened, not its message, which may quote data.
    // A panic inside a guarded polars read is that read's error, reported by the guard.
    std::panic::set_hook(Box::new(|info| {
        if linkrisk::io::guard::is_active() {
            return;
        }
        let place = info
            .location()
            .map_or_else(String::new, |l| format!(" at {}:{}", l.file(), l.line()));
        eprintln!("error: internal error{place}; please report it");
        std::process::exit(2);
    }));
    match linkrisk::cli::run() {
        Ok(status) => status.into(),
        Err(err) => {
            eprintln!("error: {}", err.one_line());
            linkrisk::ExitStatus::Error.into()
        }
    }
}
