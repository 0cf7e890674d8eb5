//! Purchase histories: a file's rows as points of people's traces, coarsened as asked, and
//! their unicity ([`crate::metrics::unicity`]). Only the entity and point columns are read,
//! straight to codes; time coarsening and banding transform each distinct value once.

use crate::bail;

use super::keys::NO_KEY;
use crate::Result;
use crate::engine::group_rows;
use crate::io::LoadOptions;
use crate::io::coded::{CodedColumn, Dictionary, TimeStep, civil_from_days, days_from_civil};
use crate::metrics::unicity::{NONE, Traces, curve, median_points};
use crate::model::{Resolution, UnicityReport};

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
    /// The file, or a database URL with `table` or `query`.
    pub path: String,
    /// With a database URL: its table of rows.
    pub table: Option<String>,
    /// With a database URL: a query whose rows are the purchases.
    pub query: Option<String>,
    pub entity: String,
    pub points: Vec<String>,
    pub time: Vec<(String, TimeLevel)>,
    pub band: Vec<(String, Band)>,
    /// For de Montjoye's resolution table: per point column, the coarsenings to combine.
    pub coarsen: Vec<(String, Vec<Coarsening>)>,
    pub max_points: usize,
    pub draws: usize,
    pub seed: u64,
    pub load: LoadOptions,
}

/// How a point column is coarsened.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Coarsening {
    Time(TimeLevel),
    Band(Band),
    /// The first `n` characters (`prefix3`: store `S012` → `S01`).
    Prefix(usize),
}

impl Coarsening {
    /// `hour`, `day`, `week`, `month`, `log`, a band width, or `prefixN`.
    pub fn parse(s: &str) -> Result<Coarsening> {
        if let Ok(level) = TimeLevel::parse(s) {
            return Ok(Coarsening::Time(level));
        }
        if let Some(n) = s.strip_prefix("prefix") {
            return match n.parse::<usize>() {
                Ok(n) if n > 0 => Ok(Coarsening::Prefix(n)),
                _ => bail!("coarsening '{s}': prefix takes a positive length, as prefix3"),
            };
        }
        Band::parse(s).map(Coarsening::Band).map_err(|_| {
            crate::invalid!(
                "unknown coarsening '{s}'; use hour, day, week, month, log, a band width or prefixN"
            )
        })
    }

    pub fn label(&self) -> String {
        match self {
            Coarsening::Time(t) => format!("{t:?}").to_lowercase(),
            Coarsening::Band(Band::Log) => "log".into(),
            Coarsening::Band(Band::Width(w)) => format!("{w}"),
            Coarsening::Prefix(n) => format!("prefix{n}"),
        }
    }

    /// What a value must be for this coarsening, for the error naming its column.
    fn expects(&self) -> &'static str {
        match self {
            Coarsening::Time(_) => "a date or time (YYYY-MM-DD[ HH:MM[:SS]])",
            Coarsening::Band(_) => "a number",
            Coarsening::Prefix(_) => "text",
        }
    }

    fn apply(&self, v: &str) -> Option<String> {
        match self {
            Coarsening::Time(level) => coarsen_time(v, *level),
            Coarsening::Band(band) => v
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .map(|x| band.apply(x)),
            Coarsening::Prefix(n) => Some(v.chars().take(*n).collect()),
        }
    }
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
/// `None` when it does not parse. A timestamp with a UTC offset (`…+02:00`, `…Z`) is the
/// instant it names, coarsened in UTC as a zoned Parquet timestamp is
/// (`engine::compare`).
pub fn coarsen_time(value: &str, level: TimeLevel) -> Option<String> {
    use crate::engine::compare::{parse_date, parse_timestamp};
    let (days, second) = match parse_timestamp(value) {
        Some((days, second, _)) => (days, second),
        None => (parse_date(value)?, 0),
    };
    let (y, m, d) = civil_from_days(days);
    let hour = second / 3600;
    Some(match level {
        TimeLevel::Hour => format!("{y:04}-{m:02}-{d:02} {hour:02}"),
        TimeLevel::Day => format!("{y:04}-{m:02}-{d:02}"),
        TimeLevel::Month => format!("{y:04}-{m:02}"),
        TimeLevel::Week => {
            let (year, week) = iso_week(y, m, d);
            format!("{year:04}-W{week:02}")
        }
    })
}

