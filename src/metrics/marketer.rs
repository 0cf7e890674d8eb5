//! Marketer re-identification risk: the attacker tries to re-identify as many records as
//! possible. Without a population table every class is its own population, so the expected
//! fraction re-identified is `u/n` (classes over records).
//!
//! Reference: K. El Emam, "Guide to the De-Identification of Personal Health Information",
//! 2013; ARX's marketer attacker model.

use super::k_anonymity::ratio;
use crate::engine::ClassTable;

/// Marketer risk `u/n` of a view without a population table.
pub fn marketer(table: &ClassTable) -> f64 {
    ratio(table.sizes.len(), table.rows)
}
