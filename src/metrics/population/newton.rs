//! The 2-D Newton–Raphson solver ARX uses (`de.linearbits.newtonraphson.NewtonRaphson2D`)
//! with ARX's default, deterministic configuration (`ARXSolverConfiguration`): accuracy 1e-6,
//! 1,000 iterations per try, 10,000 in total, the given start first and then the 16 prepared
//! start values `{0, .33, .66, .99}²`. ARX also limits each try to 100 ms and the whole
//! solve to 1 s; linkrisk does not, so that results never depend on the machine's speed.

/// Convergence threshold on both objective functions.
pub const ACCURACY: f64 = 1e-6;
const ITERATIONS_PER_TRY: usize = 1000;
const ITERATIONS_TOTAL: usize = 10_000;

fn prepared_starts() -> Vec<(f64, f64)> {
    let mut out = Vec::with_capacity(16);
    let mut d1 = 0.0;
    while d1 < 1.0 {
        let mut d2 = 0.0;
        while d2 < 1.0 {
            out.push((d1, d2));
            d2 += 0.33;
        }
        d1 += 0.33;
    }
    out
}

/// Objective values `(f1, f2)` and the Jacobian `[[x1, x2], [y1, y2]]` at a point.
pub type Evaluation = ((f64, f64), [f64; 4]);

/// Solves `f(x, y) = 0`; `(NaN, NaN)` when no try converges.
pub fn solve(
    mut f: impl FnMut(f64, f64) -> Evaluation,
    start: (f64, f64),
    constraint: Option<&dyn Fn(f64, f64) -> bool>,
) -> (f64, f64) {
    let starts = prepared_starts();
    let mut offset = 0usize;
    let mut first = true;
    let mut total = 0usize;
    'outer: while total <= ITERATIONS_TOTAL {
        let (mut x, mut y) = if first {
            first = false;
            start
        } else {
            let s = starts[offset];
            offset += 1;
            s
        };
        let mut iterations = 0usize;
        loop {
            total += 1;
            let ((ox, oy), [x1, x2, y1, y2]) = f(x, y);
            if ox.abs() <= ACCURACY && oy.abs() <= ACCURACY {
                return (x, y);
            }
            // Invert the Jacobian and take the Newton step.
            let det = x1 * y2 - x2 * y1;
            let s = 1.0 / det;
            let (i1, i2, j1, j2) = (y2 * s, -x2 * s, -y1 * s, x1 * s);
            x -= i1 * ox + i2 * oy;
            y -= j1 * ox + j2 * oy;
            if offset == starts.len() {
                break 'outer;
            }
            if let Some(c) = constraint
                && !c(x, y)
            {
                break;
            }
            let exhausted = iterations >= ITERATIONS_PER_TRY;
            iterations += 1;
            if x.is_nan() || y.is_nan() || exhausted {
                break;
            }
        }
    }
    (f64::NAN, f64::NAN)
}

#[cfg(test)]
mod tests {
    use super::solve;

    #[test]
    fn solves_a_simple_system() {
        // x² − 4 = 0, x·y − 6 = 0 → (2, 3) from (1, 1).
        let (x, y) = solve(
            |x, y| ((x * x - 4.0, x * y - 6.0), [2.0 * x, 0.0, y, x]),
            (1.0, 1.0),
            None,
        );
        assert!((x - 2.0).abs() < 1e-6 && (y - 3.0).abs() < 1e-6);
    }
}
