//! The verdict as SARIF 2.1.0 (the format code-scanning dashboards read): one result per rule
//! and subject judged, `fail` with the violation's message or `pass`; the location is the plan
//! (or the file measured) and the subject by name.

use serde::Serialize;

use crate::model::{Report, Rule};

#[derive(Serialize)]
struct Log {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run>,
}

#[derive(Serialize)]
struct Run {
    tool: Tool,
    results: Vec<SarifResult>,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    rules: Vec<RuleDescriptor>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RuleDescriptor {
    id: &'static str,
    short_description: Text,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: &'static str,
    kind: &'static str,
    level: &'static str,
    message: Text,
    locations: Vec<Location>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    #[serde(skip_serializing_if = "Option::is_none")]
    physical_location: Option<PhysicalLocation>,
    logical_locations: Vec<LogicalLocation>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LogicalLocation {
    name: String,
    kind: &'static str,
}

/// What a rule asks, in words.
fn describe(rule: Rule) -> &'static str {
    match rule {
        Rule::K => "Every class holds at least k records (or people).",
        Rule::MaxUniqueFraction => "At most this fraction of records (or people) is unique.",
        Rule::L => "Every class holds at least l distinct values of each sensitive attribute.",
        Rule::IdentitiesAttached => {
            "A join step identifies at most this fraction of a view meant to be anonymous."
        }
        Rule::EntropyL => "Every class is entropy l-diverse on each sensitive attribute.",
        Rule::RecursiveC => "Every class is recursive (c, l)-diverse on each sensitive attribute.",
        Rule::T => "Every class is t-close on each sensitive attribute.",
        Rule::MaxProsecutorAvg => "The average prosecutor risk is at most this.",
        Rule::MaxProsecutorMax => "The highest prosecutor risk is at most this.",
        Rule::MaxUnicity => "A few purchases single out at most this fraction of people.",
        Rule::MaxPopulationUniqueFraction => {
            "At most this fraction of the population is unique on the QIs."
        }
    }
}

/// A file URI reference for a path as given (relative paths stay relative).
fn uri(path: &str) -> String {
    let mut out = String::new();
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The report as a SARIF 2.1.0 log.
pub fn render(report: &Report) -> String {
    let artifact = report
        .provenance
        .as_ref()
        .and_then(|p| p.inputs.first())
        .map(|i| PhysicalLocation {
            artifact_location: ArtifactLocation {
                uri: uri(&i.location),
            },
        });
    let mut rules: Vec<Rule> = Vec::new();
    let mut results = Vec::new();
    for check in &report.policy.checks {
        if !rules.contains(&check.rule) {
            rules.push(check.rule);
        }
        let broken: Vec<&str> = report
            .policy
            .violations
            .iter()
            .filter(|v| v.view == check.subject && v.rule == check.rule)
            .map(|v| v.message.as_str())
            .collect();
        let (kind, level, text) = if broken.is_empty() {
            (
                "pass",
                "none",
                format!("{} meets {}", check.subject, check.rule.as_str()),
            )
        } else {
            ("fail", "error", broken.join("; "))
        };
        results.push(SarifResult {
            rule_id: check.rule.as_str(),
            kind,
            level,
            message: Text { text },
            locations: vec![Location {
                physical_location: artifact.as_ref().map(|a| PhysicalLocation {
                    artifact_location: ArtifactLocation {
                        uri: a.artifact_location.uri.clone(),
                    },
                }),
                logical_locations: vec![LogicalLocation {
                    name: check.subject.clone(),
                    kind: "object",
                }],
            }],
        });
    }
    let log = Log {
        schema: "https://json.schemastore.org/sarif-2.1.0.json",
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "linkrisk",
                    version: env!("CARGO_PKG_VERSION"),
                    rules: rules
                        .into_iter()
                        .map(|r| RuleDescriptor {
                            id: r.as_str(),
                            short_description: Text {
                                text: describe(r).to_string(),
                            },
                        })
                        .collect(),
                },
            },
            results,
        }],
    };
    let mut text = serde_json::to_string_pretty(&log).expect("the SARIF log serialises");
    text.push('\n');
    text
}
