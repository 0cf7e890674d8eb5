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
//! *canonical parent* (T minus its last column) by that one column, sorting each parent class's
//! surviving records by their code. Partitions are kept grouped by class, so the sorts touch
//! one small class at a time and no hashing is involved.

use rayon::prelude::*;

use crate::bail;

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

/// The subsets the walk visited, with their figures.
pub struct Lattice {
    /// The QIs walked.
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

/// The records of a subset that are not unique on it, grouped by class: class `j` holds
/// `rows[bounds[j]..bounds[j + 1]]`.
struct Partition {
    rows: Vec<u32>,
    bounds: Vec<u32>,
}

/// A column's codes in the narrowest integer type that holds them: the walk gathers codes by
/// row in class order, which is random access, and a column of bytes stays in cache where one
/// of `u32` does not.
enum NarrowCodes {
    U8(Vec<u8>),
    U16(Vec<u16>),
    U32(Vec<u32>),
}

impl NarrowCodes {
    fn new(column: &EncodedColumn) -> NarrowCodes {
        let codes = &column.codes;
        if column.slots() <= 1 << 8 {
            NarrowCodes::U8(codes.iter().map(|&c| c as u8).collect())
        } else if column.slots() <= 1 << 16 {
            NarrowCodes::U16(codes.iter().map(|&c| c as u16).collect())
        } else {
            NarrowCodes::U32(codes.clone())
        }
    }

