//! `audit --apply-remedy`: the sources as a remedy would release them, and a plan that audits
//! them, so that a remedy's claim can be re-audited rather than taken on trust.
//!
//! Each source a chosen remedy generalises is read again whole (every column, in file order),
//! generalised with the plan's steps and the remedy's (a remedy's step replaces the plan's for
//! its column: ladders start from the values as read), and, when the remedy suppresses, the
//! rows it drops are left out (the same rows `--records` marks). The plan written beside them
//! reads the new files and records their steps under `generalized` (applied already, not
//! again); every other path in it is made absolute so that it reads the same inputs from its
//! new folder.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use polars::prelude::*;

use crate::Result;
use crate::bail;
use crate::error::Context as _;
use crate::model::{Figure, FindingCode, Report};
use crate::plan::{Generalization, Plan};
use crate::source::Source;

/// Which remedies to apply: the `rank`-th of every view that has one, or of `view` only.
#[derive(Debug, Clone, PartialEq)]
pub struct RemedyChoice {
    pub view: Option<String>,
    pub rank: usize,
}

impl RemedyChoice {
    /// `N` or `VIEW:N` (N from 1, as the findings number a view's remedies).
    pub fn parse(text: &str) -> std::result::Result<RemedyChoice, String> {
        let (view, number) = match text.rsplit_once(':') {
            Some((view, number)) => (Some(view.to_string()), number),
            None => (None, text),
        };
        match number.trim().parse::<usize>() {
            Ok(rank) if rank >= 1 => Ok(RemedyChoice { view, rank }),
            _ => Err("N or VIEW:N, N counting a view's remedies from 1".to_string()),
        }
    }
}

/// One source as the remedies release it.
pub struct AppliedSource {
    /// The source's name in the plan.
    pub name: String,
    /// The file to write, in the output folder.
    pub file: PathBuf,
    /// Its contents (CSV).
    pub csv: Vec<u8>,
    /// Rows written, and rows left out.
    pub rows: usize,
    pub dropped: usize,
}

/// What `--apply-remedy` writes.
pub struct Applied {
    pub sources: Vec<AppliedSource>,
    /// `audit.toml` in the output folder.
    pub plan_file: PathBuf,
    pub plan_text: String,
    /// The remedies applied, as `view: remedy N`.
    pub remedies: Vec<String>,
}

