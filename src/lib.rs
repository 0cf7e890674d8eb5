//! linkrisk: audit re-identification risk in customer data before it is cross-referenced.
//!
//! The modules follow the data: [`io`] loads sources into polars frames, [`engine`]
//! dictionary-encodes them and builds the equivalence-class table in one pass, [`metrics`]
//! reads that table (one metric per file), [`report`] turns the figures into JSON, tables or
//! Markdown without leaking values, and [`cli`] wires it to the command line.

pub mod audit;
pub mod budget;
pub mod cli;
pub mod commands;
pub mod engine;
pub mod escape;
pub mod io;
pub mod metrics;
pub mod normalize;
pub mod plan;
pub mod report;
pub mod synth;
pub mod timing;

pub use commands::ExitStatus;
pub use commands::audit::AuditOptions;
pub use commands::keys::KeysOptions;
pub use commands::link::LinkOptions;
pub use commands::scan::ScanOptions;
pub use commands::synth::SynthOptions;
pub use commands::unicity::UnicityOptions;

/// Measures one file ([`commands::scan`]): the report of its view, findings and verdict.
pub fn scan(opts: &ScanOptions) -> Result<report::Report> {
    commands::scan::run(opts, &commands::quiet)
}

/// Links a target file to an identified file on shared quasi-identifiers
/// ([`commands::link`]).
pub fn link(opts: &LinkOptions) -> Result<report::Report> {
    commands::link::run(opts, &commands::quiet)
}

/// Runs an audit plan ([`commands::audit`]).
pub fn audit(opts: &AuditOptions) -> Result<report::Report> {
    commands::audit::run(opts, &commands::quiet)
}

/// Which columns make people unique ([`commands::keys`]).
pub fn keys(opts: &KeysOptions) -> Result<report::keys::KeysReport> {
    commands::keys::run(opts, &commands::quiet)
}

/// The unicity of purchase histories ([`commands::unicity`]).
pub fn unicity(opts: &UnicityOptions) -> Result<report::Report> {
    commands::unicity::run(opts, &commands::quiet)
}

/// Writes the synthetic retail sources ([`commands::synth`]).
pub fn synth(opts: &SynthOptions) -> Result<synth::SynthSummary> {
    commands::synth::run(opts, &commands::quiet)
}

/// Library error type: every error is a one-line message meant for the user.
pub type Result<T> = anyhow::Result<T>;

/// Renders an error and its context chain as one line: the first line of each message
/// (polars adds multi-line hints to some of its errors), joined with ": ".
pub fn one_line(err: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in err.chain() {
        let line = cause
            .to_string()
            .lines()
            .next()
            .unwrap_or("")
            .trim()
            .to_string();
        // Some errors repeat their source's message; say it once.
        if !line.is_empty() && !parts.iter().any(|p| p.contains(&line)) {
            parts.push(line);
        }
    }
    parts.join(": ")
}
