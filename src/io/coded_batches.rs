//! Dictionary codes of any source polars reads (Parquet, Arrow IPC, NDJSON, quoted CSV, gzip,
//! standard input), without holding its text: polars streams the named columns, cast to text,
//! in batches, and each batch is coded as it arrives and then dropped. Only the codes and the
//! distinct values stay in memory. `--strip` and `--null-values` apply to text columns, once
//! per distinct value, as on the frame path.

use std::sync::{Arc, Mutex};

use anyhow::{Context as _, bail};
use polars::prelude::*;

use super::coded_csv::{CodedColumn, Dictionaries, merge_dictionaries};
use super::{LoadOptions, column_names, require_columns, scan};
use crate::Result;

/// Codes and dictionaries built so far.
struct Coding {
    dictionaries: Dictionaries,
    codes: Vec<Vec<u32>>,
}

/// Reads the named columns of a source as dictionary codes, batch by batch.
pub fn read_coded_batches(
    path: &str,
    columns: &[String],
    opts: &LoadOptions,
) -> Result<(Vec<CodedColumn>, usize)> {
    let mut lf = scan(path, opts)?;
    let existing = column_names(&mut lf, path)?;
    require_columns(path, &existing, columns)?;
    let schema = lf.collect_schema().map_err(anyhow::Error::from)?;
    let numeric_type: Vec<bool> = columns
        .iter()
        .map(|c| {
            schema
                .get(c.as_str())
                .is_some_and(|t| t.is_primitive_numeric())
        })
        .collect();
    let is_text: Vec<bool> = columns
        .iter()
        .map(|c| matches!(schema.get(c.as_str()), Some(DataType::String)))
        .collect();
    let state = Arc::new(Mutex::new(Coding {
        dictionaries: Dictionaries::new(columns.len()),
        codes: vec![Vec::new(); columns.len()],
    }));
    let sink_state = Arc::clone(&state);
    // Batches arrive one at a time and in order (maintain_order), so rows keep their numbers.
    let callback = PlanCallback::new(move |batch: DataFrame| -> PolarsResult<bool> {
        let mut guard = sink_state.lock().expect("coding state");
        let Coding {
            dictionaries,
            codes,
        } = &mut *guard;
        for (slot, column) in batch.columns().iter().enumerate() {
            let text = column.str()?;
            let out = &mut codes[slot];
            out.reserve(text.len());
            for value in text.iter() {
                out.push(value.map_or(0, |v| dictionaries.code(slot, v.as_bytes())));
            }
        }
        Ok(false)
    });
    let exprs: Vec<Expr> = columns
        .iter()
        .map(|c| col(c.as_str()).cast(DataType::String).alias(c.as_str()))
        .collect();
    lf.select(exprs)
        .sink_batches(callback, true, None)
        .and_then(|lf| lf.collect_with_engine(Engine::Streaming))
        .map_err(anyhow::Error::from)
        .with_context(|| format!("cannot read {path}"))?;
    let Coding {
        dictionaries,
        codes,
    } = Arc::try_unwrap(state)
        .ok()
        .expect("the sink is done")
        .into_inner()
        .expect("coding state");
    let rows = codes.first().map_or(0, Vec::len);
    if rows == 0 {
        bail!("{path} has no data rows");
    }
    let dictionaries = [dictionaries];
    let mut out = Vec::with_capacity(columns.len());
    for ((slot, name), mut column_codes) in columns.iter().enumerate().zip(codes) {
        let (dictionary, remaps) = merge_dictionaries(&dictionaries, slot, is_text[slot], opts)
            .with_context(|| format!("{path}: column '{name}' holds text that is not UTF-8"))?;
        let remap = &remaps[0];
        for code in &mut column_codes {
            *code = remap[*code as usize];
        }
        out.push(CodedColumn {
            name: name.clone(),
            numeric_type: numeric_type[slot],
            dictionary,
            codes: column_codes,
        });
    }
    Ok((out, rows))
}
