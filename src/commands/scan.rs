//! `linkrisk scan FILE --qi A,B,C [--sensitive S] [--entity E]`: measures one file —
//! k-anonymity, uniqueness, l-diversity, t-closeness, prosecutor, journalist and marketer risk,
//! population uniqueness — per record, or per person with `--entity`.
//!
//! Without `--show-values` or a population table the file goes straight to dictionary codes
//! (no frame of text); otherwise it is loaded as a polars frame.

use crate::bail;
use crate::error::Context as _;
use clap::Args;

use super::args::{InputArgs, OutputArgs, PolicyArgs, PopulationArgs};
use super::{Progress, check_names};
use crate::Result;
use crate::audit::listing::{Listing, frame_records, records_of, small_classes};
use crate::engine::{ClassTable, NullMode, take_column};
use crate::io::LoadOptions;
use crate::metrics::{self, MeasureOptions};
use crate::model::{self, Policy, Report, ViewReport};
use crate::source::{ClassQuery, Source};

/// `scan`'s command-line arguments.
#[derive(Args, Debug)]
pub struct ScanArgs {
    /// The file to measure (CSV/TSV, Parquet, Arrow IPC, NDJSON; `-` reads CSV from stdin), or
    /// a database (`postgresql://user@host:port/db`, Spark Connect `sc://host:port`) with
    /// --table or --query.
    #[arg(
        required_unless_present = "class_table",
        conflicts_with = "class_table"
    )]
    pub file: Option<String>,
    /// The database's table of records (`schema.table` allowed).
    #[arg(long, conflicts_with = "query")]
    pub table: Option<String>,
    /// A query whose rows are the database's records.
    #[arg(long)]
    pub query: Option<String>,
    /// Measure a class table written elsewhere instead of records (CSV or Parquet: the
    /// result of `linkrisk sql`, columns in docs/class-table.md).
    #[arg(long, value_name = "FILE")]
    pub class_table: Option<String>,
    /// Quasi-identifier columns, comma-separated.
    #[arg(long, value_delimiter = ',', required = true)]
    pub qi: Vec<String>,
    /// Sensitive columns, comma-separated.
    #[arg(long, value_delimiter = ',')]
    pub sensitive: Vec<String>,
    /// The column that names the person when one person has many rows: every figure then
    /// counts people, an entity's QI value being the multiset of its rows' QI tuples.
    #[arg(long)]
    pub entity: Option<String>,
    /// How to read the input.
    #[command(flatten)]
    pub input: InputArgs,
    /// The policy.
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// The population.
    #[command(flatten)]
    pub population: PopulationArgs,
    /// Write every record's (or person's) risk to this file (.csv or .parquet): row, class
    /// size, prosecutor risk, unique; the entity key only with --show-values.
    #[arg(long)]
    pub records: Option<std::path::PathBuf>,
    /// The memory budget.
    #[command(flatten)]
    pub memory: super::args::MemoryArgs,
    /// Where and how to write the report.
    #[command(flatten)]
    pub output: OutputArgs,
}

impl ScanArgs {
    /// The library options these arguments ask for.
    pub fn options(&self) -> ScanOptions {
        ScanOptions {
            file: self
                .class_table
                .clone()
                .or_else(|| self.file.clone())
                .unwrap_or_default(),
            class_table: self.class_table.is_some(),
            table: self.table.clone(),
            query: self.query.clone(),
            qi: self.qi.clone(),
            sensitive: self.sensitive.clone(),
            entity: self.entity.clone(),
            load: self.input.load_options(&[]),
            policy: self.policy.policy(),
            measure: self.policy.measure_options(),
            nulls: self.policy.nulls,
            population: self.population.population,
            sampling_fraction: self.population.sampling_fraction,
            population_table: self.population.population_table.clone(),
            show_values: self.output.show_values,
            records: self.records.is_some(),
        }
    }
}

/// What to measure and how.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// The file (`-` for CSV on standard input).
    pub file: String,
    /// The file is a class table (docs/class-table.md), not records.
    pub class_table: bool,
    /// With a database URL: its table of records.
    pub table: Option<String>,
    /// With a database URL: a query whose rows are the records.
    pub query: Option<String>,
    /// The quasi-identifier columns.
    pub qi: Vec<String>,
    /// The sensitive columns.
    pub sensitive: Vec<String>,
    /// The column naming the person, when one person has many rows.
    pub entity: Option<String>,
    /// How to read the file; the QIs are read dictionary-encoded whatever `load.dictionary`
    /// says.
    pub load: LoadOptions,
    /// The thresholds the report is judged by.
    pub policy: Policy,
    /// The metrics' options (the population is resolved from the fields below).
    pub measure: MeasureOptions,
    /// How a missing QI value matches.
    pub nulls: NullMode,
    /// The population size N, or the sampling fraction π = n/N.
    pub population: Option<f64>,
    /// The sampling fraction π = n/N, when N is not given.
    pub sampling_fraction: Option<f64>,
    /// A table of the population holding the QIs (and the entity column).
    pub population_table: Option<String>,
    /// List the QI values of the classes below k (personal data: a private investigation).
    pub show_values: bool,
    /// Compute every record's (or person's) risk into [`Report::records`].
    pub records: bool,
}

