//! What a run lists besides its figures, read from the class table the figures came from:
//! every record's (or person's) risk for `--records`, and the values of the smallest classes
//! for `--show-values`.

use polars::prelude::*;

use crate::Result;
use crate::engine::ClassTable;
use crate::model::{RecordRisk, SmallClass, TupleCount};

/// What the run lists besides its figures: the per-record export and the values of small
/// classes. Either needs the class table to keep each record's class ([`Membership`](crate::engine::Membership)).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Listing {
    /// `--records`: every record's (or person's) risk.
    pub records: bool,
    /// `--show-values`: the QI values of the smallest classes, and the entity key in the
    /// records.
    pub show_values: bool,
}

impl Listing {
    /// Whether the class table must keep each record's class.
    pub fn membership(self) -> bool {
        self.records || self.show_values
    }
}

/// The risk of every record (or person) of a view, read from its class table: the class a
/// unit fell in and that class's frequency (its size, or under `--nulls wildcard` the records
/// compatible with it), the figure k, the uniques and the prosecutor risk count. `keys` names
/// each person by their key (`--show-values` only).
///
/// The table must have been built keeping its [`Membership`](crate::engine::Membership).
pub fn records_of(
    view: Option<&str>,
    table: &ClassTable,
    keys: Option<&dyn Fn(usize) -> Option<String>>,
) -> Vec<RecordRisk> {
    let membership = table
        .membership
        .as_ref()
        .expect("the class table was built keeping its membership");
    membership
        .class_of
        .iter()
        .enumerate()
        .map(|(unit, &class)| {
            let row = membership.first_row(unit);
            RecordRisk {
                view: view.map(str::to_string),
                row: row + 1,
                class_size: table.frequencies[class as usize],
                suda: None,
                entity: keys.and_then(|key| key(row)),
                dropped_by_remedy: None,
            }
        })
        .collect()
}

/// [`records_of`] a view loaded as a frame, naming each person by their entity key (from
/// `df`) only when `show_values` asks for it.
pub(crate) fn frame_records(
    view: Option<&str>,
    table: &ClassTable,
    df: &DataFrame,
    entity: Option<&str>,
    show_values: bool,
) -> Result<Vec<RecordRisk>> {
    let keys = match entity {
        Some(entity) if show_values => Some(df.column(entity)?.cast(&DataType::String)?),
        _ => None,
    };
    let text = keys.as_ref().map(|k| k.str()).transpose()?;
    let key = |row: usize| text.and_then(|t| t.get(row)).map(str::to_string);
    Ok(records_of(
        view,
        table,
        text.is_some()
            .then_some(&key as &dyn Fn(usize) -> Option<String>),
    ))
}

/// Most small classes listed per view with `--show-values`.
pub const SMALL_CLASSES_SHOWN: usize = 10;

/// The smallest classes (frequency below `k`) of a view, with their values, read from its
/// class table (built keeping its membership) and the frame it was built from: a class is
/// shown by the values of its first record, or in a view with an entity (`by_person`) by the
/// distinct tuples of its first person. The classes are the table's, so what is shown agrees with
/// the figures (under `--nulls wildcard` a class's size is the records compatible with it).
pub fn small_classes(
    df: &DataFrame,
    qis: &[String],
    table: &ClassTable,
    k: u32,
    by_person: bool,
) -> Result<Vec<SmallClass>> {
    let Some(membership) = &table.membership else {
        return Ok(Vec::new());
    };
    if qis.is_empty() {
        return Ok(Vec::new());
    }
    let representatives = membership.representatives(table.sizes.len());
    let mut small: Vec<(u32, u32)> = table
        .frequencies
        .iter()
        .zip(&representatives)
        .filter(|&(&frequency, _)| frequency < k)
        .map(|(&frequency, &unit)| (frequency, unit))
        .collect();
    small.sort_unstable();
    small.truncate(SMALL_CLASSES_SHOWN);
    let texts: Vec<Column> = qis
        .iter()
        .map(|q| Ok(df.column(q)?.cast(&DataType::String)?))
        .collect::<Result<_>>()?;
    let tuple = |row: usize| -> Result<Vec<Option<String>>> {
        texts
            .iter()
            .map(|t| Ok(t.str()?.get(row).map(str::to_string)))
            .collect()
    };
    let units: Vec<u32> = small.iter().map(|&(_, unit)| unit).collect();
    small
        .into_iter()
        .zip(membership.rows_of(&units))
        .map(|((size, _), rows)| {
            let mut counted: Vec<TupleCount> = Vec::new();
            for row in rows {
                let values = tuple(row)?;
                match counted.iter_mut().find(|t| t.values == values) {
                    Some(t) => t.rows += 1,
                    None => counted.push(TupleCount { rows: 1, values }),
                }
            }
            counted.sort_by_key(|t| std::cmp::Reverse(t.rows));
            Ok(SmallClass {
                size,
                values: qis
                    .iter()
                    .cloned()
                    .zip(counted[0].values.iter().cloned())
                    .collect(),
                tuples: if by_person { counted } else { Vec::new() },
            })
        })
        .collect()
}
