//! Attribution: which columns make people unique.
//!
//! - [`distinction`]: ARX's distinction and separation per QI and for the full set;
//! - drop-one: k and unique fraction without each QI;
//! - [`lattice`]: the QI-subset lattice, walked level by level with pruning, which yields the
//!   minimal sample uniques (MSUs, SUDA2's keys), SUDA and DIS-SUDA scores and, per subset
//!   size, the subset that singles out the most records.

pub mod distinction;
pub mod lattice;
pub mod suda;

use serde::Serialize;

use crate::engine::{EncodedColumn, partition_sizes};

pub use distinction::{Distinction, distinction_separation};
pub use lattice::{Lattice, SubsetFigures, walk};
pub use suda::{MsuReport, suda};

/// k and unique fraction of the QIs without one column.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DropOne {
    pub column: String,
    pub k: u32,
    pub unique_fraction: f64,
    /// How much the unique fraction falls when the column is dropped.
    pub unique_fraction_drop: f64,
}

/// The subset of a given size that singles out the most records.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct BestSubset {
    pub size: usize,
    pub columns: Vec<String>,
    pub uniques: usize,
    pub unique_fraction: f64,
}

/// Everything `keys` reports.
#[derive(Debug, Clone, Serialize)]
pub struct Attribution {
    pub rows: usize,
    pub quasi_identifiers: Vec<String>,
    pub distinction: Vec<Distinction>,
    pub drop_one: Vec<DropOne>,
    pub best_subsets: Vec<BestSubset>,
    pub msu: MsuReport,
}

/// Options of the attribution.
#[derive(Debug, Clone, Copy)]
pub struct AttributionOptions {
    /// Largest MSU (and subset) size searched; the number of QIs when `None`.
    pub max_msu: Option<usize>,
    /// Sampling fraction of the DIS-SUDA score (sdcMicro's `DisFraction`).
    pub dis_fraction: f64,
    /// How many of the riskiest records to list.
    pub top_records: usize,
}

impl Default for AttributionOptions {
    fn default() -> Self {
        AttributionOptions {
            max_msu: None,
            dis_fraction: 0.01,
            top_records: 20,
        }
    }
}

/// Unique count and k of the rows partitioned on `columns`.
fn uniques_and_k(columns: &[&EncodedColumn], rows: usize) -> (usize, u32) {
    let sizes = partition_sizes(columns, rows);
    (
        sizes.iter().filter(|&&s| s == 1).count(),
        sizes.iter().copied().min().unwrap_or(0),
    )
}

/// Runs the whole attribution on encoded QI columns.
pub fn attribute(
    qis: &[EncodedColumn],
    rows: usize,
    opts: AttributionOptions,
) -> crate::Result<Attribution> {
    let timer = crate::timing::Timer::start();
    let names: Vec<String> = qis.iter().map(|c| c.name.clone()).collect();
    let distinction = distinction_separation(qis, rows);
    timer.lap("distinction and separation");
    let (full_uniques, _) = uniques_and_k(&qis.iter().collect::<Vec<_>>(), rows);
    let full_fraction = full_uniques as f64 / rows.max(1) as f64;
    let mut drop_one: Vec<DropOne> = (0..qis.len())
        .map(|skip| {
            let rest: Vec<&EncodedColumn> = qis
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != skip)
                .map(|(_, c)| c)
                .collect();
            let (uniques, k) = uniques_and_k(&rest, rows);
            let fraction = uniques as f64 / rows.max(1) as f64;
            DropOne {
                column: names[skip].clone(),
                k,
                unique_fraction: fraction,
                unique_fraction_drop: full_fraction - fraction,
            }
        })
        .collect();
    drop_one.sort_by(|a, b| b.unique_fraction_drop.total_cmp(&a.unique_fraction_drop));

    let max_size = opts.max_msu.unwrap_or(qis.len()).clamp(1, qis.len());
    timer.lap("drop-one");
    let lattice = walk(qis, rows, max_size)?;
    timer.lap("lattice");
    let mut best_subsets = Vec::new();
    for size in 1..=max_size {
        if let Some(best) = lattice
            .subsets
            .iter()
            .filter(|s| s.mask.count_ones() as usize == size)
            .max_by(|a, b| a.uniques.cmp(&b.uniques).then(b.mask.cmp(&a.mask)))
        {
            best_subsets.push(BestSubset {
                size,
                columns: lattice::mask_names(best.mask, &names),
                uniques: best.uniques,
                unique_fraction: best.uniques as f64 / rows.max(1) as f64,
            });
        }
    }
    timer.lap("best subsets");
    let msu = suda(
        &lattice,
        qis,
        rows,
        max_size,
        opts.dis_fraction,
        opts.top_records,
    );
    Ok(Attribution {
        rows,
        quasi_identifiers: names,
        distinction,
        drop_one,
        best_subsets,
        msu,
    })
}
