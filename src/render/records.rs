//! The per-record risk export (`--records FILE`, like sdcMicro's individual risk): one row per
//! record, or per person in a view with an entity column, for follow-up work in a notebook.
//! It holds row numbers and figures only; the entity key is added with `--show-values`. The
//! file is CSV or Parquet by its extension and is written like a report (atomically, 0600,
//! never onto an input).

use std::path::Path;

use polars::prelude::*;

use crate::Result;
use crate::model::RecordRisk;

/// The export as a frame: `view` (audit only), `row`, `class_size`, `prosecutor_risk`,
/// `unique`, `suda` (keys only), `dropped_by_remedy` (audit, where a view's cheapest remedy
/// suppresses records: true for those it drops, false for the others of that view, empty for
/// views it does not concern), `entity` (with `--show-values` only).
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
    if records.iter().any(|r| r.dropped_by_remedy.is_some()) {
        columns.push(Column::new(
            "dropped_by_remedy".into(),
            records
                .iter()
                .map(|r| r.dropped_by_remedy)
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
    crate::output::check_output(path, inputs)
}

/// The export of `records` staged beside `path` (CSV or Parquet by its extension, 0600), to be
/// put in place with the run's other outputs (`output::commit_all`).
pub fn stage_records(
    path: &Path,
    records: &[RecordRisk],
    inputs: &[&Path],
) -> Result<crate::output::Staged> {
    let mut df = frame(records)?;
    let mut bytes = Vec::new();
    if path.to_string_lossy().to_lowercase().ends_with(".parquet") {
        ParquetWriter::new(&mut bytes).finish(&mut df)?;
    } else {
        CsvWriter::new(&mut bytes).finish(&mut df)?;
    }
    crate::output::stage(path, &bytes, inputs)
}
