//! The equivalence-class table: one pass over the encoded QI columns gives every row a class
//! id; the class sizes and, per sensitive attribute, the value counts of every class follow.
//! Every metric reads this table; none goes back to the rows.

use std::sync::atomic::{AtomicU64, Ordering};

use rayon::prelude::*;

use super::encode::{EncodedColumn, MISSING};

/// Rows grouped into equivalence classes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grouping {
    /// Records per class.
    pub sizes: Vec<u32>,
    /// The rows class after class (class 0's first), ascending within a class: class `j`'s
    /// rows are the `sizes[j]` entries after the sizes of the classes before it.
    pub rows_by_class: Vec<u32>,
}

impl Grouping {
    /// Records grouped.
    pub fn rows(&self) -> usize {
        self.rows_by_class.len()
    }

    /// Per row, its class (`0..sizes.len()`).
    pub fn ids(&self) -> Vec<u32> {
        let mut ids = vec![0u32; self.rows()];
        let mut rows = self.rows_by_class.iter();
        for (class, &size) in self.sizes.iter().enumerate() {
            for &row in rows.by_ref().take(size as usize) {
                ids[row as usize] = class as u32;
            }
        }
        ids
    }
}

/// Gives every row a dense class id (`0..classes`) from its codes on `columns`
/// (each `(codes, slots)` with codes `< slots`). Returns the ids and the number of classes.
pub fn class_ids(columns: &[(&[u32], usize)], rows: usize) -> (Vec<u32>, usize) {
    let grouping = group_rows(columns, rows);
    (grouping.ids(), grouping.sizes.len())
}

/// Groups the rows by their codes on `columns` (each `(codes, slots)` with codes `< slots`).
///
/// The codes of several columns are packed into one `u64` key in mixed radix, a block of rows
/// at a time so that each key is built in cache. Keys are then numbered densely: through a
/// direct lookup table when the key space is small, else by sorting the keys with the row
/// number packed into their low bits (see `sort_packed`). When the next column would make the
/// key too wide for that, the keys so far are numbered first and the numbering carries on as
/// one column.
pub fn group_rows(columns: &[(&[u32], usize)], rows: usize) -> Grouping {
    let row_bits = bits_for(rows as u128);
    // Room left in a u64 for the key once the row number is packed below it.
    let key_limit: u128 = 1u128 << (64 - row_bits);
    let mut prefix: Option<(Vec<u32>, u128)> = None;
    let mut next = 0;
    let timer = crate::timing::Timer::start();
    loop {
        // The columns that fit in one key after the prefix.
        let mut key_space = prefix.as_ref().map_or(1, |(_, space)| *space);
        let first = next;
        while next < columns.len() {
            let slots = columns[next].1.max(1) as u128;
            if key_space * slots > key_limit && next > first {
                break;
            }
            key_space *= slots;
            next += 1;
        }
        let group = &columns[first..next];
        let mut keys = vec![0u64; rows];
        keys.par_chunks_mut(1 << 14)
            .enumerate()
            .for_each(|(chunk, keys)| {
                let from = chunk << 14;
                // The first pass over a chunk only writes its keys: reading the freshly
                // allocated (still unmapped) pages first would map the shared zero page, and
                // the write after it would fault again and flush both cores' TLBs.
                let mut rest = group;
                if let Some((ids, _)) = &prefix {
                    for (key, &id) in keys.iter_mut().zip(&ids[from..]) {
                        *key = id as u64;
                    }
                } else if let Some(((codes, _), others)) = group.split_first() {
                    for (key, &code) in keys.iter_mut().zip(&codes[from..]) {
                        *key = code as u64;
                    }
                    rest = others;
                }
                for &(codes, slots) in rest {
                    let radix = slots.max(1) as u64;
                    for (key, &code) in keys.iter_mut().zip(&codes[from..]) {
                        *key = *key * radix + code as u64;
                    }
                }
            });
        drop(prefix.take());
        timer.lap("mix keys");
        let grouping = number_keys(keys, key_space, row_bits);
        if next == columns.len() {
            return grouping;
        }
        let classes = grouping.sizes.len() as u128;
        prefix = Some((grouping.ids(), classes));
    }
}

