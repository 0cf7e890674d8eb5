//! The report model, serialised as the JSON report that tests and CI read.

use serde::Serialize;

use crate::audit::join::{JoinReport, Snapshot};
use crate::audit::linkage::DisclosureSide;
use crate::metrics::ViewMetrics;

/// Bumped whenever a field changes meaning or disappears.
pub const SCHEMA_VERSION: u32 = 1;

/// How missing values are treated; every report says so.
pub const MISSING_VALUES_NOTE: &str =
    "a missing value is a value of its own: records missing the same QIs share a class";

/// The note under `--nulls wildcard`.
pub const WILDCARD_NOTE: &str = "a missing QI value matches any value (--nulls wildcard): k, uniques and risk count compatible records; l-diversity, t-closeness and population models use classes with missing as a value";

/// The note for a null mode.
pub fn missing_values_note(nulls: crate::engine::NullMode) -> &'static str {
    match nulls {
        crate::engine::NullMode::Value => MISSING_VALUES_NOTE,
        crate::engine::NullMode::Wildcard => WILDCARD_NOTE,
    }
}

#[derive(Debug, Clone, Serialize)]
/// The program that wrote a report.
pub struct Tool {
    /// `linkrisk`.
    pub name: &'static str,
    /// Its version.
    pub version: &'static str,
}

impl Default for Tool {
    fn default() -> Self {
        Tool {
            name: env!("CARGO_PKG_NAME"),
            version: env!("CARGO_PKG_VERSION"),
        }
    }
}

/// One measured view.
#[derive(Debug, Clone, Serialize)]
pub struct ViewReport {
    /// The view: a source, a join step's output, or a scanned file's stem.
    pub name: String,
    /// Records in the view.
    pub rows: usize,
    /// The column that names the person, when one was declared: every figure then counts
    /// entities (people), not rows.
    pub entity: Option<String>,
    /// Identified by design: the view holds direct identifiers (and is not declared a
    /// release), so the policy measures it but does not judge it.
    #[serde(rename = "identified_by_design")]
    pub identified: bool,
    /// People counted: distinct entities (a row without an entity value is one of its own), or
    /// the rows when no entity was declared.
    pub entities: usize,
    /// The QI columns measured.
    pub quasi_identifiers: Vec<String>,
    /// The sensitive columns measured.
    pub sensitive: Vec<String>,
    /// Every single-view figure.
    #[serde(flatten)]
    pub metrics: ViewMetrics,
    /// Which columns make people unique (audit views).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attribution: Option<crate::metrics::attribution::Attribution>,
    /// With `--show-values` only: the QI values of the smallest classes below the policy k.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub small_classes: Option<Vec<SmallClass>>,
    /// Purchase-history unicity of a source that declares `points`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unicity: Option<crate::audit::history::UnicityReport>,
    /// With `--records` (audit): every record's (or person's) risk, read from the class
    /// table the figures came from; written to its own file, never into the report.
    #[serde(skip)]
    pub records: Vec<super::records::RecordRisk>,
}

impl ViewReport {
    /// Whether the view holds no record (a join step that linked nobody).
    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }
}

/// A class below the policy k with its QI values (only with `--show-values`).
#[derive(Debug, Clone, Serialize)]
pub struct SmallClass {
    /// Records in the class, or people in a view with an entity.
    pub size: u32,
    /// The class's QI values: of its records, or in a view with an entity the first tuple of
    /// one of its people.
    pub values: Vec<(String, Option<String>)>,
    /// In a view with an entity: every distinct QI tuple of one of the class's people (the
    /// class's multiset), with how many of that person's rows hold it, most frequent first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tuples: Vec<TupleCount>,
}

/// One QI tuple of a person and how many of their rows hold it.
#[derive(Debug, Clone, Serialize)]
pub struct TupleCount {
    /// The person's rows holding the tuple.
    pub rows: u32,
    /// The tuple's QI values, in QI order (`None`: missing).
    pub values: Vec<Option<String>>,
}

