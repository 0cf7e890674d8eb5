//! The first screen of a report, what a privacy reviewer reads in a minute: the verdict, the
//! step where anonymity breaks, one line per join step (before → after) and the most severe
//! findings. Table and Markdown open with it; `--detail summary` prints only it.

use super::model::*;
use crate::audit::join::JoinReport;

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

/// One join step, before → after for the records it attached (its right-hand input).
#[derive(Debug, Clone, PartialEq)]
pub struct StepLine {
    /// The step.
    pub name: String,
    /// Its kind (`key`, `normalized`, `hashed`, `quasi`).
    pub kind: &'static str,
    /// Right-hand records (or people) linked, and of how many.
    pub linked: usize,
    /// Right-hand records (or people) in all.
    pub of: usize,
    /// Unique fraction of the right-hand input, and of the joined view.
    pub unique: (f64, f64),
    /// Right-hand records re-identified (expected) before the step and after it: before,
    /// all of them when the right-hand view holds identifiers, else none; after, the records
    /// linked to an identity (for a quasi step, the expected re-identifications).
    pub reidentified: (f64, f64),
}

impl StepLine {
    fn of(join: &JoinReport, right_identified: bool) -> StepLine {
        let all = join.rows_right as f64;
        let reidentified = if right_identified {
            (all, all)
        } else {
            let after = match &join.linkage {
                Some(link) => link.expected_reidentifications,
                None => join.matched_right as f64,
            };
            (0.0, after)
        };
        StepLine {
            name: join.name.clone(),
            kind: join.kind.as_str(),
            linked: join.matched_right,
            of: join.rows_right,
            unique: (
                join.before_right.unique_fraction,
                join.after.unique_fraction,
            ),
            reidentified,
        }
    }

    /// The step's figures as table cells: step, kind, linked, unique and re-identifications.
    pub fn cells(&self) -> [String; 5] {
        [
            self.name.clone(),
            self.kind.to_string(),
            format!("{} of {}", thousands(self.linked), thousands(self.of)),
            format!("{} → {}", percent(self.unique.0), percent(self.unique.1)),
            format!(
                "{} → {}",
                thousands(self.reidentified.0.round() as usize),
                thousands(self.reidentified.1.round() as usize)
            ),
        ]
    }
}

/// The column titles of [`StepLine::cells`].
pub const STEP_HEADER: [&str; 5] = [
    "join step",
    "kind",
    "linked",
    "unique before → after",
    "re-identified (expected) before → after",
];

/// One [`StepLine`] per join step.
pub fn step_lines(joins: &[JoinReport], views: &[ViewReport]) -> Vec<StepLine> {
    let identified = |name: &str| views.iter().any(|v| v.name == name && v.identified);
    joins
        .iter()
        .map(|j| StepLine::of(j, identified(&j.before_right.view)))
        .collect()
}

/// Where anonymity breaks: the step that adds the most expected re-identifications to the
/// records it attaches, if any step raises their risk at all. The summary and the
/// `join_breaks_anonymity` finding both name it.
pub fn breaking_step(steps: &[StepLine]) -> Option<usize> {
    let rise = |s: &StepLine| s.reidentified.1 - s.reidentified.0;
    steps
        .iter()
        .enumerate()
        .max_by(|a, b| rise(a.1).total_cmp(&rise(b.1)))
        .filter(|(_, s)| s.reidentified.1 > s.reidentified.0 || s.unique.1 > s.unique.0)
        .map(|(i, _)| i)
}

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
        let steps = step_lines(&report.joins, &report.views);
        let breaks = if steps.is_empty() {
            None
        } else {
            let worst = breaking_step(&steps).map(|i| &steps[i]);
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
            remedies: cheapest_remedies(&report.findings),
        }
    }
}

/// The first (cheapest) remedy line of each view, in the order the views first appear.
fn cheapest_remedies(findings: &[Finding]) -> Vec<String> {
    let mut seen: Vec<&str> = Vec::new();
    let mut lines = Vec::new();
    for f in findings {
        if let Some(line) = remedy_line(f)
            && !seen.contains(&f.subject.as_str())
        {
            seen.push(&f.subject);
            lines.push(line);
        }
    }
    lines
}
