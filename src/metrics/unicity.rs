//! Unicity of purchase histories (de Montjoye, Radaelli, Singh and Pentland, "Unique in the
//! shopping mall: On the reidentifiability of credit card metadata", Science 347:536, 2015).
//!
//! A *point* is one row's tuple of the point columns (e.g. store, day); a person's *trace* is
//! the set of their distinct points. For `p = 1..P`, each person with at least `p` points gets
//! `D` draws of `p` distinct points of their own trace, uniformly without replacement; a draw
//! *singles the person out* when no other person's trace contains all `p` points. Then
//!
//! `ε_p = draws that single out / (people with ≥ p points × D)`,
//!
//! reported with a 95% Wilson score interval over those draws (Wilson 1927):
//! `(x̂ + z²/2n ± z·sqrt(x̂(1−x̂)/n + z²/4n²)) / (1 + z²/n)`, `z = 1.96`.
//!
//! The exact test intersects the posting lists (the people holding each drawn point) from the
//! smallest one, and stops at the first other person who holds every drawn point. Traces and
//! posting lists are built once, over coded points. Where a person's draws would walk more
//! holders than their whole trace has, their draws are tested together instead: one walk of
//! the trace's posting lists gives, for every other person sharing two or more of the points,
//! the shared points as a bit mask, and a draw singles out when no mask holds it all
//! ([`Method::SharedMasks`]). Both tests give the same verdicts.
//!
//! This module is the engine; the `unicity` command reads it ([`crate::audit::history`]).

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use serde::Serialize;

/// Marks a row that is not counted: no entity, or not a point.
pub const NONE: u32 = u32::MAX;

/// Every person's trace and every point's holders, as sorted lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Traces {
    trace_offsets: Vec<usize>,
    trace_points: Vec<u32>,
    holder_offsets: Vec<usize>,
    holders: Vec<u32>,
}

/// Sorted, deduplicated lists of `items` grouped by `key` (a counting sort), as offsets.
fn lists(pairs: &mut [(u32, u32)], keys: usize) -> (Vec<usize>, Vec<u32>) {
    use rayon::slice::ParallelSliceMut;
    pairs.par_sort_unstable();
    let mut offsets = Vec::with_capacity(keys + 1);
    let mut items = Vec::with_capacity(pairs.len());
    offsets.push(0);
    let mut at = 0;
    for key in 0..keys as u32 {
        while at < pairs.len() && pairs[at].0 == key {
            if items.len() == *offsets.last().unwrap() || items.last() != Some(&pairs[at].1) {
                items.push(pairs[at].1);
            }
            at += 1;
        }
        offsets.push(items.len());
    }
    (offsets, items)
}

impl Traces {
    /// Builds the traces of `people` people over `points` points from each row's person and
    /// point ([`NONE`] where the row is not counted).
    pub fn build(
        person_of_row: &[u32],
        point_of_row: &[u32],
        people: usize,
        points: usize,
    ) -> Traces {
        let mut by_person: Vec<(u32, u32)> = person_of_row
            .iter()
            .zip(point_of_row)
            .filter(|&(&e, &p)| e != NONE && p != NONE)
            .map(|(&e, &p)| (e, p))
            .collect();
        let mut by_point: Vec<(u32, u32)> = by_person.iter().map(|&(e, p)| (p, e)).collect();
        let (trace_offsets, trace_points) = lists(&mut by_person, people);
        let (holder_offsets, holders) = lists(&mut by_point, points);
        Traces {
            trace_offsets,
            trace_points,
            holder_offsets,
            holders,
        }
    }

    /// Number of people.
    pub fn people(&self) -> usize {
        self.trace_offsets.len() - 1
    }

    /// A person's distinct points, ascending.
    pub fn trace(&self, person: u32) -> &[u32] {
        let p = person as usize;
        &self.trace_points[self.trace_offsets[p]..self.trace_offsets[p + 1]]
    }

    /// The people holding a point, ascending.
    pub fn holders(&self, point: u32) -> &[u32] {
        let p = point as usize;
        &self.holders[self.holder_offsets[p]..self.holder_offsets[p + 1]]
    }

