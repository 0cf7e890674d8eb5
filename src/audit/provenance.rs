//! A report's provenance: the plan and every input with its bytes' SHA-256, the version and the
//! time (the binary adds its command line, passwords removed).

use std::path::Path;

use crate::Result;
use crate::model::{InputFile, Provenance};
use crate::source::Source;

/// An input file: a source read through [`Source`] (`rows` read from it), or a plan, attach,
/// hierarchy or population file.
pub fn input(role: &str, location: &str, rows: Option<usize>) -> Result<InputFile> {
    let timer = crate::timing::Timer::start();
    let fingerprint = Source::file(location, Default::default()).fingerprint()?;
    timer.lap("provenance: SHA-256 of an input");
    Ok(InputFile {
        role: role.to_string(),
        location: location.to_string(),
        bytes: fingerprint.as_ref().map(|f| f.0),
        sha256: fingerprint.map(|f| f.1),
        rows,
    })
}

/// One input read through `source` (a file, or a database table named without its password).
pub fn source_input(role: &str, source: &Source, rows: Option<usize>) -> Result<InputFile> {
    let fingerprint = source.fingerprint()?;
    Ok(InputFile {
        role: role.to_string(),
        location: source.name().to_string(),
        bytes: fingerprint.as_ref().map(|f| f.0),
        sha256: fingerprint.map(|f| f.1),
        rows,
    })
}

/// The provenance of a run that read `inputs`, made now.
pub fn provenance(inputs: Vec<InputFile>) -> Provenance {
    Provenance {
        version: env!("CARGO_PKG_VERSION"),
        generated_at: utc_now(),
        command_line: Vec::new(),
        inputs,
    }
}

/// The inputs of a plan: the plan file, then each source (with the records read from it) and
/// the attach and hierarchy files it names.
pub fn plan_inputs(
    plan: &crate::plan::Plan,
    rows_of: impl Fn(&str) -> Option<usize>,
) -> Result<Vec<InputFile>> {
    let shown = |p: &Path| p.to_string_lossy().to_string();
    let mut inputs = Vec::new();
    if let Some(path) = &plan.path {
        inputs.push(input("plan", &shown(path), None)?);
    }
    for source in &plan.sources {
        let location = source.location(plan);
        inputs.push(match &source.url {
            None => input(&source.name, &location, rows_of(&source.name))?,
            Some(_) => source_input(
                &source.name,
                &Source::open(
                    &location,
                    source.table.as_deref(),
                    source.query.as_deref(),
                    Default::default(),
                    false,
                )?,
                rows_of(&source.name),
            )?,
        });
        if let Some(attach) = &source.attach {
            inputs.push(match &attach.url {
                None => input("attach", &shown(&plan.resolve(&attach.path)), None)?,
                Some(url) => source_input(
                    "attach",
                    &Source::open(
                        url,
                        attach.table.as_deref(),
                        attach.query.as_deref(),
                        Default::default(),
                        false,
                    )?,
                    None,
                )?,
            });
        }
        let hierarchies = source
            .generalize
            .values()
            .chain(source.generalized.values())
            .filter_map(|g| match g {
                crate::plan::Generalization::Hierarchy { hierarchy, .. } => Some(hierarchy),
                _ => None,
            })
            .chain(source.hierarchies.values());
        for hierarchy in hierarchies {
            let location = shown(&plan.resolve(hierarchy));
            if !inputs.iter().any(|i| i.location == location) {
                inputs.push(input("hierarchy", &location, None)?);
            }
        }
    }
    Ok(inputs)
}

/// Now, UTC, as RFC 3339 to the second (`2026-12-07T18:45:03Z`).
pub fn utc_now() -> String {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let (days, rest) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
    let (y, m, d) = crate::io::coded::civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// The command line with any password removed: the password of a URL's user information
/// (`postgres://user:secret@host` → `postgres://user:***@host`), and the value of an option
/// whose name says password or secret.
pub fn redacted_command_line(args: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut hide_next = false;
    for arg in args {
        if hide_next {
            out.push("***".to_string());
            hide_next = false;
            continue;
        }
        let lower = arg.to_lowercase();
        let secret_option = lower.starts_with("--")
            && (lower.contains("password") || lower.contains("secret") || lower.contains("token"));
        if secret_option {
            match arg.split_once('=') {
                Some((name, _)) => out.push(format!("{name}=***")),
                None => {
                    out.push(arg);
                    hide_next = true;
                }
            }
            continue;
        }
        out.push(crate::escape::redact_url(&arg));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_reach_a_report() {
        let args = [
            "linkrisk",
            "scan",
            "postgres://ann:s3cret@db.example/shop",
            "--password",
            "hunter2",
            "--db-password=hunter3",
            "x.csv",
        ]
        .map(String::from);
        let shown = redacted_command_line(args).join(" ");
        assert_eq!(
            shown,
            "linkrisk scan postgres://ann:***@db.example/shop --password *** --db-password=*** x.csv"
        );
    }

    #[test]
    fn the_time_is_rfc3339_utc() {
        let now = utc_now();
        assert_eq!(now.len(), 20, "{now}");
        assert!(now.ends_with('Z') && now.as_bytes()[10] == b'T', "{now}");
        assert!(now.starts_with("20"), "{now}");
    }
}
