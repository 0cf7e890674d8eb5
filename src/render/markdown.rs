//! The Markdown rendering, for pull requests, wikis and privacy-review documents.

use super::rows::*;
use super::summary::{Detail, STEP_HEADER, Summary, check_lines, step_cells};
use crate::format::thousands;
use crate::model::*;

fn row(cells: &[String]) -> String {
    let escaped: Vec<String> = cells.iter().map(|c| c.replace('|', "\\|")).collect();
    format!("| {} |\n", escaped.join(" | "))
}

fn header(cells: &[&str]) -> String {
    let names: Vec<String> = cells.iter().map(|c| c.to_string()).collect();
    let rule: Vec<String> = cells.iter().map(|_| "---".to_string()).collect();
    format!("{}{}", row(&names), row(&rule))
}

/// The unicity curve and, with `--coarsen`, the resolution table.
fn unicity_section(u: &crate::model::UnicityReport) -> String {
    let mut out = format!("{}\n\n", unicity_summary(u));
    out.push_str(&header(&[
        "points p",
        "people with ≥ p",
        "single out (ε_p)",
        "95% interval",
    ]));
    for r in unicity_rows(u) {
        out.push_str(&row(&r));
    }
    out.push('\n');
    if !u.resolution.is_empty() {
        out.push_str("### Resolution\n\n");
        out.push_str(&header(&["coarsening", "4 points single out (ε_4)"]));
        for r in resolution_rows(u) {
            out.push_str(&row(&r));
        }
        out.push('\n');
    }
    out
}

/// The summary: verdict, where anonymity breaks, the join steps, the most severe findings.
fn summary_section(report: &Report) -> String {
    let summary = Summary::of(report);
    let mut out = format!("## Summary\n\n**{}**\n\n", summary.verdict);
    if let Some(breaks) = &summary.breaks {
        out.push_str(&format!("{breaks}\n\n"));
    }
    if !summary.steps.is_empty() {
        out.push_str(&header(&STEP_HEADER));
        for step in &summary.steps {
            out.push_str(&row(&step_cells(step)));
        }
        out.push('\n');
    }
    if !summary.top.is_empty() {
        out.push_str(&format!(
            "Most severe findings ({} of {}):\n\n",
            summary.top.len(),
            summary.findings
        ));
        out.push_str(&finding_list(summary.top));
    }
    if !summary.remedies.is_empty() {
        out.push_str("Cheapest remedy per view (information loss; details with the findings):\n\n");
        for line in &summary.remedies {
            out.push_str(&format!("- {line}\n"));
        }
        out.push('\n');
    }
    if let Some(after) = &summary.after_remedies {
        out.push_str(&format!("{after}\n\n"));
    }
    out
}

/// A numbered list of findings and a blank line.
fn finding_list(findings: &[Finding]) -> String {
    let mut out = String::new();
    for (i, finding) in findings.iter().enumerate() {
        out.push_str(&format!(
            "{}. **{}**: {}\n",
            i + 1,
            finding.severity.as_str(),
            finding.message
        ));
    }
    out.push('\n');
    out
}

/// Renders the report as Markdown: the summary first, then the details unless `detail` is
/// [`Detail::Summary`].
pub fn render(report: &Report, detail: Detail) -> String {
    let mut out = body(report, detail);
    if let Some(p) = &report.provenance {
        out.push_str("\n## Provenance\n\n");
        out.push_str(&format!("{}\n\n", provenance_line(p)));
        if detail == Detail::Full {
            out.push_str(&header(&PROVENANCE_HEADER));
            for r in provenance_rows(p) {
                out.push_str(&row(&r));
            }
        }
    }
    out
}

/// Everything but the provenance.
fn body(report: &Report, detail: Detail) -> String {
    let mut out = String::from("# linkrisk report\n\n");
    if detail == Detail::Check {
        for line in check_lines(report) {
            match line.strip_prefix("  ") {
                Some(item) => out.push_str(&format!("- {item}\n")),
                None => out.push_str(&format!("\n{line}\n\n")),
            }
        }
        return out;
    }
    if !(report.views.is_empty() && report.unicity.is_some()) {
        out.push_str(&summary_section(report));
        if detail == Detail::Summary {
            return out;
        }
    }
    let policy_k = report.policy.policy.k;
    for view in &report.views {
        out.push_str(&format!("## View `{}`\n\n", view.name));
        out.push_str(&header(&["figure", "value"]));
        for (label, value) in headline(view, policy_k) {
            out.push_str(&row(&[label, value]));
        }
        out.push('\n');
        let counted = if view.entity.is_some() {
            "people"
        } else {
            "records"
        };
        out.push_str(&header(&["class size", "classes", counted]));
        for (label, classes, records) in
            size_buckets(&view.metrics.k_anonymity.class_size_histogram)
        {
            out.push_str(&row(&[
                label.to_string(),
                thousands(classes),
                thousands(records),
            ]));
        }
        out.push('\n');
        let rows = sensitive_rows(view);
        if !rows.is_empty() {
            out.push_str(&header(&[
                "sensitive",
                "distinct l",
                "entropy l",
                "recursive c",
                "t",
            ]));
            for r in rows {
                out.push_str(&row(&r));
            }
            out.push('\n');
        }
        let attribution = attribution_rows(view);
        if !attribution.is_empty() {
            out.push_str(&header(&["which columns make people unique", ""]));
            for r in attribution {
                out.push_str(&row(&r));
            }
            out.push('\n');
        }
        if let Some(u) = &view.unicity {
            out.push_str(&unicity_section(u));
        }
        let small = small_class_rows(view);
        if !small.is_empty() {
            out.push_str(&header(&["size", "smallest classes (--show-values)"]));
            for r in small {
                out.push_str(&row(&r));
            }
            out.push('\n');
        }
        let (_, line) = verdict(view, &report.policy);
        out.push_str(&format!("**{line}**\n\n"));
    }
    for join in &report.joins {
        out.push_str(&format!("## Join step `{}`\n\n", join.name));
        out.push_str(&header(&["figure", "value"]));
        for (label, value) in join_rows(join) {
            out.push_str(&row(&[label, value]));
        }
        out.push('\n');
    }
    if let Some(u) = &report.unicity {
        out.push_str("## Unicity\n\n");
        out.push_str(&unicity_section(u));
    }
    if !report.findings.is_empty() {
        out.push_str("## Findings\n\n");
        out.push_str(&finding_list(&report.findings));
    }
    if report.views.is_empty() && report.unicity.is_some() {
        return out;
    }
    out.push_str(&format!("_Note: {}._\n\n", report.missing_values));
    out.push_str(&format!(
        "**Policy: {}**\n",
        if report.policy.judged == 0 {
            "NOTHING JUDGED"
        } else if report.policy.passed {
            "PASS"
        } else {
            "FAIL"
        }
    ));
    out
}
