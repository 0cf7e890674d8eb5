//! Join steps: how a retailer links two views. Each kind builds key columns on both sides
//! (exact, normalised, hashed, or quasi-identifiers brought to a common precision), then a
//! polars inner join produces the joined view.

use anyhow::{Context as _, bail};
use polars::prelude::*;
use serde::Serialize;

use super::linkage::{Linkage, join_size, joint_counts, linkage};
use super::view::View;
use crate::Result;
use crate::normalize::{HashAlgorithm, normalize_email, normalize_phone};
use crate::plan::{Identifier, JoinKind, JoinSpec};

/// k, unique fraction and average prosecutor risk of a view: the before/after figures.
#[derive(Debug, Clone, Serialize)]
pub struct Snapshot {
    pub view: String,
    pub rows: usize,
    pub k: u32,
    pub unique_fraction: f64,
    pub prosecutor_avg: f64,
}

impl Snapshot {
    pub fn of(view: &crate::report::ViewReport) -> Snapshot {
        Snapshot {
            view: view.name.clone(),
            rows: view.rows,
            k: view.metrics.k_anonymity.k,
            unique_fraction: view.metrics.k_anonymity.unique_fraction,
            prosecutor_avg: view.metrics.prosecutor.avg,
        }
    }
}

/// What one join step did.
#[derive(Debug, Clone, Serialize)]
pub struct JoinReport {
    pub name: String,
    pub kind: JoinKind,
    pub left: String,
    pub right: String,
    /// `left_column=right_column` for each pair.
    pub on: Vec<String>,
    /// How the columns were made comparable (normalisation, hashing, truncation).
    pub comparison: Vec<String>,
    pub rows_left: usize,
    pub rows_right: usize,
    pub rows_out: usize,
    pub matched_left: usize,
    pub matched_left_fraction: f64,
    pub matched_right: usize,
    pub matched_right_fraction: f64,
    pub before_left: Snapshot,
    pub before_right: Snapshot,
    pub after: Snapshot,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub linkage: Option<Linkage>,
}

/// The joined view and the raw figures of the step (snapshots are added by the caller).
pub struct JoinOutcome {
    pub view: View,
    pub on: Vec<String>,
    pub comparison: Vec<String>,
    pub rows_out: usize,
    pub matched_left: usize,
    pub matched_right: usize,
    pub linkage: Option<Linkage>,
}

fn map_text(column: &Column, name: &str, f: impl Fn(&str) -> String) -> Result<Column> {
    let text = column.cast(&DataType::String)?;
    let out: StringChunked = text.str()?.iter().map(|v| v.map(&f)).collect();
    Ok(out.with_name(name.into()).into_column())
}

fn normalizer(step: &JoinSpec) -> impl Fn(&str) -> String + '_ {
    move |value: &str| match step.normalize {
        Some(Identifier::Phone) => normalize_phone(value),
        _ => normalize_email(value, step.email_rules),
    }
}

/// The most common length of a column's text values (on a sample).
fn typical_len(column: &Column) -> Result<usize> {
    let text = column.cast(&DataType::String)?;
    let mut counts = std::collections::BTreeMap::new();
    for v in text.str()?.iter().flatten().take(500) {
        *counts.entry(v.chars().count()).or_insert(0usize) += 1;
    }
    Ok(counts
        .into_iter()
        .max_by_key(|&(len, n)| (n, len))
        .map_or(0, |(len, _)| len))
}

/// Guesses the hash algorithm of a hex column from its length.
fn guess_hash(column: &Column) -> Result<Option<HashAlgorithm>> {
    let len = typical_len(column)?;
    Ok(HashAlgorithm::ALL.into_iter().find(|a| a.hex_len() == len))
}

fn is_text(dt: &DataType) -> bool {
    matches!(dt, DataType::String)
}

