//! Compared keys of a join step as codes: each compared column of both sides is coded in one
//! dictionary shared by the two sides, transforming every distinct raw value once (normalised,
//! hashed, cut or generalised), and the compared columns together number the records of both
//! sides in one class numbering. Every join figure (linkage, candidate pairs, identifier
//! links) is then counted on these numbers; no string frame of keys is ever joined.

use hashbrown::HashMap;
use polars::prelude::*;
use rayon::prelude::*;

use crate::Result;
use crate::engine::compare::{code_text, coded_column};
use crate::engine::entity::{EntityNumbers, classes_of_entities};
use crate::engine::group_rows;
use crate::io::coded::{CodedColumn, Dictionary};

/// The class of a record that has no key (a missing or blank compared value): it links to
/// nothing.
pub const NO_KEY: u32 = u32::MAX;

/// One compared column of each side, coded in a shared dictionary: `0` is "no key", `1..slots`
/// the shared values.
pub struct CodedPair {
    pub left: Vec<u32>,
    pub right: Vec<u32>,
    pub slots: usize,
}

/// How a side's raw value becomes the compared value; `None` means the record has no key.
pub type Transform<'a> = &'a (dyn Fn(&str) -> Option<String> + Sync);

/// A compared column of a join as codes: values compared as `engine::compare` says (numbers
/// by value, instants by the time they name). `temporal_peer`: the other side holds dates or
/// timestamps, so this side's text is read as timestamps.
pub fn join_coded_column(column: &Column, temporal_peer: bool) -> Result<CodedColumn> {
    if let Some(text) = crate::engine::compare::instant_column_text(column)? {
        return Ok(code_text(column.name().as_str(), &text));
    }
    // Text is coded first and each distinct value read once ([`as_compared`]).
    let coded = coded_column(column)?;
    Ok(match as_compared(&coded, temporal_peer) {
        std::borrow::Cow::Borrowed(_) => coded,
        std::borrow::Cow::Owned(compared) => compared,
    })
}

/// A compared column read straight to codes (`link`), with its values as a join compares
/// them (`engine::compare`): dates and timestamps, and text timestamps with a UTC offset, as
/// the canonical text of their instant; a text column facing a date or timestamp column
/// read as timestamps (a text that is not one links nothing). Integers are kept as they are.
pub fn as_compared(column: &CodedColumn, temporal_peer: bool) -> std::borrow::Cow<'_, CodedColumn> {
    use crate::engine::compare::{join_text, text_as_instant, time_text};
    use std::borrow::Cow;
    let recoded = |values: Vec<Option<String>>| {
        // Two values may now be one (`…+02:00` and `…Z`): the dictionary is rebuilt.
        let mut seen: HashMap<String, u32> = HashMap::new();
        let mut dictionary: Vec<String> = Vec::new();
        let mut map = vec![0u32];
        for value in values {
            map.push(match value {
                None => 0,
                Some(v) => *seen.entry(v.clone()).or_insert_with(|| {
                    dictionary.push(v);
                    dictionary.len() as u32
                }),
            });
        }
        Cow::Owned(CodedColumn {
            name: column.name.clone(),
            dictionary: Dictionary::Text(dictionary),
            codes: column.codes.iter().map(|&c| map[c as usize]).collect(),
        })
    };
    match &column.dictionary {
        Dictionary::Integers(_) => Cow::Borrowed(column),
        Dictionary::Times { step, values } => {
            recoded(values.iter().map(|&v| Some(time_text(*step, v))).collect())
        }
        Dictionary::Text(values) => {
            let compared: Vec<Option<String>> = values
                .par_iter()
                .map(|v| {
                    if temporal_peer {
                        text_as_instant(v)
                    } else {
                        Some(join_text(v))
                    }
                })
                .collect();
            // The common case, text that names no instant, keeps its codes.
            if compared
                .iter()
                .zip(values)
                .all(|(c, v)| c.as_deref() == Some(v.as_str()))
            {
                Cow::Borrowed(column)
            } else {
                recoded(compared)
            }
        }
    }
}

