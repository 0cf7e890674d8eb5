//! Key, normalized and hashed steps: records linked where any identifier agrees; the pair
//! count is known from the key counts before any pair is built.

use crate::bail;
use crate::error::Context as _;
use polars::prelude::*;

use crate::Result;
use crate::audit::identifiers::{
    Link, colliding_keys, judge, left_of, linked_masks, linked_records, links_of, right_of,
    truth_links, union,
};
use crate::audit::keys::{
    ClassCounts, CodedPair, JointKeys, code_pair, join_coded_column, joint_keys, typical_len,
};
use crate::audit::view::View;
use crate::engine::compare::{ValueKind, coded_column, is_temporal};
use crate::io::coded::CodedColumn;
use crate::model::IdentifierLinks;
use crate::normalize::{HashAlgorithm, normalize_email, normalize_phone};
use crate::plan::{Identifier, JoinKind, JoinSpec, MatchSpec};

use super::{EntityFrom, JoinOutcome, joined_view, pair_name};

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

fn identifier_name(m: &MatchSpec) -> &'static str {
    match m.normalize {
        Some(Identifier::Phone) => "phone",
        _ => "email",
    }
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

pub(super) fn identifier_join(
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
    let (left_linked, right_linked) = linked_masks(&links, rows_left, rows_right);
    let count = |seen: &[bool]| seen.iter().filter(|&&s| s).count();
    let (matched_left, matched_right) = (count(&left_linked), count(&right_linked));
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
        left_linked,
        right_linked,
        right_chances: None,
        linkage: None,
        column_overlap: Vec::new(),
        identifiers,
        truth: truth_summary,
        counted_people: None,
    })
}
