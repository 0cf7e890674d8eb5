//! Linkage figures of a quasi-identifier join (the Sweeney attack): the attacker holds an
//! identified view A and a target view B and matches on shared QIs C.
//!
//! - `unique_matches`: B records whose C-values occur exactly once in B and exactly once
//!   in A (count, and fraction of B);
//! - `expected_reidentifications = Σ_{b with ≥1 candidate} 1/|candidates of b in A|`;
//! - with a truth column on each side, how many unique matches are correct.
//!
//! A record missing any value of C has no candidates (a missing value links nothing).
//! Everything is computed from the per-key counts of both sides (two group-bys and a join).

use polars::prelude::*;
use serde::Serialize;

use crate::Result;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Linkage {
    pub target_rows: usize,
    pub unique_matches: usize,
    pub unique_match_fraction: f64,
    pub targets_with_candidates: usize,
    pub expected_reidentifications: f64,
    pub expected_reidentification_fraction: f64,
    pub correct_unique_matches: Option<usize>,
}

/// Per-key record counts of a side, keys with a missing value left out.
fn key_counts(df: &DataFrame, keys: &[String], count: &str) -> LazyFrame {
    let not_null = keys
        .iter()
        .map(|k| col(k.as_str()).is_not_null())
        .reduce(|a, b| a.and(b))
        .unwrap_or(lit(true));
    df.clone()
        .lazy()
        .filter(not_null)
        .group_by(keys.iter().map(|k| col(k.as_str())).collect::<Vec<_>>())
        .agg([len().alias(count)])
}

/// Per key: records in A (`__na`) and in B (`__nb`), for keys present on both sides.
pub fn joint_counts(
    a: &DataFrame,
    a_keys: &[String],
    b: &DataFrame,
    b_keys: &[String],
) -> Result<DataFrame> {
    // Rename B's keys to A's so the join coalesces them.
    let b_renamed = b
        .clone()
        .lazy()
        .select(
            b_keys
                .iter()
                .zip(a_keys)
                .map(|(bk, ak)| col(bk.as_str()).alias(ak.as_str()))
                .collect::<Vec<_>>(),
        )
        .collect()?;
    let joined = key_counts(a, a_keys, "__na")
        .join(
            key_counts(&b_renamed, a_keys, "__nb"),
            a_keys.iter().map(|k| col(k.as_str())).collect::<Vec<_>>(),
            a_keys.iter().map(|k| col(k.as_str())).collect::<Vec<_>>(),
            JoinArgs::new(JoinType::Inner),
        )
        .collect()?;
    Ok(joined)
}

/// Estimated rows of the inner join: `Σ_key n_A · n_B`.
pub fn join_size(joint: &DataFrame) -> Result<u64> {
    let out = joint
        .clone()
        .lazy()
        .select([
            (col("__na").cast(DataType::UInt64) * col("__nb").cast(DataType::UInt64))
                .sum()
                .alias("s"),
        ])
        .collect()?;
    Ok(out.column("s")?.u64()?.get(0).unwrap_or(0))
}

/// Linkage figures from the joint counts. `correct` is the number of correct unique
/// matches when truth columns were given.
pub fn linkage(joint: &DataFrame, target_rows: usize, correct: Option<usize>) -> Result<Linkage> {
    let out = joint
        .clone()
        .lazy()
        .select([
            (col("__na").eq(lit(1)).and(col("__nb").eq(lit(1))))
                .cast(DataType::UInt64)
                .sum()
                .alias("unique"),
            col("__nb")
                .cast(DataType::UInt64)
                .sum()
                .alias("with_candidates"),
            (col("__nb").cast(DataType::Float64) / col("__na").cast(DataType::Float64))
                .sum()
                .alias("expected"),
        ])
        .collect()?;
    let unique = out.column("unique")?.u64()?.get(0).unwrap_or(0) as usize;
    let with_candidates = out.column("with_candidates")?.u64()?.get(0).unwrap_or(0) as usize;
    let expected = out.column("expected")?.f64()?.get(0).unwrap_or(0.0);
    let frac = |x: f64| {
        if target_rows == 0 {
            0.0
        } else {
            x / target_rows as f64
        }
    };
    Ok(Linkage {
        target_rows,
        unique_matches: unique,
        unique_match_fraction: frac(unique as f64),
        targets_with_candidates: with_candidates,
        expected_reidentifications: expected,
        expected_reidentification_fraction: frac(expected),
        correct_unique_matches: correct,
    })
}
