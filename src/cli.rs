//! The command line: argument definitions and the subcommands' glue.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};

use crate::Result;
use crate::engine::NullMode;
use crate::io::{InputFormat, LoadOptions};
use crate::metrics::{self, MeasureOptions};
use crate::report::{self, Format, Policy, Report, ViewReport};
use crate::synth::{Region, SynthFormat, SynthOptions};

#[derive(Parser, Debug)]
#[command(
    name = "linkrisk",
    version,
    about = "Audit re-identification risk in customer data before it is cross-referenced",
    long_about = "linkrisk measures k-anonymity, l-diversity, t-closeness, uniqueness and \
re-identification risk of data sources and of the joins a retailer would perform on them.\n\n\
Exit codes: 0 the run finished (and with --check the policy held), 1 the policy was violated \
and --check was given, 2 the input or the command was wrong."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// The memory budget (e.g. `8G`): work whose estimate passes it (a join, a link, an
    /// attach, the attribution lattice) is refused before it runs. Default: the smallest of 75%
    /// of physical memory, the cgroup's memory.max and `ulimit -v`, less 512 MiB.
    #[arg(long, global = true, value_parser = crate::budget::parse_size)]
    pub max_memory: Option<u64>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Measure one file: k-anonymity, uniqueness, l-diversity, t-closeness, risk.
    #[command(after_help = "Examples:\n  \
linkrisk scan adult.csv --qi age,sex,race,marital-status\n  \
linkrisk scan survey.parquet --qi zip3,birth_year,gender --sensitive health_interest --format json\n  \
linkrisk scan data.csv --qi zip,dob,sex --k 10 --check        # exit 1 if not 10-anonymous\n  \
zcat data.csv.gz | linkrisk scan - --qi zip,dob,sex --strip --null-values '?,NA'")]
    Scan(ScanArgs),
    /// Write realistic synthetic retail sources with their ground truth.
    #[command(after_help = "Examples:\n  \
linkrisk synth --customers 5000 --out demo\n  \
linkrisk synth --customers 1000000 --out big --format parquet --region national --seed 7")]
    Synth(SynthArgs),
    /// Run an audit plan: every source, every join step, findings and the policy verdict.
    #[command(after_help = "Examples:\n  \
linkrisk audit                                # the bundled retail demo\n  \
linkrisk audit plan.toml --format json -o report.json\n  \
linkrisk audit plan.toml --check              # exit 1 when the policy fails (CI gate)")]
    Audit(AuditArgs),
    /// Link a target file to an identified file on shared quasi-identifiers.
    #[command(after_help = "Examples:\n  \
linkrisk link loyalty.csv survey.csv --on zip3,birth_year,gender\n  \
linkrisk link voters.csv claims.csv --on zip,dob,sex --truth person_id=person_id --format json")]
    Link(LinkArgs),
    /// Which columns make people unique: distinction, drop-one, MSUs (SUDA2), subsets.
    #[command(after_help = "Examples:\n  \
linkrisk keys adult.csv --qi age,sex,race,marital-status,education\n  \
linkrisk keys loyalty.parquet --qi zip5,birth_date,gender --max-msu 3 --format json")]
    Keys(KeysArgs),
    /// How few purchases single a customer out: unicity of purchase histories.
    #[command(after_help = "Examples:\n  \
linkrisk unicity transactions.csv --entity household_id --points store_id,transaction_timestamp --time transaction_timestamp:day\n  \
linkrisk unicity purchases.parquet --entity customer --points store,ts,price --time ts:week --band price:log --format json")]
    Unicity(UnicityArgs),
}

