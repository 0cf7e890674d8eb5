//! k-anonymity, uniqueness and the class-size histogram.
//!
//! With equivalence classes `j = 1..u` of sizes `f_j` over `n` records:
//! `k = min f_j`, `classes = u`, `uniques = #{records in classes with f_j = 1}`,
//! `unique_fraction = uniques / n`. The histogram gives, per size, the classes and records.
//!
//! Under `--nulls wildcard` the frequency of a class is the number of records compatible with
//! it (see `engine::wildcard`) and takes the place of `f_j` in k, uniques and the histogram;
//! records are still counted by class size.
//!
//! Reference: L. Sweeney, "k-anonymity: a model for protecting privacy", International
//! Journal of Uncertainty, Fuzziness and Knowledge-Based Systems 10(5), 2002.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::engine::ClassTable;

/// Classes and records of one class size.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct SizeBin {
    /// The class size.
    pub size: u32,
    /// Classes of that size.
    pub classes: usize,
    /// Records in them.
    pub records: usize,
}

/// k-anonymity figures of a view.
#[derive(Debug, Clone, Serialize, PartialEq)]
/// k-anonymity figures of a view.
pub struct KAnonymity {
    /// The smallest class size.
    pub k: u32,
    /// Equivalence classes.
    pub classes: usize,
    /// Records alone in their class.
    pub uniques: usize,
    /// `uniques / records`.
    pub unique_fraction: f64,
    /// Classes and records by class size, ascending.
    pub class_size_histogram: Vec<SizeBin>,
}

/// Computes k, classes, uniques and the class-size histogram (ascending sizes).
pub fn k_anonymity(table: &ClassTable) -> KAnonymity {
    let mut by_size: BTreeMap<u32, (usize, usize)> = BTreeMap::new();
    for (&frequency, &size) in table.frequencies.iter().zip(&table.sizes) {
        let bin = by_size.entry(frequency).or_default();
        bin.0 += 1;
        bin.1 += size as usize;
    }
    let class_size_histogram: Vec<SizeBin> = by_size
        .into_iter()
        .map(|(size, (classes, records))| SizeBin {
            size,
            classes,
            records,
        })
        .collect();
    let uniques = class_size_histogram
        .first()
        .filter(|bin| bin.size == 1)
        .map_or(0, |bin| bin.records);
    KAnonymity {
        k: class_size_histogram.first().map_or(0, |bin| bin.size),
        classes: table.sizes.len(),
        uniques,
        unique_fraction: ratio(uniques, table.rows),
        class_size_histogram,
    }
}

/// `a / b`, 0 for an empty view.
pub(crate) fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}