/// Most small classes listed per view with `--show-values`.
pub const SMALL_CLASSES_SHOWN: usize = 10;

/// The smallest classes (frequency below `k`) of a view, with their values, read from its
/// class table (built keeping its membership) and the frame it was built from: a class is
/// shown by the values of its first record, or in a view with an entity (`by_person`) by the
/// distinct tuples of its first person. The classes are the table's, so what is shown agrees with
/// the figures (under `--nulls wildcard` a class's size is the records compatible with it).
pub fn small_classes(
    df: &polars::prelude::DataFrame,
    qis: &[String],
    table: &crate::engine::ClassTable,
    k: u32,
    by_person: bool,
) -> crate::Result<Vec<SmallClass>> {
    use polars::prelude::*;
    let Some(membership) = &table.membership else {
        return Ok(Vec::new());
    };
    if qis.is_empty() {
        return Ok(Vec::new());
    }
    let representatives = membership.representatives(table.sizes.len());
    let mut small: Vec<(u32, u32)> = table
        .frequencies
        .iter()
        .zip(&representatives)
        .filter(|&(&frequency, _)| frequency < k)
        .map(|(&frequency, &unit)| (frequency, unit))
        .collect();
    small.sort_unstable();
    small.truncate(SMALL_CLASSES_SHOWN);
    let texts: Vec<Column> = qis
        .iter()
        .map(|q| Ok(df.column(q)?.cast(&DataType::String)?))
        .collect::<crate::Result<_>>()?;
    let tuple = |row: usize| -> crate::Result<Vec<Option<String>>> {
        texts
            .iter()
            .map(|t| Ok(t.str()?.get(row).map(str::to_string)))
            .collect()
    };
    let units: Vec<u32> = small.iter().map(|&(_, unit)| unit).collect();
    small
        .into_iter()
        .zip(membership.rows_of(&units))
        .map(|((size, _), rows)| {
            let mut counted: Vec<TupleCount> = Vec::new();
            for row in rows {
                let values = tuple(row)?;
                match counted.iter_mut().find(|t| t.values == values) {
                    Some(t) => t.rows += 1,
                    None => counted.push(TupleCount { rows: 1, values }),
                }
            }
            counted.sort_by_key(|t| std::cmp::Reverse(t.rows));
            Ok(SmallClass {
                size,
                values: qis
                    .iter()
                    .cloned()
                    .zip(counted[0].values.iter().cloned())
                    .collect(),
                tuples: if by_person { counted } else { Vec::new() },
            })
        })
        .collect()
}

/// Rows of the small-classes table: size, then `col=value` pairs.
pub fn small_class_rows(view: &ViewReport) -> Vec<[String; 2]> {
    view.small_classes
        .iter()
        .flatten()
        .map(|c| {
            let values: Vec<String> = c
                .values
                .iter()
                .map(|(k, v)| format!("{k}={}", v.as_deref().unwrap_or("(missing)")))
                .collect();
            let mut text = values.join(", ");
            // A class of people: the rest of its multiset of tuples, cut to a few.
            if !c.tuples.is_empty() {
                const SHOWN: usize = 4;
                let tuple = |t: &TupleCount| {
                    let v: Vec<&str> = t
                        .values
                        .iter()
                        .map(|v| v.as_deref().unwrap_or("(missing)"))
                        .collect();
                    format!("({}) ×{}", v.join(", "), t.rows)
                };
                let listed: Vec<String> = c.tuples.iter().take(SHOWN).map(tuple).collect();
                let names: Vec<&str> = c.values.iter().map(|(k, _)| k.as_str()).collect();
                text = format!(
                    "each person's rows ({}): {}",
                    names.join(", "),
                    listed.join("; ")
                );
                if c.tuples.len() > SHOWN {
                    let more = c.tuples.len() - SHOWN;
                    let noun = if more == 1 { "tuple" } else { "tuples" };
                    text.push_str(&format!("; … {more} more {noun}"));
                }
            }
            [c.size.to_string(), text]
        })
        .collect()
}

