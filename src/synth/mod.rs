//! `linkrisk synth`: one synthetic population seen through a retailer's sources, with the
//! ground truth written apart. Deterministic for a seed: one seeded generator draws
//! everything in a fixed order.

pub mod population;
pub mod sources;

use std::path::{Path, PathBuf};

use crate::bail;
use crate::error::Context as _;
use polars::prelude::*;
use rand::SeedableRng;
use rand::rngs::StdRng;

pub use population::Region;

use crate::Result;

/// Output format of the generated sources.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SynthFormat {
    Csv,
    Parquet,
}

impl SynthFormat {
    pub fn extension(self) -> &'static str {
        match self {
            SynthFormat::Csv => "csv",
            SynthFormat::Parquet => "parquet",
        }
    }
}

/// What to generate.
#[derive(Debug, Clone)]
pub struct SynthOptions {
    pub customers: usize,
    pub out: PathBuf,
    pub seed: u64,
    pub format: SynthFormat,
    pub region: Region,
    pub force: bool,
}

/// Rows written per source.
#[derive(Debug, Clone)]
pub struct SynthSummary {
    pub sources: Vec<(String, usize, PathBuf)>,
}

/// Checks the output folder: creatable, and empty unless `force`.
fn prepare_dir(out: &Path, force: bool) -> Result<()> {
    let shown = out.display();
    if out.exists() {
        if !out.is_dir() {
            bail!("{shown} exists and is not a folder");
        }
        let non_empty = std::fs::read_dir(out)
            .with_context(|| format!("cannot read {shown}"))?
            .next()
            .is_some();
        if non_empty && !force {
            bail!("{shown} exists and is not empty; pass --force to write into it");
        }
    }
    std::fs::create_dir_all(out.join("truth")).with_context(|| format!("cannot create {shown}"))?;
    // A link placed in the folder would send the files elsewhere.
    let truth = std::fs::symlink_metadata(out.join("truth"))
        .with_context(|| format!("cannot read {shown}"))?;
    if !truth.is_dir() {
        bail!("refusing to write into {shown}: its truth entry is not a folder");
    }
    Ok(())
}

/// Microseconds since 1970-01-01 of synth's `YYYY-MM-DD HH:MM:SS` text.
fn epoch_micros(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    let n = |r: std::ops::Range<usize>| -> Option<i64> { text.get(r)?.parse().ok() };
    if b.len() != 19 {
        return None;
    }
    let (y, m, d) = (n(0..4)?, n(5..7)?, n(8..10)?);
    let (h, min, s) = (n(11..13)?, n(14..16)?, n(17..19)?);
    // Days from civil (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    let days = era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468;
    Some(((days * 24 + h) * 60 + min) * 60_000_000 + s * 1_000_000)
}

/// In Parquet a time is a time: the `timestamp` text column becomes a Datetime (µs, naive), as
/// a retailer's warehouse export would type it. CSV keeps the text.
fn typed_for_parquet(df: &mut DataFrame) -> Result<()> {
    let Ok(column) = df.column("timestamp") else {
        return Ok(());
    };
    let Ok(text) = column.str() else {
        return Ok(());
    };
    let micros: Vec<Option<i64>> = text.iter().map(|v| v.and_then(epoch_micros)).collect();
    let typed = Column::new("timestamp".into(), micros)
        .cast(&DataType::Datetime(TimeUnit::Microseconds, None))?;
    df.with_column(typed)?;
    Ok(())
}

/// Writes one file, recorded in `written` once created (so that a failed run removes it, and
/// never a file it refused to touch).
fn write_frame(
    df: &mut DataFrame,
    path: &Path,
    format: SynthFormat,
    written: &mut Vec<PathBuf>,
) -> Result<()> {
    crate::output::check_output(path, &[])?;
    if format == SynthFormat::Parquet {
        typed_for_parquet(df)?;
    }
    let file =
        std::fs::File::create(path).with_context(|| format!("cannot write {}", path.display()))?;
    written.push(path.to_path_buf());
    match format {
        SynthFormat::Csv => CsvWriter::new(file).finish(df),
        SynthFormat::Parquet => ParquetWriter::new(file).finish(df).map(|_| ()),
    }
    .map_err(|e| crate::invalid!("cannot write {}: {e}", path.display()))
}

/// The most customers synth generates: about 11 GB of CSV (10M customers peak at 13 GiB of
/// memory, so this is near what a 24 GiB machine holds).
pub const MAX_CUSTOMERS: usize = 20_000_000;