/// The bits needed to write the numbers `0..n`.
fn bits_for(n: u128) -> u32 {
    128 - n.saturating_sub(1).leading_zeros()
}

/// Numbers keys (each `< key_space`) densely.
///
/// A small key space is numbered through a direct table (classes in order of first
/// appearance). A large one — the common case of a highly unique view, with nearly as many
/// classes as rows — is sorted instead (classes in key order): a table or hash map of that
/// size misses the cache on every row, while the sort works on one cache-sized bucket at a time.
fn number_keys(keys: Vec<u64>, key_space: u128, row_bits: u32) -> Grouping {
    let rows = keys.len();
    if key_space > (rows as u128 * 4).max(1 << 16) {
        return if bits_for(key_space) + row_bits <= 64 {
            sort_packed(keys, row_bits)
        } else {
            sort_pairs(keys)
        };
    }
    const UNSEEN: u32 = u32::MAX;
    let mut table = vec![UNSEEN; key_space as usize];
    let mut sizes: Vec<u32> = Vec::new();
    let ids: Vec<u32> = keys
        .into_iter()
        .map(|key| {
            let slot = &mut table[key as usize];
            if *slot == UNSEEN {
                *slot = sizes.len() as u32;
                sizes.push(0);
            }
            sizes[*slot as usize] += 1;
            *slot
        })
        .collect();
    // A counting sort of the rows by class.
    let mut cursor: Vec<u32> = Vec::with_capacity(sizes.len());
    let mut sum = 0u32;
    for &size in &sizes {
        cursor.push(sum);
        sum += size;
    }
    let mut rows_by_class = vec![0u32; rows];
    for (row, &id) in ids.iter().enumerate() {
        let slot = &mut cursor[id as usize];
        rows_by_class[*slot as usize] = row as u32;
        *slot += 1;
    }
    Grouping {
        sizes,
        rows_by_class,
    }
}