/// What kind of finding it is; stable for pipelines, serialised in snake_case
/// (`join_breaks_anonymity`, ...). docs/findings.md describes each.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum FindingCode {
    /// A join step multiplied the unique records of the view it fed.
    JoinBreaksAnonymity,
    /// A column holds plain hashes of identifiers, which anyone can recompute.
    HashedIdentifier,
    /// A quasi-identifier linkage re-identifies target records.
    QuasiLinkage,
    /// A join attached identities (names, emails) to another source's records.
    IdentifiersAttached,
    /// Records unique on their quasi-identifiers.
    UniqueRecords,
    /// Classes smaller than the policy's k.
    SmallClasses,
    /// A sensitive attribute with one value in a class (or across a link's candidates).
    AttributeDisclosure,
    /// The compared columns of a quasi step barely overlap (different codings).
    ColumnsNotComparable,
    /// A view with several records per person measured per row.
    RowsNotPeople,
    /// A few purchases single people out (unicity).
    Unicity,
    /// A least-coarse generalisation (with suppression, if allowed) that meets the policy.
    Remedy,
    /// No generalisation within the searched lattice meets the policy.
    RemedyNotFound,
    /// A view holds no record: a join step linked nobody.
    EmptyView,
}

/// How severe a finding is; findings are ranked most severe first (`High < Medium < Low` in
/// this order's terms).
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Anonymity is broken: people are re-identified or identities attached.
    High,
    /// A risk a reviewer should weigh.
    Medium,
    /// Worth knowing; hints.
    Low,
}

impl Severity {
    /// The severity as the report spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
        }
    }
}

/// A ranked, plain-language statement of what breaks anonymity.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// What kind of finding it is, stable for pipelines.
    pub code: FindingCode,
    /// How severe it is; findings are ranked by it.
    pub severity: Severity,
    /// The view or join step the finding is about.
    pub subject: String,
    /// What happened and what would fix it, in words.
    pub message: String,
    /// The numbers behind the sentence, by name (fractions in 0..1, counts as numbers), for
    /// pipelines to test; docs/findings.md lists each code's.
    pub figures: std::collections::BTreeMap<String, Figure>,
}

/// One figure of a finding: a number, or (for remedies) a number per sensitive attribute or
/// the generalisation step per column.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(untagged)]
pub enum Figure {
    /// A count or a fraction.
    Number(f64),
    /// Per sensitive attribute (a remedy's l).
    PerAttribute(std::collections::BTreeMap<String, f64>),
    /// Per column, the step of a remedy, as a plan's `generalize` spells it.
    Generalization(std::collections::BTreeMap<String, crate::plan::Generalization>),
}

impl Figure {
    /// The number, when the figure is one.
    pub fn number(&self) -> Option<f64> {
        match self {
            Figure::Number(x) => Some(*x),
            _ => None,
        }
    }
}

/// A remedy's steps in words: `zip3 → zip1, birth_year → band:10`, or `no generalisation`.
pub fn steps_in_words(
    steps: &std::collections::BTreeMap<String, crate::plan::Generalization>,
) -> String {
    if steps.is_empty() {
        return "no generalisation".to_string();
    }
    steps
        .iter()
        .map(|(column, step)| format!("{column} → {}", step.label()))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Finding {
    /// A figure that is a number.
    pub fn number(&self, name: &str) -> Option<f64> {
        self.figures.get(name).and_then(Figure::number)
    }

    /// A remedy's steps in words ([`steps_in_words`]).
    pub fn steps_in_words(&self) -> String {
        match self.figures.get("generalization") {
            Some(Figure::Generalization(steps)) => steps_in_words(steps),
            _ => steps_in_words(&Default::default()),
        }
    }

    /// The finding with these figures added.
    pub fn with(mut self, figures: &[(&str, f64)]) -> Finding {
        for (name, value) in figures {
            self.figures
                .insert(name.to_string(), Figure::Number(*value));
        }
        self
    }
}

/// The policy rule a violation breaks.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// k-anonymity below the policy's k.
    K,
    /// More unique records than `max_unique_fraction`.
    MaxUniqueFraction,
    /// A sensitive attribute less than l-diverse.
    L,
    /// A join step attached identities to records of a source meant to be anonymous.
    IdentitiesAttached,
}

