//! The fast path (dictionary codes, packed keys, class table, O(s log m) EMD) against a
//! naive implementation (a HashMap of row tuples, full distributions), on random tables;
//! and every figure is invariant under row shuffling.

use std::collections::{BTreeMap, HashMap, HashSet};

use linkrisk::engine::class_table;
use linkrisk::metrics::{MeasureOptions, ViewMetrics, measure};
use polars::prelude::*;
use proptest::prelude::*;

/// A random table: QI columns of small alphabets with missing values, a categorical
/// sensitive column and a numeric one.
#[derive(Debug, Clone)]
struct Table {
    qis: Vec<Vec<Option<String>>>,
    category: Vec<Option<String>>,
    amount: Vec<Option<i64>>,
}

impl Table {
    fn rows(&self) -> usize {
        self.category.len()
    }

    fn frame(&self) -> DataFrame {
        let mut columns: Vec<Column> = self
            .qis
            .iter()
            .enumerate()
            .map(|(i, values)| Column::new(format!("q{i}").into(), values.clone()))
            .collect();
        columns.push(Column::new("category".into(), self.category.clone()));
        columns.push(Column::new("amount".into(), self.amount.clone()));
        DataFrame::new(self.rows(), columns).unwrap()
    }

    fn qi_names(&self) -> Vec<String> {
        (0..self.qis.len()).map(|i| format!("q{i}")).collect()
    }

    fn permuted(&self, order: &[usize]) -> Table {
        Table {
            qis: self
                .qis
                .iter()
                .map(|c| order.iter().map(|&i| c[i].clone()).collect())
                .collect(),
            category: order.iter().map(|&i| self.category[i].clone()).collect(),
            amount: order.iter().map(|&i| self.amount[i]).collect(),
        }
    }
}

fn text_value(alphabet: usize) -> impl Strategy<Value = Option<String>> {
    prop_oneof![1 => Just(None), 6 => (0..alphabet).prop_map(|v| Some(format!("v{v}")))]
}

fn table() -> impl Strategy<Value = Table> {
    (1usize..80, 1usize..4, 1usize..6).prop_flat_map(|(rows, qi_count, alphabet)| {
        (
            prop::collection::vec(prop::collection::vec(text_value(alphabet), rows), qi_count),
            prop::collection::vec(text_value(4), rows),
            prop::collection::vec(
                prop_oneof![1 => Just(None), 6 => (-3i64..12).prop_map(Some)],
                rows,
            ),
        )
            .prop_map(|(qis, category, amount)| Table {
                qis,
                category,
                amount,
            })
    })
}

fn fast(table: &Table, opts: MeasureOptions) -> ViewMetrics {
    let sensitive = vec!["category".to_string(), "amount".to_string()];
    let classes = class_table(&table.frame(), &table.qi_names(), &sensitive).unwrap();
    measure(&classes, opts)
}

/// The obvious implementation, straight from design.md's definitions.
struct Naive {
    k: u32,
    classes: usize,
    uniques: usize,
    histogram: BTreeMap<u32, (usize, usize)>,
    avg: f64,
    at_risk: f64,
    distinct: [usize; 2],
    entropy: [f64; 2],
    recursive_c: [Option<f64>; 2],
    t: [f64; 2],
}

