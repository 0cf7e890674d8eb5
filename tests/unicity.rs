//! The unicity engine (de Montjoye et al. 2015) against brute force: each drawn point set's
//! verdict against a scan of every other trace, the exact ε_p of tiny populations inside the
//! reported interval, and the populations whose answer is known.

use std::collections::BTreeSet;

use linkrisk::metrics::unicity::{NONE, Traces, curve, person_draws, wilson};
use proptest::prelude::*;

/// Traces from (person, point) rows.
fn traces(rows: &[(u32, u32)], people: usize, points: usize) -> Traces {
    let (persons, pts): (Vec<u32>, Vec<u32>) = rows.iter().copied().unzip();
    Traces::build(&persons, &pts, people, points)
}

fn sets(rows: &[(u32, u32)], people: usize) -> Vec<BTreeSet<u32>> {
    let mut sets = vec![BTreeSet::new(); people];
    for &(e, p) in rows {
        sets[e as usize].insert(p);
    }
    sets
}

fn population() -> impl Strategy<Value = (Vec<(u32, u32)>, usize, usize)> {
    (1usize..12, 1usize..10).prop_flat_map(|(people, points)| {
        (
            prop::collection::vec((0..people as u32, 0..points as u32), 0..80),
            Just(people),
            Just(points),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Every draw of every person at every p: singled out exactly when no other person's
    /// trace holds all of its points; draws are distinct points of the person's own trace.
    #[test]
    fn each_draw_equals_a_scan_of_every_other_trace((rows, people, points) in population(), seed in any::<u64>()) {
        let t = traces(&rows, people, points);
        let s = sets(&rows, people);
        for e in 0..people as u32 {
            prop_assert_eq!(t.trace(e).iter().copied().collect::<BTreeSet<_>>(), s[e as usize].clone());
            for p in 1..=s[e as usize].len() {
                for draw in person_draws(&t, e, p, 4, seed) {
                    let distinct: BTreeSet<u32> = draw.iter().copied().collect();
                    prop_assert_eq!(distinct.len(), p);
                    prop_assert!(distinct.is_subset(&s[e as usize]));
                    let others = (0..people).any(|o| o != e as usize && distinct.is_subset(&s[o]));
                    prop_assert_eq!(t.singles_out(e, &draw), !others);
                }
            }
        }
    }

    /// People with fewer than p points are not counted at p.
    #[test]
    fn people_with_too_few_points_are_not_counted((rows, people, points) in population()) {
        let t = traces(&rows, people, points);
        let s = sets(&rows, people);
        for point in curve(&t, 5, 3, 7) {
            let expected = s.iter().filter(|x| x.len() >= point.p).count();
            prop_assert_eq!(point.people, expected);
            prop_assert_eq!(point.unique_fraction.is_none(), expected == 0);
        }
    }
}

/// All p-subsets of a set, for the exact ε_p of tiny populations.
fn subsets(items: &[u32], p: usize) -> Vec<Vec<u32>> {
    if p == 0 {
        return vec![vec![]];
    }
    let mut out = Vec::new();
    for (i, &x) in items.iter().enumerate() {
        for mut rest in subsets(&items[i + 1..], p - 1) {
            rest.insert(0, x);
            out.push(rest);
        }
    }
    out
}

#[test]
fn exact_unicity_of_tiny_populations_lies_in_the_interval() {
    // Five people over six points, traces overlapping in different ways.
    let rows: Vec<(u32, u32)> = vec![
        (0, 0),
        (0, 1),
        (0, 2),
        (1, 0),
        (1, 1),
        (1, 3),
        (2, 1),
        (2, 2),
        (2, 3),
        (2, 4),
        (3, 4),
        (3, 5),
        (4, 0),
        (4, 5),
    ];
    let t = traces(&rows, 5, 6);
    let s = sets(&rows, 5);
    for point in curve(&t, 4, 400, 11) {
        // Exact: the mean over counted people of the fraction of their p-subsets that no
        // other trace contains (each person's draws are uniform over their p-subsets).
        let counted: Vec<usize> = (0..5).filter(|&e| s[e].len() >= point.p).collect();
        if counted.is_empty() {
            assert!(point.unique_fraction.is_none());
            continue;
        }
        let exact: f64 = counted
            .iter()
            .map(|&e| {
                let mine: Vec<u32> = s[e].iter().copied().collect();
                let all = subsets(&mine, point.p);
                let alone = all
                    .iter()
                    .filter(|sub| (0..5).all(|o| o == e || !sub.iter().all(|x| s[o].contains(x))))
                    .count();
                alone as f64 / all.len() as f64
            })
            .sum::<f64>()
            / counted.len() as f64;
        let (low, high) = (point.ci_low.unwrap(), point.ci_high.unwrap());
        assert!(
            low <= exact && exact <= high,
            "p = {}: {exact} not in [{low}, {high}]",
            point.p
        );
    }
}

#[test]
fn the_same_trace_for_everyone_singles_nobody_out() {
    let rows: Vec<(u32, u32)> = (0..6).flat_map(|e| (0..4).map(move |p| (e, p))).collect();
    for point in curve(&traces(&rows, 6, 4), 4, 10, 1) {
        assert_eq!(point.people, 6);
        assert_eq!(point.unique_fraction, Some(0.0));
    }
}

#[test]
fn private_points_single_everyone_out_with_one() {
    let rows: Vec<(u32, u32)> = (0..6)
        .flat_map(|e| (0..3).map(move |p| (e, e * 3 + p)))
        .collect();
    let c = curve(&traces(&rows, 6, 18), 3, 10, 1);
    assert_eq!(c[0].unique_fraction, Some(1.0));
    assert_eq!(c[0].unique_draws, 60);
}

#[test]
fn rows_not_counted_are_left_out() {
    // A row without a person or without a point adds nothing.
    let t = Traces::build(&[0, NONE, 1, 1], &[0, 1, NONE, 2], 2, 3);
    assert_eq!(t.trace(0), &[0]);
    assert_eq!(t.trace(1), &[2]);
    assert_eq!(t.holders(1), &[] as &[u32]);
}

#[test]
fn wilson_interval_of_eight_in_ten() {
    // (x̂ + z²/2n ± z·sqrt(x̂(1−x̂)/n + z²/4n²)) / (1 + z²/n) with x̂ = 0.8, n = 10, z = 1.96.
    let (low, high) = wilson(8, 10);
    assert!((low - 0.490_162).abs() < 1e-6, "{low}");
    assert!((high - 0.943_318).abs() < 1e-6, "{high}");
    assert_eq!(wilson(0, 10).0, 0.0);
}