/// About how many bytes synth writes for `customers`: measured at 3,360,000 customers, 1.8 GiB
/// of CSV and 484 MiB of Parquet (about 0.58 and 0.15 kB a customer), rounded up.
pub fn estimated_bytes(customers: usize, format: SynthFormat) -> u64 {
    let per_customer: u64 = match format {
        SynthFormat::Csv => 600,
        SynthFormat::Parquet => 160,
    };
    customers as u64 * per_customer
}

/// Refuses, before anything is created, output that would not fit in the free space of the
/// file system `out` would be written to (its nearest existing folder).
fn check_free_space(out: &Path, needed: u64) -> Result<()> {
    let mut existing = out;
    while !existing.exists() {
        match existing.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => existing = parent,
            _ => {
                existing = Path::new(".");
                break;
            }
        }
    }
    let Ok(stats) = rustix::fs::statvfs(existing) else {
        // No figure to compare with; the write itself reports a full disk.
        return Ok(());
    };
    let free = stats.f_bavail.saturating_mul(stats.f_frsize);
    if needed > free {
        bail!(
            "synth would write about {}, more than the {} free where {} would be; choose fewer customers or another folder",
            crate::budget::shown(needed),
            crate::budget::shown(free),
            crate::escape::path(out)
        );
    }
    Ok(())
}

/// Generates the population and writes every source and the truth.
pub fn generate(opts: &SynthOptions) -> Result<SynthSummary> {
    if opts.customers == 0 {
        bail!("--customers must be at least 1");
    }
    // About 0.53 GB of CSV and 1.3 GB of memory per million customers: beyond this the
    // machine's memory, not the generator, is the limit, so refuse before creating anything.
    if opts.customers > MAX_CUSTOMERS {
        bail!(
            "--customers {} is above the most synth writes ({MAX_CUSTOMERS}; about {:.0} GB of CSV)",
            opts.customers,
            opts.customers as f64 * 0.53e-6
        );
    }
    check_free_space(&opts.out, estimated_bytes(opts.customers, opts.format))?;
    let created = !opts.out.exists();
    prepare_dir(&opts.out, opts.force)?;
    let mut written: Vec<PathBuf> = Vec::new();
    let result = write_all(opts, &mut written);
    if result.is_err() {
        // Leave nothing half-written: the files this run created, and the folder if it made it.
        for path in &written {
            let _ = std::fs::remove_file(path);
        }
        if created {
            let _ = std::fs::remove_dir_all(&opts.out);
        }
    }
    result
}

/// Draws the population and writes each source, recording every file it creates.
fn write_all(opts: &SynthOptions, written: &mut Vec<PathBuf>) -> Result<SynthSummary> {
    let mut rng = StdRng::seed_from_u64(opts.seed);
    let geo = population::Geography::new(opts.region, &mut rng);
    let people = population::draw_people(opts.customers, &geo, &mut rng);
    let membership = sources::draw_membership(&people, &mut rng);
    let ext = opts.format.extension();
    let mut summary = SynthSummary {
        sources: Vec::new(),
    };
    // Each source is written, and its frame freed, before the next is drawn: the generator
    // draws in the same order as ever (so the files are the same for a seed), and only one
    // source's frame is held at a time.
    type Draw = fn(
        &[population::Person],
        &sources::Membership,
        &population::Geography,
        &mut StdRng,
    ) -> sources::Source;
    let draws: [Draw; 6] = [
        sources::loyalty,
        sources::ecommerce,
        sources::web_analytics,
        sources::transactions,
        sources::survey,
        sources::partner,
    ];
    for draw in draws {
        let mut source = draw(&people, &membership, &geo, &mut rng);
        let path = opts.out.join(format!("{}.{ext}", source.name));
        write_frame(&mut source.frame, &path, opts.format, written)?;
        summary
            .sources
            .push((source.name.to_string(), source.frame.height(), path));
        drop(source.frame);
        let (keys, ids): (Vec<String>, Vec<i64>) =
            source.truth.into_iter().map(|(k, p)| (k, p as i64)).unzip();
        let mut truth = DataFrame::new_infer_height(vec![
            Column::new(source.key_column.into(), keys),
            Column::new("person_id".into(), ids),
        ])?;
        let truth_path = opts
            .out
            .join("truth")
            .join(format!("{}.{ext}", source.name));
        write_frame(&mut truth, &truth_path, opts.format, written)?;
    }
    let mut people_df = sources::people_frame(&people, &geo);
    let people_path = opts.out.join("truth").join(format!("people.{ext}"));
    write_frame(&mut people_df, &people_path, opts.format, written)?;
    summary
        .sources
        .push(("truth/people".into(), people.len(), people_path));
    Ok(summary)
}
