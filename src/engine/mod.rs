//! The measurement engine: dictionary-encode the columns of a view, then build its
//! equivalence-class table in one pass. Every metric reads that table.

pub mod classes;
pub mod encode;
pub mod wildcard;

pub use classes::{ClassTable, NullMode, SensitiveTable, class_ids};
pub use encode::{EncodedColumn, encode_columns};

use polars::prelude::DataFrame;

use crate::Result;

/// Encodes a view's QI and sensitive columns and builds its class table.
pub fn class_table(df: &DataFrame, qis: &[String], sensitive: &[String]) -> Result<ClassTable> {
    class_table_with(df, qis, sensitive, NullMode::Value)
}

/// [`class_table`] with a choice of how missing QI values match.
pub fn class_table_with(
    df: &DataFrame,
    qis: &[String],
    sensitive: &[String],
    nulls: NullMode,
) -> Result<ClassTable> {
    let mut names: Vec<String> = qis.to_vec();
    names.extend(sensitive.iter().filter(|s| !qis.contains(s)).cloned());
    let encoded = encode_columns(df, &names, sensitive)?;
    let (qi_cols, rest): (Vec<EncodedColumn>, Vec<EncodedColumn>) =
        encoded.into_iter().partition(|c| qis.contains(&c.name));
    let sens_cols: Vec<EncodedColumn> = sensitive
        .iter()
        .filter_map(|s| {
            rest.iter()
                .chain(qi_cols.iter())
                .find(|c| &c.name == s)
                .cloned()
        })
        .collect();
    Ok(ClassTable::build(&qi_cols, &sens_cols, df.height(), nulls))
}