impl ScanOptions {
    /// Measures `qi` of `file` with the defaults of the command line (policy k = 5).
    pub fn new(file: impl Into<String>, qi: &[&str]) -> ScanOptions {
        ScanOptions {
            file: file.into(),
            class_table: false,
            table: None,
            query: None,
            qi: qi.iter().map(|q| q.to_string()).collect(),
            sensitive: Vec::new(),
            entity: None,
            load: LoadOptions::default(),
            policy: Policy {
                k: 5,
                l: None,
                max_unique_fraction: None,
                ..Default::default()
            },
            measure: MeasureOptions {
                policy_k: 5,
                recursive_l: 2,
                population: None,
            },
            nulls: NullMode::Value,
            population: None,
            sampling_fraction: None,
            population_table: None,
            show_values: false,
            records: false,
        }
    }

    /// The files the run reads (a report must never replace one).
    pub fn inputs(&self) -> Vec<&std::path::Path> {
        let mut inputs = vec![std::path::Path::new(&self.file)];
        inputs.extend(self.population_table.iter().map(std::path::Path::new));
        inputs
    }

    fn validate(&self) -> Result<()> {
        check_names("qi", &self.qi)?;
        check_names("sensitive", &self.sensitive)?;
        if self.nulls == NullMode::Wildcard && self.qi.len() > crate::engine::wildcard::MAX_QIS {
            bail!(
                "--nulls wildcard supports at most {} quasi-identifiers, got {}",
                crate::engine::wildcard::MAX_QIS,
                self.qi.len()
            );
        }
        if let Some(both) = self.sensitive.iter().find(|s| self.qi.contains(s)) {
            bail!(
                "column {} cannot be both a quasi-identifier and sensitive",
                crate::escape::name(both)
            );
        }
        if self.class_table && (self.show_values || self.records || self.population_table.is_some())
        {
            bail!(
                "--class-table holds classes, not records: --show-values, --records and --population-table need the records"
            );
        }
        if let Some(entity) = &self.entity {
            if self.qi.contains(entity) || self.sensitive.contains(entity) {
                bail!(
                    "--entity column {} cannot also be a quasi-identifier or sensitive",
                    crate::escape::name(entity)
                );
            }
            if self.nulls == NullMode::Wildcard {
                bail!("--entity cannot be combined with --nulls wildcard (not supported yet)");
            }
        }
        Ok(())
    }
}

/// Resolves a population size from N or π for a sample of `rows` records.
pub fn population_size(
    population: Option<f64>,
    fraction: Option<f64>,
    rows: usize,
) -> Result<Option<f64>> {
    let n = rows as f64;
    let size = match (population, fraction) {
        (Some(p), _) => p,
        (None, Some(f)) => {
            if !(f > 0.0 && f <= 1.0) {
                bail!("--sampling-fraction must be in (0, 1], got {f}");
            }
            (n / f).round()
        }
        (None, None) => return Ok(None),
    };
    if !size.is_finite() || size < n {
        bail!("the population ({size}) is smaller than the sample ({rows} rows)");
    }
    Ok(Some(size))
}

