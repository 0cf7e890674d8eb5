//! `linkrisk audit [PLAN] [--check]`: runs an audit plan — every source, every join step the
//! retailer would perform, findings ranked most severe first and the policy verdict. Without a
//! plan, the bundled retail demo.

use std::path::PathBuf;

use clap::Args;

use super::Progress;
use super::args::OutputArgs;
use crate::Result;
use crate::model::Report;
use crate::plan::Plan;

/// `audit`'s command-line arguments.
#[derive(Args, Debug)]
pub struct AuditArgs {
    /// The plan (TOML); the bundled retail demo when absent.
    pub plan: Option<PathBuf>,
    /// Exit with code 1 when the policy is violated (with --baseline: only by violations the
    /// baseline does not have). Alone, prints only the verdict and the violations.
    #[arg(long)]
    pub check: bool,
    /// The JSON report of the last accepted audit: the report says what got worse and what
    /// improved since, and --check fails only on new violations.
    #[arg(long)]
    pub baseline: Option<PathBuf>,
    /// Write every view's per-record risk to this file (.csv or .parquet), with a `view`
    /// column; the entity key only with --show-values.
    #[arg(long)]
    pub records: Option<PathBuf>,
    /// The largest fraction of a view's records (or people) a remedy may suppress, in
    /// [0, 1); overrides the plan's policy.max_suppression (default 0).
    #[arg(long, value_parser = suppression_fraction)]
    pub max_suppression: Option<f64>,
    /// Write the sources as a remedy releases them, and a plan that re-audits them, into the
    /// folder --out: N applies every view's remedy N (1 is each view's cheapest), VIEW:N one
    /// view's.
    #[arg(long, value_name = "N|VIEW:N", value_parser = crate::audit::apply::RemedyChoice::parse, requires = "out")]
    pub apply_remedy: Option<crate::audit::apply::RemedyChoice>,
    /// The folder --apply-remedy writes to (created if absent; files in it are 0600 and never
    /// an input of the run).
    #[arg(long, value_name = "DIR", requires = "apply_remedy")]
    pub out: Option<PathBuf>,
    /// The memory budget.
    #[command(flatten)]
    pub memory: super::args::MemoryArgs,
    /// Where and how to write the report.
    #[command(flatten)]
    pub output: OutputArgs,
}

fn suppression_fraction(text: &str) -> std::result::Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && (0.0..1.0).contains(&v) => Ok(v),
        Ok(_) => Err("a fraction of at least 0 and below 1 (0.05 is 5%)".to_string()),
        Err(_) => Err("not a number".to_string()),
    }
}

/// What to audit.
#[derive(Debug, Clone)]
pub struct AuditOptions {
    /// The plan, loaded and validated ([`Plan::load`], [`Plan::parse`]).
    pub plan: Plan,
    /// List the QI values of the classes below k (personal data: a private investigation).
    pub show_values: bool,
    /// Compute every view's per-record risks into [`Report::records`].
    pub records: bool,
}

/// Runs the plan.
pub fn run(opts: &AuditOptions, progress: Progress) -> Result<Report> {
    crate::audit::run(&opts.plan, progress, opts.show_values, opts.records)
}
