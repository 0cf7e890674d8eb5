//! The equivalence-class table: one pass over the encoded QI columns gives every row a class
//! id; the class sizes and, per sensitive attribute, the value counts of every class follow.
//! Every metric reads this table; none goes back to the rows.

use super::encode::{EncodedColumn, MISSING};

/// Gives every row a dense class id (`0..classes`) from its codes on `columns`
/// (each `(codes, slots)` with codes `< slots`). Returns the ids and the number of classes.
///
/// The codes of several columns are packed into one `u64` key in mixed radix; when the next
/// column would overflow the key, the keys so far are first renumbered densely. The dense
/// renumbering uses a direct lookup table when the key space is small and a radix sort
/// otherwise.
pub fn class_ids(columns: &[(&[u32], usize)], rows: usize) -> (Vec<u32>, usize) {
    let mut keys = vec![0u64; rows];
    let mut key_space: u128 = 1;
    for &(codes, slots) in columns {
        let slots = slots.max(1) as u128;
        if key_space * slots > u64::MAX as u128 {
            key_space = densify(&mut keys, key_space) as u128;
        }
        let radix = slots as u64;
        for (key, &code) in keys.iter_mut().zip(codes) {
            *key = *key * radix + code as u64;
        }
        key_space *= slots;
    }
    let classes = densify(&mut keys, key_space);
    (keys.into_iter().map(|k| k as u32).collect(), classes)
}

/// The class sizes of encoded columns over all their rows.
pub fn partition_sizes(columns: &[&EncodedColumn], rows: usize) -> Vec<u32> {
    let cols: Vec<(&[u32], usize)> = columns
        .iter()
        .map(|c| (c.codes.as_slice(), c.slots()))
        .collect();
    let (ids, classes) = class_ids(&cols, rows);
    let mut sizes = vec![0u32; classes];
    for id in ids {
        sizes[id as usize] += 1;
    }
    sizes
}

/// Renumbers keys in place to dense ids `0..n`; returns `n`.
///
/// A small key space is renumbered through a direct table (ids in order of first
/// appearance). A large one — the common case of a highly unique view, with nearly as many
/// classes as rows — is sorted instead: a hash table of that size misses the cache on every
/// row, while a least-significant-digit radix sort streams through memory a few times and
/// leaves equal keys next to each other (ids in key order).
fn densify(keys: &mut [u64], key_space: u128) -> usize {
    if key_space <= (keys.len() as u128 * 4).max(1 << 16) {
        const UNSEEN: u32 = u32::MAX;
        let mut next: u32 = 0;
        let mut table = vec![UNSEEN; key_space as usize];
        for key in keys.iter_mut() {
            let slot = &mut table[*key as usize];
            if *slot == UNSEEN {
                *slot = next;
                next += 1;
            }
            *key = *slot as u64;
        }
        return next as usize;
    }
    let (order, sorted) = radix_order(keys, key_space);
    let mut classes = 0usize;
    let mut previous = None;
    for (&row, &key) in order.iter().zip(&sorted) {
        if previous != Some(key) {
            classes += 1;
            previous = Some(key);
        }
        keys[row as usize] = classes as u64 - 1;
    }
    classes
}

/// The rows in ascending key order (stable) and the keys in that order, by an LSD radix sort
/// on 11-bit digits of keys below `key_space`. Passes where every key has the same digit are
/// skipped.
fn radix_order(keys: &[u64], key_space: u128) -> (Vec<u32>, Vec<u64>) {
    const DIGIT: u32 = 11;
    const BUCKETS: usize = 1 << DIGIT;
    let bits = 128 - (key_space.saturating_sub(1)).leading_zeros();
    let passes = bits.div_ceil(DIGIT) as usize;
    let n = keys.len();
    // Every pass's histogram in one read of the keys.
    let mut counts = vec![[0usize; BUCKETS]; passes];
    for &key in keys {
        for (pass, count) in counts.iter_mut().enumerate() {
            count[((key >> (pass as u32 * DIGIT)) as usize) & (BUCKETS - 1)] += 1;
        }
    }
    // The first pass reads the keys in row order; later passes read the previous pass's
    // output, so the keys are never copied before sorting.
    let mut order: Vec<u32> = Vec::new();
    let mut digits: Vec<u64> = Vec::new();
    let mut next_order: Vec<u32> = Vec::new();
    let mut next_digits: Vec<u64> = Vec::new();
    let mut sorted_once = false;
    for (pass, count) in counts.iter().enumerate() {
        if count.contains(&n) {
            continue;
        }
        let shift = pass as u32 * DIGIT;
        let mut start = [0usize; BUCKETS];
        let mut sum = 0;
        for (b, &c) in count.iter().enumerate() {
            start[b] = sum;
            sum += c;
        }
        next_order.resize(n, 0);
        next_digits.resize(n, 0);
        let mut place = |row: u32, key: u64| {
            let slot = &mut start[((key >> shift) as usize) & (BUCKETS - 1)];
            next_order[*slot] = row;
            next_digits[*slot] = key;
            *slot += 1;
        };
        if sorted_once {
            for (&row, &key) in order.iter().zip(&digits) {
                place(row, key);
            }
        } else {
            for (row, &key) in keys.iter().enumerate() {
                place(row as u32, key);
            }
            sorted_once = true;
        }
        std::mem::swap(&mut order, &mut next_order);
        std::mem::swap(&mut digits, &mut next_digits);
    }
    if !sorted_once {
        // Every key is the same.
        order = (0..n as u32).collect();
        digits = keys.to_vec();
    }
    (order, digits)
}