#[derive(Args, Debug)]
pub struct UnicityArgs {
    /// The file of rows (purchases, visits), several per person.
    pub file: String,
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
    /// Largest number of points p drawn.
    #[arg(long, default_value_t = 10)]
    pub max_points: usize,
    /// Draws per person and p.
    #[arg(long, default_value_t = 10)]
    pub draws: usize,
    /// Seed of the draws: the same seed gives the same figures.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Args, Debug)]
pub struct KeysArgs {
    /// The file to analyse.
    pub file: String,
    /// Quasi-identifier columns, comma-separated.
    #[arg(long, value_delimiter = ',', required = true)]
    pub qi: Vec<String>,
    /// Largest MSU (and subset) size to search; all QIs by default.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    pub max_msu: Option<u64>,
    /// The most row visits (subsets searched × rows) keys takes on before refusing.
    #[arg(long, default_value_t = 10_000_000_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub max_work: u64,
    /// Sampling fraction of the DIS-SUDA score (sdcMicro's DisFraction).
    #[arg(long, default_value_t = 0.01)]
    pub dis_fraction: f64,
    /// How many of the riskiest records to list.
    #[arg(long, default_value_t = 20)]
    pub top: usize,
    /// The column that names the person: attribution over people, a person's value on a
    /// subset being the multiset of their rows' projections on it.
    #[arg(long)]
    pub entity: Option<String>,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Args, Debug)]
pub struct AuditArgs {
    /// The plan (TOML); the bundled retail demo when absent.
    pub plan: Option<PathBuf>,
    /// Exit with code 1 when the policy is violated.
    #[arg(long)]
    pub check: bool,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Args, Debug)]
pub struct LinkArgs {
    /// The identified file (the attacker's, e.g. a loyalty or voter list).
    pub identified: String,
    /// The target file (the "de-identified" release).
    pub target: String,
    /// Shared quasi-identifiers, comma-separated (`a` or `identified_col=target_col`).
    #[arg(long, value_delimiter = ',', required = true)]
    pub on: Vec<String>,
    /// Truth columns (`IDENTIFIED_COL=TARGET_COL`) that name the same person on both sides.
    #[arg(long)]
    pub truth: Option<String>,
    /// The column naming the person (`IDENTIFIED_COL=TARGET_COL`, or one name for both) when
    /// a person has many records: people are linked by the multiset of their records' values,
    /// and every figure counts people.
    #[arg(long)]
    pub entity: Option<String>,
    #[command(flatten)]
    pub input: InputArgs,
    /// Policy k.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..))]
    pub k: u32,
    #[command(flatten)]
    pub output: OutputArgs,
}

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

/// Where and how to write the report.
#[derive(Args, Debug, Clone)]
pub struct OutputArgs {
    /// Report format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
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
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u64).range(1..))]
    pub recursive_l: u64,
    /// Exit with code 1 when the policy is violated.
    #[arg(long)]
    pub check: bool,
    /// How a missing QI value matches: as a value of its own (ARX) or any value (sdcMicro).
    #[arg(long, value_enum, default_value_t = NullMode::Value)]
    pub nulls: NullMode,
}

impl PolicyArgs {
    pub fn policy(&self) -> Policy {
        Policy {
            k: self.k,
            l: self.l.map(|l| l as usize),
            max_unique_fraction: None,
        }
    }

    pub fn measure_options(&self) -> MeasureOptions {
        MeasureOptions {
            policy_k: self.k,
            recursive_l: self.recursive_l as usize,
            population: None,
        }
    }
}

