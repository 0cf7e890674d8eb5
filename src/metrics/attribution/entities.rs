//! The QI-subset lattice over entities: a record is a person, and a person's value on a
//! column subset is the multiset of their rows' projections on it. Each subset's entities are
//! grouped afresh ([`crate::engine::entity::classes_of_entities`]).
//!
//! Uniqueness stays monotone: two people with equal multisets on a subset T have equal
//! multisets on every subset of T (project each row further), so a person unique on T is
//! unique on every superset. A subset T is a minimal sample unique (MSU) of a person unique on
//! T and on none of T's immediate subsets, as in the row lattice ([`super::lattice`]).

use super::lattice::{Lattice, PartitionFigures, SubsetFigures, search_size};
use crate::Result;
use crate::engine::EncodedColumn;
use crate::engine::entity::{EntityClasses, EntityNumbers, classes_of_entities};

fn classes(
    qis: &[EncodedColumn],
    numbers: &EntityNumbers,
    rows: usize,
    mask: u32,
) -> EntityClasses {
    let columns: Vec<(&[u32], usize)> = qis
        .iter()
        .enumerate()
        .filter(|(c, _)| mask & (1 << c) != 0)
        .map(|(_, c)| (c.codes.as_slice(), c.slots()))
        .collect();
    classes_of_entities(&columns, numbers, rows)
}

/// The partition figures of the entities on the QIs in `mask`.
pub fn partition(
    qis: &[EncodedColumn],
    numbers: &EntityNumbers,
    rows: usize,
    mask: u32,
) -> PartitionFigures {
    PartitionFigures::from_sizes(&classes(qis, numbers, rows, mask).sizes)
}

/// Every subset of at most `max_size` QIs, by size then mask, with its figures over entities
/// and the entities (numbered as in `numbers`) for which it is an MSU.
pub fn walk_entities(
    qis: &[EncodedColumn],
    numbers: &EntityNumbers,
    rows: usize,
    max_size: usize,
) -> Result<Lattice> {
    let m = qis.len();
    let (max_size, visits) = search_size(m, max_size)?;
    // A flag per person for every visited subset, and one subset's grouping of the rows.
    let needed = (visits as u64)
        .saturating_mul(numbers.len() as u64)
        .saturating_add(rows as u64 * 16);
    crate::budget::check(needed, || {
        format!(
            "the attribution lattice of {m} quasi-identifiers up to size {max_size} over {} people (--max-msu limits it)",
            crate::format::thousands(numbers.len())
        )
    })?;
    let mut masks: Vec<u32> = (1u32..(1u32 << m))
        .filter(|mask| mask.count_ones() as usize <= max_size)
        .collect();
    masks.sort_by_key(|&mask| (mask.count_ones(), mask));
    let people = numbers.len();
    // Per visited subset, which people are unique on it (kept for the next level's test).
    let mut unique_on: hashbrown::HashMap<u32, Vec<bool>> = hashbrown::HashMap::new();
    let mut subsets = Vec::with_capacity(masks.len());
    for mask in masks {
        let grouped = classes(qis, numbers, rows, mask);
        let unique: Vec<bool> = grouped
            .entity_classes
            .iter()
            .map(|&c| grouped.sizes[c as usize] == 1)
            .collect();
        let parents: Vec<&Vec<bool>> = (0..m)
            .filter(|c| mask & (1 << c) != 0 && mask.count_ones() > 1)
            .filter_map(|c| unique_on.get(&(mask & !(1 << c))))
            .collect();
        let msu_rows: Vec<u32> = (0..people)
            .filter(|&e| unique[e] && parents.iter().all(|p| !p[e]))
            .map(|e| e as u32)
            .collect();
        let partition = PartitionFigures::from_sizes(&grouped.sizes);
        subsets.push(SubsetFigures {
            mask,
            uniques: partition.uniques,
            partition,
            msu_rows,
        });
        unique_on.insert(mask, unique);
        // Only the previous level is read by the next one.
        let level = mask.count_ones();
        unique_on.retain(|k, _| k.count_ones() + 1 >= level);
    }
    Ok(Lattice {
        columns: m,
        subsets,
    })
}
