//! People, not rows: figures per entity against a brute-force grouping of entities by the
//! sorted multiset of their rows' QI tuples, the one-row-per-entity case against the plain
//! path (ARX's Adult figures included), real purchase data, and the demo's purchases view.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use linkrisk::audit::View;
use linkrisk::engine::{ClassTable, NullMode, encode_source};
use linkrisk::io::{LoadOptions, load};
use linkrisk::metrics::{MeasureOptions, measure};
use linkrisk::plan::Role;
use polars::prelude::*;
use proptest::prelude::*;

mod common;
use common::{ADULT, ADULT_QIS, linkrisk};

type Row = (Option<u8>, Option<u8>, Option<u8>, Option<u8>);
/// A person's (a, b) tuples (a multiset once sorted) and their rows' sensitive values.
type Person = (Vec<(Option<u8>, Option<u8>)>, Vec<Option<u8>>);
/// Per multiset of tuples: the people holding it and the sensitive values of all their rows.
type Classes = BTreeMap<Vec<(Option<u8>, Option<u8>)>, (u32, BTreeSet<Option<u8>>)>;

/// Rows of (entity, qi a, qi b, sensitive s): few entities with several rows each, some rows
/// without an entity.
fn rows() -> impl Strategy<Value = Vec<Row>> {
    let value = |n: u8| prop_oneof![1 => Just(None), 6 => (0..n).prop_map(Some)];
    prop::collection::vec((value(6), value(3), value(2), value(3)), 0..60)
}

fn text(v: &[Option<u8>]) -> Vec<Option<String>> {
    v.iter().map(|x| x.map(|x| x.to_string())).collect()
}

fn view(rows: &[Row]) -> View {
    let col = |name: &str, f: fn(&Row) -> Option<u8>| {
        Column::new(name.into(), text(&rows.iter().map(f).collect::<Vec<_>>()))
    };
    let df = DataFrame::new_infer_height(vec![
        col("who", |r| r.0),
        col("a", |r| r.1),
        col("b", |r| r.2),
        col("s", |r| r.3),
    ])
    .unwrap();
    let mut v = View::new(
        "v",
        df,
        vec![
            ("a".into(), Role::Qi),
            ("b".into(), Role::Qi),
            ("s".into(), Role::Sensitive),
        ],
    );
    v.entity = Some("who".into());
    v
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn entity_figures_equal_brute_force(rows in rows()) {
        let report = view(&rows).measure(MeasureOptions::default()).unwrap();
        // Brute force: people (a row without an entity is a person of its own), each with the
        // sorted multiset of its (a, b) tuples and the sensitive values of its rows.
        let mut people: Vec<Person> = Vec::new();
        let mut by_entity: HashMap<u8, usize> = HashMap::new();
        for r in &rows {
            let at = match r.0 {
                Some(e) => *by_entity.entry(e).or_insert_with(|| {
                    people.push((Vec::new(), Vec::new()));
                    people.len() - 1
                }),
                None => {
                    people.push((Vec::new(), Vec::new()));
                    people.len() - 1
                }
            };
            people[at].0.push((r.1, r.2));
            people[at].1.push(r.3);
        }
        let mut classes: Classes = BTreeMap::new();
        for (mut tuples, values) in people.clone() {
            tuples.sort();
            let class = classes.entry(tuples).or_default();
            class.0 += 1;
            class.1.extend(values);
        }
        let json = serde_json::to_value(&report).unwrap();
        prop_assert_eq!(report.entities, people.len());
        prop_assert_eq!(report.rows, rows.len());
        prop_assert_eq!(json["classes"].as_u64().unwrap() as usize, classes.len());
        let k = classes.values().map(|c| c.0).min().unwrap_or(0);
        prop_assert_eq!(json["k"].as_u64().unwrap() as u32, k);
        let uniques = classes.values().filter(|c| c.0 == 1).count();
        prop_assert_eq!(json["uniques"].as_u64().unwrap() as usize, uniques);
        let mut histogram: BTreeMap<u32, (usize, usize)> = BTreeMap::new();
        for c in classes.values() {
            let bin = histogram.entry(c.0).or_default();
            bin.0 += 1;
            bin.1 += c.0 as usize;
        }
        let got: Vec<(u32, usize, usize)> = json["class_size_histogram"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| {
                (
                    b["size"].as_u64().unwrap() as u32,
                    b["classes"].as_u64().unwrap() as usize,
                    b["records"].as_u64().unwrap() as usize,
                )
            })
            .collect();
        let want: Vec<(u32, usize, usize)> =
            histogram.into_iter().map(|(s, (c, r))| (s, c, r)).collect();
        prop_assert_eq!(got, want);
        if !classes.is_empty() {
            let avg = classes.len() as f64 / people.len() as f64;
            prop_assert!((json["prosecutor"]["avg"].as_f64().unwrap() - avg).abs() < 1e-12);
            let l = classes.values().map(|c| c.1.len()).min().unwrap();
            prop_assert_eq!(json["l_diversity"]["s"]["distinct"].as_u64().unwrap() as usize, l);
        }
    }
}

