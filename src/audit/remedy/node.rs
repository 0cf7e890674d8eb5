//! One node of the generalisation lattice and its figures: the view grouped once into units
//! (classes of equal QI tuples, or people with their multisets of tuples), each QI's ladder as
//! code tables, and a node's k, uniques, l, suppression and information loss computed by
//! regrouping the units' tuples at the node's levels.

use hashbrown::HashMap;
use rayon::prelude::*;

use super::ladder::Ladder;
use crate::engine::entity::EntityNumbers;
use crate::engine::group_rows;
use crate::metrics::information_loss::precision_loss;

/// What a node must meet: the policy, and how many records (or people) may be suppressed.
#[derive(Debug, Clone, Copy)]
pub struct Target {
    /// Every class at least this large.
    pub k: u32,
    /// Every sensitive attribute distinct l-diverse in every class.
    pub l: Option<usize>,
    /// At most this fraction of the kept records unique.
    pub max_unique_fraction: Option<f64>,
    /// At most this many records (or people) suppressed.
    pub max_suppressed: usize,
}

/// A node's figures once applied.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeFigures {
    /// The level of each QI.
    pub levels: Vec<usize>,
    /// Smallest class of the kept records (0 when nothing is kept).
    pub k: u32,
    /// Unique records over kept records.
    pub unique_fraction: f64,
    /// Per sensitive attribute, the fewest distinct values in a kept class.
    pub l: Vec<usize>,
    /// Records (or people) suppressed: those in classes smaller than k or less than l-diverse,
    /// and the uniques beyond `max_unique_fraction`.
    pub suppressed: usize,
    /// Precision loss ([`precision_loss`]).
    pub information_loss: f64,
    /// Whether it meets the target.
    pub passes: bool,
}

/// The view grouped once: its distinct QI tuples, and the units (classes or people) that hold
/// them.
pub struct Units {
    /// Per QI, each tuple's level-0 code.
    tuples: Vec<Vec<u32>>,
    /// What a unit is.
    shape: Shape,
    /// Per sensitive attribute, the distinct (unit, value code) pairs.
    sensitive: Vec<Vec<(u32, u32)>>,
    /// Records (or people).
    total: usize,
}

enum Shape {
    /// Unit `u` is tuple `u`, with this many records.
    Records(Vec<u32>),
    /// Unit `p` is a person; `members[offsets[p]..offsets[p + 1]]` are their (tuple, rows)
    /// pairs, tuples ascending.
    People {
        offsets: Vec<u32>,
        members: Vec<(u32, u32)>,
    },
}

impl Units {
    /// Groups `rows` rows on their QI codes (`qis`, each `(codes, slots)`); with `entity`
    /// numbering several rows for some person, units are people. `sensitive` are code
    /// columns (0 missing, a value of its own).
    pub fn group(
        qis: &[(&[u32], usize)],
        entity: Option<&EntityNumbers>,
        sensitive: &[&[u32]],
        rows: usize,
    ) -> Units {
        let grouping = group_rows(qis, rows);
        let tuple_of_row = grouping.ids();
        // The first row of each class stands for its tuple.
        let mut tuples: Vec<Vec<u32>> = vec![Vec::with_capacity(grouping.sizes.len()); qis.len()];
        let mut record = 0;
        for &size in &grouping.sizes {
            let row = grouping.rows_by_class[record] as usize;
            for (column, (codes, _)) in tuples.iter_mut().zip(qis) {
                column.push(codes[row]);
            }
            record += size as usize;
        }
        let unit_of_row: Vec<u32>;
        let shape = match entity.filter(|e| e.len() != rows) {
            None => {
                unit_of_row = tuple_of_row;
                Shape::Records(grouping.sizes.clone())
            }
            Some(people) => {
                let mut pairs: Vec<u64> = people
                    .of_row
                    .iter()
                    .zip(&tuple_of_row)
                    .map(|(&p, &t)| ((p as u64) << 32) | t as u64)
                    .collect();
                pairs.par_sort_unstable();
                // Equal (person, tuple) pairs are adjacent: each run is one member.
                let mut members: Vec<(u32, u32)> = Vec::new();
                let mut per_person = vec![0u32; people.len()];
                let mut previous = None;
                for &pair in &pairs {
                    if previous == Some(pair) {
                        members.last_mut().expect("a member was pushed").1 += 1;
                    } else {
                        members.push((pair as u32, 1));
                        per_person[(pair >> 32) as usize] += 1;
                        previous = Some(pair);
                    }
                }
                let mut offsets = Vec::with_capacity(people.len() + 1);
                offsets.push(0u32);
                for n in per_person {
                    offsets.push(offsets.last().expect("pushed") + n);
                }
                unit_of_row = people.of_row.clone();
                Shape::People { offsets, members }
            }
        };
        let sensitive = sensitive
            .iter()
            .map(|codes| {
                let mut pairs: Vec<(u32, u32)> = unit_of_row
                    .iter()
                    .zip(codes.iter())
                    .map(|(&u, &v)| (u, v))
                    .collect();
                pairs.par_sort_unstable();
                pairs.dedup();
                pairs
            })
            .collect();
        let total = match &shape {
            Shape::Records(_) => rows,
            Shape::People { offsets, .. } => offsets.len() - 1,
        };
        Units {
            tuples,
            shape,
            sensitive,
            total,
        }
    }

