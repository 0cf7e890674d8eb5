//! Findings: what breaks anonymity, with a code, a severity and the figures behind it.

use serde::Serialize;

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
    /// A column declared `other` or `qi` whose values look like direct identifiers.
    IdentifierPattern,
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
    /// Column names, as a join step's `drop` lists them.
    Columns(Vec<String>),
    /// Per source, per column, the step of a remedy: what to paste into each `[[source]]`'s
    /// `generalize` (a joined view's columns traced back to the sources they come from).
    PerSource(
        std::collections::BTreeMap<
            String,
            std::collections::BTreeMap<String, crate::plan::Generalization>,
        >,
    ),
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
