//! linkrisk: audit re-identification risk in customer data before it is cross-referenced.
//!
//! Every command of the binary is a function here, taking an options struct and returning a
//! typed result: [`scan()`], [`link()`], [`keys()`], [`audit()`], [`unicity()`], [`synth()`]
//! (each documented in [`commands`]). Below them the modules follow the data: [`io`] reads
//! sources, [`engine`] dictionary-encodes them and builds the equivalence-class table in one
//! pass, [`metrics`] reads that table (one metric per file), the audit runs plans and joins
//! and concludes into the typed report of [`model`], which [`render`] prints without leaking
//! values.
//!
//! Measuring a small table in memory:
//!
//! ```
//! use polars::prelude::*;
//!
//! let people = df! {
//!     "zip3" => ["021", "021", "021", "104"],
//!     "gender" => ["F", "F", "F", "M"],
//! }?;
//! let qis = ["zip3".to_string(), "gender".to_string()];
//! let table = linkrisk::engine::class_table(&people, &qis, &[])?;
//! let metrics = linkrisk::metrics::measure(&table, linkrisk::metrics::MeasureOptions {
//!     policy_k: 3,
//!     recursive_l: 2,
//!     population: None,
//! });
//! // The man in 104 is alone in his class: the table is 1-anonymous, a quarter unique.
//! assert_eq!(metrics.k_anonymity.k, 1);
//! assert_eq!(metrics.k_anonymity.unique_fraction, 0.25);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![warn(missing_docs)]

// The library's API: the commands and what their options and results are made of.
pub mod commands;
pub mod engine;
pub mod io;
pub mod metrics;
pub mod model;
pub mod plan;
pub mod render;
pub mod source;

// The binary's command line: public only because the binary is a crate of its own.
/// The command line (the binary's).
#[doc(hidden)]
pub mod cli;

pub mod error;

// Internals, reached from outside only through [`internals`].
#[doc(hidden)]
mod audit;
#[doc(hidden)]
mod budget;
#[doc(hidden)]
mod escape;
#[doc(hidden)]
mod format;
#[doc(hidden)]
mod normalize;
#[doc(hidden)]
mod output;
#[doc(hidden)]
mod synth;
#[doc(hidden)]
mod timing;

/// Unstable: linkrisk's internals, for its own tests and benchmarks. Nothing here is part of
/// the API; any of it may change in any release.
#[doc(hidden)]
pub mod internals {
    /// Plans run: sources, joins, linkage, purchase histories, findings.
    pub mod audit {
        pub use crate::audit::*;
    }
    /// The memory budget.
    pub mod budget {
        pub use crate::budget::*;
    }
    /// Email and phone normalisation and hashing.
    pub mod normalize {
        pub use crate::normalize::*;
    }
    /// The synthetic retail generator.
    pub mod synth {
        pub use crate::synth::*;
    }
}

pub use budget::{MemoryBudget, OverBudget};
pub use commands::ExitStatus;
pub use commands::audit::AuditOptions;
pub use commands::keys::KeysOptions;
pub use commands::link::LinkOptions;
pub use commands::scan::ScanOptions;
pub use commands::synth::SynthOptions;
pub use commands::unicity::UnicityOptions;
pub use error::{Error, Result};

/// Measures one file ([`commands::scan`]): the report of its view, findings and verdict.
pub fn scan(opts: &ScanOptions) -> Result<model::Report> {
    commands::scan::run(opts, &commands::quiet)
}

/// Links a target file to an identified file on shared quasi-identifiers
/// ([`commands::link`]).
pub fn link(opts: &LinkOptions) -> Result<model::Report> {
    commands::link::run(opts, &commands::quiet)
}

/// Runs an audit plan ([`commands::audit`]).
pub fn audit(opts: &AuditOptions) -> Result<model::Report> {
    commands::audit::run(opts, &commands::quiet)
}

/// Which columns make people unique ([`commands::keys`]).
pub fn keys(opts: &KeysOptions) -> Result<model::KeysReport> {
    commands::keys::run(opts, &commands::quiet)
}

/// The unicity of purchase histories ([`commands::unicity`]).
pub fn unicity(opts: &UnicityOptions) -> Result<model::Report> {
    commands::unicity::run(opts, &commands::quiet)
}

/// Writes the synthetic retail sources ([`commands::synth`]).
pub fn synth(opts: &SynthOptions) -> Result<synth::SynthSummary> {
    commands::synth::run(opts, &commands::quiet)
}
