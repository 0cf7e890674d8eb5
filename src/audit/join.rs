//! Join steps: how a retailer links two views. Both sides' compared columns are coded in one
//! dictionary per column ([`super::keys`]), and every figure is counted on the codes:
//!
//! - a `quasi` step is linkage from class tables ([`super::linkage`]): no candidate pair is
//!   built, and its view is one row per target record, with the identified record's columns
//!   attached where the target has exactly one candidate;
//! - a `key`, `normalized` or `hashed` step links records that agree on any of its
//!   identifiers ([`super::identifiers`]); its pair count is known from the key counts and a
//!   join above `max_join_rows` is refused before any pair is built. Its view is one row per
//!   linked pair.

use crate::bail;
use crate::error::Context as _;
use polars::prelude::*;

use super::generalize::text_generalization;
use super::identifiers::{
    Link, colliding_keys, judge, left_of, linked_records, links_of, right_of, truth_links, union,
};
use super::keys::{
    ClassCounts, CodedPair, JointKeys, NO_KEY, as_compared, as_is, code_pair, join_coded_column,
    joint_keys, people_keys, same_person, typical_len,
};
use super::linkage::{Attribute, linkage, unique_candidates};
use super::view::View;
use crate::Result;
use crate::engine::compare::{ValueKind, coded_column, is_temporal};
use crate::engine::entity::EntityNumbers;
use crate::io::coded::{CodedColumn, Dictionary};
use crate::model::{ColumnOverlap, IdentifierLinks, Linkage, TruthLinks};
use crate::normalize::{HashAlgorithm, normalize_email, normalize_phone};
use crate::plan::Generalization;
use crate::plan::{Identifier, JoinKind, JoinSpec, MatchSpec};

/// The joined view and the raw figures of the step (snapshots are added by the caller).
pub struct JoinOutcome {
    pub view: View,
    pub on: Vec<String>,
    pub comparison: Vec<String>,
    pub rows_out: usize,
    pub matched_left: usize,
    pub matched_right: usize,
    pub linkage: Option<Linkage>,
    pub column_overlap: Vec<ColumnOverlap>,
    pub identifiers: Vec<IdentifierLinks>,
    pub truth: Option<TruthLinks>,
}

/// A column type in the user's words, for a message about comparing two columns.
fn kind_words(dtype: &DataType) -> String {
    match ValueKind::of(dtype) {
        ValueKind::Text => "text".to_string(),
        ValueKind::Number => format!("numbers ({dtype})"),
        ValueKind::Instant => format!("dates or timestamps ({dtype})"),
        ValueKind::Other => format!("values of type {dtype}"),
    }
}

/// Guesses the hash algorithm of a hex column from its length.
fn guess_hash(column: &CodedColumn) -> Option<HashAlgorithm> {
    let len = typical_len(column);
    HashAlgorithm::ALL.into_iter().find(|a| a.hex_len() == len)
}

/// A blank compared value is no key: blank identifiers never link.
fn non_blank(value: String) -> Option<String> {
    (!value.trim().is_empty()).then_some(value)
}

fn pair_name(l: &str, r: &str) -> String {
    if l == r {
        l.to_string()
    } else {
        format!("{l}={r}")
    }
}

fn identifier_name(m: &MatchSpec) -> &'static str {
    match m.normalize {
        Some(Identifier::Phone) => "phone",
        _ => "email",
    }
}

