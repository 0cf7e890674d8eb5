//! Privacy metrics of one view, each computed from its [`ClassTable`] (one file per metric,
//! with its formula and reference). See `docs/metrics.md` for the full definitions.

pub mod attribution;
pub mod information_loss;
pub mod journalist;
pub mod k_anonymity;
pub mod l_diversity;
pub mod marketer;
pub mod population;
pub mod prosecutor;
pub mod t_closeness;
pub mod unicity;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::engine::ClassTable;

pub use k_anonymity::{KAnonymity, SizeBin};
pub use l_diversity::LDiversity;
pub use prosecutor::Prosecutor;

/// Parameters of a measurement.
#[derive(Debug, Clone, Copy)]
pub struct MeasureOptions {
    /// The policy k: records in classes smaller than this are "at risk".
    pub policy_k: u32,
    /// The `l` of recursive (c,l)-diversity.
    pub recursive_l: usize,
    /// Size `N` of the population the view was drawn from, when known.
    pub population: Option<f64>,
}

impl Default for MeasureOptions {
    fn default() -> Self {
        MeasureOptions {
            policy_k: 5,
            recursive_l: 2,
            population: None,
        }
    }
}

/// Every single-view figure (docs/metrics.md defines each).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ViewMetrics {
    /// k, classes and uniques.
    #[serde(flatten)]
    pub k_anonymity: KAnonymity,
    /// Prosecutor risk.
    pub prosecutor: Prosecutor,
    /// Marketer risk: expected share of records re-identified.
    pub marketer: f64,
    /// With a population table: journalist risk.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub journalist: Option<journalist::Journalist>,
    /// With a population size: population uniqueness.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub population: Option<population::PopulationUniqueness>,
    /// Per sensitive attribute.
    pub l_diversity: BTreeMap<String, LDiversity>,
    /// Per sensitive attribute: the largest EMD of a class.
    pub t_closeness: BTreeMap<String, f64>,
}

/// Measures a view from its class table.
pub fn measure(table: &ClassTable, opts: MeasureOptions) -> ViewMetrics {
    let timer = crate::timing::Timer::start();
    let k_anonymity = k_anonymity::k_anonymity(table);
    timer.lap("k-anonymity");
    let prosecutor = prosecutor::prosecutor(table, opts.policy_k);
    let (journalist, marketer) = match journalist::journalist(table) {
        Some((j, m)) => (Some(j), m),
        None => (None, marketer::marketer(table)),
    };
    timer.lap("risk");
    let l_diversity = table
        .sensitive
        .iter()
        .map(|s| {
            (
                s.name.clone(),
                l_diversity::l_diversity(s, opts.recursive_l),
            )
        })
        .collect();
    timer.lap("l-diversity");
    let t_closeness = table
        .sensitive
        .iter()
        .map(|s| (s.name.clone(), t_closeness::t_closeness(s)))
        .collect();
    // The population models need a partition: under --nulls wildcard they read the class
    // sizes (missing as a value), not the compatible-record frequencies.
    let population = opts.population.map(|n| {
        if table.frequencies == table.sizes {
            population::population_uniqueness(&k_anonymity.class_size_histogram, table.rows, n)
        } else {
            let partition = ClassTable {
                rows: table.rows,
                sizes: table.sizes.clone(),
                frequencies: table.sizes.clone(),
                population_sizes: None,
                sensitive: Vec::new(),
                membership: None,
            };
            let histogram = k_anonymity::k_anonymity(&partition).class_size_histogram;
            population::population_uniqueness(&histogram, table.rows, n)
        }
    });
    timer.lap("t-closeness");
    ViewMetrics {
        k_anonymity,
        prosecutor,
        marketer,
        journalist,
        population,
        l_diversity,
        t_closeness,
    }
}