/// Builds the remedied sources and their plan for the output folder `out`.
pub fn apply(plan: &Plan, report: &Report, choice: &RemedyChoice, out: &Path) -> Result<Applied> {
    let Some(plan_path) = &plan.path else {
        bail!("--apply-remedy needs the plan as a file");
    };
    let chosen: Vec<&crate::model::Finding> = report
        .findings
        .iter()
        .filter(|f| {
            f.code == FindingCode::Remedy
                && f.number("rank") == Some(choice.rank as f64)
                && choice.view.as_ref().is_none_or(|v| *v == f.subject)
        })
        .collect();
    if chosen.is_empty() {
        let available: Vec<String> = report
            .findings
            .iter()
            .filter(|f| f.code == FindingCode::Remedy)
            .map(|f| {
                format!(
                    "{}:{}",
                    f.subject,
                    f.number("rank").unwrap_or_default() as usize
                )
            })
            .collect();
        bail!(
            "--apply-remedy: no remedy {}{}; the report has {}",
            choice.rank,
            choice.view.as_ref().map_or(String::new(), |v| format!(
                " for view {}",
                crate::escape::name(v)
            )),
            if available.is_empty() {
                "none".to_string()
            } else {
                available.join(", ")
            }
        );
    }
    // Per source, the steps to apply, and the remedy whose suppression drops its rows.
    let mut steps: BTreeMap<String, BTreeMap<String, (Generalization, String)>> = BTreeMap::new();
    let mut suppressing: BTreeMap<String, &crate::model::Finding> = BTreeMap::new();
    for f in &chosen {
        let Some(Figure::PerSource(sources)) = f.figures.get("source_steps") else {
            continue;
        };
        let is_source = plan.sources.iter().any(|s| s.name == f.subject);
        if f.number("suppressed_records").is_some_and(|n| n > 0.0) {
            if !is_source {
                bail!(
                    "--apply-remedy: remedy {} of view {} suppresses records of a joined view, which are pairs of source records: apply a source's remedy, or search without suppression (--max-suppression 0)",
                    choice.rank,
                    crate::escape::name(&f.subject)
                );
            }
            suppressing.insert(f.subject.clone(), f);
        }
        for (source, columns) in sources {
            let entry = steps.entry(source.clone()).or_default();
            for (column, step) in columns {
                if let Some((other, by)) = entry.get(column)
                    && other != step
                {
                    bail!(
                        "--apply-remedy: the remedies of {} and {} generalise {}.{} differently ({} and {}): choose one with VIEW:N",
                        crate::escape::name(by),
                        crate::escape::name(&f.subject),
                        crate::escape::name(source),
                        crate::escape::name(column),
                        other.label(),
                        step.label()
                    );
                }
                entry.insert(column.clone(), (step.clone(), f.subject.clone()));
            }
        }
    }
    for source in suppressing.keys() {
        steps.entry(source.clone()).or_default();
    }

    let mut applied = Vec::new();
    let mut written: BTreeMap<String, (PathBuf, BTreeMap<String, Generalization>)> =
        BTreeMap::new();
    for (name, remedy_steps) in &steps {
        let spec = plan
            .sources
            .iter()
            .find(|s| &s.name == name)
            .expect("a remedy's sources are the plan's");
        if spec.url.is_some() {
            bail!(
                "--apply-remedy writes files: source {} lives in a database; apply the remedy there (its steps are in the finding)",
                crate::escape::name(name)
            );
        }
        let path = plan.resolve(&spec.path);
        let shown = path.to_string_lossy().to_string();
        let file = Source::file(&shown, super::load_options_of(spec, Vec::new())?);
        let names = file.column_names()?;
        let mut df = file.frame(&names)?;
        // The plan's steps, each replaced by the remedy's for its column.
        let mut all: BTreeMap<String, Generalization> = spec.generalize.clone();
        all.extend(spec.generalized.clone());
        for (column, (step, _)) in remedy_steps {
            all.insert(column.clone(), step.clone());
        }
        for (column, step) in &all {
            if spec.generalized.get(column) == Some(step) {
                continue;
            }
            df = super::generalize::apply(df, column, step, &plan.base)
                .with_context(|| format!("source '{name}'"))?;
        }
        let before = df.height();
        if let Some(f) = suppressing.get(name) {
            let Some(Figure::Generalization(view_steps)) = f.figures.get("generalization") else {
                bail!("remedy of {name} without its steps");
            };
            // The source as the audit measured it (without attached columns, which only add
            // columns), so that its rows are the file's, in order.
            let bare = crate::plan::SourceSpec {
                attach: None,
                ..spec.clone()
            };
            let view = super::load_source(plan, &bare)?;
            let kept = super::remedy::kept_rows(
                &view,
                &report.policy.policy,
                plan.policy.max_suppression,
                view_steps,
            )?;
            if kept.len() != before {
                bail!(
                    "source {}: read {before} rows, measured {}",
                    crate::escape::name(name),
                    kept.len()
                );
            }
            let mask = BooleanChunked::from_slice("kept".into(), &kept);
            df = df.filter(&mask)?;
        }
        let rows = df.height();
        let mut csv = Vec::new();
        CsvWriter::new(&mut csv).finish(&mut df)?;
        let target = out.join(format!("{}.csv", file_stem(name)));
        written.insert(name.clone(), (target.clone(), all));
        applied.push(AppliedSource {
            name: name.clone(),
            file: target,
            csv,
            rows,
            dropped: before - rows,
        });
    }
    let text = crate::io::read_text(plan_path, &crate::escape::path(plan_path))?;
    let plan_text = remedied_plan(&text, plan, &written)?;
    Ok(Applied {
        sources: applied,
        plan_file: out.join("audit.toml"),
        plan_text,
        remedies: chosen
            .iter()
            .map(|f| format!("{}: remedy {}", f.subject, choice.rank))
            .collect(),
    })
}

