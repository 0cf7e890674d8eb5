//! Dictionary encoding of columns into dense `u32` codes.
//!
//! A missing value always gets code 0. Columns compared only for equality (QIs, categorical
//! sensitive attributes) take the codes of a polars categorical dictionary (hashing; CSV
//! columns are read dictionary-encoded directly), shifted to `1..`. Numeric sensitive
//! attributes take a dense rank, `1..=d` in value order, because their ordered EMD walks the
//! values in order.

use polars::prelude::*;
use rayon::prelude::*;

use crate::Result;
use crate::io::coded::{CodedColumn, Dictionary, IntegerRanks};

/// The code of a missing value.
pub const MISSING: u32 = 0;

/// One column as codes.
#[derive(Debug, Clone)]
pub struct EncodedColumn {
    /// The column.
    pub name: String,
    /// One code per row; [`MISSING`] for a missing value, `1..=distinct` otherwise.
    pub codes: Vec<u32>,
    /// Largest code: the number of distinct non-missing values when codes are dense (always
    /// for ranked columns; dictionary codes of a shared dictionary may leave gaps).
    pub distinct: u32,
    /// Whether any row is missing.
    pub has_missing: bool,
    /// Whether codes follow numeric order (numeric type, or text whose every value parses
    /// as a number).
    pub numeric: bool,
}

/// Takes the column `name` out of `columns` (the entity column, read with the QIs so that
/// one pass reads both).
pub fn take_column(columns: &mut Vec<EncodedColumn>, name: &str) -> EncodedColumn {
    let at = columns
        .iter()
        .position(|c| c.name == name)
        .expect("the column was read with the others");
    columns.remove(at)
}

impl EncodedColumn {
    /// Number of code slots, `distinct + 1` (slot 0 is the missing value).
    pub fn slots(&self) -> usize {
        self.distinct as usize + 1
    }
}

/// The column as numbers when it should be ordered numerically: a numeric type, or text in
/// which every non-missing value parses as a number. A sample is tried first so that a text
/// column is rejected without parsing all of it.
fn as_numeric(column: &Column) -> Result<Option<Column>> {
    let dtype = column.dtype();
    if dtype.is_primitive_numeric() || dtype.is_decimal() {
        return Ok(Some(column.cast(&DataType::Float64)?));
    }
    if !matches!(dtype, DataType::String) || column.null_count() == column.len() {
        return Ok(None);
    }
    let parses = |c: &Column| -> Result<bool> {
        Ok(c.cast(&DataType::Float64)?.null_count() == c.null_count())
    };
    if !parses(&column.slice(0, 1000))? {
        return Ok(None);
    }
    let parsed = column.cast(&DataType::Float64)?;
    Ok((parsed.null_count() == column.null_count()).then_some(parsed))
}

/// Dense ranks `1..=d` of numbers in ascending order (missing → 0): the distinct values are
/// found with a hash map (first appearance), sorted, and every row mapped through — `O(n)`
/// hashing plus a sort of the `d` distinct values instead of a sort of all rows.
fn rank_numbers(values: &Float64Chunked) -> Vec<u32> {
    let mut ids: hashbrown::HashMap<u64, u32> = hashbrown::HashMap::new();
    let mut distinct: Vec<f64> = Vec::new();
    let first: Vec<u32> = values
        .iter()
        .map(|v| match v {
            // A NaN is missing (docs/metrics.md, "Missing values").
            None => u32::MAX,
            Some(x) if x.is_nan() => u32::MAX,
            Some(x) => {
                // -0.0 and 0.0 are one value.
                let x = if x == 0.0 { 0.0 } else { x };
                *ids.entry(x.to_bits()).or_insert_with(|| {
                    distinct.push(x);
                    distinct.len() as u32 - 1
                })
            }
        })
        .collect();
    let mut order: Vec<u32> = (0..distinct.len() as u32).collect();
    order.sort_unstable_by(|&a, &b| distinct[a as usize].total_cmp(&distinct[b as usize]));
    let mut rank = vec![0u32; distinct.len()];
    for (r, &id) in order.iter().enumerate() {
        rank[id as usize] = r as u32 + 1;
    }
    first
        .into_iter()
        .map(|id| {
            if id == u32::MAX {
                MISSING
            } else {
                rank[id as usize]
            }
        })
        .collect()
}

