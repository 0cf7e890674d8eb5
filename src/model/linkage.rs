//! What a quasi-identifier linkage re-identifies and discloses.

use std::collections::BTreeMap;

use serde::Serialize;

/// One bucket of the candidate histogram.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CandidateBucket {
    /// `"0"`, `"1"`, `"2"`, `"3-4"`, `"5-9"` or `"10+"`.
    pub candidates: &'static str,
    /// Target records with that many candidates.
    pub records: usize,
}

/// What the attacker learns about an attribute without a unique match.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Disclosure {
    /// Which side holds the attribute.
    pub side: DisclosureSide,
    /// Records whose candidates all hold one value of the attribute.
    pub records: usize,
    /// As a fraction of the records of the other side.
    pub fraction: f64,
}

/// Which side of a linkage holds a disclosed attribute.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum DisclosureSide {
    /// The target's attribute, learned for identified records.
    Target,
    /// The identified side's attribute, learned for target records.
    Identified,
}

/// What a quasi-identifier linkage re-identifies (docs/metrics.md, "Linkage").
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Linkage {
    /// Records of the identified side.
    pub identified_rows: usize,
    /// Records of the target side.
    pub target_rows: usize,
    /// Target records with exactly one candidate.
    pub unique_matches: usize,
    /// `unique_matches / target_rows`.
    pub unique_match_fraction: f64,
    /// Target records with at least one candidate.
    pub targets_with_candidates: usize,
    /// Candidate (target, identified) pairs.
    pub candidate_pairs: u64,
    /// The sum over target records of 1 / candidates.
    pub expected_reidentifications: f64,
    /// `expected_reidentifications / target_rows`.
    pub expected_reidentification_fraction: f64,
    /// Target records by their number of candidates.
    pub candidate_histogram: Vec<CandidateBucket>,
    /// Per sensitive attribute, what is learned without a unique match.
    pub disclosures: BTreeMap<String, Disclosure>,
    /// With truth columns: unique matches that are the right person.
    pub correct_unique_matches: Option<usize>,
}
