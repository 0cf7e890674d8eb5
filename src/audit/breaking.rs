//! What the summary concludes, computed once into the report's [`Assessment`]: per join
//! step, the records it attached before → after; the step that adds the most (expected)
//! re-identifications, which the `join_breaks_anonymity` finding names too; and each view's
//! cheapest remedy.

use crate::model::{
    Assessment, Finding, FindingCode, JoinReport, Rule, StepLine, ViewReport, Violation,
};

/// The line of one step; `right_identified`: its right-hand view holds identifiers;
/// `joined_identified`: its output does (so what it links is linked to an identity). Where the
/// right-hand input declares an entity column, every figure counts its people.
fn step_line(join: &JoinReport, right_identified: bool, joined_identified: bool) -> StepLine {
    let side = super::people::right_side(join);
    let all = side.of as f64;
    let reidentified = if right_identified {
        (all, all)
    } else if !joined_identified {
        // Linked to records that name nobody: singled out, perhaps, but not re-identified.
        (0.0, 0.0)
    } else {
        (0.0, side.reidentified)
    };
    StepLine {
        name: join.name.clone(),
        kind: join.kind.as_str(),
        attaches_identities: joined_identified && !right_identified,
        unit: side.unit,
        linked: side.linked,
        of: side.of,
        unique: (
            join.before_right.unique_fraction,
            join.after.unique_fraction,
        ),
        reidentified,
    }
}

/// One [`StepLine`] per join step.
pub fn step_lines(joins: &[JoinReport], views: &[ViewReport]) -> Vec<StepLine> {
    let identified = |name: &str| views.iter().any(|v| v.name == name && v.identified);
    joins
        .iter()
        .map(|j| step_line(j, identified(&j.before_right.view), identified(&j.name)))
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

/// The audit's conclusions for the summary: the step lines, the breaking step, the cheapest
/// remedy of each view (the first remedy finding about it, findings being ranked), and the
/// violations those remedies leave; `cleared` names the views whose attached identities they
/// clear (quasi steps re-run against the remedied target).
pub fn assess(
    joins: &[JoinReport],
    views: &[ViewReport],
    findings: &[Finding],
    violations: &[Violation],
    cleared: &[String],
) -> Assessment {
    let steps = step_lines(joins, views);
    let breaking_step = breaking_step(&steps);
    let mut seen: Vec<&str> = Vec::new();
    let mut remedies = Vec::new();
    for (i, f) in findings.iter().enumerate() {
        if matches!(f.code, FindingCode::Remedy | FindingCode::RemedyNotFound)
            && !seen.contains(&f.subject.as_str())
        {
            seen.push(&f.subject);
            remedies.push(i);
        }
    }
    let remedied = |view: &str| {
        findings
            .iter()
            .any(|f| f.code == FindingCode::Remedy && f.subject == view)
    };
    let remaining = violations
        .iter()
        .enumerate()
        .filter(|(_, v)| {
            let generalised_away = super::remedy::meets(v.rule) && remedied(&v.view);
            let unlinked = v.rule == Rule::IdentitiesAttached && cleared.contains(&v.view);
            !(generalised_away || unlinked)
        })
        .map(|(i, _)| i)
        .collect();
    Assessment {
        steps,
        breaking_step,
        remedies,
        remaining,
    }
}
