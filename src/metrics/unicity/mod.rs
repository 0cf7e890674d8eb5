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

mod singling_out;

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use serde::Serialize;

use singling_out::Tally;
pub use singling_out::{MASK_POINTS, MAX_PAIR_ENTRIES, PairIndex, Scratch};

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
