//! A class table written elsewhere, read as one (`scan --class-table FILE`; the columns are in
//! docs/class-table.md): one row per cell — a class and one value of each sensitive attribute
//! — with the records it counts. Of records: the QI columns, the sensitive columns and
//! `__records`. Of people (`--entity`): `__class` (the person's multiset of QI tuples, as one
//! value), the sensitive columns, `__records` (the rows of the class's people with those values)
//! and `__people` (the people of the class, on each of its cells).

use polars::prelude::*;

use super::{ClassQuery, Classes, Source};
use crate::Result;
use crate::engine::encode::encode_columns;
use crate::engine::{Cells, ClassTable};

/// The records a cell counts.
pub const RECORDS_COLUMN: &str = "__records";
/// A class of people: the people it holds, on each of its cells.
pub const PEOPLE_COLUMN: &str = "__people";
/// A class of people: its key, the person's multiset of QI tuples as one value.
pub const CLASS_COLUMN: &str = "__class";

/// The class table of `source`, a class-table file.
pub fn read(source: &Source, query: &ClassQuery) -> Result<Classes> {
    let path = source.name().to_string();
    if query.membership {
        crate::bail!(
            "{} is a class table: it holds no record to list (--records, --show-values need the records)",
            crate::escape::path(std::path::Path::new(&path))
        );
    }
    let mut needed = class_keys(query);
    needed.extend(query.sensitive.iter().cloned());
    needed.push(RECORDS_COLUMN.to_string());
    if query.entity.is_some() {
        needed.push(PEOPLE_COLUMN.to_string());
    }
    let names = source.column_names()?;
    if let Some(missing) = needed.iter().find(|n| !names.contains(n)) {
        let why = match (missing.as_str(), query.entity) {
            (CLASS_COLUMN | PEOPLE_COLUMN, _) => {
                " (a class table of people, for --entity, has __class and __people; docs/class-table.md)"
            }
            (RECORDS_COLUMN, _) => " (every class table counts its cells' records in __records)",
            _ => "",
        };
        crate::bail!(
            "{}{why}",
            crate::escape::missing_column(&path, missing, names.iter().map(String::as_str))
        );
    }
    let df = source.frame(&needed)?;
    from_cells(&df, query, &path)
}

/// The class table of cells already read (a class-table file's rows, or a database's
/// `GROUP BY` result); `path` names them in messages.
pub fn from_cells(df: &DataFrame, query: &ClassQuery, path: &str) -> Result<Classes> {
    let keys = class_keys(query);
    let records = counts(df, RECORDS_COLUMN, path)?;
    let people = match query.entity {
        Some(_) => Some(counts(df, PEOPLE_COLUMN, path)?),
        None => None,
    };
    let key_columns = encode_columns(df, &keys, &[])?;
    let sensitive = encode_columns(df, query.sensitive, query.sensitive)?;
    let table = ClassTable::from_cells(&Cells {
        keys: &key_columns,
        sensitive: &sensitive,
        records: &records,
        people: people.as_deref(),
        nulls: query.nulls,
    })
    .map_err(|e| {
        crate::invalid!(
            "{} line {}: the cell {}",
            crate::escape::path(std::path::Path::new(path)),
            e.cell + 2,
            e.problem
        )
    })?;
    let rows = records.iter().map(|&r| r as usize).sum();
    Ok(Classes { table, rows })
}

/// The columns that key a class: the QIs, or a class of people's `__class`.
fn class_keys(query: &ClassQuery) -> Vec<String> {
    match query.entity {
        Some(_) => vec![CLASS_COLUMN.to_string()],
        None => query.qis.to_vec(),
    }
}

/// A count column: whole numbers of at least 1, the line of the first that is not named.
fn counts(df: &DataFrame, name: &str, path: &str) -> Result<Vec<u64>> {
    let column = df.column(name)?;
    let as_numbers = column.cast(&DataType::Float64).ok();
    let values: Vec<Option<f64>> = match &as_numbers {
        Some(c) => c.f64()?.iter().collect(),
        None => vec![None; column.len()],
    };
    values
        .iter()
        .enumerate()
        .map(|(row, v)| match v {
            Some(x) if x.is_finite() && *x >= 1.0 && x.fract() == 0.0 && *x < 9.0e15 => {
                Ok(*x as u64)
            }
            _ => Err(crate::invalid!(
                "{} line {}: {} must be a whole number of at least 1",
                crate::escape::path(std::path::Path::new(path)),
                row + 2,
                crate::escape::name(name)
            )),
        })
        .collect()
}
