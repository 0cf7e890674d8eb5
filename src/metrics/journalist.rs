//! Journalist and marketer risk against a population table (El Emam; ARX's attacker models).
//!
//! The attacker matches against a population in which each sample class `j` (size `f_j`)
//! has `F_j ≥ f_j` members: `max = 1/min F_j`;
//! `success = max(u/ΣF_j, (1/n)·Σ f_j/F_j)`; marketer `= (1/n)·Σ f_j/F_j`.
//!
//! A sample class missing from the population table (or smaller there) counts its own
//! records: `F_j = max(F_j, f_j)`, since the sample was drawn from the population.

use serde::Serialize;

use crate::engine::ClassTable;

#[derive(Debug, Clone, Serialize, PartialEq)]
/// Journalist risk: the attacker knows the person is in the population, not in the sample.
pub struct Journalist {
    /// The highest risk of a record: 1 / its class size in the population.
    pub max: f64,
    /// Expected share of records re-identified: sample classes over population class sizes.
    pub success: f64,
}

/// Journalist risk and the population-based marketer risk, when the table has population
/// class sizes.
pub fn journalist(table: &ClassTable) -> Option<(Journalist, f64)> {
    let population = table.population_sizes.as_ref()?;
    let n = table.rows as f64;
    let sizes = table
        .sizes
        .iter()
        .zip(population)
        .map(|(&f, &pop)| (f as f64, pop.max(f as u64) as f64));
    let min_population = sizes.clone().map(|(_, p)| p).fold(f64::INFINITY, f64::min);
    let total_population: f64 = sizes.clone().map(|(_, p)| p).sum();
    let marketer = sizes.map(|(f, p)| f / p).sum::<f64>() / n;
    let u = table.sizes.len() as f64;
    Some((
        Journalist {
            max: 1.0 / min_population,
            success: (u / total_population).max(marketer),
        },
        marketer,
    ))
}
