//! The QI-subset lattice, walked level by level (subset size 1, 2, …) with pruning.
//!
//! Uniqueness is monotone: a record unique on a subset stays unique on every superset, and it
//! sits alone in its class there, so it does not change anyone else's class size. Hence, for a
//! subset T, only the records unique on none of T's immediate subsets (T minus one column)
//! need partitioning; the singletons among them are exactly the records for which T is a
//! *minimal* sample unique (MSU). The records unique on T are those singletons plus the union
//! of the immediate subsets' uniques. Each level keeps one bitset of unique records per
//! subset.
//!
//! A subset's partition is not regrouped from the codes: it refines the partition of its
//! *canonical parent* (T minus its last column) by that one column, with two counting sorts
//! (by the column's code, then stably by the parent's class), so no hashing is involved and
//! the work is linear in the records still not unique.

use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::bail;

use crate::Result;
use crate::engine::EncodedColumn;

/// Most subsets a walk may visit.
pub const MAX_SUBSETS: usize = 200_000;

/// Class-size figures of one partition of the records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PartitionFigures {
    /// Number of classes.
    pub classes: usize,
    /// Classes of size 1 (records unique on the columns).
    pub uniques: usize,
    /// Classes of size 2.
    pub pairs: usize,
    /// The smallest class size (k); 0 without records.
    pub smallest: u32,
    /// `Σ_j f_j (f_j − 1)`: ordered pairs of distinct records in the same class.
    pub same_pairs: u64,
}

impl PartitionFigures {
    /// The figures of a list of class sizes.
    pub fn from_sizes(sizes: &[u32]) -> PartitionFigures {
        let mut figures = PartitionFigures {
            classes: sizes.len(),
            smallest: sizes.iter().copied().min().unwrap_or(0),
            ..PartitionFigures::default()
        };
        for &size in sizes {
            figures.uniques += usize::from(size == 1);
            figures.pairs += usize::from(size == 2);
            figures.same_pairs += size as u64 * (size as u64).saturating_sub(1);
        }
        figures
    }
}

/// What the walk learned about one subset.
#[derive(Debug, Clone)]
pub struct SubsetFigures {
    /// Columns as a bit mask over the QIs.
    pub mask: u32,
    /// Records unique on the subset.
    pub uniques: usize,
    /// The subset's class-size figures.
    pub partition: PartitionFigures,
    /// Rows (0-based, ascending) for which this subset is a minimal sample unique.
    pub msu_rows: Vec<u32>,
}

pub struct Lattice {
    pub columns: usize,
    /// Subsets by size, then by mask.
    pub subsets: Vec<SubsetFigures>,
}

