//! Dictionary encoding of columns into dense `u32` codes.
//!
//! Polars does the work: a dense rank gives every distinct value a code `1..=d` in sorted
//! order, and a missing value gets code 0. Sorted codes matter for numeric sensitive
//! attributes, whose ordered EMD walks the values in order.

use polars::prelude::*;

use crate::Result;

/// The code of a missing value.
pub const MISSING: u32 = 0;

/// One column as codes.
#[derive(Debug, Clone)]
pub struct EncodedColumn {
    pub name: String,
    /// One code per row; [`MISSING`] for a missing value, `1..=distinct` otherwise.
    pub codes: Vec<u32>,
    /// Number of distinct non-missing values.
    pub distinct: u32,
    /// Whether any row is missing.
    pub has_missing: bool,
    /// Whether codes follow numeric order (numeric type, or text whose every value parses
    /// as a number).
    pub numeric: bool,
}

impl EncodedColumn {
    /// Number of code slots, `distinct + 1` (slot 0 is the missing value).
    pub fn slots(&self) -> usize {
        self.distinct as usize + 1
    }
}

/// Whether a column should be ordered numerically: a numeric type, or text in which every
/// non-missing value parses as a number.
fn is_numeric(column: &Column) -> Result<bool> {
    let dtype = column.dtype();
    if dtype.is_primitive_numeric() {
        return Ok(true);
    }
    if !matches!(dtype, DataType::String) {
        return Ok(false);
    }
    let parsed = column.cast(&DataType::Float64)?;
    Ok(parsed.null_count() == column.null_count() && column.null_count() < column.len())
}

/// Encodes the named columns of `df`. `ordered` lists the columns whose numeric order
/// matters (sensitive attributes); the others are only compared for equality.
pub fn encode_columns(
    df: &DataFrame,
    names: &[String],
    ordered: &[String],
) -> Result<Vec<EncodedColumn>> {
    let mut numeric = Vec::with_capacity(names.len());
    let mut exprs = Vec::with_capacity(names.len());
    for name in names {
        let column = df.column(name)?;
        let is_num = ordered.contains(name) && is_numeric(column)?;
        numeric.push(is_num);
        let value = if is_num {
            col(name.as_str()).cast(DataType::Float64)
        } else {
            col(name.as_str())
        };
        let rank = RankOptions {
            method: RankMethod::Dense,
            descending: false,
        };
        exprs.push(
            value
                .rank(rank, None)
                .cast(DataType::UInt32)
                .fill_null(lit(MISSING))
                .alias(name.as_str()),
        );
    }
    let codes = df.clone().lazy().select(exprs).collect()?;
    names
        .iter()
        .zip(numeric)
        .map(|(name, numeric)| {
            let column = codes.column(name)?.u32()?.rechunk();
            let codes: Vec<u32> = column.into_no_null_iter().collect();
            let distinct = codes.iter().copied().max().unwrap_or(0);
            let has_missing = df.column(name)?.null_count() > 0;
            Ok(EncodedColumn {
                name: name.clone(),
                codes,
                distinct,
                has_missing,
                numeric,
            })
        })
        .collect()
}
