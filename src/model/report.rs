//! The whole report, and what every report says about itself.

use serde::Serialize;

use super::{
    Assessment, BaselineComparison, Finding, JoinReport, PolicyResult, Provenance, RecordRisk,
    UnicityReport, ViewReport,
};

/// Bumped whenever a field changes meaning or disappears.
pub const SCHEMA_VERSION: u32 = 1;

/// How missing values are treated; every report says so.
pub const MISSING_VALUES_NOTE: &str =
    "a missing value is a value of its own: records missing the same QIs share a class";

/// The note under `--nulls wildcard`.
pub const WILDCARD_NOTE: &str = "a missing QI value matches any value (--nulls wildcard): k, uniques and risk count compatible records; l-diversity, t-closeness and population models use classes with missing as a value";

#[derive(Debug, Clone, Serialize)]
/// The program that wrote a report.
pub struct Tool {
    /// `linkrisk`.
    pub name: &'static str,
    /// Its version.
    pub version: &'static str,
}

impl Default for Tool {
    fn default() -> Self {
        Tool {
            name: env!("CARGO_PKG_NAME"),
            version: env!("CARGO_PKG_VERSION"),
        }
    }
}

/// The whole report.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// [`SCHEMA_VERSION`]: changes when a field is renamed or removed.
    pub schema_version: u32,
    /// The program that wrote it.
    pub tool: Tool,
    /// How a missing QI value matched.
    pub missing_values: &'static str,
    /// Every view measured.
    pub views: Vec<ViewReport>,
    /// Every join step, in plan order.
    pub joins: Vec<JoinReport>,
    /// Ranked most severe first.
    pub findings: Vec<Finding>,
    /// The verdict.
    pub policy: PolicyResult,
    /// Purchase-history unicity, when measured (`unicity`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unicity: Option<UnicityReport>,
    /// With `--records`: every record's (or person's) risk, written to its own file and never
    /// part of the JSON.
    #[serde(skip)]
    pub records: Vec<RecordRisk>,
    /// With `--baseline`: what changed since the last accepted audit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<BaselineComparison>,
    /// Which plan and inputs, which linkrisk, which command line and when.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provenance: Option<Provenance>,
    /// What the audit concluded for the summary (the breaking step, each view's cheapest
    /// remedy); the findings say the same in the JSON.
    #[serde(skip)]
    pub assessment: Assessment,
}