impl Lattice {
    /// The figures of a subset, when the walk visited it.
    pub fn subset(&self, mask: u32) -> Option<&SubsetFigures> {
        self.subsets
            .binary_search_by_key(&(mask.count_ones(), mask), |s| {
                (s.mask.count_ones(), s.mask)
            })
            .ok()
            .map(|i| &self.subsets[i])
    }
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

/// The records of a subset that are not unique on it: rows ascending, each with its dense
/// class id.
struct Partition {
    rows: Vec<u32>,
    class: Vec<u32>,
    classes: usize,
}

/// What one visit hands to the next level.
struct Visited {
    figures: SubsetFigures,
    unique: Vec<u64>,
    partition: Option<Partition>,
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
    let max_size = max_size.clamp(1, m);
    let visits: usize = (1..=max_size)
        .map(|s| binomial(m, s))
        .fold(0, usize::saturating_add);
    if visits > MAX_SUBSETS {
        bail!(
            "{m} quasi-identifiers give {visits} subsets up to size {max_size}; limit the search with --max-msu"
        );
    }
    let words = rows.div_ceil(64);
    // The empty subset: every record in one class, nobody unique.
    let root = Partition {
        rows: (0..rows as u32).collect(),
        class: vec![0; rows],
        classes: 1,
    };
    let mut unique_of: hashbrown::HashMap<u32, Vec<u64>> = hashbrown::HashMap::new();
    let mut partition_of: hashbrown::HashMap<u32, Partition> = hashbrown::HashMap::new();
    partition_of.insert(0, root);
    let mut subsets = Vec::with_capacity(visits);
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .max(1);
    for size in 1..=max_size {
        let masks: Vec<u32> = (1u32..(1u32 << m))
            .filter(|mask| mask.count_ones() as usize == size)
            .collect();
        // A partition is kept only for subsets that are the canonical parent of a subset on
        // the next level: their last column is not the last QI.
        let keep_partition = |mask: u32| size < max_size && mask >> (m - 1) == 0;
        // The subsets of one level depend only on the level below: the cores take them one
        // at a time from a shared counter.
        let next = AtomicUsize::new(0);
        let mut results: Vec<(usize, Visited)> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..threads.min(masks.len()))
                .map(|_| {
                    scope.spawn(|| {
                        let mut done = Vec::new();
                        loop {
                            let i = next.fetch_add(1, Ordering::Relaxed);
                            let Some(&mask) = masks.get(i) else { break };
                            let visited = visit(
                                qis,
                                words,
                                mask,
                                &unique_of,
                                &partition_of,
                                keep_partition(mask),
                            );
                            done.push((i, visited));
                        }
                        done
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().expect("lattice worker"))
                .collect()
        });
        results.sort_unstable_by_key(|(i, _)| *i);
        unique_of = hashbrown::HashMap::with_capacity(results.len());
        partition_of = hashbrown::HashMap::new();
        for (_, visited) in results {
            let mask = visited.figures.mask;
            unique_of.insert(mask, visited.unique);
            if let Some(partition) = visited.partition {
                partition_of.insert(mask, partition);
            }
            subsets.push(visited.figures);
        }
    }
    Ok(Lattice {
        columns: m,
        subsets,
    })
}

/// Visits one subset: refines its canonical parent's partition by its last column, over the
/// records unique on none of its immediate subsets.
fn visit(
    qis: &[EncodedColumn],
    words: usize,
    mask: u32,
    unique_of: &hashbrown::HashMap<u32, Vec<u64>>,
    partition_of: &hashbrown::HashMap<u32, Partition>,
    keep_partition: bool,
) -> Visited {
    let last = 31 - mask.leading_zeros() as usize;
    let parent_mask = mask & !(1 << last);
    let parent = &partition_of[&parent_mask];
    // Records unique on an immediate subset other than the parent (the parent's uniques are
    // not in its partition).
    let mut excluded = vec![0u64; words];
    for c in 0..last {
        if mask & (1 << c) != 0
            && let Some(other) = unique_of.get(&(mask & !(1 << c)))
        {
            for (e, o) in excluded.iter_mut().zip(other) {
                *e |= o;
            }
        }
    }
    let column = &qis[last];
    let mut kept_rows = Vec::with_capacity(parent.rows.len());
    let mut kept_parent = Vec::with_capacity(parent.rows.len());
    let mut kept_codes = Vec::with_capacity(parent.rows.len());
    for (&row, &class) in parent.rows.iter().zip(&parent.class) {
        if excluded[row as usize / 64] & (1 << (row % 64)) == 0 {
            kept_rows.push(row);
            kept_parent.push(class);
            kept_codes.push(column.codes[row as usize]);
        }
    }
    let (class, sizes) = refine(&kept_parent, parent.classes, &kept_codes, column.slots());

    // Singletons are the MSUs; the rest carry on to the next level.
    let mut unique = excluded;
    if let Some(own) = unique_of.get(&parent_mask) {
        for (u, p) in unique.iter_mut().zip(own) {
            *u |= p;
        }
    }
    let mut msu_rows = Vec::new();
    for (&row, &id) in kept_rows.iter().zip(&class) {
        if sizes[id as usize] == 1 {
            msu_rows.push(row);
            unique[row as usize / 64] |= 1 << (row % 64);
        }
    }
    let uniques: usize = unique.iter().map(|w| w.count_ones() as usize).sum();
    // Classes of two or more are whole classes of the subset (an excluded record is alone in
    // its class), and every other record is unique.
    let shared: Vec<u32> = sizes.iter().copied().filter(|&s| s >= 2).collect();
    let shared_figures = PartitionFigures::from_sizes(&shared);
    let partition = PartitionFigures {
        classes: uniques + shared.len(),
        uniques,
        pairs: shared_figures.pairs,
        smallest: if uniques > 0 {
            1
        } else {
            shared_figures.smallest
        },
        same_pairs: shared_figures.same_pairs,
    };
    let partition_out = keep_partition.then(|| {
        // Renumber the shared classes densely so that the next level's sorts stay small.
        let mut renumber = vec![u32::MAX; sizes.len()];
        let mut classes = 0u32;
        for (id, &size) in sizes.iter().enumerate() {
            if size >= 2 {
                renumber[id] = classes;
                classes += 1;
            }
        }
        let mut rows = Vec::with_capacity(kept_rows.len() - msu_rows.len());
        let mut class_out = Vec::with_capacity(rows.capacity());
        for (&row, &id) in kept_rows.iter().zip(&class) {
            let new = renumber[id as usize];
            if new != u32::MAX {
                rows.push(row);
                class_out.push(new);
            }
        }
        Partition {
            rows,
            class: class_out,
            classes: classes as usize,
        }
    });
    Visited {
        figures: SubsetFigures {
            mask,
            uniques,
            partition,
            msu_rows,
        },
        unique,
        partition: partition_out,
    }
}

/// Splits classes by one more column: record `i` is in parent class `parent[i]`
/// (`< parent_classes`) and has `code[i]` (`< slots`). Returns each record's dense new class
/// and the new class sizes.
///
/// A least-significant-digit radix sort on (parent class, code) with two counting sorts puts
/// the records of each new class next to each other; one scan then numbers the classes.
fn refine(
    parent: &[u32],
    parent_classes: usize,
    code: &[u32],
    slots: usize,
) -> (Vec<u32>, Vec<u32>) {
    let n = parent.len();
    let by_code = counting_sort((0..n as u32).collect(), code, slots);
    let order = counting_sort(by_code, parent, parent_classes);
    let mut class = vec![0u32; n];
    let mut sizes: Vec<u32> = Vec::new();
    let mut previous = None;
    for &i in &order {
        let key = (parent[i as usize], code[i as usize]);
        if previous != Some(key) {
            sizes.push(0);
            previous = Some(key);
        }
        let id = sizes.len() - 1;
        sizes[id] += 1;
        class[i as usize] = id as u32;
    }
    (class, sizes)
}

/// Stably sorts the indices `order` by `digit[i]` (`< buckets`).
fn counting_sort(order: Vec<u32>, digit: &[u32], buckets: usize) -> Vec<u32> {
    let mut start = vec![0usize; buckets + 1];
    for &i in &order {
        start[digit[i as usize] as usize + 1] += 1;
    }
    for b in 0..buckets {
        start[b + 1] += start[b];
    }
    let mut sorted = vec![0u32; order.len()];
    for &i in &order {
        let slot = &mut start[digit[i as usize] as usize];
        sorted[*slot] = i;
        *slot += 1;
    }
    sorted
}
