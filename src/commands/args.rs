//! Command-line arguments shared by several commands: how to read inputs, where to write the
//! report, the policy and the population. Each command's own arguments live in its file.

use std::path::{Path, PathBuf};

use clap::Args;

use crate::Result;
use crate::engine::NullMode;
use crate::io::{InputFormat, LoadOptions};
use crate::metrics::MeasureOptions;
use crate::model::Policy;
use crate::render::{Detail, Format};

/// How to read input files.
#[derive(Args, Debug, Clone)]
pub struct InputArgs {
    /// Field delimiter for CSV (a character, or `tab`); sniffed from the header by default.
    #[arg(long, value_parser = parse_delimiter)]
    pub delimiter: Option<u8>,
    /// Input format; chosen from the file extension by default.
    #[arg(long, value_enum)]
    pub input_format: Option<InputFormat>,
    /// Trim surrounding whitespace of text values.
    #[arg(long)]
    pub strip: bool,
    /// Comma-separated strings that mean "missing" (e.g. "?,NA").
    #[arg(long, value_delimiter = ',')]
    pub null_values: Vec<String>,
    /// The most bytes read into memory from a gzip file (decompressed), standard input or a
    /// pipe (e.g. `4G`). Default: 256 MiB, or 100 times a gzip file's size if larger.
    #[arg(long, value_parser = crate::budget::parse_size)]
    pub max_decompressed_bytes: Option<u64>,
    /// The most bytes one line of delimited text may hold (e.g. `64M`). Default: 16 MiB.
    #[arg(long, value_parser = crate::budget::parse_size)]
    pub max_line_bytes: Option<u64>,
}

impl InputArgs {
    /// Load options; `dictionary` lists the columns compared only for equality (the QIs).
    pub fn load_options(&self, dictionary: &[String]) -> LoadOptions {
        LoadOptions {
            delimiter: self.delimiter,
            format: self.input_format,
            strip: self.strip,
            null_values: self.null_values.clone(),
            dictionary: dictionary.to_vec(),
            max_decompressed: self.max_decompressed_bytes,
            max_line_bytes: self.max_line_bytes,
        }
    }
}

/// The memory budget, for the commands whose work it bounds.
#[derive(Args, Debug, Clone, Default)]
pub struct MemoryArgs {
    /// The memory budget (e.g. `8G`): work whose estimate passes it (a read, a join, a link, an
    /// attach, the attribution lattice, a remedy search) is refused before it runs. Default:
    /// the smallest of 75% of physical memory, the cgroup's memory.max and `ulimit -v`, less
    /// 512 MiB.
    #[arg(long, value_parser = crate::budget::parse_size)]
    pub max_memory: Option<u64>,
}

/// Where and how to write the report.
#[derive(Args, Debug, Clone)]
pub struct OutputArgs {
    /// Report format. Default: from the extension of --output (.html, .json, .md), else a
    /// table.
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Write the report to this file (atomically, mode 0600) instead of standard output.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// No progress indicator.
    #[arg(long, short)]
    pub quiet: bool,
    /// Show the QI values of the smallest classes (below the policy k). For a private
    /// investigation only: the report then contains personal data.
    #[arg(long)]
    pub show_values: bool,
    /// How much of a table or Markdown report to print: the first screen only, or all of it.
    #[arg(long, value_enum)]
    pub detail: Option<Detail>,
}

impl OutputArgs {
    /// The format asked for, or the one the report file's name implies.
    pub fn format(&self) -> Format {
        self.format
            .unwrap_or_else(|| self.file().map_or(Format::Table, Format::from_path))
    }

    /// The report file, `None` for standard output (no `-o`, or `-o -`).
    pub fn file(&self) -> Option<&Path> {
        self.output.as_deref().filter(|p| p.as_os_str() != "-")
    }

    /// Refuses, before any work, an output that would replace an input or a file that is
    /// not a regular one.
    pub fn check(&self, inputs: &[&Path]) -> Result<()> {
        match self.file() {
            Some(path) => crate::output::check_output(path, inputs),
            None => Ok(()),
        }
    }
}

/// The policy and how to enforce it.
#[derive(Args, Debug, Clone)]
pub struct PolicyArgs {
    /// Policy k: every view must be k-anonymous; records in smaller classes are "at risk".
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..))]
    pub k: u32,
    /// Policy l: every sensitive attribute must be distinct l-diverse.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    pub l: Option<u64>,
    /// The l of recursive (c,l)-diversity.
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub recursive_l: u64,
    /// Exit with code 1 when the policy is violated (with --baseline: only by violations the
    /// baseline does not have). Alone, prints only the verdict and the violations.
    #[arg(long)]
    pub check: bool,
    /// The JSON report of the last accepted scan: the report says what got worse and what
    /// improved since, and --check fails only on new violations.
    #[arg(long)]
    pub baseline: Option<PathBuf>,
    /// How a missing QI value matches: as a value of its own (ARX) or any value (sdcMicro).
    #[arg(long, value_enum, default_value_t = NullMode::Value)]
    pub nulls: NullMode,
}

impl PolicyArgs {
    /// The thresholds a report is judged by.
    pub fn policy(&self) -> Policy {
        Policy {
            k: self.k,
            l: self.l.map(|l| l as usize),
            max_unique_fraction: None,
            ..Default::default()
        }
    }

    /// The options of the metrics (no population: see [`PopulationArgs`]).
    pub fn measure_options(&self) -> MeasureOptions {
        MeasureOptions {
            policy_k: self.k,
            recursive_l: self.recursive_l as usize,
            population: None,
        }
    }
}

/// The population the data was drawn from.
#[derive(Args, Debug, Clone)]
pub struct PopulationArgs {
    /// Size N of the population the data was drawn from: enables population uniqueness.
    #[arg(long, conflicts_with = "sampling_fraction", value_parser = finite_number)]
    pub population: Option<f64>,
    /// Sampling fraction π = n/N (0 < π ≤ 1); N = round(n / π).
    #[arg(long, value_parser = finite_number)]
    pub sampling_fraction: Option<f64>,
    /// A population table holding the same QI columns: journalist and marketer risk use its
    /// class sizes.
    #[arg(long)]
    pub population_table: Option<String>,
}

/// A number option: finite (NaN and infinity would switch a rule off silently).
fn finite_number(text: &str) -> std::result::Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        Ok(_) => Err("not a finite number".to_string()),
        Err(_) => Err("not a number".to_string()),
    }
}

/// A fraction strictly between 0 and 1.
pub fn open_fraction(text: &str) -> std::result::Result<f64, String> {
    let v = finite_number(text)?;
    if v > 0.0 && v < 1.0 {
        Ok(v)
    } else {
        Err("not a fraction in (0, 1)".to_string())
    }
}

fn parse_delimiter(s: &str) -> std::result::Result<u8, String> {
    match s {
        "tab" | "\\t" | "\t" => Ok(b'\t'),
        _ if s.len() == 1 && s.is_ascii() => Ok(s.as_bytes()[0]),
        _ => Err(format!(
            "'{s}' is not a single ASCII character (use 'tab' for tab)"
        )),
    }
}

/// Splits `a=b` into its two sides (`a` alone means the same name on both).
pub fn pair(spec: &str) -> (String, String) {
    match spec.split_once('=') {
        Some((a, b)) => (a.trim().to_string(), b.trim().to_string()),
        None => (spec.trim().to_string(), spec.trim().to_string()),
    }
}