fn naive(table: &Table, opts: MeasureOptions) -> Naive {
    let n = table.rows();
    let mut groups: HashMap<Vec<Option<String>>, Vec<usize>> = HashMap::new();
    for r in 0..n {
        let key: Vec<Option<String>> = table.qis.iter().map(|c| c[r].clone()).collect();
        groups.entry(key).or_default().push(r);
    }
    let sizes: Vec<usize> = groups.values().map(Vec::len).collect();
    let mut histogram: BTreeMap<u32, (usize, usize)> = BTreeMap::new();
    for &s in &sizes {
        let e = histogram.entry(s as u32).or_default();
        e.0 += 1;
        e.1 += s;
    }
    // Sensitive values as sortable keys: numeric order, missing last.
    let category: Vec<(u8, i64, String)> = table
        .category
        .iter()
        .map(|v| match v {
            Some(s) => (0, 0, s.clone()),
            None => (1, 0, String::new()),
        })
        .collect();
    let amount: Vec<(u8, i64, String)> = table
        .amount
        .iter()
        .map(|v| match v {
            Some(x) => (0, *x, String::new()),
            None => (1, 0, String::new()),
        })
        .collect();
    let mut distinct = [0; 2];
    let mut entropy = [0.0; 2];
    let mut recursive_c = [None; 2];
    let mut t = [0.0; 2];
    for (a, values) in [category, amount].iter().enumerate() {
        let mut domain: Vec<&(u8, i64, String)> =
            values.iter().collect::<HashSet<_>>().into_iter().collect();
        domain.sort();
        let q: Vec<f64> = domain
            .iter()
            .map(|d| values.iter().filter(|v| v == d).count() as f64 / n as f64)
            .collect();
        let mut min_distinct = usize::MAX;
        let mut min_entropy = f64::INFINITY;
        let mut c: Option<f64> = Some(0.0);
        let mut max_t: f64 = 0.0;
        for rows in groups.values() {
            let p: Vec<f64> = domain
                .iter()
                .map(|d| {
                    rows.iter().filter(|&&r| &values[r] == *d).count() as f64 / rows.len() as f64
                })
                .collect();
            let mut counts: Vec<usize> = domain
                .iter()
                .map(|d| rows.iter().filter(|&&r| &values[r] == *d).count())
                .filter(|&c| c > 0)
                .collect();
            min_distinct = min_distinct.min(counts.len());
            let h: f64 = p.iter().filter(|&&x| x > 0.0).map(|&x| -x * x.ln()).sum();
            min_entropy = min_entropy.min(h.exp());
            counts.sort_unstable_by(|x, y| y.cmp(x));
            let l = opts.recursive_l;
            c = match c {
                Some(best) if counts.len() >= l => {
                    Some(best.max(counts[0] as f64 / counts[l - 1..].iter().sum::<usize>() as f64))
                }
                _ => None,
            };
            let emd = if a == 1 {
                let m = domain.len();
                if m <= 1 {
                    0.0
                } else {
                    let mut cum = 0.0;
                    let mut total = 0.0;
                    for i in 0..m - 1 {
                        cum += p[i] - q[i];
                        total += f64::abs(cum);
                    }
                    total / (m - 1) as f64
                }
            } else {
                0.5 * p.iter().zip(&q).map(|(x, y)| (x - y).abs()).sum::<f64>()
            };
            max_t = max_t.max(emd);
        }
        distinct[a] = min_distinct;
        entropy[a] = min_entropy;
        recursive_c[a] = c;
        t[a] = max_t;
    }
    let at_risk: usize = sizes.iter().filter(|&&s| (s as u32) < opts.policy_k).sum();
    Naive {
        k: *sizes.iter().min().unwrap() as u32,
        classes: sizes.len(),
        uniques: sizes.iter().filter(|&&s| s == 1).count(),
        histogram,
        avg: sizes.len() as f64 / n as f64,
        at_risk: at_risk as f64 / n as f64,
        distinct,
        entropy,
        recursive_c,
        t,
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * (1.0 + a.abs().max(b.abs()))
}

fn same(a: &ViewMetrics, b: &ViewMetrics) -> bool {
    let f = |x: &ViewMetrics| {
        let mut v = vec![
            x.k_anonymity.unique_fraction,
            x.prosecutor.avg,
            x.prosecutor.max,
            x.prosecutor.records_at_risk,
            x.marketer,
        ];
        for (name, ld) in &x.l_diversity {
            v.push(ld.distinct as f64);
            v.push(ld.entropy);
            v.push(ld.recursive_c.unwrap_or(-1.0));
            v.push(x.t_closeness[name]);
        }
        v
    };
    a.k_anonymity.k == b.k_anonymity.k
        && a.k_anonymity.classes == b.k_anonymity.classes
        && a.k_anonymity.class_size_histogram == b.k_anonymity.class_size_histogram
        && f(a).iter().zip(f(b)).all(|(x, y)| close(*x, y))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn fast_path_equals_naive(t in table(), policy_k in 1u32..6, recursive_l in 1usize..4) {
        let opts = MeasureOptions { policy_k, recursive_l, population: None };
        let got = fast(&t, opts);
        let want = naive(&t, opts);
        prop_assert_eq!(got.k_anonymity.k, want.k);
        prop_assert_eq!(got.k_anonymity.classes, want.classes);
        prop_assert_eq!(got.k_anonymity.uniques, want.uniques);
        let hist: BTreeMap<u32, (usize, usize)> = got
            .k_anonymity
            .class_size_histogram
            .iter()
            .map(|b| (b.size, (b.classes, b.records)))
            .collect();
        prop_assert_eq!(hist, want.histogram);
        prop_assert!(close(got.prosecutor.avg, want.avg));
        prop_assert!(close(got.prosecutor.records_at_risk, want.at_risk));
        for (a, name) in ["category", "amount"].iter().enumerate() {
            let ld = &got.l_diversity[*name];
            prop_assert_eq!(ld.distinct, want.distinct[a], "distinct l of {}", name);
            prop_assert!(close(ld.entropy, want.entropy[a]), "entropy l of {}: {} vs {}", name, ld.entropy, want.entropy[a]);
            match (ld.recursive_c, want.recursive_c[a]) {
                (Some(x), Some(y)) => prop_assert!(close(x, y), "recursive c of {}: {} vs {}", name, x, y),
                (x, y) => prop_assert_eq!(x, y, "recursive c of {}", name),
            }
            let t_got = got.t_closeness[*name];
            prop_assert!(close(t_got, want.t[a]), "t of {}: {} vs {}", name, t_got, want.t[a]);
        }
    }

    #[test]
    fn figures_do_not_depend_on_row_order(
        (t, order) in table().prop_flat_map(|t| {
            let order: Vec<usize> = (0..t.rows()).collect();
            (Just(t), Just(order).prop_shuffle())
        })
    ) {
        let opts = MeasureOptions::default();
        prop_assert!(same(&fast(&t, opts), &fast(&t.permuted(&order), opts)));
    }
}

mod wildcard {
    use super::*;
    use linkrisk::engine::{NullMode, class_table_with};

    /// Records compatible with each record: equal wherever both have a value.
    fn naive_frequencies(t: &Table) -> Vec<usize> {
        let n = t.rows();
        (0..n)
            .map(|r| {
                (0..n)
                    .filter(|&s| {
                        t.qis.iter().all(|c| match (&c[r], &c[s]) {
                            (Some(a), Some(b)) => a == b,
                            _ => true,
                        })
                    })
                    .count()
            })
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(150))]

        #[test]
        fn wildcard_risk_equals_pairwise_compatibility(t in table(), policy_k in 1u32..6) {
            let opts = MeasureOptions { policy_k, recursive_l: 2, population: None };
            let classes = class_table_with(&t.frame(), &t.qi_names(), &[], NullMode::Wildcard, false).unwrap();
            let got = measure(&classes, opts);
            let f = naive_frequencies(&t);
            let n = f.len() as f64;
            prop_assert_eq!(got.k_anonymity.k as usize, *f.iter().min().unwrap());
            prop_assert_eq!(got.k_anonymity.uniques, f.iter().filter(|&&x| x == 1).count());
            let avg: f64 = f.iter().map(|&x| 1.0 / x as f64).sum::<f64>() / n;
            prop_assert!(close(got.prosecutor.avg, avg), "{} vs {}", got.prosecutor.avg, avg);
            let at_risk = f.iter().filter(|&&x| (x as u32) < policy_k).count() as f64 / n;
            prop_assert!(close(got.prosecutor.records_at_risk, at_risk));
            let records: usize = got.k_anonymity.class_size_histogram.iter().map(|b| b.records).sum();
            prop_assert_eq!(records, f.len());
        }
    }
}