/// Adult with a row number as the entity: one row per person, so every figure is the plain
/// path's, which tests/adult.rs holds to ARX's.
#[test]
fn one_row_per_entity_measures_like_no_entity() {
    let qis: Vec<String> = ADULT_QIS.iter().map(|s| s.to_string()).collect();
    let sensitive = vec!["salary-class".to_string()];
    let mut columns = qis.clone();
    columns.extend(sensitive.clone());
    let df = load(ADULT, &columns, &LoadOptions::default()).unwrap();
    let df = df.with_row_index("row".into(), None).unwrap();
    let mut roles: Vec<(String, Role)> = qis.iter().map(|q| (q.clone(), Role::Qi)).collect();
    roles.push(("salary-class".into(), Role::Sensitive));
    let plain = View::new("adult", df.clone(), roles.clone());
    let mut per_person = View::new("adult", df, roles);
    per_person.entity = Some("row".into());
    let opts = MeasureOptions::default();
    let a = plain.measure(opts).unwrap();
    let b = per_person.measure(opts).unwrap();
    assert_eq!(b.entities, a.rows);
    assert_eq!(
        serde_json::to_value(&a.metrics).unwrap(),
        serde_json::to_value(&b.metrics).unwrap()
    );
    // The scan path's class table (the one tests/adult.rs holds to ARX's figures) gives the
    // same figures as the per-entity table.
    let (q, s, rows) = encode_source(ADULT, &qis, &sensitive, &LoadOptions::default()).unwrap();
    let direct = measure(&ClassTable::build(q, &s, rows, NullMode::Value), opts);
    assert_eq!(
        serde_json::to_value(&direct).unwrap(),
        serde_json::to_value(&b.metrics).unwrap()
    );
}

/// The Complete Journey's line items per household on store alone, counted here from the CSV.
#[test]
fn complete_journey_households_by_store() {
    let path = "../shared/data/completejourney/transactions_sample.csv";
    let report = common::linkrisk_json(&[
        "scan",
        path,
        "--entity",
        "household_id",
        "--qi",
        "store_id",
        "--format",
        "json",
        "--quiet",
    ]);
    let view = &report["views"][0];

    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let (h, s) = (
        header.iter().position(|c| *c == "household_id").unwrap(),
        header.iter().position(|c| *c == "store_id").unwrap(),
    );
    let mut stores: HashMap<String, Vec<String>> = HashMap::new();
    let mut rows = 0;
    for line in lines.filter(|l| !l.is_empty()) {
        let fields: Vec<&str> = line.split(',').collect();
        rows += 1;
        let key = if fields[h].is_empty() {
            format!("row {rows}")
        } else {
            fields[h].to_string()
        };
        stores.entry(key).or_default().push(fields[s].to_string());
    }
    let mut classes: HashMap<Vec<String>, usize> = HashMap::new();
    for mut v in stores.values().cloned() {
        v.sort();
        *classes.entry(v).or_default() += 1;
    }
    let uniques = classes.values().filter(|&&c| c == 1).count();
    assert_eq!(view["rows"].as_u64().unwrap() as usize, rows);
    assert_eq!(view["entity"], "household_id");
    assert_eq!(view["entities"].as_u64().unwrap() as usize, stores.len());
    assert_eq!(view["classes"].as_u64().unwrap() as usize, classes.len());
    assert_eq!(view["uniques"].as_u64().unwrap() as usize, uniques);
    assert_eq!(
        view["k"].as_u64().unwrap() as usize,
        *classes.values().min().unwrap()
    );
    // Counting rows instead would make it look far safer.
    let plain = linkrisk(&[
        "scan", path, "--qi", "store_id", "--format", "json", "--quiet",
    ]);
    let plain: serde_json::Value = serde_json::from_slice(&plain.stdout).unwrap();
    assert_eq!(plain["views"][0]["entity"], serde_json::Value::Null);
    assert_eq!(
        plain["views"][0]["entities"].as_u64().unwrap() as usize,
        rows
    );
    assert!(
        plain["views"][0]["unique_fraction"].as_f64().unwrap()
            < view["unique_fraction"].as_f64().unwrap()
    );
}

