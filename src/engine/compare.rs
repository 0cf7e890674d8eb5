//! How values compare across formats, in the class table and in every join kind
//! (docs/metrics.md, "How values compare"):
//!
//! - Text compares as it is spelled (a CSV's `02139` is not `2139`).
//! - Typed numbers (integers of any width, floats, decimals) compare by value: `7` = `7.0`,
//!   `-0.0` = `0`; a NaN is missing.
//! - In a join, a date or timestamp compares by the instant it names: a text timestamp with a
//!   UTC offset (`2024-03-01T10:00:00+02:00`, `...Z`) is that instant in UTC, the same as the
//!   equal zoned Parquet timestamp (which linkrisk reads as the UTC time it stores); a text
//!   timestamp without an offset, and a naive timestamp, are wall-clock times. Time coarsening
//!   (`unicity --time`, a plan's `points`) follows the same rule.

use hashbrown::HashMap;
use polars::prelude::*;

use crate::Result;
use crate::io::coded::{CodedColumn, Dictionary, TimeStep};

/// A number as the text it is compared by: its shortest round-trip decimal form (`7` for
/// `7.0`), `0` for `-0`, `None` (missing) for a NaN.
pub fn number_text(value: f64) -> Option<String> {
    shortest(value.is_nan(), value == 0.0, || value.to_string())
}

/// [`number_text`] of a single-precision float, in its own shortest form (`7.1f32` is `7.1`,
/// not `7.099999904632568`): a value compares equal whatever the width it was stored in.
fn number_text_f32(value: f32) -> Option<String> {
    shortest(value.is_nan(), value == 0.0, || value.to_string())
}

/// The canonical text of a float: missing for a NaN, `0` for either zero, else its shortest
/// decimal form.
fn shortest(nan: bool, zero: bool, text: impl FnOnce() -> String) -> Option<String> {
    if nan {
        None
    } else if zero {
        Some("0".to_string())
    } else {
        Some(text())
    }
}

/// A column's values as the text they are compared by: numbers by value ([`number_text`]),
/// everything else as polars writes it. Missing values stay missing.
pub fn comparable_text(column: &Column) -> Result<StringChunked> {
    let name = column.name().clone();
    let mut text: StringChunked = match column.dtype() {
        DataType::Float32 => column
            .f32()?
            .iter()
            .map(|v| v.and_then(number_text_f32))
            .collect(),
        dtype if dtype.is_float() || dtype.is_decimal() => column
            .cast(&DataType::Float64)?
            .f64()?
            .iter()
            .map(|v| v.and_then(number_text))
            .collect(),
        _ => return Ok(column.cast(&DataType::String)?.str()?.clone()),
    };
    text.rename(name);
    Ok(text)
}

/// A timestamp's canonical text: `YYYY-MM-DD HH:MM:SS`, then `.` and the fraction of a second
/// without trailing zeros when there is one.
pub fn instant_text(days: i64, second: i64, nanos: u32) -> String {
    let (y, m, d) = crate::io::coded::civil_from_days(days);
    let (h, min, s) = (second / 3600, second / 60 % 60, second % 60);
    let mut text = format!("{y:04}-{m:02}-{d:02} {h:02}:{min:02}:{s:02}");
    if nanos > 0 {
        let fraction = format!("{nanos:09}");
        text.push('.');
        text.push_str(fraction.trim_end_matches('0'));
    }
    text
}

/// A text timestamp (`YYYY-MM-DD[T| ]HH:MM[:SS[.fff…]]`, optionally followed by `Z` or a UTC
/// offset `±HH[:MM]`/`±HHMM`) as (days since 1970-01-01, second of the day, nanoseconds), in
/// UTC when it has an offset and as written otherwise; `None` when it is not one.
pub fn parse_timestamp(text: &str) -> Option<(i64, i64, u32)> {
    parse_with_offset(text).map(|(instant, _)| instant)
}

