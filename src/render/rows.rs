//! The rows that the table, Markdown and HTML renderers share: a view's headline, its
//! sensitive attributes, size buckets, join-step rows, unicity rows, attribution and small
//! classes, each as text cells.

use crate::format::{percent, thousands};
use crate::model::*;

/// Rows of the small-classes table: size, then `col=value` pairs.
pub fn small_class_rows(view: &ViewReport) -> Vec<[String; 2]> {
    view.small_classes
        .iter()
        .flatten()
        .map(|c| {
            let values: Vec<String> = c
                .values
                .iter()
                .map(|(k, v)| format!("{k}={}", v.as_deref().unwrap_or("(missing)")))
                .collect();
            let mut text = values.join(", ");
            // A class of people: the rest of its multiset of tuples, cut to a few.
            if !c.tuples.is_empty() {
                const SHOWN: usize = 4;
                let tuple = |t: &TupleCount| {
                    let v: Vec<&str> = t
                        .values
                        .iter()
                        .map(|v| v.as_deref().unwrap_or("(missing)"))
                        .collect();
                    format!("({}) ×{}", v.join(", "), t.rows)
                };
                let listed: Vec<String> = c.tuples.iter().take(SHOWN).map(tuple).collect();
                let names: Vec<&str> = c.values.iter().map(|(k, _)| k.as_str()).collect();
                text = format!(
                    "each person's rows ({}): {}",
                    names.join(", "),
                    listed.join("; ")
                );
                if c.tuples.len() > SHOWN {
                    let more = c.tuples.len() - SHOWN;
                    let noun = if more == 1 { "tuple" } else { "tuples" };
                    text.push_str(&format!("; … {more} more {noun}"));
                }
            }
            [c.size.to_string(), text]
        })
        .collect()
}

/// The rows of the unicity curve: p, people counted, ε_p and its 95% interval.
pub fn unicity_rows(u: &crate::model::UnicityReport) -> Vec<[String; 4]> {
    u.curve
        .iter()
        .map(|c| {
            [
                c.p.to_string(),
                thousands(c.people),
                c.unique_fraction.map_or("-".into(), percent),
                match (c.ci_low, c.ci_high) {
                    (Some(l), Some(h)) => format!("{} – {}", percent(l), percent(h)),
                    _ => "-".into(),
                },
            ]
        })
        .collect()
}

/// The rows of the resolution table: each combination of coarsenings and its ε_4.
pub fn resolution_rows(u: &crate::model::UnicityReport) -> Vec<[String; 2]> {
    u.resolution
        .iter()
        .map(|r| {
            [
                r.coarsening
                    .iter()
                    .map(|(c, l)| format!("{c}: {l}"))
                    .collect::<Vec<_>>()
                    .join(", "),
                r.epsilon_4.map_or("-".into(), percent),
            ]
        })
        .collect()
}

/// The unicity section's summary line.
pub fn unicity_summary(u: &crate::model::UnicityReport) -> String {
    format!(
        "Unicity of {} people (by {}) on points ({}): median {} points per person; {} rows without a person dropped, {} rows missing a point column; {} draws per person and p",
        thousands(u.people),
        u.entity,
        u.points.join(", "),
        u.median_points,
        thousands(u.missing_entity_rows),
        thousands(u.missing_point_rows),
        u.draws
    )
}

/// The class-size histogram in the buckets tables show: 1, 2, 3-4, 5-9, 10-19, 20+
/// as (label, classes, records).
pub fn size_buckets(histogram: &[crate::metrics::SizeBin]) -> Vec<(&'static str, usize, usize)> {
    const BUCKETS: [(&str, u32, u32); 6] = [
        ("1", 1, 1),
        ("2", 2, 2),
        ("3-4", 3, 4),
        ("5-9", 5, 9),
        ("10-19", 10, 19),
        ("20+", 20, u32::MAX),
    ];
    BUCKETS
        .iter()
        .map(|&(label, lo, hi)| {
            let (classes, records) = histogram
                .iter()
                .filter(|bin| bin.size >= lo && bin.size <= hi)
                .fold((0, 0), |(c, r), bin| (c + bin.classes, r + bin.records));
            (label, classes, records)
        })
        .collect()
}

