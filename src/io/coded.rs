//! What the readers that code values directly ([`super::coded_csv`], [`super::coded_parquet`])
//! hand over: columns as dictionary codes, the one way both build a column's final text
//! dictionary from their local ones, and the ranking of integer values (shared with the polars
//! path's encoder).

use hashbrown::{HashMap, HashSet};

use super::LoadOptions;
use super::missing::MissingValues;

/// One column as dictionary codes: `0` is a missing value, `i + 1` is the dictionary's entry
/// `i`.
#[derive(Debug, Clone)]
pub struct CodedColumn {
    /// The column.
    pub name: String,
    /// Its distinct values.
    pub dictionary: Dictionary,
    /// One code per row.
    pub codes: Vec<u32>,
}

/// The values a column's codes stand for.
#[derive(Debug, Clone, PartialEq)]
pub enum Dictionary {
    /// Text values, in no particular order.
    Text(Vec<String>),
    /// Integers read as such (Parquet), ascending: codes follow numeric order.
    Integers(Vec<i64>),
    /// Dates or timestamps read as such (Parquet): integers in `step`s since 1970-01-01
    /// (UTC for an aware timestamp, the wall clock for a naive one), ascending.
    Times {
        /// The unit of `values`.
        step: TimeStep,
        /// The distinct times, ascending.
        values: Vec<i64>,
    },
}

/// The unit of a time column's integers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeStep {
    /// Days (a date).
    Days,
    /// Milliseconds.
    Millis,
    /// Microseconds.
    Micros,
    /// Nanoseconds.
    Nanos,
}

impl TimeStep {
    /// Steps in one second (`None` for days).
    pub fn per_second(self) -> Option<i64> {
        match self {
            TimeStep::Days => None,
            TimeStep::Millis => Some(1_000),
            TimeStep::Micros => Some(1_000_000),
            TimeStep::Nanos => Some(1_000_000_000),
        }
    }

    /// A value split into days since 1970-01-01 and the second of that day, with the
    /// fraction of a second in steps.
    pub fn split(self, value: i64) -> (i64, i64, i64) {
        match self.per_second() {
            None => (value, 0, 0),
            Some(per_second) => {
                let seconds = value.div_euclid(per_second);
                (
                    seconds.div_euclid(86_400),
                    seconds.rem_euclid(86_400),
                    value.rem_euclid(per_second),
                )
            }
        }
    }

    /// A value as ISO 8601 text, as polars writes it: `YYYY-MM-DD` for a date,
    /// `YYYY-MM-DD HH:MM:SS.fff` for a timestamp, the fraction as many digits as the unit has.
    pub fn format(self, value: i64) -> String {
        let (days, second, fraction) = self.split(value);
        let (y, m, d) = civil_from_days(days);
        let Some(per_second) = self.per_second() else {
            return format!("{y:04}-{m:02}-{d:02}");
        };
        let (h, min, s) = (second / 3600, second / 60 % 60, second % 60);
        let mut text = format!("{y:04}-{m:02}-{d:02} {h:02}:{min:02}:{s:02}");
        let width = per_second.ilog10() as usize;
        text.push_str(&format!(".{fraction:0width$}"));
        text
    }
}

/// The civil date of a day count since 1970-01-01 (Howard Hinnant's algorithm).
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

impl Dictionary {
    /// The number of values.
    pub fn len(&self) -> usize {
        match self {
            Dictionary::Text(values) => values.len(),
            Dictionary::Integers(values) => values.len(),
            Dictionary::Times { values, .. } => values.len(),
        }
    }

    /// Whether there are no values (every row is missing).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The value code `code` stands for, as text; `None` for a missing value.
    pub fn value(&self, code: u32) -> Option<String> {
        let at = (code as usize).checked_sub(1)?;
        match self {
            Dictionary::Text(values) => values.get(at).cloned(),
            Dictionary::Integers(values) => values.get(at).map(i64::to_string),
            Dictionary::Times { step, values } => values.get(at).map(|&v| step.format(v)),
        }
    }
}

/// A column's final text dictionary, built from the readers' local dictionaries one distinct
/// raw value at a time. This is where `--strip` and `--null-values` apply: once per distinct
/// value, not once per row.
#[derive(Debug)]
pub struct DictionaryBuilder {
    values: Vec<String>,
    codes: HashMap<String, u32>,
    missing: MissingValues,
}

impl DictionaryBuilder {
    /// A builder applying the missing-value rule of `opts` ([`super::missing`]).
    pub fn new(opts: &LoadOptions) -> DictionaryBuilder {
        DictionaryBuilder {
            values: Vec::new(),
            codes: HashMap::new(),
            missing: MissingValues::new(opts),
        }
    }

