//! The first screen of a report, what a privacy reviewer reads in a minute: the verdict, the
//! step where anonymity breaks, one line per join step (before → after) and the most severe
//! findings. Table and Markdown open with it; `--detail summary` prints only it.

use crate::format::{percent, thousands};
use crate::model::*;

/// How much of a report to print.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Detail {
    /// The summary only: the verdict, the join steps and the five most severe findings.
    Summary,
    /// The summary, then every view, step and finding (the default).
    #[default]
    Full,
    /// The verdict, each violation and where anonymity breaks: what a CI log shows (the
    /// default with --check).
    Check,
}

/// Findings the summary lists.
pub const TOP_FINDINGS: usize = 5;

/// A step's figures as table cells: step, kind, linked, unique and re-identifications.
pub fn step_cells(step: &StepLine) -> [String; 5] {
    [
        step.name.clone(),
        step.kind.to_string(),
        // Records are the default unit; people are named (the entity is in the summary's
        // sentence and the step's section).
        match step.unit.as_str() {
            "records" => format!("{} of {}", thousands(step.linked), thousands(step.of)),
            _ => format!(
                "{} of {} people",
                thousands(step.linked),
                thousands(step.of)
            ),
        },
        format!("{} → {}", percent(step.unique.0), percent(step.unique.1)),
        format!(
            "{} → {}",
            thousands(step.reidentified.0.round() as usize),
            thousands(step.reidentified.1.round() as usize)
        ),
    ]
}

/// The column titles of [`step_cells`]; each figure cell reads before → after, and a quasi
/// step's re-identifications are expected ones.
pub const STEP_HEADER: [&str; 5] = ["join step", "kind", "linked", "unique", "re-identified"];

/// The summary of a report.
#[derive(Debug, Clone)]
pub struct Summary<'a> {
    /// `PASS` or `FAIL` and what was judged.
    pub verdict: String,
    /// Whether the policy held.
    pub passed: bool,
    /// The step where anonymity breaks, in words; `None` without join steps.
    pub breaks: Option<String>,
    /// One line per join step, in plan order.
    pub steps: Vec<StepLine>,
    /// The most severe findings, at most [`TOP_FINDINGS`].
    pub top: &'a [Finding],
    /// Findings in all.
    pub findings: usize,
    /// Per view that fails the policy by itself, its cheapest remedy (or that none was
    /// found), in one line.
    pub remedies: Vec<String>,
    /// What the cheapest remedies leave: the violations they would not clear, by rule, in
    /// one sentence; `None` when nothing fails.
    pub after_remedies: Option<String>,
}

/// A remedy finding in one line: `survey: zip3 → zip1, birth_year → band:10 (k = 7, 0.00%
/// unique, 29 suppressed, loss 19.82%)`; the loss is the information loss.
pub fn remedy_line(f: &Finding) -> Option<String> {
    let number = |name: &str| f.number(name);
    match f.code {
        FindingCode::Remedy => {
            let steps = f.steps_in_words();
            let suppressed = number("suppressed_records").unwrap_or(0.0);
            let suppressed = if suppressed == 0.0 {
                String::new()
            } else {
                format!(", {} suppressed", thousands(suppressed as usize))
            };
            Some(format!(
                "{}: {steps} (k = {}, {} unique{suppressed}, loss {})",
                f.subject,
                thousands(number("k").unwrap_or(0.0) as usize),
                percent(number("unique_fraction").unwrap_or(0.0)),
                percent(number("information_loss").unwrap_or(0.0))
            ))
        }
        FindingCode::RemedyNotFound => Some(format!(
            "{}: no generalisation meets the policy{}",
            f.subject,
            if number("search_cut") == Some(1.0) {
                " within the nodes searched"
            } else {
                ""
            }
        )),
        _ => None,
    }
}

