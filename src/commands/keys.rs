//! `linkrisk keys FILE --qi A,B,C [--entity E] [--max-msu N]`: which columns make people
//! unique — distinction and separation per column, the drop-one effect, the fewest columns that
//! single people out, and the minimal sample uniques with SUDA and DIS-SUDA scores.

use crate::bail;
use clap::Args;
use clap::builder::TypedValueParser as _;

use super::args::{InputArgs, OutputArgs};
use super::{Progress, check_names};
use crate::Result;
use crate::audit::listing::records_of;
use crate::engine::{ClassTable, NullMode};
use crate::io::LoadOptions;
use crate::metrics::attribution::{AttributionOptions, attribute, attribute_entities};
use crate::model::KeysReport;

/// `keys`' command-line arguments.
#[derive(Args, Debug)]
pub struct KeysArgs {
    /// The file to analyse, or a database (`postgresql://user@host:port/db`, `sc://host:port`)
    /// with --table or --query (the named columns are fetched: attribution needs the records).
    pub file: String,
    /// The database's table of records.
    #[arg(long, conflicts_with = "query")]
    pub table: Option<String>,
    /// A query whose rows are the database's records.
    #[arg(long)]
    pub query: Option<String>,
    /// Quasi-identifier columns, comma-separated.
    #[arg(long, value_delimiter = ',', required = true)]
    pub qi: Vec<String>,
    /// Largest MSU (and subset) size to search; all QIs by default.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    pub max_msu: Option<u64>,
    /// The most row visits (subsets searched × rows) keys takes on before refusing.
    #[arg(long, default_value_t = DEFAULT_MAX_WORK, value_parser = clap::value_parser!(u64).range(1..))]
    pub max_work: u64,
    /// Sampling fraction of the DIS-SUDA score (sdcMicro's DisFraction), in (0, 1).
    #[arg(long, default_value_t = 0.01, value_parser = super::args::open_fraction)]
    pub dis_fraction: f64,
    /// How many of the riskiest records to list (up to 1,000,000).
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u64).range(0..=1_000_000).map(|n| n as usize))]
    pub top: usize,
    /// The column that names the person: attribution over people, a person's value on a
    /// subset being the multiset of their rows' projections on it.
    #[arg(long)]
    pub entity: Option<String>,
    /// How to read the input.
    #[command(flatten)]
    pub input: InputArgs,
    /// Write every record's (or person's) risk and SUDA score to this file (.csv or
    /// .parquet); no value of the data.
    #[arg(long)]
    pub records: Option<std::path::PathBuf>,
    /// The memory budget.
    #[command(flatten)]
    pub memory: super::args::MemoryArgs,
    /// Where and how to write the report.
    #[command(flatten)]
    pub output: OutputArgs,
}

/// The default bound on row visits: 10¹⁰.
pub const DEFAULT_MAX_WORK: u64 = 10_000_000_000;

impl KeysArgs {
    /// The library options these arguments ask for.
    pub fn options(&self) -> KeysOptions {
        KeysOptions {
            file: self.file.clone(),
            table: self.table.clone(),
            query: self.query.clone(),
            qi: self.qi.clone(),
            entity: self.entity.clone(),
            attribution: AttributionOptions {
                max_msu: self.max_msu.map(|m| m as usize),
                dis_fraction: self.dis_fraction,
                top_records: self.top,
            },
            max_work: self.max_work,
            load: self.input.load_options(&[]),
            records: self.records.is_some(),
        }
    }
}

/// What to search.
#[derive(Debug, Clone)]
pub struct KeysOptions {
    /// The file, or a database URL.
    pub file: String,
    /// With a database URL: its table of records.
    pub table: Option<String>,
    /// With a database URL: a query whose rows are the records.
    pub query: Option<String>,
    /// The quasi-identifier columns.
    pub qi: Vec<String>,
    /// The column naming the person: attribution over people.
    pub entity: Option<String>,
    /// The search's bounds and scores.
    pub attribution: AttributionOptions,
    /// The most row visits (subsets × rows) before refusing.
    pub max_work: u64,
    /// How to read the file.
    pub load: LoadOptions,
    /// Compute every record's (or person's) risk and SUDA score into `KeysReport::records`.
    pub records: bool,
}

/// Searches which columns single people out.
pub fn run(opts: &KeysOptions, progress: Progress) -> Result<KeysReport> {
    check_names("qi", &opts.qi)?;
    let dis = opts.attribution.dis_fraction;
    if !(dis > 0.0 && dis < 1.0) {
        bail!("--dis-fraction must be in (0, 1), got {dis}");
    }
    if let Some(entity) = &opts.entity
        && opts.qi.contains(entity)
    {
        bail!(
            "--entity column {} cannot also be a quasi-identifier",
            crate::escape::name(entity)
        );
    }
    progress(&format!("loading {}", opts.file));
    let timer = crate::timing::Timer::start();
    let load = LoadOptions {
        dictionary: opts.qi.clone(),
        ..opts.load.clone()
    };
    let mut read = opts.qi.clone();
    read.extend(opts.entity.iter().cloned());
    let source = crate::source::Source::open(
        &opts.file,
        opts.table.as_deref(),
        opts.query.as_deref(),
        load,
        false,
    )?;
    let (mut encoded, _, rows) = source.encoded(&read, &[])?;
    timer.lap("load and encode");
    // The lattice reads every row once per subset it visits: refuse what would not finish.
    let columns = opts.qi.len();
    let max_size = opts.attribution.max_msu.unwrap_or(columns);
    let (size, subsets) = crate::metrics::attribution::lattice::search_size(columns, max_size)?;
    let visits = (subsets as u128) * (rows as u128);
    if visits > opts.max_work as u128 {
        bail!(
            "keys would read about {visits:.1e} rows ({subsets} subsets of up to {size} columns × {rows} rows), above --max-work {:.0e}; lower --max-msu",
            opts.max_work as f64,
            visits = visits as f64
        );
    }
    progress("searching the QI subsets");
    let mut records = Vec::new();
    let attribution = match &opts.entity {
        None => {
            if opts.records {
                let table = ClassTable::build(encoded.clone(), &[], rows, NullMode::Value, true);
                records = records_of(None, &table, None);
            }
            attribute(&encoded, rows, opts.attribution)?
        }
        Some(entity) => {
            let entity_col = crate::engine::take_column(&mut encoded, entity);
            if opts.records {
                let table =
                    ClassTable::build_entities(encoded.clone(), &[], &entity_col, rows, true);
                records = records_of(None, &table, None);
            }
            attribute_entities(&encoded, &entity_col, rows, opts.attribution)?
        }
    };
    timer.lap("attribution, all of it");
    // The SUDA scores are per record (per person with an entity), in the records' order.
    for (record, score) in records.iter_mut().zip(&attribution.msu.scores) {
        record.suda = Some(*score);
    }
    let name = super::source_view_name(&opts.file, opts.table.as_deref(), opts.query.as_deref());
    let mut report = KeysReport::new(name, opts.entity.clone(), rows, attribution);
    report.records = records;
    report.provenance = Some(crate::audit::provenance::provenance(vec![
        crate::audit::provenance::source_input("file", &source, Some(rows))?,
    ]));
    Ok(report)
}
