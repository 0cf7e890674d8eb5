//! Population uniqueness: how many people in a population of `N` are unique on the QIs,
//! estimated from the sample's class-size histogram with the Pitman, Zayatz and SNB models,
//! and Dankar et al.'s rule for choosing among them — all as ARX implements them
//! (`org.deidentifier.arx.risk.RiskModelPopulationUniqueness`).
//!
//! Dankar's rule: with no sample uniques every estimate is 0. For `π = n/N ≤ 0.1` Pitman is
//! used when it converges, else Zayatz. For larger `π`, the smaller of Zayatz and SNB when
//! SNB converges, else Zayatz. A model that does not converge (or estimates 0 while the
//! sample has uniques) is reported as not available — never as 0.
//!
//! Reference: F. Dankar, K. El Emam, A. Neisa, T. Roffey, "Estimating the
//! re-identification risk of clinical data sets", BMC Medical Informatics and Decision
//! Making 12:66, 2012.

pub mod gamma;
pub mod newton;
pub mod pitman;
pub mod snb;
pub mod zayatz;

use serde::Serialize;

use super::SizeBin;

/// One model's estimate.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct Estimate {
    /// Estimated population uniques.
    pub uniques: f64,
    /// `uniques / N`.
    pub fraction: f64,
}

/// The model Dankar's rule chose; serialised in lowercase.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum PopulationModel {
    /// Pitman's model.
    Pitman,
    /// Zayatz's model.
    Zayatz,
    /// The slide negative binomial.
    Snb,
    /// No sample uniques: every estimate is 0.
    None,
}

impl PopulationModel {
    /// The model's name as the report spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            PopulationModel::Pitman => "pitman",
            PopulationModel::Zayatz => "zayatz",
            PopulationModel::Snb => "snb",
            PopulationModel::None => "none",
        }
    }
}

/// Dankar's choice.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct DankarEstimate {
    /// Estimated population uniques.
    pub uniques: f64,
    /// `uniques / N`.
    pub fraction: f64,
    /// The model chosen.
    pub model: PopulationModel,
}

/// Population figures of a view.
#[derive(Debug, Clone, Serialize, PartialEq)]
/// Population uniqueness of a view.
pub struct PopulationUniqueness {
    /// The population size N.
    pub size: f64,
    /// π = n / N.
    pub sampling_fraction: f64,
    /// Pitman's estimate; `None` where it does not apply.
    pub pitman: Option<Estimate>,
    /// Zayatz's estimate.
    pub zayatz: Option<Estimate>,
    /// The SNB estimate.
    pub snb: Option<Estimate>,
    /// Dankar's choice among them.
    pub dankar: Option<DankarEstimate>,
}

fn available(value: f64, population: f64) -> Option<Estimate> {
    (!value.is_nan() && value != 0.0).then_some(Estimate {
        uniques: value,
        fraction: value / population,
    })
}

/// Estimates population uniqueness for a sample of `rows` records from a population of
/// `population` people.
pub fn population_uniqueness(
    histogram: &[SizeBin],
    rows: usize,
    population: f64,
) -> PopulationUniqueness {
    let bins: Vec<(u64, u64)> = histogram
        .iter()
        .map(|b| (b.size as u64, b.classes as u64))
        .collect();
    let n = rows as f64;
    let pi = n / population;
    let has_uniques = bins.first().is_some_and(|(s, _)| *s == 1);
    if !has_uniques {
        let zero = Some(Estimate {
            uniques: 0.0,
            fraction: 0.0,
        });
        return PopulationUniqueness {
            size: population,
            sampling_fraction: pi,
            pitman: zero,
            zayatz: zero,
            snb: zero,
            dankar: Some(DankarEstimate {
                uniques: 0.0,
                fraction: 0.0,
                model: PopulationModel::None,
            }),
        };
    }
    let pitman = available(pitman::pitman(&bins, n, population), population);
    let zayatz = available(zayatz::zayatz(&bins, n, population), population);
    let snb = available(snb::snb(&bins, n, population), population);
    let pick = |e: Option<Estimate>, model: PopulationModel| {
        e.map(|e| DankarEstimate {
            uniques: e.uniques,
            fraction: e.fraction,
            model,
        })
    };
    let dankar = if pi <= 0.1 {
        pick(pitman, PopulationModel::Pitman).or(pick(zayatz, PopulationModel::Zayatz))
    } else {
        match (snb, zayatz) {
            (Some(s), Some(z)) if z.uniques < s.uniques => pick(Some(z), PopulationModel::Zayatz),
            (Some(s), _) => pick(Some(s), PopulationModel::Snb),
            (None, z) => pick(z, PopulationModel::Zayatz),
        }
    };
    PopulationUniqueness {
        size: population,
        sampling_fraction: pi,
        pitman,
        zayatz,
        snb,
        dankar,
    }
}