/// Maps a side's dictionary into `shared` through `transform`, once per distinct value, and
/// recodes its rows.
fn recode_side(
    column: &CodedColumn,
    transform: Transform,
    shared: &mut HashMap<String, u32>,
) -> Vec<u32> {
    // The transform (normalising, hashing) runs on all cores; the shared codes are handed
    // out in dictionary order so that they do not depend on the schedule.
    let compared: Vec<Option<String>> = (1..=column.dictionary.len() as u32)
        .into_par_iter()
        .map(|code| column.dictionary.value(code).and_then(|v| transform(&v)))
        .collect();
    let mut map = Vec::with_capacity(column.dictionary.len() + 1);
    map.push(0);
    for compared in compared {
        map.push(match compared {
            None => 0,
            Some(compared) => {
                let next = shared.len() as u32 + 1;
                *shared.entry(compared).or_insert(next)
            }
        });
    }
    column.codes.iter().map(|&c| map[c as usize]).collect()
}

/// Codes a compared column of each side in one dictionary.
pub fn code_pair(
    left: &CodedColumn,
    right: &CodedColumn,
    left_transform: Transform,
    right_transform: Transform,
) -> CodedPair {
    let mut shared: HashMap<String, u32> = HashMap::new();
    let left = recode_side(left, left_transform, &mut shared);
    let right = recode_side(right, right_transform, &mut shared);
    CodedPair {
        left,
        right,
        slots: shared.len() + 1,
    }
}

/// The compared value as it is, a missing value only when absent.
pub fn as_is(raw: &str) -> Option<String> {
    Some(raw.to_string())
}

/// The most common length of a column's values, in characters, among its first 500
/// non-missing rows.
pub fn typical_len(column: &CodedColumn) -> usize {
    let mut counts = std::collections::BTreeMap::new();
    for &code in column.codes.iter().filter(|&&c| c != 0).take(500) {
        let len = column
            .dictionary
            .value(code)
            .map_or(0, |v| v.chars().count());
        *counts.entry(len).or_insert(0usize) += 1;
    }
    counts
        .into_iter()
        .max_by_key(|&(len, n)| (n, len))
        .map_or(0, |(len, _)| len)
}

/// The records of both sides numbered by their compared key: records with equal codes on
/// every compared column share a class; a record with "no key" on any column is [`NO_KEY`].
pub struct JointKeys {
    pub left: Vec<u32>,
    pub right: Vec<u32>,
    pub classes: usize,
}

/// Numbers the records of both sides by their codes on every compared column.
pub fn joint_keys(columns: &[CodedPair]) -> JointKeys {
    let rows_left = columns.first().map_or(0, |c| c.left.len());
    let rows_right = columns.first().map_or(0, |c| c.right.len());
    let rows = rows_left + rows_right;
    let both: Vec<Vec<u32>> = columns
        .iter()
        .map(|c| {
            let mut codes = Vec::with_capacity(rows);
            codes.extend_from_slice(&c.left);
            codes.extend_from_slice(&c.right);
            codes
        })
        .collect();
    let grouped: Vec<(&[u32], usize)> = both
        .iter()
        .zip(columns)
        .map(|(codes, c)| (codes.as_slice(), c.slots))
        .collect();
    let grouping = group_rows(&grouped, rows);
    let classes = grouping.sizes.len();
    let mut ids = grouping.ids();
    for codes in &both {
        for (id, &code) in ids.iter_mut().zip(codes) {
            if code == 0 {
                *id = NO_KEY;
            }
        }
    }
    let right = ids.split_off(rows_left);
    JointKeys {
        left: ids,
        right,
        classes,
    }
}

