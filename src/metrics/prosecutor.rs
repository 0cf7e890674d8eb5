//! Prosecutor re-identification risk: the attacker knows the target is in the data.
//!
//! A record in a class of size `f_j` is re-identified with probability `1/f_j`:
//! `max = 1/k`, `avg = u/n` (the mean of `1/f_j` over records), and `records_at_risk` is the
//! fraction of records with `1/f_j > 1/K` for the policy `K`, i.e. in classes smaller than `K`.
//! Under `--nulls wildcard`, `f_j` is the number of compatible records and
//! `avg = (1/n) Σ_j size_j / f_j` (which is `u/n` when `f_j` is the class size).
//!
//! Reference: K. El Emam, "Guide to the De-Identification of Personal Health Information",
//! 2013; ARX's `RiskModelSampleSummary` (prosecutor attacker model).

use serde::Serialize;

use super::k_anonymity::ratio;
use crate::engine::ClassTable;

/// Prosecutor risk figures.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Prosecutor {
    /// The highest risk of a record: 1 / the smallest class size.
    pub max: f64,
    /// The average risk: classes / records.
    pub avg: f64,
    /// The share of records in classes below the policy k.
    pub records_at_risk: f64,
}

/// Computes the prosecutor risk for the policy k `policy_k`.
pub fn prosecutor(table: &ClassTable, policy_k: u32) -> Prosecutor {
    let k = table.frequencies.iter().copied().min().unwrap_or(0);
    let pairs = table.frequencies.iter().zip(&table.sizes);
    let at_risk: usize = pairs
        .clone()
        .filter(|(f, _)| **f < policy_k)
        .map(|(_, &s)| s as usize)
        .sum();
    let expected: f64 = pairs.map(|(&f, &s)| s as f64 / f as f64).sum();
    Prosecutor {
        max: if k == 0 { 0.0 } else { 1.0 / k as f64 },
        avg: if table.rows == 0 {
            0.0
        } else {
            expected / table.rows as f64
        },
        records_at_risk: ratio(at_risk, table.rows),
    }
}
