//! t-closeness of a sensitive attribute: `t = max_j EMD(P_j, Q)`, the largest Earth Mover's
//! Distance between a class's value distribution `P_j` and the whole view's `Q`.
//!
//! - Categorical (equal ground distance): `EMD = ½ Σ_i |p_i − q_i|`.
//! - Numeric (ordered distance over the `m` sorted distinct values, missing last):
//!   `EMD = (1/(m−1)) Σ_{i<m} |Σ_{k≤i} (p_k − q_k)|`.
//!
//! Reference: N. Li, T. Li, S. Venkatasubramanian, "t-Closeness: Privacy Beyond k-Anonymity
//! and l-Diversity", ICDE 2007.
//!
//! Both distances are computed from the class's own entries only, so a class costs
//! `O(s log m)` for its `s` distinct values rather than `O(m)`.

use rayon::prelude::*;

use crate::engine::SensitiveTable;

/// `max_j EMD(P_j, Q)` with the distance that fits the attribute.
pub fn t_closeness(table: &SensitiveTable) -> f64 {
    let n: u64 = table.overall.iter().sum();
    if n == 0 {
        return 0.0;
    }
    let q: Vec<f64> = table.overall.iter().map(|&c| c as f64 / n as f64).collect();
    let ordered = table.numeric.then(|| OrderedGround::new(&q));
    let emd = |positions: &[u32], counts: &[u32]| match &ordered {
        Some(ground) => ground.emd(positions, counts),
        None => equal_emd(&table.overall, n, positions, counts),
    };
    // A class holding a single value has a distance that depends on that value only (most
    // classes of a highly unique view): it is computed once per value, up front. Runs of
    // classes then share out the cores; the maximum does not depend on their order.
    let single_value: Vec<f64> = (0..q.len() as u32)
        .into_par_iter()
        .with_min_len(1 << 12)
        .map(|position| emd(&[position], &[1]))
        .collect();
    let classes = table.classes();
    (0..classes)
        .into_par_iter()
        .with_min_len(1 << 16)
        .map(|j| {
            let (positions, counts) = table.class(j);
            if let [position] = positions {
                single_value[*position as usize]
            } else {
                emd(positions, counts)
            }
        })
        .reduce(|| 0.0, f64::max)
}

/// `½ Σ_i |p_i − q_i|`, where values absent from the class contribute `q_i`, computed from the
/// counts exactly: with `p_i = c_i / s` and `q_i = o_i / n` it is
/// `½ (Σ_{i∈class} |c_i n − o_i s| + s (n − Σ_{i∈class} o_i)) / (s n)`, a sum of integers, so
/// the figure does not depend on the order the values are numbered in (a file's dictionary
/// order, a database's).
pub fn equal_emd(overall: &[u64], n: u64, positions: &[u32], counts: &[u32]) -> f64 {
    let size: u128 = counts.iter().map(|&c| c as u128).sum();
    let n = n as u128;
    if size == 0 || n == 0 {
        return 0.0;
    }
    let mut inside: u128 = 0;
    let mut overall_inside: u128 = 0;
    for (&pos, &count) in positions.iter().zip(counts) {
        let o = overall[pos as usize] as u128;
        inside += (count as u128 * n).abs_diff(o * size);
        overall_inside += o;
    }
    let outside = size * n.saturating_sub(overall_inside);
    (0.5 * (inside + outside) as f64 / (size as f64 * n as f64)).clamp(0.0, 1.0)
}

/// The global cumulative distribution of an ordered attribute, prepared so that the EMD of a
/// class needs only its own values.
pub struct OrderedGround {
    /// `cdf[i] = Σ_{k≤i} q_k` for `i = 0..m-1` (the last, which is 1, is not used).
    cdf: Vec<f64>,
    /// `prefix[i] = Σ_{k<i} cdf[k]`.
    prefix: Vec<f64>,
}

impl OrderedGround {
    /// The ground distribution `q` (the view's), ready for EMDs against it.
    pub fn new(q: &[f64]) -> OrderedGround {
        let terms = q.len().saturating_sub(1);
        let mut cdf = Vec::with_capacity(terms);
        let mut acc = 0.0;
        for &qi in &q[..terms] {
            acc += qi;
            cdf.push(acc);
        }
        let mut prefix = Vec::with_capacity(terms + 1);
        prefix.push(0.0);
        let mut acc = 0.0;
        for &c in &cdf {
            acc += c;
            prefix.push(acc);
        }
        OrderedGround { cdf, prefix }
    }

    /// `Σ_{i∈[a,b)} |p − cdf[i]|`, splitting where the (ascending) cdf crosses `p`.
    fn segment(&self, a: usize, b: usize, p: f64) -> f64 {
        if a >= b {
            return 0.0;
        }
        let split = a + self.cdf[a..b].partition_point(|&c| c < p);
        let below = p * (split - a) as f64 - (self.prefix[split] - self.prefix[a]);
        let above = (self.prefix[b] - self.prefix[split]) - p * (b - split) as f64;
        below + above
    }

    /// Ordered EMD of a class given its ascending value positions and counts.
    pub fn emd(&self, positions: &[u32], counts: &[u32]) -> f64 {
        let terms = self.cdf.len();
        if terms == 0 {
            return 0.0;
        }
        let size: u64 = counts.iter().map(|&c| c as u64).sum();
        let mut total = self.segment(0, (positions[0] as usize).min(terms), 0.0);
        let mut cumulative: u64 = 0;
        for (t, (&pos, &count)) in positions.iter().zip(counts).enumerate() {
            cumulative += count as u64;
            let p = cumulative as f64 / size as f64;
            let end = positions
                .get(t + 1)
                .map_or(terms, |&next| (next as usize).min(terms));
            total += self.segment((pos as usize).min(terms), end, p);
        }
        (total / terms as f64).clamp(0.0, 1.0)
    }
}
