//! Linkage figures of a quasi-identifier step (the Sweeney attack), from class tables: the
//! attacker holds an identified view A and a target view B and matches on shared QIs C.
//! Both sides are numbered by their C-values in one class numbering ([`super::keys`]); the
//! candidates of a B record are the A records of its class. With `a_c` and `b_c` the records
//! of class `c` on each side:
//!
//! - `unique_matches`: B records whose C-values occur exactly once in B and exactly once in A
//!   (classes with `a_c = b_c = 1`);
//! - `expected_reidentifications = Σ_{b with ≥1 candidate} 1/|candidates of b| = Σ_c b_c / a_c`;
//! - `candidate_pairs = Σ_c a_c · b_c` (the rows an inner join would have produced);
//! - `candidate_histogram`: B records by their number of candidates (0, 1, 2, 3-4, 5-9, 10+);
//! - `disclosures`: for a sensitive attribute of B, the A records whose candidates all hold one
//!   (non-missing) value of it, as a fraction of A; for one of A, the B records whose
//!   candidates all hold one value, as a fraction of B;
//! - with a truth column on each side, how many unique matches are correct.
//!
//! A record missing any value of C has no candidates (a missing value links nothing). No
//! candidate pair is ever materialised: every figure is a sum over classes.

use std::collections::BTreeMap;

use crate::model::{CandidateBucket, Disclosure, DisclosureSide, Linkage};

use super::keys::{ClassCounts, JointKeys, NO_KEY};

/// The buckets of the candidate histogram, with the smallest count of each.
const BUCKETS: [(&str, u32); 6] = [
    ("0", 0),
    ("1", 1),
    ("2", 2),
    ("3-4", 3),
    ("5-9", 5),
    ("10+", 10),
];

fn bucket(candidates: u32) -> usize {
    BUCKETS
        .iter()
        .rposition(|&(_, from)| candidates >= from)
        .unwrap_or(0)
}

/// A sensitive attribute of one side, as per-row codes (`0` missing).
pub struct Attribute<'a> {
    pub name: String,
    pub codes: &'a [u32],
}

/// Per class: the one value its records on a side hold, [`MIXED`] when they hold several (or
/// a missing one), `0` when the class has no record on that side.
const MIXED: u32 = u32::MAX;

fn single_values(ids: &[u32], codes: &[u32], classes: usize) -> Vec<u32> {
    let mut value = vec![0u32; classes];
    for (&id, &code) in ids.iter().zip(codes) {
        if id == NO_KEY {
            continue;
        }
        let v = &mut value[id as usize];
        *v = if code == 0 {
            MIXED
        } else if *v == 0 || *v == code {
            code
        } else {
            MIXED
        };
    }
    value
}

fn fraction(x: f64, of: usize) -> f64 {
    if of == 0 { 0.0 } else { x / of as f64 }
}

/// The linkage figures of identified side A (`keys.left`) against target side B
/// (`keys.right`). `correct` counts correct unique matches when truth columns were given.
pub fn linkage(
    keys: &JointKeys,
    counts: &ClassCounts,
    target_attributes: &[Attribute],
    identified_attributes: &[Attribute],
    correct: Option<usize>,
) -> Linkage {
    let (a, b) = (&counts.left, &counts.right);
    let (mut unique, mut with_candidates) = (0usize, 0usize);
    // Target records by their number of candidates, summed as integers first: the figure is
    // then the same whatever order the classes are numbered in (a file's, a database's).
    let mut by_candidates: BTreeMap<u64, u64> = BTreeMap::new();
    for (&na, &nb) in a.iter().zip(b) {
        if na == 0 || nb == 0 {
            continue;
        }
        if na == 1 && nb == 1 {
            unique += 1;
        }
        with_candidates += nb as usize;
        *by_candidates.entry(na as u64).or_default() += nb as u64;
    }
    let expected: f64 = by_candidates
        .iter()
        .map(|(&na, &nb)| nb as f64 / na as f64)
        .sum();
    let mut histogram = vec![0usize; BUCKETS.len()];
    for &id in &keys.right {
        let candidates = if id == NO_KEY { 0 } else { a[id as usize] };
        histogram[bucket(candidates)] += 1;
    }
    let (identified_rows, target_rows) = (keys.left.len(), keys.right.len());
    let mut disclosures = BTreeMap::new();
    for attr in target_attributes {
        let single = single_values(&keys.right, attr.codes, keys.classes);
        let records: usize = (0..keys.classes)
            .filter(|&c| a[c] > 0 && b[c] > 0 && single[c] != MIXED)
            .map(|c| a[c] as usize)
            .sum();
        disclosures.insert(
            attr.name.clone(),
            Disclosure {
                side: DisclosureSide::Target,
                records,
                fraction: fraction(records as f64, identified_rows),
            },
        );
    }
    for attr in identified_attributes {
        let single = single_values(&keys.left, attr.codes, keys.classes);
        let records: usize = (0..keys.classes)
            .filter(|&c| a[c] > 0 && b[c] > 0 && single[c] != MIXED)
            .map(|c| b[c] as usize)
            .sum();
        disclosures.entry(attr.name.clone()).or_insert(Disclosure {
            side: DisclosureSide::Identified,
            records,
            fraction: fraction(records as f64, target_rows),
        });
    }
    Linkage {
        identified_rows,
        target_rows,
        unique_matches: unique,
        unique_match_fraction: fraction(unique as f64, target_rows),
        targets_with_candidates: with_candidates,
        candidate_pairs: counts.pairs(),
        expected_reidentifications: expected,
        expected_reidentification_fraction: fraction(expected, target_rows),
        candidate_histogram: BUCKETS
            .iter()
            .zip(histogram)
            .map(|(&(candidates, _), records)| CandidateBucket {
                candidates,
                records,
            })
            .collect(),
        disclosures,
        correct_unique_matches: correct,
    }
}

/// Per class, the first record of a side (`NO_KEY` when the class has none there).
pub fn first_rows(ids: &[u32], classes: usize) -> Vec<u32> {
    let mut first = vec![NO_KEY; classes];
    for (row, &id) in ids.iter().enumerate() {
        if id != NO_KEY && first[id as usize] == NO_KEY {
            first[id as usize] = row as u32;
        }
    }
    first
}

/// For every target record, the identified record it links to when it has exactly one
/// candidate.
pub fn unique_candidates(keys: &JointKeys, counts: &ClassCounts) -> Vec<Option<u32>> {
    let first = first_rows(&keys.left, keys.classes);
    keys.right
        .iter()
        .map(|&id| (id != NO_KEY && counts.left[id as usize] == 1).then(|| first[id as usize]))
        .collect()
}
