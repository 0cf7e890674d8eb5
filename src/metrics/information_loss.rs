//! Information loss of a generalisation: Sweeney's precision, as ARX reports it.
//!
//! A generalisation lifts each quasi-identifier `i` to level `h_i` of its ladder of height
//! `H_i` (level 0 is the column as released; the top of every ladder is `*`). For `N`
//! records of which `s` are suppressed, with `Q` the QIs whose ladder has a step:
//!
//! `loss = ( (N − s) · (1/Q) Σ_i h_i / H_i  +  s ) / N`
//!
//! that is `1 − Prec`: a kept record loses the mean fraction of its ladders climbed, a
//! suppressed record loses everything. 0 is the data as released, 1 is nothing left. A QI
//! whose ladder has no step (already `*`) can lose nothing more and is left out of the mean.
//!
//! Reference: L. Sweeney, "Achieving k-anonymity privacy protection using generalization and
//! suppression", International Journal of Uncertainty, Fuzziness and Knowledge-Based
//! Systems 10(5), 2002 (the precision metric `Prec`); F. Prasser, F. Kohlmayer, "Putting
//! statistical disclosure control into practice: the ARX data anonymization tool", 2015
//! (ARX's "precision" loss, suppressed records counted as fully generalised).

/// The loss of lifting QIs to `levels` of ladders of `heights`, with `suppressed` of
/// `records` records (or people) suppressed.
pub fn precision_loss(
    levels: &[usize],
    heights: &[usize],
    suppressed: usize,
    records: usize,
) -> f64 {
    debug_assert_eq!(levels.len(), heights.len());
    if records == 0 {
        return 0.0;
    }
    let climbed: Vec<f64> = levels
        .iter()
        .zip(heights)
        .filter(|&(_, &h)| h > 0)
        .map(|(&l, &h)| l as f64 / h as f64)
        .collect();
    let kept_loss = if climbed.is_empty() {
        0.0
    } else {
        climbed.iter().sum::<f64>() / climbed.len() as f64
    };
    let kept = records.saturating_sub(suppressed) as f64;
    (kept * kept_loss + suppressed.min(records) as f64) / records as f64
}

#[cfg(test)]
mod tests {
    use super::precision_loss;

    /// Hand-computed: ZIP at level 1 of 3, year at level 2 of 4, gender as it is (0 of 1):
    /// a kept record loses (1/3 + 2/4 + 0) / 3 = 5/18.
    #[test]
    fn mean_fraction_of_the_ladders_climbed() {
        let loss = precision_loss(&[1, 2, 0], &[3, 4, 1], 0, 10);
        assert!((loss - 5.0 / 18.0).abs() < 1e-12);
        // Two of ten records suppressed: (8 · 5/18 + 2) / 10.
        let with_two = precision_loss(&[1, 2, 0], &[3, 4, 1], 2, 10);
        assert!((with_two - (8.0 * 5.0 / 18.0 + 2.0) / 10.0).abs() < 1e-12);
    }

    #[test]
    fn bounds() {
        assert_eq!(precision_loss(&[0, 0], &[3, 2], 0, 5), 0.0);
        assert_eq!(precision_loss(&[3, 2], &[3, 2], 0, 5), 1.0);
        assert_eq!(precision_loss(&[0, 0], &[3, 2], 5, 5), 1.0);
        // A ladder without a step is left out of the mean.
        assert_eq!(precision_loss(&[1, 0], &[1, 0], 0, 5), 1.0);
        assert_eq!(precision_loss(&[], &[], 0, 0), 0.0);
    }
}
