//! SUDA scores from minimal sample uniques (Elliot, Manning, Ford, "A computational algorithm
//! for handling the special uniques problem", 2002; SUDA2: Manning, Haglin, Keane, 2008).
//!
//! - An MSU of size `s` scores `Π_{i=s}^{U−1} (M − i)` with `M` QIs and `U = min(max size, M−1)`
//!   (Elliot et al.'s weighting, sdcMicro's default `original_scores = TRUE`); a record's
//!   SUDA score is the sum over its MSUs.
//! - Column contribution: the score of the MSUs containing the column over the total score.
//! - DIS-SUDA, as sdcMicro computes it: with `u` sample uniques, `p` records in classes of
//!   size 2 and sampling fraction `f`, `DIS = u·f / (u·f + p·(1−f))`; with
//!   `Q = 1 + (8 − M)/20` and `A = Σ_{scored records} score^−Q`, a record's DIS-SUDA score is
//!   `1 / (1 + (u/DIS − u) / (score^Q · A))`.

use serde::Serialize;

use super::lattice::{Lattice, PartitionFigures, mask_names};

#[derive(Debug, Clone, Serialize, PartialEq)]
/// MSUs of one size.
pub struct SizeCount {
    /// The MSU size.
    pub size: usize,
    /// MSUs of that size.
    pub count: usize,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
/// How much a column takes part in the MSUs.
pub struct ColumnContribution {
    /// The column.
    pub column: String,
    /// The weight of the MSUs holding it over the total weight.
    pub contribution: f64,
}

/// One sample-unique record: its row (1-based data row), MSUs and scores.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct MsuRecord {
    /// The 1-based data row.
    pub row: usize,
    /// Its MSUs, as column names.
    pub msus: Vec<Vec<String>>,
    /// Its SUDA score.
    pub suda: f64,
    /// Its DIS-SUDA score.
    pub dis_suda: f64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
/// Minimal sample uniques (SUDA2) and their scores.
pub struct MsuReport {
    /// The largest MSU size searched.
    pub max_size: usize,
    /// Records unique on all QIs.
    pub sample_uniques: usize,
    /// MSUs found.
    pub count: usize,
    /// MSUs per size.
    pub by_size: Vec<SizeCount>,
    /// Per column.
    pub column_contributions: Vec<ColumnContribution>,
    /// The sampling fraction of the DIS estimate.
    pub dis_fraction: f64,
    /// Probability that a sample unique is a population unique (the DIS estimate).
    pub dis: f64,
    /// The riskiest records, by SUDA score.
    pub records: Vec<MsuRecord>,
    /// Every record's SUDA score (0 for a record with no MSU), for the per-record export.
    #[serde(skip)]
    pub scores: Vec<f64>,
}

/// Weight of an MSU of `size` among `m` QIs searched up to `max_size`.
pub fn msu_score(size: usize, m: usize, max_size: usize) -> f64 {
    let upper = max_size.min(m.saturating_sub(1));
    (size..upper).map(|i| (m - i) as f64).product()
}

/// SUDA scores, MSU statistics and the riskiest records.
pub fn suda(
    lattice: &Lattice,
    names: &[String],
    full_set: PartitionFigures,
    rows: usize,
    max_size: usize,
    dis_fraction: f64,
    top: usize,
) -> MsuReport {
    let m = lattice.columns;
    let mut score = vec![0.0f64; rows];
    let mut by_size = vec![0usize; max_size + 1];
    let mut column_score = vec![0.0f64; m];
    let mut total = 0.0;
    let mut count = 0;
    for subset in &lattice.subsets {
        let size = subset.mask.count_ones() as usize;
        let weight = msu_score(size, m, max_size);
        for &r in &subset.msu_rows {
            score[r as usize] += weight;
        }
        let msus = subset.msu_rows.len();
        by_size[size] += msus;
        count += msus;
        let subset_weight = weight * msus as f64;
        total += subset_weight;
        for (c, cs) in column_score.iter_mut().enumerate() {
            if subset.mask & (1 << c) != 0 {
                *cs += subset_weight;
            }
        }
    }
    // Sample uniques and pairs on the full QI set, for the DIS estimate.
    let uniques = full_set.uniques as f64;
    let pairs = 2.0 * full_set.pairs as f64;
    let f = dis_fraction;
    // With no sample unique and no pair (every record in classes of three or more, or all
    // missing) the ratio is 0/0: no sample unique can be a population unique, so DIS is 0.
    let denominator = uniques * f + pairs * (1.0 - f);
    let dis = if denominator > 0.0 {
        uniques * f / denominator
    } else {
        0.0
    };
    let q = 1.0 + (8.0 - m as f64) / 20.0;
    // Summed in ascending order of the scores, not in row order: a database table has no row
    // order, and the same records in another order must give the same DIS-SUDA, bit for bit.
    let mut positive: Vec<f64> = score.iter().copied().filter(|&s| s > 0.0).collect();
    positive.sort_unstable_by(f64::total_cmp);
    let adjust: f64 = positive.iter().map(|s| 1.0 / s.powf(q)).sum();
    let dis_suda = |s: f64| {
        if s > 0.0 {
            1.0 / (1.0 + (uniques / dis - uniques) / (s.powf(q) * adjust))
        } else {
            0.0
        }
    };

    // The riskiest records: rank the scored rows, then gather the MSUs of those only.
    let mut scored: Vec<u32> = (0..rows as u32)
        .filter(|&r| score[r as usize] > 0.0)
        .collect();
    let by_risk = |a: &u32, b: &u32| {
        score[*b as usize]
            .total_cmp(&score[*a as usize])
            .then(a.cmp(b))
    };
    if scored.len() > top && top > 0 {
        scored.select_nth_unstable_by(top - 1, by_risk);
        scored.truncate(top);
    } else if top == 0 {
        scored.clear();
    }
    scored.sort_by(by_risk);
    let mut msus_of: hashbrown::HashMap<u32, Vec<u32>> =
        scored.iter().map(|&r| (r, Vec::new())).collect();
    // A flag per row spares a hash lookup for each of the (millions of) other MSUs.
    let mut listed = vec![false; rows];
    for &r in msus_of.keys() {
        listed[r as usize] = true;
    }
    for subset in &lattice.subsets {
        for r in &subset.msu_rows {
            if listed[*r as usize]
                && let Some(list) = msus_of.get_mut(r)
            {
                list.push(subset.mask);
            }
        }
    }
    let records = scored
        .into_iter()
        .map(|r| {
            let mut masks = msus_of.remove(&r).unwrap_or_default();
            masks.sort_by_key(|m| (m.count_ones(), *m));
            MsuRecord {
                row: r as usize + 1,
                msus: masks.iter().map(|&mask| mask_names(mask, names)).collect(),
                suda: score[r as usize],
                dis_suda: dis_suda(score[r as usize]),
            }
        })
        .collect();
    let mut column_contributions: Vec<ColumnContribution> = names
        .iter()
        .zip(&column_score)
        .map(|(name, &s)| ColumnContribution {
            column: name.clone(),
            contribution: if total > 0.0 { s / total } else { 0.0 },
        })
        .collect();
    column_contributions.sort_by(|a, b| b.contribution.total_cmp(&a.contribution));
    MsuReport {
        max_size,
        sample_uniques: uniques as usize,
        count,
        by_size: (1..=max_size)
            .map(|size| SizeCount {
                size,
                count: by_size[size],
            })
            .collect(),
        column_contributions,
        dis_fraction,
        dis,
        records,
        scores: score,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::attribution::lattice::SubsetFigures;

    /// A lattice over `rows` records whose subsets have the given MSU rows.
    fn lattice(subsets: &[(u32, Vec<u32>)]) -> Lattice {
        Lattice {
            columns: 3,
            subsets: subsets
                .iter()
                .map(|(mask, rows)| SubsetFigures {
                    mask: *mask,
                    uniques: rows.len(),
                    partition: PartitionFigures::default(),
                    msu_rows: rows.clone(),
                })
                .collect(),
        }
    }

    /// The same records in another row order give the same DIS-SUDA scores, bit for bit:
    /// the scores' adjustment does not depend on the order it meets them in.
    #[test]
    fn dis_suda_does_not_depend_on_row_order() {
        let rows = 400usize;
        // Row r's MSUs, chosen so that many different scores occur.
        let msus_of = |r: u32| -> Vec<u32> {
            [1u32, 2, 4, 3, 5, 6]
                .into_iter()
                .filter(|m| (r.wrapping_mul(2654435761) >> (m * 3)).is_multiple_of(3))
                .collect()
        };
        let build = |order: &dyn Fn(u32) -> u32| {
            let mut subsets: Vec<(u32, Vec<u32>)> = [1u32, 2, 4, 3, 5, 6]
                .iter()
                .map(|&m| (m, Vec::new()))
                .collect();
            for r in 0..rows as u32 {
                for m in msus_of(r) {
                    let at = subsets.iter().position(|(mask, _)| *mask == m).unwrap();
                    subsets[at].1.push(order(r));
                }
            }
            for (_, list) in &mut subsets {
                list.sort_unstable();
            }
            subsets.sort_by_key(|(m, _)| (m.count_ones(), *m));
            lattice(&subsets)
        };
        let names: Vec<String> = ["a", "b", "c"].map(String::from).to_vec();
        let full = PartitionFigures {
            uniques: 150,
            pairs: 40,
            ..Default::default()
        };
        let scores = |l: &Lattice| -> Vec<(u64, u64)> {
            let report = suda(l, &names, full, rows, 3, 0.01, rows);
            let mut scores: Vec<(u64, u64)> = report
                .records
                .iter()
                .map(|r| (r.suda.to_bits(), r.dis_suda.to_bits()))
                .collect();
            scores.sort_unstable();
            scores
        };
        let forward = scores(&build(&|r| r));
        let reversed = scores(&build(&|r| rows as u32 - 1 - r));
        let shuffled = scores(&build(&|r| (r * 7919) % rows as u32));
        assert!(forward.len() > 100);
        assert_eq!(forward, reversed);
        assert_eq!(forward, shuffled);
    }
}