/// The value counts of one sensitive attribute, per class.
///
/// Values are identified by their *position* in the attribute's order: ascending values
/// (numeric order for numeric attributes), with the missing value, when present, last.
#[derive(Debug, Clone)]
pub struct SensitiveTable {
    pub name: String,
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

    /// Builds the per-class value counts without hashing: the rows' value positions are
    /// bucketed by class (a counting sort on the class ids, whose sizes are known), then each
    /// class's short slice is sorted and run-length encoded.
    fn build(column: &EncodedColumn, row_class: &[u32], sizes: &[u32]) -> SensitiveTable {
        let classes = sizes.len();
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
        let mut overall = vec![0u64; distinct.max(1)];
        let mut start = Vec::with_capacity(classes + 1);
        start.push(0usize);
        for &size in sizes {
            start.push(start.last().copied().unwrap_or(0) + size as usize);
        }
        let mut cursor = start.clone();
        let mut bucketed = vec![0u32; row_class.len()];
        for (&class, &code) in row_class.iter().zip(&column.codes) {
            let pos = position(code);
            overall[pos as usize] += 1;
            let slot = &mut cursor[class as usize];
            bucketed[*slot] = pos;
            *slot += 1;
        }
        let mut offsets: Vec<u32> = Vec::with_capacity(classes + 1);
        offsets.push(0);
        let mut positions = Vec::with_capacity(classes);
        let mut counts = Vec::with_capacity(classes);
        for j in 0..classes {
            let slice = &mut bucketed[start[j]..start[j + 1]];
            if let [value] = slice {
                // Most classes of a highly unique view hold one record.
                positions.push(*value);
                counts.push(1);
                offsets.push(positions.len() as u32);
                continue;
            }
            slice.sort_unstable();
            let mut i = 0;
            while i < slice.len() {
                let value = slice[i];
                let run = slice[i..].iter().take_while(|&&v| v == value).count();
                positions.push(value);
                counts.push(run as u32);
                i += run;
            }
            offsets.push(positions.len() as u32);
        }
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
}

impl ClassTable {
    /// Builds the table from encoded QI and sensitive columns in one pass over the rows.
    pub fn build(
        qis: &[EncodedColumn],
        sensitive: &[EncodedColumn],
        rows: usize,
        nulls: NullMode,
    ) -> ClassTable {
        let columns: Vec<(&[u32], usize)> = qis
            .iter()
            .map(|c| (c.codes.as_slice(), c.slots()))
            .collect();
        let (row_class, classes) = class_ids(&columns, rows);
        let mut table = Self::from_row_classes(&row_class, classes, sensitive);
        if nulls == NullMode::Wildcard && qis.iter().any(|c| c.has_missing) {
            // The first row of each class stands for it.
            let mut representative = vec![0u32; classes];
            for (row, &class) in row_class.iter().enumerate().rev() {
                representative[class as usize] = row as u32;
            }
            table.frequencies =
                super::wildcard::compatible_counts(qis, &representative, &table.sizes);
        }
        table
    }

    /// Builds the table from rows already assigned to classes.
    pub fn from_row_classes(
        row_class: &[u32],
        classes: usize,
        sensitive: &[EncodedColumn],
    ) -> ClassTable {
        let mut sizes = vec![0u32; classes];
        for &class in row_class {
            sizes[class as usize] += 1;
        }
        // The attributes are independent: one thread each.
        let sensitive = std::thread::scope(|scope| {
            let handles: Vec<_> = sensitive
                .iter()
                .map(|column| {
                    let sizes = &sizes;
                    scope.spawn(move || SensitiveTable::build(column, row_class, sizes))
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("sensitive table"))
                .collect()
        });
        ClassTable {
            rows: row_class.len(),
            frequencies: sizes.clone(),
            population_sizes: None,
            sizes,
            sensitive,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::class_ids;
    use proptest::prelude::*;

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
