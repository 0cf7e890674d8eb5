//! Zayatz's model of population uniques, as ARX's `ModelZayatz`: the probability that a
//! sample unique comes from a population unique,
//! `P = (c_1/u · h(1; N, 1, n)) / Σ_sizes (c_s/u · h(1; N, s, n))`, with `h` the
//! hypergeometric probability of drawing one of `s` marked records in a sample of `n` from
//! `N`; then `uniques = c_1 · P / π`.
//!
//! Reference: L. Zayatz, "Estimation of the number of unique population elements using a
//! sample", Proceedings of the Survey Research Methods Section, ASA, 1991.

/// `h(1; N, K, n) = K · (n/N) · Π_{i=1}^{K−1} (N−n−i+1)/(N−i)`, computed in log space.
fn hypergeometric_one(population: f64, marked: u64, sample: f64) -> f64 {
    if sample > population || marked as f64 > population {
        return 0.0;
    }
    let mut log_p = (marked as f64).ln() + sample.ln() - population.ln();
    for i in 1..marked {
        let numerator = population - sample - i as f64 + 1.0;
        if numerator <= 0.0 {
            return 0.0;
        }
        log_p += numerator.ln() - (population - i as f64).ln();
    }
    log_p.exp()
}

/// Estimated population uniques. `histogram` holds (class size, classes), ascending.
pub fn zayatz(histogram: &[(u64, u64)], sample: f64, population: f64) -> f64 {
    let sampling_fraction = sample / population;
    // ARX hands commons-math integers, capped at i32::MAX.
    let population = population.min(i32::MAX as f64).trunc();
    let sample = sample.min(i32::MAX as f64).trunc();
    let u: f64 = histogram.iter().map(|(_, c)| *c as f64).sum();
    let c1 = histogram
        .first()
        .filter(|(s, _)| *s == 1)
        .map_or(0.0, |(_, c)| *c as f64);
    let total: f64 = histogram
        .iter()
        .map(|&(size, count)| count as f64 / u * hypergeometric_one(population, size, sample))
        .sum();
    let conditional = (c1 / u) * hypergeometric_one(population, 1, sample) / total;
    c1 * conditional / sampling_fraction
}
