//! Remedies: for each view meant to be anonymous that fails k, l or `max_unique_fraction`, the
//! least-coarse generalisations of its quasi-identifiers (with records suppressed up to
//! `policy.max_suppression`) that meet the policy, each a finding whose steps paste into the
//! plan's `generalize`. Ladders in [`ladder`], the lattice search in [`search`], the
//! information loss in `metrics::information_loss`; docs/findings.md describes the finding.

pub mod ladder;
pub mod node;
pub mod search;

use std::collections::BTreeMap;

use crate::Result;
use crate::audit::view::View;
use crate::engine::compare::coded_column;
use crate::engine::encode::MISSING;
use crate::engine::encode_columns;
use crate::engine::entity::EntityNumbers;
use crate::format::{percent, thousands};
use crate::model::{Figure, Finding, FindingCode, Policy, Rule, Severity, ViewReport};
use crate::plan::{Generalization, Thresholds};
use ladder::Ladder;
use node::SensitiveCodes;
use search::{LevelCodes, NodeFigures, Search, Target, Units};

/// Remedies reported per view.
pub const REMEDIES_PER_VIEW: usize = 3;

/// The search of one view, with what its findings need to name the steps.
pub struct ViewRemedies {
    /// The QIs' ladders, in the view's QI order.
    pub ladders: Vec<Ladder>,
    /// The search.
    pub search: Search,
    /// Records (or people) of the view.
    pub total: usize,
}

/// Whether a remedy meets `rule` on its view: the rules a node's classes decide.
pub fn meets(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::K
            | Rule::MaxUniqueFraction
            | Rule::L
            | Rule::EntropyL
            | Rule::RecursiveC
            | Rule::T
            | Rule::MaxProsecutorAvg
            | Rule::MaxProsecutorMax
    )
}

/// The target a view's remedies must meet: every rule of `t` that a node's classes decide.
/// Unicity and population uniques are not among them (they need the purchase history or a
/// population model); the summary lists them among what remains.
pub fn target(t: &Thresholds, max_suppressed: usize) -> Target {
    let k =
        t.k.unwrap_or(1)
            .max(t.max_prosecutor_max.map_or(1, Target::k_for_prosecutor_max));
    Target {
        k,
        l: t.l,
        entropy_l: t.entropy_l,
        recursive: t.recursive_c.map(|c| (crate::audit::RECURSIVE_L, c)),
        t: t.t,
        max_unique_fraction: t.max_unique_fraction,
        max_prosecutor_avg: t.max_prosecutor_avg,
        max_suppressed,
    }
}

/// The view grouped for the search, with its ladders and what a node must meet.
pub struct Prepared {
    pub ladders: Vec<Ladder>,
    pub tables: Vec<LevelCodes>,
    pub units: Units,
    pub target: Target,
}

/// Codes `view` for the search under thresholds `t`.
pub fn prepare(view: &View, t: &Thresholds, max_suppression: f64) -> Result<Prepared> {
    let qis = view.qis();
    let rows = view.df.height();
    let reads_sensitive =
        t.l.is_some() || t.entropy_l.is_some() || t.recursive_c.is_some() || t.t.is_some();
    let sensitive = if reads_sensitive {
        view.sensitive()
    } else {
        Vec::new()
    };
    crate::budget::check(Units::estimate(rows, qis.len(), sensitive.len()), || {
        format!(
            "the remedy search of view {}",
            crate::escape::name(&view.name)
        )
    })?;
    let coded = qis
        .iter()
        .map(|q| coded_column(view.df.column(q)?))
        .collect::<Result<Vec<_>>>()?;
    let ladders = qis
        .iter()
        .zip(&coded)
        .map(|(q, c)| ladder::ladder(view, q, c))
        .collect::<Result<Vec<_>>>()?;
    // Sensitive values numbered as the view's own measurement numbers them (numeric order for
    // numbers, the missing value last), so that t-closeness is the same distance.
    let encoded = encode_columns(&view.df, &sensitive, &sensitive)?;
    let positions: Vec<Vec<u32>> = encoded
        .iter()
        .map(|column| {
            column
                .codes
                .iter()
                .map(|&c| if c == MISSING { column.distinct } else { c - 1 })
                .collect()
        })
        .collect();
    let sensitive_codes: Vec<SensitiveCodes> = encoded
        .iter()
        .zip(&positions)
        .map(|(column, positions)| SensitiveCodes {
            positions,
            values: column.distinct as usize + usize::from(column.has_missing),
            numeric: column.numeric,
        })
        .collect();
    let entity = match &view.entity {
        Some(e) => {
            let column = coded_column(view.df.column(e)?)?;
            Some(EntityNumbers::of_codes(
                &column.codes,
                column.dictionary.len() + 1,
            ))
        }
        None => None,
    };
    let columns: Vec<(&[u32], usize)> = coded
        .iter()
        .map(|c| (c.codes.as_slice(), c.dictionary.len() + 1))
        .collect();
    let units = Units::group(&columns, entity.as_ref(), &sensitive_codes, rows);
    drop(coded);
    let max_suppressed = (max_suppression * units.total() as f64).floor() as usize;
    let tables: Vec<LevelCodes> = ladders.iter().map(LevelCodes::of).collect();
    Ok(Prepared {
        ladders,
        tables,
        units,
        target: target(t, max_suppressed),
    })
}