#[derive(Args, Debug)]
pub struct ScanArgs {
    /// The file to measure (CSV/TSV, Parquet, Arrow IPC, NDJSON; `-` reads CSV from stdin).
    pub file: String,
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
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub policy: PolicyArgs,
    #[command(flatten)]
    pub population: PopulationArgs,
    #[command(flatten)]
    pub output: OutputArgs,
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

impl PopulationArgs {
    /// The population size for a sample of `rows` records, validated.
    pub fn size(&self, rows: usize) -> Result<Option<f64>> {
        population_size(self.population, self.sampling_fraction, rows)
    }
}

/// A number option: finite (NaN and infinity would switch a rule off silently).
fn finite_number(text: &str) -> std::result::Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        Ok(_) => Err("not a finite number".to_string()),
        Err(_) => Err("not a number".to_string()),
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

fn parse_delimiter(s: &str) -> std::result::Result<u8, String> {
    match s {
        "tab" | "\\t" | "\t" => Ok(b'\t'),
        _ if s.len() == 1 && s.is_ascii() => Ok(s.as_bytes()[0]),
        _ => Err(format!(
            "'{s}' is not a single ASCII character (use 'tab' for tab)"
        )),
    }
}

/// Parses the command line and runs it; returns the exit code of a finished run.
pub fn run() -> Result<ExitCode> {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            use clap::error::ErrorKind;
            if matches!(
                err.kind(),
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion
            ) {
                err.print()?;
                return Ok(ExitCode::SUCCESS);
            }
            bail!("{}", usage_error(&err));
        }
    };
    if let Some(bytes) = cli.max_memory {
        crate::budget::set_max_memory(bytes);
    }
    match cli.command {
        Command::Scan(args) => scan(args),
        Command::Synth(args) => synth(args),
        Command::Audit(args) => audit(args),
        Command::Link(args) => link(args),
        Command::Keys(args) => keys(args),
        Command::Unicity(args) => unicity(args),
    }
}

/// clap's message folded onto one line: what is wrong, the missing arguments' names or
/// clap's tip, and the usage.
fn usage_error(err: &clap::Error) -> String {
    use clap::error::ErrorKind;
    if matches!(
        err.kind(),
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand | ErrorKind::MissingSubcommand
    ) {
        return "a command is required: audit, scan, link, keys, unicity or synth \
                (linkrisk --help describes them)"
            .to_string();
    }
    let text = err.render().to_string();
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("For more information"))
        .collect();
    let usage = lines.iter().find_map(|l| l.strip_prefix("Usage: "));
    let details: Vec<&str> = lines
        .iter()
        .skip(1)
        .filter(|l| !l.starts_with("Usage: "))
        .copied()
        .collect();
    let mut message = if err.kind() == ErrorKind::MissingRequiredArgument {
        let command = usage
            .and_then(|u| u.split_whitespace().nth(1))
            .filter(|c| !c.starts_with('-') && !c.starts_with('<'))
            .unwrap_or("linkrisk");
        format!("{command} needs {}", details.join(", "))
    } else {
        let first = lines
            .first()
            .map_or("invalid command line", |l| l.trim_start_matches("error: "));
        std::iter::once(first)
            .chain(details)
            .collect::<Vec<_>>()
            .join("; ")
    };
    if let Some(usage) = usage {
        message.push_str(&format!(" (usage: {usage})"));
    }
    crate::escape::line(&message)
}

/// Whether the terminal gets colours: stdout is a terminal and NO_COLOR is unset.
fn use_color() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// A spinner on stderr for steps that may take a moment; hidden when stderr is not a
/// terminal or with --quiet.
pub struct Progress(Option<ProgressBar>);

