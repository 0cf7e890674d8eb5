//! Findings: ranked, plain-language statements of what breaks anonymity, each naming the
//! step and the columns and quantifying the change. Formulas in docs/findings.md.

use std::collections::HashMap;

use super::hashed::HashedMatch;
use super::view::View;
use crate::Result;
use crate::format::{percent, thousands};
use crate::model::{
    ColumnOverlap, Figure, Finding, FindingCode, JoinReport, Linkage, PolicyResult, Rule, Severity,
    ViewReport,
};
use crate::plan::JoinKind;

/// `purchases'` or `survey's`: a view's name as a possessive.
pub fn possessive(name: &str) -> String {
    if name.ends_with('s') {
        format!("{name}'")
    } else {
        format!("{name}'s")
    }
}

fn finding(code: FindingCode, severity: Severity, subject: &str, message: String) -> Finding {
    Finding {
        code,
        severity,
        subject: subject.to_string(),
        message,
        figures: Default::default(),
    }
}

/// Builds and ranks every finding, most severe first.
pub fn rank(
    views: &[ViewReport],
    joins: &[JoinReport],
    hashed: &[HashedMatch],
    frames: &HashMap<String, View>,
    policy: &PolicyResult,
    max_suppression: f64,
) -> Result<Vec<Finding>> {
    let policy_k = policy.policy.k;
    let mut scored: Vec<(f64, Finding)> = Vec::new();

    // Where anonymity breaks: the step the summary names, the one that adds the most
    // expected re-identifications to the records it attaches.
    let steps = super::breaking::step_lines(joins, views);
    if let Some(i) = super::breaking::breaking_step(&steps) {
        let (worst, line) = (&joins[i], &steps[i]);
        scored.push((
            3.0,
            finding(
                FindingCode::JoinBreaksAnonymity,
                Severity::High,
                &worst.name,
                format!(
                    "Anonymity breaks at step '{}': it {} {} of {} {} {} that were anonymous; unique {} → {}, k {} → {}",
                    worst.name,
                    match (line.attaches_identities, worst.linkage.is_some()) {
                        (true, true) => "is expected to re-identify",
                        (true, false) => "re-identifies",
                        (false, _) => "singles out",
                    },
                    thousands(if line.attaches_identities {
                        (line.reidentified.1 - line.reidentified.0).round() as usize
                    } else {
                        line.linked
                    }),
                    thousands(line.of),
                    possessive(&worst.right),
                    line.unit,
                    percent(worst.before_right.unique_fraction),
                    percent(worst.after.unique_fraction),
                    worst.before_right.k,
                    worst.after.k
                ),
            )
            .with(&[
                (
                    if line.unit == "records" {
                        "reidentified_records"
                    } else {
                        "reidentified_people"
                    },
                    line.reidentified.1 - line.reidentified.0,
                ),
                ("unique_fraction_before", worst.before_right.unique_fraction),
                ("unique_fraction_after", worst.after.unique_fraction),
                ("k_before", worst.before_right.k as f64),
                ("k_after", worst.after.k as f64),
            ]),
        ));
    }

    // One finding per hashed column, naming every source whose identifier it hashes.
    let mut columns: Vec<(&str, &str, &str)> = Vec::new();
    for h in hashed {
        let key = (h.view.as_str(), h.column.as_str(), h.algorithm);
        if !columns.contains(&key) {
            columns.push(key);
        }
    }
    for (view, column, algorithm) in columns {
        let matches: Vec<&HashedMatch> = hashed
            .iter()
            .filter(|h| h.view == view && h.column == column && h.algorithm == algorithm)
            .collect();
        let best = matches.iter().map(|h| h.match_rate).fold(0.0, f64::max);
        let sources = matches
            .iter()
            .map(|h| {
                format!(
                    "{}.{} ({} of rows)",
                    h.source_view,
                    h.source_column,
                    percent(h.match_rate)
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        scored.push((
            2.0 + best,
            finding(
                FindingCode::HashedIdentifier,
                Severity::High,
                view,
                format!(
                    "{view}.{column} is the unsalted {algorithm} of {sources}: pseudonymised, not anonymous, and anyone holding those identifiers can link the sources; use a keyed hash or tokens whose secret the data holder keeps"
                ),
            )
            .with(&[("match_rate", best), ("sources", matches.len() as f64)]),
        ));
    }

    // Columns whose values look like identifiers although declared `other` or `qi`; sources
    // only (a joined view carries its inputs' columns), in plan order.
    let sources: Vec<&View> = views
        .iter()
        .filter(|v| !joins.iter().any(|j| j.name == v.name))
        .filter_map(|v| frames.get(&v.name))
        .collect();
    for s in super::patterns::suspects(&sources)? {
        // A hashed column that matches another source's identifiers has its own finding.
        if hashed
            .iter()
            .any(|h| h.view == s.view && h.column == s.column)
        {
            continue;
        }
        let anonymous = views.iter().any(|v| v.name == s.view && !v.identified);
        let role = match s.role {
            crate::plan::Role::Qi => "qi",
            _ => "other",
        };
        scored.push((
            if anonymous { 2.5 } else { 0.2 },
            finding(
                FindingCode::IdentifierPattern,
                if anonymous { Severity::High } else { Severity::Low },
                &s.view,
                format!(
                    "{}.{} is declared {role}, but {} of its values look like {}: if it names people, declare it id (then {} is identified by design); if it only links records, declare it pseudonym{}",
                    s.view,
                    s.column,
                    percent(s.share),
                    s.pattern.words(),
                    s.view,
                    if anonymous {
                        format!("; as it stands the policy judges {} as anonymous", s.view)
                    } else {
                        String::new()
                    }
                ),
            )
            .with(&[("share", s.share)]),
        ));
    }

    for j in joins {
        let after = views.iter().find(|v| v.name == j.name).expect("measured");
        // Identities attached to records meant to be anonymous are what breaks anonymity;
        // linking two sources that both hold identifiers (two CRM lists) is not.
        let right_anonymous = views.iter().any(|v| v.name == j.right && !v.identified);
        let identified = right_anonymous && frames.get(&j.name).is_some_and(View::identified);
        match (&j.linkage, j.kind) {
            (Some(link), JoinKind::Quasi) => {
                scored.extend(quasi_findings(j, link));
            }
            _ => {
                // Where the right-hand input declares people, count them.
                let people = j.people.as_ref().filter(|p| p.entity_right.is_some());
                let (linked, of, linked_fraction, unit) = match people {
                    Some(p) => (
                        p.matched_right,
                        p.right,
                        p.matched_right_fraction,
                        format!(
                            "people (by {})",
                            p.entity_right.as_deref().unwrap_or_default()
                        ),
                    ),
                    None => (
                        j.matched_right,
                        j.rows_right,
                        j.matched_right_fraction,
                        "records".to_string(),
                    ),
                };
                let risk = if identified {
                    linked_fraction.min(1.0)
                } else {
                    0.0
                };
                let per_identifier = if j.identifiers.len() > 1 {
                    format!(
                        " ({})",
                        j.identifiers
                            .iter()
                            .map(|i| format!(
                                "{} alone links {}",
                                i.on.join(" + "),
                                thousands(i.linked_right)
                            ))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                } else {
                    String::new()
                };
                let truth = j.truth.as_ref().map_or(String::new(), |t| {
                    format!(
                        "; by the truth columns {} links are correct and {} false, finding {} of the {} {} records whose person is in {} ({})",
                        thousands(t.correct_links as usize),
                        thousands(t.false_links as usize),
                        thousands(t.found_records),
                        thousands(t.shared_records),
                        j.right,
                        j.left,
                        percent(t.recall)
                    )
                });
                let counted_rows = frames.get(&j.name).is_some_and(|v| v.entity.is_none());
                if counted_rows && j.rows_out > j.matched_left {
                    scored.push((
                        0.45,
                        finding(
                            FindingCode::RowsNotPeople,
                            Severity::Medium,
                            &j.name,
                            format!(
                                "{}: {} rows for {} {} records: one record appears in several rows, so the figures count rows, not people; declare entity to count people",
                                j.name,
                                thousands(j.rows_out),
                                thousands(j.matched_left),
                                j.left
                            ),
                        )
                        .with(&[
                            ("rows", j.rows_out as f64),
                            ("records", j.matched_left as f64),
                        ]),
                    ));
                }
                // The entity column stays to count people (a pseudonym once the others go).
                let ids: Vec<String> = frames
                    .get(&j.name)
                    .map(|v| {
                        v.with_role(crate::plan::Role::Id)
                            .into_iter()
                            .filter(|c| Some(c) != v.entity.as_ref())
                            .collect()
                    })
                    .unwrap_or_default();
                let drop_figure = Figure::Columns(ids.clone());
                let attach_fix = format!(
                    " and it attaches direct identifiers to them: drop = [{}] in the step leaves them out",
                    ids.iter()
                        .map(|c| format!("\"{}\"", c.replace('\\', "\\\\").replace('"', "\\\"")))
                        .collect::<Vec<_>>()
                        .join(", ")
                );
                let colliding: usize = j.identifiers.iter().map(|i| i.colliding_keys).sum();
                let collisions = if colliding > 0 && j.kind != JoinKind::Key {
                    format!("; {} keys link one record to several", thousands(colliding))
                } else {
                    String::new()
                };
                scored.push((
                    if identified { 2.0 + risk } else { 0.5 + linked_fraction.min(1.0) * 0.4 },
                    finding(
                        FindingCode::IdentifiersAttached,
                        if identified && linked_fraction >= 0.05 { Severity::High } else { Severity::Medium },
                        &j.name,
                        format!(
                            "Joining {} and {} ({}) links {} of {} {} {unit} ({}){per_identifier}; the joined view is {}-anonymous with {} unique on {}{}{truth}{collisions}",
                            j.left,
                            j.right,
                            j.comparison.join(" or "),
                            thousands(linked),
                            thousands(of),
                            possessive(&j.right),
                            percent(linked_fraction),
                            j.after.k,
                            percent(j.after.unique_fraction),
                            after.quasi_identifiers.join(" + "),
                            if identified {
                                &attach_fix
                            } else if right_anonymous {
                                ""
                            } else {
                                "; both sources hold identifiers by design"
                            }
                        ),
                    )
                    .with(&[
                        (
                            if people.is_some() { "linked_people" } else { "linked_records" },
                            linked as f64,
                        ),
                        ("linked_fraction", linked_fraction),
                        ("k_after", j.after.k as f64),
                        ("unique_fraction_after", j.after.unique_fraction),
                    ]),
                ));
                if identified && let Some((_, f)) = scored.last_mut() {
                    f.figures.insert("drop".into(), drop_figure);
                }
            }
        }
    }

    for view in views {
        if let Some(u) = &view.unicity {
            scored.extend(unicity_finding(&view.name, u));
        }
    }

    for view in views
        .iter()
        .filter(|v| !joins.iter().any(|j| j.name == v.name))
    {
        for mut f in view_findings(view, policy_k) {
            // A source that holds identifiers by design is meant to single people out.
            if view.identified {
                f.severity = Severity::Low;
                f.message
                    .push_str(" (the source holds direct identifiers by design)");
            }
            scored.push((0.2 + view.metrics.k_anonymity.unique_fraction * 0.1, f));
        }
    }
    // A step that linked nobody: its view is empty, which says so.
    for view in views
        .iter()
        .filter(|v| v.is_empty() && joins.iter().any(|j| j.name == v.name))
    {
        scored.extend(view_findings(view, policy_k).into_iter().map(|f| (0.0, f)));
    }

    // Remedies for the views meant to be anonymous that fail k, l or max_unique_fraction
    // (a step that attaches identities is fixed in words, above).
    for view in views.iter().filter(|v| !v.identified) {
        let fails_itself = policy
            .violations
            .iter()
            .any(|v| v.view == view.name && v.rule != Rule::IdentitiesAttached);
        if let Some(frame) = frames.get(&view.name)
            && fails_itself
        {
            scored.extend(super::remedy::findings(
                frame,
                view,
                &policy.policy,
                max_suppression,
            )?);
        }
    }

    // Severity follows the verdict: nothing is high about a subject the policy passes (a
    // view with no violation, a step with none on its output or its right-hand input).
    for (_, f) in &mut scored {
        let right = joins
            .iter()
            .find(|j| j.name == f.subject)
            .map(|j| j.right.as_str());
        let violated = policy
            .violations
            .iter()
            .any(|v| v.view == f.subject || Some(v.view.as_str()) == right);
        if f.severity == Severity::High && !violated {
            f.severity = Severity::Medium;
        }
    }
    scored.sort_by(|a, b| {
        a.1.severity
            .cmp(&b.1.severity)
            .then(b.0.partial_cmp(&a.0).unwrap_or(std::cmp::Ordering::Equal))
    });
    Ok(scored.into_iter().map(|(_, f)| f).collect())
}

/// How few points of their own history single people out: ε at 4 points (or the largest p
/// measured) and the p at which unicity first passes 50% and 90%. High when half the people
/// are singled out by 4 points or fewer.
fn unicity_finding(view: &str, u: &crate::model::UnicityReport) -> Option<(f64, Finding)> {
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

/// The share of a target at which re-identification or disclosure by a step is high.
const HIGH_LINKAGE: f64 = 0.05;

/// The findings of a quasi step: the linkage (ranked by expected re-identifications and
/// disclosures, whichever is larger) and, when fewer than half of the target records find
/// any candidate, which compared columns do not match up.
fn quasi_findings(j: &JoinReport, link: &Linkage) -> Vec<(f64, Finding)> {
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
                "{} is only {}-anonymous on {qis}; {} of records sit in classes smaller than {policy_k}",
                view.name,
                m.k_anonymity.k,
                percent(m.prosecutor.records_at_risk)
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
