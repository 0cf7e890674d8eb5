//! Quasi steps: linkage on quasi-identifiers from class tables, no candidate pair built.

use crate::error::Context as _;
use polars::prelude::*;

use crate::Result;
use crate::audit::generalize::text_generalization;
use crate::audit::identifiers::{Link, truth_links};
use crate::audit::keys::{
    ClassCounts, CodedPair, NO_KEY, as_compared, as_is, code_pair, join_coded_column, joint_keys,
    people_keys, same_person, typical_len,
};
use crate::audit::linkage::{Attribute, linkage, unique_candidates};
use crate::audit::view::View;
use crate::engine::compare::{coded_column, is_temporal};
use crate::engine::entity::EntityNumbers;
use crate::io::coded::{CodedColumn, Dictionary};
use crate::model::{ColumnOverlap, Linkage, TruthLinks};
use crate::plan::Generalization;
use crate::plan::JoinSpec;

use super::{EntityFrom, JoinOutcome, joined_view, new_name, pair_name, right_names};

/// Brings a quasi step's compared column of each side to one precision and codes both.
/// A plan's generalisation of either side is applied to the other; without one, the side
/// with the longer text is cut to the typical length of the other (ZIP5 → ZIP3,
/// 1987-02-18 → 1987).
pub fn comparable(
    lcol: &CodedColumn,
    rcol: &CodedColumn,
    gl: Option<&Generalization>,
    gr: Option<&Generalization>,
) -> Result<(CodedPair, String)> {
    let (lc, rc) = (&lcol.name, &rcol.name);
    if gl.is_some() || gr.is_some() {
        let same = gl == gr;
        let lt = match gr.filter(|_| !same) {
            Some(g) => Some(text_generalization(g)?),
            None => None,
        };
        let rt = match gl.filter(|_| !same) {
            Some(g) => Some(text_generalization(g)?),
            None => None,
        };
        let text = match (gl, gr) {
            (Some(g), _) if same => format!("{lc} = {rc}, both generalised to {}", g.label()),
            (Some(g), None) => {
                format!(
                    "{lc} (generalised to {}) = {rc} generalised alike",
                    g.label()
                )
            }
            (None, Some(g)) => format!("{lc} generalised to {} = {rc}", g.label()),
            (Some(a), Some(b)) => format!(
                "{lc} (generalised to {}) and {rc} (generalised to {}), each brought to the other's",
                a.label(),
                b.label()
            ),
            (None, None) => unreachable!("one side is generalised"),
        };
        let pair = code_pair(
            lcol,
            rcol,
            lt.as_deref().unwrap_or(&as_is),
            rt.as_deref().unwrap_or(&as_is),
        );
        return Ok((pair, text));
    }
    let (ll, rl) = (typical_len(lcol), typical_len(rcol));
    let cut = |n: usize| move |v: &str| -> Option<String> { Some(v.chars().take(n).collect()) };
    Ok(match ll.cmp(&rl) {
        std::cmp::Ordering::Greater => (
            code_pair(lcol, rcol, &cut(rl), &as_is),
            format!("{lc} cut to {rl} characters = {rc}"),
        ),
        std::cmp::Ordering::Less => (
            code_pair(lcol, rcol, &as_is, &cut(ll)),
            format!("{lc} = {rc} cut to {ll} characters"),
        ),
        std::cmp::Ordering::Equal => (
            code_pair(lcol, rcol, &as_is, &as_is),
            format!("{lc} = {rc}"),
        ),
    })
}

/// The fraction of target records whose compared value occurs on the identified side.
fn overlap(pair: &CodedPair) -> f64 {
    let mut on_left = vec![false; pair.slots];
    for &c in &pair.left {
        on_left[c as usize] = true;
    }
    let found = pair
        .right
        .iter()
        .filter(|&&c| c != 0 && on_left[c as usize])
        .count();
    if pair.right.is_empty() {
        0.0
    } else {
        found as f64 / pair.right.len() as f64
    }
}

/// One side of a quasi step as codes: what linkage reads.
pub struct QuasiSide {
    /// The compared columns, in order, each with the generalisation its view applied.
    pub compared: Vec<(CodedColumn, Option<Generalization>)>,
    /// Sensitive attributes under their names in the joined view, as codes (`0` missing).
    pub sensitive: Vec<(String, Vec<u32>)>,
}

/// What linkage from class tables gives a quasi step.
pub struct QuasiLink {
    pub linkage: Linkage,
    /// Per target record, the identified record attached (its only candidate).
    pub attached: Vec<Option<u32>>,
    pub comparison: Vec<String>,
    pub column_overlap: Vec<ColumnOverlap>,
    pub matched_left: usize,
    /// Per identified record, whether some target record shares its key.
    pub left_matched: Vec<bool>,
    /// Per target record, `1 / candidates` (0 without a candidate).
    pub target_chances: Vec<f64>,
    pub truth: Option<TruthLinks>,
}

fn as_attributes(list: &[(String, Vec<u32>)]) -> Vec<Attribute<'_>> {
    list.iter()
        .map(|(name, codes)| Attribute {
            name: name.clone(),
            codes,
        })
        .collect()
}

