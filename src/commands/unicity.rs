//! `linkrisk unicity FILE --entity PERSON --points A,B [--time T:day] [--band P:10]`: how few
//! points of a person's own history (purchases, visits) single them out — ε_p with a 95%
//! interval for p = 1..10 (de Montjoye et al. 2015), and with `--coarsen` the resolution table.

use crate::bail;
use clap::Args;
use clap::builder::TypedValueParser as _;

use super::args::{InputArgs, OutputArgs};
use super::{Progress, check_names};
use crate::Result;
pub use crate::audit::history::UnicityOptions;
use crate::audit::history::{Band, Coarsening, TimeLevel};
use crate::model::{self, Policy, Report};

/// `unicity`'s command-line arguments.
#[derive(Args, Debug)]
pub struct UnicityArgs {
    /// The file of rows (purchases, visits), several per person, or a database
    /// (`postgresql://user@host:port/db`, Spark Connect `sc://host:port`) with --table or
    /// --query.
    pub file: String,
    /// The database's table of rows.
    #[arg(long, conflicts_with = "query")]
    pub table: Option<String>,
    /// A query whose rows are the purchases.
    #[arg(long)]
    pub query: Option<String>,
    /// The column that names the person; rows without it are dropped (and counted).
    #[arg(long)]
    pub entity: String,
    /// The point columns, comma-separated: a row's tuple of them is one point of a trace.
    #[arg(long, value_delimiter = ',', required = true)]
    pub points: Vec<String>,
    /// Coarsen a time point column in place: `COL:hour|day|week|month` (repeatable).
    #[arg(long)]
    pub time: Vec<String>,
    /// Band a numeric point column: `COL:WIDTH` or `COL:log` (repeatable).
    #[arg(long)]
    pub band: Vec<String>,
    /// De Montjoye's resolution table: `COL:LEVEL,LEVEL` (repeatable; levels hour, day, week,
    /// month, log, a band width, prefixN); ε_4 for every combination.
    #[arg(long)]
    pub coarsen: Vec<String>,
    /// Largest number of points p drawn (1 to 100).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=crate::metrics::unicity::MAX_POINTS as u64).map(|n| n as usize))]
    pub max_points: usize,
    /// Draws per person and p (1 to 10,000).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=crate::metrics::unicity::MAX_DRAWS as u64).map(|n| n as usize))]
    pub draws: usize,
    /// Seed of the draws: the same seed gives the same figures.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// How to read the input.
    #[command(flatten)]
    pub input: InputArgs,
    /// The memory budget.
    #[command(flatten)]
    pub memory: super::args::MemoryArgs,
    /// Where and how to write the report.
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Splits `COL:SPEC` of `--time`, `--band` and `--coarsen`.
fn column_spec<'a>(flag: &str, spec: &'a str) -> Result<(String, &'a str)> {
    match spec.split_once(':') {
        Some((column, what)) if !column.is_empty() => Ok((column.to_string(), what)),
        _ => bail!("--{flag} takes COLUMN:SPEC, got '{spec}'"),
    }
}

/// Every `COL:SPEC` of one option, its spec parsed by `parse`.
fn column_specs<T>(
    flag: &str,
    specs: &[String],
    parse: impl Fn(&str) -> Result<T>,
) -> Result<Vec<(String, T)>> {
    specs
        .iter()
        .map(|spec| {
            let (column, what) = column_spec(flag, spec)?;
            Ok((column, parse(what)?))
        })
        .collect()
}

impl UnicityArgs {
    /// The library options these arguments ask for, or the first malformed `COL:SPEC`.
    pub fn options(&self) -> Result<UnicityOptions> {
        let time = column_specs("time", &self.time, TimeLevel::parse)?;
        let band = column_specs("band", &self.band, Band::parse)?;
        let coarsen = column_specs("coarsen", &self.coarsen, |levels| {
            levels
                .split(',')
                .map(|l| Coarsening::parse(l.trim()))
                .collect()
        })?;
        Ok(UnicityOptions {
            coarsen,
            path: self.file.clone(),
            table: self.table.clone(),
            query: self.query.clone(),
            entity: self.entity.clone(),
            points: self.points.clone(),
            time,
            band,
            max_points: self.max_points,
            draws: self.draws,
            seed: self.seed,
            load: self.input.load_options(&self.points),
        })
    }
}

/// Measures the unicity of the file's histories.
pub fn run(opts: &UnicityOptions, progress: Progress) -> Result<Report> {
    check_names("points", &opts.points)?;
    progress(&format!("loading {}", opts.path));
    let unicity = crate::audit::history::unicity(opts)?;
    let policy = Policy {
        k: 1,
        l: None,
        max_unique_fraction: None,
        ..Default::default()
    };
    let source = crate::source::Source::open(
        &opts.path,
        opts.table.as_deref(),
        opts.query.as_deref(),
        Default::default(),
        false,
    )?;
    let inputs = vec![crate::audit::provenance::source_input(
        "file", &source, None,
    )?];
    Ok(Report {
        baseline: None,
        provenance: Some(crate::audit::provenance::provenance(inputs)),
        schema_version: model::SCHEMA_VERSION,
        tool: Default::default(),
        missing_values: model::MISSING_VALUES_NOTE,
        views: Vec::new(),
        joins: Vec::new(),
        findings: Vec::new(),
        policy: crate::audit::verdict::judge(&policy, &[], &[]),
        unicity: Some(unicity),
        records: Vec::new(),
        assessment: Default::default(),
    })
}
