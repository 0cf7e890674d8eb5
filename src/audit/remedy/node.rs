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
use crate::metrics::l_diversity::{class_c, class_entropy_l};
use crate::metrics::t_closeness::{OrderedGround, equal_emd};

/// What a node must meet: every rule of the view's policy that its class table decides, and how
/// many records (or people) may be suppressed.
#[derive(Debug, Clone, Copy, Default)]
pub struct Target {
    /// Every class at least this large (`k`, and `max_prosecutor_max` as the smallest k whose
    /// `1/k` is within it).
    pub k: u32,
    /// Every sensitive attribute distinct l-diverse in every class.
    pub l: Option<usize>,
    /// Every sensitive attribute entropy l-diverse: `exp(H)` of every class at least this.
    pub entropy_l: Option<f64>,
    /// Every sensitive attribute recursive (c, l)-diverse: `(l, c)`.
    pub recursive: Option<(usize, f64)>,
    /// Every sensitive attribute t-close: no class farther than this from the kept records'
    /// distribution.
    pub t: Option<f64>,
    /// At most this fraction of the kept records unique.
    pub max_unique_fraction: Option<f64>,
    /// At most this average prosecutor risk (classes over records kept).
    pub max_prosecutor_avg: Option<f64>,
    /// At most this many records (or people) suppressed.
    pub max_suppressed: usize,
}

impl Target {
    /// Whether a class's sensitive values are read.
    fn reads_sensitive(&self) -> bool {
        self.l.is_some() || self.entropy_l.is_some() || self.recursive.is_some() || self.t.is_some()
    }

    /// The smallest k whose highest prosecutor risk `1/k` is at most `max`.
    pub fn k_for_prosecutor_max(max: f64) -> u32 {
        if max <= 0.0 {
            return u32::MAX;
        }
        let mut k = (1.0 / max).floor().max(1.0) as u32;
        while 1.0 / f64::from(k) > max {
            k += 1;
        }
        k
    }
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
    /// Per sensitive attribute (when the target reads them), the fewest distinct values in a
    /// kept class.
    pub l: Vec<usize>,
    /// Per sensitive attribute, the smallest entropy l (`exp(H)`) of a kept class.
    pub entropy_l: Vec<f64>,
    /// Per sensitive attribute, the smallest c for which every kept class is recursive (c, l)
    /// diverse (`None`: a class has fewer than l values); empty without a recursive rule.
    pub recursive_c: Vec<Option<f64>>,
    /// Per sensitive attribute, the largest distance of a kept class from the kept records'
    /// distribution; empty without a t rule.
    pub t: Vec<f64>,
    /// Classes over records (or people) kept: the average prosecutor risk.
    pub prosecutor_avg: f64,
    /// Records (or people) suppressed: those in classes that break a per-class rule (k, l,
    /// t), and the uniques beyond `max_unique_fraction`.
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
    /// Per sensitive attribute, the rows of each unit by value.
    sensitive: Vec<SensitiveUnits>,
    /// Each row's unit.
    unit_of_row: Vec<u32>,
    /// Each unit's first row: uniques beyond the policy are suppressed in this order.
    first_row: Vec<u32>,
    /// Records (or people).
    total: usize,
}

/// One sensitive attribute as a grouping reads it: per row, its value's *position* in the
/// attribute's order (ascending values, numeric order for numbers, the missing value last), as
/// `engine::SensitiveTable` numbers them.
pub struct SensitiveCodes<'a> {
    /// Per row, the value's position.
    pub positions: &'a [u32],
    /// Number of positions.
    pub values: usize,
    /// Ordered (numeric) distance for t-closeness.
    pub numeric: bool,
}