/// The people of both sides numbered by the multiset of their records' keys, as a scan with an
/// entity groups people: two people share a class when their records' compared keys are equal
/// as multisets (order ignored, repeats counted). A record without a key is part of its
/// person's multiset like any other; a person none of whose records has a key has no key.
pub fn people_keys(keys: &JointKeys, left: &EntityNumbers, right: &EntityNumbers) -> JointKeys {
    let rows_left = keys.left.len();
    let no_key = keys.classes as u32;
    let codes: Vec<u32> = keys
        .left
        .iter()
        .chain(&keys.right)
        .map(|&id| if id == NO_KEY { no_key } else { id })
        .collect();
    let numbers = left.stacked(rows_left, right);
    let classes = classes_of_entities(&[(&codes, keys.classes + 1)], &numbers, codes.len());
    let mut has_key = vec![false; numbers.len()];
    for (&e, &code) in numbers.of_row.iter().zip(&codes) {
        if code != no_key {
            has_key[e as usize] = true;
        }
    }
    let mut ids: Vec<u32> = classes
        .entity_classes
        .iter()
        .zip(&has_key)
        .map(|(&class, &keyed)| if keyed { class } else { NO_KEY })
        .collect();
    let right_ids = ids.split_off(left.len());
    JointKeys {
        left: ids,
        right: right_ids,
        classes: classes.sizes.len(),
    }
}

/// A per-record truth pair read at each person's first record.
pub fn people_truth(truth: &CodedPair, left: &EntityNumbers, right: &EntityNumbers) -> CodedPair {
    let at = |codes: &[u32], numbers: &EntityNumbers| -> Vec<u32> {
        numbers
            .first_rows
            .iter()
            .map(|&r| codes[r as usize])
            .collect()
    };
    CodedPair {
        left: at(&truth.left, left),
        right: at(&truth.right, right),
        slots: truth.slots,
    }
}

/// Records per class on each side (records without a key are not counted).
pub struct ClassCounts {
    pub left: Vec<u32>,
    pub right: Vec<u32>,
}

impl ClassCounts {
    pub fn of(keys: &JointKeys) -> ClassCounts {
        let count = |ids: &[u32]| {
            let mut counts = vec![0u32; keys.classes];
            for &id in ids {
                if id != NO_KEY {
                    counts[id as usize] += 1;
                }
            }
            counts
        };
        ClassCounts {
            left: count(&keys.left),
            right: count(&keys.right),
        }
    }

    /// Pairs of records that agree on the key: `Σ_class left · right`, the rows an inner join
    /// would produce (saturating at `u64::MAX`).
    pub fn pairs(&self) -> u64 {
        let total: u128 = self
            .left
            .iter()
            .zip(&self.right)
            .map(|(&a, &b)| a as u128 * b as u128)
            .sum();
        total.min(u64::MAX as u128) as u64
    }
}

/// The rows of each class of one side, class after class (a counting sort): class `c`'s rows
/// are `rows[offsets[c]..offsets[c + 1]]`, ascending.
pub struct RowsByClass {
    pub offsets: Vec<usize>,
    pub rows: Vec<u32>,
}

impl RowsByClass {
    pub fn of(ids: &[u32], counts: &[u32]) -> RowsByClass {
        let mut offsets = Vec::with_capacity(counts.len() + 1);
        let mut total = 0usize;
        offsets.push(0);
        for &c in counts {
            total += c as usize;
            offsets.push(total);
        }
        let mut next = offsets.clone();
        let mut rows = vec![0u32; total];
        for (row, &id) in ids.iter().enumerate() {
            if id != NO_KEY {
                let at = &mut next[id as usize];
                rows[*at] = row as u32;
                *at += 1;
            }
        }
        RowsByClass { offsets, rows }
    }

    pub fn class(&self, class: u32) -> &[u32] {
        let c = class as usize;
        &self.rows[self.offsets[c]..self.offsets[c + 1]]
    }
}

/// Whether the two sides' truth codes (one shared dictionary) name the same person.
pub fn same_person(truth: &CodedPair, left: u32, right: u32) -> bool {
    let code = truth.left[left as usize];
    code != 0 && code == truth.right[right as usize]
}
