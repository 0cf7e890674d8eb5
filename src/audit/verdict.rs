//! The policy's verdict: every rule each judged view and step breaks.

use crate::format::percent;
use crate::model::{JoinReport, Policy, PolicyResult, Rule, ViewReport, Violation};

/// Checks every view, and every step that attaches identities to a view meant to be
/// anonymous, against the policy.
pub fn judge(policy: &Policy, views: &[ViewReport], joins: &[JoinReport]) -> PolicyResult {
    let mut violations = Vec::new();
    let identified = |name: &str| views.iter().any(|v| v.name == name && v.identified);
    let mut judged = 0;
    for join in joins {
        // A step that links records of a view meant to be anonymous to an identified
        // view attaches identities to them: the fraction it identifies is the violation.
        let (left, right) = (&join.before_left.view, &join.before_right.view);
        if identified(right) || !identified(left) {
            continue;
        }
        judged += 1;
        let (fraction, how) = match &join.linkage {
            Some(link) => (
                link.expected_reidentification_fraction,
                "is expected to identify",
            ),
            None => (join.matched_right_fraction, "identifies"),
        };
        if fraction > 0.0 {
            violations.push(Violation {
                view: right.clone(),
                rule: Rule::IdentitiesAttached,
                limit: 0.0,
                actual: fraction,
                message: format!(
                    "step '{}' {how} {} of {right}'s records by linking them to {left}",
                    join.name,
                    percent(fraction)
                ),
            });
        }
    }
    for view in views.iter().filter(|v| !v.identified) {
        judged += 1;
        // An empty view (a join that linked nobody) singles out nobody: it meets every
        // threshold.
        if view.is_empty() {
            continue;
        }
        let m = &view.metrics;
        if m.k_anonymity.k < policy.k {
            violations.push(Violation {
                view: view.name.clone(),
                rule: Rule::K,
                limit: policy.k as f64,
                actual: m.k_anonymity.k as f64,
                message: format!(
                    "{} is {}-anonymous, below the policy k = {}",
                    view.name, m.k_anonymity.k, policy.k
                ),
            });
        }
        if let Some(max) = policy.max_unique_fraction
            && m.k_anonymity.unique_fraction > max
        {
            violations.push(Violation {
                view: view.name.clone(),
                rule: Rule::MaxUniqueFraction,
                limit: max,
                actual: m.k_anonymity.unique_fraction,
                message: format!(
                    "{} has {} unique records, above the policy's {}",
                    view.name,
                    percent(m.k_anonymity.unique_fraction),
                    percent(max)
                ),
            });
        }
        if let Some(l) = policy.l {
            for (attr, ld) in &m.l_diversity {
                if ld.distinct < l {
                    violations.push(Violation {
                        view: view.name.clone(),
                        rule: Rule::L,
                        limit: l as f64,
                        actual: ld.distinct as f64,
                        message: format!(
                            "{}.{attr} is distinct {}-diverse, below the policy l = {l}",
                            view.name, ld.distinct
                        ),
                    });
                }
            }
        }
    }
    PolicyResult {
        passed: violations.is_empty(),
        judged,
        policy: policy.clone(),
        violations,
    }
}
