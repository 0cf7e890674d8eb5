//! The policy and its verdict.

use serde::Serialize;

/// The policy rule a violation breaks.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// k-anonymity below the policy's k.
    K,
    /// More unique records than `max_unique_fraction`.
    MaxUniqueFraction,
    /// A sensitive attribute less than l-diverse.
    L,
    /// A join step attached identities to records of a source meant to be anonymous.
    IdentitiesAttached,
}

impl Rule {
    /// The rule as the report spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::K => "k",
            Rule::MaxUniqueFraction => "max_unique_fraction",
            Rule::L => "l",
            Rule::IdentitiesAttached => "identities_attached",
        }
    }
}

/// The thresholds that turn a report into pass/fail.
#[derive(Debug, Clone, Serialize)]
pub struct Policy {
    /// Every view must be k-anonymous.
    pub k: u32,
    /// Every sensitive attribute must be distinct l-diverse.
    pub l: Option<usize>,
    /// The most records a view may have unique, as a fraction.
    pub max_unique_fraction: Option<f64>,
}

/// One broken rule of the policy.
#[derive(Debug, Clone, Serialize)]
/// One rule a view breaks.
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
}