    /// Appends `(code << 32) | row` for each of `rows` not marked in `excluded`.
    fn push_keys(&self, rows: &[u32], excluded: &[u64], keyed: &mut Vec<u64>) {
        fn push<T: Copy + Into<u64>>(
            codes: &[T],
            rows: &[u32],
            excluded: &[u64],
            keyed: &mut Vec<u64>,
        ) {
            for &row in rows {
                if excluded[row as usize / 64] & (1 << (row % 64)) == 0 {
                    keyed.push((codes[row as usize].into() << 32) | u64::from(row));
                }
            }
        }
        match self {
            NarrowCodes::U8(c) => push(c, rows, excluded, keyed),
            NarrowCodes::U16(c) => push(c, rows, excluded, keyed),
            NarrowCodes::U32(c) => push(c, rows, excluded, keyed),
        }
    }
}

/// Sorts one class's `(code << 32) | row` keys, whose rows are ascending. A large class is
/// counting-sorted by code (stable, so rows stay ascending within a code); a small one is
/// sorted in place.
fn sort_keys(keyed: &mut Vec<u64>, slots: usize, counts: &mut Vec<usize>, scratch: &mut Vec<u64>) {
    if keyed.len() < 512 || keyed.len() < slots {
        keyed.sort_unstable();
        return;
    }
    counts.clear();
    counts.resize(slots + 1, 0);
    for &k in keyed.iter() {
        counts[(k >> 32) as usize + 1] += 1;
    }
    for b in 0..slots {
        counts[b + 1] += counts[b];
    }
    scratch.clear();
    scratch.resize(keyed.len(), 0);
    for &k in keyed.iter() {
        let slot = &mut counts[(k >> 32) as usize];
        scratch[*slot] = k;
        *slot += 1;
    }
    std::mem::swap(keyed, scratch);
}

/// What one visit hands to the next level.
struct Visited {
    figures: SubsetFigures,
    unique: Vec<u64>,
    partition: Option<Partition>,
}

/// The most QIs the lattice walks: subsets are `u32` bit masks.
pub const MAX_QIS: usize = 30;

/// The largest subset size to walk (`max_size` within `1..=m`) and how many subsets that
/// visits, or an error when there are no QIs, more than 30, or too many subsets.
pub fn search_size(m: usize, max_size: usize) -> Result<(usize, usize)> {
    if m == 0 {
        bail!("attribution needs at least one quasi-identifier");
    }
    if m > MAX_QIS {
        bail!("attribution handles at most {MAX_QIS} quasi-identifiers, got {m}");
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
    Ok((max_size, visits))
}

/// The most memory the walk holds, in bytes: two levels at once (the one being visited and the
/// one below), each subset's bitmap of unique records, and the partition (a row and a bound per
/// record at worst) of each subset kept as a parent. Conservative: partitions shrink as records
/// become unique.
pub fn memory_estimate(m: usize, max_size: usize, rows: usize) -> u64 {
    let bitmap = rows.div_ceil(64) as u64 * 8;
    let partition = rows as u64 * 8;
    let b = |n: usize, k: usize| binomial(n, k) as u64;
    (1..=max_size.clamp(1, m.max(1)))
        .map(|s| {
            let bitmaps = (b(m, s - 1) + b(m, s)).saturating_mul(bitmap);
            let kept = (b(m - 1, s - 1) + b(m - 1, s)).saturating_mul(partition);
            bitmaps.saturating_add(kept)
        })
        .max()
        .unwrap_or(0)
}

/// Walks every subset of at most `max_size` QIs.
pub fn walk(qis: &[EncodedColumn], rows: usize, max_size: usize) -> Result<Lattice> {
    let m = qis.len();
    let (max_size, visits) = search_size(m, max_size)?;
    crate::budget::check(memory_estimate(m, max_size, rows), || {
        format!(
            "the attribution lattice of {m} quasi-identifiers up to size {max_size} over {} records (--max-msu limits it)",
            crate::format::thousands(rows)
        )
    })?;
    let words = rows.div_ceil(64);
    let narrow: Vec<NarrowCodes> = qis.iter().map(NarrowCodes::new).collect();
    // The empty subset: every record in one class, nobody unique.
    let root = Partition {
        rows: (0..rows as u32).collect(),
        bounds: vec![0, rows as u32],
    };
    let mut unique_of: hashbrown::HashMap<u32, Vec<u64>> = hashbrown::HashMap::new();
    let mut partition_of: hashbrown::HashMap<u32, Partition> = hashbrown::HashMap::new();
    partition_of.insert(0, root);
    let mut subsets = Vec::with_capacity(visits);
    let timer = crate::timing::Timer::start();
    for size in 1..=max_size {
        let masks: Vec<u32> = (1u32..(1u32 << m))
            .filter(|mask| mask.count_ones() as usize == size)
            .collect();
        // A partition is kept only for subsets that are the canonical parent of a subset on
        // the next level: their last column is not the last QI.
        let keep_partition = |mask: u32| size < max_size && mask >> (m - 1) == 0;
        // The subsets of one level depend only on the level below: rayon shares them out
        // one at a time (a subset's cost varies with its parent's classes).
        let results: Vec<Visited> = masks
            .par_iter()
            .with_max_len(1)
            .map(|&mask| {
                visit(
                    qis,
                    &narrow,
                    words,
                    mask,
                    &unique_of,
                    &partition_of,
                    keep_partition(mask),
                )
            })
            .collect();
        unique_of = hashbrown::HashMap::with_capacity(results.len());
        partition_of = hashbrown::HashMap::new();
        for visited in results {
            let mask = visited.figures.mask;
            unique_of.insert(mask, visited.unique);
            if let Some(partition) = visited.partition {
                partition_of.insert(mask, partition);
            }
            subsets.push(visited.figures);
        }
        timer.lap(&format!("lattice level {size}"));
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
    narrow: &[NarrowCodes],
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
    let column = &narrow[last];
    let slots = qis[last].slots();
    let (mut counts, mut scratch) = (Vec::new(), Vec::new());
    // Each parent class's surviving records as (code, row) packed in a u64, sorted, puts the
    // records of each new class next to each other; the classes are small past the first
    // levels, so the sorts run in cache.
    let mut keyed: Vec<u64> = Vec::with_capacity(parent.rows.len());
    let mut shared: Vec<u32> = Vec::new();
    let mut msu_rows = Vec::new();
    let mut out_rows: Vec<u32> = Vec::new();
    let mut out_bounds: Vec<u32> = vec![0];
    for class in parent.bounds.windows(2) {
        keyed.clear();
        column.push_keys(
            &parent.rows[class[0] as usize..class[1] as usize],
            &excluded,
            &mut keyed,
        );
        // Most classes past the first levels hold one or two records: no sort needed.
        match keyed.len() {
            0 => continue,
            1 => {
                msu_rows.push(keyed[0] as u32);
                continue;
            }
            2 if keyed[0] >> 32 != keyed[1] >> 32 => {
                msu_rows.extend([keyed[0] as u32, keyed[1] as u32]);
                continue;
            }
            2 => {}
            _ => sort_keys(&mut keyed, slots, &mut counts, &mut scratch),
        }
        let mut start = 0;
        while start < keyed.len() {
            let code = keyed[start] >> 32;
            let end = start + keyed[start..].partition_point(|&k| k >> 32 == code);
            if end - start == 1 {
                msu_rows.push(keyed[start] as u32);
            } else {
                shared.push((end - start) as u32);
                if keep_partition {
                    out_rows.extend(keyed[start..end].iter().map(|&k| k as u32));
                    out_bounds.push(out_rows.len() as u32);
                }
            }
            start = end;
        }
    }
    msu_rows.sort_unstable();

    // Singletons are the MSUs; the rest carry on to the next level.
    let mut unique = excluded;
    if let Some(own) = unique_of.get(&parent_mask) {
        for (u, p) in unique.iter_mut().zip(own) {
            *u |= p;
        }
    }
    for &row in &msu_rows {
        unique[row as usize / 64] |= 1 << (row % 64);
    }
    let uniques: usize = unique.iter().map(|w| w.count_ones() as usize).sum();
    // Classes of two or more are whole classes of the subset (an excluded record is alone in
    // its class), and every other record is unique.
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
    Visited {
        figures: SubsetFigures {
            mask,
            uniques,
            partition,
            msu_rows,
        },
        unique,
        partition: keep_partition.then_some(Partition {
            rows: out_rows,
            bounds: out_bounds,
        }),
    }
}