/// The rows of a view's headline, as (label, value), shared by the table and Markdown.
pub fn headline(view: &ViewReport, policy_k: u32) -> Vec<(String, String)> {
    let m = &view.metrics;
    let people = match &view.entity {
        Some(entity) => vec![(
            format!("people (by {entity})"),
            format!(
                "{} in {} rows: every figure below counts people",
                thousands(view.entities),
                thousands(view.rows)
            ),
        )],
        None => Vec::new(),
    };
    let mut rows = vec![("rows".into(), thousands(view.rows))];
    rows.extend(people);
    rows.extend(vec![
        (
            "quasi-identifiers".into(),
            view.quasi_identifiers.join(", "),
        ),
        ("k".into(), m.k_anonymity.k.to_string()),
        ("classes".into(), thousands(m.k_anonymity.classes)),
        (
            "uniques".into(),
            format!(
                "{} ({})",
                thousands(m.k_anonymity.uniques),
                percent(m.k_anonymity.unique_fraction)
            ),
        ),
        (
            "avg prosecutor risk".into(),
            format!("{:.4}", m.prosecutor.avg),
        ),
        (
            "max prosecutor risk".into(),
            format!("{:.4}", m.prosecutor.max),
        ),
        (
            format!(
                "{} at risk (class < {policy_k})",
                if view.entity.is_some() {
                    "people"
                } else {
                    "records"
                }
            ),
            percent(m.prosecutor.records_at_risk),
        ),
        ("marketer risk".into(), format!("{:.4}", m.marketer)),
    ]);
    if let Some(j) = &m.journalist {
        rows.push(("journalist risk (max)".into(), format!("{:.4}", j.max)));
        rows.push((
            "journalist risk (success)".into(),
            format!("{:.4}", j.success),
        ));
    }
    if let Some(p) = &m.population {
        let show = |e: Option<f64>, f: Option<f64>| match (e, f) {
            (Some(u), Some(f)) => {
                format!("{} ({} of N)", thousands(u.round() as usize), percent(f))
            }
            _ => "not available".to_string(),
        };
        rows.push((
            "population N (π)".into(),
            format!(
                "{} ({:.4})",
                thousands(p.size as usize),
                p.sampling_fraction
            ),
        ));
        rows.push((
            "population uniques, Pitman".into(),
            show(p.pitman.map(|e| e.uniques), p.pitman.map(|e| e.fraction)),
        ));
        rows.push((
            "population uniques, Zayatz".into(),
            show(p.zayatz.map(|e| e.uniques), p.zayatz.map(|e| e.fraction)),
        ));
        rows.push((
            "population uniques, SNB".into(),
            show(p.snb.map(|e| e.uniques), p.snb.map(|e| e.fraction)),
        ));
        rows.push((
            format!(
                "population uniques, Dankar ({})",
                p.dankar.map_or("n/a", |d| d.model.as_str())
            ),
            show(p.dankar.map(|e| e.uniques), p.dankar.map(|e| e.fraction)),
        ));
    }
    rows
}

/// The rows of a view's sensitive-attribute table: attribute, distinct l, entropy l,
/// recursive c, t.
pub fn sensitive_rows(view: &ViewReport) -> Vec<[String; 5]> {
    view.metrics
        .l_diversity
        .iter()
        .map(|(attr, ld)| {
            let t = view.metrics.t_closeness.get(attr).copied().unwrap_or(0.0);
            [
                attr.clone(),
                ld.distinct.to_string(),
                format!("{:.4}", ld.entropy),
                ld.recursive_c.map_or("n/a".into(), |c| format!("{c:.4}")),
                format!("{t:.4}"),
            ]
        })
        .collect()
}

