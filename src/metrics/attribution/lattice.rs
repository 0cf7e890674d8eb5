//! The QI-subset lattice, walked level by level (subset size 1, 2, …) with pruning.
//!
//! Uniqueness is monotone: a record unique on a subset stays unique on every superset, and it
//! sits alone in its class there, so it does not change anyone else's class size. Hence, for a
//! subset T, only the records unique on none of T's immediate subsets (T minus one column)
//! need partitioning; the singletons among them are exactly the records for which T is a
//! *minimal* sample unique (MSU). The records unique on T are those singletons plus the union
//! of the immediate subsets' uniques. Each level keeps one bitset of unique records per
//! subset; partitions use the dictionary-code kernel [`crate::engine::class_ids`].

use anyhow::bail;

use crate::Result;
use crate::engine::{EncodedColumn, class_ids};

/// Most subsets a walk may visit.
pub const MAX_SUBSETS: usize = 200_000;

/// What the walk learned about one subset.
#[derive(Debug, Clone)]
pub struct SubsetFigures {
    /// Columns as a bit mask over the QIs.
    pub mask: u32,
    /// Records unique on the subset.
    pub uniques: usize,
    /// Rows (0-based) for which this subset is a minimal sample unique.
    pub msu_rows: Vec<u32>,
}

pub struct Lattice {
    pub columns: usize,
    pub subsets: Vec<SubsetFigures>,
}

/// The names of the columns of a mask, in QI order.
pub fn mask_names(mask: u32, names: &[String]) -> Vec<String> {
    (0..names.len())
        .filter(|i| mask & (1 << i) != 0)
        .map(|i| names[i].clone())
        .collect()
}

fn binomial(n: usize, k: usize) -> usize {
    (0..k).fold(1usize, |acc, i| acc.saturating_mul(n - i) / (i + 1))
}

/// Walks every subset of at most `max_size` QIs.
pub fn walk(qis: &[EncodedColumn], rows: usize, max_size: usize) -> Result<Lattice> {
    let m = qis.len();
    if m == 0 {
        bail!("attribution needs at least one quasi-identifier");
    }
    if m > 30 {
        bail!("attribution handles at most 30 quasi-identifiers, got {m}");
    }
    let visits: usize = (1..=max_size)
        .map(|s| binomial(m, s))
        .fold(0, usize::saturating_add);
    if visits > MAX_SUBSETS {
        bail!(
            "{m} quasi-identifiers give {visits} subsets up to size {max_size}; limit the search with --max-msu"
        );
    }
    let words = rows.div_ceil(64);
    let mut previous: hashbrown::HashMap<u32, Vec<u64>> = hashbrown::HashMap::new();
    let mut subsets = Vec::with_capacity(visits);
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .max(1);
    for size in 1..=max_size {
        let masks: Vec<u32> = (1u32..(1u32 << m))
            .filter(|mask| mask.count_ones() as usize == size)
            .collect();
        // The subsets of one level depend only on the level below: split them over the cores.
        let chunk = masks.len().div_ceil(threads).max(1);
        let results: Vec<(SubsetFigures, Vec<u64>)> = std::thread::scope(|scope| {
            let previous = &previous;
            let handles: Vec<_> = masks
                .chunks(chunk)
                .map(|part| {
                    scope.spawn(move || {
                        part.iter()
                            .map(|&mask| visit(qis, rows, words, mask, previous))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().expect("lattice worker"))
                .collect()
        });
        let mut current: hashbrown::HashMap<u32, Vec<u64>> =
            hashbrown::HashMap::with_capacity(results.len());
        for (figures, unique) in results {
            current.insert(figures.mask, unique);
            subsets.push(figures);
        }
        previous = current;
    }
    Ok(Lattice {
        columns: m,
        subsets,
    })
}

/// Visits one subset: partitions the records unique on none of its immediate subsets, and
/// returns its figures with its bitset of unique records.
fn visit(
    qis: &[EncodedColumn],
    rows: usize,
    words: usize,
    mask: u32,
    previous: &hashbrown::HashMap<u32, Vec<u64>>,
) -> (SubsetFigures, Vec<u64>) {
    let m = qis.len();
    // Records unique on some immediate subset.
    let mut unique = vec![0u64; words];
    for c in 0..m {
        if mask & (1 << c) != 0
            && let Some(parent) = previous.get(&(mask & !(1 << c)))
        {
            for (u, p) in unique.iter_mut().zip(parent) {
                *u |= p;
            }
        }
    }
    // Partition the others on the subset's columns.
    let mut kept_rows: Vec<u32> = Vec::with_capacity(rows);
    for (w, &word) in unique.iter().enumerate() {
        let mut free = !word;
        if w == words - 1 && !rows.is_multiple_of(64) {
            free &= (1u64 << (rows % 64)) - 1;
        }
        while free != 0 {
            let bit = free.trailing_zeros();
            kept_rows.push((w * 64) as u32 + bit);
            free &= free - 1;
        }
    }
    let members: Vec<usize> = (0..m).filter(|c| mask & (1 << c) != 0).collect();
    let gathered: Vec<Vec<u32>> = members
        .iter()
        .map(|&c| {
            kept_rows
                .iter()
                .map(|&r| qis[c].codes[r as usize])
                .collect()
        })
        .collect();
    let cols: Vec<(&[u32], usize)> = members
        .iter()
        .zip(&gathered)
        .map(|(&c, codes)| (codes.as_slice(), qis[c].slots()))
        .collect();
    let (ids, classes) = class_ids(&cols, kept_rows.len());
    let mut sizes = vec![0u32; classes];
    for &id in &ids {
        sizes[id as usize] += 1;
    }
    let mut msu_rows = Vec::new();
    for (i, &id) in ids.iter().enumerate() {
        if sizes[id as usize] == 1 {
            let r = kept_rows[i];
            msu_rows.push(r);
            unique[r as usize / 64] |= 1 << (r % 64);
        }
    }
    let uniques = unique.iter().map(|w| w.count_ones() as usize).sum();
    (
        SubsetFigures {
            mask,
            uniques,
            msu_rows,
        },
        unique,
    )
}
