//! `--baseline previous.json`: the violations of the last accepted audit, compared with this
//! run's by view and rule, so that a CI gate fails only on what got worse.

use serde::Deserialize;

use crate::Result;
use crate::model::{BaselineComparison, Rule, Violation};

/// The part of a JSON report a baseline needs: its violations.
#[derive(Debug, Deserialize)]
struct BaselineReport {
    policy: BaselinePolicy,
}

#[derive(Debug, Deserialize)]
struct BaselinePolicy {
    violations: Vec<BaselineViolation>,
}

#[derive(Debug, Deserialize)]
struct BaselineViolation {
    view: String,
    rule: String,
    limit: Option<f64>,
    actual: Option<f64>,
    message: String,
}

/// The violations of a JSON report (`linkrisk ... --format json`), as (view, rule) with the
/// rest; one line naming the file when it is not one.
pub fn read(path: &std::path::Path) -> Result<Vec<Violation>> {
    let shown = crate::escape::path(path);
    let text = crate::io::read_text(path, &format!("baseline {shown}"))?;
    let report: BaselineReport = serde_json::from_str(&text).map_err(|e| {
        crate::invalid!(
            "baseline {shown} is not a linkrisk JSON report (line {}, column {})",
            e.line(),
            e.column()
        )
    })?;
    report
        .policy
        .violations
        .into_iter()
        .map(|v| {
            // The rule as the report spells it (`k`, `identities_attached`, ...).
            let rule: Rule = serde_json::from_value(serde_json::Value::String(v.rule.clone()))
                .map_err(|_| {
                    crate::invalid!(
                        "baseline {shown} names rule {}, which this linkrisk does not know",
                        crate::escape::name(&v.rule)
                    )
                })?;
            Ok(Violation {
                view: v.view,
                rule,
                limit: v.limit.unwrap_or(f64::NAN),
                actual: v.actual.unwrap_or(f64::NAN),
                message: v.message,
            })
        })
        .collect()
}

/// This run's violations against the baseline's: new ones (a view and rule the baseline did
/// not break), fixed ones, and how many both have.
pub fn compare(baseline: &str, current: &[Violation], before: &[Violation]) -> BaselineComparison {
    let key = |v: &Violation| (v.view.clone(), v.rule);
    let had = |v: &Violation| before.iter().any(|b| key(b) == key(v));
    let has = |v: &Violation| current.iter().any(|c| key(c) == key(v));
    BaselineComparison {
        baseline: baseline.to_string(),
        new: current.iter().filter(|v| !had(v)).cloned().collect(),
        fixed: before.iter().filter(|v| !has(v)).cloned().collect(),
        unchanged: current.iter().filter(|v| had(v)).count(),
    }
}