    /// Whether no person other than `person` holds every point of `draw` (points of the
    /// person's own trace): the posting lists are intersected from the smallest, each of its
    /// other holders tested against the rest, and the test stops at the first who holds all.
    pub fn singles_out(&self, person: u32, draw: &[u32]) -> bool {
        let mut lists: Vec<&[u32]> = draw.iter().map(|&p| self.holders(p)).collect();
        lists.sort_by_key(|l| l.len());
        let Some((first, rest)) = lists.split_first() else {
            return false;
        };
        // Someone else singles the person out of nothing if they hold every drawn point: look
        // for such a person among the holders of the rarest point, stopping at the first.
        !first
            .iter()
            .filter(|&&other| other != person)
            .any(|other| rest.iter().all(|list| list.binary_search(other).is_ok()))
            && first.binary_search(&person).is_ok()
    }
}

/// `p` distinct points of `trace`, uniformly without replacement (a partial Fisher–Yates
/// shuffle of a copy).
pub fn draw_points(trace: &[u32], p: usize, rng: &mut StdRng) -> Vec<u32> {
    let mut pool = trace.to_vec();
    for i in 0..p.min(pool.len()) {
        let j = rng.random_range(i..pool.len());
        pool.swap(i, j);
    }
    pool.truncate(p);
    pool
}

/// The 95% Wilson score interval of `successes` out of `n`.
pub fn wilson(successes: u64, n: u64) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let z = 1.959_963_984_540_054_f64;
    let (n, x) = (n as f64, successes as f64 / n as f64);
    let successes = successes as f64;
    let centre = x + z * z / (2.0 * n);
    let spread = z * (x * (1.0 - x) / n + z * z / (4.0 * n * n)).sqrt();
    let scale = 1.0 + z * z / n;
    // At x̂ = 0 (or 1) the bound is 0 (or 1) exactly; rounding would leave it a hair off.
    let low = if successes == 0.0 {
        0.0
    } else {
        ((centre - spread) / scale).max(0.0)
    };
    let high = if x == 1.0 {
        1.0
    } else {
        ((centre + spread) / scale).min(1.0)
    };
    (low, high)
}

/// ε_p and its interval.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CurvePoint {
    /// Points drawn per person.
    pub p: usize,
    /// People with at least `p` points.
    pub people: usize,
    /// Draws that singled their person out, of `people × draws`.
    pub unique_draws: u64,
    /// `ε_p`; null when nobody has `p` points.
    pub unique_fraction: Option<f64>,
    /// The 95% Wilson interval of ε_p: low end.
    pub ci_low: Option<f64>,
    /// High end.
    pub ci_high: Option<f64>,
}

/// The draws of one person at one `p`, in the order the curve makes them: the generator is
/// seeded per (seed, p, person), so a person's draws do not depend on who else is counted.
pub fn person_draws(
    traces: &Traces,
    person: u32,
    p: usize,
    draws: usize,
    seed: u64,
) -> Vec<Vec<u32>> {
    let trace = traces.trace(person);
    draw_positions(trace.len(), person, p, draws, seed)
        .iter()
        .map(|d| d.iter().map(|&i| trace[i as usize]).collect())
        .collect()
}

/// [`person_draws`] as positions in the person's trace (the same generator calls, so the same
/// points).
fn draw_positions(len: usize, person: u32, p: usize, draws: usize, seed: u64) -> Vec<Vec<u32>> {
    let mut rng = person_rng(seed, p, person);
    let positions: Vec<u32> = (0..len as u32).collect();
    (0..draws)
        .map(|_| draw_points(&positions, p, &mut rng))
        .collect()
}

