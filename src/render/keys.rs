//! The `keys` report: which columns make people unique.

use super::summary::Detail;
use super::{Format, Rendering};
use crate::format::{percent, thousands};
use crate::metrics::attribution::Attribution;
use crate::model::{KeysReport, MISSING_VALUES_NOTE};
use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{ContentArrangement, Table};

/// What the records are: "30,162 rows", or "2,377 people (by household_id) in 75,000 rows".
fn counted(report: &KeysReport) -> String {
    match &report.entity {
        None => format!("{} rows", thousands(report.rows)),
        Some(e) => format!(
            "{} people (by {e}) in {} rows",
            thousands(report.attribution.rows),
            thousands(report.rows)
        ),
    }
}

/// A titled table: (title, header, rows).
type Section = (String, Vec<&'static str>, Vec<Vec<String>>);

/// Sections shared by the table and Markdown renderings.
fn sections(a: &Attribution) -> Vec<Section> {
    let mut out = Vec::new();
    out.push((
        "Distinction and separation".to_string(),
        vec!["column", "distinction", "separation"],
        a.distinction
            .iter()
            .map(|d| {
                let name = if d.column == "*" {
                    "(all QIs)".to_string()
                } else {
                    d.column.clone()
                };
                vec![
                    name,
                    format!("{:.8}", d.distinction),
                    format!("{:.8}", d.separation),
                ]
            })
            .collect(),
    ));
    out.push((
        "Without each column".to_string(),
        vec!["dropped", "k", "unique", "uniques fall by"],
        a.drop_one
            .iter()
            .map(|d| {
                vec![
                    d.column.clone(),
                    d.k.to_string(),
                    percent(d.unique_fraction),
                    percent(d.unique_fraction_drop),
                ]
            })
            .collect(),
    ));
    out.push((
        "Fewest columns that single people out".to_string(),
        vec!["columns", "subset", "unique records"],
        a.best_subsets
            .iter()
            .map(|b| {
                vec![
                    b.size.to_string(),
                    b.columns.join(" + "),
                    format!("{} ({})", thousands(b.uniques), percent(b.unique_fraction)),
                ]
            })
            .collect(),
    ));
    let m = &a.msu;
    out.push((
        format!(
            "Minimal sample uniques (up to {} columns): {} MSUs for {} sample uniques; DIS {:.4} at sampling fraction {}",
            m.max_size,
            thousands(m.count),
            thousands(m.sample_uniques),
            m.dis,
            m.dis_fraction
        ),
        vec!["MSU size", "MSUs"],
        m.by_size.iter().map(|s| vec![s.size.to_string(), thousands(s.count)]).collect(),
    ));
    out.push((
        "Contribution of each column to the SUDA score".to_string(),
        vec!["column", "contribution"],
        m.column_contributions
            .iter()
            .map(|c| vec![c.column.clone(), percent(c.contribution)])
            .collect(),
    ));
    out.push((
        format!(
            "The {} riskiest records (data rows; no values shown)",
            m.records.len()
        ),
        vec!["row", "MSUs", "smallest MSU", "SUDA", "DIS-SUDA"],
        m.records
            .iter()
            .map(|r| {
                vec![
                    r.row.to_string(),
                    r.msus.len().to_string(),
                    r.msus.first().map(|c| c.join(" + ")).unwrap_or_default(),
                    format!("{:.1}", r.suda),
                    format!("{:.6}", r.dis_suda),
                ]
            })
            .collect(),
    ));
    out
}

/// The headline sentence: how few columns identify how many.
fn headline(a: &Attribution) -> Option<String> {
    let full = a.best_subsets.last()?;
    let enough = a
        .best_subsets
        .iter()
        .find(|b| b.uniques as f64 >= 0.5 * full.uniques as f64 && b.uniques > 0)?;
    Some(format!(
        "{} column{} ({}) {} enough to single out {} of records; all {} single out {}.",
        enough.size,
        if enough.size == 1 { "" } else { "s" },
        enough.columns.join(" + "),
        if enough.size == 1 { "is" } else { "are" },
        percent(enough.unique_fraction),
        full.size,
        percent(full.unique_fraction)
    ))
}

/// The sections a detail level shows: with `--detail summary`, the two that say which columns
/// to coarsen (what dropping each does, the fewest that single people out).
fn shown(a: &Attribution, detail: Detail) -> Vec<Section> {
    let all = sections(a);
    match detail {
        Detail::Full => all,
        Detail::Summary | Detail::Check => all.into_iter().skip(1).take(2).collect(),
    }
}

/// Renders the keys report; tables fit `how.width`.
pub fn render(report: &KeysReport, format: Format, how: Rendering) -> String {
    let a = &report.attribution;
    match format {
        // `keys` judges nothing: the command line refuses these formats for it.
        Format::Junit | Format::Sarif => render(report, Format::Json, how),
        Format::Html => {
            // The table rendering in a self-contained page.
            let escaped = super::html::esc(&render(report, Format::Table, how));
            format!(
                "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
                 <title>linkrisk keys</title></head><body><pre>{escaped}</pre></body></html>\n"
            )
        }
        Format::Json => {
            let mut s = serde_json::to_string_pretty(report).expect("the report serialises");
            s.push('\n');
            s
        }
        Format::Table => {
            let width = how.width.unwrap_or(80) as usize;
            let title = format!("Attribution for {} ({})", report.view, counted(report));
            let mut out = super::table::wrap(&title, width, "");
            out.push('\n');
            if let Some(h) = headline(a) {
                out.push_str(&super::table::wrap(&h, width, ""));
                out.push('\n');
            }
            for (title, header, rows) in shown(a, how.detail) {
                let mut t = Table::new();
                t.load_preset(UTF8_FULL_CONDENSED);
                t.set_content_arrangement(ContentArrangement::Dynamic);
                if let Some(width) = how.width {
                    t.set_width(width);
                }
                t.set_header(header);
                for r in rows {
                    t.add_row(r);
                }
                out.push_str(&format!(
                    "\n{}\n{t}\n",
                    super::table::wrap(&title, width, "")
                ));
            }
            let note = format!("Note: {MISSING_VALUES_NOTE}.");
            out.push_str(&format!("\n{}\n", super::table::wrap(&note, width, "")));
            out
        }
        Format::Markdown => {
            let mut out = format!(
                "# Attribution for `{}` ({})\n\n",
                report.view,
                counted(report)
            );
            if let Some(h) = headline(a) {
                out.push_str(&format!("{h}\n\n"));
            }
            for (title, header, rows) in shown(a, how.detail) {
                out.push_str(&format!(
                    "## {title}\n\n| {} |\n|{}\n",
                    header.join(" | "),
                    " --- |".repeat(header.len())
                ));
                for r in rows {
                    out.push_str(&format!("| {} |\n", r.join(" | ").replace('\n', " ")));
                }
                out.push('\n');
            }
            out.push_str(&format!("_Note: {MISSING_VALUES_NOTE}._\n"));
            out
        }
    }
}
