//! Findings: ranked, plain-language statements of what breaks anonymity, each naming the
//! step and the columns and quantifying the change. Formulas in docs/findings.md.

use std::collections::HashMap;

use polars::prelude::IntoLazy;

use super::generalize::{Builtin, candidates};
use super::hashed::HashedMatch;
use super::join::JoinReport;
use super::view::View;
use crate::Result;
use crate::engine::class_table;
use crate::metrics::k_anonymity::k_anonymity;
use crate::plan::JoinKind;
use crate::report::{Finding, PolicyResult, ViewReport, percent, thousands, view_findings};

fn finding(severity: &'static str, subject: &str, message: String) -> Finding {
    Finding {
        severity,
        subject: subject.to_string(),
        message,
    }
}

fn severity_rank(s: &str) -> u8 {
    match s {
        "high" => 0,
        "medium" => 1,
        _ => 2,
    }
}

/// The increase in unique fraction a step caused for the records it attached: the joined
/// view against its right-hand input.
pub fn uniqueness_rise(j: &JoinReport) -> f64 {
    j.after.unique_fraction - j.before_right.unique_fraction
}

/// Builds and ranks every finding, most severe first.
pub fn rank(
    views: &[ViewReport],
    joins: &[JoinReport],
    hashed: &[HashedMatch],
    frames: &HashMap<String, View>,
    policy: &PolicyResult,
    policy_k: u32,
) -> Result<Vec<Finding>> {
    let mut scored: Vec<(f64, Finding)> = Vec::new();

    // Where anonymity breaks: the step with the largest rise in uniqueness (ties: largest
    // drop in k).
    if let Some(worst) = joins.iter().max_by(|a, b| {
        let key = |j: &JoinReport| {
            (
                uniqueness_rise(j),
                j.before_right.k as f64 - j.after.k as f64,
            )
        };
        key(a)
            .partial_cmp(&key(b))
            .unwrap_or(std::cmp::Ordering::Equal)
    }) && uniqueness_rise(worst) > 0.0
    {
        scored.push((
            3.0,
            finding(
                "high",
                &worst.name,
                format!(
                    "Anonymity breaks at step '{}': joining {} to {} takes {}'s unique records from {} to {} and k from {} to {}",
                    worst.name,
                    worst.right,
                    worst.left,
                    worst.right,
                    percent(worst.before_right.unique_fraction),
                    percent(worst.after.unique_fraction),
                    worst.before_right.k,
                    worst.after.k
                ),
            ),
        ));
    }

    for h in hashed {
        scored.push((
            2.0 + h.match_rate,
            finding(
                "high",
                &h.view,
                format!(
                    "{}.{} is the unsalted {} of {}.{} for {} of rows: pseudonymised, not anonymous, and it links the two sources",
                    h.view, h.column, h.algorithm, h.source_view, h.source_column, percent(h.match_rate)
                ),
            ),
        ));
    }

    for j in joins {
        let after = views.iter().find(|v| v.name == j.name).expect("measured");
        let identified = frames.get(&j.name).is_some_and(View::identified);
        match (&j.linkage, j.kind) {
            (Some(link), JoinKind::Quasi) => {
                let right_view = views.iter().find(|v| v.name == j.right);
                let exposed = right_view
                    .map(|v| v.sensitive.join(", "))
                    .unwrap_or_default();
                let correct = link.correct_unique_matches.map_or(String::new(), |c| {
                    format!(
                        " ({} of them correctly, by the truth columns)",
                        thousands(c)
                    )
                });
                let exposes = if exposed.is_empty() {
                    String::new()
                } else {
                    format!(" and exposes {exposed} for them")
                };
                scored.push((
                    1.0 + link.unique_match_fraction,
                    finding(
                        if link.unique_match_fraction >= 0.05 { "high" } else { "medium" },
                        &j.name,
                        format!(
                            "Joining {} to {} on {} re-identifies {} of {} {} records ({}){correct}{exposes}; expected re-identifications {:.1} ({})",
                            j.right,
                            j.left,
                            j.on.join(" + "),
                            thousands(link.unique_matches),
                            thousands(link.target_rows),
                            j.right,
                            percent(link.unique_match_fraction),
                            link.expected_reidentifications,
                            percent(link.expected_reidentification_fraction)
                        ),
                    ),
                ));
            }
            _ => {
                scored.push((
                    0.5 + j.matched_right_fraction.min(1.0) * 0.4,
                    finding(
                        if identified && j.matched_right_fraction >= 0.05 { "high" } else { "medium" },
                        &j.name,
                        format!(
                            "Joining {} and {} ({}) links {} of {} {} records ({}); the joined view is {}-anonymous with {} unique records on {}{}",
                            j.left,
                            j.right,
                            j.comparison.join(", "),
                            thousands(j.matched_right),
                            thousands(j.rows_right),
                            j.right,
                            percent(j.matched_right_fraction),
                            j.after.k,
                            percent(j.after.unique_fraction),
                            after.quasi_identifiers.join(" + "),
                            if identified { " and it carries direct identifiers" } else { "" }
                        ),
                    ),
                ));
            }
        }
    }

    for view in views
        .iter()
        .filter(|v| !joins.iter().any(|j| j.name == v.name))
    {
        for f in view_findings(view, policy_k) {
            scored.push((0.2 + view.metrics.k_anonymity.unique_fraction * 0.1, f));
        }
    }

    for view in views {
        if !policy.violations.iter().any(|v| v.view == view.name) {
            continue;
        }
        if let Some(frame) = frames.get(&view.name)
            && let Some(hint) = best_generalization(frame, view)?
        {
            scored.push((0.1, hint));
        }
    }

    scored.sort_by(|a, b| {
        severity_rank(a.1.severity)
            .cmp(&severity_rank(b.1.severity))
            .then(b.0.partial_cmp(&a.0).unwrap_or(std::cmp::Ordering::Equal))
    });
    Ok(scored.into_iter().map(|(_, f)| f).collect())
}

/// Tries each QI one step coarser (built-in generalisations judged from its values) and
/// reports the one that restores the most: highest k, then fewest uniques.
fn best_generalization(view: &View, report: &ViewReport) -> Result<Option<Finding>> {
    let qis = view.qis();
    let mut best: Option<(u32, f64, String, Builtin)> = None;
    for q in &qis {
        for g in candidates(&view.df, q) {
            let df = view.df.clone().lazy().with_column(g.expr(q)).collect()?;
            let table = class_table(&df, &qis, &[])?;
            let k = k_anonymity(&table);
            let better = match &best {
                None => true,
                Some((bk, bu, _, _)) => k.k > *bk || (k.k == *bk && k.unique_fraction < *bu),
            };
            if better {
                best = Some((k.k, k.unique_fraction, q.clone(), g));
            }
        }
    }
    Ok(best
        .filter(|(_, u, _, _)| *u < report.metrics.k_anonymity.unique_fraction)
        .map(|(k, u, q, g)| {
            finding(
                "low",
                &report.name,
                format!(
                    "Hint for {}: generalising {q} to {} restores the most of any single step: k = {k} and {} unique (now k = {} and {})",
                    report.name,
                    g.label(),
                    percent(u),
                    report.metrics.k_anonymity.k,
                    percent(report.metrics.k_anonymity.unique_fraction)
                ),
            )
        }))
}