impl Rule {
    /// The rule as the report spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::K => "k",
            Rule::MaxUniqueFraction => "max_unique_fraction",
            Rule::L => "l",
            Rule::IdentitiesAttached => "identities_attached",
        }
    }
}

/// The thresholds that turn a report into pass/fail.
#[derive(Debug, Clone, Serialize)]
pub struct Policy {
    /// Every view must be k-anonymous.
    pub k: u32,
    /// Every sensitive attribute must be distinct l-diverse.
    pub l: Option<usize>,
    /// The most records a view may have unique, as a fraction.
    pub max_unique_fraction: Option<f64>,
}

/// One broken rule of the policy.
#[derive(Debug, Clone, Serialize)]
/// One rule a view breaks.
pub struct Violation {
    /// The view.
    pub view: String,
    /// The rule.
    pub rule: Rule,
    /// The policy's threshold.
    pub limit: f64,
    /// The view's figure.
    pub actual: f64,
    /// The violation in words.
    pub message: String,
}

#[derive(Debug, Clone, Serialize)]
/// The verdict: the policy and every violation.
pub struct PolicyResult {
    /// No violation.
    pub passed: bool,
    /// Views and join steps the policy judged: views meant to be anonymous, and steps that
    /// link records of such a view to identities. 0 when every view is identified by design.
    pub judged: usize,
    /// The thresholds judged by.
    #[serde(flatten)]
    pub policy: Policy,
    /// Every rule broken, view by view.
    pub violations: Vec<Violation>,
}

/// The whole report.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// [`SCHEMA_VERSION`]: changes when a field is renamed or removed.
    pub schema_version: u32,
    /// The program that wrote it.
    pub tool: Tool,
    /// How a missing QI value matched.
    pub missing_values: &'static str,
    /// Every view measured.
    pub views: Vec<ViewReport>,
    /// Every join step, in plan order.
    pub joins: Vec<JoinReport>,
    /// Ranked most severe first.
    pub findings: Vec<Finding>,
    /// The verdict.
    pub policy: PolicyResult,
    /// Purchase-history unicity, when measured (`unicity`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unicity: Option<crate::audit::history::UnicityReport>,
    /// With `--records`: every record's (or person's) risk, written to its own file and never
    /// part of the JSON.
    #[serde(skip)]
    pub records: Vec<super::records::RecordRisk>,
}

/// The rows of the unicity curve: p, people counted, ε_p and its 95% interval.
pub fn unicity_rows(u: &crate::audit::history::UnicityReport) -> Vec<[String; 4]> {
    u.curve
        .iter()
        .map(|c| {
            [
                c.p.to_string(),
                thousands(c.people),
                c.unique_fraction.map_or("-".into(), percent),
                match (c.ci_low, c.ci_high) {
                    (Some(l), Some(h)) => format!("{} – {}", percent(l), percent(h)),
                    _ => "-".into(),
                },
            ]
        })
        .collect()
}

/// The rows of the resolution table: each combination of coarsenings and its ε_4.
pub fn resolution_rows(u: &crate::audit::history::UnicityReport) -> Vec<[String; 2]> {
    u.resolution
        .iter()
        .map(|r| {
            [
                r.coarsening
                    .iter()
                    .map(|(c, l)| format!("{c}: {l}"))
                    .collect::<Vec<_>>()
                    .join(", "),
                r.epsilon_4.map_or("-".into(), percent),
            ]
        })
        .collect()
}

/// The unicity section's summary line.
pub fn unicity_summary(u: &crate::audit::history::UnicityReport) -> String {
    format!(
        "Unicity of {} people (by {}) on points ({}): median {} points per person; {} rows without a person dropped, {} rows missing a point column; {} draws per person and p",
        thousands(u.people),
        u.entity,
        u.points.join(", "),
        u.median_points,
        thousands(u.missing_entity_rows),
        thousands(u.missing_point_rows),
        u.draws
    )
}

