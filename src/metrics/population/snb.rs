//! The SNB (slide negative binomial) model of population uniques (Chen and Keller-McNulty
//! 1998), as ARX's `ModelSNB`: the number of non-empty population classes `K` is estimated
//! with Shlosser's estimator (in ARX's form), the SNB parameters α and β are solved with
//! Newton–Raphson from (1, 1), and `uniques = K · β^α`.
//!
//! Reference: G. Chen, S. Keller-McNulty, "Estimation of identification disclosure risk in
//! microdata", Journal of Official Statistics 14(1), 1998.

use super::newton::solve;

/// Shlosser's estimate of the non-empty population classes, exactly as ARX computes it
/// (including its `- 1` per histogram entry in the second sum).
fn shlosser(histogram: &[(u64, u64)], classes: f64, c1: f64, f: f64) -> f64 {
    let (mut var1, mut var2, mut var3, mut var4) = (0.0, 0.0, 0.0, 0.0);
    let f2 = f * f;
    for &(size, count) in histogram {
        let (size, count) = (size as f64, count as f64);
        let val2 = (1.0 - f).powf(size) * count;
        var1 += size * f2 * (1.0 - f2).powf(size - 1.0) * count;
        var2 += val2 * (1.0 + f).powf(size) - 1.0;
        var3 += val2;
        var4 += size * f * (1.0 - f).powf(size - 1.0) * count;
    }
    classes + c1 * (var1 / var2) * (var3 / var4) * (var3 / var4)
}

/// Estimated population uniques; NaN when the model does not converge.
pub fn snb(histogram: &[(u64, u64)], sample: f64, population: f64) -> f64 {
    let count_of = |size: u64| {
        histogram
            .iter()
            .find(|(s, _)| *s == size)
            .map_or(0.0, |(_, c)| *c as f64)
    };
    let (c1, c2) = (count_of(1), count_of(2));
    let u: f64 = histogram.iter().map(|(_, c)| *c as f64).sum();
    let f = sample / population;
    let k = shlosser(histogram, u, c1, f);
    let (a, b) = solve(
        |a, b| (objective(k, f, c1, c2, a, b), jacobian(k, f, a, b)),
        (1.0, 1.0),
        None,
    );
    k * b.powf(a)
}

fn objective(k: f64, f: f64, c1: f64, c2: f64, a: f64, b: f64) -> (f64, f64) {
    let dividend = (1.0 - f) * (1.0 - b);
    let x = k * f * (b / (1.0 - dividend)).powf(a) * ((a * dividend) / (1.0 - dividend) + 1.0) - c1;
    let y = k * a * b.powf(a) * (f * f) * (1.0 - b) / 2.0
        * (1.0 - dividend).powf(a + 2.0)
        * (2.0 - (1.0 - a) * dividend)
        - c2;
    (x, y)
}

/// ARX's derivatives of the objective (obtained with Matlab), transcribed term by term.
fn jacobian(k: f64, f: f64, a: f64, b: f64) -> [f64; 4] {
    let val0 = (b - 1.0) * (f - 1.0);
    let val1 = val0 - 1.0;
    let val2 = 1.0 - val0;
    let val3 = a * val0 / val1 - 1.0;
    let val4 = (-b / val1).powf(a);
    let val6 = f.powi(2);
    let val7 = b.powf(a);
    let val8 = val7 * val6 * k;
    let val9 = a * val8;
    let val10 = 2.0 * val2.powf(a + 2.0);
    let val11 = val1.powi(2);
    let val13 = f * k;
    let val14 = f - 1.0;
    let val15 = a - 1.0;
    let val16 = b - 1.0;
    let val17 = val15 * val0;
    let val18 = val6 * k;
    let val19 = val17 + 2.0;
    let val20 = val18 * val19;
    let x1 = -val13 * (-b / val1).ln() * val3 * val4 - (val13 * val4 * val0) / val1;
    let x2 = a * val13 * (1.0 / val1 - (b * val14) / val11) * val3 * (-b / val1).powf(val15)
        - val13 * val4 * ((a * val14) / val1 - (a * val16 * val14.powi(2)) / val11);
    let y1 = (val9 * val2.ln() * val19 * val16) / val10
        - (val9 * val16.powi(2) * val14) / val10
        - (val7 * val20 * val16) / val10
        - (a * val7 * val18 * b.ln() * val19 * val16) / val10;
    let y2 = -(val9 * val19) / val10
        - (a.powi(2) * b.powf(val15) * val20 * val16) / val10
        - (a * val7 * val18 * val17) / val10
        - (a * val7 * val20 * (a + 2.0) * val0) / (2.0 * val2.powf(a + 3.0));
    [x1, x2, y1, y2]
}