    /// Records (or people).
    pub fn total(&self) -> usize {
        self.total
    }

    /// The codes one node's evaluation reads.
    pub(super) fn work(&self) -> u64 {
        let tuples = self.tuples.first().map_or(0, Vec::len) as u64;
        let members = match &self.shape {
            Shape::Records(_) => 0,
            Shape::People { members, .. } => members.len() as u64,
        };
        let pairs: u64 = self.sensitive.iter().map(|p| p.len() as u64).sum();
        tuples * (self.tuples.len() as u64 + 1) + members + pairs
    }

    /// The most bytes the search holds at once for a view of `rows` rows, `qis` QIs and
    /// `sensitive` attributes, checked against the memory budget before anything is coded:
    /// per row its QI and sensitive codes (4 bytes each), the grouping's key, id and row order
    /// (16), the (person, tuple) pair (8) and the (unit, value) pairs (8 per attribute).
    pub fn estimate(rows: usize, qis: usize, sensitive: usize) -> u64 {
        (rows as u64) * (24 + 4 * qis as u64 + 12 * sensitive as u64)
    }

    /// Each unit's class at a node (`codes[i]` maps QI `i`'s level-0 codes to the node's
    /// level, with `slots[i]` slots), and the number of classes.
    fn classes(&self, codes: &[&[u32]], slots: &[usize]) -> (Vec<u32>, usize) {
        let lifted: Vec<Vec<u32>> = self
            .tuples
            .iter()
            .zip(codes)
            .map(|(tuple, map)| tuple.iter().map(|&c| map[c as usize]).collect())
            .collect();
        let columns: Vec<(&[u32], usize)> = lifted
            .iter()
            .zip(slots)
            .map(|(c, &s)| (c.as_slice(), s))
            .collect();
        let tuples = self.tuples.first().map_or(0, Vec::len);
        let grouping = group_rows(&columns, tuples);
        let coarse = grouping.ids();
        match &self.shape {
            Shape::Records(_) => (coarse, grouping.sizes.len()),
            Shape::People { offsets, members } => {
                // Each person's multiset of lifted tuples, written canonically (ascending,
                // repeats merged), then equal multisets numbered by hashing.
                let mut flat: Vec<(u32, u32)> = Vec::with_capacity(members.len());
                let mut starts: Vec<usize> = Vec::with_capacity(offsets.len());
                for p in 0..offsets.len() - 1 {
                    let start = flat.len();
                    starts.push(start);
                    flat.extend(
                        members[offsets[p] as usize..offsets[p + 1] as usize]
                            .iter()
                            .map(|&(t, n)| (coarse[t as usize], n)),
                    );
                    let run = &mut flat[start..];
                    run.sort_unstable();
                    let mut kept = 0;
                    for i in 0..run.len() {
                        if kept > 0 && run[kept - 1].0 == run[i].0 {
                            run[kept - 1].1 += run[i].1;
                        } else {
                            run[kept] = run[i];
                            kept += 1;
                        }
                    }
                    flat.truncate(start + kept);
                }
                starts.push(flat.len());
                let mut numbers: HashMap<&[(u32, u32)], u32> = HashMap::new();
                let class_of: Vec<u32> = starts
                    .windows(2)
                    .map(|w| {
                        let next = numbers.len() as u32;
                        *numbers.entry(&flat[w[0]..w[1]]).or_insert(next)
                    })
                    .collect();
                let classes = numbers.len();
                (class_of, classes)
            }
        }
    }

