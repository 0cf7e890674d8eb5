//! Marketer re-identification risk: the attacker tries to re-identify as many records as
//! possible. Without a population table every class is its own population, so the expected
//! fraction re-identified is `u/n` (classes over records).
//!
//! Reference: K. El Emam, "Guide to the De-Identification of Personal Health Information",
//! 2013; ARX's marketer attacker model.

use super::k_anonymity::ratio;
use crate::engine::ClassTable;

/// Marketer risk `u/n` of a view without a population table (under `--nulls wildcard`,
/// `(1/n) Σ_j size_j / f_j` with `f_j` the compatible records).
pub fn marketer(table: &ClassTable) -> f64 {
    if table.frequencies == table.sizes {
        return ratio(table.sizes.len(), table.rows);
    }
    let expected: f64 = table
        .frequencies
        .iter()
        .zip(&table.sizes)
        .map(|(&f, &s)| s as f64 / f as f64)
        .sum();
    if table.rows == 0 {
        0.0
    } else {
        expected / table.rows as f64
    }
}