    /// The final code of a raw value (`0` when it means missing); `None` when it is not UTF-8.
    pub fn code(&mut self, raw: &[u8]) -> Option<u32> {
        let Some(value) = self.missing.clean(std::str::from_utf8(raw).ok()?) else {
            return Some(0);
        };
        if let Some(&code) = self.codes.get(value) {
            return Some(code);
        }
        self.values.push(value.to_string());
        let code = self.values.len() as u32;
        self.codes.insert(value.to_string(), code);
        Some(code)
    }

    /// The dictionary: final code `i + 1` is entry `i`.
    pub fn finish(self) -> Dictionary {
        Dictionary::Text(self.values)
    }
}

/// Dense ranks `1..=d` of integers in ascending order: code `r` is the `r`-th smallest distinct
/// value. Values spanning a range not much wider than the rows (ages, ZIP codes, amounts) are
/// ranked through a table indexed by `value − min` — no hashing, and the table stays in cache;
/// others through a map of their sorted distinct values.
#[derive(Debug)]
pub struct IntegerRanks {
    /// The distinct values, ascending.
    pub distinct: Vec<i64>,
    min: i64,
    lookup: RankLookup,
}

#[derive(Debug)]
enum RankLookup {
    /// Rank by `value − min` (`0` for a value not seen).
    Table(Vec<u32>),
    Map(HashMap<i64, u32>),
}

impl IntegerRanks {
    /// Ranks the values `values()` yields (it is called up to three times; missing values left
    /// out) of a column of `rows` rows. `None` when there are no values.
    pub fn new<I: Iterator<Item = i64>>(values: impl Fn() -> I, rows: usize) -> Option<Self> {
        let (min, max) = values().fold(None, |range: Option<(i64, i64)>, v| {
            Some(range.map_or((v, v), |(lo, hi)| (lo.min(v), hi.max(v))))
        })?;
        let span = (max as i128 - min as i128) as u128 + 1;
        if span <= (rows as u128 * 4).max(1 << 16) && span <= 1 << 28 {
            let mut rank = vec![0u32; span as usize];
            for v in values() {
                rank[offset(v, min)] = 1;
            }
            let mut distinct = Vec::new();
            for (at, r) in rank.iter_mut().enumerate().filter(|(_, r)| **r != 0) {
                distinct.push((min as i128 + at as i128) as i64);
                *r = distinct.len() as u32;
            }
            return Some(IntegerRanks {
                distinct,
                min,
                lookup: RankLookup::Table(rank),
            });
        }
        let mut distinct: Vec<i64> = values().collect::<HashSet<i64>>().into_iter().collect();
        distinct.sort_unstable();
        let rank = distinct
            .iter()
            .enumerate()
            .map(|(at, &v)| (v, at as u32 + 1))
            .collect();
        Some(IntegerRanks {
            distinct,
            min,
            lookup: RankLookup::Map(rank),
        })
    }

    /// The rank of a value that was ranked.
    #[inline]
    pub fn rank(&self, value: i64) -> u32 {
        match &self.lookup {
            RankLookup::Table(rank) => rank[offset(value, self.min)],
            RankLookup::Map(rank) => rank[&value],
        }
    }
}

/// Where `value` sits in a table starting at `min`.
#[inline]
fn offset(value: i64, min: i64) -> usize {
    (value as i128 - min as i128) as usize
}

#[cfg(test)]
mod tests {
    use super::IntegerRanks;
    use proptest::prelude::*;

    proptest! {
        /// Ranks through the table (narrow values) and through the map (values spread over
        /// the whole `i64` range) are positions in the sorted distinct values.
        #[test]
        fn ranks_are_positions_among_sorted_distinct_values(
            values in prop::collection::vec(
                prop_oneof![-50i64..50, any::<i64>(), Just(i64::MIN), Just(i64::MAX)],
                1..200,
            ),
            narrow in any::<bool>(),
        ) {
            let values: Vec<i64> =
                if narrow { values.iter().map(|v| v % 1000).collect() } else { values };
            let ranks = IntegerRanks::new(|| values.iter().copied(), values.len()).unwrap();
            let mut sorted = values.clone();
            sorted.sort_unstable();
            sorted.dedup();
            prop_assert_eq!(&ranks.distinct, &sorted);
            for &v in &values {
                let want = sorted.binary_search(&v).unwrap() as u32 + 1;
                prop_assert_eq!(ranks.rank(v), want);
            }
        }
    }

    #[test]
    fn no_values_no_ranks() {
        assert!(IntegerRanks::new(std::iter::empty, 10).is_none());
    }
}