impl Policy {
    /// Checks every view against the policy.
    pub fn evaluate(&self, views: &[ViewReport], joins: &[JoinReport]) -> PolicyResult {
        let mut violations = Vec::new();
        let identified = |name: &str| views.iter().any(|v| v.name == name && v.identified);
        let mut judged = 0;
        for join in joins {
            // A step that links records of a view meant to be anonymous to an identified
            // view attaches identities to them: the fraction it identifies is the violation.
            let (left, right) = (&join.before_left.view, &join.before_right.view);
            if identified(right) || !identified(left) {
                continue;
            }
            judged += 1;
            let (fraction, how) = match &join.linkage {
                Some(link) => (
                    link.expected_reidentification_fraction,
                    "is expected to identify",
                ),
                None => (join.matched_right_fraction, "identifies"),
            };
            if fraction > 0.0 {
                violations.push(Violation {
                    view: right.clone(),
                    rule: Rule::IdentitiesAttached,
                    limit: 0.0,
                    actual: fraction,
                    message: format!(
                        "step '{}' {how} {:.2}% of {right}'s records by linking them to {left}",
                        join.name,
                        100.0 * fraction
                    ),
                });
            }
        }
        for view in views.iter().filter(|v| !v.identified) {
            judged += 1;
            // An empty view (a join that linked nobody) singles out nobody: it meets every
            // threshold.
            if view.is_empty() {
                continue;
            }
            let m = &view.metrics;
            if m.k_anonymity.k < self.k {
                violations.push(Violation {
                    view: view.name.clone(),
                    rule: Rule::K,
                    limit: self.k as f64,
                    actual: m.k_anonymity.k as f64,
                    message: format!(
                        "{} is {}-anonymous, below the policy k = {}",
                        view.name, m.k_anonymity.k, self.k
                    ),
                });
            }
            if let Some(max) = self.max_unique_fraction
                && m.k_anonymity.unique_fraction > max
            {
                violations.push(Violation {
                    view: view.name.clone(),
                    rule: Rule::MaxUniqueFraction,
                    limit: max,
                    actual: m.k_anonymity.unique_fraction,
                    message: format!(
                        "{} has {:.2}% unique records, above the policy's {:.2}%",
                        view.name,
                        100.0 * m.k_anonymity.unique_fraction,
                        100.0 * max
                    ),
                });
            }
            if let Some(l) = self.l {
                for (attr, ld) in &m.l_diversity {
                    if ld.distinct < l {
                        violations.push(Violation {
                            view: view.name.clone(),
                            rule: Rule::L,
                            limit: l as f64,
                            actual: ld.distinct as f64,
                            message: format!(
                                "{}.{attr} is distinct {}-diverse, below the policy l = {l}",
                                view.name, ld.distinct
                            ),
                        });
                    }
                }
            }
        }
        PolicyResult {
            passed: violations.is_empty(),
            judged,
            policy: self.clone(),
            violations,
        }
    }
}

