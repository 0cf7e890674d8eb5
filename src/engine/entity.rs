//! Entities: when one person has many rows (purchases, sessions), every figure counts people.
//! An entity's quasi-identifier value is the multiset of the QI tuples of its rows (order
//! ignored, repeats counted, as Google DLP's `entity_id` defines it); equivalence classes group
//! entities with equal multisets. A row whose entity value is missing is a person of its own,
//! the conservative choice (it can only make more people unique).
//!
//! One pass numbers the rows' QI tuples ([`group_rows`]); the (entity, tuple) pairs are sorted
//! so that each entity's tuples lie together in ascending order, which is its multiset written
//! canonically; equal multisets are found by hashing those runs. The sensitive tables read the
//! values of all rows of a class.

use hashbrown::HashMap;
use rayon::prelude::*;

use super::classes::{ClassTable, Membership, SensitiveTable};
use super::encode::{EncodedColumn, MISSING};
use super::grouping::{Grouping, group_rows};

/// Entities grouped into classes by the multiset of their rows' QI tuples.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntityClasses {
    /// Entities per class.
    pub sizes: Vec<u32>,
    /// Per entity (as numbered by [`EntityNumbers`]), its class.
    pub entity_classes: Vec<u32>,
    /// Per row, its entity's class.
    pub row_classes: Vec<u32>,
    /// Number of entities (people).
    pub entities: usize,
}

/// The rows' entities numbered densely in order of first appearance; a row whose entity value
/// is missing is an entity of its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntityNumbers {
    /// Per row, its entity.
    pub of_row: Vec<u32>,
    /// Per entity, its first row.
    pub first_rows: Vec<u32>,
}

impl EntityNumbers {
    /// Numbers the people of an encoded entity column.
    pub fn of(entity: &EncodedColumn) -> EntityNumbers {
        EntityNumbers::of_codes(&entity.codes, entity.slots())
    }

    /// [`EntityNumbers::of`] on raw codes (`0..slots`, [`MISSING`] for a missing value).
    pub fn of_codes(codes: &[u32], slots: usize) -> EntityNumbers {
        let mut number = vec![u32::MAX; slots];
        let mut first_rows: Vec<u32> = Vec::new();
        let mut of_row = Vec::with_capacity(codes.len());
        for (row, &code) in codes.iter().enumerate() {
            if code == MISSING || number[code as usize] == u32::MAX {
                first_rows.push(row as u32);
                if code != MISSING {
                    number[code as usize] = first_rows.len() as u32 - 1;
                }
                of_row.push(first_rows.len() as u32 - 1);
            } else {
                of_row.push(number[code as usize]);
            }
        }
        EntityNumbers { of_row, first_rows }
    }

    /// Two tables' entities in one numbering, `self`'s (over its `rows` rows) then `other`'s:
    /// the two are kept apart even where their entity values agree.
    pub fn stacked(&self, rows: usize, other: &EntityNumbers) -> EntityNumbers {
        let offset = self.len() as u32;
        EntityNumbers {
            of_row: self
                .of_row
                .iter()
                .copied()
                .chain(other.of_row.iter().map(|&e| e + offset))
                .collect(),
            first_rows: self
                .first_rows
                .iter()
                .copied()
                .chain(other.first_rows.iter().map(|&r| r + rows as u32))
                .collect(),
        }
    }

    /// Number of entities.
    pub fn len(&self) -> usize {
        self.first_rows.len()
    }

    /// Whether there are no entities (no rows).
    pub fn is_empty(&self) -> bool {
        self.first_rows.is_empty()
    }
}