/// One sensitive attribute of the units.
struct SensitiveUnits {
    /// `(unit, position, rows)`, ascending by unit then position.
    entries: Vec<(u32, u32, u32)>,
    /// Number of positions.
    values: usize,
    /// Ordered distance for t-closeness.
    numeric: bool,
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
    /// numbering several rows for some person, units are people. A class's sensitive values
    /// are those of all its rows (of all its people's rows).
    pub fn group(
        qis: &[(&[u32], usize)],
        entity: Option<&EntityNumbers>,
        sensitive: &[SensitiveCodes],
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
            .map(|attribute| {
                let mut keys: Vec<u64> = unit_of_row
                    .iter()
                    .zip(attribute.positions)
                    .map(|(&u, &v)| ((u as u64) << 32) | v as u64)
                    .collect();
                keys.par_sort_unstable();
                let mut entries: Vec<(u32, u32, u32)> = Vec::new();
                for key in keys {
                    let (unit, position) = ((key >> 32) as u32, key as u32);
                    match entries.last_mut() {
                        Some(last) if last.0 == unit && last.1 == position => last.2 += 1,
                        _ => entries.push((unit, position, 1)),
                    }
                }
                SensitiveUnits {
                    entries,
                    values: attribute.values,
                    numeric: attribute.numeric,
                }
            })
            .collect();
        let total = match &shape {
            Shape::Records(_) => rows,
            Shape::People { offsets, .. } => offsets.len() - 1,
        };
        let units = match &shape {
            Shape::Records(sizes) => sizes.len(),
            Shape::People { offsets, .. } => offsets.len() - 1,
        };
        let mut first_row = vec![u32::MAX; units];
        for (row, &unit) in unit_of_row.iter().enumerate() {
            let first = &mut first_row[unit as usize];
            *first = (*first).min(row as u32);
        }
        Units {
            tuples,
            shape,
            sensitive,
            unit_of_row,
            first_row,
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
        let pairs: u64 = self.sensitive.iter().map(|p| p.entries.len() as u64).sum();
        tuples * (self.tuples.len() as u64 + 1) + members + pairs
    }

    /// The most bytes the search holds at once for a view of `rows` rows, `qis` QIs and
    /// `sensitive` attributes, checked against the memory budget before anything is coded:
    /// per row its QI and sensitive codes (4 bytes each), the grouping's key, id and row order
    /// (16), the (person, tuple) pair (8), its unit (4) and the (unit, value) keys and entries
    /// (20 per attribute).
    pub fn estimate(rows: usize, qis: usize, sensitive: usize) -> u64 {
        (rows as u64) * (28 + 4 * qis as u64 + 24 * sensitive as u64)
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
        self.evaluate_kept(ladders, levels, target).0
    }

    /// Per row, whether a node keeps it: a suppressed record, or every row of a suppressed
    /// person, is `false`.
    pub fn kept_rows(
        &self,
        ladders: &[LevelCodes],
        levels: &[usize],
        target: &Target,
    ) -> Vec<bool> {
        let (_, class_of, kept) = self.evaluate_kept(ladders, levels, target);
        self.unit_of_row
            .iter()
            .map(|&u| kept[class_of[u as usize] as usize])
            .collect()
    }

    /// A node's figures, each unit's class and which classes it keeps.
    fn evaluate_kept(
        &self,
        ladders: &[LevelCodes],
        levels: &[usize],
        target: &Target,
    ) -> (NodeFigures, Vec<u32>, Vec<bool>) {
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
        let values: Vec<ClassValues> = if target.reads_sensitive() {
            self.sensitive
                .iter()
                .map(|a| ClassValues::of(a, &class_of, classes))
                .collect()
        } else {
            Vec::new()
        };
        // Classes that break a per-class rule, t judged against every record's distribution.
        let everyone = vec![true; classes];
        let grounds: Vec<Ground> = values.iter().map(|v| v.ground(&everyone)).collect();
        let mut kept: Vec<bool> = (0..classes)
            .map(|c| {
                sizes[c] >= target.k
                    && values
                        .iter()
                        .zip(&grounds)
                        .all(|(v, ground)| v.meets(c, target, ground))
            })
            .collect();
        let mut suppressed: usize = (0..classes)
            .filter(|&c| !kept[c])
            .map(|c| sizes[c] as usize)
            .sum();
        let mut remaining = self.total - suppressed;
        let mut uniques = (0..classes).filter(|&c| kept[c] && sizes[c] == 1).count();
        if let Some(m) = target.max_unique_fraction
            && remaining > 0
            && uniques as f64 > m * remaining as f64
        {
            // The fewest uniques x to suppress so that (u − x) / (kept − x) ≤ m: those whose
            // record (or person) comes first in the data, an order a reader can check.
            let x = (((uniques as f64 - m * remaining as f64) / (1.0 - m)).ceil() as usize)
                .min(uniques);
            let mut unique_units: Vec<(u32, u32)> = class_of
                .iter()
                .enumerate()
                .filter(|&(_, &c)| kept[c as usize] && sizes[c as usize] == 1)
                .map(|(u, &c)| (self.first_row[u], c))
                .collect();
            unique_units.sort_unstable();
            for &(_, c) in unique_units.iter().take(x) {
                kept[c as usize] = false;
            }
            suppressed += x;
            uniques -= x;
            remaining -= x;
        }
        // The figures of what is kept; t against the kept records' own distribution, as a
        // re-audit of the released data measures it.
        let kept_classes: Vec<usize> = (0..classes).filter(|&c| kept[c]).collect();
        let k = kept_classes.iter().map(|&c| sizes[c]).min().unwrap_or(0);
        let l: Vec<usize> = match target.l {
            None => Vec::new(),
            Some(_) => values
                .iter()
                .map(|v| {
                    kept_classes
                        .iter()
                        .map(|&c| v.distinct(c))
                        .min()
                        .unwrap_or(0)
                })
                .collect(),
        };
        let entropy_l: Vec<f64> = match target.entropy_l {
            None => Vec::new(),
            Some(_) => values
                .iter()
                .map(|v| {
                    kept_classes
                        .iter()
                        .map(|&c| class_entropy_l(v.counts(c)))
                        .reduce(f64::min)
                        .unwrap_or(0.0)
                })
                .collect(),
        };
        let recursive_c: Vec<Option<f64>> = match target.recursive {
            None => Vec::new(),
            Some((l, _)) => values
                .iter()
                .map(|v| {
                    let mut sorted = Vec::new();
                    kept_classes.iter().try_fold(0.0f64, |most, &c| {
                        class_c(v.counts(c), l, &mut sorted).map(|x| most.max(x))
                    })
                })
                .collect(),
        };
        let t: Vec<f64> = match target.t {
            None => Vec::new(),
            Some(_) => values
                .iter()
                .map(|v| {
                    let ground = v.ground(&kept);
                    kept_classes
                        .iter()
                        .map(|&c| v.distance(c, &ground))
                        .fold(0.0, f64::max)
                })
                .collect(),
        };
        let prosecutor_avg = if remaining == 0 {
            0.0
        } else {
            kept_classes.len() as f64 / remaining as f64
        };
        let heights: Vec<usize> = ladders.iter().map(|l| l.codes.len() - 1).collect();
        let passes = remaining > 0
            && suppressed <= target.max_suppressed
            && target
                .t
                .is_none_or(|limit| t.iter().all(|&distance| distance <= limit))
            && target
                .max_prosecutor_avg
                .is_none_or(|max| prosecutor_avg <= max);
        let figures = NodeFigures {
            levels: levels.to_vec(),
            k,
            unique_fraction: if remaining == 0 {
                0.0
            } else {
                uniques as f64 / remaining as f64
            },
            l,
            entropy_l,
            recursive_c,
            t,
            prosecutor_avg,
            suppressed,
            information_loss: precision_loss(levels, &heights, suppressed, self.total),
            passes,
        };
        (figures, class_of, kept)
    }
}

/// One sensitive attribute's value counts per class of a node, laid out as
/// `engine::SensitiveTable` lays them out.
struct ClassValues {
    offsets: Vec<u32>,
    positions: Vec<u32>,
    counts: Vec<u32>,
    values: usize,
    numeric: bool,
}

/// The distribution t-closeness measures a class against.
enum Ground {
    /// Every value equally far from every other: the records per value, and their total.
    Equal(Vec<u64>, u64),
    /// Ordered values: the kept values renumbered densely (absent values are not values of
    /// the released data) and their cumulative distribution.
    Ordered {
        dense: Vec<u32>,
        ground: OrderedGround,
    },
}

impl ClassValues {
    /// The units' entries regrouped by class.
    fn of(attribute: &SensitiveUnits, class_of: &[u32], classes: usize) -> ClassValues {
        let mut keyed: Vec<(u64, u32)> = attribute
            .entries
            .iter()
            .map(|&(u, v, n)| (((class_of[u as usize] as u64) << 32) | v as u64, n))
            .collect();
        keyed.sort_unstable_by_key(|&(key, _)| key);
        let mut offsets = vec![0u32; classes + 1];
        let mut positions: Vec<u32> = Vec::with_capacity(keyed.len());
        let mut counts: Vec<u32> = Vec::with_capacity(keyed.len());
        let mut previous = None;
        for (key, n) in keyed {
            if previous == Some(key) {
                *counts.last_mut().expect("pushed") += n;
            } else {
                offsets[(key >> 32) as usize + 1] += 1;
                positions.push(key as u32);
                counts.push(n);
                previous = Some(key);
            }
        }
        for c in 0..classes {
            offsets[c + 1] += offsets[c];
        }
        ClassValues {
            offsets,
            positions,
            counts,
            values: attribute.values,
            numeric: attribute.numeric,
        }
    }