    /// A node's figures.
    pub fn evaluate(
        &self,
        ladders: &[LevelCodes],
        levels: &[usize],
        target: &Target,
    ) -> NodeFigures {
        let codes: Vec<&[u32]> = ladders
            .iter()
            .zip(levels)
            .map(|(l, &level)| l.codes[level].as_slice())
            .collect();
        let slots: Vec<usize> = ladders
            .iter()
            .zip(levels)
            .map(|(l, &level)| l.slots[level])
            .collect();
        let (class_of, classes) = self.classes(&codes, &slots);
        let mut sizes = vec![0u32; classes];
        match &self.shape {
            Shape::Records(weights) => {
                for (&c, &w) in class_of.iter().zip(weights) {
                    sizes[c as usize] += w;
                }
            }
            Shape::People { .. } => {
                for &c in &class_of {
                    sizes[c as usize] += 1;
                }
            }
        }
        // Distinct sensitive values per class.
        let distinct: Vec<Vec<u32>> = match target.l {
            None => Vec::new(),
            Some(_) => self
                .sensitive
                .iter()
                .map(|pairs| {
                    let mut keys: Vec<u64> = pairs
                        .iter()
                        .map(|&(u, v)| ((class_of[u as usize] as u64) << 32) | v as u64)
                        .collect();
                    keys.sort_unstable();
                    keys.dedup();
                    let mut counts = vec![0u32; classes];
                    for key in keys {
                        counts[(key >> 32) as usize] += 1;
                    }
                    counts
                })
                .collect(),
        };
        let violates = |c: usize| {
            sizes[c] < target.k
                || target
                    .l
                    .is_some_and(|l| distinct.iter().any(|d| (d[c] as usize) < l))
        };
        let mut suppressed = 0usize;
        let mut k = u32::MAX;
        let mut l = vec![usize::MAX; distinct.len()];
        let mut uniques = 0usize;
        for c in 0..classes {
            if violates(c) {
                suppressed += sizes[c] as usize;
                continue;
            }
            k = k.min(sizes[c]);
            for (least, d) in l.iter_mut().zip(&distinct) {
                *least = (*least).min(d[c] as usize);
            }
            uniques += usize::from(sizes[c] == 1);
        }
        let mut kept = self.total - suppressed;
        if let Some(m) = target.max_unique_fraction
            && kept > 0
            && uniques as f64 > m * kept as f64
        {
            // The fewest uniques x to suppress so that (u − x) / (kept − x) ≤ m.
            let x = (((uniques as f64 - m * kept as f64) / (1.0 - m)).ceil() as usize).min(uniques);
            suppressed += x;
            uniques -= x;
            kept -= x;
        }
        if kept == 0 {
            k = 0;
            l.iter_mut().for_each(|x| *x = 0);
        }
        let heights: Vec<usize> = ladders.iter().map(|l| l.codes.len() - 1).collect();
        NodeFigures {
            levels: levels.to_vec(),
            k,
            unique_fraction: if kept == 0 {
                0.0
            } else {
                uniques as f64 / kept as f64
            },
            l,
            suppressed,
            information_loss: precision_loss(levels, &heights, suppressed, self.total),
            passes: kept > 0 && suppressed <= target.max_suppressed,
        }
    }
}

/// One QI's ladder as lookup tables: per level, the code of every level-0 code.
pub struct LevelCodes {
    pub(super) codes: Vec<Vec<u32>>,
    slots: Vec<usize>,
}

impl LevelCodes {
    /// The tables of a ladder.
    pub fn of(ladder: &Ladder) -> LevelCodes {
        LevelCodes {
            codes: ladder.codes_by_level(),
            slots: ladder.slots.clone(),
        }
    }

    pub(super) fn height(&self) -> usize {
        self.codes.len() - 1
    }
}