/// The one-line verdict of a view against the policy.
pub fn verdict(view: &ViewReport, policy: &PolicyResult) -> (bool, String) {
    let broken: Vec<&str> = policy
        .violations
        .iter()
        .filter(|v| v.view == view.name)
        .map(|v| v.message.as_str())
        .collect();
    if broken.is_empty() && view.identified {
        return (
            true,
            format!(
                "NOT JUDGED: {} holds direct identifiers by design ({}-anonymous; policy k = {})",
                view.name,
                thousands(view.metrics.k_anonymity.k as usize),
                thousands(policy.policy.k as usize)
            ),
        );
    }
    if broken.is_empty() {
        (
            true,
            format!(
                "PASS: {} is {}-anonymous (policy k = {})",
                view.name,
                thousands(view.metrics.k_anonymity.k as usize),
                thousands(policy.policy.k as usize)
            ),
        )
    } else {
        (false, format!("FAIL: {}", broken.join("; ")))
    }
}

/// The rows of a join step's section, as (label, value).
pub fn join_rows(join: &JoinReport) -> Vec<(String, String)> {
    let n = thousands;
    let snap = |v: &Snapshot| -> String {
        format!(
            "k {} · {} unique · avg risk {:.4}",
            thousands(v.k as usize),
            percent(v.unique_fraction),
            v.prosecutor_avg
        )
    };
    let mut rows = vec![
        ("kind".to_string(), join.kind.as_str().to_string()),
        (
            "left → right".to_string(),
            format!("{} → {}", join.left, join.right),
        ),
        ("on".to_string(), join.comparison.join(", ")),
        (
            "rows in (left, right)".to_string(),
            format!("{}, {}", n(join.rows_left), n(join.rows_right)),
        ),
        ("rows out".to_string(), n(join.rows_out)),
        (
            "matched left".to_string(),
            format!(
                "{} ({})",
                n(join.matched_left),
                percent(join.matched_left_fraction)
            ),
        ),
        (
            "matched right".to_string(),
            format!(
                "{} ({})",
                n(join.matched_right),
                percent(join.matched_right_fraction)
            ),
        ),
    ];
    if let Some(p) = &join.people {
        let side = |entity: &Option<String>| match entity {
            Some(e) => format!("people (by {e})"),
            None => "records".to_string(),
        };
        rows.push((
            format!(
                "people in (left: {}, right: {})",
                side(&p.entity_left),
                side(&p.entity_right)
            ),
            format!("{}, {}", n(p.left), n(p.right)),
        ));
        rows.push((
            "people matched left".to_string(),
            format!(
                "{} ({})",
                n(p.matched_left),
                percent(p.matched_left_fraction)
            ),
        ));
        rows.push((
            "people matched right".to_string(),
            format!(
                "{} ({})",
                n(p.matched_right),
                percent(p.matched_right_fraction)
            ),
        ));
        if let Some(e) = p.expected_reidentified {
            rows.push((
                "people re-identified (expected)".to_string(),
                format!("{e:.1}"),
            ));
        }
    }
    rows.extend([
        (format!("before: {}", join.left), snap(&join.before_left)),
        (format!("before: {}", join.right), snap(&join.before_right)),
        ("after".to_string(), snap(&join.after)),
    ]);
    if let Some(link) = &join.linkage {
        rows.push((
            "unique matches".to_string(),
            format!(
                "{} of {} ({})",
                n(link.unique_matches),
                n(link.target_rows),
                percent(link.unique_match_fraction)
            ),
        ));
        rows.push((
            "expected re-identifications".to_string(),
            format!(
                "{:.1} ({})",
                link.expected_reidentifications,
                percent(link.expected_reidentification_fraction)
            ),
        ));
        if let Some(c) = link.correct_unique_matches {
            rows.push(("correct unique matches (truth)".to_string(), n(c)));
        }
        rows.push((
            "candidate pairs".to_string(),
            n(link.candidate_pairs as usize),
        ));
        rows.push((
            "target records by candidates".to_string(),
            link.candidate_histogram
                .iter()
                .map(|b| format!("{}: {}", b.candidates, n(b.records)))
                .collect::<Vec<_>>()
                .join(" · "),
        ));
        for (attr, d) in &link.disclosures {
            let about = match d.side {
                DisclosureSide::Target => &join.left,
                DisclosureSide::Identified => &join.right,
            };
            rows.push((
                format!("{attr} disclosed"),
                format!(
                    "{} {about} records ({}): all candidates share one value",
                    n(d.records),
                    percent(d.fraction)
                ),
            ));
        }
    }
    if join.identifiers.len() > 1 {
        for i in &join.identifiers {
            let judged = match (i.correct_links, i.false_links) {
                (Some(c), Some(f)) => {
                    format!(", {} correct, {} false", n(c as usize), n(f as usize))
                }
                _ => String::new(),
            };
            rows.push((
                format!("links on {}", i.on.join(", ")),
                format!(
                    "{} ({} right records){judged}",
                    n(i.links as usize),
                    n(i.linked_right)
                ),
            ));
        }
    }
    let colliding: usize = join.identifiers.iter().map(|i| i.colliding_keys).sum();
    if colliding > 0 {
        rows.push((
            "keys linking one record to several".to_string(),
            n(colliding),
        ));
    }
    if let Some(truth) = &join.truth {
        rows.push((
            "links by truth".to_string(),
            format!(
                "{} correct, {} false; found {} of {} shared records ({})",
                n(truth.correct_links as usize),
                n(truth.false_links as usize),
                n(truth.found_records),
                n(truth.shared_records),
                percent(truth.recall)
            ),
        ));
    }
    rows
}