/// The generator of one person's draws at one `p`.
fn person_rng(seed: u64, p: usize, person: u32) -> StdRng {
    let mix = seed
        ^ (p as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ^ (person as u64).wrapping_mul(0xC2B2_AE3D_27D4_EB4F);
    StdRng::seed_from_u64(mix)
}

/// One draw of `p` of `len ≤ 64` positions as a bit mask: the generator calls of
/// [`draw_points`] on the positions `0..len`, so the same draw, without allocating.
fn draw_mask(len: usize, p: usize, rng: &mut StdRng) -> u64 {
    let mut pool = [0u8; MASK_POINTS];
    for (i, slot) in pool.iter_mut().enumerate().take(len) {
        *slot = i as u8;
    }
    let mut mask = 0u64;
    for i in 0..p.min(len) {
        let j = rng.random_range(i..len);
        pool.swap(i, j);
        mask |= 1 << pool[i];
    }
    mask
}

/// How one person's draws are tested; all give the same verdicts (tests/unicity.rs).
#[derive(Debug, Clone, Copy)]
pub enum Method<'a> {
    /// Each draw on its own: [`Traces::singles_out`].
    PostingLists,
    /// Once per person, for every other person who shares at least two of their points, the
    /// set of those shared points as a bit mask over the trace; a draw of `p ≥ 2` points
    /// singles the person out when no mask holds all of it, and a draw of one point when the
    /// person is its only holder. Costs one walk of the trace's posting lists for all the
    /// person's draws; traces of up to 64 points.
    SharedMasks,
    /// The same masks found through the pairs of points instead of single points: only the
    /// people who hold a pair of the person's points are visited, usually a handful where each
    /// point alone has thousands of holders. For traces of up to 64 points, with the pair
    /// index of every such trace ([`PairIndex`]).
    SharedPairs(&'a PairIndex),
}

/// Every pair of points `(x, y)`, `x < y`, held together by a person whose trace has at most
/// [`MASK_POINTS`] points ("light" people), with its holders; and each point's holders among
/// the other ("heavy") people. A pair is found by hashing (one or two cache misses where a
/// search through a busy point's pairs would take a dozen).
#[derive(Debug, Clone)]
pub struct PairIndex {
    ranges: hashbrown::HashMap<u64, (u32, u32)>,
    holders: Vec<u32>,
    heavy_offsets: Vec<usize>,
    heavy: Vec<u32>,
}

/// The most pair entries a [`PairIndex`] is built with (16 bytes each while it is built, and
/// about as much again for the table: 1 GiB at most); beyond it the curve tests people by
/// points instead.
pub const MAX_PAIR_ENTRIES: usize = 32 << 20;

fn pair_key(x: u32, y: u32) -> u64 {
    (x as u64) << 32 | y as u64
}

impl PairIndex {
    /// Entries the index of `traces` would hold: `Σ C(len, 2)` over light people.
    pub fn entries_needed(traces: &Traces) -> usize {
        (0..traces.people() as u32)
            .map(|e| traces.trace(e).len())
            .filter(|&len| len <= MASK_POINTS)
            .map(|len| len * len.saturating_sub(1) / 2)
            .sum()
    }

    /// Builds the index: every light person's pairs sorted by (pair, person), then one range
    /// of holders per pair.
    pub fn build(traces: &Traces) -> PairIndex {
        use rayon::prelude::*;
        let points = traces.holder_offsets.len() - 1;
        let light = |e: u32| traces.trace(e).len() <= MASK_POINTS;
        let mut entries: Vec<(u64, u32)> = (0..traces.people() as u32)
            .into_par_iter()
            .filter(|&e| light(e))
            .flat_map_iter(|e| {
                let trace = traces.trace(e);
                trace.iter().enumerate().flat_map(move |(i, &x)| {
                    trace[i + 1..].iter().map(move |&y| (pair_key(x, y), e))
                })
            })
            .collect();
        entries.par_sort_unstable();
        let mut ranges = hashbrown::HashMap::new();
        let mut holders = Vec::with_capacity(entries.len());
        let mut start = 0;
        while start < entries.len() {
            let key = entries[start].0;
            let mut end = start;
            while end < entries.len() && entries[end].0 == key {
                holders.push(entries[end].1);
                end += 1;
            }
            ranges.insert(key, (start as u32, (end - start) as u32));
            start = end;
        }
        drop(entries);
        let mut heavy_offsets = Vec::with_capacity(points + 1);
        let mut heavy = Vec::new();
        heavy_offsets.push(0);
        for x in 0..points as u32 {
            heavy.extend(traces.holders(x).iter().filter(|&&e| !light(e)));
            heavy_offsets.push(heavy.len());
        }
        PairIndex {
            ranges,
            holders,
            heavy_offsets,
            heavy,
        }
    }

    /// The light people holding both `x` and `y` (`x < y`), ascending.
    fn holders(&self, x: u32, y: u32) -> &[u32] {
        match self.ranges.get(&pair_key(x, y)) {
            Some(&(start, len)) => &self.holders[start as usize..(start + len) as usize],
            None => &[],
        }
    }

    /// How many light people hold both `x` and `y` (`x < y`).
    fn count(&self, x: u32, y: u32) -> usize {
        self.ranges.get(&pair_key(x, y)).map_or(0, |r| r.1 as usize)
    }

    /// The heavy people holding `x`.
    fn heavy_holders(&self, x: u32) -> &[u32] {
        &self.heavy[self.heavy_offsets[x as usize]..self.heavy_offsets[x as usize + 1]]
    }
}

/// The longest trace [`Method::SharedMasks`] handles (one `u64` per other person).
pub const MASK_POINTS: usize = 64;

/// Per-thread scratch for [`Method::SharedMasks`]: a mask per person, and who was touched.
#[derive(Default)]
pub struct Scratch {
    masks: Vec<u64>,
    touched: Vec<u32>,
    shared: Vec<u64>,
}

impl Traces {
    /// The masks of the other people who share at least two of `person`'s points (bit `i` is
    /// the trace's `i`-th point), deduplicated, into `scratch.shared`.
    fn shared_masks(&self, person: u32, scratch: &mut Scratch) {
        let trace = self.trace(person);
        debug_assert!(trace.len() <= MASK_POINTS);
        if scratch.masks.len() < self.people() {
            scratch.masks = vec![0; self.people()];
        }
        for (i, &point) in trace.iter().enumerate() {
            for &other in self.holders(point) {
                if other == person {
                    continue;
                }
                let mask = &mut scratch.masks[other as usize];
                if *mask == 0 {
                    scratch.touched.push(other);
                }
                *mask |= 1 << i;
            }
        }
        self.collect_shared(scratch);
    }

    /// [`Traces::shared_masks`] through the pair index: the light people met through the
    /// trace's pairs, the heavy ones through its points.
    fn shared_pair_masks(&self, person: u32, index: &PairIndex, scratch: &mut Scratch) {
        let trace = self.trace(person);
        debug_assert!(trace.len() <= MASK_POINTS);
        if scratch.masks.len() < self.people() {
            scratch.masks = vec![0; self.people()];
        }
        let mark = |other: u32, bits: u64, scratch: &mut Scratch| {
            if other == person {
                return;
            }
            let mask = &mut scratch.masks[other as usize];
            if *mask == 0 {
                scratch.touched.push(other);
            }
            *mask |= bits;
        };
        for (i, &x) in trace.iter().enumerate() {
            for (j, &y) in trace.iter().enumerate().skip(i + 1) {
                for &other in index.holders(x, y) {
                    mark(other, 1 << i | 1 << j, scratch);
                }
            }
            for &other in index.heavy_holders(x) {
                mark(other, 1 << i, scratch);
            }
        }
        self.collect_shared(scratch);
    }

    /// Moves the touched people's masks of two or more points into `scratch.shared`
    /// (deduplicated) and clears the rest of the scratch.
    fn collect_shared(&self, scratch: &mut Scratch) {
        scratch.shared.clear();
        for &other in &scratch.touched {
            let mask = std::mem::take(&mut scratch.masks[other as usize]);
            if mask.count_ones() >= 2 {
                scratch.shared.push(mask);
            }
        }
        scratch.touched.clear();
        scratch.shared.sort_unstable();
        scratch.shared.dedup();
    }

    /// The verdict of each draw (positions in `person`'s trace), `draws_by_p[p - 1]` holding
    /// the draws of `p` points, by the given method.
    pub fn verdicts(
        &self,
        person: u32,
        draws_by_p: &[Vec<Vec<u32>>],
        method: Method,
        scratch: &mut Scratch,
    ) -> Vec<Vec<bool>> {
        let trace = self.trace(person);
        match method {
            Method::PostingLists => draws_by_p
                .iter()
                .map(|draws| {
                    draws
                        .iter()
                        .map(|d| {
                            let points: Vec<u32> = d.iter().map(|&i| trace[i as usize]).collect();
                            self.singles_out(person, &points)
                        })
                        .collect()
                })
                .collect(),
            Method::SharedMasks | Method::SharedPairs(_) => {
                match method {
                    Method::SharedPairs(index) => self.shared_pair_masks(person, index, scratch),
                    _ => self.shared_masks(person, scratch),
                }
                draws_by_p
                    .iter()
                    .map(|draws| {
                        draws
                            .iter()
                            .map(|d| match d.as_slice() {
                                [] => false,
                                [only] => self.holders(trace[*only as usize]).len() == 1,
                                _ => {
                                    let drawn = d.iter().fold(0u64, |m, &i| m | 1 << i);
                                    !scratch.shared.iter().any(|&m| m & drawn == drawn)
                                }
                            })
                            .collect()
                    })
                    .collect()
            }
        }
    }

    /// The cheaper method for a person's draws: the posting-list test walks the rarest drawn
    /// point's holders once per draw (and searches the other lists for each), the shared masks
    /// walk every point's holders once.
    /// (With a pair index, the curve tests people of short traces through it instead.)
    pub fn cheaper_method(&self, person: u32, draws_by_p: &[Vec<Vec<u32>>]) -> Method<'static> {
        let trace = self.trace(person);
        if trace.len() > MASK_POINTS {
            return Method::PostingLists;
        }
        let masks: usize = trace.iter().map(|&x| self.holders(x).len()).sum();
        let mut lists = 0usize;
        for (p, draws) in draws_by_p.iter().enumerate().skip(1) {
            for d in draws {
                let rarest = d
                    .iter()
                    .map(|&i| self.holders(trace[i as usize]).len())
                    .min()
                    .unwrap_or(0);
                lists += rarest * p;
                if lists >= masks {
                    return Method::SharedMasks;
                }
            }
        }
        Method::PostingLists
    }
}

