//! The renderers: the report model as JSON, a table, Markdown, HTML, the summary and the
//! per-record export. Each reads only the [`crate::model`]; none computes a figure or decides
//! a verdict. What they print are figures and column names — never a raw value unless the
//! model holds one because `--show-values` asked.

pub mod html;
pub mod junit;
pub mod keys;
pub mod markdown;
pub mod records;
mod rows;
pub mod sarif;
pub mod summary;
pub mod table;

pub use summary::{Detail, Summary, remedy_line};

use crate::model::Report;

/// The output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Human-readable tables (the default).
    Table,
    /// The stable JSON report (versioned by `schema_version`; fields as in [`crate::model`]).
    Json,
    /// GitHub-flavoured Markdown, for pull requests and wikis.
    Markdown,
    /// One self-contained HTML page with charts (inline CSS and SVG, no script).
    Html,
    /// JUnit XML: one test case per rule and subject judged, for CI test reports.
    Junit,
    /// SARIF 2.1.0: one result per rule and subject judged, for code-scanning dashboards.
    Sarif,
}

impl Format {
    /// The format a report file's name implies: `.html`/`.htm`, `.json`, `.md`/`.markdown`,
    /// `.xml` (JUnit), `.sarif`; anything else is a table.
    pub fn from_path(path: &std::path::Path) -> Format {
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        match ext.as_str() {
            "html" | "htm" => Format::Html,
            "json" => Format::Json,
            "md" | "markdown" => Format::Markdown,
            "xml" => Format::Junit,
            "sarif" => Format::Sarif,
            _ => Format::Table,
        }
    }
}

/// How a report is rendered for people (JSON is always whole).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rendering {
    /// ANSI colours in tables.
    pub color: bool,
    /// The width tables fit; `None` lets them fit the terminal.
    pub width: Option<u16>,
    /// The summary only, or everything.
    pub detail: Detail,
}

impl Default for Rendering {
    fn default() -> Self {
        Rendering {
            color: false,
            width: Some(80),
            detail: Detail::Full,
        }
    }
}

/// Renders a report in a format.
pub fn render(report: &Report, format: Format, how: Rendering) -> String {
    match format {
        Format::Json => {
            let mut s = serde_json::to_string_pretty(report).expect("the report model serialises");
            s.push('\n');
            s
        }
        Format::Table => table::render(report, how),
        Format::Markdown => markdown::render(report, how.detail),
        Format::Html => html::render(report),
        Format::Junit => junit::render(report),
        Format::Sarif => sarif::render(report),
    }
}
