//! The verdict as JUnit XML, for CI systems that show test results: one test case per rule and
//! subject judged, failing with the violation's message where the subject breaks the rule.

use std::fmt::Write as _;

use crate::model::{Report, Violation};

/// XML text: escaped as HTML is (the same five characters), without the control characters
/// XML 1.0 cannot hold.
fn xml(text: &str) -> String {
    let allowed: String = text
        .chars()
        .filter(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r'))
        .collect();
    super::html::esc(&allowed)
}

/// The report as a JUnit XML document.
pub fn render(report: &Report) -> String {
    let checks = &report.policy.checks;
    let violated = |subject: &str, rule| -> Vec<&Violation> {
        report
            .policy
            .violations
            .iter()
            .filter(|v| v.view == subject && v.rule == rule)
            .collect()
    };
    let failures = checks
        .iter()
        .filter(|c| !violated(&c.subject, c.rule).is_empty())
        .count();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"linkrisk\" tests=\"{}\" failures=\"{failures}\">",
        checks.len()
    );
    let _ = writeln!(
        out,
        "  <testsuite name=\"linkrisk policy\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\">",
        checks.len()
    );
    for check in checks {
        let name = xml(&format!("{} · {}", check.rule.as_str(), check.subject));
        let class = xml(&check.subject);
        let broken = violated(&check.subject, check.rule);
        if broken.is_empty() {
            let _ = writeln!(out, "    <testcase classname=\"{class}\" name=\"{name}\"/>");
            continue;
        }
        let _ = writeln!(out, "    <testcase classname=\"{class}\" name=\"{name}\">");
        let messages: Vec<&str> = broken.iter().map(|v| v.message.as_str()).collect();
        let text = xml(&messages.join("\n"));
        let _ = writeln!(
            out,
            "      <failure type=\"{}\" message=\"{text}\">{text}</failure>",
            check.rule.as_str()
        );
        out.push_str("    </testcase>\n");
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}