/// Findings about one view on its own, most severe first.
pub fn view_findings(view: &ViewReport, policy_k: u32) -> Vec<Finding> {
    let m = &view.metrics;
    let mut findings = Vec::new();
    if view.is_empty() {
        findings.push(Finding {
            code: FindingCode::EmptyView,
            severity: Severity::Low,
            subject: view.name.clone(),
            message: format!(
                "{} is empty: nobody linked, so it singles out nobody and meets every threshold",
                view.name
            ),
            figures: Default::default(),
        });
        return findings;
    }
    let qis = view.quasi_identifiers.join(" + ");
    if m.k_anonymity.uniques > 0 {
        let share = m.k_anonymity.unique_fraction;
        findings.push(Finding {
            code: FindingCode::UniqueRecords,
            severity: if share >= 0.05 { Severity::High } else { Severity::Medium },
            subject: view.name.clone(),
            message: match &view.entity {
                None => format!(
                    "{} of {} records ({}) in {} are unique on {qis}: each can be singled out by anyone who knows those columns",
                    thousands(m.k_anonymity.uniques),
                    thousands(view.rows),
                    percent(share),
                    view.name
                ),
                Some(entity) => format!(
                    "{} of {} people ({}, by {entity}) in {} are unique on the combination of their rows' {qis}: each can be singled out by anyone who knows those values",
                    thousands(m.k_anonymity.uniques),
                    thousands(view.entities),
                    percent(share),
                    view.name
                ),
            },
            figures: Default::default(),
        }
        .with(&[
            ("uniques", m.k_anonymity.uniques as f64),
            ("unique_fraction", share),
            ("k", m.k_anonymity.k as f64),
        ]));
    } else if m.k_anonymity.k < policy_k {
        findings.push(Finding {
            code: FindingCode::SmallClasses,
            severity: Severity::Medium,
            subject: view.name.clone(),
            message: format!(
                "{} is only {}-anonymous on {qis}; {} of records sit in classes smaller than {policy_k}",
                view.name,
                m.k_anonymity.k,
                percent(m.prosecutor.records_at_risk)
            ),
            figures: Default::default(),
        }
        .with(&[
            ("k", m.k_anonymity.k as f64),
            ("records_at_risk", m.prosecutor.records_at_risk),
        ]));
    }
    for (attr, ld) in &m.l_diversity {
        if ld.distinct <= 1 {
            findings.push(Finding {
                code: FindingCode::AttributeDisclosure,
                severity: Severity::High,
                subject: view.name.clone(),
                message: format!(
                    "some classes of {} hold a single value of {attr}: knowing {qis} discloses {attr} (attribute disclosure, distinct l = {})",
                    view.name, ld.distinct
                ),
                figures: Default::default(),
            }
            .with(&[("distinct_l", ld.distinct as f64)]));
        }
    }
    findings
}

pub use crate::format::{percent, thousands};

/// The class-size histogram in the buckets tables show: 1, 2, 3-4, 5-9, 10-19, 20+
/// as (label, classes, records).
pub fn size_buckets(histogram: &[crate::metrics::SizeBin]) -> Vec<(&'static str, usize, usize)> {
    const BUCKETS: [(&str, u32, u32); 6] = [
        ("1", 1, 1),
        ("2", 2, 2),
        ("3-4", 3, 4),
        ("5-9", 5, 9),
        ("10-19", 10, 19),
        ("20+", 20, u32::MAX),
    ];
    BUCKETS
        .iter()
        .map(|&(label, lo, hi)| {
            let (classes, records) = histogram
                .iter()
                .filter(|bin| bin.size >= lo && bin.size <= hi)
                .fold((0, 0), |(c, r), bin| (c + bin.classes, r + bin.records));
            (label, classes, records)
        })
        .collect()
}

