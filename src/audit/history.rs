//! Purchase histories: a file's rows as points of people's traces, coarsened as asked, and
//! their unicity ([`crate::metrics::unicity`]). Only the entity and point columns are read,
//! straight to codes; time coarsening and banding transform each distinct value once.

use anyhow::bail;
use serde::Serialize;

use super::keys::NO_KEY;
use super::link::read_columns;
use crate::Result;
use crate::engine::group_rows;
use crate::io::LoadOptions;
use crate::io::coded::CodedColumn;
use crate::metrics::unicity::{CurvePoint, NONE, Traces, curve, median_points};

/// How a time column is coarsened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeLevel {
    Hour,
    Day,
    /// The ISO 8601 week (`YYYY-Www`, weeks starting on Monday, week 1 holding January 4th).
    Week,
    Month,
}

impl TimeLevel {
    pub fn parse(s: &str) -> Result<TimeLevel> {
        Ok(match s {
            "hour" => TimeLevel::Hour,
            "day" => TimeLevel::Day,
            "week" => TimeLevel::Week,
            "month" => TimeLevel::Month,
            _ => bail!("unknown time level '{s}'; use hour, day, week or month"),
        })
    }
}

/// How a numeric point column is banded.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Band {
    /// `floor(v / w) · w`.
    Width(f64),
    /// Bands `[2^k, 2^(k+1))` of the value; zero, and negatives mirrored, in bands of their own.
    Log,
}

impl Band {
    pub fn parse(s: &str) -> Result<Band> {
        if s == "log" {
            return Ok(Band::Log);
        }
        match s.parse::<f64>() {
            Ok(w) if w > 0.0 && w.is_finite() => Ok(Band::Width(w)),
            _ => bail!("band '{s}' is neither a positive width nor 'log'"),
        }
    }

    /// The band of a value, named by its lower bound (the negative side by its bound nearest 0).
    pub fn apply(self, v: f64) -> String {
        match self {
            Band::Width(w) => format!("{}", (v / w).floor() * w),
            Band::Log if v == 0.0 => "0".to_string(),
            Band::Log => {
                let lower = 2f64.powi(v.abs().log2().floor() as i32);
                if v < 0.0 {
                    format!("-{lower}")
                } else {
                    format!("{lower}")
                }
            }
        }
    }
}

/// What to measure.
#[derive(Debug, Clone)]
pub struct UnicityOptions {
    pub path: String,
    pub entity: String,
    pub points: Vec<String>,
    pub time: Vec<(String, TimeLevel)>,
    pub band: Vec<(String, Band)>,
    pub max_points: usize,
    pub draws: usize,
    pub seed: u64,
    pub load: LoadOptions,
}

