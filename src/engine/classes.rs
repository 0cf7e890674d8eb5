//! The equivalence-class table: one pass over the encoded QI columns gives every row a class
//! id; the class sizes and, per sensitive attribute, the value counts of every class follow.
//! Every metric reads this table; none goes back to the rows.

use rayon::prelude::*;

use super::encode::{EncodedColumn, MISSING};
use super::grouping::{Grouping, group_rows, split_lengths};

/// The value counts of one sensitive attribute, per class.
///
/// Values are identified by their *position* in the attribute's order: ascending values
/// (numeric order for numeric attributes), with the missing value, when present, last.
#[derive(Debug, Clone)]
pub struct SensitiveTable {
    /// The attribute.
    pub name: String,
    /// Ordered (numeric) distance for t-closeness.
    pub numeric: bool,
    /// Number of distinct values in the view, the missing value included.
    pub distinct: usize,
    /// Records per value position over the whole view.
    pub overall: Vec<u64>,
    /// `offsets[j]..offsets[j + 1]` indexes class `j`'s entries in `positions`/`counts`.
    pub offsets: Vec<u32>,
    /// Value positions, ascending within each class.
    pub positions: Vec<u32>,
    /// Records of each (class, value) entry.
    pub counts: Vec<u32>,
}

impl SensitiveTable {
    /// The (positions, counts) of class `j`, positions ascending.
    pub fn class(&self, j: usize) -> (&[u32], &[u32]) {
        let range = self.offsets[j] as usize..self.offsets[j + 1] as usize;
        (&self.positions[range.clone()], &self.counts[range])
    }

    /// Number of classes.
    pub fn classes(&self) -> usize {
        self.offsets.len() - 1
    }

    /// Builds the per-class value counts without hashing: each class's rows (adjacent in
    /// `grouping.rows_by_class`) give a short list of value positions, which is sorted and
    /// run-length encoded. Runs of classes share out the cores.
    pub(crate) fn build(column: &EncodedColumn, grouping: &Grouping) -> SensitiveTable {
        Self::build_in_runs(column, grouping, 1 << 16)
    }

    /// [`SensitiveTable::build`] over runs of about `run_records` records.
    fn build_in_runs(
        column: &EncodedColumn,
        grouping: &Grouping,
        run_records: usize,
    ) -> SensitiveTable {
        let distinct_values = column.distinct;
        // Codes 1..=d become positions 0..d-1; the missing code goes last.
        let position = |code: u32| -> u32 {
            if code == MISSING {
                distinct_values
            } else {
                code - 1
            }
        };
        let distinct = column.distinct as usize + usize::from(column.has_missing);
        let overall = column
            .codes
            .par_chunks(1 << 16)
            .map(|codes| {
                let mut counts = vec![0u64; distinct.max(1)];
                for &code in codes {
                    counts[position(code) as usize] += 1;
                }
                counts
            })
            .reduce(
                || vec![0u64; distinct.max(1)],
                |mut a, b| {
                    a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
                    a
                },
            );
        // Each row's value position, as narrow as it fits: the gather in class order below
        // reads it at random, and a narrow array stays in cache.
        let by_row = if distinct <= 1 << 8 {
            RowPositions::U8(
                column
                    .codes
                    .par_iter()
                    .map(|&c| position(c) as u8)
                    .collect(),
            )
        } else if distinct <= 1 << 16 {
            RowPositions::U16(
                column
                    .codes
                    .par_iter()
                    .map(|&c| position(c) as u16)
                    .collect(),
            )
        } else {
            RowPositions::Codes(&column.codes)
        };
        // Runs of consecutive classes of about `run_records` records each: (first class, end
        // class, first record, records).
        let mut runs: Vec<(usize, usize, usize, usize)> = Vec::new();
        let (mut first_class, mut first_record, mut record) = (0, 0, 0);
        for (class, &size) in grouping.sizes.iter().enumerate() {
            record += size as usize;
            if record - first_record >= run_records || class + 1 == grouping.sizes.len() {
                runs.push((first_class, class + 1, first_record, record - first_record));
                (first_class, first_record) = (class + 1, record);
            }
        }
        // A class has at most as many entries as records, so every run writes its entries
        // straight into the final arrays at its first record, and its class ends into the
        // offsets; the entries are then moved down to close the gaps. No run allocates.
        let classes = grouping.sizes.len();
        let mut positions = vec![0u32; grouping.rows()];
        let mut counts = vec![0u32; grouping.rows()];
        let mut offsets = vec![0u32; classes + 1];
        let run_records = || runs.iter().map(|run| run.3);
        let work = split_lengths(&mut positions, run_records())
            .into_iter()
            .zip(split_lengths(&mut counts, run_records()))
            .zip(split_lengths(
                &mut offsets[1..],
                runs.iter().map(|r| r.1 - r.0),
            ))
            .map(|((p, c), e)| (p, c, e))
            .collect::<Vec<_>>();
        let entries_per_run: Vec<usize> = runs
            .par_iter()
            .zip(work)
            .map_init(Vec::new, |values: &mut Vec<u32>, (&run, out)| {
                let (from, to, first_record, records) = run;
                let (positions_out, counts_out, ends_out) = out;
                // The run's values in class order, gathered first in a loop of nothing else:
                // the reads land all over the column, and a tight loop keeps many of them in
                // flight at once.
                let rows = &grouping.rows_by_class[first_record..first_record + records];
                values.clear();
                match &by_row {
                    RowPositions::U8(narrow) => {
                        values.extend(rows.iter().map(|&row| narrow[row as usize] as u32))
                    }
                    RowPositions::U16(narrow) => {
                        values.extend(rows.iter().map(|&row| narrow[row as usize] as u32))
                    }
                    RowPositions::Codes(codes) => {
                        values.extend(rows.iter().map(|&row| position(codes[row as usize])))
                    }
                }
                let mut entries = 0;
                let mut record = 0;
                for (end, &size) in ends_out.iter_mut().zip(&grouping.sizes[from..to]) {
                    let class = &mut values[record..record + size as usize];
                    record += size as usize;
                    if let [value] = class {
                        // Most classes of a highly unique view hold one record.
                        positions_out[entries] = *value;
                        counts_out[entries] = 1;
                        entries += 1;
                    } else {
                        class.sort_unstable();
                        let mut i = 0;
                        while i < class.len() {
                            let value = class[i];
                            let run = class[i..].iter().take_while(|&&v| v == value).count();
                            positions_out[entries] = value;
                            counts_out[entries] = run as u32;
                            entries += 1;
                            i += run;
                        }
                    }
                    *end = entries as u32;
                }
                entries
            })
            .collect();
        let mut base = 0usize;
        for (&(from, to, first_record, _), &entries) in runs.iter().zip(&entries_per_run) {
            for end in &mut offsets[from + 1..to + 1] {
                *end += base as u32;
            }
            positions.copy_within(first_record..first_record + entries, base);
            counts.copy_within(first_record..first_record + entries, base);
            base += entries;
        }
        positions.truncate(base);
        positions.shrink_to_fit();
        counts.truncate(base);
        counts.shrink_to_fit();
        SensitiveTable {
            name: column.name.clone(),
            numeric: column.numeric,
            distinct,
            overall,
            offsets,
            positions,
            counts,
        }
    }
}