/// One person's draws at `p = 1..=top`.
struct Tally {
    top: usize,
    draws: usize,
    seed: u64,
}

impl Tally {
    /// Counts the draws that single out a person with at most [`MASK_POINTS`] points, without
    /// allocating, each draw a mask of positions. Most verdicts come from the pairs of the
    /// trace that nobody else holds (a draw holding one singles out); the masks of points
    /// shared with each other person are built only when a draw holds no such pair. Whole
    /// rows of verdicts that cannot differ (every point shared, every pair private, nobody
    /// sharing `p` points) are counted without drawing.
    fn light_person(
        &self,
        traces: &Traces,
        person: u32,
        index: &PairIndex,
        scratch: &mut Scratch,
        counted: &mut [usize],
        hits: &mut [u64],
    ) {
        let trace = traces.trace(person);
        let len = trace.len();
        let draws = self.draws as u64;
        // With people of long traces holding some of the points, pair counts are not the whole
        // story: every verdict of two or more points then reads the masks.
        let heavy_near = trace.iter().any(|&x| !index.heavy_holders(x).is_empty());
        let mut private_pair_with = [0u64; MASK_POINTS];
        let mut private_pairs = 0;
        if !heavy_near {
            for (i, &x) in trace.iter().enumerate() {
                for (j, &y) in trace.iter().enumerate().skip(i + 1) {
                    if index.count(x, y) == 1 {
                        private_pair_with[i] |= 1 << j;
                        private_pair_with[j] |= 1 << i;
                        private_pairs += 1;
                    }
                }
            }
        }
        let all_pairs = len * len.saturating_sub(1) / 2;
        let private_points = trace
            .iter()
            .filter(|&&x| traces.holders(x).len() == 1)
            .count();
        let mut widest: Option<Option<u32>> = None;
        for p in 1..=self.top {
            let mut known = match p {
                1 if private_points == 0 => Some(0),
                1 if private_points == len => Some(draws),
                1 => None,
                _ if !heavy_near && private_pairs == all_pairs => Some(draws),
                2 if !heavy_near && private_pairs == 0 => Some(0),
                _ => None,
            };
            if known.is_none() && p >= 3 {
                let w = *widest.get_or_insert_with(|| {
                    traces.shared_pair_masks(person, index, scratch);
                    scratch.shared.iter().map(|m| m.count_ones()).max()
                });
                if w.is_none_or(|w| (w as usize) < p) {
                    known = Some(draws);
                }
            }
            counted[p - 1] += 1;
            if let Some(singled) = known {
                hits[p - 1] += singled;
                continue;
            }
            let mut rng = person_rng(self.seed, p, person);
            let mut singled = 0u64;
            for _ in 0..self.draws {
                let drawn = draw_mask(len, p, &mut rng);
                let hit = if p == 1 {
                    traces.holders(trace[drawn.trailing_zeros() as usize]).len() == 1
                } else if bits(drawn).any(|i| private_pair_with[i] & drawn != 0) {
                    true
                } else if p == 2 && !heavy_near {
                    false
                } else {
                    if widest.is_none() {
                        traces.shared_pair_masks(person, index, scratch);
                        widest = Some(scratch.shared.iter().map(|m| m.count_ones()).max());
                    }
                    !scratch.shared.iter().any(|&m| m & drawn == drawn)
                };
                singled += hit as u64;
            }
            hits[p - 1] += singled;
        }
    }
}