/// Measures one file.
pub fn run(opts: &ScanOptions, progress: Progress) -> Result<Report> {
    opts.validate()?;
    progress(&format!("loading {}", opts.file));
    let mut columns = opts.qi.clone();
    columns.extend(opts.sensitive.iter().cloned());
    columns.extend(opts.entity.iter().cloned());
    let timer = crate::timing::Timer::start();
    let load = LoadOptions {
        dictionary: opts.qi.clone(),
        ..opts.load.clone()
    };
    let mut rows_read = None;
    // --records and --show-values read each record's class from the one class table.
    let listing = Listing {
        records: opts.records,
        show_values: opts.show_values,
    };
    let keep = listing.membership();
    // Without --show-values or a population table no frame is needed: the source goes
    // straight to codes.
    let source = Source::open(
        &opts.file,
        opts.table.as_deref(),
        opts.query.as_deref(),
        if opts.class_table {
            opts.load.clone()
        } else {
            load.clone()
        },
        opts.class_table,
    )?;
    let direct = if opts.show_values || opts.population_table.is_some() {
        None
    } else {
        let classes = source.class_table(&ClassQuery {
            qis: &opts.qi,
            sensitive: &opts.sensitive,
            entity: opts.entity.as_deref(),
            nulls: opts.nulls,
            membership: keep,
        })?;
        timer.lap("load, encode and group");
        progress("measuring");
        rows_read = Some(classes.rows);
        Some(classes.table)
    };
    let (table, df) = match direct {
        Some(table) => (table, None),
        None => {
            let df = source.frame(&columns)?;
            timer.lap("load");
            progress("measuring");
            let population = match &opts.population_table {
                None => None,
                Some(path) => {
                    progress(&format!("loading {path}"));
                    let mut names = opts.qi.clone();
                    names.extend(opts.entity.iter().cloned());
                    Some(
                        Source::file(path, load.clone())
                            .frame(&names)
                            .context("population table")?,
                    )
                }
            };
            let table = match (&opts.entity, &population) {
                (Some(entity), Some(population)) => crate::engine::entity_table_with_population(
                    &df,
                    &opts.qi,
                    &opts.sensitive,
                    entity,
                    population,
                    keep,
                ),
                (Some(entity), None) => {
                    let mut names = opts.qi.clone();
                    names.push(entity.clone());
                    crate::engine::encode_view(&df, &names, &opts.sensitive).map(
                        |(mut qi_cols, sens_cols)| {
                            let entity_col = take_column(&mut qi_cols, entity);
                            ClassTable::build_entities(
                                qi_cols,
                                &sens_cols,
                                &entity_col,
                                df.height(),
                                keep,
                            )
                        },
                    )
                }
                (None, None) => crate::engine::class_table_with(
                    &df,
                    &opts.qi,
                    &opts.sensitive,
                    opts.nulls,
                    keep,
                ),
                (None, Some(population)) => crate::engine::class_table_with_population(
                    &df,
                    &opts.qi,
                    &opts.sensitive,
                    opts.nulls,
                    population,
                    keep,
                ),
            }
            .with_context(|| format!("cannot measure {}", opts.file))?;
            (table, Some(df))
        }
    };
    let records = match (&df, opts.records) {
        (_, false) => Vec::new(),
        (Some(df), true) => {
            frame_records(None, &table, df, opts.entity.as_deref(), opts.show_values)?
        }
        (None, true) => records_of(None, &table, None),
    };
    let population = population_size(opts.population, opts.sampling_fraction, table.rows)?;
    timer.lap("class table");
    let metrics = metrics::measure(
        &table,
        MeasureOptions {
            population,
            ..opts.measure
        },
    );
    timer.lap("metrics");
    let view = ViewReport {
        name: super::source_view_name(&opts.file, opts.table.as_deref(), opts.query.as_deref()),
        rows: rows_read.unwrap_or(df.as_ref().map_or(table.rows, |df| df.height())),
        entity: opts.entity.clone(),
        identified: false,
        entities: table.rows,
        quasi_identifiers: opts.qi.clone(),
        sensitive: opts.sensitive.clone(),
        metrics,
        attribution: None,
        small_classes: match &df {
            Some(df) if opts.show_values => Some(small_classes(
                df,
                &opts.qi,
                &table,
                opts.policy.k,
                opts.entity.is_some(),
            )?),
            _ => None,
        },
        unicity: None,
        records: Vec::new(),
    };
    let findings = crate::audit::findings::view_findings(&view, opts.policy.k);
    let views = vec![view];
    let result = crate::audit::verdict::judge(&opts.policy, &views, &[]);
    let assessment =
        crate::audit::breaking::assess(&[], &views, &findings, &result.violations, &[]);
    let mut inputs = vec![crate::audit::provenance::source_input(
        "file",
        &source,
        Some(views[0].rows),
    )?];
    if let Some(path) = &opts.population_table {
        inputs.push(crate::audit::provenance::input("population", path, None)?);
    }
    Ok(Report {
        baseline: None,
        provenance: Some(crate::audit::provenance::provenance(inputs)),
        records,
        schema_version: model::SCHEMA_VERSION,
        tool: Default::default(),
        missing_values: crate::audit::missing_values_note(opts.nulls),
        views,
        joins: Vec::new(),
        findings,
        policy: result,
        unicity: None,
        assessment,
    })
}
