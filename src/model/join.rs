//! What one join step did: its counts, the views before and after it, and how each
//! identifier linked.

use serde::Serialize;

use super::{Linkage, ViewReport};
use crate::plan::JoinKind;

/// k, unique fraction and average prosecutor risk of a view: the before/after figures.
#[derive(Debug, Clone, Serialize)]
pub struct Snapshot {
    /// The view.
    pub view: String,
    /// Its records.
    pub rows: usize,
    /// The people it counts (its entity column's distinct values), or its records.
    pub people: usize,
    /// Its k.
    pub k: u32,
    /// Its unique fraction.
    pub unique_fraction: f64,
    /// Its average prosecutor risk.
    pub prosecutor_avg: f64,
}

impl Snapshot {
    /// The snapshot of a measured view.
    pub fn of(view: &ViewReport) -> Snapshot {
        Snapshot {
            view: view.name.clone(),
            rows: view.rows,
            people: view.entities,
            k: view.metrics.k_anonymity.k,
            unique_fraction: view.metrics.k_anonymity.unique_fraction,
            prosecutor_avg: view.metrics.prosecutor.avg,
        }
    }
}

/// For one compared column of a quasi step: the fraction of target records whose value
/// occurs on the identified side at all. Low values mean the columns are not comparable
/// (different codings or precisions).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ColumnOverlap {
    /// `left=right`.
    pub on: String,
    /// Target records whose value occurs on the identified side, as a fraction.
    pub target_fraction: f64,
}

/// What one join step did.
#[derive(Debug, Clone, Serialize)]
pub struct JoinReport {
    /// The step's name (the view it produces).
    pub name: String,
    /// Key, normalized, hashed or quasi.
    pub kind: JoinKind,
    /// The left-hand view.
    pub left: String,
    /// The right-hand view.
    pub right: String,
    /// `left_column=right_column` for each pair.
    pub on: Vec<String>,
    /// How the columns were made comparable (normalisation, hashing, truncation).
    pub comparison: Vec<String>,
    /// Records of the left-hand view.
    pub rows_left: usize,
    /// Records of the right-hand view.
    pub rows_right: usize,
    /// Rows of the joined view: linked pairs, or for a quasi step the target records.
    pub rows_out: usize,
    /// Left-hand records linked.
    pub matched_left: usize,
    /// Left-hand records linked, as a fraction.
    pub matched_left_fraction: f64,
    /// Right-hand records linked.
    pub matched_right: usize,
    /// Right-hand records linked, as a fraction.
    pub matched_right_fraction: f64,
    /// The left-hand view before the step.
    pub before_left: Snapshot,
    /// The right-hand view before the step.
    pub before_right: Snapshot,
    /// The joined view.
    pub after: Snapshot,
    /// Quasi steps: the linkage figures.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub linkage: Option<Linkage>,
    /// Quasi steps: how far each compared column's values overlap.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub column_overlap: Vec<ColumnOverlap>,
    /// Key, normalized and hashed steps: the links of each identifier (the step's own figures
    /// are their union).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub identifiers: Vec<IdentifierLinks>,
    /// With truth columns: correct and false links.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub truth: Option<TruthLinks>,
    /// When either input counts people (declares an entity column): the step's figures in
    /// people. The `rows_*` and `matched_*` figures above always count records.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub people: Option<StepPeople>,
}

/// A join step's figures in people, for inputs that declare an entity column (an input without
/// one counts each record as a person).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct StepPeople {
    /// The left input's entity column, if it declares one.
    pub entity_left: Option<String>,
    /// The right input's entity column, if it declares one.
    pub entity_right: Option<String>,
    /// People in the left input.
    pub left: usize,
    /// People in the right input.
    pub right: usize,
    /// Left-hand people with at least one linked record.
    pub matched_left: usize,
    /// `matched_left / left`.
    pub matched_left_fraction: f64,
    /// Right-hand people with at least one linked record.
    pub matched_right: usize,
    /// `matched_right / right`.
    pub matched_right_fraction: f64,
    /// Quasi steps: the right-hand people expected to be re-identified, each by their most
    /// exposed record (the sum over people of the largest `1 / candidates` of their records).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected_reidentified: Option<f64>,
}

/// What one identifier of a step links.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct IdentifierLinks {
    /// `left=right` for each compared column.
    pub on: Vec<String>,
    /// How the values were made comparable.
    pub comparison: String,
    /// Pairs of records that agree on this identifier.
    pub links: u64,
    /// Left-hand records linked.
    pub linked_left: usize,
    /// Right-hand records linked.
    pub linked_right: usize,
    /// Keys held by records on both sides that link one record to several (more than one
    /// record on either side).
    pub colliding_keys: usize,
    /// With truth columns: links that pair the same person, and links that do not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub correct_links: Option<u64>,
    /// With truth columns: links that pair different people.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub false_links: Option<u64>,
}

/// Links of a step judged by truth columns that name the person on each side.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TruthLinks {
    /// Links judged (record pairs; for a quasi step, target records given one identity).
    pub links: u64,
    /// Links that pair the same person.
    pub correct_links: u64,
    /// Links that pair different people.
    pub false_links: u64,
    /// Target records whose person is on the identified side at all.
    pub shared_records: usize,
    /// Of those, the target records with a correct link.
    pub found_records: usize,
    /// `found_records / shared_records` (0 when nothing is shared).
    pub recall: f64,
}