/// [`parse_timestamp`], and whether the text carried a UTC offset (`Z` or `±HH…`).
fn parse_with_offset(text: &str) -> Option<((i64, i64, u32), bool)> {
    let b = text.trim().as_bytes();
    let digits = |range: std::ops::Range<usize>| -> Option<i64> {
        let part = b.get(range)?;
        part.iter()
            .all(u8::is_ascii_digit)
            .then(|| std::str::from_utf8(part).ok()?.parse().ok())?
    };
    if b.len() < 16 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    let (y, m, d) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || b[13] != b':' {
        return None;
    }
    let (h, min) = (digits(11..13)?, digits(14..16)?);
    let mut at = 16;
    let mut sec = 0;
    let mut nanos = 0u32;
    if b.get(at) == Some(&b':') {
        sec = digits(17..19)?;
        at = 19;
        if b.get(at) == Some(&b'.') {
            let start = at + 1;
            let mut end = start;
            while b.get(end).is_some_and(u8::is_ascii_digit) {
                end += 1;
            }
            if end == start || end - start > 9 {
                return None;
            }
            let fraction = std::str::from_utf8(&b[start..end]).ok()?;
            nanos = format!("{fraction:0<9}").parse().ok()?;
            at = end;
        }
    }
    if h > 23 || min > 59 || sec > 60 {
        return None;
    }
    let has_offset = b.get(at).is_some();
    let offset_seconds = match b.get(at) {
        None => 0,
        Some(b'Z' | b'z') if at + 1 == b.len() => 0,
        Some(&sign @ (b'+' | b'-')) => {
            let rest = &b[at + 1..];
            let (oh, om) = match rest.len() {
                2 => (digits(at + 1..at + 3)?, 0),
                4 => (digits(at + 1..at + 3)?, digits(at + 3..at + 5)?),
                5 if rest[2] == b':' => (digits(at + 1..at + 3)?, digits(at + 4..at + 6)?),
                _ => return None,
            };
            if oh > 23 || om > 59 {
                return None;
            }
            let offset = oh * 3600 + om * 60;
            if sign == b'+' { offset } else { -offset }
        }
        Some(_) => return None,
    };
    let days = crate::io::coded::days_from_civil(y, m as u32, d as u32);
    let seconds = days * 86_400 + h * 3600 + min * 60 + sec - offset_seconds;
    Some((
        (
            seconds.div_euclid(86_400),
            seconds.rem_euclid(86_400),
            nanos,
        ),
        has_offset,
    ))
}

/// A compared value of a join as the instant it names, when it is a text timestamp with a UTC
/// offset: its UTC time in canonical text. Every other text is compared as it is spelled.
pub fn join_text(text: &str) -> String {
    match parse_with_offset(text) {
        Some(((days, second, nanos), true)) => instant_text(days, second, nanos),
        _ => text.to_string(),
    }
}

/// A date or timestamp value (`step`s since 1970-01-01) as the canonical text of its instant.
pub fn time_text(step: TimeStep, value: i64) -> String {
    let (days, second, fraction) = step.split(value);
    let nanos_per_step = step.per_second().map_or(0, |per| 1_000_000_000 / per);
    instant_text(days, second, (fraction * nanos_per_step) as u32)
}

/// A date or timestamp column's values as the canonical text of their instants (a zoned
/// timestamp is read as the UTC time it stores); `None` for a column of another type.
pub fn instant_column_text(column: &Column) -> Result<Option<StringChunked>> {
    let (step, values): (TimeStep, Int64Chunked) = match column.dtype() {
        DataType::Datetime(unit, _) => (
            match unit {
                TimeUnit::Milliseconds => TimeStep::Millis,
                TimeUnit::Microseconds => TimeStep::Micros,
                TimeUnit::Nanoseconds => TimeStep::Nanos,
            },
            column.to_physical_repr().i64()?.clone(),
        ),
        DataType::Date => (
            TimeStep::Days,
            column
                .to_physical_repr()
                .cast(&DataType::Int64)?
                .i64()?
                .clone(),
        ),
        _ => return Ok(None),
    };
    let mut text: StringChunked = values
        .iter()
        .map(|v| v.map(|v| time_text(step, v)))
        .collect();
    text.rename(column.name().clone());
    Ok(Some(text))
}

/// A text read as a date or timestamp, as a warehouse casts it to compare it with one: the
/// canonical text of its instant; `None` when it is neither.
pub fn text_as_instant(text: &str) -> Option<String> {
    parse_timestamp(text)
        .or_else(|| parse_date(text).map(|days| (days, 0, 0)))
        .map(|(days, second, nanos)| instant_text(days, second, nanos))
}

/// A `YYYY-MM-DD` date as days since 1970-01-01.
pub fn parse_date(text: &str) -> Option<i64> {
    let b = text.trim().as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let number = |r: std::ops::Range<usize>| -> Option<i64> {
        let part = &b[r];
        part.iter()
            .all(u8::is_ascii_digit)
            .then(|| std::str::from_utf8(part).ok()?.parse().ok())?
    };
    let (y, m, d) = (number(0..4)?, number(5..7)?, number(8..10)?);
    ((1..=12).contains(&m) && (1..=31).contains(&d))
        .then(|| crate::io::coded::days_from_civil(y, m as u32, d as u32))
}

/// What a column's values are, for deciding whether two columns can be compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    /// Text (also categorical).
    Text,
    /// Integers, floats and decimals.
    Number,
    /// Dates and timestamps.
    Instant,
    /// Anything else (booleans, times of day): compared only with its own type.
    Other,
}

