//! What changed since the last accepted audit (`--baseline previous.json`).

use serde::Serialize;

use super::Violation;

/// The violations compared with a baseline report's, by view and rule.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct BaselineComparison {
    /// The baseline report, as given.
    pub baseline: String,
    /// Violations the baseline did not have: what got worse. With `--check`, only these fail.
    pub new: Vec<Violation>,
    /// The baseline's violations that are gone: what improved.
    pub fixed: Vec<Violation>,
    /// Violations both have.
    pub unchanged: usize,
}
