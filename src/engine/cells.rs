//! A class table from *cells*: each cell stands for `records` records of one class that share
//! one value of each sensitive attribute — what a `GROUP BY` of the quasi-identifiers and the
//! sensitive attributes returns where the data lives (`linkrisk sql`), and what
//! `scan --class-table` reads. Per person, a class's key is the person's multiset of QI tuples
//! as one value, and every cell of a class also says how many people the class holds.
//!
//! The table is the one the local engine builds from the records: the same sizes, the same
//! per-class value counts (positions in the attribute's order, the missing value last), so every
//! metric reads it unchanged.

use super::classes::{ClassTable, NullMode, SensitiveTable};
use super::encode::{EncodedColumn, MISSING};
use super::grouping::group_rows;

/// The cells of a class table, as columns.
pub struct Cells<'a> {
    /// The class key per cell: the QI values, or one column holding the person's multiset.
    pub keys: &'a [EncodedColumn],
    /// The sensitive attributes per cell.
    pub sensitive: &'a [EncodedColumn],
    /// Records per cell.
    pub records: &'a [u64],
    /// Per cell, the people of its class (a table of people), the same on every cell of it.
    pub people: Option<&'a [u64]>,
    /// How a missing QI value matches (records only).
    pub nulls: NullMode,
}

/// Why cells do not make a class table: the 0-based cell and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellError {
    /// The cell, from 0.
    pub cell: usize,
    /// What is wrong with it, in words.
    pub problem: &'static str,
}

impl ClassTable {
    /// The class table of `cells`.
    pub fn from_cells(cells: &Cells) -> Result<ClassTable, CellError> {
        let n = cells.records.len();
        if let Some(cell) = cells.records.iter().position(|&r| r == 0) {
            return Err(CellError {
                cell,
                problem: "counts no record",
            });
        }
        let columns: Vec<(&[u32], usize)> = cells
            .keys
            .iter()
            .map(|c| (c.codes.as_slice(), c.slots()))
            .collect();
        let grouping = group_rows(&columns, n);
        let class_of = grouping.ids();
        let classes = grouping.sizes.len();
        let mut sizes = vec![0u64; classes];
        match cells.people {
            None => {
                for (cell, &class) in class_of.iter().enumerate() {
                    sizes[class as usize] += cells.records[cell];
                }
            }
            Some(people) => {
                for (cell, &class) in class_of.iter().enumerate() {
                    let size = &mut sizes[class as usize];
                    if people[cell] == 0 {
                        return Err(CellError {
                            cell,
                            problem: "holds no person",
                        });
                    }
                    if *size != 0 && *size != people[cell] {
                        return Err(CellError {
                            cell,
                            problem: "gives its class another number of people than an earlier cell of it",
                        });
                    }
                    *size = people[cell];
                }
            }
        }
        let too_large = |x: u64| x > u32::MAX as u64;
        if let Some(class) = sizes.iter().position(|&s| too_large(s)) {
            let cell = class_of
                .iter()
                .position(|&c| c as usize == class)
                .unwrap_or(0);
            return Err(CellError {
                cell,
                problem: "belongs to a class of more than 4,294,967,295 records",
            });
        }
        let sizes: Vec<u32> = sizes.into_iter().map(|s| s as u32).collect();
        let rows: usize = sizes.iter().map(|&s| s as usize).sum();
        let sensitive = cells
            .sensitive
            .iter()
            .map(|column| sensitive_of_cells(column, &class_of, classes, cells.records))
            .collect::<Result<Vec<_>, _>>()?;
        let mut frequencies = sizes.clone();
        let wildcard = cells.nulls == NullMode::Wildcard
            && cells.people.is_none()
            && cells.keys.iter().any(|c| c.has_missing);
        if wildcard {
            // The first cell of each class stands for its QI values.
            let mut representative = Vec::with_capacity(classes);
            let mut at = 0;
            for &size in &grouping.sizes {
                representative.push(grouping.rows_by_class[at]);
                at += size as usize;
            }
            frequencies = super::wildcard::compatible_counts(cells.keys, &representative, &sizes);
        }
        Ok(ClassTable {
            rows,
            sizes,
            frequencies,
            population_sizes: None,
            sensitive,
            membership: None,
        })
    }
}

