//! Grouping rows into equivalence classes: the codes of several columns packed into one key
//! in mixed radix, keys numbered densely by a lookup table or a radix sort. The class table
//! (`classes.rs`) and every join and linkage group rows through here.

use std::sync::atomic::{AtomicU64, Ordering};

use rayon::prelude::*;

use super::encode::EncodedColumn;

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
pub(super) fn split_lengths<T>(
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

#[cfg(test)]
mod tests {
    use super::{Grouping, bits_for, class_ids, number_keys, sort_packed, sort_pairs};
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
