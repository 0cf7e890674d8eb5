//! The unicity of purchase histories: ε_p for each number of points, and for each
//! combination of coarsenings.

use serde::Serialize;

use crate::metrics::unicity::CurvePoint;

/// The unicity section of a report.
#[derive(Debug, Clone, Serialize)]
pub struct UnicityReport {
    /// The column naming the person.
    pub entity: String,
    /// The point columns (a purchase is one point: its values of these columns).
    pub points: Vec<String>,
    /// People with at least one point.
    pub people: usize,
    /// The median number of distinct points per person.
    pub median_points: f64,
    /// Rows with a person but a missing point column: not points.
    pub missing_point_rows: usize,
    /// Rows without a person: dropped.
    pub missing_entity_rows: usize,
    /// Draws per person and p.
    pub draws: usize,
    /// The seed of the draws.
    pub seed: u64,
    /// ε_p and its interval for each p.
    pub curve: Vec<CurvePoint>,
    /// With `--coarsen`: ε_4 for every combination of the given coarsenings.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub resolution: Vec<Resolution>,
}

/// One row of the resolution table.
#[derive(Debug, Clone, Serialize)]
pub struct Resolution {
    /// Column → coarsening as given (`day`, `week`, `prefix3`, `10`, `log`).
    pub coarsening: std::collections::BTreeMap<String, String>,
    /// ε_4 under these coarsenings; null when nobody has 4 points.
    pub epsilon_4: Option<f64>,
}
