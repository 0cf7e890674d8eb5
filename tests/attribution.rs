//! Attribution: ARX's distinction and separation on Adult, the pruned lattice against an
//! exhaustive search, and SUDA2's MSUs against brute-force enumeration.

use std::collections::{BTreeSet, HashMap};

use linkrisk::engine::{EncodedColumn, encode_columns};
use linkrisk::io::{LoadOptions, load};
use linkrisk::metrics::attribution::{
    AttributionOptions, PartitionFigures, attribute, suda::msu_score, walk,
};
use proptest::prelude::*;

mod common;
use common::{ADULT, ADULT_QIS as QIS};

#[test]
fn adult_distinction_and_separation_match_arx() {
    let qis: Vec<String> = QIS.iter().map(|s| s.to_string()).collect();
    let df = load(ADULT, &qis, &LoadOptions::default()).unwrap();
    let encoded = encode_columns(&df, &qis, &[]).unwrap();
    let a = attribute(&encoded, df.height(), AttributionOptions::default()).unwrap();
    let get = |c: &str| a.distinction.iter().find(|d| d.column == c).unwrap();
    let close = |x: f64, y: f64| (x - y).abs() < 5e-9;
    assert!(
        close(get("age").distinction, 0.00238711),
        "{}",
        get("age").distinction
    );
    assert!(
        close(get("age").separation, 0.97811726),
        "{}",
        get("age").separation
    );
    assert!(close(get("sex").distinction, 0.00006631));
    assert!(close(get("sex").separation, 0.43828435));
    assert!(close(get("*").distinction, 0.60039122));
    assert!(
        close(get("*").separation, 0.99988166),
        "{}",
        get("*").separation
    );
    // The full set singles out 14,021 records; the best subset of all 8 is the full set.
    let best = a.best_subsets.last().unwrap();
    assert_eq!(best.size, 8);
    assert_eq!(best.uniques, 14_021);
    assert_eq!(a.msu.sample_uniques, 14_021);
    // Every sample unique has at least one MSU, and MSU sizes add up.
    let by_size: usize = a.msu.by_size.iter().map(|s| s.count).sum();
    assert_eq!(by_size, a.msu.count);
    // Dropping a column can only lower (or keep) the unique fraction.
    assert!(a.drop_one.iter().all(|d| d.unique_fraction_drop >= 0.0));
}

fn columns(table: &[Vec<u32>], cards: &[u32]) -> Vec<EncodedColumn> {
    cards
        .iter()
        .enumerate()
        .map(|(c, &card)| EncodedColumn {
            name: format!("c{c}"),
            codes: table.iter().map(|row| row[c]).collect(),
            distinct: card,
            has_missing: false,
            numeric: false,
        })
        .collect()
}

fn key(row: &[u32], mask: u32) -> Vec<u32> {
    (0..row.len())
        .filter(|c| mask & (1 << c) != 0)
        .map(|c| row[c])
        .collect()
}

fn unique_on(table: &[Vec<u32>], r: usize, mask: u32) -> bool {
    let k = key(&table[r], mask);
    table.iter().filter(|row| key(row, mask) == k).count() == 1
}

/// Class sizes of the records on the columns of `mask`, by brute force.
fn class_sizes(table: &[Vec<u32>], mask: u32) -> Vec<u32> {
    let mut sizes: HashMap<Vec<u32>, u32> = HashMap::new();
    for row in table {
        *sizes.entry(key(row, mask)).or_default() += 1;
    }
    sizes.into_values().collect()
}

