//! One measured view, and the values of its small classes (only with `--show-values`).

use serde::Serialize;

use super::{RecordRisk, UnicityReport};
use crate::metrics::ViewMetrics;

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
    pub unicity: Option<UnicityReport>,
    /// With `--records` (audit): every record's (or person's) risk, read from the class
    /// table the figures came from; written to its own file, never into the report.
    #[serde(skip)]
    pub records: Vec<RecordRisk>,
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
