//! The terminal rendering: the summary first, then one section per view and per join step,
//! every finding and the policy verdict. Tables fit the width they are given (wrapping cells
//! at spaces), or the terminal's.

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{CellAlignment, ContentArrangement, Table};

use super::Rendering;
use super::rows::*;
use super::summary::{Detail, STEP_HEADER, Summary, check_lines, step_cells};
use crate::format::{percent, thousands};
use crate::model::*;

/// A table that fits `width` (`None`: the terminal's), wrapping cells at spaces.
fn new_table(width: Option<u16>) -> Table {
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED);
    table.set_content_arrangement(ContentArrangement::Dynamic);
    // Off a terminal comfy-table cannot tell the width: it must be set.
    if let Some(width) = width {
        table.set_width(width);
    }
    table
}

/// Wraps `text` at spaces to lines of at most `width` characters (a longer word stays whole).
pub(super) fn wrap(text: &str, width: usize, indent: &str) -> String {
    let mut out = String::new();
    let mut line = String::new();
    for word in text.split(' ') {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            out.push_str(&line);
            out.push('\n');
            line = indent.to_string();
        } else if !line.is_empty() && line != indent {
            line.push(' ');
        }
        line.push_str(word);
    }
    out.push_str(&line);
    out
}

/// The summary: verdict, where anonymity breaks, the join steps, the most severe findings.
fn summary_section(report: &Report, how: Rendering, width: usize) -> String {
    let color = how.color;
    let summary = Summary::of(report);
    let mut out = String::new();
    out.push_str(&paint(&summary.verdict, summary.passed, color));
    out.push_str("\n\n");
    if let Some(breaks) = &summary.breaks {
        out.push_str(&wrap(breaks, width, ""));
        out.push_str("\n\n");
    }
    if !summary.steps.is_empty() {
        let mut t = new_table(how.width);
        t.set_header(STEP_HEADER.to_vec());
        for step in &summary.steps {
            t.add_row(step_cells(step).to_vec());
        }
        out.push_str(&format!("{t}\n\n"));
    }
    if !summary.top.is_empty() {
        out.push_str(&format!(
            "Most severe findings ({} of {}):\n",
            summary.top.len(),
            summary.findings
        ));
        out.push_str(&finding_lines(summary.top, width));
    }
    if !summary.remedies.is_empty() {
        out.push_str("Cheapest remedy per view (information loss; details with the findings):\n");
        for line in &summary.remedies {
            out.push_str(&wrap(&format!("- {line}"), width, "  "));
            out.push('\n');
        }
    }
    if let Some(after) = &summary.after_remedies {
        out.push_str(&wrap(after, width, ""));
        out.push('\n');
    }
    out
}

/// Numbered findings, each wrapped to `width` under a four-space indent, and a blank line.
fn finding_lines(findings: &[Finding], width: usize) -> String {
    let mut out = String::new();
    for (i, finding) in findings.iter().enumerate() {
        let line = format!(
            "{}. [{}] {}",
            i + 1,
            finding.severity.as_str(),
            finding.message
        );
        out.push_str(&wrap(&line, width, "    "));
        out.push('\n');
    }
    out.push('\n');
    out
}

fn paint(text: &str, ok: bool, color: bool) -> String {
    if !color {
        return text.to_string();
    }
    let code = if ok { "32" } else { "31" };
    format!("\x1b[1;{code}m{text}\x1b[0m")
}

/// The unicity curve and, with `--coarsen`, the resolution table.
fn unicity_section(u: &crate::model::UnicityReport, how: Rendering) -> String {
    let mut t = new_table(how.width);
    t.set_header(vec![
        "points p",
        "people with ≥ p",
        "single out (ε_p)",
        "95% interval",
    ]);
    for r in unicity_rows(u) {
        t.add_row(r.to_vec());
    }
    let mut out = format!("{}\n{t}\n\n", unicity_summary(u));
    if !u.resolution.is_empty() {
        let mut t = new_table(how.width);
        t.set_header(vec!["coarsening", "4 points single out (ε_4)"]);
        for r in resolution_rows(u) {
            t.add_row(r.to_vec());
        }
        out.push_str(&format!("Resolution\n{t}\n\n"));
    }
    out
}

/// Renders the report as terminal tables.
pub fn render(report: &Report, how: Rendering) -> String {
    let mut out = body(report, how);
    if let Some(p) = &report.provenance {
        if how.detail == Detail::Full {
            let mut t = new_table(how.width);
            t.set_header(PROVENANCE_HEADER.to_vec());
            for row in provenance_rows(p) {
                t.add_row(row.to_vec());
            }
            out.push_str(&format!("\nProvenance\n{t}\n"));
        }
        let width = how.width.unwrap_or(80) as usize;
        out.push_str(&wrap(
            &format!("Provenance: {}", provenance_line(p)),
            width,
            "",
        ));
        out.push('\n');
    }
    out
}

