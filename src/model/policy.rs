//! The policy and its verdict.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::plan::Thresholds;

/// The policy rule a violation breaks.
#[derive(Debug, Clone, Copy, Serialize, serde::Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// k-anonymity below the policy's k.
    K,
    /// More unique records than `max_unique_fraction`.
    MaxUniqueFraction,
    /// A sensitive attribute less than l-diverse.
    L,
    /// A join step attached identities to more records of a source meant to be anonymous
    /// than `max_reidentified_fraction` (default 0) allows.
    IdentitiesAttached,
    /// A sensitive attribute less than entropy l-diverse.
    EntropyL,
    /// A sensitive attribute not recursive (c, l)-diverse for the policy's c.
    RecursiveC,
    /// A sensitive attribute less than t-close.
    T,
    /// Average prosecutor risk above `max_prosecutor_avg`.
    MaxProsecutorAvg,
    /// Highest prosecutor risk above `max_prosecutor_max`.
    MaxProsecutorMax,
    /// Unicity of purchase histories above `max_unicity`.
    MaxUnicity,
    /// Population uniques above `max_population_unique_fraction`.
    MaxPopulationUniqueFraction,
}

impl Rule {
    /// The rule as the report spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::K => "k",
            Rule::MaxUniqueFraction => "max_unique_fraction",
            Rule::L => "l",
            Rule::IdentitiesAttached => "identities_attached",
            Rule::EntropyL => "entropy_l",
            Rule::RecursiveC => "recursive_c",
            Rule::T => "t",
            Rule::MaxProsecutorAvg => "max_prosecutor_avg",
            Rule::MaxProsecutorMax => "max_prosecutor_max",
            Rule::MaxUnicity => "max_unicity",
            Rule::MaxPopulationUniqueFraction => "max_population_unique_fraction",
        }
    }
}

/// The thresholds that turn a report into pass/fail.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Policy {
    /// Every view must be k-anonymous.
    pub k: u32,
    /// Every sensitive attribute must be distinct l-diverse.
    pub l: Option<usize>,
    /// The most records a view may have unique, as a fraction.
    pub max_unique_fraction: Option<f64>,
    /// The plan's other thresholds (its `k`, `l` and `max_unique_fraction` are the fields
    /// above and unset here); only those set appear in the JSON.
    #[serde(flatten)]
    pub more: Thresholds,
    /// Per source or join step, the thresholds its own `policy` sets instead.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub overrides: BTreeMap<String, Thresholds>,
}

/// One rule a view breaks.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Violation {
    /// The view.
    pub view: String,
    /// The rule.
    pub rule: Rule,
    /// The policy's threshold.
    pub limit: f64,
    /// The view's figure.
    pub actual: f64,
    /// The violation in words.
    pub message: String,
}

#[derive(Debug, Clone, Serialize)]
/// The verdict: the policy and every violation.
pub struct PolicyResult {
    /// No violation.
    pub passed: bool,
    /// Views and join steps the policy judged: views meant to be anonymous, and steps that
    /// link records of such a view to identities. 0 when every view is identified by design.
    pub judged: usize,
    /// The thresholds judged by.
    #[serde(flatten)]
    pub policy: Policy,
    /// Every rule broken, view by view.
    pub violations: Vec<Violation>,
    /// Every rule judged, subject by subject, broken or not: one test case each in JUnit and
    /// SARIF. Not in the JSON (its violations say what failed).
    #[serde(skip)]
    pub checks: Vec<Check>,
}

/// One rule judged on one subject (a view, or a join step's right-hand view).
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    /// The view judged.
    pub subject: String,
    /// The rule.
    pub rule: Rule,
}