/// The unicity section of a report.
#[derive(Debug, Clone, Serialize)]
pub struct UnicityReport {
    pub entity: String,
    pub points: Vec<String>,
    /// People with at least one point.
    pub people: usize,
    pub median_points: f64,
    /// Rows with a person but a missing point column: not points.
    pub missing_point_rows: usize,
    /// Rows without a person: dropped.
    pub missing_entity_rows: usize,
    pub draws: usize,
    pub seed: u64,
    pub curve: Vec<CurvePoint>,
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The ISO 8601 year and week of a date.
fn iso_week(y: i64, m: u32, d: u32) -> (i64, i64) {
    let days = days_from_civil(y, m, d);
    let weekday = (days + 3).rem_euclid(7); // Monday = 0
    let thursday = days - weekday + 3;
    // The ISO year is the year of that week's Thursday.
    let mut year = y;
    if thursday < days_from_civil(y, 1, 1) {
        year -= 1;
    } else if thursday >= days_from_civil(y + 1, 1, 1) {
        year += 1;
    }
    let week = (thursday - days_from_civil(year, 1, 1)) / 7 + 1;
    (year, week)
}

/// A time value (`YYYY-MM-DD[ HH:MM[:SS…]]`, `T` allowed between) coarsened to `level`;
/// `None` when it does not parse.
pub fn coarsen_time(value: &str, level: TimeLevel) -> Option<String> {
    let b = value.trim().as_bytes();
    let digits = |range: std::ops::Range<usize>| -> Option<u32> {
        let part = b.get(range)?;
        part.iter()
            .all(u8::is_ascii_digit)
            .then(|| std::str::from_utf8(part).ok()?.parse().ok())?
    };
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let (y, m, d) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    let hour = if b.len() > 10 {
        if !matches!(b[10], b' ' | b'T') || b.len() < 16 || b[13] != b':' {
            return None;
        }
        let h = digits(11..13)?;
        digits(14..16)?;
        (h < 24).then_some(h)?
    } else {
        0
    };
    Some(match level {
        TimeLevel::Hour => format!("{y:04}-{m:02}-{d:02} {hour:02}"),
        TimeLevel::Day => format!("{y:04}-{m:02}-{d:02}"),
        TimeLevel::Month => format!("{y:04}-{m:02}"),
        TimeLevel::Week => {
            let (year, week) = iso_week(y as i64, m, d);
            format!("{year:04}-W{week:02}")
        }
    })
}

/// A point column's codes after coarsening: its dictionary mapped through `f` once per
/// distinct value into a new dictionary. A value `f` rejects is an error naming the column.
fn recode(
    column: &CodedColumn,
    what: &str,
    f: impl Fn(&str) -> Option<String>,
) -> Result<(Vec<u32>, usize)> {
    let mut codes: hashbrown::HashMap<String, u32> = hashbrown::HashMap::new();
    let mut map = vec![0u32];
    for code in 1..=column.dictionary.len() as u32 {
        let value = column.dictionary.value(code).unwrap_or_default();
        let Some(coarse) = f(&value) else {
            bail!("column '{}' has a value that is not {what}", column.name);
        };
        let next = codes.len() as u32 + 1;
        map.push(*codes.entry(coarse).or_insert(next));
    }
    let recoded = column.codes.iter().map(|&c| map[c as usize]).collect();
    Ok((recoded, codes.len() + 1))
}

/// Reads the file and measures the unicity of its traces.
pub fn unicity(opts: &UnicityOptions) -> Result<UnicityReport> {
    if opts.points.is_empty() {
        bail!("--points names no column");
    }
    if opts.max_points == 0 {
        bail!("--max-points must be at least 1");
    }
    if opts.draws == 0 {
        bail!("--draws must be at least 1");
    }
    if opts.points.contains(&opts.entity) {
        bail!(
            "column '{}' cannot be both the entity and a point column",
            opts.entity
        );
    }
    for (c, _) in opts
        .time
        .iter()
        .map(|(c, t)| (c, format!("{t:?}")))
        .chain(opts.band.iter().map(|(c, b)| (c, format!("{b:?}"))))
    {
        if !opts.points.contains(c) {
            bail!("--time and --band coarsen point columns; '{c}' is not one of --points");
        }
    }
    let mut names = vec![opts.entity.clone()];
    names.extend(opts.points.iter().cloned());
    let timer = crate::timing::Timer::start();
    let (columns, rows) = read_columns(&opts.path, &names, &opts.load)?;
    timer.lap("read as codes");
    let entity = &columns[0];
    let mut point_columns: Vec<(Vec<u32>, usize)> = Vec::new();
    for column in &columns[1..] {
        let time = opts.time.iter().find(|(c, _)| *c == column.name);
        let band = opts.band.iter().find(|(c, _)| *c == column.name);
        point_columns.push(match (time, band) {
            (Some(_), Some(_)) => bail!("column '{}' has both --time and --band", column.name),
            (Some((_, level)), None) => {
                recode(column, "a date or time (YYYY-MM-DD[ HH:MM[:SS]])", |v| {
                    coarsen_time(v, *level)
                })?
            }
            (None, Some((_, band))) => recode(column, "a number", |v| {
                v.trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|x| x.is_finite())
                    .map(|x| band.apply(x))
            })?,
            (None, None) => (column.codes.clone(), column.dictionary.len() + 1),
        });
    }
    timer.lap("coarsen");
    // A row is a point of a person when it has the person and every point column.
    let mut person = vec![NONE; rows];
    let mut numbers = vec![NONE; entity.dictionary.len() + 1];
    let (mut people, mut missing_entity_rows, mut missing_point_rows) = (0u32, 0usize, 0usize);
    for (row, &code) in entity.codes.iter().enumerate() {
        if code == 0 {
            missing_entity_rows += 1;
            continue;
        }
        if point_columns.iter().any(|(codes, _)| codes[row] == 0) {
            missing_point_rows += 1;
            continue;
        }
        if numbers[code as usize] == NONE {
            numbers[code as usize] = people;
            people += 1;
        }
        person[row] = numbers[code as usize];
    }
    let grouped: Vec<(&[u32], usize)> = point_columns
        .iter()
        .map(|(codes, slots)| (codes.as_slice(), *slots))
        .collect();
    let grouping = group_rows(&grouped, rows);
    let points = grouping.sizes.len();
    let point = grouping.ids();
    let point: Vec<u32> = point
        .iter()
        .zip(&person)
        .map(|(&p, &e)| if e == NONE { NO_KEY } else { p })
        .collect();
    let traces = Traces::build(&person, &point, people as usize, points);
    timer.lap("traces and posting lists");
    let curve = curve(&traces, opts.max_points, opts.draws, opts.seed);
    timer.lap("unicity curve");
    Ok(UnicityReport {
        entity: opts.entity.clone(),
        points: opts.points.clone(),
        people: people as usize,
        median_points: median_points(&traces),
        missing_point_rows,
        missing_entity_rows,
        draws: opts.draws,
        seed: opts.seed,
        curve,
    })
}