/// Runs one join step on two views. `max_rows` bounds the pairs of a key, normalized or
/// hashed step.
pub fn run_join(step: &JoinSpec, left: &View, right: &View, max_rows: u64) -> Result<JoinOutcome> {
    let (lcols, rcols) = step.columns();
    for (view, cols) in [(left, &lcols), (right, &rcols)] {
        for c in cols.iter() {
            if view.df.column(c).is_err() {
                bail!(
                    "join {}: {} has no column {}",
                    crate::escape::name(&step.name),
                    crate::escape::name(&view.name),
                    crate::escape::name(c)
                );
            }
        }
    }
    let truth = match &step.truth {
        None => None,
        Some(t) => {
            let column = |view: &View, name: &str| -> Result<CodedColumn> {
                let c = view.df.column(name).map_err(|_| {
                    crate::invalid!(
                        "join '{}': {} has no truth column '{name}'",
                        step.name,
                        view.name
                    )
                })?;
                coded_column(c)
            };
            let (l, r) = (column(left, &t.left)?, column(right, &t.right)?);
            Some(code_pair(&l, &r, &as_is, &as_is))
        }
    };
    let on = lcols
        .iter()
        .zip(&rcols)
        .map(|(l, r)| pair_name(l, r))
        .collect();
    let mut outcome = if step.kind == JoinKind::Quasi {
        quasi_join(step, left, right, &lcols, &rcols, truth.as_ref())?
    } else {
        identifier_join(step, left, right, max_rows, truth.as_ref())?
    };
    outcome.on = on;
    Ok(outcome)
}

/// The columns of the joined view: the left's under their names, the right's renamed
/// `<right>.<column>` where the left already uses the name (then `<right>.<column>.2`, ...,
/// where a chain of joins already used that too). Returns the right's new names.
fn right_names(left: &View, right: &View) -> Vec<(String, String)> {
    let mut taken: hashbrown::HashSet<String> = left
        .df
        .get_column_names()
        .iter()
        .map(|s| s.to_string())
        .collect();
    let originals: Vec<String> = right
        .df
        .get_column_names()
        .iter()
        .map(|s| s.to_string())
        .collect();
    // A right column keeping its name claims it first, so a renamed one cannot take it.
    let kept: Vec<bool> = originals.iter().map(|n| !taken.contains(n)).collect();
    for (name, &keep) in originals.iter().zip(&kept) {
        if keep {
            taken.insert(name.clone());
        }
    }
    originals
        .into_iter()
        .zip(kept)
        .map(|(name, keep)| {
            if keep {
                return (name.clone(), name);
            }
            let base = format!("{}.{name}", right.name);
            let mut new = base.clone();
            let mut n = 2;
            while taken.contains(&new) {
                new = format!("{base}.{n}");
                n += 1;
            }
            taken.insert(new.clone());
            (name, new)
        })
        .collect()
}

/// Whose entity a joined view carries.
#[derive(Clone, Copy)]
enum EntityFrom {
    /// A quasi step's view is one row per target record: the target's entity.
    Target,
    /// A join of rows: the left's entity if declared, else the right's.
    LeftElseRight,
}

