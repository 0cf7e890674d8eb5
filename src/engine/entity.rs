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

use super::classes::{ClassTable, Grouping, SensitiveTable, group_rows};
use super::encode::{EncodedColumn, MISSING};

/// Entities grouped into classes by the multiset of their rows' QI tuples.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntityClasses {
    /// Entities per class.
    pub sizes: Vec<u32>,
    /// Per row, its entity's class.
    pub row_classes: Vec<u32>,
    /// Number of entities (people).
    pub entities: usize,
}

/// Per row, a dense entity number: the entity code's, or for a missing entity value a number
/// of its own. Returns the numbers and how many entities there are.
fn entity_numbers(entity: &EncodedColumn) -> (Vec<u32>, usize) {
    let mut next = entity.distinct;
    let numbers = entity
        .codes
        .iter()
        .map(|&code| {
            if code == MISSING {
                next += 1;
                next - 1
            } else {
                code - 1
            }
        })
        .collect();
    // Codes of a shared dictionary may leave gaps; a gap is simply an entity with no rows.
    (numbers, next as usize)
}

/// Groups the entities of `rows` rows by the multiset of their QI tuples.
pub fn entity_classes(qis: &[EncodedColumn], entity: &EncodedColumn, rows: usize) -> EntityClasses {
    let columns: Vec<(&[u32], usize)> = qis
        .iter()
        .map(|c| (c.codes.as_slice(), c.slots()))
        .collect();
    let tuples = group_rows(&columns, rows).ids();
    let (numbers, slots) = entity_numbers(entity);
    // (entity, tuple) pairs sorted: each entity's tuples together, ascending.
    let mut pairs: Vec<u64> = numbers
        .par_iter()
        .zip(tuples.par_iter())
        .map(|(&e, &t)| ((e as u64) << 32) | t as u64)
        .collect();
    pairs.par_sort_unstable();
    let flat: Vec<u32> = pairs.par_iter().map(|&p| p as u32).collect();
    let mut class_of_entity = vec![u32::MAX; slots];
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
        class_of_entity[e] = class;
        start = end;
    }
    let entities = sizes.iter().map(|&s| s as usize).sum();
    let row_classes = numbers
        .iter()
        .map(|&e| class_of_entity[e as usize])
        .collect();
    EntityClasses {
        sizes,
        row_classes,
        entities,
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

impl ClassTable {
    /// The class table over entities: class sizes count people; each sensitive attribute's
    /// value counts read all rows of a class's people.
    pub fn build_entities(
        qis: Vec<EncodedColumn>,
        sensitive: &[EncodedColumn],
        entity: &EncodedColumn,
        rows: usize,
    ) -> ClassTable {
        let timer = crate::timing::Timer::start();
        let classes = entity_classes(&qis, entity, rows);
        drop(qis);
        timer.lap("group entities");
        let grouping = rows_by_class(&classes);
        let table = ClassTable {
            rows: classes.entities,
            frequencies: classes.sizes.clone(),
            population_sizes: None,
            sizes: classes.sizes,
            sensitive: sensitive
                .par_iter()
                .map(|column| SensitiveTable::build(column, &grouping))
                .collect(),
        };
        timer.lap("sensitive tables");
        table
    }
}
