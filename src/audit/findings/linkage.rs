//! The findings of a quasi step: what its linkage re-identifies and discloses, and which
//! compared columns do not match up.

use super::finding;
use crate::format::{percent, thousands};
use crate::model::{ColumnOverlap, Finding, FindingCode, JoinReport, Linkage, Severity};

/// The share of a target at which re-identification or disclosure by a step is high.
const HIGH_LINKAGE: f64 = 0.05;

/// The findings of a quasi step: the linkage (ranked by expected re-identifications and
/// disclosures, whichever is larger) and, when fewer than half of the target records find
/// any candidate, which compared columns do not match up.
pub(super) fn quasi_findings(j: &JoinReport, link: &Linkage) -> Vec<(f64, Finding)> {
    let mut out = Vec::new();
    let worst_disclosure = link.disclosures.iter().max_by(|a, b| {
        a.1.fraction
            .partial_cmp(&b.1.fraction)
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    let risk = link
        .expected_reidentification_fraction
        .max(worst_disclosure.map_or(0.0, |d| d.1.fraction));
    let correct = link.correct_unique_matches.map_or(String::new(), |c| {
        format!(
            " ({} of them correctly, by the truth columns)",
            thousands(c)
        )
    });
    let disclosed = link
        .disclosures
        .iter()
        .filter(|(_, d)| d.records > 0)
        .map(|(attr, d)| {
            let (about, of) = if d.side == crate::model::DisclosureSide::Target {
                (&j.left, link.identified_rows)
            } else {
                (&j.right, link.target_rows)
            };
            format!(
                "{attr} for {} of {} {about} records ({})",
                thousands(d.records),
                thousands(of),
                percent(d.fraction)
            )
        })
        .collect::<Vec<_>>();
    let disclosed = if disclosed.is_empty() {
        String::new()
    } else {
        format!(
            "; without a unique match, every candidate agrees on {}",
            disclosed.join(" and on ")
        )
    };
    // A re-identification that also discloses a sensitive attribute ranks above one that
    // does not.
    let exposes = if link.disclosures.values().any(|d| d.records > 0) {
        0.5
    } else {
        0.0
    };
    out.push((
        2.0 + risk + exposes,
        finding(
            FindingCode::QuasiLinkage,
            if risk >= HIGH_LINKAGE { Severity::High } else { Severity::Medium },
            &j.name,
            format!(
                "Joining {} to {} on {} is expected to re-identify {:.1} of {} {} records ({}); {} are unique matches ({}){correct}{disclosed}",
                j.right,
                j.left,
                j.on.join(" + "),
                link.expected_reidentifications,
                thousands(link.target_rows),
                j.right,
                percent(link.expected_reidentification_fraction),
                thousands(link.unique_matches),
                percent(link.unique_match_fraction),
            ),
        )
        .with(&[
            ("expected_reidentifications", link.expected_reidentifications),
            (
                "expected_reidentification_fraction",
                link.expected_reidentification_fraction,
            ),
            ("unique_matches", link.unique_matches as f64),
            ("target_records", link.target_rows as f64),
            (
                "disclosure_fraction",
                worst_disclosure.map_or(0.0, |d| d.1.fraction),
            ),
        ]),
    ));
    if (link.targets_with_candidates as f64) < 0.5 * link.target_rows as f64 {
        let mut columns: Vec<&ColumnOverlap> = j.column_overlap.iter().collect();
        columns.sort_by(|a, b| {
            a.target_fraction
                .partial_cmp(&b.target_fraction)
                .unwrap_or(std::cmp::Ordering::Equal)
        });
        let poor: Vec<String> = columns
            .iter()
            .filter(|c| c.target_fraction < 0.5)
            .map(|c| {
                format!(
                    "{} ({} of {} values found in {})",
                    c.on,
                    percent(c.target_fraction),
                    j.right,
                    j.left
                )
            })
            .collect();
        let named = if poor.is_empty() {
            "no single column; together they rarely agree".to_string()
        } else {
            poor.join(", ")
        };
        out.push((
            0.3,
            finding(
                FindingCode::ColumnsNotComparable,
                Severity::Low,
                &j.name,
                format!(
                    "Only {} of {} {} records find any candidate in {}: the compared columns may not be comparable (coded or generalised differently): {named}. Generalise both sides alike in the plan",
                    thousands(link.targets_with_candidates),
                    thousands(link.target_rows),
                    j.right,
                    j.left
                ),
            )
            .with(&[
                ("targets_with_candidates", link.targets_with_candidates as f64),
                ("target_records", link.target_rows as f64),
            ]),
        ));
    }
    out
}