fn random_table() -> impl Strategy<Value = (Vec<Vec<u32>>, Vec<u32>)> {
    (1usize..6, 1usize..40).prop_flat_map(|(m, n)| {
        prop::collection::vec(1u32..5, m).prop_flat_map(move |cards| {
            let row = cards.iter().map(|&c| 0..=c).collect::<Vec<_>>();
            (prop::collection::vec(row, n), Just(cards))
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn lattice_and_msus_equal_brute_force((table, cards) in random_table(), cap in 1usize..6) {
        let m = cards.len();
        let n = table.len();
        let max_size = cap.min(m);
        let qis = columns(&table, &cards);
        let lattice = walk(&qis, n, max_size).unwrap();
        // Exhaustive: every subset's unique count, every record's MSUs.
        let mut want_msus: BTreeSet<(u32, u32)> = BTreeSet::new();
        let mut want_uniques: HashMap<u32, usize> = HashMap::new();
        for mask in 1u32..(1 << m) {
            if mask.count_ones() as usize > max_size { continue; }
            let uniques: Vec<usize> = (0..n).filter(|&r| unique_on(&table, r, mask)).collect();
            want_uniques.insert(mask, uniques.len());
            for r in uniques {
                let minimal = (0..m).filter(|c| mask & (1 << c) != 0)
                    .all(|c| { let sub = mask & !(1 << c); sub == 0 || !unique_on(&table, r, sub) });
                if minimal { want_msus.insert((r as u32, mask)); }
            }
        }
        let got_msus: BTreeSet<(u32, u32)> = lattice.subsets.iter()
            .flat_map(|s| s.msu_rows.iter().map(move |&r| (r, s.mask))).collect();
        for s in &lattice.subsets {
            prop_assert_eq!(s.uniques, want_uniques[&s.mask], "uniques of subset {:b}", s.mask);
            let sizes = class_sizes(&table, s.mask);
            let want = PartitionFigures {
                classes: sizes.len(),
                uniques: sizes.iter().filter(|&&f| f == 1).count(),
                pairs: sizes.iter().filter(|&&f| f == 2).count(),
                smallest: sizes.iter().copied().min().unwrap_or(0),
                same_pairs: sizes.iter().map(|&f| f as u64 * (f as u64 - 1)).sum(),
            };
            prop_assert_eq!(s.partition, want, "partition of subset {:b}", s.mask);
        }
        prop_assert_eq!(lattice.subsets.len(), want_uniques.len());
        prop_assert_eq!(&got_msus, &want_msus);

        // SUDA scores: the sum of the MSU weights of each record.
        let report = attribute(&qis, n, AttributionOptions { max_msu: Some(max_size), dis_fraction: 0.01, top_records: usize::MAX }).unwrap();
        for rec in &report.msu.records {
            let want: f64 = got_msus.iter().filter(|(r, _)| *r as usize + 1 == rec.row)
                .map(|(_, mask)| msu_score(mask.count_ones() as usize, m, max_size)).sum();
            prop_assert!((rec.suda - want).abs() < 1e-9);
        }
        prop_assert_eq!(report.msu.count, got_msus.len());
        // Each column's share of the MSU weight.
        let weight = |mask: u32| msu_score(mask.count_ones() as usize, m, max_size);
        let total: f64 = want_msus.iter().map(|(_, mask)| weight(*mask)).sum();
        for share in &report.msu.column_contributions {
            let c = (0..m).find(|&c| format!("c{c}") == share.column).unwrap();
            let own: f64 = want_msus.iter().filter(|(_, mask)| mask & (1 << c) != 0)
                .map(|(_, mask)| weight(*mask)).sum();
            let want = if total > 0.0 { own / total } else { 0.0 };
            prop_assert!((share.contribution - want).abs() < 1e-9, "{}", &share.column);
        }

        // Drop-one and distinction read the lattice where it reached, else partition the
        // rows: both must agree with brute force.
        let all = (1u32 << m) - 1;
        for d in &report.drop_one {
            let skip = (0..m).find(|&c| format!("c{c}") == d.column).unwrap();
            let sizes = class_sizes(&table, all & !(1 << skip));
            let uniques = sizes.iter().filter(|&&f| f == 1).count();
            prop_assert_eq!(d.k, sizes.iter().copied().min().unwrap_or(0));
            prop_assert!((d.unique_fraction - uniques as f64 / n as f64).abs() < 1e-12);
        }
        let full = class_sizes(&table, all);
        let star = report.distinction.iter().find(|d| d.column == "*").unwrap();
        prop_assert!((star.distinction - full.len() as f64 / n as f64).abs() < 1e-12);
    }
}

fn large_table() -> impl Strategy<Value = (Vec<Vec<u32>>, Vec<u32>)> {
    (2usize..5, 600usize..1500).prop_flat_map(|(m, n)| {
        prop::collection::vec(1u32..40, m).prop_flat_map(move |cards| {
            let row = cards.iter().map(|&c| 0..=c).collect::<Vec<_>>();
            (prop::collection::vec(row, n), Just(cards))
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    /// Classes of hundreds of records take the counting-sort refinement: partition figures
    /// still equal a regrouping of the rows.
    #[test]
    fn large_classes_refine_like_a_regrouping((table, cards) in large_table()) {
        let qis = columns(&table, &cards);
        let lattice = walk(&qis, table.len(), cards.len()).unwrap();
        for s in &lattice.subsets {
            let sizes = class_sizes(&table, s.mask);
            prop_assert_eq!(s.partition.classes, sizes.len(), "classes of {:b}", s.mask);
            prop_assert_eq!(s.uniques, sizes.iter().filter(|&&f| f == 1).count());
            let same: u64 = sizes.iter().map(|&f| f as u64 * (f as u64 - 1)).sum();
            prop_assert_eq!(s.partition.same_pairs, same);
        }
    }
}