/// Links target side `right` to identified side `left` from their class tables.
///
/// With `people` (each side's records numbered by person), people are linked instead of
/// records: a person's key is the multiset of their records' keys, and `attached`,
/// `matched_left` and every linkage figure count people. Sides linked by people carry no
/// sensitive attributes (`link` has none).
pub fn quasi_link(
    left: &QuasiSide,
    right: &QuasiSide,
    truth: Option<&CodedPair>,
    people: Option<(&EntityNumbers, &EntityNumbers)>,
) -> Result<QuasiLink> {
    debug_assert!(people.is_none() || (left.sensitive.is_empty() && right.sensitive.is_empty()));
    let mut pairs = Vec::new();
    let mut comparison = Vec::new();
    let mut column_overlap = Vec::new();
    for ((lcol, gl), (rcol, gr)) in left.compared.iter().zip(&right.compared) {
        // Values as a join compares them (instants by the time they name).
        let temporal = |c: &CodedColumn| matches!(c.dictionary, Dictionary::Times { .. });
        let (lcol, rcol) = (
            &*as_compared(lcol, temporal(rcol)),
            &*as_compared(rcol, temporal(lcol)),
        );
        let (pair, text) = comparable(lcol, rcol, gl.as_ref(), gr.as_ref())?;
        column_overlap.push(ColumnOverlap {
            on: pair_name(&lcol.name, &rcol.name),
            target_fraction: overlap(&pair),
        });
        comparison.push(text);
        pairs.push(pair);
    }
    let mut keys = joint_keys(&pairs);
    drop(pairs);
    let people_truth = match people {
        Some((l, r)) => {
            keys = people_keys(&keys, l, r);
            truth.map(|t| crate::audit::keys::people_truth(t, l, r))
        }
        None => None,
    };
    let truth = people_truth.as_ref().or(truth);
    let counts = ClassCounts::of(&keys);
    let attached = unique_candidates(&keys, &counts);
    let (correct, truth_summary) = match truth {
        None => (None, None),
        Some(truth) => {
            let first = crate::audit::linkage::first_rows(&keys.left, keys.classes);
            let correct = keys
                .right
                .iter()
                .enumerate()
                .filter(|&(b, &id)| {
                    id != NO_KEY
                        && counts.left[id as usize] == 1
                        && counts.right[id as usize] == 1
                        && same_person(truth, first[id as usize], b as u32)
                })
                .count();
            let links: Vec<Link> = attached
                .iter()
                .enumerate()
                .filter_map(|(b, a)| a.map(|a| crate::audit::identifiers::link(a, b as u32)))
                .collect();
            (Some(correct), Some(truth_links(&links, truth)))
        }
    };
    let linkage = linkage(
        &keys,
        &counts,
        &as_attributes(&right.sensitive),
        &as_attributes(&left.sensitive),
        correct,
    );
    let matched_left = counts
        .left
        .iter()
        .zip(&counts.right)
        .filter(|&(_, &b)| b > 0)
        .map(|(&a, _)| a as usize)
        .sum();
    let left_matched = keys
        .left
        .iter()
        .map(|&id| id != NO_KEY && counts.right[id as usize] > 0)
        .collect();
    let target_chances = keys
        .right
        .iter()
        .map(|&id| match id {
            NO_KEY => 0.0,
            id if counts.left[id as usize] == 0 => 0.0,
            id => 1.0 / counts.left[id as usize] as f64,
        })
        .collect();
    Ok(QuasiLink {
        linkage,
        left_matched,
        target_chances,
        attached,
        comparison,
        column_overlap,
        matched_left,
        truth: truth_summary,
    })
}

/// Sensitive attributes of a view as codes, under their names in the joined view.
fn attributes(view: &View, name: impl Fn(&str) -> String) -> Result<Vec<(String, Vec<u32>)>> {
    view.sensitive()
        .iter()
        .map(|s| Ok((name(s), coded_column(view.df.column(s)?)?.codes)))
        .collect()
}

pub(super) fn quasi_join(
    step: &JoinSpec,
    left: &View,
    right: &View,
    lcols: &[String],
    rcols: &[String],
    truth: Option<&CodedPair>,
) -> Result<JoinOutcome> {
    let renamed = right_names(left, right);
    let right_name = |c: &str| new_name(&renamed, c);
    // Each compared column as `engine::compare` says: numbers by value, instants by the time
    // they name (text read as timestamps against a date or timestamp column).
    let side = |view: &View, cols: &[String], peer: (&View, &[String]), sensitive| {
        Ok::<_, crate::Error>(QuasiSide {
            compared: cols
                .iter()
                .zip(peer.1)
                .map(|(c, p)| {
                    let temporal_peer = is_temporal(peer.0.df.column(p)?.dtype());
                    Ok((
                        join_coded_column(view.df.column(c)?, temporal_peer)?,
                        view.generalization(c).cloned(),
                    ))
                })
                .collect::<Result<_>>()?,
            sensitive,
        })
    };
    let left_side = side(
        left,
        lcols,
        (right, rcols),
        attributes(left, str::to_string)?,
    )?;
    let right_side = side(right, rcols, (left, lcols), attributes(right, right_name)?)?;
    let link = quasi_link(&left_side, &right_side, truth, None)
        .with_context(|| format!("join '{}'", step.name))?;

    // One row per target record; the identified record's columns where it is the only
    // candidate, missing elsewhere.
    let indices: IdxCa = link
        .attached
        .iter()
        .map(|a| a.map(|a| a as IdxSize))
        .collect();
    let left_rows = left.df.take(&indices)?;
    let view = joined_view(
        step,
        left,
        right,
        left_rows,
        right.df.clone(),
        EntityFrom::Target,
    )?;
    Ok(JoinOutcome {
        view,
        on: Vec::new(),
        comparison: link.comparison,
        rows_out: right.df.height(),
        matched_left: link.matched_left,
        matched_right: link.linkage.targets_with_candidates,
        right_linked: link.target_chances.iter().map(|&c| c > 0.0).collect(),
        right_chances: Some(link.target_chances),
        left_linked: link.left_matched,
        linkage: Some(link.linkage),
        column_overlap: link.column_overlap,
        identifiers: Vec::new(),
        truth: link.truth,
        counted_people: None,
    })
}