/// Numbers keys by sorting them with the row number packed into the low `row_bits` bits
/// (which the key leaves free), so the sort moves one word per row and equal keys end up
/// adjacent with their rows ascending.
///
/// The sort is a most-significant-digit radix pass on the top bits that vary between keys,
/// splitting the rows into up to 2048 buckets, then a comparison sort of each bucket on its
/// own — buckets fit in cache and share out the cores. Classes are numbered in key order.
fn sort_packed(mut keys: Vec<u64>, row_bits: u32) -> Grouping {
    let timer = crate::timing::Timer::start();
    const DIGIT: u32 = 11;
    const BUCKETS: usize = 1 << DIGIT;
    const CHUNK: usize = 1 << 16;
    let rows = keys.len();
    keys.par_chunks_mut(CHUNK)
        .enumerate()
        .for_each(|(chunk, keys)| {
            let from = (chunk * CHUNK) as u64;
            for (row, key) in (from..).zip(keys.iter_mut()) {
                *key = (*key << row_bits) | row;
            }
        });
    let (low, high) = keys
        .par_iter()
        .fold(|| (u64::MAX, 0u64), |(lo, hi), &k| (lo.min(k), hi.max(k)))
        .reduce(|| (u64::MAX, 0), |a, b| (a.0.min(b.0), a.1.max(b.1)));
    // Bits above the highest one where the smallest and largest key differ are shared by all.
    let varying = 64 - (low ^ high).leading_zeros();
    // A bucket holds whole classes: its digit never takes bits of the row number.
    let shift = varying.saturating_sub(DIGIT).max(row_bits);
    let bucket_of = |key: u64| ((key >> shift) as usize) & (BUCKETS - 1);

    // The histogram of every chunk, then each chunk's first slot in every bucket.
    let histograms: Vec<Vec<u32>> = keys
        .par_chunks(CHUNK)
        .map(|keys| {
            let mut counts = vec![0u32; BUCKETS];
            for &key in keys {
                counts[bucket_of(key)] += 1;
            }
            counts
        })
        .collect();
    let mut bucket_sizes = vec![0usize; BUCKETS];
    for counts in &histograms {
        for (total, &c) in bucket_sizes.iter_mut().zip(counts) {
            *total += c as usize;
        }
    }
    let mut next_slot = vec![0usize; BUCKETS];
    let mut sum = 0;
    for (slot, &size) in next_slot.iter_mut().zip(&bucket_sizes) {
        *slot = sum;
        sum += size;
    }
    let chunk_slots: Vec<Vec<usize>> = histograms
        .iter()
        .map(|counts| {
            let starts = next_slot.clone();
            for (slot, &c) in next_slot.iter_mut().zip(counts) {
                *slot += c as usize;
            }
            starts
        })
        .collect();
    // Chunks scatter in parallel to disjoint slots; relaxed atomic stores compile to plain
    // stores and need no unsafe code.
    let scattered: Vec<AtomicU64> = (0..rows).map(|_| AtomicU64::new(0)).collect();
    keys.par_chunks(CHUNK)
        .zip(chunk_slots)
        .for_each(|(keys, mut slots)| {
            for &key in keys {
                let slot = &mut slots[bucket_of(key)];
                scattered[*slot].store(key, Ordering::Relaxed);
                *slot += 1;
            }
        });
    drop(keys);
    let mut sorted: Vec<u64> = scattered.into_iter().map(AtomicU64::into_inner).collect();
    timer.lap("bucket keys");

    let key_of = |packed: u64| packed >> row_bits;
    let row_mask = (1u64 << row_bits) - 1;
    let buckets = split_lengths(&mut sorted, bucket_sizes.iter().copied());
    // Each bucket is sorted, then writes its rows in class order and its class sizes.
    let mut rows_by_class = vec![0u32; rows];
    let out = split_lengths(&mut rows_by_class, bucket_sizes.iter().copied());
    let bucket_sizes: Vec<Vec<u32>> = buckets
        .into_par_iter()
        .zip(out)
        .map(|(bucket, out)| {
            bucket.sort_unstable();
            let mut sizes: Vec<u32> = Vec::new();
            let mut previous = None;
            for (&packed, row_out) in bucket.iter().zip(out.iter_mut()) {
                if previous != Some(key_of(packed)) {
                    sizes.push(0);
                    previous = Some(key_of(packed));
                }
                let row = (packed & row_mask) as u32;
                *sizes.last_mut().expect("a class was opened") += 1;
                *row_out = row;
            }
            sizes
        })
        .collect();
    timer.lap("sort buckets");
    Grouping {
        sizes: bucket_sizes.concat(),
        rows_by_class,
    }
}

/// Cuts `slice` into consecutive pieces of the given lengths.
fn split_lengths<T>(
    mut slice: &mut [T],
    lengths: impl IntoIterator<Item = usize>,
) -> Vec<&mut [T]> {
    lengths
        .into_iter()
        .map(|length| {
            let (piece, rest) = std::mem::take(&mut slice).split_at_mut(length);
            slice = rest;
            piece
        })
        .collect()
}

/// Numbers keys too wide to share a word with their row number by sorting (key, row) pairs:
/// the rare case of a column with very many distinct values after a prefix already numbered.
fn sort_pairs(keys: Vec<u64>) -> Grouping {
    let mut pairs: Vec<(u64, u32)> = keys.into_iter().zip(0u32..).collect();
    pairs.par_sort_unstable();
    let mut sizes: Vec<u32> = Vec::new();
    let mut previous = None;
    let rows_by_class = pairs
        .into_iter()
        .map(|(key, row)| {
            if previous != Some(key) {
                sizes.push(0);
                previous = Some(key);
            }
            *sizes.last_mut().expect("a class was opened") += 1;
            row
        })
        .collect();
    Grouping {
        sizes,
        rows_by_class,
    }
}

