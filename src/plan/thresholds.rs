//! What a policy tolerates: thresholds for the whole plan (`[policy]`) and for one source or
//! join step (`policy = { ... }` on it). A threshold left out is not judged.

use serde::{Deserialize, Serialize};

use crate::Result;
use crate::bail;

/// Thresholds a view (or join step) is judged by; each one set is a rule of the policy.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Thresholds {
    /// Every class at least this large (k-anonymity).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub k: Option<u32>,
    /// The most records (or people) unique on the QIs, as a fraction.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_unique_fraction: Option<f64>,
    /// Every sensitive attribute distinct l-diverse.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub l: Option<usize>,
    /// Every sensitive attribute entropy l-diverse: the smallest class entropy, as `exp(H)`,
    /// at least this.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entropy_l: Option<f64>,
    /// Every sensitive attribute recursive (c, l)-diverse for this c (l as measured,
    /// `--recursive-l`, default 2).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recursive_c: Option<f64>,
    /// Every sensitive attribute t-close for this t.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub t: Option<f64>,
    /// The most average prosecutor risk.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_prosecutor_avg: Option<f64>,
    /// The most prosecutor risk of any record (or person): the highest risk.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_prosecutor_max: Option<f64>,
    /// A step that links records of a view meant to be anonymous to identities may identify
    /// at most this fraction of them (expected, for a quasi step). Default 0.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_reidentified_fraction: Option<f64>,
    /// The most unicity ε_p of purchase histories, at `unicity_p` points.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_unicity: Option<f64>,
    /// The points `max_unicity` is judged at (default 4, de Montjoye et al.'s).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unicity_p: Option<usize>,
    /// The most population uniques, as a fraction of the population (Dankar et al.'s model).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_population_unique_fraction: Option<f64>,
}

/// The points unicity is judged at when `unicity_p` is not set.
pub const DEFAULT_UNICITY_P: usize = 4;

impl Thresholds {
    /// These thresholds, with those of `over` replacing them where set.
    pub fn overridden_by(&self, over: &Thresholds) -> Thresholds {
        macro_rules! pick {
            ($($field:ident),*) => {
                Thresholds { $($field: over.$field.or(self.$field)),* }
            };
        }
        pick!(
            k,
            max_unique_fraction,
            l,
            entropy_l,
            recursive_c,
            t,
            max_prosecutor_avg,
            max_prosecutor_max,
            max_reidentified_fraction,
            max_unicity,
            unicity_p,
            max_population_unique_fraction
        )
    }

    /// Refuses a threshold that means nothing, naming it under `at` (`policy`,
    /// `source 'survey' policy`).
    pub fn validate(&self, at: &str) -> Result<()> {
        if self.k == Some(0) {
            bail!("{at}.k must be at least 1");
        }
        if self.l == Some(0) {
            bail!("{at}.l must be at least 1");
        }
        let fractions = [
            ("max_unique_fraction", self.max_unique_fraction),
            ("t", self.t),
            ("max_prosecutor_avg", self.max_prosecutor_avg),
            ("max_prosecutor_max", self.max_prosecutor_max),
            ("max_reidentified_fraction", self.max_reidentified_fraction),
            ("max_unicity", self.max_unicity),
            (
                "max_population_unique_fraction",
                self.max_population_unique_fraction,
            ),
        ];
        for (name, value) in fractions {
            if let Some(x) = value {
                if !x.is_finite() {
                    bail!("{at}.{name} is not a finite number");
                }
                if !(0.0..=1.0).contains(&x) {
                    bail!("{at}.{name} must be between 0 and 1");
                }
            }
        }
        if let Some(l) = self.entropy_l
            && !(l.is_finite() && l >= 1.0)
        {
            bail!("{at}.entropy_l must be a number of at least 1");
        }
        if let Some(c) = self.recursive_c
            && !(c.is_finite() && c > 0.0)
        {
            bail!("{at}.recursive_c must be a number above 0");
        }
        if let Some(p) = self.unicity_p
            && !(1..=crate::metrics::unicity::MAX_POINTS).contains(&p)
        {
            bail!(
                "{at}.unicity_p must be from 1 to {}",
                crate::metrics::unicity::MAX_POINTS
            );
        }
        Ok(())
    }
}