/// A point column's codes after coarsening: its dictionary mapped through `f` once per
/// distinct value into a new dictionary. A value `f` rejects is an error naming the column.
fn recode(column: &CodedColumn, coarsening: Coarsening) -> Result<(Vec<u32>, usize)> {
    if let (Dictionary::Times { step, values }, Coarsening::Time(level)) =
        (&column.dictionary, coarsening)
    {
        return Ok(recode_times(&column.codes, *step, values, level));
    }
    let what = coarsening.expects();
    let f = |v: &str| coarsening.apply(v);
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

/// [`recode`] of a date or timestamp column read as numbers: each distinct value's period
/// (hour, day, ISO week or month) as a number; the values ascend, so equal periods are runs
/// and get one code each, with no text and no hashing.
fn recode_times(
    codes: &[u32],
    step: TimeStep,
    values: &[i64],
    level: TimeLevel,
) -> (Vec<u32>, usize) {
    let period = |v: i64| -> i64 {
        let (days, second, _) = step.split(v);
        match level {
            TimeLevel::Hour => days * 24 + second / 3600,
            TimeLevel::Day => days,
            TimeLevel::Week => {
                let (y, m, d) = civil_from_days(days);
                let (year, week) = iso_week(y, m, d);
                year * 54 + week
            }
            TimeLevel::Month => {
                let (y, m, _) = civil_from_days(days);
                y * 12 + m as i64
            }
        }
    };
    let mut map = Vec::with_capacity(values.len() + 1);
    map.push(0u32);
    let mut last = None;
    let mut next = 0u32;
    for &v in values {
        let this = period(v);
        if last != Some(this) {
            next += 1;
            last = Some(this);
        }
        map.push(next);
    }
    let recoded = codes.iter().map(|&c| map[c as usize]).collect();
    (recoded, next as usize + 1)
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
    for c in opts
        .time
        .iter()
        .map(|(c, _)| c)
        .chain(opts.band.iter().map(|(c, _)| c))
    {
        if !opts.points.contains(c) {
            bail!("--time and --band coarsen point columns; '{c}' is not one of --points");
        }
    }
    for (c, _) in &opts.coarsen {
        if !opts.points.contains(c) {
            bail!("--coarsen coarsens point columns; '{c}' is not one of --points");
        }
    }
    let mut base: Vec<(String, Coarsening)> = Vec::new();
    for (c, t) in &opts.time {
        base.push((c.clone(), Coarsening::Time(*t)));
    }
    for (c, b) in &opts.band {
        if base.iter().any(|(x, _)| x == c) {
            bail!("column '{c}' has both --time and --band");
        }
        base.push((c.clone(), Coarsening::Band(*b)));
    }
    let mut names = vec![opts.entity.clone()];
    names.extend(opts.points.iter().cloned());
    let timer = crate::timing::Timer::start();
    let (columns, rows) = crate::source::Source::open(
        &opts.path,
        opts.table.as_deref(),
        opts.query.as_deref(),
        opts.load.clone(),
        false,
    )?
    .coded_columns(&names)?;
    timer.lap("read as codes");
    let people_traces = traces_of(&columns, rows, &base)?;
    timer.lap("traces and posting lists");
    let curve = curve(
        &people_traces.traces,
        opts.max_points,
        opts.draws,
        opts.seed,
    );
    timer.lap("unicity curve");
    // The resolution table: ε_4 for every combination of the given coarsenings.
    let mut resolution = Vec::new();
    let mut combination = vec![0usize; opts.coarsen.len()];
    while !opts.coarsen.is_empty() {
        let mut chosen = base.clone();
        let mut coarsening = std::collections::BTreeMap::new();
        for ((column, levels), &i) in opts.coarsen.iter().zip(&combination) {
            chosen.retain(|(c, _)| c != column);
            chosen.push((column.clone(), levels[i]));
            coarsening.insert(column.clone(), levels[i].label());
        }
        let t = traces_of(&columns, rows, &chosen)?;
        let four = crate::metrics::unicity::curve(&t.traces, 4, opts.draws, opts.seed);
        resolution.push(Resolution {
            coarsening,
            epsilon_4: four[3].unique_fraction,
        });
        // Next combination, the last column's levels turning fastest.
        let mut at = combination.len();
        loop {
            if at == 0 {
                break;
            }
            at -= 1;
            combination[at] += 1;
            if combination[at] < opts.coarsen[at].1.len() {
                break;
            }
            combination[at] = 0;
        }
        if combination.iter().all(|&i| i == 0) {
            break;
        }
    }
    timer.lap("resolution table");
    Ok(UnicityReport {
        entity: opts.entity.clone(),
        points: opts.points.clone(),
        people: people_traces.people,
        median_points: median_points(&people_traces.traces),
        missing_point_rows: people_traces.missing_point_rows,
        missing_entity_rows: people_traces.missing_entity_rows,
        draws: opts.draws,
        seed: opts.seed,
        curve,
        resolution,
    })
}

/// People's traces under one coarsening of the point columns, and the rows left out.
struct PeopleTraces {
    traces: Traces,
    people: usize,
    missing_point_rows: usize,
    missing_entity_rows: usize,
}

/// Builds the traces from the read columns (entity first, then the point columns), each point
/// column coarsened as `coarsening` says.
fn traces_of(
    columns: &[CodedColumn],
    rows: usize,
    coarsening: &[(String, Coarsening)],
) -> Result<PeopleTraces> {
    let entity = &columns[0];
    let mut point_columns: Vec<(Vec<u32>, usize)> = Vec::new();
    for column in &columns[1..] {
        point_columns.push(match coarsening.iter().find(|(c, _)| *c == column.name) {
            Some((_, how)) => recode(column, *how)?,
            None => (column.codes.clone(), column.dictionary.len() + 1),
        });
    }
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
    let point: Vec<u32> = grouping
        .ids()
        .iter()
        .zip(&person)
        .map(|(&p, &e)| if e == NONE { NO_KEY } else { p })
        .collect();
    Ok(PeopleTraces {
        traces: Traces::build(&person, &point, people as usize, points),
        people: people as usize,
        missing_point_rows,
        missing_entity_rows,
    })
}

#[cfg(test)]
mod tests {
    use super::{TimeLevel, coarsen_time};

    /// A text timestamp with an offset is coarsened as the UTC instant it names, as a zoned
    /// Parquet timestamp is; one without an offset as written.
    #[test]
    fn offsets_are_coarsened_in_utc() {
        assert_eq!(
            coarsen_time("2024-03-02T00:30:00+01:00", TimeLevel::Day).as_deref(),
            Some("2024-03-01")
        );
        assert_eq!(
            coarsen_time("2024-03-01T23:30:00-02:00", TimeLevel::Hour).as_deref(),
            Some("2024-03-02 01")
        );
        assert_eq!(
            coarsen_time("2024-03-02T00:30:00", TimeLevel::Day).as_deref(),
            Some("2024-03-02")
        );
        assert_eq!(
            coarsen_time("2024-03-02", TimeLevel::Month).as_deref(),
            Some("2024-03")
        );
        assert_eq!(coarsen_time("March 2", TimeLevel::Day), None);
    }
}
