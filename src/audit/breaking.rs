//! Where anonymity breaks: per join step, the records it attached before → after, and the
//! step that adds the most (expected) re-identifications. An analysis of the audit's
//! figures, computed here once; the summary and the `join_breaks_anonymity` finding both read
//! it.

use super::join::JoinReport;
use crate::report::ViewReport;

/// One join step, before → after for the records it attached (its right-hand input).
#[derive(Debug, Clone, PartialEq)]
pub struct StepLine {
    /// The step.
    pub name: String,
    /// Its kind (`key`, `normalized`, `hashed`, `quasi`).
    pub kind: &'static str,
    /// Right-hand records (or people) linked, and of how many.
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

impl StepLine {
    fn of(join: &JoinReport, right_identified: bool) -> StepLine {
        let all = join.rows_right as f64;
        let reidentified = if right_identified {
            (all, all)
        } else {
            let after = match &join.linkage {
                Some(link) => link.expected_reidentifications,
                None => join.matched_right as f64,
            };
            (0.0, after)
        };
        StepLine {
            name: join.name.clone(),
            kind: join.kind.as_str(),
            linked: join.matched_right,
            of: join.rows_right,
            unique: (
                join.before_right.unique_fraction,
                join.after.unique_fraction,
            ),
            reidentified,
        }
    }
}

/// One [`StepLine`] per join step.
pub fn step_lines(joins: &[JoinReport], views: &[ViewReport]) -> Vec<StepLine> {
    let identified = |name: &str| views.iter().any(|v| v.name == name && v.identified);
    joins
        .iter()
        .map(|j| StepLine::of(j, identified(&j.before_right.view)))
        .collect()
}

/// Where anonymity breaks: the step that adds the most expected re-identifications to the
/// records it attaches, if any step raises their risk at all. The summary and the
/// `join_breaks_anonymity` finding both name it.
pub fn breaking_step(steps: &[StepLine]) -> Option<usize> {
    let rise = |s: &StepLine| s.reidentified.1 - s.reidentified.0;
    steps
        .iter()
        .enumerate()
        .max_by(|a, b| rise(a.1).total_cmp(&rise(b.1)))
        .filter(|(_, s)| s.reidentified.1 > s.reidentified.0 || s.unique.1 > s.unique.0)
        .map(|(i, _)| i)
}