/// One sensitive attribute's value counts per class, from its cells.
fn sensitive_of_cells(
    column: &EncodedColumn,
    class_of: &[u32],
    classes: usize,
    records: &[u64],
) -> Result<SensitiveTable, CellError> {
    let values = column.distinct;
    let position = |code: u32| if code == MISSING { values } else { code - 1 };
    let distinct = values as usize + usize::from(column.has_missing);
    let mut keyed: Vec<(u64, usize)> = class_of
        .iter()
        .zip(&column.codes)
        .enumerate()
        .map(|(cell, (&class, &code))| (((class as u64) << 32) | position(code) as u64, cell))
        .collect();
    keyed.sort_unstable();
    let mut overall = vec![0u64; distinct.max(1)];
    let mut offsets = vec![0u32; classes + 1];
    let mut positions: Vec<u32> = Vec::with_capacity(keyed.len());
    let mut counts: Vec<u32> = Vec::with_capacity(keyed.len());
    let mut totals: Vec<u64> = Vec::with_capacity(keyed.len());
    let mut previous = None;
    for &(key, cell) in &keyed {
        let weight = records[cell];
        overall[(key as u32) as usize] += weight;
        if previous == Some(key) {
            *totals.last_mut().expect("pushed") += weight;
        } else {
            offsets[(key >> 32) as usize + 1] += 1;
            positions.push(key as u32);
            totals.push(weight);
            previous = Some(key);
        }
        if *totals.last().expect("pushed") > u32::MAX as u64 {
            return Err(CellError {
                cell,
                problem: "belongs to a class of more than 4,294,967,295 records",
            });
        }
    }
    counts.extend(totals.iter().map(|&t| t as u32));
    for c in 0..classes {
        offsets[c + 1] += offsets[c];
    }
    Ok(SensitiveTable {
        name: column.name.clone(),
        numeric: column.numeric,
        distinct,
        overall,
        offsets,
        positions,
        counts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::encode::encode_columns;
    use polars::prelude::*;
    use proptest::prelude::*;

    proptest! {
        /// Cells (the records grouped by QIs and sensitive value, each with its count) give the
        /// class table of the records themselves: the same classes (as multisets of sizes and
        /// value counts), the same wildcard frequencies.
        #[test]
        fn cells_give_the_records_class_table(
            rows in prop::collection::vec((0u32..4, 0u32..3, 0u32..4), 1..150),
            wildcard in any::<bool>(),
        ) {
            let text = |v: u32| if v == 0 { None } else { Some(v.to_string()) };
            let df = df![
                "a" => rows.iter().map(|r| text(r.0)).collect::<Vec<_>>(),
                "b" => rows.iter().map(|r| text(r.1)).collect::<Vec<_>>(),
                "s" => rows.iter().map(|r| text(r.2)).collect::<Vec<_>>(),
            ]
            .unwrap();
            let nulls = if wildcard { NullMode::Wildcard } else { NullMode::Value };
            let names = ["a".to_string(), "b".to_string()];
            let sensitive = ["s".to_string()];
            let qis = encode_columns(&df, &names, &[]).unwrap();
            let sens = encode_columns(&df, &sensitive, &sensitive).unwrap();
            let direct = ClassTable::build(qis, &sens, df.height(), nulls, false);

            let grouped = df
                .clone()
                .lazy()
                .group_by([col("a"), col("b"), col("s")])
                .agg([len().cast(DataType::UInt64).alias("n")])
                .collect()
                .unwrap();
            let records: Vec<u64> = grouped
                .column("n")
                .unwrap()
                .u64()
                .unwrap()
                .into_no_null_iter()
                .collect();
            let keys = encode_columns(&grouped, &names, &[]).unwrap();
            let sens_cells = encode_columns(&grouped, &sensitive, &sensitive).unwrap();
            let cells = ClassTable::from_cells(&Cells {
                keys: &keys,
                sensitive: &sens_cells,
                records: &records,
                people: None,
                nulls,
            })
            .unwrap();
            prop_assert_eq!(cells.rows, direct.rows);
            let profile = |t: &ClassTable| {
                let s = &t.sensitive[0];
                let mut classes: Vec<(u32, u32, Vec<u32>)> = (0..t.sizes.len())
                    .map(|j| {
                        let (_, counts) = s.class(j);
                        let mut counts = counts.to_vec();
                        counts.sort_unstable();
                        (t.sizes[j], t.frequencies[j], counts)
                    })
                    .collect();
                classes.sort();
                classes
            };
            prop_assert_eq!(profile(&cells), profile(&direct));
            let mut overall_cells = cells.sensitive[0].overall.clone();
            let mut overall_direct = direct.sensitive[0].overall.clone();
            overall_cells.sort_unstable();
            overall_direct.sort_unstable();
            prop_assert_eq!(overall_cells, overall_direct);
        }
    }
}