/// Searches the generalisation lattice of `view` for nodes that meet thresholds `t`.
pub fn search_view(view: &View, t: &Thresholds, max_suppression: f64) -> Result<ViewRemedies> {
    let prepared = prepare(view, t, max_suppression)?;
    let search = search::search(&prepared.units, &prepared.tables, &prepared.target);
    Ok(ViewRemedies {
        ladders: prepared.ladders,
        search,
        total: prepared.units.total(),
    })
}

/// Per row of `view`, whether the remedy with these `steps` (its `generalization` figure)
/// keeps it: `false` for every row it suppresses (all the rows of a suppressed person).
pub fn kept_rows(
    view: &View,
    policy: &Policy,
    max_suppression: f64,
    steps: &BTreeMap<String, Generalization>,
) -> Result<Vec<bool>> {
    let thresholds = crate::audit::verdict::thresholds_for(policy, &[&view.name]);
    let prepared = prepare(view, &thresholds, max_suppression)?;
    let levels = prepared
        .ladders
        .iter()
        .map(|ladder| match steps.get(&ladder.column) {
            None => Ok(0),
            Some(step) => ladder
                .steps
                .iter()
                .position(|s| s == step)
                .map(|i| i + 1)
                .ok_or_else(|| {
                    crate::invalid!(
                        "view {}: {} is not a step of column {}'s ladder",
                        crate::escape::name(&view.name),
                        step.label(),
                        crate::escape::name(&ladder.column)
                    )
                }),
        })
        .collect::<Result<Vec<usize>>>()?;
    Ok(prepared
        .units
        .kept_rows(&prepared.tables, &levels, &prepared.target))
}

