//! ARX's distinction and separation (`RiskModelAttributes`, after Motwani and Xu, "Efficient
//! algorithms for masking and finding quasi-identifiers", 2007):
//! - distinction = classes / records on the attribute(s);
//! - separation = fraction of record pairs that differ = `1 − Σ_j f_j(f_j−1) / (n(n−1))`.

use serde::Serialize;

use crate::engine::{EncodedColumn, partition_sizes};

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Distinction {
    /// The column, or `*` for the full QI set.
    pub column: String,
    pub distinction: f64,
    pub separation: f64,
}

fn figures(columns: &[&EncodedColumn], rows: usize) -> (f64, f64) {
    let sizes = partition_sizes(columns, rows);
    let classes = sizes.len();
    let n = rows as f64;
    let same_pairs: f64 = sizes.iter().map(|&f| f as f64 * (f as f64 - 1.0)).sum();
    let separation = if rows < 2 {
        0.0
    } else {
        1.0 - same_pairs / (n * (n - 1.0))
    };
    (classes as f64 / n, separation)
}

/// Distinction and separation of each QI alone, then of the full set (`*`).
pub fn distinction_separation(qis: &[EncodedColumn], rows: usize) -> Vec<Distinction> {
    let mut out: Vec<Distinction> = qis
        .iter()
        .map(|c| {
            let (distinction, separation) = figures(&[c], rows);
            Distinction {
                column: c.name.clone(),
                distinction,
                separation,
            }
        })
        .collect();
    let (distinction, separation) = figures(&qis.iter().collect::<Vec<_>>(), rows);
    out.push(Distinction {
        column: "*".into(),
        distinction,
        separation,
    });
    out
}
