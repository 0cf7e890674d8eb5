//! Pitman's model of population uniques (Hoshino 2001), as ARX's `ModelPitman`: the
//! maximum-likelihood θ and α of the Pitman sampling formula are solved with Newton–Raphson
//! from ARX's start values, first with the closed forms (polygamma functions), falling back
//! to the iterative sums when those fail or disagree; then
//! `uniques = Γ(θ+1)/Γ(θ+α) · N^α` (the larger of the log-space and direct evaluations
//! that lie in `[0, N]`).
//!
//! Reference: N. Hoshino, "Applying Pitman's sampling formula to microdata disclosure risk
//! assessment", Journal of Official Statistics 17(4), 2001.

use super::gamma::{digamma, gamma, ln_gamma, trigamma};
use super::newton::{ACCURACY, Evaluation, solve};

/// Estimated population uniques; NaN when the model does not converge.
/// `histogram` holds (class size, number of classes), ascending.
pub fn pitman(histogram: &[(u64, u64)], sample: f64, population: f64) -> f64 {
    let count_of = |size: u64| {
        histogram
            .iter()
            .find(|(s, _)| *s == size)
            .map_or(0.0, |(_, c)| *c as f64)
    };
    let c1 = count_of(1);
    let c2 = match count_of(2) {
        0.0 => 1.0, // ARX overestimates with 1 when there is no class of size 2
        c => c,
    };
    let u: f64 = histogram.iter().map(|(_, c)| *c as f64).sum();
    let n = sample;

    // ARX's initial guess.
    let c = c1 * (c1 - 1.0) / c2;
    let t = (n * u * c - c1 * (n - 1.0) * (2.0 * u + c)) / (2.0 * c1 * u + c1 * c - n * c);
    let a = (t * (c1 - n) + (n - 1.0) * c1) / (n * u);

    let theta_non_negative = |t: f64, _a: f64| t >= 0.0;
    let mut result = solve(
        |t, a| closed(histogram, u, n, t, a),
        (t, a),
        Some(&theta_non_negative),
    );
    let use_iterative = if result.0.is_nan() || result.1.is_nan() {
        true
    } else {
        let (o1, o2) = iterative(histogram, u, n, result.0, result.1).0;
        o1.is_nan() || o2.is_nan() || o1.abs() > ACCURACY || o2.abs() > ACCURACY
    };
    if use_iterative {
        result = solve(
            |t, a| iterative(histogram, u, n, t, a),
            (t, a),
            Some(&theta_non_negative),
        );
    }
    uniques(result, population)
}

/// The likelihood equations and their Jacobian in closed form.
fn closed(histogram: &[(u64, u64)], u: f64, n: f64, t: f64, a: f64) -> Evaluation {
    let val0 = u - 1.0;
    let val1 = digamma(val0 + t / a + 1.0);
    let val2 = trigamma((a + t + a * val0) / a);
    let val3 = trigamma(t / a + 1.0);
    let val4 = digamma(t / a + 1.0);
    let val5 = a * a;
    let d1 = (val3 - val2) / val5;
    let d5 = ((a * val1 + t * val2) - a * val4 - t * val3) / (val5 * a);
    let d3 = ((((val5 * val0) - (t * t * val2)) + (t * t * val3)) - (2.0 * a * t * val1)
        + (2.0 * a * t * val4))
        / (val5 * val5);
    let o1 = (val1 - val4) / a;
    let o3 = (-t * val1 + a * val0 + t * val4) / (a * a);
    let o2 = digamma(n + t) - digamma(t + 1.0);
    let d2 = trigamma(t + 1.0) - trigamma(n + t);
    let (mut d4, mut o4) = (0.0, 0.0);
    let val6 = digamma(1.0 - a);
    let val7 = trigamma(1.0 - a);
    for &(size, count) in histogram {
        if size != 1 {
            let k = size as f64;
            d4 += count as f64 * (val7 - trigamma(k - a));
            o4 += count as f64 * (digamma(k - a) - val6);
        }
    }
    ((o1 - o2, o3 - o4), [d2 - d1, -d5, -d5, -d3 - d4])
}

/// The same equations as explicit sums (slower, numerically safer).
fn iterative(histogram: &[(u64, u64)], u: f64, n: f64, t: f64, a: f64) -> Evaluation {
    let (mut d1, mut d2, mut d3, mut d4, mut d5) = (0.0, 0.0, 0.0, 0.0, 0.0);
    let (mut o1, mut o2, mut o3, mut o4) = (0.0, 0.0, 0.0, 0.0);
    let mut i = 1.0;
    while i < u {
        let val0 = t + i * a;
        let val1 = 1.0 / val0;
        let val3 = 1.0 / (val0 * val0);
        let val4 = i * val3;
        d1 += val3;
        d5 += val4;
        d3 += i * val4;
        o1 += val1;
        o3 += i * val1;
        i += 1.0;
    }
    for &(size, count) in histogram {
        if size != 1 {
            let (mut v1, mut v2) = (0.0, 0.0);
            for j in 1..size {
                let v3 = j as f64 - a;
                v1 += 1.0 / (v3 * v3);
                v2 += 1.0 / v3;
            }
            d4 += count as f64 * v1;
            o4 += count as f64 * v2;
        }
    }
    let mut i = 1.0;
    while i < n {
        let val0 = t + i;
        d2 += 1.0 / (val0 * val0);
        o2 += 1.0 / val0;
        i += 1.0;
    }
    ((o1 - o2, o3 - o4), [d2 - d1, -d5, -d5, -d3 - d4])
}

/// `Γ(θ+1)/Γ(θ+α) · N^α`, evaluated in log space and directly; values outside `[0, N]`
/// are rejected, and the larger valid one is kept.
fn uniques((t, a): (f64, f64), population: f64) -> f64 {
    if t.is_nan() || a.is_nan() || a == 0.0 {
        return f64::NAN;
    }
    let valid = |v: f64| {
        if v >= 0.0 && v <= population {
            v
        } else {
            f64::NAN
        }
    };
    let log_space = valid((ln_gamma(t + 1.0) - ln_gamma(t + a)).exp() * population.powf(a));
    let direct = valid(gamma(t + 1.0) / gamma(t + a) * population.powf(a));
    match (log_space.is_nan(), direct.is_nan()) {
        (true, true) => f64::NAN,
        (false, false) => log_space.max(direct),
        (true, false) => direct,
        (false, true) => log_space,
    }
}
