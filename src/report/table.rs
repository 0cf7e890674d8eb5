//! The terminal rendering: one section per view, then findings and the policy verdict.

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{CellAlignment, Table};

use super::model::*;

fn new_table() -> Table {
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED);
    table
}

fn paint(text: &str, ok: bool, color: bool) -> String {
    if !color {
        return text.to_string();
    }
    let code = if ok { "32" } else { "31" };
    format!("\x1b[1;{code}m{text}\x1b[0m")
}

/// The unicity curve and, with `--coarsen`, the resolution table.
fn unicity_section(u: &crate::audit::history::UnicityReport) -> String {
    let mut t = new_table();
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
        let mut t = new_table();
        t.set_header(vec!["coarsening", "4 points single out (ε_4)"]);
        for r in resolution_rows(u) {
            t.add_row(r.to_vec());
        }
        out.push_str(&format!("Resolution\n{t}\n\n"));
    }
    out
}

/// Renders the report as terminal tables.
pub fn render(report: &Report, color: bool) -> String {
    let mut out = String::new();
    let policy_k = report.policy.policy.k;
    for view in &report.views {
        out.push_str(&format!("View {}\n", view.name));
        let mut head = new_table();
        for (label, value) in headline(view, policy_k) {
            head.add_row(vec![label, value]);
        }
        out.push_str(&format!("{head}\n"));

        let mut hist = new_table();
        hist.set_header(vec!["class size", "classes", "records", "% records"]);
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
            let mut sens = new_table();
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
            let mut t = new_table();
            t.set_header(vec!["which columns make people unique", ""]);
            for row in attribution {
                t.add_row(row.to_vec());
            }
            out.push_str(&format!("{t}\n"));
        }
        if let Some(u) = &view.unicity {
            out.push_str(&unicity_section(u));
        }
        let small = small_class_rows(view);
        if !small.is_empty() {
            let mut t = new_table();
            t.set_header(vec!["size", "smallest classes (--show-values)"]);
            for row in small {
                t.add_row(row.to_vec());
            }
            out.push_str(&format!("{t}\n"));
        }
        let (ok, line) = verdict(view, &report.policy);
        out.push_str(&paint(&line, ok, color));
        out.push('\n');
        out.push('\n');
    }
    for join in &report.joins {
        out.push_str(&format!("Join step {}\n", join.name));
        let mut t = new_table();
        for (label, value) in join_rows(join) {
            t.add_row(vec![label, value]);
        }
        out.push_str(&format!("{t}\n\n"));
    }
    if let Some(u) = &report.unicity {
        out.push_str(&unicity_section(u));
    }
    if !report.findings.is_empty() {
        out.push_str("Findings\n");
        for (i, finding) in report.findings.iter().enumerate() {
            out.push_str(&format!(
                "{:>3}. [{}] {}\n",
                i + 1,
                finding.severity.as_str(),
                finding.message
            ));
        }
        out.push('\n');
    }
    if report.views.is_empty() && report.unicity.is_some() {
        // A unicity report measures no view: no policy to state.
        return out;
    }
    out.push_str(&format!("Note: {}.\n", report.missing_values));
    let overall = if report.policy.passed {
        format!("Policy: PASS ({} views checked)", report.views.len())
    } else {
        format!(
            "Policy: FAIL ({} violations)",
            report.policy.violations.len()
        )
    };
    out.push_str(&paint(&overall, report.policy.passed, color));
    out.push('\n');
    out
}
