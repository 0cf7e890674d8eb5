//! Whether a draw singles its person out, tested for many draws at once: the index of the
//! pairs of points people hold together ([`PairIndex`]), and for a person with a short trace
//! the masks of the points each other person shares ([`Scratch`]). Both give the verdicts of
//! the exact test of `mod.rs`.

use super::*;

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
pub(super) struct Tally {
    pub(super) top: usize,
    pub(super) draws: usize,
    pub(super) seed: u64,
}

impl Tally {
    /// Counts the draws that single out a person with at most [`MASK_POINTS`] points, without
    /// allocating, each draw a mask of positions. Most verdicts come from the pairs of the
    /// trace that nobody else holds (a draw holding one singles out); the masks of points
    /// shared with each other person are built only when a draw holds no such pair. Whole
    /// rows of verdicts that cannot differ (every point shared, every pair private, nobody
    /// sharing `p` points) are counted without drawing.
    pub(super) fn light_person(
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