/// A file name for a source: its name with every character but letters, digits, `-` and `_`
/// replaced.
fn file_stem(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The plan text for the output folder: the remedied sources read from their new files with
/// their steps under `generalized`; every other path absolute.
fn remedied_plan(
    text: &str,
    plan: &Plan,
    written: &BTreeMap<String, (PathBuf, BTreeMap<String, Generalization>)>,
) -> Result<String> {
    let mut value: toml::Table =
        toml::from_str(text).map_err(|e| crate::invalid!("the plan: {}", e.message()))?;
    let absolute = |p: &str| -> toml::Value {
        toml::Value::String(plan.resolve(Path::new(p)).to_string_lossy().to_string())
    };
    let step_value = |g: &Generalization| -> toml::Value {
        match g {
            Generalization::Builtin(s) => toml::Value::String(s.clone()),
            Generalization::Hierarchy { hierarchy, level } => {
                let mut t = toml::Table::new();
                t.insert("hierarchy".into(), absolute(&hierarchy.to_string_lossy()));
                t.insert("level".into(), toml::Value::Integer(*level as i64));
                toml::Value::Table(t)
            }
        }
    };
    if let Some(toml::Value::Array(sources)) = value.get_mut("source") {
        for source in sources.iter_mut().filter_map(toml::Value::as_table_mut) {
            let name = source
                .get("name")
                .and_then(toml::Value::as_str)
                .unwrap_or_default()
                .to_string();
            if let Some(toml::Value::String(p)) = source.get("path").cloned() {
                source.insert("path".into(), absolute(&p));
            }
            if let Some(toml::Value::Table(attach)) = source.get_mut("attach")
                && let Some(toml::Value::String(p)) = attach.get("path").cloned()
            {
                attach.insert("path".into(), absolute(&p));
            }
            if let Some(toml::Value::Table(h)) = source.get_mut("hierarchies") {
                for (_, v) in h.iter_mut() {
                    if let toml::Value::String(p) = v.clone() {
                        *v = absolute(&p);
                    }
                }
            }
            for key in ["generalize", "generalized"] {
                if let Some(toml::Value::Table(g)) = source.get_mut(key) {
                    for (_, v) in g.iter_mut() {
                        if let Some(toml::Value::String(p)) = v.get("hierarchy").cloned()
                            && let Some(t) = v.as_table_mut()
                        {
                            t.insert("hierarchy".into(), absolute(&p));
                        }
                    }
                }
            }
            let Some((file, steps)) = written.get(&name) else {
                continue;
            };
            // Beside the plan, which resolves it against its own folder.
            let name = file.file_name().unwrap_or_default().to_string_lossy();
            source.insert("path".into(), toml::Value::String(name.to_string()));
            // The file is written comma-separated, its missing values empty.
            source.remove("delimiter");
            source.remove("generalize");
            if let Some(toml::Value::Table(h)) = source.get_mut("hierarchies") {
                h.retain(|column, _| !steps.contains_key(column));
            }
            let mut generalized = toml::Table::new();
            for (column, step) in steps {
                generalized.insert(column.clone(), step_value(step));
            }
            source.insert("generalized".into(), toml::Value::Table(generalized));
        }
    }
    let body = toml::to_string(&value)
        .map_err(|e| crate::invalid!("cannot write the remedied plan: {e}"))?;
    Ok(format!(
        "# Written by linkrisk audit --apply-remedy: the plan's sources as its remedies release\n# them. Re-audit with: linkrisk audit audit.toml\n\n{body}"
    ))
}