/// Everything but the provenance.
fn body(report: &Report, how: Rendering) -> String {
    let color = how.color;
    if how.detail == Detail::Check {
        let width = how.width.unwrap_or(80) as usize;
        let mut out = String::new();
        for (i, line) in check_lines(report).iter().enumerate() {
            let line = if i == 0 {
                paint(line, report.policy.passed, color)
            } else {
                line.clone()
            };
            out.push_str(&wrap(&line, width, "    "));
            out.push('\n');
        }
        return out;
    }
    let width = how.width.unwrap_or(80) as usize;
    let mut out = String::new();
    let judged = !(report.views.is_empty() && report.unicity.is_some());
    if judged {
        out.push_str(&summary_section(report, how, width));
        if how.detail == Detail::Summary {
            return out;
        }
        if !out.ends_with("\n\n") {
            out.push('\n');
        }
    }
    let policy_k = report.policy.policy.k;
    for view in &report.views {
        out.push_str(&format!("View {}\n", view.name));
        let mut head = new_table(how.width);
        for (label, value) in headline(view, policy_k) {
            head.add_row(vec![label, value]);
        }
        out.push_str(&format!("{head}\n"));

        let mut hist = new_table(how.width);
        let counted = if view.entity.is_some() {
            "people"
        } else {
            "records"
        };
        hist.set_header(vec![
            "class size".to_string(),
            "classes".to_string(),
            counted.to_string(),
            format!("% {counted}"),
        ]);
        for (label, classes, records) in
            size_buckets(&view.metrics.k_anonymity.class_size_histogram)
        {
            hist.add_row(vec![
                label.to_string(),
                thousands(classes),
                thousands(records),
                percent(if view.entities == 0 {
                    0.0
                } else {
                    records as f64 / view.entities as f64
                }),
            ]);
        }
        for column in 1..4 {
            if let Some(c) = hist.column_mut(column) {
                c.set_cell_alignment(CellAlignment::Right);
            }
        }
        out.push_str(&format!("{hist}\n"));

        let rows = sensitive_rows(view);
        if !rows.is_empty() {
            let mut sens = new_table(how.width);
            sens.set_header(vec![
                "sensitive",
                "distinct l",
                "entropy l",
                "recursive c",
                "t",
            ]);
            for row in rows {
                sens.add_row(row.to_vec());
            }
            out.push_str(&format!("{sens}\n"));
        }
        let attribution = attribution_rows(view);
        if !attribution.is_empty() {
            let mut t = new_table(how.width);
            t.set_header(vec!["which columns make people unique", ""]);
            for row in attribution {
                t.add_row(row.to_vec());
            }
            out.push_str(&format!("{t}\n"));
        }
        if let Some(u) = &view.unicity {
            out.push_str(&unicity_section(u, how));
        }
        let small = small_class_rows(view);
        if !small.is_empty() {
            let mut t = new_table(how.width);
            t.set_header(vec!["size", "smallest classes (--show-values)"]);
            for row in small {
                t.add_row(row.to_vec());
            }
            out.push_str(&format!("{t}\n"));
        }
        let (ok, line) = verdict(view, &report.policy);
        out.push_str(&paint(&wrap(&line, width, "    "), ok, color));
        out.push('\n');
        out.push('\n');
    }
    for join in &report.joins {
        out.push_str(&format!("Join step {}\n", join.name));
        let mut t = new_table(how.width);
        for (label, value) in join_rows(join) {
            t.add_row(vec![label, value]);
        }
        out.push_str(&format!("{t}\n\n"));
    }
    if let Some(u) = &report.unicity {
        out.push_str(&unicity_section(u, how));
    }
    if !report.findings.is_empty() {
        out.push_str("Findings\n");
        out.push_str(&finding_lines(&report.findings, width));
    }
    if report.views.is_empty() && report.unicity.is_some() {
        // A unicity report measures no view: no policy to state.
        return out;
    }
    out.push_str(&wrap(
        &format!("Note: {}.", report.missing_values),
        width,
        "",
    ));
    out.push('\n');
    let overall = if report.policy.judged == 0 {
        "Policy: NOTHING JUDGED (every view holds direct identifiers by design)".to_string()
    } else if report.policy.passed {
        format!(
            "Policy: PASS ({} {} judged)",
            report.policy.judged,
            super::summary::plural(report.policy.judged, "view or step", "views and steps")
        )
    } else {
        format!(
            "Policy: FAIL ({} {})",
            report.policy.violations.len(),
            super::summary::plural(report.policy.violations.len(), "violation", "violations")
        )
    };
    out.push_str(&paint(&overall, report.policy.passed, color));
    out.push('\n');
    out
}