/// Dense ranks `1..=d` of an integer column in ascending order (missing → 0), through
/// [`IntegerRanks`]: a table for values in a narrow range, no hashing. `None` for other columns.
fn rank_integers(column: &Column) -> Result<Option<Vec<u32>>> {
    if !column.dtype().is_integer() {
        return Ok(None);
    }
    let values: Int64Chunked = if matches!(column.dtype(), DataType::UInt64) {
        // Flipping the top bit maps `u64` onto `i64` in the same order, so values beyond
        // `i64::MAX` neither overflow nor tie.
        column
            .u64()?
            .iter()
            .map(|v| v.map(|v| (v ^ (1 << 63)) as i64))
            .collect()
    } else {
        column.cast(&DataType::Int64)?.i64()?.clone()
    };
    let Some(ranks) = IntegerRanks::new(|| values.iter().flatten(), values.len()) else {
        return Ok(None);
    };
    let codes = if values.null_count() == 0 {
        values.into_no_null_iter().map(|v| ranks.rank(v)).collect()
    } else {
        values
            .iter()
            .map(|v| v.map_or(MISSING, |v| ranks.rank(v)))
            .collect()
    };
    Ok(Some(codes))
}

/// Dictionary codes `1..` of a column compared only for equality (missing → 0), taken from a
/// categorical dictionary: the column's own when it was read dictionary-encoded, else one
/// built here by a cast (hashing).
fn dictionary_codes(column: &Column) -> Result<Vec<u32>> {
    let categorical = match column.dtype() {
        DataType::Categorical(_, _) => column.clone(),
        DataType::String => column.cast(&crate::io::dictionary_dtype())?,
        _ => column
            .cast(&DataType::String)?
            .cast(&crate::io::dictionary_dtype())?,
    };
    let physical = categorical.cat32()?.physical();
    if physical.null_count() == 0 {
        // Without missing values the codes are read as plain slices, with no validity check.
        return Ok(physical.into_no_null_iter().map(|code| code + 1).collect());
    }
    Ok(physical
        .iter()
        .map(|v| v.map_or(MISSING, |code| code + 1))
        .collect())
}

/// Encodes columns read straight as dictionary codes ([`crate::io::coded_csv`],
/// [`crate::io::coded_parquet`]): columns compared only for equality keep their codes; an
/// `ordered` text column whose every value is a number is ranked through its dictionary,
/// `O(distinct)` work instead of `O(rows)`. Integer columns arrive ranked already.
pub fn encode_coded(columns: Vec<CodedColumn>, ordered: &[String]) -> Result<Vec<EncodedColumn>> {
    columns
        .into_iter()
        .map(|column| {
            let has_missing = column.codes.contains(&MISSING);
            let is_ordered = ordered.contains(&column.name);
            let distinct = column.dictionary.len() as u32;
            let text = match column.dictionary {
                // Codes already follow numeric order, as `rank_integers` gives them.
                Dictionary::Integers(_) | Dictionary::Times { .. } => {
                    return Ok(EncodedColumn {
                        name: column.name,
                        codes: column.codes,
                        distinct,
                        has_missing,
                        numeric: is_ordered,
                    });
                }
                Dictionary::Text(text) => text,
            };
            let ranks = if is_ordered {
                let dictionary = Column::new(column.name.as_str().into(), &text);
                match as_numeric(&dictionary)? {
                    Some(numbers) => Some(rank_numbers(numbers.f64()?)),
                    None => None,
                }
            } else {
                None
            };
            let numeric = ranks.is_some();
            let (codes, distinct) = match ranks {
                Some(ranks) => {
                    let codes: Vec<u32> = column
                        .codes
                        .iter()
                        .map(|&c| {
                            if c == MISSING {
                                MISSING
                            } else {
                                ranks[c as usize - 1]
                            }
                        })
                        .collect();
                    (codes, ranks.iter().copied().max().unwrap_or(0))
                }
                None => (column.codes, distinct),
            };
            Ok(EncodedColumn {
                name: column.name,
                codes,
                distinct,
                has_missing,
                numeric,
            })
        })
        .collect()
}