impl ValueKind {
    /// The kind of a column's type.
    pub fn of(dtype: &DataType) -> ValueKind {
        match dtype {
            DataType::String | DataType::Categorical(..) | DataType::Enum(..) => ValueKind::Text,
            DataType::Date | DataType::Datetime(..) => ValueKind::Instant,
            d if d.is_primitive_numeric() || d.is_decimal() => ValueKind::Number,
            _ => ValueKind::Other,
        }
    }

    /// Whether a join may compare columns of these two kinds: the same kind, or text with
    /// dates and timestamps (the text read as a timestamp, as a warehouse casts it). Text is
    /// never compared with numbers: `02139` and `2139` are different ZIP codes, and a
    /// warehouse would fail the cast of a non-number.
    pub fn comparable(self, other: ValueKind) -> bool {
        self == other
            || matches!(
                (self, other),
                (ValueKind::Text, ValueKind::Instant) | (ValueKind::Instant, ValueKind::Text)
            )
    }
}

/// Whether a column holds dates or timestamps.
pub fn is_temporal(dtype: &DataType) -> bool {
    ValueKind::of(dtype) == ValueKind::Instant
}

/// A polars column as dictionary codes (first-seen order; `0` missing), for columns of a
/// frame; files read straight to codes arrive in this form already.
pub fn coded_column(column: &Column) -> Result<CodedColumn> {
    let text = comparable_text(column)?;
    Ok(code_text(column.name().as_str(), &text))
}

/// Text values as dictionary codes (first-seen order; `0` missing).
pub fn code_text(name: &str, values: &StringChunked) -> CodedColumn {
    let mut seen: HashMap<&str, u32> = HashMap::new();
    let mut dictionary: Vec<String> = Vec::new();
    let codes = values
        .iter()
        .map(|v| match v {
            None => 0,
            Some(v) => *seen.entry(v).or_insert_with(|| {
                dictionary.push(v.to_string());
                dictionary.len() as u32
            }),
        })
        .collect();
    CodedColumn {
        name: name.to_string(),
        dictionary: Dictionary::Text(dictionary),
        codes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(column: &StringChunked) -> Vec<Option<String>> {
        column.iter().map(|v| v.map(str::to_string)).collect()
    }

    #[test]
    fn numbers_compare_by_value() {
        assert_eq!(number_text(7.0).as_deref(), Some("7"));
        assert_eq!(number_text(-0.0).as_deref(), Some("0"));
        assert_eq!(number_text(0.5).as_deref(), Some("0.5"));
        assert_eq!(number_text(f64::NAN), None);
        assert_eq!(number_text_f32(7.1).as_deref(), Some("7.1"));
        let ints = Column::new("a".into(), [7i64, 0, -3]);
        let floats = Column::new("b".into(), [7.0f64, -0.0, -3.0]);
        let a = texts(&comparable_text(&ints).unwrap());
        let b = texts(&comparable_text(&floats).unwrap());
        assert_eq!(a, b);
    }

    #[test]
    fn offsets_name_instants_in_utc() {
        assert_eq!(
            join_text("2024-03-01T10:00:00+02:00"),
            "2024-03-01 08:00:00"
        );
        assert_eq!(join_text("2024-03-01 08:00:00Z"), "2024-03-01 08:00:00");
        assert_eq!(
            join_text("2024-03-01T01:30:00.250-0500"),
            "2024-03-01 06:30:00.25"
        );
        assert_eq!(join_text("2024-01-01T00:30:00+01"), "2023-12-31 23:30:00");
        // An offset right after the minutes.
        assert_eq!(join_text("2024-03-01 10:00-05:00"), "2024-03-01 15:00:00");
        // Without an offset a text is compared as it is spelled.
        assert_eq!(join_text("2024-03-01T10:00:00"), "2024-03-01T10:00:00");
        assert_eq!(join_text("02139"), "02139");
        assert_eq!(parse_timestamp("2024-13-01 00:00"), None);
        assert_eq!(parse_timestamp("2024-03-01 10:00+25:00"), None);
    }

    #[test]
    fn zoned_timestamps_equal_text_with_offsets() {
        // 2024-03-01 08:00:00 UTC in microseconds.
        let micros = (19_783i64 * 86_400 + 8 * 3600) * 1_000_000;
        let zoned = Column::new("t".into(), [micros])
            .cast(&DataType::Datetime(TimeUnit::Microseconds, None))
            .unwrap();
        let a = texts(&instant_column_text(&zoned).unwrap().unwrap());
        assert_eq!(a[0].as_deref(), Some("2024-03-01 08:00:00"));
        assert_eq!(
            text_as_instant("2024-03-01T10:00:00+02:00").as_deref(),
            a[0].as_deref()
        );
        assert_eq!(
            text_as_instant("2024-03-01").as_deref(),
            Some("2024-03-01 00:00:00")
        );
    }
}
