//! The command line: the top-level arguments, dispatch to a command, rendering and the exit
//! status. Each command's arguments, options and work live in [`crate::commands`].

use std::io::IsTerminal;
use std::path::Path;
use std::time::Duration;

use crate::bail;
use crate::error::Context;
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};

use crate::Result;
use crate::commands::args::OutputArgs;
use crate::commands::audit::{AuditArgs, AuditOptions};
use crate::commands::keys::KeysArgs;
use crate::commands::link::LinkArgs;
use crate::commands::scan::ScanArgs;
use crate::commands::synth::SynthArgs;
use crate::commands::unicity::UnicityArgs;
use crate::commands::{self, ExitStatus};
use crate::model::Report;
use crate::output;
use crate::render;

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
    /// Print the SQL whose result is a class table, to run where the data lives.
    #[command(after_help = "Examples:\n  \
linkrisk sql --dialect postgres --table crm.loyalty --qi zip5,birth_date,gender > classes.sql\n  \
linkrisk sql --dialect spark --table sales.purchases --qi store --sensitive category --entity loyalty_id\n  \
linkrisk scan --class-table classes.csv --qi zip5,birth_date,gender   # the query's result, saved")]
    Sql(crate::commands::sql::SqlArgs),
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
    /// Print a shell completion script (bash, zsh, fish, elvish or powershell).
    #[command(after_help = "Examples:\n  \
linkrisk completions bash > ~/.local/share/bash-completion/completions/linkrisk\n  \
linkrisk completions zsh > ~/.zfunc/_linkrisk")]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff): linkrisk's, or one command's (`linkrisk man audit`).
    #[command(
        after_help = "Example:\n  linkrisk man > ~/.local/share/man/man1/linkrisk.1\n  linkrisk man audit > ~/.local/share/man/man1/linkrisk-audit.1"
    )]
    Man {
        /// The command whose page to print.
        command: Option<String>,
    },
}