/// Value positions by row: `u8` or `u16` when they fit, else the codes themselves.
enum RowPositions<'a> {
    U8(Vec<u8>),
    U16(Vec<u16>),
    Codes(&'a [u32]),
}

/// How missing QI values are matched.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NullMode {
    /// A missing value is a value of its own (ARX).
    #[default]
    Value,
    /// A missing value matches any value (sdcMicro).
    Wildcard,
}

/// The equivalence classes of a view.
#[derive(Debug, Clone)]
pub struct ClassTable {
    /// Records in the view.
    pub rows: usize,
    /// Size of each class.
    pub sizes: Vec<u32>,
    /// Per class, how many records an attacker cannot tell apart from its records: the class
    /// size, or under `--nulls wildcard` the number of compatible records.
    pub frequencies: Vec<u32>,
    /// Per class, its members in a population table, when one was given.
    pub population_sizes: Option<Vec<u64>>,
    /// Value counts per class of each sensitive attribute.
    pub sensitive: Vec<SensitiveTable>,
    /// Which class each record (or person) fell in, when an output lists records
    /// (`--records`, `--show-values`): read from the same grouping as the sizes, so that a
    /// per-record output can never disagree with the figures.
    pub membership: Option<Membership>,
}

/// Which class each unit of a view (a record, or a person in a view with an entity) fell in,
/// in data order. Kept only on request: it costs 4 bytes a row, which a plain measurement
/// does not need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    /// Per unit, its class.
    pub class_of: Vec<u32>,
    /// Per person, their first row (0-based); empty when the units are records (unit `i` is
    /// row `i`).
    pub first_rows: Vec<u32>,
    /// Per row, its person; empty when the units are records.
    pub person_of_row: Vec<u32>,
}

impl Membership {
    /// The membership of records: each row is a unit.
    pub fn of_records(class_of: Vec<u32>) -> Membership {
        Membership {
            class_of,
            first_rows: Vec::new(),
            person_of_row: Vec::new(),
        }
    }

    /// The first data row (0-based) of unit `unit`.
    pub fn first_row(&self, unit: usize) -> usize {
        if self.first_rows.is_empty() {
            unit
        } else {
            self.first_rows[unit] as usize
        }
    }

