//! Attribution: which columns make people unique.
//!
//! - [`distinction`]: ARX's distinction and separation per QI and for the full set;
//! - drop-one: k and unique fraction without each QI;
//! - [`lattice`]: the QI-subset lattice, walked level by level with pruning, which yields the
//!   minimal sample uniques (MSUs, SUDA2's keys), SUDA and DIS-SUDA scores and, per subset
//!   size, the subset that singles out the most records.

pub mod distinction;
pub mod entities;
pub mod lattice;
pub mod suda;

use serde::Serialize;

use crate::engine::{EncodedColumn, partition_sizes};

pub use distinction::{Distinction, distinction_separation};
pub use lattice::{Lattice, PartitionFigures, SubsetFigures, walk};
pub use suda::{MsuReport, suda};

/// k and unique fraction of the QIs without one column.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DropOne {
    /// The column dropped.
    pub column: String,
    /// k without it.
    pub k: u32,
    /// The unique fraction without it.
    pub unique_fraction: f64,
    /// How much the unique fraction falls when the column is dropped.
    pub unique_fraction_drop: f64,
}

/// The subset of a given size that singles out the most records.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct BestSubset {
    /// Columns in the subset.
    pub size: usize,
    /// The subset.
    pub columns: Vec<String>,
    /// Records it singles out.
    pub uniques: usize,
    /// As a fraction of the records.
    pub unique_fraction: f64,
}

/// Everything `keys` reports.
#[derive(Debug, Clone, Serialize)]
pub struct Attribution {
    /// Records (people, with an entity) attributed.
    pub rows: usize,
    /// The QIs searched.
    pub quasi_identifiers: Vec<String>,
    /// Per column and for the full set.
    pub distinction: Vec<Distinction>,
    /// The effect of dropping each column, most helpful first.
    pub drop_one: Vec<DropOne>,
    /// Per size, the subset that singles out the most records.
    pub best_subsets: Vec<BestSubset>,
    /// Minimal sample uniques and SUDA scores.
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

/// The partition figures of the QIs in `mask`: from the lattice when the walk visited the
/// subset, else by partitioning the rows.
fn partition_of(
    lattice: &Lattice,
    qis: &[EncodedColumn],
    rows: usize,
    mask: u32,
) -> PartitionFigures {
    if let Some(subset) = lattice.subset(mask) {
        return subset.partition;
    }
    let columns: Vec<&EncodedColumn> = qis
        .iter()
        .enumerate()
        .filter(|(c, _)| mask & (1 << c) != 0)
        .map(|(_, column)| column)
        .collect();
    PartitionFigures::from_sizes(&partition_sizes(&columns, rows))
}

/// Runs the whole attribution on encoded QI columns.
///
/// The lattice walk comes first: when it covers every size, distinction, separation,
/// drop-one and the DIS estimate read its figures instead of partitioning the rows again.
pub fn attribute(
    qis: &[EncodedColumn],
    rows: usize,
    opts: AttributionOptions,
) -> crate::Result<Attribution> {
    let timer = crate::timing::Timer::start();
    let max_size = opts.max_msu.unwrap_or(qis.len()).clamp(1, qis.len().max(1));
    let lattice = walk(qis, rows, max_size)?;
    timer.lap("lattice");
    Ok(assemble(qis, rows, max_size, &lattice, opts, |mask| {
        partition_of(&lattice, qis, rows, mask)
    }))
}

/// [`attribute`] over entities: a record is a person, and a person's value on a column subset
/// is the multiset of their rows' projections on it ([`entities::walk_entities`]). Records in
/// the MSU listing are named by their entity's first row.
pub fn attribute_entities(
    qis: &[EncodedColumn],
    entity: &EncodedColumn,
    rows: usize,
    opts: AttributionOptions,
) -> crate::Result<Attribution> {
    let timer = crate::timing::Timer::start();
    let numbers = crate::engine::entity::EntityNumbers::of(entity);
    let people = numbers.len();
    let max_size = opts.max_msu.unwrap_or(qis.len()).clamp(1, qis.len().max(1));
    let lattice = entities::walk_entities(qis, &numbers, rows, max_size)?;
    timer.lap("lattice over entities");
    let mut attribution = assemble(qis, people, max_size, &lattice, opts, |mask| {
        lattice.subset(mask).map_or_else(
            || entities::partition(qis, &numbers, rows, mask),
            |s| s.partition,
        )
    });
    // Records are numbered from 1 (data rows); a person is named by their first row.
    for record in &mut attribution.msu.records {
        record.row = numbers.first_rows[record.row - 1] as usize + 1;
    }
    Ok(attribution)
}

/// Distinction, drop-one, best subsets and MSUs from a walked lattice over `rows` records.
fn assemble(
    qis: &[EncodedColumn],
    rows: usize,
    max_size: usize,
    lattice: &Lattice,
    opts: AttributionOptions,
    partition: impl Fn(u32) -> PartitionFigures,
) -> Attribution {
    let timer = crate::timing::Timer::start();
    let names: Vec<String> = qis.iter().map(|c| c.name.clone()).collect();
    let distinction = distinction_separation(&names, rows, &partition);
    let all = (1u32 << qis.len()) - 1;
    let full_fraction = partition(all).uniques as f64 / rows.max(1) as f64;
    let mut drop_one: Vec<DropOne> = (0..qis.len())
        .map(|skip| {
            let rest = partition(all & !(1 << skip));
            let fraction = rest.uniques as f64 / rows.max(1) as f64;
            DropOne {
                column: names[skip].clone(),
                k: rest.smallest,
                unique_fraction: fraction,
                unique_fraction_drop: full_fraction - fraction,
            }
        })
        .collect();
    drop_one.sort_by(|a, b| b.unique_fraction_drop.total_cmp(&a.unique_fraction_drop));
    timer.lap("distinction, separation and drop-one");
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
        lattice,
        &names,
        partition(all),
        rows,
        max_size,
        opts.dis_fraction,
        opts.top_records,
    );
    timer.lap("MSUs, SUDA and DIS-SUDA");
    Attribution {
        rows,
        quasi_identifiers: names,
        distinction,
        drop_one,
        best_subsets,
        msu,
    }
}
