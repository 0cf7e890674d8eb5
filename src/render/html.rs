//! The HTML rendering: one self-contained page (inline CSS and SVG; no script, no font, no
//! address fetched from anywhere) that reads with scripts off and prints on A4. The summary
//! comes first, then a chart of each join step's before → after, every view with its
//! class-size histogram (and unicity curve), the findings and the verdict. Every chart has a
//! title and a text alternative. It shows exactly what the other renderings show.

use std::fmt::Write as _;

use super::rows::*;
use super::summary::{STEP_HEADER, Summary, step_cells};
use crate::format::{percent, thousands};
use crate::model::*;

/// Text for HTML: `&`, `<`, `>` and quotes escaped.
pub(crate) fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "
body { font: 14px/1.45 system-ui, sans-serif; color: #1b1b1b; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.25rem; margin-top: 2rem; border-bottom: 1px solid #ccc; }
h3 { font-size: 1.05rem; margin-top: 1.5rem; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; } th, td { border: 1px solid #ccc; padding: 0.2rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #f2f2f2; } td.num { text-align: right; }
.verdict { font-weight: bold; font-size: 1.1rem; padding: 0.5rem 0.75rem; border-radius: 4px; }
.fail { background: #fde2e1; color: #8a1c13; } .pass { background: #e1f5e4; color: #14532d; } .none { background: #eef; color: #223; }
.high { color: #8a1c13; font-weight: bold; } .medium { color: #8a5a00; font-weight: bold; } .low { color: #555; }
figure { margin: 1rem 0; } figcaption { font-size: 0.9rem; color: #444; }
svg text { font: 11px system-ui, sans-serif; fill: #1b1b1b; }
@page { size: A4; margin: 15mm; }
@media print { body { margin: 0; max-width: none; font-size: 11px; } section, figure, table { break-inside: avoid; } }
";

/// The characters of a chart label that fit its column.
const LABEL_CHARS: usize = 34;

/// A horizontal bar chart of labelled pairs of fractions (before, after), as SVG.
fn pairs_chart(id: &str, title: &str, description: &str, rows: &[(String, f64, f64)]) -> String {
    let (label_w, bar_w, row_h) = (230.0, 360.0, 34.0);
    let height = 30.0 + row_h * rows.len() as f64;
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg role=\"img\" aria-labelledby=\"{id}-t {id}-d\" viewBox=\"0 0 {w} {height}\" width=\"100%\">\
         <title id=\"{id}-t\">{}</title><desc id=\"{id}-d\">{}</desc>",
        esc(title),
        esc(description),
        w = label_w + bar_w + 70.0
    );
    let _ = write!(
        svg,
        "<rect x=\"{label_w}\" y=\"4\" width=\"10\" height=\"10\" fill=\"#9aa5b1\"/><text x=\"{}\" y=\"13\">before</text>\
         <rect x=\"{}\" y=\"4\" width=\"10\" height=\"10\" fill=\"#c0392b\"/><text x=\"{}\" y=\"13\">after</text>",
        label_w + 14.0,
        label_w + 70.0,
        label_w + 84.0
    );
    for (i, (label, before, after)) in rows.iter().enumerate() {
        let y = 24.0 + row_h * i as f64;
        // A label longer than its column is cut with an ellipsis; the whole label is its
        // tooltip (and is in the table below the chart).
        let short: String = if label.chars().count() > LABEL_CHARS {
            label.chars().take(LABEL_CHARS - 1).collect::<String>() + "…"
        } else {
            label.clone()
        };
        let _ = write!(
            svg,
            "<text x=\"0\" y=\"{}\"><title>{}</title>{}</text>\
             <rect x=\"{label_w}\" y=\"{y}\" width=\"{:.1}\" height=\"12\" fill=\"#9aa5b1\"/>\
             <text x=\"{:.1}\" y=\"{}\">{}</text>\
             <rect x=\"{label_w}\" y=\"{}\" width=\"{:.1}\" height=\"12\" fill=\"#c0392b\"/>\
             <text x=\"{:.1}\" y=\"{}\">{}</text>",
            y + 16.0,
            esc(label),
            esc(&short),
            bar_w * before.clamp(0.0, 1.0),
            label_w + bar_w * before.clamp(0.0, 1.0) + 4.0,
            y + 10.0,
            percent(*before),
            y + 14.0,
            bar_w * after.clamp(0.0, 1.0),
            label_w + bar_w * after.clamp(0.0, 1.0) + 4.0,
            y + 24.0,
            percent(*after),
        );
    }
    svg.push_str("</svg>");
    svg
}

/// A vertical bar chart of labelled fractions, as SVG.
fn bars_chart(id: &str, title: &str, description: &str, bars: &[(String, f64)]) -> String {
    let (bar_w, gap, height) = (48.0, 16.0, 140.0);
    let width = 40.0 + (bar_w + gap) * bars.len() as f64;
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg role=\"img\" aria-labelledby=\"{id}-t {id}-d\" viewBox=\"0 0 {width} {}\" width=\"{width}\">\
         <title id=\"{id}-t\">{}</title><desc id=\"{id}-d\">{}</desc>",
        height + 40.0,
        esc(title),
        esc(description)
    );
    for (i, (label, value)) in bars.iter().enumerate() {
        let x = 30.0 + (bar_w + gap) * i as f64;
        let h = height * value.clamp(0.0, 1.0);
        let _ = write!(
            svg,
            "<rect x=\"{x}\" y=\"{:.1}\" width=\"{bar_w}\" height=\"{h:.1}\" fill=\"#2b6cb0\"/>\
             <text x=\"{x}\" y=\"{:.1}\">{}</text><text x=\"{x}\" y=\"{}\">{}</text>",
            14.0 + height - h,
            10.0 + height - h,
            percent(*value),
            height + 26.0,
            esc(label)
        );
    }
    svg.push_str("</svg>");
    svg
}

/// The unicity curve ε_p against p, as SVG.
fn curve_chart(id: &str, u: &crate::model::UnicityReport) -> String {
    let points: Vec<(usize, f64)> = u
        .curve
        .iter()
        .filter_map(|c| Some((c.p, c.unique_fraction?)))
        .collect();
    let bars: Vec<(String, f64)> = points
        .iter()
        .map(|(p, e)| (format!("p = {p}"), *e))
        .collect();
    let description = points
        .iter()
        .map(|(p, e)| format!("{p} points: {}", percent(*e)))
        .collect::<Vec<_>>()
        .join("; ");
    bars_chart(
        id,
        &format!(
            "Unicity of {}: people singled out by p points",
            u.points.join(", ")
        ),
        &description,
        &bars,
    )
}

fn table(out: &mut String, header: &[&str], rows: &[Vec<String>]) {
    out.push_str("<table><thead><tr>");
    for h in header {
        let _ = write!(out, "<th>{}</th>", esc(h));
    }
    out.push_str("</tr></thead><tbody>");
    for row in rows {
        out.push_str("<tr>");
        for cell in row {
            let _ = write!(out, "<td>{}</td>", esc(cell));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
}

fn findings_list(out: &mut String, findings: &[Finding]) {
    out.push_str("<ol>");
    for f in findings {
        let severity = f.severity.as_str();
        let _ = write!(
            out,
            "<li><span class=\"{severity}\">{severity}</span> {}</li>",
            esc(&f.message)
        );
    }
    out.push_str("</ol>");
}

/// Every remedy as a table row: what to generalise and what it gives; a view without one
/// says so.
fn remedies_section(out: &mut String, findings: &[Finding]) {
    use crate::model::Figure;
    let rows: Vec<Vec<String>> = findings
        .iter()
        .filter(|f| matches!(f.code, FindingCode::Remedy | FindingCode::RemedyNotFound))
        .map(|f| {
            let shown = |name: &str, as_percent: bool| {
                f.number(name).map_or("-".to_string(), |x| {
                    if as_percent {
                        percent(x)
                    } else {
                        thousands(x as usize)
                    }
                })
            };
            if f.code == FindingCode::RemedyNotFound {
                return vec![
                    f.subject.clone(),
                    "none found".to_string(),
                    shown("k_top", false),
                    shown("unique_fraction_top", true),
                    "-".to_string(),
                    shown("suppressed_records_top", false),
                    "-".to_string(),
                ];
            }
            let steps = f.steps_in_words();
            let l = match f.figures.get("l") {
                Some(Figure::PerAttribute(l)) => l
                    .iter()
                    .map(|(a, x)| format!("{a}: {x}"))
                    .collect::<Vec<_>>()
                    .join(", "),
                _ => "-".to_string(),
            };
            vec![
                f.subject.clone(),
                steps,
                shown("k", false),
                shown("unique_fraction", true),
                l,
                shown("suppressed_records", false),
                shown("information_loss", true),
            ]
        })
        .collect();
    if rows.is_empty() {
        return;
    }
    out.push_str(
        "<section id=\"remedies\"><h2>Remedies</h2><p>The least-coarse generalisations that \
         meet the policy, cheapest first (information loss: precision, 0% as released, 100% \
         nothing left). Each finding above gives the lines to paste into the plan.</p>",
    );
    table(
        out,
        &[
            "view",
            "generalise",
            "k",
            "unique",
            "l",
            "suppressed",
            "information loss",
        ],
        &rows,
    );
    out.push_str("</section>");
}

/// Renders the report as one HTML page.
pub fn render(report: &Report) -> String {
    let mut out = String::from(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>linkrisk report</title><style>",
    );
    out.push_str(STYLE);
    out.push_str("</style></head><body><h1>linkrisk report</h1>");
    if let Some(p) = &report.provenance {
        let _ = write!(
            out,
            "<p class=\"provenance\">{}</p><details><summary>Inputs</summary>",
            esc(&provenance_line(p))
        );
        let rows: Vec<Vec<String>> = provenance_rows(p).iter().map(|r| r.to_vec()).collect();
        table(&mut out, &PROVENANCE_HEADER, &rows);
        out.push_str("</details>");
    }
    let judged = !(report.views.is_empty() && report.unicity.is_some());
    if judged {
        let summary = Summary::of(report);
        let class = if report.policy.judged == 0 {
            "none"
        } else if summary.passed {
            "pass"
        } else {
            "fail"
        };
        let _ = write!(
            out,
            "<section id=\"summary\"><h2>Summary</h2><p class=\"verdict {class}\">{}</p>",
            esc(&summary.verdict)
        );
        if let Some(breaks) = &summary.breaks {
            let _ = write!(out, "<p>{}</p>", esc(breaks));
        }
        if !summary.steps.is_empty() {
            let rows: Vec<Vec<String>> = summary
                .steps
                .iter()
                .map(|s| step_cells(s).to_vec())
                .collect();
            table(&mut out, &STEP_HEADER, &rows);
        }
        if !summary.top.is_empty() {
            let _ = write!(
                out,
                "<p>Most severe findings ({} of {}):</p>",
                summary.top.len(),
                summary.findings
            );
            findings_list(&mut out, summary.top);
        }
        if !summary.remedies.is_empty() {
            out.push_str("<p>Cheapest remedy per view (all under Remedies):</p><ul>");
            for line in &summary.remedies {
                let _ = write!(out, "<li>{}</li>", esc(line));
            }
            out.push_str("</ul>");
        }
        if let Some(after) = &summary.after_remedies {
            let _ = write!(out, "<p>{}</p>", esc(after));
        }
        out.push_str("</section>");
        if !summary.steps.is_empty() {
            steps_section(&mut out, &summary.steps);
        }
    }
    if !report.views.is_empty() {
        out.push_str("<section id=\"views\"><h2>Views</h2>");
        for (i, view) in report.views.iter().enumerate() {
            view_section(&mut out, i, view, report);
        }
        out.push_str("</section>");
    }
    if let Some(u) = &report.unicity {
        out.push_str("<section id=\"unicity\"><h2>Unicity</h2><figure>");
        out.push_str(&curve_chart("unicity", u));
        let _ = write!(
            out,
            "<figcaption>{}</figcaption></figure>",
            esc(&unicity_summary(u))
        );
        out.push_str("</section>");
    }
    if !report.findings.is_empty() {
        out.push_str("<section id=\"findings\"><h2>Findings</h2>");
        findings_list(&mut out, &report.findings);
        out.push_str("</section>");
    }
    remedies_section(&mut out, &report.findings);
    if judged {
        out.push_str("<section id=\"policy\"><h2>Policy</h2>");
        let _ = write!(out, "<p>Note: {}.</p>", esc(report.missing_values));
        let rows: Vec<Vec<String>> = report
            .policy
            .violations
            .iter()
            .map(|v| {
                vec![
                    v.view.clone(),
                    v.rule.as_str().to_string(),
                    v.message.clone(),
                ]
            })
            .collect();
        if !rows.is_empty() {
            table(&mut out, &["view", "rule", "violation"], &rows);
        }
        out.push_str("</section>");
    }
    out.push_str("</body></html>\n");
    out
}

/// The chart of every join step: unique records and re-identified records before → after.
fn steps_section(out: &mut String, steps: &[StepLine]) {
    out.push_str("<section id=\"steps\"><h2>Join steps: before → after</h2>");
    let unique: Vec<(String, f64, f64)> = steps
        .iter()
        .map(|s| (s.name.clone(), s.unique.0, s.unique.1))
        .collect();
    let description = steps
        .iter()
        .map(|s| {
            format!(
                "{}: {} → {}",
                s.name,
                percent(s.unique.0),
                percent(s.unique.1)
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    out.push_str("<figure>");
    out.push_str(&pairs_chart(
        "steps-unique",
        "Unique records of each step's right-hand input, before and after the step",
        &description,
        &unique,
    ));
    out.push_str(
        "<figcaption>Unique records, before → after each join step.</figcaption></figure>",
    );
    let share = |n: f64, of: usize| if of == 0 { 0.0 } else { n / of as f64 };
    let reidentified: Vec<(String, f64, f64)> = steps
        .iter()
        .map(|s| {
            (
                s.name.clone(),
                share(s.reidentified.0, s.of),
                share(s.reidentified.1, s.of),
            )
        })
        .collect();
    let description = reidentified
        .iter()
        .map(|(n, b, a)| format!("{n}: {} → {}", percent(*b), percent(*a)))
        .collect::<Vec<_>>()
        .join("; ");
    out.push_str("<figure>");
    out.push_str(&pairs_chart(
        "steps-reid",
        "Re-identified records or people (expected) of each step's right-hand input, before and after",
        &description,
        &reidentified,
    ));
    out.push_str(
        "<figcaption>Records (or people, where the input declares them) linked to an identity \
         (expected), as a share of the step's right-hand input, before → after; a step whose \
         output names nobody re-identifies nobody.</figcaption></figure></section>",
    );
}

/// `People` from `people`.
fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map_or(String::new(), |c| {
        c.to_uppercase().collect::<String>() + chars.as_str()
    })
}

fn view_section(out: &mut String, i: usize, view: &ViewReport, report: &Report) {
    let counted = if view.entity.is_some() {
        "people"
    } else {
        "records"
    };
    let _ = write!(out, "<h3>{}</h3>", esc(&view.name));
    let rows: Vec<Vec<String>> = headline(view, report.policy.policy.k)
        .into_iter()
        .map(|(l, v)| vec![l, v])
        .collect();
    table(out, &["figure", "value"], &rows);
    let total = view.entities.max(1) as f64;
    let bars: Vec<(String, f64)> = size_buckets(&view.metrics.k_anonymity.class_size_histogram)
        .into_iter()
        .map(|(label, _, records)| (label.to_string(), records as f64 / total))
        .collect();
    let description = bars
        .iter()
        .map(|(l, f)| format!("classes of size {l}: {} of {counted}", percent(*f)))
        .collect::<Vec<_>>()
        .join("; ");
    out.push_str("<figure>");
    out.push_str(&bars_chart(
        &format!("hist-{i}"),
        &format!(
            "{} of {} by the size of their class",
            capitalised(counted),
            view.name
        ),
        &description,
        &bars,
    ));
    let _ = write!(
        out,
        "<figcaption>Share of {counted} by class size.</figcaption></figure>"
    );
    if let Some(u) = &view.unicity {
        out.push_str("<figure>");
        out.push_str(&curve_chart(&format!("unicity-{i}"), u));
        let _ = write!(
            out,
            "<figcaption>{}</figcaption></figure>",
            esc(&unicity_summary(u))
        );
    }
    let small = small_class_rows(view);
    if !small.is_empty() {
        let rows: Vec<Vec<String>> = small.into_iter().map(|r| r.to_vec()).collect();
        table(out, &["size", "smallest classes (--show-values)"], &rows);
    }
    let (ok, line) = verdict(view, &report.policy);
    let class = match (ok, view.identified) {
        (true, true) => "none",
        (true, false) => "pass",
        (false, _) => "fail",
    };
    let _ = write!(out, "<p class=\"verdict {class}\">{}</p>", esc(&line));
}
