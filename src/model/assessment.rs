//! What the audit concluded from its figures, for the summary to say: each join step's
//! records before → after, the step where anonymity breaks, and each view's cheapest remedy.
//! Computed once by the audit (`audit::breaking`); never part of the JSON, whose findings
//! and verdict say the same.

/// One join step, before → after for the records it attached (its right-hand input).
#[derive(Debug, Clone, PartialEq)]
pub struct StepLine {
    /// The step.
    pub name: String,
    /// Its kind (`key`, `normalized`, `hashed`, `quasi`).
    pub kind: &'static str,
    /// Whether the step links records meant to be anonymous to identities (its output holds
    /// direct identifiers, its right-hand input does not): only then are they re-identified.
    pub attaches_identities: bool,
    /// What the figures count: `records`, or `people (by <entity>)` where the right-hand input
    /// declares an entity column.
    pub unit: String,
    /// Right-hand records (or people) linked.
    pub linked: usize,
    /// Right-hand records (or people) in all.
    pub of: usize,
    /// Unique fraction of the right-hand input, and of the joined view.
    pub unique: (f64, f64),
    /// Right-hand records re-identified (expected) before the step and after it: before,
    /// all of them when the right-hand view holds identifiers, else none; after, the records
    /// linked to an identity (for a quasi step, the expected re-identifications).
    pub reidentified: (f64, f64),
}

/// The audit's conclusions the summary reads.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Assessment {
    /// One line per join step, in plan order.
    pub steps: Vec<StepLine>,
    /// Where anonymity breaks: the index in `steps` of the step that adds the most expected
    /// re-identifications, if any step raises the risk of the records it links.
    pub breaking_step: Option<usize>,
    /// Per view, in the order views first appear among the findings, the index of its
    /// cheapest remedy finding (`remedy` or `remedy_not_found`).
    pub remedies: Vec<usize>,
    /// The indices in the verdict's violations of those the cheapest remedies would not clear:
    /// a remedy generalises one view to meet k, l and the unique fraction, so every other
    /// rule (the identities a step attaches among them), and every view without a remedy,
    /// remains.
    pub remaining: Vec<usize>,
}
