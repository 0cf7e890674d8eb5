//! What a missing value is, decided in one place for every reader.
//!
//! A value is missing when it is:
//! - a null of a typed format (Parquet, Arrow IPC), a JSON `null` or a key absent from an
//!   NDJSON line;
//! - an empty CSV field, quoted (`""`) or not: a CSV cannot tell the two apart from a
//!   writer's point of view (pandas, R and ARX write and read both as missing);
//! - any empty text, in every format, after `--strip` when it is given: an empty text has
//!   nothing to compare, and a Parquet file written from that CSV gives the same classes;
//! - a text equal to one of the `--null-values` markers, after `--strip` (a set lookup, so
//!   that the cost does not grow with the number of markers);
//! - a floating-point NaN (see `engine::encode`, which reads numbers).
//!
//! The direct readers ([`super::coded_csv`], [`super::coded_parquet`]) apply the rule once per
//! distinct value through [`super::coded::DictionaryBuilder`]; the polars path applies it to
//! every text column as it streams ([`MissingValues::expr`]).

use std::sync::Arc;

use hashbrown::HashSet;
use polars::prelude::*;

use super::LoadOptions;

/// The rule, built once per read from the read's options.
#[derive(Debug, Clone, Default)]
pub struct MissingValues {
    /// Trim surrounding whitespace first (`--strip`).
    strip: bool,
    /// The markers that mean missing (`--null-values`).
    markers: HashSet<String>,
}

impl MissingValues {
    /// The rule a read's options set.
    pub fn new(opts: &LoadOptions) -> MissingValues {
        MissingValues {
            strip: opts.strip,
            markers: opts.null_values.iter().cloned().collect(),
        }
    }

    /// A text value as the rule leaves it: trimmed with `--strip`, `None` when it is missing.
    #[inline]
    pub fn clean<'a>(&self, text: &'a str) -> Option<&'a str> {
        let value = if self.strip { text.trim() } else { text };
        (!value.is_empty() && !self.markers.contains(value)).then_some(value)
    }

    /// Whether the rule can only turn empty texts into missing values (no `--strip`, no
    /// markers): then a column without an empty text is left as it is.
    fn only_empty(&self) -> bool {
        !self.strip && self.markers.is_empty()
    }

    /// A text column with the rule applied to every value.
    pub fn column(&self, column: &StringChunked) -> StringChunked {
        if self.only_empty() && !column.iter().any(|v| v == Some("")) {
            return column.clone();
        }
        let mut cleaned: StringChunked = column
            .iter()
            .map(|value| value.and_then(|v| self.clean(v)))
            .collect();
        cleaned.rename(column.name().clone());
        cleaned
    }

    /// The rule as a polars expression on a text column: elementwise, so it streams.
    pub fn expr(self, text: Expr) -> Expr {
        let rule = Arc::new(self);
        text.map(
            move |column: Column| {
                let cleaned = rule.column(column.str()?);
                Ok(cleaned.into_column())
            },
            |_, field| Ok(field.clone()),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(strip: bool, markers: &[&str]) -> MissingValues {
        MissingValues::new(&LoadOptions {
            strip,
            null_values: markers.iter().map(|m| m.to_string()).collect(),
            ..Default::default()
        })
    }

    #[test]
    fn empty_text_is_missing_whatever_the_options() {
        for r in [rule(false, &[]), rule(true, &[]), rule(false, &["NA"])] {
            assert_eq!(r.clean(""), None);
            assert_eq!(r.clean("x"), Some("x"));
        }
        assert_eq!(rule(false, &[]).clean("  "), Some("  "));
        assert_eq!(rule(true, &[]).clean("  "), None);
    }

    #[test]
    fn markers_compare_after_strip() {
        let r = rule(true, &["NA", "?"]);
        assert_eq!(r.clean(" NA "), None);
        assert_eq!(r.clean("? "), None);
        assert_eq!(r.clean(" na "), Some("na"));
        assert_eq!(rule(false, &["NA"]).clean(" NA"), Some(" NA"));
    }

    #[test]
    fn a_column_is_cleaned_value_by_value() {
        let column = StringChunked::from_iter_options(
            "c".into(),
            [Some("a"), Some(""), None, Some("NA"), Some(" b ")].into_iter(),
        );
        let cleaned = rule(true, &["NA"]).column(&column);
        let values: Vec<Option<&str>> = cleaned.iter().collect();
        assert_eq!(values, [Some("a"), None, None, None, Some("b")]);
        assert_eq!(cleaned.name().as_str(), "c");
    }
}