    fn range(&self, class: usize) -> std::ops::Range<usize> {
        self.offsets[class] as usize..self.offsets[class + 1] as usize
    }

    fn distinct(&self, class: usize) -> usize {
        self.range(class).len()
    }

    fn counts(&self, class: usize) -> &[u32] {
        &self.counts[self.range(class)]
    }

    /// The distribution of the records of the classes `kept`.
    fn ground(&self, kept: &[bool]) -> Ground {
        let mut rows = vec![0u64; self.values.max(1)];
        for (class, _) in kept.iter().enumerate().filter(|(_, k)| **k) {
            for i in self.range(class) {
                rows[self.positions[i] as usize] += self.counts[i] as u64;
            }
        }
        let n: u64 = rows.iter().sum();
        let share = |r: u64| if n == 0 { 0.0 } else { r as f64 / n as f64 };
        if !self.numeric {
            return Ground::Equal(rows, n);
        }
        let mut dense = vec![u32::MAX; rows.len()];
        let mut q = Vec::new();
        for (position, &r) in rows.iter().enumerate() {
            if r > 0 {
                dense[position] = q.len() as u32;
                q.push(share(r));
            }
        }
        Ground::Ordered {
            dense,
            ground: OrderedGround::new(&q),
        }
    }

    /// A class's distance from `ground` (`metrics::t_closeness`'s).
    fn distance(&self, class: usize, ground: &Ground) -> f64 {
        let range = self.range(class);
        match ground {
            Ground::Equal(rows, n) => equal_emd(
                rows,
                *n,
                &self.positions[range.clone()],
                &self.counts[range],
            ),
            Ground::Ordered { dense, ground } => {
                let positions: Vec<u32> = self.positions[range.clone()]
                    .iter()
                    .map(|&p| dense[p as usize])
                    .collect();
                ground.emd(&positions, &self.counts[range])
            }
        }
    }

    /// Whether a class meets every per-class rule of the target on this attribute.
    fn meets(&self, class: usize, target: &Target, ground: &Ground) -> bool {
        let counts = self.counts(class);
        target.l.is_none_or(|l| counts.len() >= l)
            && target
                .entropy_l
                .is_none_or(|l| class_entropy_l(counts) >= l)
            && target.recursive.is_none_or(|(l, c)| {
                class_c(counts, l, &mut Vec::new()).is_some_and(|needed| needed <= c)
            })
            && target.t.is_none_or(|t| self.distance(class, ground) <= t)
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
