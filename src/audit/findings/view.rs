//! Findings about one view on its own: its unique records or small classes, attribute
//! disclosure, an empty view, and the unicity of its purchase histories.

use super::finding;
use crate::format::{percent, thousands};
use crate::model::{Finding, FindingCode, Severity, ViewReport};

/// Findings about one view on its own, most severe first.
pub fn view_findings(view: &ViewReport, policy_k: u32) -> Vec<Finding> {
    let m = &view.metrics;
    let mut findings = Vec::new();
    if view.is_empty() {
        findings.push(Finding {
            code: FindingCode::EmptyView,
            severity: Severity::Low,
            subject: view.name.clone(),
            message: format!(
                "{} is empty: nobody linked, so it singles out nobody and meets every threshold",
                view.name
            ),
            figures: Default::default(),
        });
        return findings;
    }
    let qis = view.quasi_identifiers.join(" + ");
    if m.k_anonymity.uniques > 0 {
        let share = m.k_anonymity.unique_fraction;
        findings.push(Finding {
            code: FindingCode::UniqueRecords,
            severity: if share >= 0.05 { Severity::High } else { Severity::Medium },
            subject: view.name.clone(),
            message: match &view.entity {
                None => format!(
                    "{} of {} records ({}) in {} are unique on {qis}: each can be singled out by anyone who knows those columns",
                    thousands(m.k_anonymity.uniques),
                    thousands(view.rows),
                    percent(share),
                    view.name
                ),
                Some(entity) => format!(
                    "{} of {} people ({}, by {entity}) in {} are unique on the combination of their rows' {qis}: each can be singled out by anyone who knows those values",
                    thousands(m.k_anonymity.uniques),
                    thousands(view.entities),
                    percent(share),
                    view.name
                ),
            },
            figures: Default::default(),
        }
        .with(&[
            ("uniques", m.k_anonymity.uniques as f64),
            ("unique_fraction", share),
            ("k", m.k_anonymity.k as f64),
        ]));
    } else if m.k_anonymity.k < policy_k {
        findings.push(Finding {
            code: FindingCode::SmallClasses,
            severity: Severity::Medium,
            subject: view.name.clone(),
            message: format!(
                "{} is only {}-anonymous on {qis}; {} of records sit in classes smaller than {}",
                view.name,
                thousands(m.k_anonymity.k as usize),
                percent(m.prosecutor.records_at_risk),
                thousands(policy_k as usize)
            ),
            figures: Default::default(),
        }
        .with(&[
            ("k", m.k_anonymity.k as f64),
            ("records_at_risk", m.prosecutor.records_at_risk),
        ]));
    }
    for (attr, ld) in &m.l_diversity {
        if ld.distinct <= 1 {
            findings.push(Finding {
                code: FindingCode::AttributeDisclosure,
                severity: Severity::High,
                subject: view.name.clone(),
                message: format!(
                    "some classes of {} hold a single value of {attr}: knowing {qis} discloses {attr} (attribute disclosure, distinct l = {})",
                    view.name, ld.distinct
                ),
                figures: Default::default(),
            }
            .with(&[("distinct_l", ld.distinct as f64)]));
        }
    }
    findings
}

/// How few points of their own history single people out: ε at 4 points (or the largest p
/// measured) and the p at which unicity first passes 50% and 90%. High when half the people
/// are singled out by 4 points or fewer.
pub(super) fn unicity_finding(
    view: &str,
    u: &crate::model::UnicityReport,
) -> Option<(f64, Finding)> {
    let measured: Vec<&crate::metrics::unicity::CurvePoint> = u
        .curve
        .iter()
        .filter(|c| c.unique_fraction.is_some())
        .collect();
    let at = measured
        .iter()
        .rev()
        .find(|c| c.p <= 4)
        .or(measured.first())?;
    let epsilon = at.unique_fraction?;
    let first_past = |level: f64| {
        measured
            .iter()
            .find(|c| c.unique_fraction.is_some_and(|e| e >= level))
            .map_or(format!("not within {} points", u.curve.len()), |c| {
                format!("at {} point{}", c.p, if c.p == 1 { "" } else { "s" })
            })
    };
    let half = measured
        .iter()
        .find(|c| c.unique_fraction.is_some_and(|e| e >= 0.5))
        .map(|c| c.p);
    Some((
        2.0 + epsilon,
        finding(
            FindingCode::Unicity,
            if half.is_some_and(|p| p <= 4) {
                Severity::High
            } else {
                Severity::Medium
            },
            view,
            format!(
                "{} points ({}) single out {} of the {} people of {view} with at least {} points; unicity passes 50% {} and 90% {}",
                at.p,
                u.points.join(", "),
                percent(epsilon),
                thousands(at.people),
                at.p,
                first_past(0.5),
                first_past(0.9)
            ),
        )
        .with(&[
            ("points", at.p as f64),
            ("unique_fraction", epsilon),
            ("people", at.people as f64),
        ]),
    ))
}
