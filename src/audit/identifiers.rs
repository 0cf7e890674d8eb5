//! Identifier links of a key, normalized or hashed step: the attacker links a right record to
//! every left record that agrees on any identifier they hold (`match_any`), as an exact-match
//! linker on all identifiers does. Each identifier's keys are coded ([`super::keys`]); its
//! links are the pairs of records in one class; the step's links are the union over the
//! identifiers. The number of pairs is known from the class counts before any pair is built,
//! so an exploding many-to-many join is refused before its memory is spent.

use crate::model::TruthLinks;

use super::keys::{ClassCounts, CodedPair, JointKeys, NO_KEY, RowsByClass, same_person};

/// One link: the left record in the high half, the right record in the low half, so that
/// sorting orders links by left record, then right record.
pub type Link = u64;

pub fn link(left: u32, right: u32) -> Link {
    ((left as u64) << 32) | right as u64
}

pub fn left_of(link: Link) -> u32 {
    (link >> 32) as u32
}

pub fn right_of(link: Link) -> u32 {
    link as u32
}

/// Every pair of records in one class, by left record then right record.
pub fn links_of(keys: &JointKeys, counts: &ClassCounts) -> Vec<Link> {
    let right = RowsByClass::of(&keys.right, &counts.right);
    let mut links = Vec::with_capacity(counts.pairs().min(usize::MAX as u64) as usize);
    for (row, &id) in keys.left.iter().enumerate() {
        if id == NO_KEY {
            continue;
        }
        for &r in right.class(id) {
            links.push(link(row as u32, r));
        }
    }
    links
}

/// Keys shared by both sides that link a record to several.
pub fn colliding_keys(counts: &ClassCounts) -> usize {
    counts
        .left
        .iter()
        .zip(&counts.right)
        .filter(|&(&a, &b)| a > 0 && b > 0 && (a > 1 || b > 1))
        .count()
}

/// Which left and right records are among links.
pub fn linked_masks(links: &[Link], rows_left: usize, rows_right: usize) -> (Vec<bool>, Vec<bool>) {
    let (mut left, mut right) = (vec![false; rows_left], vec![false; rows_right]);
    for &l in links {
        left[left_of(l) as usize] = true;
        right[right_of(l) as usize] = true;
    }
    (left, right)
}

/// Distinct left and right records among links.
pub fn linked_records(links: &[Link], rows_left: usize, rows_right: usize) -> (usize, usize) {
    let (left, right) = linked_masks(links, rows_left, rows_right);
    let count = |seen: &[bool]| seen.iter().filter(|&&s| s).count();
    (count(&left), count(&right))
}

/// The union of several identifiers' links, sorted and without repeats.
pub fn union(lists: Vec<Vec<Link>>) -> Vec<Link> {
    let mut all: Vec<Link> = lists.into_iter().flatten().collect();
    all.sort_unstable();
    all.dedup();
    all
}

/// Correct and false links by truth: `(correct, false)`.
pub fn judge(links: &[Link], truth: &CodedPair) -> (u64, u64) {
    let correct = links
        .iter()
        .filter(|&&l| same_person(truth, left_of(l), right_of(l)))
        .count() as u64;
    (correct, links.len() as u64 - correct)
}

/// The truth summary of a step's links.
pub fn truth_links(links: &[Link], truth: &CodedPair) -> TruthLinks {
    let (correct, wrong) = judge(links, truth);
    let mut on_left = vec![false; truth.slots];
    for &code in &truth.left {
        on_left[code as usize] = true;
    }
    let shared = truth
        .right
        .iter()
        .filter(|&&c| c != 0 && on_left[c as usize])
        .count();
    let mut found = vec![false; truth.right.len()];
    for &l in links {
        if same_person(truth, left_of(l), right_of(l)) {
            found[right_of(l) as usize] = true;
        }
    }
    let found = found.iter().filter(|&&f| f).count();
    TruthLinks {
        links: links.len() as u64,
        correct_links: correct,
        false_links: wrong,
        shared_records: shared,
        found_records: found,
        recall: if shared == 0 {
            0.0
        } else {
            found as f64 / shared as f64
        },
    }
}