impl Summary<'_> {
    /// The summary of `report`.
    pub fn of(report: &Report) -> Summary<'_> {
        let policy = &report.policy;
        let verdict = if policy.judged == 0 {
            "NOTHING JUDGED: every view holds direct identifiers (identified by design); \
             declare a source `release = true` to judge it"
                .to_string()
        } else if policy.passed {
            match policy.judged {
                1 => format!(
                    "PASS: the view judged meets the policy (k = {})",
                    thousands(policy.policy.k as usize)
                ),
                n => format!(
                    "PASS: the {n} views and steps judged meet the policy (k = {})",
                    thousands(policy.policy.k as usize)
                ),
            }
        } else {
            let views: std::collections::BTreeSet<&str> =
                policy.violations.iter().map(|v| v.view.as_str()).collect();
            format!(
                "FAIL: {} {} of the policy (k = {}) in {} of the {} {} judged",
                policy.violations.len(),
                plural(policy.violations.len(), "violation", "violations"),
                thousands(policy.policy.k as usize),
                views.len(),
                policy.judged,
                plural(policy.judged, "view or step", "views and steps")
            )
        };
        let steps = report.assessment.steps.clone();
        let breaks = if steps.is_empty() {
            None
        } else {
            let worst = report.assessment.breaking_step.map(|i| &steps[i]);
            Some(match worst {
                Some(s) if s.attaches_identities => format!(
                    "Anonymity breaks at step '{}' ({}): it re-identifies {} {} that were anonymous (from {} to {}), and the unique share rises from {} to {}.",
                    s.name,
                    s.kind,
                    thousands((s.reidentified.1 - s.reidentified.0).round() as usize),
                    s.unit,
                    thousands(s.reidentified.0.round() as usize),
                    thousands(s.reidentified.1.round() as usize),
                    percent(s.unique.0),
                    percent(s.unique.1)
                ),
                Some(s) => format!(
                    "Anonymity is weakest after step '{}' ({}): it links {} of {} {} without naming them, and the unique share rises from {} to {}.",
                    s.name,
                    s.kind,
                    thousands(s.linked),
                    thousands(s.of),
                    s.unit,
                    percent(s.unique.0),
                    percent(s.unique.1)
                ),
                None => "No join step raises the risk of the records it links.".to_string(),
            })
        };
        let remaining: Vec<&crate::model::Violation> = report
            .assessment
            .remaining
            .iter()
            .map(|&i| &report.policy.violations[i])
            .collect();
        let after_remedies = (!report.policy.violations.is_empty()).then(|| {
            if remaining.is_empty() {
                "After the cheapest remedies, no violation remains.".to_string()
            } else {
                let mut by_rule: Vec<(&str, Vec<&str>)> = Vec::new();
                for v in &remaining {
                    match by_rule.iter_mut().find(|(r, _)| *r == v.rule.as_str()) {
                        Some((_, views)) if !views.contains(&v.view.as_str()) => {
                            views.push(&v.view)
                        }
                        Some(_) => {}
                        None => by_rule.push((v.rule.as_str(), vec![&v.view])),
                    }
                }
                format!(
                    "After the cheapest remedies, {} {}: {}.",
                    remaining.len(),
                    plural(remaining.len(), "violation remains", "violations remain"),
                    by_rule
                        .iter()
                        .map(|(rule, views)| format!("{rule} ({})", views.join(", ")))
                        .collect::<Vec<_>>()
                        .join("; ")
                )
            }
        });
        Summary {
            after_remedies,
            verdict,
            passed: policy.passed,
            breaks,
            steps,
            top: &report.findings[..report.findings.len().min(TOP_FINDINGS)],
            findings: report.findings.len(),
            remedies: report
                .assessment
                .remedies
                .iter()
                .filter_map(|&i| remedy_line(&report.findings[i]))
                .collect(),
        }
    }
}

/// Violations listed by `--detail check` before "… N more".
pub const CHECK_VIOLATIONS: usize = 20;

/// What a CI log shows (`--check`): the verdict, what changed since the baseline, each
/// violation (rule, subject, figures), where anonymity breaks and the cheapest remedies, as
/// lines of text.
pub fn check_lines(report: &Report) -> Vec<String> {
    let summary = Summary::of(report);
    let mut lines = vec![summary.verdict.clone()];
    if let Some(b) = &report.baseline {
        lines.push(format!(
            "Against the baseline {}: {} new, {} fixed, {} unchanged {}",
            b.baseline,
            b.new.len(),
            b.fixed.len(),
            b.unchanged,
            plural(b.unchanged, "violation", "violations")
        ));
        for v in &b.new {
            lines.push(format!("  new   [{}] {}", v.rule.as_str(), v.message));
        }
        for v in &b.fixed {
            lines.push(format!("  fixed [{}] {}", v.rule.as_str(), v.message));
        }
    }
    let violations = &report.policy.violations;
    if !violations.is_empty() {
        lines.push(format!(
            "{} {}:",
            violations.len(),
            plural(violations.len(), "violation", "violations")
        ));
        for v in violations.iter().take(CHECK_VIOLATIONS) {
            lines.push(format!("  [{}] {}", v.rule.as_str(), v.message));
        }
        if violations.len() > CHECK_VIOLATIONS {
            lines.push(format!(
                "  … {} more (--detail full lists them)",
                violations.len() - CHECK_VIOLATIONS
            ));
        }
    }
    if let Some(breaks) = &summary.breaks {
        lines.push(breaks.clone());
    }
    if !summary.remedies.is_empty() {
        lines.push("Cheapest remedies:".to_string());
        lines.extend(summary.remedies.iter().map(|r| format!("  {r}")));
    }
    lines.extend(summary.after_remedies.clone());
    lines
}

/// `one` or `many` by `n`.
pub fn plural(n: usize, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 { one } else { many }
}
