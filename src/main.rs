use std::process::ExitCode;

fn main() -> ExitCode {
    // A panic is a bug, but the user still gets one line and exit code 2, never a backtrace.
    std::panic::set_hook(Box::new(|info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("unexpected failure");
        let first_line = message.lines().next().unwrap_or("");
        eprintln!("error: internal error: {first_line}");
        std::process::exit(2);
    }));
    match linkrisk::cli::run() {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {}", linkrisk::one_line(&err));
            ExitCode::from(2)
        }
    }
}