#[test]
fn demo_purchases_count_people() {
    let report = common::linkrisk_json(&["audit", "--format", "json", "--quiet"]);
    let view = |name: &str| {
        report["views"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["name"] == name)
            .unwrap()
            .clone()
    };
    let step = report["joins"]
        .as_array()
        .unwrap()
        .iter()
        .find(|j| j["name"] == "purchases by loyalty id")
        .unwrap()
        .clone();
    let purchases = view("purchases by loyalty id");
    assert_eq!(purchases["entity"], "loyalty_id");
    // The left view holds one row per loyalty id, so the distinct loyalty ids among the
    // purchases are the left records the step linked.
    let left = view(step["left"].as_str().unwrap());
    assert_eq!(left["rows"], left["entities"]);
    assert_eq!(purchases["entities"], step["matched_left"]);
    assert!(purchases["rows"].as_u64().unwrap() > purchases["entities"].as_u64().unwrap());
    assert!(purchases["unique_fraction"].as_f64().is_some());
    // Card payments without a loyalty id are people of their own.
    let transactions = view("transactions");
    assert!(transactions["entities"].as_u64().unwrap() < transactions["rows"].as_u64().unwrap());
}

#[test]
fn entity_with_wildcard_nulls_is_refused() {
    let out = linkrisk(&[
        "scan",
        "../shared/data/completejourney/transactions_sample.csv",
        "--entity",
        "household_id",
        "--qi",
        "store_id",
        "--nulls",
        "wildcard",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("--entity"), "{stderr}");
}

/// Encoded columns of random rows: QI `a`, QI `b`, QI `c` and the entity.
fn encoded(rows: &[Row]) -> Vec<linkrisk::engine::EncodedColumn> {
    let col = |name: &str, f: &dyn Fn(&Row) -> Option<u8>| {
        Column::new(name.into(), text(&rows.iter().map(f).collect::<Vec<_>>()))
    };
    let df = DataFrame::new_infer_height(vec![
        col("a", &|r| r.0),
        col("b", &|r| r.1),
        col("c", &|r| r.2),
        col("who", &|r| r.3),
    ])
    .unwrap();
    let names: Vec<String> = ["a", "b", "c", "who"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    linkrisk::engine::encode_columns(&df, &names, &[]).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Per subset: people unique on it, and the people for whom it is a minimal sample unique,
    /// against multisets of projected tuples compared directly.
    #[test]
    fn attribution_over_entities_equals_brute_force(
        rows in prop::collection::vec(
            (prop::option::of(0..3u8), prop::option::of(0..2u8), prop::option::of(0..3u8), prop::option::of(0..5u8)),
            1..40,
        )
    ) {
        use linkrisk::engine::entity::EntityNumbers;
        use linkrisk::metrics::attribution::entities::walk_entities;
        let mut columns = encoded(&rows);
        let entity = columns.pop().unwrap();
        let numbers = EntityNumbers::of(&entity);
        let lattice = walk_entities(&columns, &numbers, rows.len(), 3).unwrap();
        // People in order of first appearance; a row without an entity is one of its own.
        let mut people: Vec<Vec<usize>> = Vec::new();
        let mut seen: HashMap<u8, usize> = HashMap::new();
        for (i, r) in rows.iter().enumerate() {
            match r.3 {
                Some(e) if seen.contains_key(&e) => people[seen[&e]].push(i),
                _ => {
                    if let Some(e) = r.3 {
                        seen.insert(e, people.len());
                    }
                    people.push(vec![i]);
                }
            }
        }
        let project = |mask: u32, person: &[usize]| -> Vec<Vec<Option<u8>>> {
            let mut tuples: Vec<Vec<Option<u8>>> = person
                .iter()
                .map(|&i| {
                    let r = rows[i];
                    [r.0, r.1, r.2]
                        .iter()
                        .enumerate()
                        .filter(|(c, _)| mask & (1 << c) != 0)
                        .map(|(_, v)| *v)
                        .collect()
                })
                .collect();
            tuples.sort();
            tuples
        };
        let unique = |mask: u32, p: usize| {
            let mine = project(mask, &people[p]);
            people.iter().enumerate().all(|(q, other)| q == p || project(mask, other) != mine)
        };
        prop_assert_eq!(lattice.subsets.len(), 7);
        for subset in &lattice.subsets {
            let mask = subset.mask;
            let uniques = (0..people.len()).filter(|&p| unique(mask, p)).count();
            prop_assert_eq!(subset.uniques, uniques, "mask {}", mask);
            let msus: Vec<u32> = (0..people.len())
                .filter(|&p| {
                    unique(mask, p)
                        && (0..3).filter(|c| mask & (1 << c) != 0 && mask.count_ones() > 1)
                            .all(|c| !unique(mask & !(1 << c), p))
                })
                .map(|p| p as u32)
                .collect();
            prop_assert_eq!(&subset.msu_rows, &msus, "mask {}", mask);
        }
    }

    /// With one row per person the attribution over people is the attribution over rows.
    #[test]
    fn attribution_with_one_row_per_entity_is_the_row_attribution(
        rows in prop::collection::vec(
            (prop::option::of(0..3u8), prop::option::of(0..2u8), prop::option::of(0..3u8)),
            1..40,
        )
    ) {
        use linkrisk::metrics::attribution::{AttributionOptions, attribute, attribute_entities};
        let with_ids: Vec<_> = rows.iter().enumerate().map(|(i, r)| (r.0, r.1, r.2, Some(i as u8))).collect();
        let mut columns = encoded(&with_ids);
        let entity = columns.pop().unwrap();
        let opts = AttributionOptions::default();
        let plain = attribute(&columns, rows.len(), opts).unwrap();
        let people = attribute_entities(&columns, &entity, rows.len(), opts).unwrap();
        prop_assert_eq!(
            serde_json::to_value(&plain).unwrap(),
            serde_json::to_value(&people).unwrap()
        );
    }
}

/// A generalisation hint for a view that names its people counts people too: four people with
/// three rows each, one value apiece, are unique per person; banding the value puts all four
/// in one class (k = 4 people, where rows would say 12).
#[test]
fn hints_for_an_entity_view_count_people() {
    use linkrisk::audit::findings::rank;
    use linkrisk::report::Policy;
    let who: Vec<String> = (0..12).map(|i| format!("p{}", i / 3)).collect();
    let n: Vec<String> = (0..12).map(|i| (i / 3 + 1).to_string()).collect();
    let df = DataFrame::new_infer_height(vec![
        Column::new("who".into(), who),
        Column::new("n".into(), n),
    ])
    .unwrap();
    let mut v = View::new("people", df, vec![("n".into(), Role::Qi)]);
    v.entity = Some("who".into());
    let report = v.measure(MeasureOptions::default()).unwrap();
    assert_eq!(report.entities, 4);
    assert_eq!(report.metrics.k_anonymity.unique_fraction, 1.0);
    let policy = Policy {
        k: 5,
        l: None,
        max_unique_fraction: None,
    }
    .evaluate(std::slice::from_ref(&report));
    let frames: HashMap<String, View> = [("people".to_string(), v)].into_iter().collect();
    let findings = rank(std::slice::from_ref(&report), &[], &[], &frames, &policy, 5).unwrap();
    let hint = findings
        .iter()
        .find(|f| f.code == "hint")
        .expect("a hint for the view");
    assert!(
        hint.message.contains("k = 4 and 0.00% unique"),
        "{}",
        hint.message
    );
}
