//! Findings: ranked, plain-language statements of what breaks anonymity, each naming the
//! step and the columns and quantifying the change. Formulas in docs/findings.md.

mod linkage;
mod view;

use std::collections::HashMap;

use super::hashed::HashedMatch;
use super::view::View;
use crate::Result;
use crate::format::{percent, thousands};
use crate::model::{Figure, Finding, FindingCode, JoinReport, PolicyResult, Severity, ViewReport};
use crate::plan::JoinKind;
use linkage::quasi_findings;
use view::unicity_finding;
pub use view::view_findings;

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
                    thousands(worst.before_right.k as usize),
                    thousands(worst.after.k as usize)
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
                let side = super::people::right_side(j);
                let (linked, of, linked_fraction, unit) =
                    (side.linked, side.of, side.linked_fraction, side.unit);
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
                            thousands(j.after.k as usize),
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
                            if side.people { "linked_people" } else { "linked_records" },
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

    // Remedies for the views meant to be anonymous that break a rule a generalisation can
    // meet (a step that attaches identities is fixed in words, above).
    for view in views.iter().filter(|v| !v.identified) {
        let fails_itself = policy
            .violations
            .iter()
            .any(|v| v.view == view.name && super::remedy::meets(v.rule));
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