/// The remedy findings of a view that fails the policy, with their rank scores.
pub fn findings(
    view: &View,
    report: &ViewReport,
    policy: &Policy,
    max_suppression: f64,
) -> Result<Vec<(f64, Finding)>> {
    if report.quasi_identifiers.is_empty() {
        return Ok(Vec::new());
    }
    let timer = crate::timing::Timer::start();
    let thresholds = crate::audit::verdict::thresholds_for(policy, &[&view.name]);
    let found = search_view(view, &thresholds, max_suppression)?;
    timer.lap(&format!("audit: remedy search of {}", view.name));
    let s = &found.search;
    let searched = if s.cut {
        format!(
            "; the search stopped after {} of {} lattice nodes, so coarser combinations were not tried",
            thousands(s.evaluated),
            thousands(s.lattice_nodes as usize)
        )
    } else {
        String::new()
    };
    let before = &report.metrics.k_anonymity;
    let mut out = Vec::new();
    // A node that suppresses every QI (each at its ladder's `suppress`, or at the one value
    // `*` a hierarchy ends with) releases none of them: not a remedy.
    let suppressed = |ladder: &ladder::Ladder, level: usize| {
        level > 0
            && match &ladder.steps[level - 1] {
                Generalization::Builtin(name) => name == "suppress",
                Generalization::Hierarchy { .. } => {
                    level == ladder.height() && ladder.slots[level] <= 2
                }
            }
    };
    let blanks_every_qi = |node: &search::NodeFigures| {
        found
            .ladders
            .iter()
            .zip(&node.levels)
            .all(|(ladder, &level)| suppressed(ladder, level))
    };
    let remedies: Vec<&search::NodeFigures> =
        s.remedies.iter().filter(|n| !blanks_every_qi(n)).collect();
    let shown = remedies.len().min(REMEDIES_PER_VIEW);
    for (i, node) in remedies.iter().copied().take(shown).enumerate() {
        let steps = generalization(&found.ladders, &node.levels);
        let kept: Vec<&str> = found
            .ladders
            .iter()
            .zip(&node.levels)
            .filter(|(_, l)| **l == 0)
            .map(|(ladder, _)| ladder.column.as_str())
            .collect();
        let what = crate::model::steps_in_words(&steps);
        let kept = if kept.is_empty() || steps.is_empty() {
            String::new()
        } else {
            format!(" ({} as released)", kept.join(", "))
        };
        let drop_records = if node.suppressed == 0 {
            String::new()
        } else {
            let what = if report.rows > report.entities {
                "people (all their rows)"
            } else {
                "records"
            };
            format!(
                ", and drop the {} {what} left in classes smaller than k, less than l-diverse or unique beyond the policy",
                thousands(node.suppressed)
            )
        };
        let per_source = by_source(view, &steps);
        let joined = per_source.keys().any(|source| *source != view.name);
        let paste = if steps.is_empty() {
            drop_records
        } else if !joined {
            format!(". In the plan: generalize = {{ {} }}", toml_steps(&steps)) + &drop_records
        } else {
            // A joined view is generalised where its columns come from: each source's
            // `generalize`, which every step reading the source then carries.
            format!(
                ". In the plan, in the sources: {}",
                per_source
                    .iter()
                    .map(|(source, steps)| format!(
                        "{}: generalize = {{ {} }}",
                        crate::escape::name(source),
                        toml_steps(steps)
                    ))
                    .collect::<Vec<_>>()
                    .join("; ")
            ) + &drop_records
        };
        let mut finding = Finding {
            code: FindingCode::Remedy,
            severity: Severity::Low,
            subject: report.name.clone(),
            message: format!(
                "Remedy {} of {} for {}: {what}{kept} gives {}; information loss {} (precision); now k = {} and {} unique{paste}{searched}",
                i + 1,
                remedies.len(),
                report.name,
                gives(node, report, found.total),
                percent(node.information_loss),
                thousands(before.k as usize),
                percent(before.unique_fraction),
            ),
            figures: Default::default(),
        }
        .with(&[
            ("k", node.k as f64),
            ("unique_fraction", node.unique_fraction),
            ("suppressed_records", node.suppressed as f64),
            ("information_loss", node.information_loss),
            ("k_before", before.k as f64),
            ("unique_fraction_before", before.unique_fraction),
            ("rank", (i + 1) as f64),
            ("remedies", remedies.len() as f64),
            ("nodes_evaluated", s.evaluated as f64),
            ("lattice_nodes", s.lattice_nodes),
            ("search_cut", f64::from(u8::from(s.cut))),
        ]);
        let per_attribute = |values: Vec<f64>| {
            Figure::PerAttribute(report.sensitive.iter().cloned().zip(values).collect())
        };
        if !report.sensitive.is_empty() {
            let figures = &mut finding.figures;
            if !node.l.is_empty() {
                figures.insert(
                    "l".into(),
                    per_attribute(node.l.iter().map(|&l| l as f64).collect()),
                );
            }
            if !node.entropy_l.is_empty() {
                figures.insert("entropy_l".into(), per_attribute(node.entropy_l.clone()));
            }
            if !node.recursive_c.is_empty() {
                // No c: a class with fewer than l values, which a passing node has not.
                figures.insert(
                    "recursive_c".into(),
                    per_attribute(
                        node.recursive_c
                            .iter()
                            .map(|c| c.unwrap_or(f64::INFINITY))
                            .collect(),
                    ),
                );
            }
            if !node.t.is_empty() {
                figures.insert("t".into(), per_attribute(node.t.clone()));
            }
        }
        if thresholds.max_prosecutor_avg.is_some() {
            finding
                .figures
                .insert("prosecutor_avg".into(), Figure::Number(node.prosecutor_avg));
        }
        finding
            .figures
            .insert("generalization".into(), Figure::Generalization(steps));
        finding
            .figures
            .insert("source_steps".into(), Figure::PerSource(per_source));
        // Ranked after the problems, the cheapest remedy first.
        out.push((0.15 - 0.01 * i as f64, finding));
    }
    if remedies.is_empty() {
        // The figures at the lattice's top (or, when only nodes that blank every QI pass,
        // at the cheapest of those).
        let top = s
            .top
            .as_ref()
            .or(s.remedies.first())
            .expect("evaluated when nothing passed");
        let top_gives = gives(top, report, found.total);
        let message = if !s.remedies.is_empty() {
            format!(
                "No generalisation of {} makes {} meet the policy and still releases a QI: only lifting every one of them to a single value does; join fewer sources, release a coarser source, allow suppression (--max-suppression) or tolerate more (docs/plan.md's policy keys)",
                report.quasi_identifiers.join(", "),
                report.name
            )
        } else if s.cut {
            format!(
                "No remedy found for {}: the search stopped after {} of {} lattice nodes before reaching a combination that meets the policy (with every QI at its ladder's top: {top_gives}); allow suppression (--max-suppression) or measure fewer QIs",
                report.name,
                thousands(s.evaluated),
                thousands(s.lattice_nodes as usize)
            )
        } else {
            let why = if report.entity.is_some() && report.rows > report.entities {
                "people stay apart by how many rows they have; allow suppression (--max-suppression) or release one row per person"
            } else {
                "allow suppression (--max-suppression) or release fewer records"
            };
            format!(
                "No generalisation of {} makes {} meet the policy: with every QI at its ladder's top it gives {top_gives}; {why}",
                report.quasi_identifiers.join(", "),
                report.name
            )
        };
        out.push((
            0.15,
            Finding {
                code: FindingCode::RemedyNotFound,
                severity: Severity::Medium,
                subject: report.name.clone(),
                message,
                figures: Default::default(),
            }
            .with(&[
                ("k_top", top.k as f64),
                ("unique_fraction_top", top.unique_fraction),
                ("suppressed_records_top", top.suppressed as f64),
                ("nodes_evaluated", s.evaluated as f64),
                ("lattice_nodes", s.lattice_nodes),
                ("search_cut", f64::from(u8::from(s.cut))),
            ]),
        ));
    }
    Ok(out)
}

