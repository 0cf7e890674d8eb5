//! `linkrisk synth --customers N --out DIR [--format csv|parquet] [--region ...]`: writes
//! realistic synthetic retail sources (loyalty, e-commerce, web analytics, transactions, a
//! survey, a partner list) with the ground truth of who is who.

use std::path::PathBuf;

use clap::Args;

use super::Progress;
use crate::Result;
pub use crate::synth::{Region, SynthFormat, SynthOptions, SynthSummary};

/// `synth`'s command-line arguments.
#[derive(Args, Debug)]
pub struct SynthArgs {
    /// Number of people in the population.
    #[arg(long)]
    pub customers: usize,
    /// Output folder (must be empty or new unless --force).
    #[arg(long)]
    pub out: PathBuf,
    /// Random seed: the same seed gives byte-identical files.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// File format of the sources.
    #[arg(long, value_enum, default_value_t = SynthFormat::Csv)]
    pub format: SynthFormat,
    /// Geography: a town, a metro area or a national retailer.
    #[arg(long, value_enum, default_value_t = Region::Metro)]
    pub region: Region,
    /// Write into a non-empty folder.
    #[arg(long)]
    pub force: bool,
    /// Print nothing.
    #[arg(long, short)]
    pub quiet: bool,
}

impl SynthArgs {
    /// The library options these arguments ask for.
    pub fn options(&self) -> SynthOptions {
        SynthOptions {
            customers: self.customers,
            out: self.out.clone(),
            seed: self.seed,
            format: self.format,
            region: self.region,
            force: self.force,
        }
    }
}

/// Generates the population and writes every source and the truth.
pub fn run(opts: &SynthOptions, progress: Progress) -> Result<SynthSummary> {
    progress(&format!("generating {} customers", opts.customers));
    crate::synth::generate(opts)
}