/// The class sizes of encoded columns over all their rows.
pub fn partition_sizes(columns: &[&EncodedColumn], rows: usize) -> Vec<u32> {
    let cols: Vec<(&[u32], usize)> = columns
        .iter()
        .map(|c| (c.codes.as_slice(), c.slots()))
        .collect();
    group_rows(&cols, rows).sizes
}

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
    use super::{
        Grouping, SensitiveTable, bits_for, class_ids, group_rows, number_keys, sort_packed,
        sort_pairs,
    };
    use crate::engine::EncodedColumn;
    use proptest::prelude::*;

    /// Whether `grouping` puts rows together exactly when their keys are equal, and its sizes
    /// and rows in class order agree with its ids.
    fn groups_equal_keys(grouping: &Grouping, keys: &[u64]) -> Result<(), TestCaseError> {
        let n = keys.len();
        let ids = grouping.ids();
        prop_assert_eq!(ids.len(), n);
        for a in 0..n {
            for b in 0..n {
                prop_assert_eq!(ids[a] == ids[b], keys[a] == keys[b]);
            }
        }
        let mut sizes = vec![0u32; grouping.sizes.len()];
        for &id in &ids {
            sizes[id as usize] += 1;
        }
        prop_assert_eq!(&sizes, &grouping.sizes);
        let mut record = 0;
        for (class, &size) in grouping.sizes.iter().enumerate() {
            let rows = &grouping.rows_by_class[record..record + size as usize];
            prop_assert!(rows.windows(2).all(|w| w[0] < w[1]));
            prop_assert!(rows.iter().all(|&r| ids[r as usize] == class as u32));
            record += size as usize;
        }
        prop_assert_eq!(record, n);
        Ok(())
    }

    /// Keys drawn from a few values spread over the whole word (`wide`) or below 2^16.
    fn keys() -> impl Strategy<Value = Vec<u64>> {
        (any::<bool>(), prop::collection::vec(any::<u64>(), 1..6)).prop_flat_map(|(wide, pool)| {
            let pool: Vec<u64> = pool
                .into_iter()
                .map(|v| if wide { v } else { v & 0xFFFF })
                .collect();
            prop::collection::vec(prop::sample::select(pool), 0..300)
        })
    }

    /// Columns with huge code ranges (so the keys are sorted, not looked up in a table) but
    /// few values actually used (so classes repeat), and sometimes enough columns to overflow
    /// a 64-bit key.
    fn sparse_columns() -> impl Strategy<Value = (Vec<(Vec<u32>, usize)>, usize)> {
        (1usize..9, 1usize..200).prop_flat_map(|(m, n)| {
            let column = (1usize..3, 20u32..31).prop_flat_map(move |(used, bits)| {
                let slots = 1usize << bits;
                prop::collection::vec(0..=used as u32, n).prop_map(move |picks| {
                    let codes = picks.iter().map(|&p| p * (slots as u32 / 3 - 1)).collect();
                    (codes, slots)
                })
            });
            (prop::collection::vec(column, m), Just(n))
        })
    }

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

        #[test]
        fn every_numbering_groups_equal_keys(keys in keys()) {
            let row_bits = bits_for(keys.len() as u128);
            groups_equal_keys(&sort_pairs(keys.clone()), &keys)?;
            let max = keys.iter().copied().max().unwrap_or(0) as u128;
            if bits_for(max + 1) + row_bits <= 64 {
                groups_equal_keys(&sort_packed(keys.clone(), row_bits), &keys)?;
            }
            if max < 1 << 16 {
                // A key space this small is numbered through the direct table.
                groups_equal_keys(&number_keys(keys.clone(), max + 1, row_bits), &keys)?;
            }
        }

        #[test]
        fn sorted_renumbering_equals_tuple_equality((columns, n) in sparse_columns()) {
            let cols: Vec<(&[u32], usize)> =
                columns.iter().map(|(c, s)| (c.as_slice(), *s)).collect();
            let (ids, classes) = class_ids(&cols, n);
            let row = |r: usize| columns.iter().map(|(c, _)| c[r]).collect::<Vec<_>>();
            let distinct: std::collections::HashSet<Vec<u32>> = (0..n).map(row).collect();
            prop_assert_eq!(classes, distinct.len());
            prop_assert!(ids.iter().all(|&id| (id as usize) < classes));
            for a in 0..n {
                for b in 0..n {
                    prop_assert_eq!(ids[a] == ids[b], row(a) == row(b));
                }
            }
        }
    }
}
