//! The commands, one file each (the xsv/uv layout): a file opens with its command's usage,
//! holds its command-line arguments (clap), its library options and `run`, which takes the
//! options and a progress callback and returns a typed result. The binary parses arguments,
//! calls one `run`, renders the result and maps the outcome to an [`ExitStatus`]; the crate
//! root re-exports each command as a plain function (`linkrisk::scan`, ...).

pub mod args;
pub mod audit;
pub mod keys;
pub mod link;
pub mod scan;
pub mod sql;
pub mod synth;
pub mod unicity;

use crate::model::Report;

/// What a long run tells its caller it is doing ("loading loyalty.csv"); the binary shows it
/// in a spinner. [`quiet`] ignores it.
pub type Progress<'a> = &'a dyn Fn(&str);

/// A progress callback that ignores everything.
pub fn quiet(_: &str) {}

/// How a run ends, as the process's exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// The run finished (and with `--check` the policy held): 0.
    Success,
    /// `--check` was given and the policy was violated: 1.
    PolicyViolated,
    /// The input or the command line was wrong: 2.
    Error,
}

impl ExitStatus {
    /// The status of a finished report: a violation counts only when `check` asks for it,
    /// and a check that judged nothing (every view identified by design) is an error.
    pub fn of(report: &Report, check: bool) -> ExitStatus {
        if !check {
            ExitStatus::Success
        } else if report.policy.judged == 0 {
            ExitStatus::Error
        } else if let Some(baseline) = &report.baseline {
            if baseline.new.is_empty() {
                ExitStatus::Success
            } else {
                ExitStatus::PolicyViolated
            }
        } else if !report.policy.passed {
            ExitStatus::PolicyViolated
        } else {
            ExitStatus::Success
        }
    }

    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            ExitStatus::Success => 0,
            ExitStatus::PolicyViolated => 1,
            ExitStatus::Error => 2,
        }
    }
}

impl From<ExitStatus> for std::process::ExitCode {
    fn from(status: ExitStatus) -> Self {
        std::process::ExitCode::from(status.code())
    }
}

/// A view's name from where its records are: a database table's name (its last part), `query`
/// for a query, else [`view_name`] of the file.
pub fn source_view_name(file: &str, table: Option<&str>, query: Option<&str>) -> String {
    match (table, query) {
        (Some(table), _) => table.rsplit('.').next().unwrap_or(table).to_string(),
        (None, Some(_)) => "query".to_string(),
        _ => view_name(file),
    }
}

/// A view's name from its file: the file stem (`data/loyalty.csv.gz` → `loyalty`), `stdin`
/// for `-`.
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

/// Refuses an empty or repeated column name in a list option (`--qi`, `--points`).
pub(crate) fn check_names(option: &str, names: &[String]) -> crate::Result<()> {
    for (i, name) in names.iter().enumerate() {
        if name.is_empty() {
            crate::bail!("--{option} has an empty column name");
        }
        if names[..i].contains(name) {
            crate::bail!(
                "--{option} names column {} twice",
                crate::escape::name(name)
            );
        }
    }
    Ok(())
}
