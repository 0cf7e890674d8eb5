//! l-diversity of a sensitive attribute, in its three classic variants.
//!
//! For class `j` with value counts `r_1 ≥ r_2 ≥ … ≥ r_m` (descending) and size `f_j`:
//! - distinct: `l = min_j m_j`, the fewest distinct values in any class;
//! - entropy: `l = min_j exp(H_j)`, `H_j = −Σ (r_i/f_j) ln(r_i/f_j)`, reported exactly;
//! - recursive (c,l): `c = max_j r_1 / (r_l + … + r_m)`; the view is (c',l)-diverse for
//!   every `c' > c`. When a class has fewer than `l` distinct values no `c` works: `None`.
//!
//! A missing value counts as a value of its own.
//!
//! Reference: A. Machanavajjhala, D. Kifer, J. Gehrke, M. Venkitasubramaniam,
//! "l-Diversity: Privacy Beyond k-Anonymity", ACM TKDD 1(1), 2007.

use rayon::prelude::*;
use serde::Serialize;

use crate::engine::SensitiveTable;

/// l-diversity figures of one sensitive attribute.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct LDiversity {
    /// Distinct l: the fewest distinct values in a class.
    pub distinct: usize,
    /// Entropy l: the smallest `exp(entropy)` of a class.
    pub entropy: f64,
    /// The smallest c for which every class is recursive (c,l)-diverse; `None` when a class
    /// has fewer than l values.
    pub recursive_c: Option<f64>,
}

/// Computes distinct, entropy and recursive (c, `l`) diversity.
///
/// The minima and the maximum do not depend on the order of the classes, so runs of classes
/// are measured on all cores and their figures combined.
pub fn l_diversity(table: &SensitiveTable, l: usize) -> LDiversity {
    let classes = table.classes();
    if classes == 0 {
        return LDiversity {
            distinct: 0,
            entropy: 0.0,
            recursive_c: None,
        };
    }
    let runs: Vec<(usize, usize)> = (0..classes)
        .step_by(1 << 16)
        .map(|from| (from, (from + (1 << 16)).min(classes)))
        .collect();
    runs.into_par_iter()
        .map(|(from, to)| measure_classes(table, from..to, l))
        .reduce_with(|a, b| LDiversity {
            distinct: a.distinct.min(b.distinct),
            entropy: a.entropy.min(b.entropy),
            recursive_c: a.recursive_c.zip(b.recursive_c).map(|(x, y)| x.max(y)),
        })
        .expect("at least one class")
}

/// The figures of the classes `range`.
fn measure_classes(table: &SensitiveTable, range: std::ops::Range<usize>, l: usize) -> LDiversity {
    let mut distinct = usize::MAX;
    let mut entropy = f64::INFINITY;
    let mut recursive_c: Option<f64> = Some(0.0);
    let mut sorted: Vec<u32> = Vec::new();
    for j in range {
        let (_, counts) = table.class(j);
        distinct = distinct.min(counts.len());
        entropy = entropy.min(class_entropy_l(counts));
        if let Some(c_max) = recursive_c {
            recursive_c = class_c(counts, l, &mut sorted).map(|c| c_max.max(c));
        }
        // A class of one value gives the lowest figures there are (1 distinct value, entropy
        // exp(0) = 1, no c): later classes cannot change them.
        if distinct == 1 && entropy == 1.0 && recursive_c.is_none() {
            break;
        }
    }
    LDiversity {
        distinct,
        entropy,
        recursive_c,
    }
}

/// `exp(H)` of one class with these value counts, summed in ascending order of the counts so
/// that the figure does not depend on the order the values are numbered in.
pub fn class_entropy_l(counts: &[u32]) -> f64 {
    if counts.len() <= 1 {
        return 1.0;
    }
    let mut sorted = counts.to_vec();
    sorted.sort_unstable();
    let size: u64 = sorted.iter().map(|&c| c as u64).sum();
    let h: f64 = sorted
        .iter()
        .map(|&c| {
            let p = c as f64 / size as f64;
            -p * p.ln()
        })
        .sum();
    h.exp()
}

/// `r_1 / (r_l + … + r_m)` of one class, `None` with fewer than `l` distinct values.
pub fn class_c(counts: &[u32], l: usize, sorted: &mut Vec<u32>) -> Option<f64> {
    if l == 0 || counts.len() < l {
        return None;
    }
    sorted.clear();
    sorted.extend_from_slice(counts);
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    let tail: u64 = sorted[l - 1..].iter().map(|&c| c as u64).sum();
    Some(sorted[0] as f64 / tail as f64)
}
