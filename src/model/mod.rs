//! The report model: everything a run measured and concluded, as plain typed data. The
//! commands produce it (the audit computes every figure, finding, remedy and the verdict);
//! the renderers of [`crate::render`] read it and decide nothing. Serialised, it is the JSON
//! report (docs/report.md, docs/report.schema.json); it holds figures and column names only,
//! never a data value except the small classes `--show-values` asks for.

mod assessment;
mod baseline;
mod finding;
mod join;
mod keys;
mod linkage;
mod policy;
mod provenance;
mod records;
mod report;
mod unicity;
mod view;

pub use assessment::{Assessment, StepLine};
pub use baseline::BaselineComparison;
pub use finding::{Figure, Finding, FindingCode, Severity, steps_in_words};
pub use join::{ColumnOverlap, IdentifierLinks, JoinReport, Snapshot, StepPeople, TruthLinks};
pub use keys::KeysReport;
pub use linkage::{CandidateBucket, Disclosure, DisclosureSide, Linkage};
pub use policy::{Check, Policy, PolicyResult, Rule, Violation};
pub use provenance::{InputFile, Provenance};
pub use records::RecordRisk;
pub use report::{MISSING_VALUES_NOTE, Report, SCHEMA_VERSION, Tool, WILDCARD_NOTE};
pub use unicity::{Resolution, UnicityReport};
pub use view::{SmallClass, TupleCount, ViewReport};