/// The positions of a mask's set bits.
fn bits(mut mask: u64) -> impl Iterator<Item = usize> {
    std::iter::from_fn(move || {
        (mask != 0).then(|| {
            let i = mask.trailing_zeros() as usize;
            mask &= mask - 1;
            i
        })
    })
}

/// The largest p a curve draws (the command line and plans refuse more): de Montjoye et al.
/// found four points enough for 95% of people, and each p costs a pass over everyone.
pub const MAX_POINTS: usize = 100;

/// The most draws per person and p (the command line and plans refuse more).
pub const MAX_DRAWS: usize = 10_000;

/// ε_p for `p = 1..=max_points`, `draws` draws per person, deterministic for `seed`. People
/// are taken one at a time (in parallel), all their draws for every `p` together, so that the
/// work of testing them is shared ([`Method::SharedMasks`]) where that is cheaper.
pub fn curve(traces: &Traces, max_points: usize, draws: usize, seed: u64) -> Vec<CurvePoint> {
    use rayon::prelude::*;
    thread_local! {
        static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::new(Scratch::default());
    }
    let people = traces.people() as u32;
    let index =
        (PairIndex::entries_needed(traces) <= MAX_PAIR_ENTRIES).then(|| PairIndex::build(traces));
    let (counted, hits) = (0..people)
        .into_par_iter()
        .with_min_len(256)
        .fold(
            || (vec![0usize; max_points], vec![0u64; max_points]),
            |(mut counted, mut hits), e| {
                let len = traces.trace(e).len();
                let top = len.min(max_points);
                if let (Some(index), true) = (&index, len <= MASK_POINTS) {
                    SCRATCH.with(|s| {
                        let tally = Tally { top, draws, seed };
                        let scratch = &mut s.borrow_mut();
                        tally.light_person(traces, e, index, scratch, &mut counted, &mut hits);
                    });
                    return (counted, hits);
                }
                let draws_by_p: Vec<Vec<Vec<u32>>> = (1..=top)
                    .map(|p| draw_positions(len, e, p, draws, seed))
                    .collect();
                let method = traces.cheaper_method(e, &draws_by_p);
                let verdicts =
                    SCRATCH.with(|s| traces.verdicts(e, &draws_by_p, method, &mut s.borrow_mut()));
                for (p, v) in verdicts.iter().enumerate() {
                    counted[p] += 1;
                    hits[p] += v.iter().filter(|&&x| x).count() as u64;
                }
                (counted, hits)
            },
        )
        .reduce(
            || (vec![0usize; max_points], vec![0u64; max_points]),
            |(mut c1, mut h1), (c2, h2)| {
                for p in 0..max_points {
                    c1[p] += c2[p];
                    h1[p] += h2[p];
                }
                (c1, h1)
            },
        );
    (1..=max_points)
        .map(|p| {
            let (people, unique_draws) = (counted[p - 1], hits[p - 1]);
            let n = (people * draws) as u64;
            let (low, high) = wilson(unique_draws, n);
            CurvePoint {
                p,
                people,
                unique_draws,
                unique_fraction: (n > 0).then(|| unique_draws as f64 / n as f64),
                ci_low: (n > 0).then_some(low),
                ci_high: (n > 0).then_some(high),
            }
        })
        .collect()
}

/// The median number of points per person (the mean of the two middle ones for an even
/// count); 0 without people.
pub fn median_points(traces: &Traces) -> f64 {
    let mut lengths: Vec<usize> = (0..traces.people() as u32)
        .map(|e| traces.trace(e).len())
        .collect();
    if lengths.is_empty() {
        return 0.0;
    }
    lengths.sort_unstable();
    let mid = lengths.len() / 2;
    if lengths.len() % 2 == 1 {
        lengths[mid] as f64
    } else {
        (lengths[mid - 1] + lengths[mid]) as f64 / 2.0
    }
}