/// The rows of a view's attribution summary: the best subset per size and the columns whose
/// removal helps most.
pub fn attribution_rows(view: &ViewReport) -> Vec<[String; 2]> {
    let Some(a) = &view.attribution else {
        return Vec::new();
    };
    let mut rows: Vec<[String; 2]> = a
        .best_subsets
        .iter()
        .filter(|b| b.uniques > 0)
        .map(|b| {
            [
                format!("{} column(s): {}", b.size, b.columns.join(" + ")),
                format!("single out {}", percent(b.unique_fraction)),
            ]
        })
        .collect();
    rows.extend(a.drop_one.iter().take(3).map(|d| {
        [
            format!("without {}", d.column),
            format!(
                "{} unique (k = {})",
                percent(d.unique_fraction),
                thousands(d.k as usize)
            ),
        ]
    }));
    rows
}

/// A report's provenance in one line: the version, the time, the plan (or the file measured)
/// with the start of its SHA-256, how many inputs were read, and the command line.
pub fn provenance_line(p: &Provenance) -> String {
    let short = |sha: &Option<String>| {
        sha.as_deref().map_or("not hashed".to_string(), |s| {
            format!("sha256 {}", &s[..12.min(s.len())])
        })
    };
    let mut line = format!("linkrisk {} at {}", p.version, p.generated_at);
    if let Some(first) = p.inputs.first() {
        line.push_str(&format!(
            " · {} {} ({})",
            first.role,
            first.location,
            short(&first.sha256)
        ));
    }
    if p.inputs.len() > 1 {
        line.push_str(&format!(" · {} inputs in all", p.inputs.len()));
    }
    if !p.command_line.is_empty() {
        line.push_str(&format!(" · command: {}", p.command_line.join(" ")));
    }
    line
}

/// A report's inputs as rows: what each is, where, rows read, bytes and SHA-256.
pub fn provenance_rows(p: &Provenance) -> Vec<[String; 5]> {
    p.inputs
        .iter()
        .map(|i| {
            [
                i.role.clone(),
                i.location.clone(),
                i.rows.map_or("-".into(), thousands),
                i.bytes.map_or("-".into(), |b| thousands(b as usize)),
                i.sha256.clone().unwrap_or_else(|| "-".into()),
            ]
        })
        .collect()
}

/// The column titles of [`provenance_rows`].
pub const PROVENANCE_HEADER: [&str; 5] = ["input", "location", "rows", "bytes", "SHA-256"];