/// Runs one join step on two views.
pub fn run_join(step: &JoinSpec, left: &View, right: &View, max_rows: u64) -> Result<JoinOutcome> {
    let (lcols, rcols) = step.columns();
    for (view, cols) in [(left, &lcols), (right, &rcols)] {
        for c in cols.iter() {
            if view.df.column(c).is_err() {
                bail!("join '{}': {} has no column '{c}'", step.name, view.name);
            }
        }
    }
    let mut ldf = left.df.clone();
    let mut rdf = right.df.clone();
    let mut lkeys = Vec::new();
    let mut rkeys = Vec::new();
    let mut comparison = Vec::new();
    for (i, (lc, rc)) in lcols.iter().zip(&rcols).enumerate() {
        let (lk, rk) = (format!("__lk{i}"), format!("__rk{i}"));
        let (lcol, rcol) = (ldf.column(lc)?.clone(), rdf.column(rc)?.clone());
        let (lkey, rkey) = match step.kind {
            JoinKind::Key => {
                let (ld, rd) = (lcol.dtype(), rcol.dtype());
                if is_text(ld) != is_text(rd)
                    || (!is_text(ld) && ld.is_primitive_numeric() != rd.is_primitive_numeric())
                {
                    bail!(
                        "join '{}': incompatible column types: {}.{lc} is {ld} but {}.{rc} is {rd}",
                        step.name,
                        left.name,
                        right.name
                    );
                }
                comparison.push(format!("{lc} = {rc}"));
                (
                    lcol.cast(&DataType::String)?.with_name(lk.as_str().into()),
                    rcol.cast(&DataType::String)?.with_name(rk.as_str().into()),
                )
            }
            JoinKind::Normalized => {
                let f = normalizer(step);
                comparison.push(format!("normalised {}: {lc} = {rc}", identifier_name(step)));
                (map_text(&lcol, &lk, &f)?, map_text(&rcol, &rk, &f)?)
            }
            JoinKind::Hashed => {
                let algo = match step.hash {
                    Some(a) => a,
                    None => guess_hash(&rcol)?.with_context(|| {
                        format!("join '{}': {}.{rc} does not look like md5, sha1 or sha256 hex; set hash = \"...\"", step.name, right.name)
                    })?,
                };
                let f = normalizer(step);
                comparison.push(format!("{}(normalised {lc}) = {rc}", algo.name()));
                (
                    map_text(&lcol, &lk, |v| algo.hex(&f(v)))?,
                    map_text(&rcol, &rk, |v| v.trim().to_ascii_lowercase())?,
                )
            }
            JoinKind::Quasi => {
                // Bring both sides to the coarser precision: the longer text is cut to the
                // length of the shorter (ZIP5 → ZIP3, 1987-02-18 → 1987).
                let (ll, rl) = (typical_len(&lcol)?, typical_len(&rcol)?);
                let cut = |c: &Column, name: &str, len: Option<usize>| -> Result<Column> {
                    match len {
                        Some(n) => map_text(c, name, |v| v.chars().take(n).collect()),
                        None => Ok(c.cast(&DataType::String)?.with_name(name.into())),
                    }
                };
                let (lcut, rcut) = match ll.cmp(&rl) {
                    std::cmp::Ordering::Greater => (Some(rl), None),
                    std::cmp::Ordering::Less => (None, Some(ll)),
                    std::cmp::Ordering::Equal => (None, None),
                };
                comparison.push(match (lcut, rcut) {
                    (Some(n), _) => format!("{lc} cut to {n} characters = {rc}"),
                    (_, Some(n)) => format!("{lc} = {rc} cut to {n} characters"),
                    _ => format!("{lc} = {rc}"),
                });
                (cut(&lcol, &lk, lcut)?, cut(&rcol, &rk, rcut)?)
            }
        };
        ldf.with_column(lkey)?;
        rdf.with_column(rkey)?;
        lkeys.push(lk);
        rkeys.push(rk);
    }

    let joint = joint_counts(&ldf, &lkeys, &rdf, &rkeys)?;
    let estimated = join_size(&joint)?;
    if estimated > max_rows {
        bail!(
            "join '{}' would produce {} rows, above max_join_rows = {}; raise it in [policy] if you mean it",
            step.name,
            crate::report::thousands(estimated as usize),
            crate::report::thousands(max_rows as usize)
        );
    }

    let correct = match (&step.truth, step.kind) {
        (Some(truth), JoinKind::Quasi) => Some(correct_unique_matches(
            step,
            &ldf,
            &lkeys,
            &rdf,
            &rkeys,
            &joint,
            &truth.left,
            &truth.right,
            left,
            right,
        )?),
        _ => None,
    };
    let link = if step.kind == JoinKind::Quasi {
        Some(linkage(&joint, rdf.height(), correct)?)
    } else {
        None
    };

    // Right-hand columns whose names the left already uses are qualified with the view name.
    let left_names: Vec<String> = ldf
        .get_column_names()
        .iter()
        .map(|s| s.to_string())
        .collect();
    let mut renamed = Vec::new();
    let mut right_roles = Vec::new();
    for name in rdf.get_column_names_owned() {
        let name = name.to_string();
        if name.starts_with("__") {
            continue;
        }
        let new = if left_names.contains(&name) {
            format!("{}.{name}", right.name)
        } else {
            name.clone()
        };
        if let Some((_, role)) = right.roles.iter().find(|(c, _)| *c == name) {
            right_roles.push((new.clone(), *role));
        }
        renamed.push((name, new));
    }
    for (old, new) in &renamed {
        if old != new {
            rdf.rename(old, new.as_str().into())?;
        }
    }
    let ldf = ldf.with_row_index("__lrow".into(), None)?;
    let rdf = rdf.with_row_index("__rrow".into(), None)?;
    let joined = ldf
        .lazy()
        .join(
            rdf.lazy(),
            lkeys.iter().map(|k| col(k.as_str())).collect::<Vec<_>>(),
            rkeys.iter().map(|k| col(k.as_str())).collect::<Vec<_>>(),
            JoinArgs::new(JoinType::Inner),
        )
        .collect()?;
    let matched_left = joined.column("__lrow")?.n_unique()?;
    let matched_right = joined.column("__rrow")?.n_unique()?;
    let keep: Vec<String> = joined
        .get_column_names()
        .iter()
        .map(|s| s.to_string())
        .filter(|s| !s.starts_with("__"))
        .collect();
    let df = joined.select(keep)?;
    let mut roles = left.roles.clone();
    roles.extend(right_roles);
    Ok(JoinOutcome {
        view: View {
            name: step.name.clone(),
            df,
            roles,
        },
        on: lcols
            .iter()
            .zip(&rcols)
            .map(|(l, r)| {
                if l == r {
                    l.clone()
                } else {
                    format!("{l}={r}")
                }
            })
            .collect(),
        comparison,
        rows_out: estimated as usize,
        matched_left,
        matched_right,
        linkage: link,
    })
}

