//! ARX's distinction and separation (`RiskModelAttributes`, after Motwani and Xu, "Efficient
//! algorithms for masking and finding quasi-identifiers", 2007):
//! - distinction = classes / records on the attribute(s);
//! - separation = fraction of record pairs that differ = `1 − Σ_j f_j(f_j−1) / (n(n−1))`.

use serde::Serialize;

use super::lattice::PartitionFigures;

#[derive(Debug, Clone, Serialize, PartialEq)]
/// ARX's distinction and separation of one column (or the full set).
pub struct Distinction {
    /// The column, or `*` for the full QI set.
    pub column: String,
    /// Distinct values over records.
    pub distinction: f64,
    /// The share of record pairs the column tells apart.
    pub separation: f64,
}

fn figures(partition: PartitionFigures, rows: usize) -> (f64, f64) {
    let n = rows as f64;
    let separation = if rows < 2 {
        0.0
    } else {
        1.0 - partition.same_pairs as f64 / (n * (n - 1.0))
    };
    (partition.classes as f64 / n, separation)
}

/// Distinction and separation of each QI alone, then of the full set (`*`), from the
/// partition figures of a column mask.
pub fn distinction_separation(
    names: &[String],
    rows: usize,
    partition_of: impl Fn(u32) -> PartitionFigures,
) -> Vec<Distinction> {
    let mut out: Vec<Distinction> = names
        .iter()
        .enumerate()
        .map(|(c, name)| {
            let (distinction, separation) = figures(partition_of(1 << c), rows);
            Distinction {
                column: name.clone(),
                distinction,
                separation,
            }
        })
        .collect();
    let all = (1u32 << names.len()) - 1;
    let (distinction, separation) = figures(partition_of(all), rows);
    out.push(Distinction {
        column: "*".into(),
        distinction,
        separation,
    });
    out
}
