//! `--nulls wildcard`: a missing QI value matches any value (sdcMicro's treatment).
//!
//! Under it, a record's frequency is the number of records *compatible* with it: equal on
//! every QI where both have a value. This is not a partition, so the class table keeps its
//! classes (distinct QI combinations, missing as a value) and adds, per class, this
//! frequency. Classes are grouped by their set of missing columns; for each pair of such sets
//! (M_p, M_q), the classes with missing set M_q are summed by their values on the columns
//! outside M_p ∪ M_q, and every class with missing set M_p looks its key up — `O(masks² ·
//! classes)` instead of comparing all pairs.

use hashbrown::HashMap;

use super::encode::{EncodedColumn, MISSING};

/// The most QIs wildcard matching takes: each class's missing columns are a 64-bit mask. The
/// command line and the audit refuse more before any work.
pub const MAX_QIS: usize = 64;

/// Per class, the number of records compatible with it. `representative[j]` is a row of
/// class `j`, `sizes[j]` its size.
pub fn compatible_counts(qis: &[EncodedColumn], representative: &[u32], sizes: &[u32]) -> Vec<u32> {
    let m = qis.len();
    assert!(
        m <= MAX_QIS,
        "wildcard matching supports at most 64 quasi-identifiers"
    );
    let code = |j: usize, c: usize| qis[c].codes[representative[j] as usize];
    let missing_mask = |j: usize| -> u64 {
        (0..m)
            .filter(|&c| code(j, c) == MISSING)
            .fold(0u64, |acc, c| acc | (1 << c))
    };
    let masks: Vec<u64> = (0..sizes.len()).map(missing_mask).collect();
    let mut by_mask: HashMap<u64, Vec<usize>> = HashMap::new();
    for (j, &mask) in masks.iter().enumerate() {
        by_mask.entry(mask).or_default().push(j);
    }
    let mut counts = vec![0u32; sizes.len()];
    for (&mask_p, classes_p) in &by_mask {
        for (&mask_q, classes_q) in &by_mask {
            let free = mask_p | mask_q;
            let key_columns: Vec<usize> = (0..m).filter(|&c| free & (1 << c) == 0).collect();
            let key = |j: usize| -> Vec<u32> { key_columns.iter().map(|&c| code(j, c)).collect() };
            let mut totals: HashMap<Vec<u32>, u32> = HashMap::new();
            for &q in classes_q {
                *totals.entry(key(q)).or_insert(0) += sizes[q];
            }
            for &p in classes_p {
                counts[p] += totals.get(&key(p)).copied().unwrap_or(0);
            }
        }
    }
    counts
}
