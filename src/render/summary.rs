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
}

/// Findings the summary lists.
pub const TOP_FINDINGS: usize = 5;

/// A step's figures as table cells: step, kind, linked, unique and re-identifications.
pub fn step_cells(step: &StepLine) -> [String; 5] {
    [
        step.name.clone(),
        step.kind.to_string(),
        format!("{} of {}", thousands(step.linked), thousands(step.of)),
        format!("{} → {}", percent(step.unique.0), percent(step.unique.1)),
        format!(
            "{} → {}",
            thousands(step.reidentified.0.round() as usize),
            thousands(step.reidentified.1.round() as usize)
        ),
    ]
}

/// The column titles of [`step_cells`].
pub const STEP_HEADER: [&str; 5] = [
    "join step",
    "kind",
    "linked",
    "unique before → after",
    "re-identified (expected) before → after",
];

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
                number("k").unwrap_or(0.0),
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
            format!(
                "PASS: the {} views and steps judged meet the policy (k = {})",
                policy.judged, policy.policy.k
            )
        } else {
            let views: std::collections::BTreeSet<&str> =
                policy.violations.iter().map(|v| v.view.as_str()).collect();
            format!(
                "FAIL: {} violations of the policy (k = {}) in {} of the {} views and steps judged",
                policy.violations.len(),
                policy.policy.k,
                views.len(),
                policy.judged
            )
        };
        let steps = report.assessment.steps.clone();
        let breaks = if steps.is_empty() {
            None
        } else {
            let worst = report.assessment.breaking_step.map(|i| &steps[i]);
            Some(match worst {
                Some(s) => format!(
                    "Anonymity breaks at step '{}' ({}): it re-identifies {} records that were anonymous (from {} to {}), and unique records rise from {} to {}.",
                    s.name,
                    s.kind,
                    thousands((s.reidentified.1 - s.reidentified.0).round() as usize),
                    thousands(s.reidentified.0.round() as usize),
                    thousands(s.reidentified.1.round() as usize),
                    percent(s.unique.0),
                    percent(s.unique.1)
                ),
                None => "No join step raises the risk of the records it links.".to_string(),
            })
        };
        Summary {
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
