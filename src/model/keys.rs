//! What `keys` reports: which columns make people unique.

use serde::Serialize;

use super::{MISSING_VALUES_NOTE, Provenance, RecordRisk, SCHEMA_VERSION, Tool};
use crate::metrics::attribution::Attribution;

#[derive(Debug, Clone, Serialize)]
/// What `keys` reports: which columns make people unique.
pub struct KeysReport {
    /// The report schema version.
    pub schema_version: u32,
    /// The program that wrote it.
    pub tool: Tool,
    /// How a missing value matched.
    pub missing_values: &'static str,
    /// The file's view name.
    pub view: String,
    /// The column naming the person, when the attribution is over people.
    pub entity: Option<String>,
    /// Rows read (the attribution's `rows` counts people when there is an entity).
    pub rows: usize,
    /// Distinction, drop-one, best subsets and MSUs.
    pub attribution: Attribution,
    /// Which inputs, which linkrisk, which command line and when.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provenance: Option<Provenance>,
    /// With `--records`: every record's (or person's) risk and SUDA score; not in the JSON.
    #[serde(skip)]
    pub records: Vec<RecordRisk>,
}

impl KeysReport {
    /// The report of `attribution` on `view`.
    pub fn new(
        view: String,
        entity: Option<String>,
        rows: usize,
        attribution: Attribution,
    ) -> KeysReport {
        KeysReport {
            schema_version: SCHEMA_VERSION,
            tool: Tool::default(),
            missing_values: MISSING_VALUES_NOTE,
            view,
            entity,
            rows,
            attribution,
            records: Vec::new(),
            provenance: None,
        }
    }
}