/// The rows of a view's headline, as (label, value), shared by the table and Markdown.
pub fn headline(view: &ViewReport, policy_k: u32) -> Vec<(String, String)> {
    let m = &view.metrics;
    let people = match &view.entity {
        Some(entity) => vec![(
            format!("people (by {entity})"),
            format!(
                "{} in {} rows: every figure below counts people",
                thousands(view.entities),
                thousands(view.rows)
            ),
        )],
        None => Vec::new(),
    };
    let mut rows = vec![("rows".into(), thousands(view.rows))];
    rows.extend(people);
    rows.extend(vec![
        (
            "quasi-identifiers".into(),
            view.quasi_identifiers.join(", "),
        ),
        ("k".into(), m.k_anonymity.k.to_string()),
        ("classes".into(), thousands(m.k_anonymity.classes)),
        (
            "uniques".into(),
            format!(
                "{} ({})",
                thousands(m.k_anonymity.uniques),
                percent(m.k_anonymity.unique_fraction)
            ),
        ),
        (
            "avg prosecutor risk".into(),
            format!("{:.4}", m.prosecutor.avg),
        ),
        (
            "max prosecutor risk".into(),
            format!("{:.4}", m.prosecutor.max),
        ),
        (
            format!("records at risk (class < {policy_k})"),
            percent(m.prosecutor.records_at_risk),
        ),
        ("marketer risk".into(), format!("{:.4}", m.marketer)),
    ]);
    if let Some(j) = &m.journalist {
        rows.push(("journalist risk (max)".into(), format!("{:.4}", j.max)));
        rows.push((
            "journalist risk (success)".into(),
            format!("{:.4}", j.success),
        ));
    }
    if let Some(p) = &m.population {
        let show = |e: Option<f64>, f: Option<f64>| match (e, f) {
            (Some(u), Some(f)) => {
                format!("{} ({} of N)", thousands(u.round() as usize), percent(f))
            }
            _ => "not available".to_string(),
        };
        rows.push((
            "population N (π)".into(),
            format!(
                "{} ({:.4})",
                thousands(p.size as usize),
                p.sampling_fraction
            ),
        ));
        rows.push((
            "population uniques, Pitman".into(),
            show(p.pitman.map(|e| e.uniques), p.pitman.map(|e| e.fraction)),
        ));
        rows.push((
            "population uniques, Zayatz".into(),
            show(p.zayatz.map(|e| e.uniques), p.zayatz.map(|e| e.fraction)),
        ));
        rows.push((
            "population uniques, SNB".into(),
            show(p.snb.map(|e| e.uniques), p.snb.map(|e| e.fraction)),
        ));
        rows.push((
            format!(
                "population uniques, Dankar ({})",
                p.dankar.map_or("n/a", |d| d.model.as_str())
            ),
            show(p.dankar.map(|e| e.uniques), p.dankar.map(|e| e.fraction)),
        ));
    }
    rows
}

/// The rows of a view's sensitive-attribute table: attribute, distinct l, entropy l,
/// recursive c, t.
pub fn sensitive_rows(view: &ViewReport) -> Vec<[String; 5]> {
    view.metrics
        .l_diversity
        .iter()
        .map(|(attr, ld)| {
            let t = view.metrics.t_closeness.get(attr).copied().unwrap_or(0.0);
            [
                attr.clone(),
                ld.distinct.to_string(),
                format!("{:.4}", ld.entropy),
                ld.recursive_c.map_or("n/a".into(), |c| format!("{c:.4}")),
                format!("{t:.4}"),
            ]
        })
        .collect()
}

/// The one-line verdict of a view against the policy.
pub fn verdict(view: &ViewReport, policy: &PolicyResult) -> (bool, String) {
    let broken: Vec<&str> = policy
        .violations
        .iter()
        .filter(|v| v.view == view.name)
        .map(|v| v.message.as_str())
        .collect();
    if broken.is_empty() && view.identified {
        return (
            true,
            format!(
                "NOT JUDGED: {} holds direct identifiers by design ({}-anonymous; policy k = {})",
                view.name, view.metrics.k_anonymity.k, policy.policy.k
            ),
        );
    }
    if broken.is_empty() {
        (
            true,
            format!(
                "PASS: {} is {}-anonymous (policy k = {})",
                view.name, view.metrics.k_anonymity.k, policy.policy.k
            ),
        )
    } else {
        (false, format!("FAIL: {}", broken.join("; ")))
    }
}