/// Parses the command line and runs it; returns the exit status of a finished run.
pub fn run() -> Result<ExitStatus> {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            use clap::error::ErrorKind;
            if matches!(
                err.kind(),
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion
            ) {
                // `--help | head` closes the pipe early: not an error worth reporting.
                match err.print() {
                    Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => return Err(e.into()),
                    _ => return Ok(ExitStatus::Success),
                }
            }
            bail!("{}", usage_error(&err));
        }
    };
    let memory = match &cli.command {
        Command::Scan(a) => a.memory.max_memory,
        Command::Audit(a) => a.memory.max_memory,
        Command::Link(a) => a.memory.max_memory,
        Command::Keys(a) => a.memory.max_memory,
        Command::Unicity(a) => a.memory.max_memory,
        Command::Synth(_) | Command::Sql(_) | Command::Completions { .. } | Command::Man { .. } => {
            None
        }
    };
    if let Some(bytes) = memory {
        crate::budget::set_max_memory(bytes);
    }
    match cli.command {
        Command::Scan(args) => {
            let opts = args.options();
            let mut inputs = opts.inputs();
            inputs.extend(args.policy.baseline.as_deref());
            let baseline = read_baseline(args.policy.baseline.as_deref())?;
            args.output.check(&inputs)?;
            check_records(args.records.as_deref(), &args.output, &inputs)?;
            let spinner = Spinner::new(args.output.quiet);
            let mut report = commands::scan::run(&opts, &|m| spinner.step(m))?;
            stamp(&mut report.provenance);
            compare_with(&mut report, baseline)?;
            drop(spinner);
            emit_with_records(
                &report,
                &args.output,
                args.records.as_deref(),
                &inputs,
                args.policy.check,
            )?;
            Ok(ExitStatus::of(&report, args.policy.check))
        }
        Command::Link(args) => {
            let inputs = [Path::new(&args.identified), Path::new(&args.target)];
            args.output.check(&inputs)?;
            let spinner = Spinner::new(args.output.quiet);
            let mut report = commands::link::run(&args.options(), &|m| spinner.step(m))?;
            stamp(&mut report.provenance);
            drop(spinner);
            emit(&report, &args.output, &inputs)?;
            Ok(ExitStatus::Success)
        }
        Command::Audit(args) => {
            // Without a plan, the bundled demo, unpacked for the run (removed with `_demo`).
            let (path, _demo) = match &args.plan {
                Some(path) => (path.clone(), None),
                None => {
                    let demo = crate::plan::demo::Demo::unpack()?;
                    (demo.plan_path(), Some(demo))
                }
            };
            let mut plan = crate::plan::Plan::load(&path)?;
            if let Some(fraction) = args.max_suppression {
                plan.policy.max_suppression = fraction;
            }
            let plan_inputs = plan.inputs();
            let mut inputs: Vec<&Path> = vec![path.as_path()];
            inputs.extend(plan_inputs.iter().map(|p| p.as_path()));
            inputs.extend(args.baseline.as_deref());
            let baseline = read_baseline(args.baseline.as_deref())?;
            args.output.check(&inputs)?;
            check_records(args.records.as_deref(), &args.output, &inputs)?;
            let spinner = Spinner::new(args.output.quiet);
            let opts = AuditOptions {
                plan,
                show_values: args.output.show_values,
                records: args.records.is_some(),
            };
            let mut report = commands::audit::run(&opts, &|m| spinner.step(m))?;
            stamp(&mut report.provenance);
            compare_with(&mut report, baseline)?;
            drop(spinner);
            if let (Some(choice), Some(out)) = (&args.apply_remedy, &args.out) {
                write_remedied(&opts.plan, &report, choice, out, &inputs)?;
            }
            emit_with_records(
                &report,
                &args.output,
                args.records.as_deref(),
                &inputs,
                args.check,
            )?;
            Ok(ExitStatus::of(&report, args.check))
        }
        Command::Keys(args) => {
            if matches!(
                args.output.format(),
                render::Format::Junit | render::Format::Sarif
            ) {
                crate::bail!(
                    "keys judges no policy: --format junit and sarif apply to scan, link and audit"
                );
            }
            let inputs = [Path::new(&args.file)];
            args.output.check(&inputs)?;
            check_records(args.records.as_deref(), &args.output, &inputs)?;
            let spinner = Spinner::new(args.output.quiet);
            let mut keys = commands::keys::run(&args.options(), &|m| spinner.step(m))?;
            stamp(&mut keys.provenance);
            drop(spinner);
            let text =
                render::keys::render(&keys, args.output.format(), rendering(&args.output, false));
            let records = match &args.records {
                Some(path) => Some(render::records::stage_records(
                    path,
                    &keys.records,
                    &inputs,
                )?),
                None => None,
            };
            write_text_with(&text, &args.output, records, &inputs)?;
            Ok(ExitStatus::Success)
        }
        Command::Unicity(args) => {
            let inputs = [Path::new(&args.file)];
            args.output.check(&inputs)?;
            let opts = args.options()?;
            let spinner = Spinner::new(args.output.quiet);
            let mut report = commands::unicity::run(&opts, &|m| spinner.step(m))?;
            stamp(&mut report.provenance);
            drop(spinner);
            emit(&report, &args.output, &inputs)?;
            Ok(ExitStatus::Success)
        }
        Command::Completions { shell } => {
            use clap::CommandFactory;
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "linkrisk", &mut out);
            write_stdout(&out)?;
            Ok(ExitStatus::Success)
        }
        Command::Man { command } => {
            use clap::CommandFactory;
            let mut out = Vec::new();
            let root = Cli::command();
            let page = match &command {
                None => root,
                Some(name) => {
                    let names: Vec<String> = root
                        .get_subcommands()
                        .map(|c| c.get_name().to_string())
                        .collect();
                    let Some(sub) = root.find_subcommand(name) else {
                        crate::bail!(
                            "man: no command {} (one of {})",
                            crate::escape::name(name),
                            names.join(", ")
                        );
                    };
                    sub.clone().display_name(format!("linkrisk-{name}"))
                }
            };
            clap_mangen::Man::new(page)
                .render(&mut out)
                .context("cannot render the man page")?;
            write_stdout(&out)?;
            Ok(ExitStatus::Success)
        }
        Command::Sql(args) => {
            write_stdout(commands::sql::run(&args)?.as_bytes())?;
            Ok(ExitStatus::Success)
        }
        Command::Synth(args) => {
            let spinner = Spinner::new(args.quiet);
            let summary = commands::synth::run(&args.options(), &|m| spinner.step(m))?;
            drop(spinner);
            if !args.quiet {
                let mut out = String::new();
                for (name, rows, path) in &summary.sources {
                    out.push_str(&format!(
                        "{:>14} {:>10} rows  {}\n",
                        name,
                        crate::format::thousands(*rows),
                        path.display()
                    ));
                }
                // A full device or a closed reader is one line, never a panic.
                write_stdout(out.as_bytes())?;
            }
            Ok(ExitStatus::Success)
        }
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
        return "a command is required: audit, scan, link, keys, unicity, sql, synth, completions or man \
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