/// The joined view from the left and right frames already aligned row by row.
fn joined_view(
    step: &JoinSpec,
    left: &View,
    right: &View,
    left_rows: DataFrame,
    mut right_rows: DataFrame,
    entity: EntityFrom,
) -> Result<View> {
    let renamed = right_names(left, right);
    for (old, new) in &renamed {
        if old != new {
            right_rows.rename(old, new.as_str().into())?;
        }
    }
    let new_name = |old: &str| -> String {
        renamed
            .iter()
            .find(|(o, _)| o == old)
            .map_or_else(|| old.to_string(), |(_, n)| n.clone())
    };
    let mut df = left_rows;
    df.hstack_mut(right_rows.columns())?;
    let mut roles = left.roles.clone();
    roles.extend(right.roles.iter().map(|(c, r)| (new_name(c), *r)));
    let mut generalized = left.generalized.clone();
    generalized.extend(
        right
            .generalized
            .iter()
            .map(|(c, g)| (new_name(c), g.clone())),
    );
    let mut hierarchies = left.hierarchies.clone();
    hierarchies.extend(
        right
            .hierarchies
            .iter()
            .map(|h| super::view::HierarchyFile {
                column: new_name(&h.column),
                ..h.clone()
            }),
    );
    let right_entity = right.entity.as_deref().map(new_name);
    let entity = match entity {
        EntityFrom::Target => right_entity,
        EntityFrom::LeftElseRight => left.entity.clone().or(right_entity),
    };
    Ok(View {
        name: step.name.clone(),
        df,
        roles,
        generalized,
        hierarchies,
        entity,
        release: false,
    })
}

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
            truth.map(|t| super::keys::people_truth(t, l, r))
        }
        None => None,
    };
    let truth = people_truth.as_ref().or(truth);
    let counts = ClassCounts::of(&keys);
    let attached = unique_candidates(&keys, &counts);
    let (correct, truth_summary) = match truth {
        None => (None, None),
        Some(truth) => {
            let first = super::linkage::first_rows(&keys.left, keys.classes);
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
                .filter_map(|(b, a)| a.map(|a| super::identifiers::link(a, b as u32)))
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
    Ok(QuasiLink {
        linkage,
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

fn quasi_join(
    step: &JoinSpec,
    left: &View,
    right: &View,
    lcols: &[String],
    rcols: &[String],
    truth: Option<&CodedPair>,
) -> Result<JoinOutcome> {
    let renamed = right_names(left, right);
    let right_name = |c: &str| {
        renamed
            .iter()
            .find(|(o, _)| o == c)
            .map_or_else(|| c.to_string(), |(_, n)| n.clone())
    };
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
        linkage: Some(link.linkage),
        column_overlap: link.column_overlap,
        identifiers: Vec::new(),
        truth: link.truth,
    })
}

/// One identifier of a key, normalized or hashed step: its columns coded on both sides.
fn identifier_keys(
    step: &JoinSpec,
    m: &MatchSpec,
    left: &View,
    right: &View,
) -> Result<(JointKeys, String)> {
    let (lcols, rcols) = m.columns();
    let kind = m.kind.unwrap_or(step.kind);
    let mut pairs = Vec::new();
    let mut comparison = Vec::new();
    for (lc, rc) in lcols.iter().zip(&rcols) {
        let (lraw, rraw) = (left.df.column(lc)?, right.df.column(rc)?);
        let (ld, rd) = (lraw.dtype().clone(), rraw.dtype().clone());
        let (lcol, rcol) = (&coded_column(lraw)?, &coded_column(rraw)?);
        let rules = m.email_rules;
        let normalize = move |v: &str| match m.normalize {
            Some(Identifier::Phone) => normalize_phone(v),
            _ => normalize_email(v, rules),
        };
        let pair = match kind {
            JoinKind::Key | JoinKind::Quasi => {
                if !ValueKind::of(&ld).comparable(ValueKind::of(&rd)) {
                    bail!(
                        "join '{}': {}.{lc} holds {} and {}.{rc} holds {}, which cannot be compared; export both as text or both as numbers",
                        step.name,
                        left.name,
                        kind_words(&ld),
                        right.name,
                        kind_words(&rd),
                    );
                }
                comparison.push(format!("{lc} = {rc}"));
                // Numbers by value, instants by the time they name (`engine::compare`).
                let lkey = join_coded_column(lraw, is_temporal(&rd))?;
                let rkey = join_coded_column(rraw, is_temporal(&ld))?;
                let exact = |v: &str| non_blank(v.to_string());
                code_pair(&lkey, &rkey, &exact, &exact)
            }
            JoinKind::Normalized => {
                comparison.push(format!("normalised {}: {lc} = {rc}", identifier_name(m)));
                let f = |v: &str| non_blank(normalize(v));
                code_pair(lcol, rcol, &f, &f)
            }
            JoinKind::Hashed => {
                let algo = match m.hash {
                    Some(a) => a,
                    None => guess_hash(rcol).with_context(|| {
                        format!(
                            "join '{}': {}.{rc} does not look like md5, sha1 or sha256 hex; set hash = \"...\"",
                            step.name, right.name
                        )
                    })?,
                };
                comparison.push(format!("{}(normalised {lc}) = {rc}", algo.name()));
                let hashed = |v: &str| non_blank(normalize(v)).map(|n| algo.hex(&n));
                let hex = |v: &str| non_blank(v.trim().to_ascii_lowercase());
                code_pair(lcol, rcol, &hashed, &hex)
            }
        };
        pairs.push(pair);
    }
    Ok((joint_keys(&pairs), comparison.join(", ")))
}

fn identifier_join(
    step: &JoinSpec,
    left: &View,
    right: &View,
    max_rows: u64,
    truth: Option<&CodedPair>,
) -> Result<JoinOutcome> {
    let specs = step.identifiers();
    let mut coded = Vec::new();
    for m in &specs {
        let (keys, comparison) = identifier_keys(step, m, left, right)?;
        let counts = ClassCounts::of(&keys);
        coded.push((m, keys, counts, comparison));
    }
    // The union has at most the sum of the identifiers' pairs: refuse before building any.
    let estimated: u64 = coded
        .iter()
        .map(|(_, _, counts, _)| counts.pairs())
        .fold(0u64, u64::saturating_add);
    if estimated > max_rows {
        bail!(
            "join '{}' would produce {} rows, above max_join_rows = {}; raise it in [policy] if you mean it",
            step.name,
            crate::format::thousands(estimated as usize),
            crate::format::thousands(max_rows as usize)
        );
    }
    // Each pair becomes a row of both sides' columns, gathered, then encoded and grouped to
    // measure it. A 2,000 × 25,000 join on one key (50M pairs of 25-byte rows) peaks at
    // 5.6 GiB, 116 bytes a pair: the rows' bytes plus about 96 for indices, codes and groups.
    let per_row = |df: &DataFrame| df.estimated_size() as u64 / df.height().max(1) as u64;
    let needed = estimated.saturating_mul(per_row(&left.df) + per_row(&right.df) + 96);
    crate::budget::check(needed, || {
        format!(
            "join {} of {} rows",
            crate::escape::name(&step.name),
            crate::format::thousands(estimated as usize)
        )
    })?;
    let (rows_left, rows_right) = (left.df.height(), right.df.height());
    let mut identifiers = Vec::new();
    let mut lists = Vec::new();
    let mut comparison = Vec::new();
    for (m, keys, counts, text) in coded {
        let links = links_of(&keys, &counts);
        let (linked_left, linked_right) = linked_records(&links, rows_left, rows_right);
        let judged = truth.map(|t| judge(&links, t));
        let (lc, rc) = m.columns();
        identifiers.push(IdentifierLinks {
            on: lc.iter().zip(&rc).map(|(l, r)| pair_name(l, r)).collect(),
            comparison: text.clone(),
            links: links.len() as u64,
            linked_left,
            linked_right,
            colliding_keys: colliding_keys(&counts),
            correct_links: judged.map(|j| j.0),
            false_links: judged.map(|j| j.1),
        });
        comparison.push(text);
        lists.push(links);
    }
    let links = if lists.len() == 1 {
        lists.pop().unwrap_or_default()
    } else {
        union(lists)
    };
    let (matched_left, matched_right) = linked_records(&links, rows_left, rows_right);
    let truth_summary = truth.map(|t| truth_links(&links, t));
    let take = |f: fn(Link) -> u32| -> IdxCa {
        IdxCa::from_vec("".into(), links.iter().map(|&l| f(l) as IdxSize).collect())
    };
    let left_rows = left.df.take(&take(left_of))?;
    let right_rows = right.df.take(&take(right_of))?;
    let view = joined_view(
        step,
        left,
        right,
        left_rows,
        right_rows,
        EntityFrom::LeftElseRight,
    )?;
    Ok(JoinOutcome {
        view,
        on: Vec::new(),
        comparison,
        rows_out: links.len(),
        matched_left,
        matched_right,
        linkage: None,
        column_overlap: Vec::new(),
        identifiers,
        truth: truth_summary,
    })
}
