//! Where a report came from: which plan and which inputs (their bytes' SHA-256 and rows), which
//! linkrisk, which command line and when, so that a privacy review can tie a verdict to data.

use serde::Serialize;

/// One file a run read: a source, an attach or hierarchy file, a population table, or the plan.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct InputFile {
    /// What it is to the run: a source's name, `plan`, `attach`, `hierarchy`, `population`,
    /// `file` (`scan`, `keys`, `unicity`), `left` or `right` (`link`).
    pub role: String,
    /// The path as given (relative paths resolved against the plan's folder), or `-` for
    /// standard input.
    pub location: String,
    /// Its size in bytes, when it is a file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bytes: Option<u64>,
    /// The SHA-256 of its bytes, hex, when it is a file (standard input and pipes are read
    /// once and have none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// Records read from it, for a source measured.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rows: Option<usize>,
}

/// The provenance of a report.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Provenance {
    /// The linkrisk version that wrote it.
    pub version: &'static str,
    /// When it was made: UTC, RFC 3339 to the second.
    pub generated_at: String,
    /// The command line, with any password removed; empty when run from the library.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub command_line: Vec<String>,
    /// The plan and every file the run read.
    pub inputs: Vec<InputFile>,
}
