//! The per-record risk export (`--records FILE`, like sdcMicro's individual risk): one row per
//! record, or per person in a view with an entity column, for follow-up work in a notebook.
//! It holds row numbers and figures only; the entity key is added with `--show-values`. The
//! file is CSV or Parquet by its extension and is written like a report (atomically, 0600,
//! never onto an input).

use std::path::Path;

use polars::prelude::*;

use crate::Result;
use crate::engine::EncodedColumn;
use crate::engine::entity::{EntityNumbers, classes_of_entities};

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

/// The risk of every record of a view from its encoded QIs, or of every person when `entity`
/// is given; `keys` (with `--show-values`) names each person by their key.
pub fn record_risks(
    view: Option<&str>,
    qis: &[EncodedColumn],
    entity: Option<(&EncodedColumn, Option<&[String]>)>,
    rows: usize,
) -> Vec<RecordRisk> {
    let columns: Vec<(&[u32], usize)> = qis
        .iter()
        .map(|c| (c.codes.as_slice(), c.slots()))
        .collect();
    let record = |row: usize, class_size: u32, entity: Option<String>| RecordRisk {
        view: view.map(str::to_string),
        row: row + 1,
        class_size,
        suda: None,
        entity,
    };
    match entity {
        None => {
            let grouping = crate::engine::group_rows(&columns, rows);
            let mut size_of_row = vec![0u32; rows];
            let mut at = 0;
            for &size in &grouping.sizes {
                for &r in &grouping.rows_by_class[at..at + size as usize] {
                    size_of_row[r as usize] = size;
                }
                at += size as usize;
            }
            size_of_row
                .into_iter()
                .enumerate()
                .map(|(row, size)| record(row, size, None))
                .collect()
        }
        Some((entity, keys)) => {
            let numbers = EntityNumbers::of(entity);
            let classes = classes_of_entities(&columns, &numbers, rows);
            numbers
                .first_rows
                .iter()
                .zip(&classes.entity_classes)
                .map(|(&first, &class)| {
                    let key = keys.map(|k| k[first as usize].clone());
                    record(first as usize, classes.sizes[class as usize], key)
                })
                .collect()
        }
    }
}

/// The risks of every record of a loaded frame (of `view`, for an audit), or of every person
/// with an entity column, named by their key only when `show_values` asks for it.
pub(crate) fn frame_records(
    view: Option<&str>,
    df: &polars::prelude::DataFrame,
    qis: &[String],
    entity: Option<&str>,
    show_values: bool,
) -> Result<Vec<RecordRisk>> {
    let mut names = qis.to_vec();
    names.extend(entity.map(str::to_string));
    let (mut qi_cols, _) = crate::engine::encode_view(df, &names, &[])?;
    Ok(match entity {
        None => record_risks(view, &qi_cols, None, df.height()),
        Some(entity) => {
            let entity_col = crate::engine::take_column(&mut qi_cols, entity);
            let keys: Option<Vec<String>> = if show_values {
                let text = df
                    .column(entity)?
                    .cast(&polars::prelude::DataType::String)?;
                Some(
                    text.str()?
                        .iter()
                        .map(|v| v.unwrap_or("").to_string())
                        .collect(),
                )
            } else {
                None
            };
            record_risks(
                view,
                &qi_cols,
                Some((&entity_col, keys.as_deref())),
                df.height(),
            )
        }
    })
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

/// Writes the export to `path` (CSV or Parquet by its extension), atomically and 0600.
pub fn write_records(path: &Path, records: &[RecordRisk], inputs: &[&Path]) -> Result<()> {
    let mut df = frame(records)?;
    let mut bytes = Vec::new();
    if path.to_string_lossy().to_lowercase().ends_with(".parquet") {
        ParquetWriter::new(&mut bytes).finish(&mut df)?;
    } else {
        CsvWriter::new(&mut bytes).finish(&mut df)?;
    }
    super::write_atomic(path, &bytes, inputs)
}