/// Encodes one column; `ordered` when its numeric order matters (a sensitive attribute).
fn encode_column(column: &Column, ordered: bool) -> Result<EncodedColumn> {
    let name = column.name().to_string();
    // An integer column is ranked through a table whichever way it is compared: its ranks
    // are its numeric order, and equal ranks are equal values.
    if let Some(codes) = rank_integers(column)? {
        return Ok(EncodedColumn {
            name,
            distinct: codes.iter().copied().max().unwrap_or(0),
            codes,
            has_missing: column.null_count() > 0,
            numeric: ordered,
        });
    }
    // Floats and decimals are compared by value whatever the role (`7.0` = `7`, `-0` = `0`,
    // NaN missing: `engine::compare`), so they are ranked like ordered columns.
    let typed_number = column.dtype().is_float() || column.dtype().is_decimal();
    let parsed = if ordered || typed_number {
        as_numeric(column)?
    } else {
        None
    };
    let numeric = ordered && parsed.is_some();
    let codes = match parsed {
        Some(numbers) => rank_numbers(numbers.f64()?),
        None => dictionary_codes(column)?,
    };
    let distinct = codes.iter().copied().max().unwrap_or(0);
    Ok(EncodedColumn {
        name,
        // A NaN is missing too, which only a float column can hold.
        has_missing: column.null_count() > 0 || (typed_number && codes.contains(&MISSING)),
        codes,
        distinct,
        numeric,
    })
}

/// Encodes the named columns of a frame it takes over, a column per core at a time, freeing
/// each column once it is encoded: the frame and the codes are not both held whole.
pub fn encode_frame(
    df: DataFrame,
    names: &[String],
    ordered: &[String],
) -> Result<Vec<EncodedColumn>> {
    let columns: Vec<Column> = names
        .iter()
        .map(|name| df.column(name).cloned())
        .collect::<PolarsResult<_>>()?;
    drop(df);
    columns
        .into_par_iter()
        .map(|column| {
            let ordered = ordered.iter().any(|o| o.as_str() == column.name().as_str());
            encode_column(&column, ordered)
        })
        .collect()
}

/// Encodes the named columns of `df`, a column per core at a time. `ordered` lists the columns
/// whose numeric order matters (sensitive attributes); the others are only compared for
/// equality.
pub fn encode_columns(
    df: &DataFrame,
    names: &[String],
    ordered: &[String],
) -> Result<Vec<EncodedColumn>> {
    names
        .par_iter()
        .map(|name| encode_column(df.column(name)?, ordered.contains(name)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `u64` values beyond `i64::MAX` stay values, stay apart and stay in order.
    #[test]
    fn huge_unsigned_values_are_not_missing() {
        let df = df!["id" => [u64::MAX, 1, u64::MAX, u64::MAX - 1]].unwrap();
        let names = vec!["id".to_string()];
        for ordered in [&[][..], &names[..]] {
            let column = &encode_columns(&df, &names, ordered).unwrap()[0];
            assert!(!column.has_missing);
            assert!(
                column.codes.iter().all(|&c| c != MISSING),
                "{:?}",
                column.codes
            );
            assert_eq!(column.codes[0], column.codes[2]);
            assert_ne!(column.codes[0], column.codes[1]);
            assert!(column.codes[1] < column.codes[3] && column.codes[3] < column.codes[0]);
        }
    }
}
