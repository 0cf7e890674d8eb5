//! The report: a serialisable model of everything a run measured, and its renderings
//! (JSON, table, Markdown). The model holds figures and column names only — never a raw
//! value — so no rendering can leak one.

pub mod keys;
pub mod markdown;
pub mod model;
pub mod table;
pub mod write;

pub use crate::audit::history::UnicityReport;
pub use crate::audit::identifiers::{IdentifierLinks, TruthLinks};
pub use crate::audit::join::{ColumnOverlap, JoinReport, Snapshot};
pub use crate::audit::linkage::{CandidateBucket, Disclosure, DisclosureSide, Linkage};
pub use model::*;
pub use write::{check_output, write_atomic};

/// The output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Human-readable tables (the default).
    Table,
    /// The stable JSON report (versioned by `schema_version`; fields as in `report::model`).
    Json,
    /// GitHub-flavoured Markdown, for pull requests and wikis.
    Markdown,
}

/// Renders a report in a format. `color` enables ANSI colours in tables.
pub fn render(report: &Report, format: Format, color: bool) -> String {
    match format {
        Format::Json => {
            let mut s = serde_json::to_string_pretty(report).expect("the report model serialises");
            s.push('\n');
            s
        }
        Format::Table => table::render(report, color),
        Format::Markdown => markdown::render(report),
    }
}
