//! The per-record risk export (`--records FILE`, like sdcMicro's individual risk): one row per
//! record, or per person in a view with an entity column, for follow-up work in a notebook.
//! It holds row numbers and figures only; the entity key is added with `--show-values`. The
//! file is CSV or Parquet by its extension and is written like a report (atomically, 0600,
//! never onto an input).

use std::path::Path;

use polars::prelude::*;

use crate::Result;
use crate::engine::ClassTable;

/// One record's (or person's) risk.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordRisk {
    /// The view, for an audit's export.
    pub view: Option<String>,
    /// The 1-based data row: a person's first row.
    pub row: usize,
    /// Records (people) in its class.
    pub class_size: u32,
    /// The SUDA score, when `keys` ran (0 for a record with no MSU).
    pub suda: Option<f64>,
    /// The entity key, with `--show-values` only.
    pub entity: Option<String>,
}

impl RecordRisk {
    /// Prosecutor risk: 1 / class size.
    pub fn prosecutor_risk(&self) -> f64 {
        1.0 / self.class_size.max(1) as f64
    }

    /// Alone in its class.
    pub fn unique(&self) -> bool {
        self.class_size == 1
    }
}

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

/// The export as a frame: `view` (audit only), `row`, `class_size`, `prosecutor_risk`,
/// `unique`, `suda` (keys only), `entity` (with `--show-values` only).
fn frame(records: &[RecordRisk]) -> Result<DataFrame> {
    let mut columns: Vec<Column> = Vec::new();
    if records.iter().any(|r| r.view.is_some()) {
        let views: Vec<String> = records
            .iter()
            .map(|r| r.view.clone().unwrap_or_default())
            .collect();
        columns.push(Column::new("view".into(), views));
    }
    columns.push(Column::new(
        "row".into(),
        records.iter().map(|r| r.row as u64).collect::<Vec<_>>(),
    ));
    columns.push(Column::new(
        "class_size".into(),
        records.iter().map(|r| r.class_size).collect::<Vec<_>>(),
    ));
    columns.push(Column::new(
        "prosecutor_risk".into(),
        records
            .iter()
            .map(RecordRisk::prosecutor_risk)
            .collect::<Vec<_>>(),
    ));
    columns.push(Column::new(
        "unique".into(),
        records.iter().map(RecordRisk::unique).collect::<Vec<_>>(),
    ));
    if records.iter().any(|r| r.suda.is_some()) {
        columns.push(Column::new(
            "suda".into(),
            records
                .iter()
                .map(|r| r.suda.unwrap_or(0.0))
                .collect::<Vec<_>>(),
        ));
    }
    if records.iter().any(|r| r.entity.is_some()) {
        columns.push(Column::new(
            "entity".into(),
            records.iter().map(|r| r.entity.clone()).collect::<Vec<_>>(),
        ));
    }
    Ok(DataFrame::new_infer_height(columns)?)
}

/// Refuses, before any work, an export path that is neither `.csv` nor `.parquet`, or that
/// the output rules refuse (an input, a link, a special file).
pub fn check_records_path(path: &Path, inputs: &[&Path]) -> Result<()> {
    let name = path.to_string_lossy().to_lowercase();
    if !(name.ends_with(".csv") || name.ends_with(".parquet")) {
        crate::bail!(
            "--records {} must end in .csv or .parquet",
            crate::escape::path(path)
        );
    }
    super::check_output(path, inputs)
}

/// The export of `records` staged beside `path` (CSV or Parquet by its extension, 0600), to be
/// put in place with the run's other outputs ([`super::write::commit_all`]).
pub fn stage_records(
    path: &Path,
    records: &[RecordRisk],
    inputs: &[&Path],
) -> Result<super::write::Staged> {
    let mut df = frame(records)?;
    let mut bytes = Vec::new();
    if path.to_string_lossy().to_lowercase().ends_with(".parquet") {
        ParquetWriter::new(&mut bytes).finish(&mut df)?;
    } else {
        CsvWriter::new(&mut bytes).finish(&mut df)?;
    }
    super::write::stage(path, &bytes, inputs)
}