/// The rows of a join step's section, as (label, value).
pub fn join_rows(join: &JoinReport) -> Vec<(String, String)> {
    let n = thousands;
    let snap = |v: &Snapshot| -> String {
        format!(
            "k {} · {} unique · avg risk {:.4}",
            v.k,
            percent(v.unique_fraction),
            v.prosecutor_avg
        )
    };
    let mut rows = vec![
        ("kind".to_string(), join.kind.as_str().to_string()),
        (
            "left → right".to_string(),
            format!("{} → {}", join.left, join.right),
        ),
        ("on".to_string(), join.comparison.join(", ")),
        (
            "rows in (left, right)".to_string(),
            format!("{}, {}", n(join.rows_left), n(join.rows_right)),
        ),
        ("rows out".to_string(), n(join.rows_out)),
        (
            "matched left".to_string(),
            format!(
                "{} ({})",
                n(join.matched_left),
                percent(join.matched_left_fraction)
            ),
        ),
        (
            "matched right".to_string(),
            format!(
                "{} ({})",
                n(join.matched_right),
                percent(join.matched_right_fraction)
            ),
        ),
        (format!("before: {}", join.left), snap(&join.before_left)),
        (format!("before: {}", join.right), snap(&join.before_right)),
        ("after".to_string(), snap(&join.after)),
    ];
    if let Some(link) = &join.linkage {
        rows.push((
            "unique matches".to_string(),
            format!(
                "{} of {} ({})",
                n(link.unique_matches),
                n(link.target_rows),
                percent(link.unique_match_fraction)
            ),
        ));
        rows.push((
            "expected re-identifications".to_string(),
            format!(
                "{:.1} ({})",
                link.expected_reidentifications,
                percent(link.expected_reidentification_fraction)
            ),
        ));
        if let Some(c) = link.correct_unique_matches {
            rows.push(("correct unique matches (truth)".to_string(), n(c)));
        }
        rows.push((
            "candidate pairs".to_string(),
            n(link.candidate_pairs as usize),
        ));
        rows.push((
            "target records by candidates".to_string(),
            link.candidate_histogram
                .iter()
                .map(|b| format!("{}: {}", b.candidates, n(b.records)))
                .collect::<Vec<_>>()
                .join(" · "),
        ));
        for (attr, d) in &link.disclosures {
            let about = match d.side {
                DisclosureSide::Target => &join.left,
                DisclosureSide::Identified => &join.right,
            };
            rows.push((
                format!("{attr} disclosed"),
                format!(
                    "{} {about} records ({}): all candidates share one value",
                    n(d.records),
                    percent(d.fraction)
                ),
            ));
        }
    }
    if join.identifiers.len() > 1 {
        for i in &join.identifiers {
            let judged = match (i.correct_links, i.false_links) {
                (Some(c), Some(f)) => {
                    format!(", {} correct, {} false", n(c as usize), n(f as usize))
                }
                _ => String::new(),
            };
            rows.push((
                format!("links on {}", i.on.join(", ")),
                format!(
                    "{} ({} right records){judged}",
                    n(i.links as usize),
                    n(i.linked_right)
                ),
            ));
        }
    }
    let colliding: usize = join.identifiers.iter().map(|i| i.colliding_keys).sum();
    if colliding > 0 {
        rows.push((
            "keys linking one record to several".to_string(),
            n(colliding),
        ));
    }
    if let Some(truth) = &join.truth {
        rows.push((
            "links by truth".to_string(),
            format!(
                "{} correct, {} false; found {} of {} shared records ({})",
                n(truth.correct_links as usize),
                n(truth.false_links as usize),
                n(truth.found_records),
                n(truth.shared_records),
                percent(truth.recall)
            ),
        ));
    }
    rows
}

/// The rows of a view's attribution summary: the best subset per size and the columns whose
/// removal helps most.
pub fn attribution_rows(view: &ViewReport) -> Vec<[String; 2]> {
    let Some(a) = &view.attribution else {
        return Vec::new();
    };
    let mut rows: Vec<[String; 2]> = a
        .best_subsets
        .iter()
        .filter(|b| b.uniques > 0)
        .map(|b| {
            [
                format!("{} column(s): {}", b.size, b.columns.join(" + ")),
                format!("single out {}", percent(b.unique_fraction)),
            ]
        })
        .collect();
    rows.extend(a.drop_one.iter().take(3).map(|d| {
        [
            format!("without {}", d.column),
            format!("{} unique (k = {})", percent(d.unique_fraction), d.k),
        ]
    }));
    rows
}