fn identifier_name(step: &JoinSpec) -> &'static str {
    match step.normalize {
        Some(Identifier::Phone) => "phone",
        _ => "email",
    }
}

/// Among the unique matches (keys with one record on each side), how many pair the same
/// person according to the truth columns.
#[allow(clippy::too_many_arguments)]
fn correct_unique_matches(
    step: &JoinSpec,
    ldf: &DataFrame,
    lkeys: &[String],
    rdf: &DataFrame,
    rkeys: &[String],
    joint: &DataFrame,
    truth_left: &str,
    truth_right: &str,
    left: &View,
    right: &View,
) -> Result<usize> {
    if ldf.column(truth_left).is_err() {
        bail!(
            "join '{}': {} has no truth column '{truth_left}'",
            step.name,
            left.name
        );
    }
    if rdf.column(truth_right).is_err() {
        bail!(
            "join '{}': {} has no truth column '{truth_right}'",
            step.name,
            right.name
        );
    }
    let unique_keys = joint
        .clone()
        .lazy()
        .filter(col("__na").eq(lit(1)).and(col("__nb").eq(lit(1))))
        .select(lkeys.iter().map(|k| col(k.as_str())).collect::<Vec<_>>());
    let keys_expr = |ks: &[String]| ks.iter().map(|k| col(k.as_str())).collect::<Vec<_>>();
    let l = ldf
        .clone()
        .lazy()
        .select(
            keys_expr(lkeys)
                .into_iter()
                .chain([col(truth_left).cast(DataType::String).alias("__tl")])
                .collect::<Vec<_>>(),
        )
        .join(
            unique_keys,
            keys_expr(lkeys),
            keys_expr(lkeys),
            JoinArgs::new(JoinType::Inner),
        );
    let r = rdf.clone().lazy().select(
        keys_expr(rkeys)
            .into_iter()
            .chain([col(truth_right).cast(DataType::String).alias("__tr")])
            .collect::<Vec<_>>(),
    );
    let matched = l
        .join(
            r,
            keys_expr(lkeys),
            keys_expr(rkeys),
            JoinArgs::new(JoinType::Inner),
        )
        .select([col("__tl")
            .eq(col("__tr"))
            .cast(DataType::UInt64)
            .sum()
            .alias("correct")])
        .collect()?;
    Ok(matched.column("correct")?.u64()?.get(0).unwrap_or(0) as usize)
}
