//! The unicity engine (de Montjoye et al. 2015) against brute force: each drawn point set's
//! verdict against a scan of every other trace, the exact ε_p of tiny populations inside the
//! reported interval, and the populations whose answer is known.

use std::collections::BTreeSet;

use linkrisk::metrics::unicity::{
    Method, NONE, PairIndex, Scratch, Traces, curve, person_draws, wilson,
};
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

/// A person's draws at every p (as positions in their trace) and each draw's verdict by a scan
/// of every other person's set of points.
fn draws_and_scan(
    t: &Traces,
    e: u32,
    sets: &[BTreeSet<u32>],
    seed: u64,
) -> (Vec<Vec<Vec<u32>>>, Vec<Vec<bool>>) {
    let trace = t.trace(e).to_vec();
    let draws_by_p: Vec<Vec<Vec<u32>>> = (1..=trace.len())
        .map(|p| {
            person_draws(t, e, p, 4, seed)
                .iter()
                .map(|d| {
                    d.iter()
                        .map(|x| trace.binary_search(x).unwrap() as u32)
                        .collect()
                })
                .collect()
        })
        .collect();
    let verdicts = draws_by_p
        .iter()
        .map(|draws| {
            draws
                .iter()
                .map(|d| {
                    let drawn: BTreeSet<u32> = d.iter().map(|&i| trace[i as usize]).collect();
                    !sets
                        .iter()
                        .enumerate()
                        .any(|(o, s)| o != e as usize && drawn.is_subset(s))
                })
                .collect()
        })
        .collect();
    (draws_by_p, verdicts)
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

    /// Every way of testing a person's draws (each draw on its posting lists, or all of them
    /// against the masks of points shared with each other person, found through points or
    /// through pairs of points) gives a scan's verdict.
    #[test]
    fn both_methods_equal_a_scan_of_every_other_trace((rows, people, points) in population(), seed in any::<u64>()) {
        let t = traces(&rows, people, points);
        let s = sets(&rows, people);
        let mut scratch = Scratch::default();
        let mut singled_by_p = [0u64; 9];
        for e in 0..people as u32 {
            let (draws_by_p, want) = draws_and_scan(&t, e, &s, seed);
            let index = PairIndex::build(&t);
            for method in [Method::PostingLists, Method::SharedMasks, Method::SharedPairs(&index)] {
                prop_assert_eq!(&t.verdicts(e, &draws_by_p, method, &mut scratch), &want);
            }
            for (p, verdicts) in want.iter().enumerate() {
                singled_by_p[p] += verdicts.iter().filter(|&&v| v).count() as u64;
            }
        }
        // The curve (which draws masks without allocating) makes the same draws.
        for point in curve(&t, 9, 4, seed) {
            prop_assert_eq!(point.unique_draws, singled_by_p[point.p - 1]);
        }
    }

    /// With people whose traces are too long for masks ("heavy", over 64 points) among the
    /// others: the light people's pair masks still see the heavy people who share their points.
    #[test]
    fn pair_masks_see_people_with_long_traces(
        long in prop::collection::vec(prop::sample::subsequence((0..90u32).collect::<Vec<_>>(), 65..80), 1..3),
        short in prop::collection::vec(prop::sample::subsequence((0..90u32).collect::<Vec<_>>(), 1..6), 1..8),
        seed in any::<u64>(),
    ) {
        let all: Vec<BTreeSet<u32>> =
            long.iter().chain(&short).map(|v| v.iter().copied().collect()).collect();
        let rows: Vec<(u32, u32)> = all
            .iter()
            .enumerate()
            .flat_map(|(e, set)| set.iter().map(move |&x| (e as u32, x)))
            .collect::<Vec<_>>()
            .into_iter()
            .collect();
        let t = traces(&rows, all.len(), 90);
        let index = PairIndex::build(&t);
        let mut scratch = Scratch::default();
        for e in long.len()..all.len() {
            let e = e as u32;
            let (draws_by_p, want) = draws_and_scan(&t, e, &all, seed);
            prop_assert_eq!(&t.verdicts(e, &draws_by_p, Method::SharedPairs(&index), &mut scratch), &want);
        }
        // The curve's totals, the long traces included, equal a scan for each draw.
        let mut singled_by_p = [0u64; 6];
        for e in 0..all.len() {
            for (p, total) in singled_by_p.iter_mut().enumerate() {
                for draw in person_draws(&t, e as u32, p + 1, 4, seed) {
                    let drawn: BTreeSet<u32> = draw.into_iter().collect();
                    if drawn.len() == p + 1
                        && !all.iter().enumerate().any(|(o, s)| o != e && drawn.is_subset(s))
                    {
                        *total += 1;
                    }
                }
            }
        }
        for point in curve(&t, 6, 4, seed) {
            prop_assert_eq!(point.unique_draws, singled_by_p[point.p - 1]);
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

mod common;

const JOURNEY: &str = "../shared/data/completejourney/transactions_sample.csv";

/// The Complete Journey's line items, points (store, day): people, trace lengths and the
/// exact ε_1 and ε_2 (over every point and pair of each trace) counted here from the CSV.
#[test]
fn complete_journey_store_day_unicity() {
    let report = common::linkrisk_json(&[
        "unicity",
        JOURNEY,
        "--entity",
        "household_id",
        "--points",
        "store_id,transaction_timestamp",
        "--time",
        "transaction_timestamp:day",
        "--max-points",
        "3",
        "--draws",
        "20",
        "--format",
        "json",
        "--quiet",
    ]);
    let u = &report["unicity"];

    let text = std::fs::read_to_string(JOURNEY).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let at = |name: &str| header.iter().position(|c| *c == name).unwrap();
    let (h, s, t) = (
        at("household_id"),
        at("store_id"),
        at("transaction_timestamp"),
    );
    let mut traces: std::collections::HashMap<String, BTreeSet<(String, String)>> =
        std::collections::HashMap::new();
    for line in lines.filter(|l| !l.is_empty()) {
        let f: Vec<&str> = line.split(',').collect();
        traces
            .entry(f[h].to_string())
            .or_default()
            .insert((f[s].to_string(), f[t][..10].to_string()));
    }
    let mut holders: std::collections::HashMap<(String, String), usize> =
        std::collections::HashMap::new();
    for trace in traces.values() {
        for p in trace {
            *holders.entry(p.clone()).or_default() += 1;
        }
    }
    let mut lengths: Vec<usize> = traces.values().map(BTreeSet::len).collect();
    lengths.sort_unstable();
    let median = if lengths.len() % 2 == 1 {
        lengths[lengths.len() / 2] as f64
    } else {
        (lengths[lengths.len() / 2 - 1] + lengths[lengths.len() / 2]) as f64 / 2.0
    };
    assert_eq!(u["people"].as_u64().unwrap() as usize, traces.len());
    assert_eq!(u["median_points"].as_f64().unwrap(), median);
    assert_eq!(u["missing_entity_rows"], 0);
    assert_eq!(u["missing_point_rows"], 0);
    // Exact ε_1: the share of each person's points nobody else holds, averaged over people.
    let exact1: f64 = traces
        .values()
        .map(|tr| tr.iter().filter(|p| holders[*p] == 1).count() as f64 / tr.len() as f64)
        .sum::<f64>()
        / traces.len() as f64;
    // Exact ε_2 over every pair of points of each trace with at least two.
    let all: Vec<&BTreeSet<(String, String)>> = traces.values().collect();
    let mut by_point: std::collections::HashMap<&(String, String), Vec<usize>> =
        std::collections::HashMap::new();
    for (i, tr) in all.iter().enumerate() {
        for p in tr.iter() {
            by_point.entry(p).or_default().push(i);
        }
    }
    let (mut sum2, mut people2) = (0.0, 0usize);
    for (i, tr) in all.iter().enumerate().filter(|(_, tr)| tr.len() >= 2) {
        let points: Vec<&(String, String)> = tr.iter().collect();
        let (mut alone, mut pairs) = (0usize, 0usize);
        for a in 0..points.len() {
            for b in a + 1..points.len() {
                pairs += 1;
                let others = by_point[points[a]]
                    .iter()
                    .any(|&o| o != i && all[o].contains(points[b]));
                alone += usize::from(!others);
            }
        }
        sum2 += alone as f64 / pairs as f64;
        people2 += 1;
    }
    let curve = u["curve"].as_array().unwrap();
    assert_eq!(curve.len(), 3);
    assert_eq!(curve[1]["people"].as_u64().unwrap() as usize, people2);
    for (point, exact) in [(&curve[0], exact1), (&curve[1], sum2 / people2 as f64)] {
        let (low, high) = (
            point["ci_low"].as_f64().unwrap(),
            point["ci_high"].as_f64().unwrap(),
        );
        assert!(
            low <= exact && exact <= high,
            "p = {}: {exact} not in [{low}, {high}]",
            point["p"]
        );
    }
}

#[test]
fn bad_unicity_input_exits_2_with_one_line() {
    let cases: [(&[&str], &str); 6] = [
        (&["--points", "store_id,nope"], "nope"),
        (
            &["--points", "store_id", "--max-points", "0"],
            "--max-points",
        ),
        (&["--points", "store_id", "--draws", "0"], "--draws"),
        (
            &["--points", "store_id", "--time", "store_id:day"],
            "store_id",
        ),
        (
            &["--points", "store_id", "--time", "week:day"],
            "not one of --points",
        ),
        (
            &["--points", "store_id", "--time", "store_id:fortnight"],
            "fortnight",
        ),
    ];
    for (args, needle) in cases {
        let mut all = vec!["unicity", JOURNEY, "--entity", "household_id"];
        all.extend(args);
        let out = common::linkrisk(&all);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(stderr.trim_end().lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn time_coarsening_and_iso_weeks() {
    use linkrisk::internals::audit::history::{TimeLevel, coarsen_time};
    let c = |v: &str, l: TimeLevel| coarsen_time(v, l);
    assert_eq!(
        c("2017-01-28 19:06:53", TimeLevel::Hour).as_deref(),
        Some("2017-01-28 19")
    );
    assert_eq!(
        c("2017-01-28T19:06", TimeLevel::Day).as_deref(),
        Some("2017-01-28")
    );
    assert_eq!(
        c("2017-01-28", TimeLevel::Month).as_deref(),
        Some("2017-01")
    );
    // 1 January 2017 was a Sunday: ISO week 52 of 2016; 31 December 2018 a Monday: 2019-W01.
    assert_eq!(
        c("2017-01-01", TimeLevel::Week).as_deref(),
        Some("2016-W52")
    );
    assert_eq!(
        c("2018-12-31", TimeLevel::Week).as_deref(),
        Some("2019-W01")
    );
    assert_eq!(
        c("2020-12-31", TimeLevel::Week).as_deref(),
        Some("2020-W53")
    );
    assert_eq!(
        c("2017-01-02", TimeLevel::Week).as_deref(),
        Some("2017-W01")
    );
    assert_eq!(c("28/01/2017", TimeLevel::Day), None);
    assert_eq!(c("2017-13-01", TimeLevel::Day), None);
}

#[test]
fn rows_without_a_person_or_a_point_are_counted_apart() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("linkrisk-unicity");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("rows.csv");
    // a: two points; b: one point and a row missing its store; two rows without a person.
    std::fs::write(
        &path,
        "who,store,day\na,1,2024-01-01\na,2,2024-01-01\nb,1,2024-01-01\nb,,2024-01-02\n,3,2024-01-03\n,1,2024-01-01\n",
    )
    .unwrap();
    let report = common::linkrisk_json(&[
        "unicity",
        path.to_str().unwrap(),
        "--entity",
        "who",
        "--points",
        "store,day",
        "--max-points",
        "3",
        "--format",
        "json",
        "--quiet",
    ]);
    let u = &report["unicity"];
    assert_eq!(u["people"], 2);
    assert_eq!(u["missing_entity_rows"], 2);
    assert_eq!(u["missing_point_rows"], 1);
    assert_eq!(u["median_points"].as_f64(), Some(1.5));
    let curve = u["curve"].as_array().unwrap();
    // p = 1: a's point (2, day 1) is private, (1, day 1) is b's too; b's only point is shared.
    assert_eq!(curve[0]["people"], 2);
    assert_eq!(curve[1]["people"], 1);
    assert_eq!(curve[1]["unique_fraction"].as_f64(), Some(1.0));
    assert_eq!(curve[2]["people"], 0);
    assert!(curve[2]["unique_fraction"].is_null());
}

#[test]
fn bands_of_width_and_of_powers_of_two() {
    use linkrisk::internals::audit::history::Band;
    let log = |v: f64| Band::Log.apply(v);
    assert_eq!(
        [
            log(0.0),
            log(1.0),
            log(3.0),
            log(4.0),
            log(5.5),
            log(0.75),
            log(-3.0)
        ],
        ["0", "1", "2", "4", "4", "0.5", "-2"].map(String::from)
    );
    let ten = |v: f64| Band::Width(10.0).apply(v);
    assert_eq!(
        [ten(37.0), ten(30.0), ten(3.0), ten(-3.0)],
        ["30", "30", "0", "-10"].map(String::from)
    );
    assert!(Band::parse("0").is_err() && Band::parse("x").is_err());
}

/// The resolution table has one row per combination of the given coarsenings, and the row of
/// the curve's own coarsening repeats the curve's ε_4 (same traces, same draws).
#[test]
fn resolution_table_combines_every_coarsening() {
    let report = common::linkrisk_json(&[
        "unicity",
        JOURNEY,
        "--entity",
        "household_id",
        "--points",
        "store_id,transaction_timestamp",
        "--time",
        "transaction_timestamp:day",
        "--max-points",
        "4",
        "--coarsen",
        "transaction_timestamp:day,week,month",
        "--coarsen",
        "store_id:prefix9,prefix2",
        "--format",
        "json",
        "--quiet",
    ]);
    let u = &report["unicity"];
    let rows = u["resolution"].as_array().unwrap();
    assert_eq!(rows.len(), 6);
    let levels: BTreeSet<(String, String)> = rows
        .iter()
        .map(|r| {
            (
                r["coarsening"]["transaction_timestamp"]
                    .as_str()
                    .unwrap()
                    .to_string(),
                r["coarsening"]["store_id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(levels.len(), 6);
    // store_id values have at most 5 digits, so prefix9 keeps them whole.
    let own = rows
        .iter()
        .find(|r| {
            r["coarsening"]["transaction_timestamp"] == "day"
                && r["coarsening"]["store_id"] == "prefix9"
        })
        .unwrap();
    assert_eq!(own["epsilon_4"], u["curve"][3]["unique_fraction"]);
    let bad = common::linkrisk(&[
        "unicity",
        JOURNEY,
        "--entity",
        "household_id",
        "--points",
        "store_id",
        "--coarsen",
        "store_id:fortnight",
    ]);
    assert_eq!(bad.status.code(), Some(2));
}

/// A plan source that declares points: the audit's unicity section is the command's on the
/// same file, and a finding names the p where half and most are singled out.
#[test]
fn audit_measures_purchase_unicity() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("linkrisk-unicity-plan");
    std::fs::create_dir_all(&dir).unwrap();
    let transactions = std::fs::canonicalize("fixtures/retail/transactions.csv").unwrap();
    let plan = dir.join("plan.toml");
    std::fs::write(
        &plan,
        format!(
            "[[source]]\nname = \"transactions\"\npath = \"{}\"\ncolumns = {{ store = \"qi\" }}\nentity = \"loyalty_id\"\npoints = [\"store\", \"timestamp\"]\ntime = {{ timestamp = \"day\" }}\n",
            transactions.display()
        ),
    )
    .unwrap();
    let report = common::linkrisk_json(&[
        "audit",
        plan.to_str().unwrap(),
        "--format",
        "json",
        "--quiet",
    ]);
    let view = report["views"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == "transactions")
        .unwrap();
    let command = common::linkrisk(&[
        "unicity",
        "fixtures/retail/transactions.csv",
        "--entity",
        "loyalty_id",
        "--points",
        "store,timestamp",
        "--time",
        "timestamp:day",
        "--format",
        "json",
        "--quiet",
    ]);
    let alone: serde_json::Value = serde_json::from_slice(&command.stdout).unwrap();
    assert_eq!(view["unicity"], alone["unicity"]);
    let finding = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "unicity")
        .expect("a unicity finding");
    assert_eq!(finding["subject"], "transactions");
    assert!(
        finding["message"]
            .as_str()
            .unwrap()
            .contains("passes 50% at")
    );
}

/// Writes (person, time) rows as Parquet with the time column of `dtype`.
fn write_times(
    path: &std::path::Path,
    people: &[Option<u32>],
    times: &[Option<i64>],
    dtype: &polars::prelude::DataType,
) {
    use polars::prelude::*;
    let ts = match dtype {
        DataType::Date => Column::new(
            "ts".into(),
            times
                .iter()
                .map(|t| t.map(|t| t as i32))
                .collect::<Vec<_>>(),
        ),
        _ => Column::new("ts".into(), times.to_vec()),
    }
    .cast(dtype)
    .unwrap();
    let mut df = DataFrame::new_infer_height(vec![
        Column::new("who".into(), people.to_vec()),
        Column::new(
            "store".into(),
            people.iter().map(|p| p.map(|p| p % 3)).collect::<Vec<_>>(),
        ),
        ts,
    ])
    .unwrap();
    ParquetWriter::new(std::fs::File::create(path).unwrap())
        .finish(&mut df)
        .unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Dates and timestamps read from Parquet as numbers: their text is polars' text, and
    /// coarsening the numbers gives the same unicity as coarsening that text read from a CSV.
    #[test]
    fn parquet_times_coarsen_like_their_text(
        rows in prop::collection::vec(
            (prop::option::weighted(0.9, 0..30u32), prop::option::weighted(0.95, -4_000_000_000i64..4_000_000_000)),
            1..200,
        ),
        unit in 0..4usize,
        fraction in 0..1_000i64,
    ) {
        use linkrisk::internals::audit::history::{TimeLevel, UnicityOptions, unicity};
        use polars::prelude::{DataType, TimeUnit};
        let (dtype, scale) = match unit {
            0 => (DataType::Date, 0),
            1 => (DataType::Datetime(TimeUnit::Milliseconds, None), 1_000),
            2 => (DataType::Datetime(TimeUnit::Microseconds, None), 1_000_000),
            _ => (DataType::Datetime(TimeUnit::Nanoseconds, None), 1_000_000_000),
        };
        let people: Vec<Option<u32>> = rows.iter().map(|r| r.0).collect();
        // Seconds (days for a date, kept within ±10,000 years) in the unit, with a fraction.
        let times: Vec<Option<i64>> = rows
            .iter()
            .map(|r| r.1.map(|s| if scale == 0 { s / 100_000 } else { s * scale + fraction * scale / 1_000 }))
            .collect();
        let dir = tempfile::tempdir().unwrap();
        let parquet = dir.path().join("t.parquet");
        write_times(&parquet, &people, &times, &dtype);

        // The coded reader's text of each value is polars' own.
        let (columns, _) = linkrisk::source::Source::file(parquet.to_str().unwrap(), Default::default())
            .coded_columns(&["ts".to_string()])
            .unwrap();
        let polars_text = linkrisk::io::load(parquet.to_str().unwrap(), &["ts".to_string()], &Default::default())
            .unwrap()
            .column("ts")
            .unwrap()
            .cast(&DataType::String)
            .unwrap();
        let polars_text: Vec<Option<String>> =
            polars_text.str().unwrap().iter().map(|v| v.map(str::to_string)).collect();
        // Read straight to codes, as numbers with their unit (not through polars' text).
        let as_times = matches!(columns[0].dictionary, linkrisk::io::coded::Dictionary::Times { .. });
        prop_assert!(as_times, "the time column took the polars path");
        let ours: Vec<Option<String>> =
            columns[0].codes.iter().map(|&c| columns[0].dictionary.value(c)).collect();
        prop_assert_eq!(&ours, &polars_text);

        let csv = dir.path().join("t.csv");
        let mut text = String::from("who,store,ts\n");
        for ((who, t), store) in people.iter().zip(&polars_text).zip(people.iter().map(|p| p.map(|p| p % 3))) {
            let cell = |v: Option<String>| v.unwrap_or_default();
            text.push_str(&format!("{},{},{}\n", cell(who.map(|w| w.to_string())), cell(store.map(|s| s.to_string())), cell(t.clone())));
        }
        std::fs::write(&csv, text).unwrap();
        for level in [TimeLevel::Hour, TimeLevel::Day, TimeLevel::Week, TimeLevel::Month] {
            let run = |path: &std::path::Path| {
                unicity(&UnicityOptions {
                    path: path.to_str().unwrap().to_string(),
                    table: None,
                    query: None,
                    entity: "who".into(),
                    points: vec!["store".into(), "ts".into()],
                    time: vec![("ts".into(), level)],
                    band: Vec::new(),
                    coarsen: Vec::new(),
                    max_points: 3,
                    draws: 5,
                    seed: 1,
                    load: Default::default(),
                })
                .unwrap()
            };
            let (a, b) = (run(&parquet), run(&csv));
            prop_assert_eq!(a.people, b.people);
            prop_assert_eq!(a.missing_point_rows, b.missing_point_rows);
            prop_assert_eq!(a.curve, b.curve);
        }
    }
}