/// What a node gives, in words: k, uniques, each l and t figure it was judged on, the average
/// prosecutor risk when judged, suppression.
fn gives(node: &NodeFigures, report: &ViewReport, total: usize) -> String {
    let per_attribute = |label: &str, values: Vec<String>| -> String {
        if values.is_empty() {
            return String::new();
        }
        format!(
            ", {label} = {}",
            report
                .sensitive
                .iter()
                .zip(values)
                .map(|(a, v)| format!("{v} ({a})"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let l = per_attribute("l", node.l.iter().map(|l| l.to_string()).collect());
    let entropy = per_attribute(
        "entropy l",
        node.entropy_l.iter().map(|l| format!("{l:.2}")).collect(),
    );
    let recursive = per_attribute(
        "recursive c",
        node.recursive_c
            .iter()
            .map(|c| c.map_or("none".to_string(), |c| format!("{c:.2}")))
            .collect(),
    );
    let t = per_attribute("t", node.t.iter().map(|t| format!("{t:.4}")).collect());
    let suppressed = if node.suppressed == 0 {
        "no record suppressed".to_string()
    } else {
        format!(
            "{} of {} {} suppressed",
            thousands(node.suppressed),
            thousands(total),
            if report.rows > report.entities {
                "people"
            } else {
                "records"
            }
        )
    };
    format!(
        "k = {}, {} unique{l}{entropy}{recursive}{t}, {suppressed}",
        thousands(node.k as usize),
        percent(node.unique_fraction)
    )
}

/// The step each lifted QI takes, by column.
pub fn generalization(ladders: &[Ladder], levels: &[usize]) -> BTreeMap<String, Generalization> {
    ladders
        .iter()
        .zip(levels)
        .filter(|(_, l)| **l > 0)
        .map(|(ladder, &l)| (ladder.column.clone(), ladder.steps[l - 1].clone()))
        .collect()
}

/// A remedy's steps by the source and column they apply to.
fn by_source(
    view: &View,
    steps: &BTreeMap<String, Generalization>,
) -> BTreeMap<String, BTreeMap<String, Generalization>> {
    let mut out: BTreeMap<String, BTreeMap<String, Generalization>> = BTreeMap::new();
    for (column, step) in steps {
        let (source, original) = view.origin(column);
        out.entry(source)
            .or_default()
            .insert(original, step.clone());
    }
    out
}

/// Steps as the inside of a TOML inline table.
fn toml_steps(steps: &BTreeMap<String, Generalization>) -> String {
    steps
        .iter()
        .map(|(c, g)| format!("{} = {}", toml_key(c), toml_value(g)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A TOML key: bare when it can be.
fn toml_key(key: &str) -> String {
    if !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        key.to_string()
    } else {
        toml_string(key)
    }
}

fn toml_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A step as a plan's `generalize` value.
fn toml_value(g: &Generalization) -> String {
    match g {
        Generalization::Builtin(name) => toml_string(name),
        Generalization::Hierarchy { hierarchy, level } => format!(
            "{{ hierarchy = {}, level = {level} }}",
            toml_string(&hierarchy.to_string_lossy())
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_paste_as_toml() {
        assert_eq!(toml_key("zip5"), "zip5");
        assert_eq!(toml_key("marital-status"), "marital-status");
        assert_eq!(toml_key("t.zip"), "\"t.zip\"");
        assert_eq!(
            toml_value(&Generalization::Builtin("band:10".into())),
            "\"band:10\""
        );
        let h = Generalization::Hierarchy {
            hierarchy: "h/age.csv".into(),
            level: 2,
        };
        assert_eq!(toml_value(&h), "{ hierarchy = \"h/age.csv\", level = 2 }");
        let parsed: toml::Value = toml::from_str(&format!(
            "g = {{ {} = {} }}",
            toml_key("t.zip"),
            toml_value(&h)
        ))
        .unwrap();
        assert!(parsed["g"]["t.zip"]["level"].as_integer() == Some(2));
    }
}