    /// Every row (0-based) of each of `units`, ascending, in one pass over the rows.
    pub fn rows_of(&self, units: &[u32]) -> Vec<Vec<usize>> {
        if self.person_of_row.is_empty() {
            return units.iter().map(|&unit| vec![unit as usize]).collect();
        }
        let wanted: hashbrown::HashMap<u32, usize> =
            units.iter().enumerate().map(|(i, &u)| (u, i)).collect();
        let mut rows = vec![Vec::new(); units.len()];
        for (row, person) in self.person_of_row.iter().enumerate() {
            if let Some(&i) = wanted.get(person) {
                rows[i].push(row);
            }
        }
        rows
    }

    /// The first unit of every class of `classes`: the one that stands for it.
    pub fn representatives(&self, classes: usize) -> Vec<u32> {
        let mut first = vec![u32::MAX; classes];
        for (unit, &class) in self.class_of.iter().enumerate() {
            let slot = &mut first[class as usize];
            if *slot == u32::MAX {
                *slot = unit as u32;
            }
        }
        first
    }
}

impl ClassTable {
    /// Builds the table from encoded QI and sensitive columns in one pass over the rows. The QI
    /// codes are freed once the rows are grouped (unless `--nulls wildcard` still needs them),
    /// before the sensitive tables take their memory.
    pub fn build(
        qis: Vec<EncodedColumn>,
        sensitive: &[EncodedColumn],
        rows: usize,
        nulls: NullMode,
        membership: bool,
    ) -> ClassTable {
        let timer = crate::timing::Timer::start();
        let columns: Vec<(&[u32], usize)> = qis
            .iter()
            .map(|c| (c.codes.as_slice(), c.slots()))
            .collect();
        let grouping = group_rows(&columns, rows);
        drop(columns);
        let wildcard = nulls == NullMode::Wildcard && qis.iter().any(|c| c.has_missing);
        let qis = if wildcard { qis } else { Vec::new() };
        timer.lap("group rows");
        let mut table = Self::from_grouping(&grouping, sensitive);
        timer.lap("sensitive tables");
        if wildcard {
            // The first row of each class stands for it.
            let mut representative = Vec::with_capacity(grouping.sizes.len());
            let mut record = 0;
            for &size in &grouping.sizes {
                representative.push(grouping.rows_by_class[record]);
                record += size as usize;
            }
            table.frequencies =
                super::wildcard::compatible_counts(&qis, &representative, &table.sizes);
        }
        if membership {
            table.membership = Some(Membership::of_records(grouping.ids()));
        }
        table
    }

    /// Builds the table from rows already grouped into classes.
    pub fn from_grouping(grouping: &Grouping, sensitive: &[EncodedColumn]) -> ClassTable {
        ClassTable {
            rows: grouping.rows(),
            frequencies: grouping.sizes.clone(),
            population_sizes: None,
            sizes: grouping.sizes.clone(),
            membership: None,
            // Each table is built on all cores; building them side by side also overlaps
            // their serial steps.
            sensitive: sensitive
                .par_iter()
                .map(|column| SensitiveTable::build(column, grouping))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::SensitiveTable;
    use crate::engine::EncodedColumn;
    use crate::engine::group_rows;
    use proptest::prelude::*;

    proptest! {
        /// However the classes are cut into runs, each class's (position, count) entries are
        /// its values counted one by one, positions ascending and the missing value last.
        #[test]
        fn sensitive_tables_count_each_class_values(
            rows in prop::collection::vec((0u32..4, 0u32..5), 1..200),
            distinct in prop_oneof![4u32..300, 65_536u32..70_000],
            run_records in 1usize..9,
        ) {
            let qi: Vec<u32> = rows.iter().map(|r| r.0).collect();
            // Codes 0 (missing) ..= distinct, spread out so that wide columns are read too.
            let codes: Vec<u32> = rows.iter().map(|r| (r.1 * 61) % (distinct + 1)).collect();
            let column = EncodedColumn {
                name: "s".into(),
                distinct,
                has_missing: codes.contains(&0),
                numeric: false,
                codes,
            };
            let grouping = group_rows(&[(&qi, 4)], qi.len());
            let table = SensitiveTable::build_in_runs(&column, &grouping, run_records);
            let ids = grouping.ids();
            prop_assert_eq!(table.classes(), grouping.sizes.len());
            for class in 0..table.classes() {
                let mut expected = std::collections::BTreeMap::new();
                for (row, &id) in ids.iter().enumerate() {
                    if id as usize == class {
                        let code = column.codes[row];
                        let position = if code == 0 { distinct } else { code - 1 };
                        *expected.entry(position).or_insert(0u32) += 1;
                    }
                }
                let (positions, counts) = table.class(class);
                let got: Vec<(u32, u32)> =
                    positions.iter().copied().zip(counts.iter().copied()).collect();
                prop_assert_eq!(got, expected.into_iter().collect::<Vec<_>>());
            }
        }
    }
}
