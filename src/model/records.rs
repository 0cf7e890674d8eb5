//! One record's (or person's) risk, for the per-record export (`--records`).

/// One record's (or person's) risk.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordRisk {
    /// The view, for an audit's export.
    pub view: Option<String>,
    /// The 1-based data row: a person's first row.
    pub row: usize,
    /// Records (people) in its class.
    pub class_size: u32,
    /// The SUDA score, when `keys` ran (0 for a record with no MSU).
    pub suda: Option<f64>,
    /// The entity key, with `--show-values` only.
    pub entity: Option<String>,
    /// Whether the view's cheapest remedy suppresses this record (or person); `None` when
    /// that remedy suppresses nothing, or the view has none.
    pub dropped_by_remedy: Option<bool>,
}

impl RecordRisk {
    /// Prosecutor risk: 1 / class size.
    pub fn prosecutor_risk(&self) -> f64 {
        1.0 / self.class_size.max(1) as f64
    }

    /// Alone in its class.
    pub fn unique(&self) -> bool {
        self.class_size == 1
    }
}