impl Progress {
    pub fn new(quiet: bool) -> Progress {
        if quiet || !std::io::stderr().is_terminal() {
            return Progress(None);
        }
        let bar = ProgressBar::new_spinner();
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg} ({elapsed})").expect("valid template"),
        );
        bar.enable_steady_tick(Duration::from_millis(120));
        Progress(Some(bar))
    }

    pub fn step(&self, message: &str) {
        if let Some(bar) = &self.0 {
            bar.set_message(message.to_string());
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}

/// Writes a rendered report to --output (atomically, 0600) or standard output.
pub fn emit(report: &Report, output: &OutputArgs, inputs: &[&Path]) -> Result<()> {
    let color = output.file().is_none() && use_color();
    write_text(
        &report::render(report, output.format, color),
        output,
        inputs,
    )
}

impl OutputArgs {
    /// The report file, `None` for standard output (no `-o`, or `-o -`).
    fn file(&self) -> Option<&Path> {
        self.output.as_deref().filter(|p| p.as_os_str() != "-")
    }

    /// Refuses, before any work, an output that would replace an input or a file that is
    /// not a regular one.
    fn check(&self, inputs: &[&Path]) -> Result<()> {
        match self.file() {
            Some(path) => report::check_output(path, inputs),
            None => Ok(()),
        }
    }
}

/// Writes text to --output (atomically, 0600) or standard output.
fn write_text(text: &str, output: &OutputArgs, inputs: &[&Path]) -> Result<()> {
    match output.file() {
        Some(path) => report::write_atomic(path, text.as_bytes(), inputs),
        None => {
            use std::io::Write;
            let mut stdout = std::io::stdout().lock();
            // A closed pipe (`| head`) is not an error worth reporting.
            match stdout
                .write_all(text.as_bytes())
                .and_then(|_| stdout.flush())
            {
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                other => other.context("cannot write to standard output"),
            }
        }
    }
}

fn check_names(kind: &str, names: &[String]) -> Result<()> {
    for (i, name) in names.iter().enumerate() {
        if name.is_empty() {
            bail!("--{kind} has an empty column name");
        }
        if names[..i].contains(name) {
            bail!("--{kind} names column '{name}' twice");
        }
    }
    Ok(())
}

fn scan(args: ScanArgs) -> Result<ExitCode> {
    let mut inputs: Vec<&Path> = vec![Path::new(&args.file)];
    inputs.extend(args.population.population_table.iter().map(Path::new));
    args.output.check(&inputs)?;
    check_names("qi", &args.qi)?;
    check_names("sensitive", &args.sensitive)?;
    if args.policy.nulls == NullMode::Wildcard && args.qi.len() > crate::engine::wildcard::MAX_QIS {
        bail!(
            "--nulls wildcard supports at most {} quasi-identifiers, got {}",
            crate::engine::wildcard::MAX_QIS,
            args.qi.len()
        );
    }
    if let Some(both) = args.sensitive.iter().find(|s| args.qi.contains(s)) {
        bail!("column '{both}' cannot be both a quasi-identifier and sensitive");
    }
    if let Some(entity) = &args.entity {
        if args.qi.contains(entity) || args.sensitive.contains(entity) {
            bail!("--entity column '{entity}' cannot also be a quasi-identifier or sensitive");
        }
        if args.policy.nulls == NullMode::Wildcard {
            bail!("--entity cannot be combined with --nulls wildcard (not supported yet)");
        }
    }
    let progress = Progress::new(args.output.quiet);
    progress.step(&format!("loading {}", args.file));
    let mut columns = args.qi.clone();
    columns.extend(args.sensitive.iter().cloned());
    columns.extend(args.entity.iter().cloned());
    let timer = crate::timing::Timer::start();
    let load_options = args.input.load_options(&args.qi);
    let mut rows_read = None;
    // Without --show-values or a population table no frame is needed: the source goes
    // straight to codes.
    let direct = if args.output.show_values || args.population.population_table.is_some() {
        None
    } else {
        let mut read = args.qi.clone();
        read.extend(args.entity.iter().cloned());
        let (mut qi_cols, sens_cols, rows) =
            crate::engine::encode_source(&args.file, &read, &args.sensitive, &load_options)?;
        timer.lap("load and encode");
        progress.step("measuring");
        rows_read = Some(rows);
        Some(match &args.entity {
            Some(entity) => {
                let at = qi_cols
                    .iter()
                    .position(|c| &c.name == entity)
                    .expect("the entity column was read");
                let entity_col = qi_cols.remove(at);
                crate::engine::ClassTable::build_entities(qi_cols, &sens_cols, &entity_col, rows)
            }
            None => crate::engine::ClassTable::build(qi_cols, &sens_cols, rows, args.policy.nulls),
        })
    };
    let (table, df) = match direct {
        Some(table) => (table, None),
        None => {
            let df = crate::io::load(&args.file, &columns, &load_options)?;
            timer.lap("load");
            progress.step("measuring");
            let population = match &args.population.population_table {
                None => None,
                Some(path) => {
                    progress.step(&format!("loading {path}"));
                    let mut names = args.qi.clone();
                    names.extend(args.entity.iter().cloned());
                    Some(crate::io::load(path, &names, &load_options).context("population table")?)
                }
            };
            let table = match (&args.entity, &population) {
                (Some(entity), Some(population)) => crate::engine::entity_table_with_population(
                    &df,
                    &args.qi,
                    &args.sensitive,
                    entity,
                    population,
                ),
                (Some(entity), None) => {
                    let mut names = args.qi.clone();
                    names.push(entity.clone());
                    crate::engine::encode_view(&df, &names, &args.sensitive).map(
                        |(mut qi_cols, sens_cols)| {
                            let at = qi_cols
                                .iter()
                                .position(|c| &c.name == entity)
                                .expect("the entity column was encoded");
                            let entity_col = qi_cols.remove(at);
                            crate::engine::ClassTable::build_entities(
                                qi_cols,
                                &sens_cols,
                                &entity_col,
                                df.height(),
                            )
                        },
                    )
                }
                (None, None) => crate::engine::class_table_with(
                    &df,
                    &args.qi,
                    &args.sensitive,
                    args.policy.nulls,
                ),
                (None, Some(population)) => crate::engine::class_table_with_population(
                    &df,
                    &args.qi,
                    &args.sensitive,
                    args.policy.nulls,
                    population,
                ),
            }
            .with_context(|| format!("cannot measure {}", args.file))?;
            (table, Some(df))
        }
    };
    let population = args.population.size(table.rows)?;
    timer.lap("class table");
    let metrics = metrics::measure(
        &table,
        MeasureOptions {
            population,
            ..args.policy.measure_options()
        },
    );
    timer.lap("metrics");
    drop(progress);
    let view = ViewReport {
        name: view_name(&args.file),
        rows: rows_read.unwrap_or(df.as_ref().map_or(table.rows, |df| df.height())),
        entity: args.entity.clone(),
        entities: table.rows,
        quasi_identifiers: args.qi.clone(),
        sensitive: args.sensitive.clone(),
        metrics,
        attribution: None,
        small_classes: match &df {
            Some(df) if args.output.show_values => Some(match &args.entity {
                Some(entity) => report::small_entity_classes(df, &args.qi, entity, args.policy.k)?,
                None => report::small_classes(df, &args.qi, args.policy.k)?,
            }),
            _ => None,
        },
        unicity: None,
    };
    let policy = args.policy.policy();
    let findings = report::view_findings(&view, policy.k);
    let views = vec![view];
    let result = policy.evaluate(&views);
    let report = Report {
        schema_version: report::SCHEMA_VERSION,
        tool: Default::default(),
        missing_values: report::missing_values_note(args.policy.nulls),
        views,
        joins: Vec::new(),
        findings,
        policy: result,
        unicity: None,
    };
    emit(&report, &args.output, &inputs)?;
    timer.lap("report");
    Ok(exit_code(&report, args.policy.check))
}

/// 1 when --check was given and the policy failed, else 0.
pub fn exit_code(report: &Report, check: bool) -> ExitCode {
    if check && !report.policy.passed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// A view's name from its file: the file stem (`data/loyalty.csv.gz` → `loyalty`).
pub fn view_name(path: &str) -> String {
    if path == "-" {
        return "stdin".into();
    }
    let base = std::path::Path::new(path)
        .file_name()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_else(|| path.to_string());
    base.split('.')
        .next()
        .filter(|s| !s.is_empty())
        .unwrap_or(&base)
        .to_string()
}

fn synth(args: SynthArgs) -> Result<ExitCode> {
    let progress = Progress::new(args.quiet);
    progress.step(&format!("generating {} customers", args.customers));
    let summary = crate::synth::generate(&SynthOptions {
        customers: args.customers,
        out: args.out.clone(),
        seed: args.seed,
        format: args.format,
        region: args.region,
        force: args.force,
    })?;
    drop(progress);
    if !args.quiet {
        for (name, rows, path) in &summary.sources {
            println!(
                "{:>14} {:>10} rows  {}",
                name,
                report::thousands(*rows),
                path.display()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn audit(args: AuditArgs) -> Result<ExitCode> {
    let path = args
        .plan
        .clone()
        .unwrap_or_else(crate::plan::demo_plan_path);
    let plan = crate::plan::Plan::load(&path)?;
    let plan_inputs = plan.inputs();
    let mut inputs: Vec<&Path> = vec![path.as_path()];
    inputs.extend(plan_inputs.iter().map(PathBuf::as_path));
    args.output.check(&inputs)?;
    let progress = Progress::new(args.output.quiet);
    let report = crate::audit::run(&plan, &|m| progress.step(m), args.output.show_values)?;
    drop(progress);
    emit(&report, &args.output, &inputs)?;
    Ok(exit_code(&report, args.check))
}

/// Splits `a=b` into its two sides (`a` alone means the same name on both).
fn pair(spec: &str) -> (String, String) {
    match spec.split_once('=') {
        Some((a, b)) => (a.trim().to_string(), b.trim().to_string()),
        None => (spec.trim().to_string(), spec.trim().to_string()),
    }
}

fn link(args: LinkArgs) -> Result<ExitCode> {
    let inputs = [Path::new(&args.identified), Path::new(&args.target)];
    args.output.check(&inputs)?;
    let (left_on, right_on): (Vec<String>, Vec<String>) = args.on.iter().map(|s| pair(s)).unzip();
    let entity = args.entity.as_deref().map(pair);
    if let Some((l, r)) = &entity {
        if l.is_empty() || r.is_empty() {
            bail!("--entity has an empty column name");
        }
        if left_on.contains(l) || right_on.contains(r) {
            bail!("--entity column cannot also be compared (--on)");
        }
    }
    let progress = Progress::new(args.output.quiet);
    let (a_name, mut b_name) = (view_name(&args.identified), view_name(&args.target));
    if a_name == b_name {
        b_name = format!("{b_name}_target");
    }
    let measure = MeasureOptions {
        policy_k: args.k,
        recursive_l: 2,
        population: None,
    };
    progress.step("linking");
    let outcome = crate::audit::link::link(&crate::audit::link::LinkOptions {
        identified: (args.identified.clone(), a_name),
        target: (args.target.clone(), b_name),
        left_on,
        right_on,
        truth: args.truth.as_deref().map(pair),
        entity,
        load: args.input.load_options(&[]),
        measure,
    })?;
    drop(progress);
    let policy = Policy {
        k: args.k,
        l: None,
        max_unique_fraction: None,
    };
    let result = policy.evaluate(&outcome.views);
    let findings = crate::audit::findings::rank(
        &outcome.views,
        std::slice::from_ref(&outcome.join),
        &[],
        &std::collections::HashMap::new(),
        &result,
        args.k,
    )?;
    let report = Report {
        schema_version: report::SCHEMA_VERSION,
        tool: Default::default(),
        missing_values: report::MISSING_VALUES_NOTE,
        views: outcome.views,
        joins: vec![serde_json::to_value(&outcome.join)?],
        findings,
        policy: result,
        unicity: None,
    };
    emit(&report, &args.output, &inputs)?;
    Ok(ExitCode::SUCCESS)
}

/// Splits `COL:SPEC` of `--time`, `--band` and `--coarsen`.
fn column_spec<'a>(flag: &str, spec: &'a str) -> Result<(String, &'a str)> {
    match spec.split_once(':') {
        Some((column, what)) if !column.is_empty() => Ok((column.to_string(), what)),
        _ => bail!("--{flag} takes COLUMN:SPEC, got '{spec}'"),
    }
}

fn unicity(args: UnicityArgs) -> Result<ExitCode> {
    let inputs = [Path::new(&args.file)];
    args.output.check(&inputs)?;
    use crate::audit::history::{Band, TimeLevel, UnicityOptions};
    check_names("points", &args.points)?;
    let time = args
        .time
        .iter()
        .map(|t| {
            let (c, level) = column_spec("time", t)?;
            Ok((c, TimeLevel::parse(level)?))
        })
        .collect::<Result<Vec<_>>>()?;
    let band = args
        .band
        .iter()
        .map(|b| {
            let (c, spec) = column_spec("band", b)?;
            Ok((c, Band::parse(spec)?))
        })
        .collect::<Result<Vec<_>>>()?;
    let coarsen = args
        .coarsen
        .iter()
        .map(|c| {
            let (column, levels) = column_spec("coarsen", c)?;
            let levels = levels
                .split(',')
                .map(|l| crate::audit::history::Coarsening::parse(l.trim()))
                .collect::<Result<Vec<_>>>()?;
            Ok((column, levels))
        })
        .collect::<Result<Vec<_>>>()?;
    let progress = Progress::new(args.output.quiet);
    progress.step(&format!("loading {}", args.file));
    let unicity = crate::audit::history::unicity(&UnicityOptions {
        coarsen,
        path: args.file.clone(),
        entity: args.entity.clone(),
        points: args.points.clone(),
        time,
        band,
        max_points: args.max_points,
        draws: args.draws,
        seed: args.seed,
        load: args.input.load_options(&args.points),
    })?;
    drop(progress);
    let policy = Policy {
        k: 1,
        l: None,
        max_unique_fraction: None,
    };
    let report = Report {
        schema_version: report::SCHEMA_VERSION,
        tool: Default::default(),
        missing_values: report::MISSING_VALUES_NOTE,
        views: Vec::new(),
        joins: Vec::new(),
        findings: Vec::new(),
        policy: policy.evaluate(&[]),
        unicity: Some(unicity),
    };
    emit(&report, &args.output, &inputs)?;
    Ok(ExitCode::SUCCESS)
}

fn keys(args: KeysArgs) -> Result<ExitCode> {
    let inputs = [Path::new(&args.file)];
    args.output.check(&inputs)?;
    check_names("qi", &args.qi)?;
    if !(args.dis_fraction > 0.0 && args.dis_fraction < 1.0) {
        bail!(
            "--dis-fraction must be in (0, 1), got {}",
            args.dis_fraction
        );
    }
    let progress = Progress::new(args.output.quiet);
    progress.step(&format!("loading {}", args.file));
    let timer = crate::timing::Timer::start();
    let load_options = args.input.load_options(&args.qi);
    if let Some(entity) = &args.entity
        && args.qi.contains(entity)
    {
        bail!("--entity column '{entity}' cannot also be a quasi-identifier");
    }
    let mut read = args.qi.clone();
    read.extend(args.entity.iter().cloned());
    let (mut encoded, _, rows) =
        crate::engine::encode_source(&args.file, &read, &[], &load_options)?;
    timer.lap("load and encode");
    // The lattice reads every row once per subset it visits: refuse what would not finish.
    let columns = encoded.len() - usize::from(args.entity.is_some());
    let max_size = args.max_msu.map_or(columns, |m| m as usize);
    let (size, subsets) = crate::metrics::attribution::lattice::search_size(columns, max_size)?;
    let visits = (subsets as u128) * (rows as u128);
    if visits > args.max_work as u128 {
        bail!(
            "keys would read about {visits:.1e} rows ({subsets} subsets of up to {size} columns × {rows} rows), above --max-work {:.0e}; lower --max-msu",
            args.max_work as f64,
            visits = visits as f64
        );
    }
    progress.step("searching the QI subsets");
    let opts = crate::metrics::attribution::AttributionOptions {
        max_msu: args.max_msu.map(|m| m as usize),
        dis_fraction: args.dis_fraction,
        top_records: args.top,
    };
    let attribution = match &args.entity {
        None => crate::metrics::attribution::attribute(&encoded, rows, opts)?,
        Some(entity) => {
            let at = encoded
                .iter()
                .position(|c| &c.name == entity)
                .expect("the entity column was read");
            let entity_col = encoded.remove(at);
            crate::metrics::attribution::attribute_entities(&encoded, &entity_col, rows, opts)?
        }
    };
    timer.lap("attribution, all of it");
    drop(progress);
    let report = report::keys::KeysReport::new(
        view_name(&args.file),
        args.entity.clone(),
        rows,
        attribution,
    );
    write_text(
        &report::keys::render(&report, args.output.format),
        &args.output,
        &inputs,
    )?;
    Ok(ExitCode::SUCCESS)
}