/// Groups the entities of `rows` rows (numbered by `numbers`) by the multiset of their QI
/// tuples, from the code columns `(codes, slots)`.
pub fn classes_of_entities(
    columns: &[(&[u32], usize)],
    numbers: &EntityNumbers,
    rows: usize,
) -> EntityClasses {
    let tuples = group_rows(columns, rows).ids();
    // (entity, tuple) pairs sorted: each entity's tuples together, ascending.
    let mut pairs: Vec<u64> = numbers
        .of_row
        .par_iter()
        .zip(tuples.par_iter())
        .map(|(&e, &t)| ((e as u64) << 32) | t as u64)
        .collect();
    drop(tuples);
    pairs.par_sort_unstable();
    let flat: Vec<u32> = pairs.par_iter().map(|&p| p as u32).collect();
    let mut entity_classes = vec![0u32; numbers.len()];
    let mut signatures: HashMap<&[u32], u32> = HashMap::new();
    let mut sizes: Vec<u32> = Vec::new();
    let mut start = 0;
    while start < pairs.len() {
        let e = (pairs[start] >> 32) as usize;
        let mut end = start + 1;
        while end < pairs.len() && (pairs[end] >> 32) as usize == e {
            end += 1;
        }
        let next = sizes.len() as u32;
        let class = *signatures.entry(&flat[start..end]).or_insert(next);
        if class == next {
            sizes.push(0);
        }
        sizes[class as usize] += 1;
        entity_classes[e] = class;
        start = end;
    }
    let row_classes = numbers
        .of_row
        .iter()
        .map(|&e| entity_classes[e as usize])
        .collect();
    EntityClasses {
        sizes,
        entity_classes,
        row_classes,
        entities: numbers.len(),
    }
}

/// Rows grouped by their entity's class (rows ascending within a class), for the sensitive
/// tables: a counting sort of the row classes.
fn rows_by_class(classes: &EntityClasses) -> Grouping {
    let mut row_sizes = vec![0u32; classes.sizes.len()];
    for &c in &classes.row_classes {
        row_sizes[c as usize] += 1;
    }
    let mut next: Vec<usize> = Vec::with_capacity(row_sizes.len());
    let mut total = 0usize;
    for &s in &row_sizes {
        next.push(total);
        total += s as usize;
    }
    let mut rows_by_class = vec![0u32; total];
    for (row, &c) in classes.row_classes.iter().enumerate() {
        rows_by_class[next[c as usize]] = row as u32;
        next[c as usize] += 1;
    }
    Grouping {
        sizes: row_sizes,
        rows_by_class,
    }
}

impl Membership {
    /// The membership of people: each person (numbered by first appearance) is a unit.
    pub fn of_people(classes: &EntityClasses, numbers: EntityNumbers) -> Membership {
        Membership {
            class_of: classes.entity_classes.clone(),
            first_rows: numbers.first_rows,
            person_of_row: numbers.of_row,
        }
    }
}

impl ClassTable {
    /// The class table over entities: class sizes count people; each sensitive attribute's
    /// value counts read all rows of a class's people.
    pub fn build_entities(
        qis: Vec<EncodedColumn>,
        sensitive: &[EncodedColumn],
        entity: &EncodedColumn,
        rows: usize,
        membership: bool,
    ) -> ClassTable {
        let timer = crate::timing::Timer::start();
        let columns: Vec<(&[u32], usize)> = qis
            .iter()
            .map(|c| (c.codes.as_slice(), c.slots()))
            .collect();
        let numbers = EntityNumbers::of(entity);
        let classes = classes_of_entities(&columns, &numbers, rows);
        drop(columns);
        drop(qis);
        timer.lap("group entities");
        let mut table = ClassTable::from_entity_classes(&classes, sensitive);
        if membership {
            table.membership = Some(Membership::of_people(&classes, numbers));
        }
        timer.lap("sensitive tables");
        table
    }

    /// The class table of entities already grouped.
    pub fn from_entity_classes(classes: &EntityClasses, sensitive: &[EncodedColumn]) -> ClassTable {
        let grouping = rows_by_class(classes);
        ClassTable {
            rows: classes.entities,
            frequencies: classes.sizes.clone(),
            population_sizes: None,
            sizes: classes.sizes.clone(),
            membership: None,
            sensitive: sensitive
                .par_iter()
                .map(|column| SensitiveTable::build(column, &grouping))
                .collect(),
        }
    }
}