/// The width tables fit: `$COLUMNS` when set, else the terminal's (`None`: comfy-table asks
/// it), else 80.
fn table_width(to_terminal: bool) -> Option<u16> {
    let columns = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<u16>().ok())
        .filter(|&c| c > 0);
    // One width for prose and tables alike: the terminal's, when it can be told.
    let terminal = || {
        to_terminal
            .then(|| comfy_table::Table::new().width())
            .flatten()
    };
    Some(columns.or_else(terminal).unwrap_or(80))
}

/// Whether the terminal gets colours: stdout is a terminal and NO_COLOR is unset.
fn use_color() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// A spinner on stderr for steps that may take a moment; hidden when stderr is not a
/// terminal or with --quiet.
struct Spinner(Option<ProgressBar>);

impl Spinner {
    fn new(quiet: bool) -> Spinner {
        if quiet || !std::io::stderr().is_terminal() {
            return Spinner(None);
        }
        let bar = ProgressBar::new_spinner();
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg} ({elapsed})").expect("valid template"),
        );
        bar.enable_steady_tick(Duration::from_millis(120));
        Spinner(Some(bar))
    }

    fn step(&self, message: &str) {
        if let Some(bar) = &self.0 {
            bar.set_message(message.to_string());
        }
    }
}

impl Drop for Spinner {
    fn drop(&mut self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}

/// `audit --apply-remedy`: the remedied sources and their plan, written into `out` together
/// (each 0600, none over an input), and one line per file on stderr.
fn write_remedied(
    plan: &crate::plan::Plan,
    report: &crate::model::Report,
    choice: &crate::audit::apply::RemedyChoice,
    out: &Path,
    inputs: &[&Path],
) -> Result<()> {
    let applied = crate::audit::apply::apply(plan, report, choice, out)?;
    if !out.exists() {
        std::fs::create_dir_all(out)
            .map_err(|e| crate::invalid!("cannot create {}: {e}", crate::escape::path(out)))?;
    }
    let mut staged = Vec::new();
    for source in &applied.sources {
        staged.push(output::stage(&source.file, &source.csv, inputs)?);
    }
    staged.push(output::stage(
        &applied.plan_file,
        applied.plan_text.as_bytes(),
        inputs,
    )?);
    output::commit_all(staged)?;
    eprintln!("applied {}", applied.remedies.join(", "));
    for source in &applied.sources {
        eprintln!(
            "wrote {} ({} rows{})",
            crate::escape::path(&source.file),
            crate::format::thousands(source.rows),
            if source.dropped > 0 {
                format!(", {} dropped", crate::format::thousands(source.dropped))
            } else {
                String::new()
            }
        );
    }
    eprintln!(
        "wrote {}: re-audit it with linkrisk audit {}",
        crate::escape::path(&applied.plan_file),
        crate::escape::path(&applied.plan_file)
    );
    Ok(())
}

/// Refuses, before any work, a `--records` file the output rules refuse, or the report's own
/// file.
fn check_records(records: Option<&Path>, output: &OutputArgs, inputs: &[&Path]) -> Result<()> {
    let Some(path) = records else {
        return Ok(());
    };
    if output
        .file()
        .is_some_and(|report| output::same_file(report, path))
    {
        crate::bail!("--records and --output name the same file");
    }
    render::records::check_records_path(path, inputs)
}

/// Writes a rendered report to --output (atomically, 0600) or standard output.
/// A baseline read before the run (so that a bad one fails fast): its path and violations.
type Baseline = Option<(std::path::PathBuf, Vec<crate::model::Violation>)>;

fn read_baseline(path: Option<&Path>) -> Result<Baseline> {
    path.map(|p| Ok((p.to_path_buf(), crate::audit::baseline::read(p)?)))
        .transpose()
}

/// Compares a report's violations with the baseline's.
fn compare_with(report: &mut Report, baseline: Baseline) -> Result<()> {
    if let Some((path, before)) = baseline {
        report.baseline = Some(crate::audit::baseline::compare(
            &path.to_string_lossy(),
            &report.policy.violations,
            &before,
        ));
    }
    Ok(())
}

/// Adds the command line, passwords removed, to a report's provenance.
fn stamp(provenance: &mut Option<crate::model::Provenance>) {
    if let Some(p) = provenance {
        p.command_line = crate::audit::provenance::redacted_command_line(std::env::args());
    }
}

fn emit(report: &Report, output: &OutputArgs, inputs: &[&Path]) -> Result<()> {
    write_text_with(&rendered(report, output, false), output, None, inputs)
}

/// [`emit`] with the `--records` export, all or nothing: the export is written first, and
/// the report and the export are put in place together.
fn emit_with_records(
    report: &Report,
    output: &OutputArgs,
    records: Option<&Path>,
    inputs: &[&Path],
    check: bool,
) -> Result<()> {
    let staged = match records {
        Some(path) => Some(render::records::stage_records(
            path,
            &report.records,
            inputs,
        )?),
        None => None,
    };
    write_text_with(&rendered(report, output, check), output, staged, inputs)
}

/// How a report is laid out for the destination --output names (or standard output).
fn rendering(output: &OutputArgs, check: bool) -> render::Rendering {
    let to_terminal = output.file().is_none() && std::io::stdout().is_terminal();
    render::Rendering {
        color: output.file().is_none() && use_color(),
        width: table_width(to_terminal),
        // A CI gate's log: the verdict and the violations, unless --detail asks for more.
        detail: output.detail.unwrap_or(if check {
            render::Detail::Check
        } else {
            render::Detail::Full
        }),
    }
}

/// The report rendered as --format and the destination ask.
fn rendered(report: &Report, output: &OutputArgs, check: bool) -> String {
    render::render(report, output.format(), rendering(output, check))
}

/// Writes text to --output (atomically, 0600) or standard output, with another output already
/// staged (`--records`): both files are put in place together or neither is, and a report
/// for standard output is printed only once the files are in place.
fn write_text_with(
    text: &str,
    output: &OutputArgs,
    staged: Option<output::Staged>,
    inputs: &[&Path],
) -> Result<()> {
    let mut outputs: Vec<output::Staged> = staged.into_iter().collect();
    if let Some(path) = output.file() {
        outputs.push(output::stage(path, text.as_bytes(), inputs)?);
    }
    output::commit_all(outputs)?;
    if output.file().is_none() {
        write_stdout(text.as_bytes())?;
    }
    Ok(())
}

/// Writes bytes to standard output; a closed pipe (`| head`) is not an error worth reporting.
fn write_stdout(bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|_| stdout.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("cannot write to standard output"),
    }
}
