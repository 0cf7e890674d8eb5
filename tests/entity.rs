//! People, not rows: figures per entity against a brute-force grouping of entities by the
//! sorted multiset of their rows' QI tuples, the one-row-per-entity case against the plain
//! path (ARX's Adult figures included), real purchase data, and the demo's purchases view.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use linkrisk::engine::{ClassTable, NullMode};
use linkrisk::internals::audit::View;
use linkrisk::io::{LoadOptions, load};
use linkrisk::metrics::{MeasureOptions, measure};
use linkrisk::plan::Role;
use linkrisk::source::Source;
use polars::prelude::*;
use proptest::prelude::*;

mod common;
use common::{ADULT, ADULT_QIS, linkrisk};

type Row = (Option<u8>, Option<u8>, Option<u8>, Option<u8>);
/// A person's (a, b) tuples.
type Tuples = Vec<(Option<u8>, Option<u8>)>;
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
    let (q, s, rows) = Source::file(ADULT, LoadOptions::default())
        .encoded(&qis, &sensitive)
        .unwrap();
    let direct = measure(
        &ClassTable::build(q, &s, rows, NullMode::Value, false),
        opts,
    );
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

/// A remedy for a view that names its people counts people too: four people with three rows
/// each, one value apiece, are unique per person; banding the value puts all four in one class
/// (k = 4 people, where rows would say 12).
#[test]
fn remedies_for_an_entity_view_count_people() {
    use linkrisk::internals::audit::findings::rank;
    use linkrisk::model::Policy;
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
    let frames: HashMap<String, View> = [("people".to_string(), v)].into_iter().collect();
    let findings_at = |k: u32| {
        let policy = Policy {
            k,
            l: None,
            max_unique_fraction: None,
            ..Default::default()
        };
        let policy =
            linkrisk::internals::audit::verdict::judge(&policy, std::slice::from_ref(&report), &[]);
        rank(
            std::slice::from_ref(&report),
            &[],
            &[],
            &frames,
            &policy,
            0.0,
        )
        .unwrap()
    };
    let findings = findings_at(4);
    let remedy = findings
        .iter()
        .find(|f| f.code == linkrisk::model::FindingCode::Remedy)
        .unwrap_or_else(|| panic!("a remedy for the view: {findings:?}"));
    assert!(
        remedy
            .message
            .contains("n → band:5 gives k = 4, 0.00% unique"),
        "{}",
        remedy.message
    );
    // At k = 5 there are not enough people: no generalisation can do it.
    assert!(
        findings_at(5)
            .iter()
            .any(|f| f.code == linkrisk::model::FindingCode::RemedyNotFound)
    );
}

/// Records for `link --entity`: (person, compared a, compared b, truth).
type LinkRow = (Option<u8>, Option<u8>, Option<u8>, Option<u8>);

fn link_rows() -> impl Strategy<Value = Vec<LinkRow>> {
    let value = |n: u8| prop_oneof![1 => Just(None), 8 => (0..n).prop_map(Some)];
    prop::collection::vec((value(8), value(2), value(2), value(4)), 1..40)
}

fn write_side(dir: &std::path::Path, name: &str, rows: &[LinkRow]) -> String {
    let cell = |v: Option<u8>| v.map_or(String::new(), |v| v.to_string());
    let mut text = String::from("who,a,b,truth\n");
    for &(who, a, b, t) in rows {
        text.push_str(&format!(
            "{},{},{},{}\n",
            cell(who),
            cell(a),
            cell(b),
            cell(t)
        ));
    }
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

/// A brute-force person: their key (the sorted multiset of record keys, a record with any
/// missing compared value having no key; `None` when no record has a key) and the truth of
/// their first record.
type LinkPerson = (Option<RecordKeys>, Option<u8>);
/// A person's record keys.
type RecordKeys = Vec<Option<(u8, u8)>>;

fn link_people(rows: &[LinkRow]) -> Vec<LinkPerson> {
    let mut order: Vec<Option<u8>> = Vec::new();
    let mut people: Vec<(RecordKeys, Option<u8>)> = Vec::new();
    for &(who, a, b, t) in rows {
        let key = a.zip(b);
        let at = match who {
            Some(w) => order.iter().position(|&o| o == Some(w)),
            None => None,
        };
        match at {
            Some(i) => people[i].0.push(key),
            None => {
                order.push(who);
                people.push((vec![key], t));
            }
        }
    }
    people
        .into_iter()
        .map(|(mut keys, t)| {
            keys.sort();
            ((keys.iter().any(|k| k.is_some())).then_some(keys), t)
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// `link --entity` counts people: a target person's candidates are the identified people
    /// with the same multiset of record keys; a unique match is one identified and one target
    /// person sharing a multiset.
    #[test]
    fn link_by_people_equals_brute_force(a in link_rows(), b in link_rows()) {
        let dir = tempfile::tempdir().unwrap();
        let a_path = write_side(dir.path(), "a.csv", &a);
        let b_path = write_side(dir.path(), "b.csv", &b);
        let outcome = linkrisk::internals::audit::link::link(&linkrisk::internals::audit::link::LinkOptions {
            identified: (a_path, "a".into()),
            target: (b_path, "b".into()),
            left_on: vec!["a".into(), "b".into()],
            right_on: vec!["a".into(), "b".into()],
            truth: Some(("truth".into(), "truth".into())),
            entity: Some(("who".into(), "who".into())),
            relations: Default::default(),
            load: LoadOptions::default(),
            measure: MeasureOptions { policy_k: 2, recursive_l: 2, population: None },
        })
        .unwrap();
        let (left, right) = (link_people(&a), link_people(&b));
        let mut unique = 0;
        let mut with_candidates = 0;
        let mut expected = 0.0;
        let mut correct = 0;
        for (key, truth) in &right {
            let Some(key) = key else { continue };
            let candidates: Vec<&LinkPerson> =
                left.iter().filter(|(k, _)| k.as_ref() == Some(key)).collect();
            if candidates.is_empty() {
                continue;
            }
            with_candidates += 1;
            expected += 1.0 / candidates.len() as f64;
            // A unique match is one-to-one: one identified and one target person in the class.
            let twins = right.iter().filter(|(k, _)| k.as_ref() == Some(key)).count();
            if candidates.len() == 1 && twins == 1 {
                unique += 1;
                if truth.is_some() && candidates[0].1 == *truth {
                    correct += 1;
                }
            }
        }
        let matched_left = left
            .iter()
            .filter(|(k, _)| k.is_some() && right.iter().any(|(r, _)| r == k))
            .count();
        let linkage = outcome.join.linkage.as_ref().unwrap();
        prop_assert_eq!(linkage.unique_matches, unique);
        prop_assert_eq!(linkage.targets_with_candidates, with_candidates);
        prop_assert!((linkage.expected_reidentifications - expected).abs() < 1e-9);
        prop_assert_eq!(linkage.correct_unique_matches, Some(correct));
        prop_assert_eq!(linkage.target_rows, right.len());
        prop_assert_eq!(linkage.identified_rows, left.len());
        prop_assert_eq!(outcome.join.matched_left, matched_left);
        prop_assert_eq!(outcome.views[0].entities, left.len());
        prop_assert_eq!(outcome.views[1].entities, right.len());
        prop_assert_eq!(outcome.views[2].entities, right.len());
        prop_assert_eq!(outcome.views[1].rows, b.len());
    }
}

/// People of a table as sorted multisets of their (a, b) tuples (a row without an entity is a
/// person of its own).
fn multisets(rows: &[Row]) -> Vec<Tuples> {
    let mut people: Vec<Tuples> = Vec::new();
    let mut by_entity: HashMap<u8, usize> = HashMap::new();
    for r in rows {
        let at = match r.0 {
            Some(e) => *by_entity.entry(e).or_insert_with(|| {
                people.push(Vec::new());
                people.len() - 1
            }),
            None => {
                people.push(Vec::new());
                people.len() - 1
            }
        };
        people[at].push((r.1, r.2));
    }
    for p in &mut people {
        p.sort();
    }
    people
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// Journalist and marketer risk per person: F_j counts the population's people whose
    /// multiset equals the sample class's (at least the class's own size).
    #[test]
    fn journalist_risk_per_person_equals_brute_force(sample in rows(), extra in rows()) {
        prop_assume!(!sample.is_empty());
        // The population holds the sample's people and more (entity values shifted apart).
        let mut population = sample.clone();
        population.extend(extra.iter().map(|r| (r.0.map(|e| e + 100), r.1, r.2, r.3)));
        let qis = vec!["a".to_string(), "b".to_string()];
        let table = linkrisk::engine::entity_table_with_population(
            &view(&sample).df,
            &qis,
            &[],
            "who",
            &view(&population).df,
            false,
        )
        .unwrap();
        let (journalist, marketer) = linkrisk::metrics::journalist::journalist(&table).unwrap();

        let sample_people = multisets(&sample);
        let population_people = multisets(&population);
        let mut classes: BTreeMap<Tuples, u32> = BTreeMap::new();
        for p in &sample_people {
            *classes.entry(p.clone()).or_default() += 1;
        }
        let sizes: Vec<(f64, f64)> = classes
            .iter()
            .map(|(m, &f)| {
                let big_f = population_people.iter().filter(|p| *p == m).count() as u32;
                (f as f64, big_f.max(f) as f64)
            })
            .collect();
        let n = sample_people.len() as f64;
        let want_marketer = sizes.iter().map(|(f, p)| f / p).sum::<f64>() / n;
        let min_f = sizes.iter().map(|s| s.1).fold(f64::INFINITY, f64::min);
        let total: f64 = sizes.iter().map(|s| s.1).sum();
        prop_assert_eq!(table.rows, sample_people.len());
        prop_assert!((marketer - want_marketer).abs() < 1e-12);
        prop_assert!((journalist.max - 1.0 / min_f).abs() < 1e-12);
        let success = (classes.len() as f64 / total).max(want_marketer);
        prop_assert!((journalist.success - success).abs() < 1e-12);

        // One row per person: the figures of the plain path.
        let one_each = |rows: &[Row], from: u8| -> Vec<Row> {
            rows.iter()
                .enumerate()
                .map(|(i, r)| (Some(from.wrapping_add(i as u8)), r.1, r.2, r.3))
                .collect()
        };
        let (sample, population) = (one_each(&sample[..sample.len().min(50)], 0), one_each(&population, 0));
        let by_people = linkrisk::engine::entity_table_with_population(
            &view(&sample).df, &qis, &[], "who", &view(&population).df, false,
        )
        .unwrap();
        let by_rows = linkrisk::engine::class_table_with_population(
            &view(&sample).df, &qis, &[], NullMode::Value, &view(&population).df, false,
        )
        .unwrap();
        prop_assert_eq!(
            linkrisk::metrics::journalist::journalist(&by_people),
            linkrisk::metrics::journalist::journalist(&by_rows)
        );
    }
}

/// `scan --entity --show-values` lists classes of people, each with its multiset of tuples.
#[test]
fn show_values_lists_classes_of_people() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.csv");
    // p1: zip 1 twice and zip 2; p2 and p3 share {1}; p4 alone with {3}.
    std::fs::write(&path, "who,zip\np1,1\np1,1\np1,2\np2,1\np3,1\np4,3\n").unwrap();
    let report = common::linkrisk_json(&[
        "scan",
        path.to_str().unwrap(),
        "--entity",
        "who",
        "--qi",
        "zip",
        "--k",
        "3",
        "--show-values",
        "--format",
        "json",
    ]);
    let small = report["views"][0]["small_classes"].as_array().unwrap();
    let mut listed: Vec<(u64, Vec<(u64, String)>)> = small
        .iter()
        .map(|c| {
            let tuples = c["tuples"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| {
                    (
                        t["rows"].as_u64().unwrap(),
                        t["values"][0].as_str().unwrap().to_string(),
                    )
                })
                .collect();
            (c["size"].as_u64().unwrap(), tuples)
        })
        .collect();
    listed.sort();
    assert_eq!(
        listed,
        vec![
            (1, vec![(1, "3".to_string())]),
            (1, vec![(2, "1".to_string()), (1, "2".to_string())]),
            (2, vec![(1, "1".to_string())]),
        ]
    );
    assert_eq!(report["views"][0]["entities"], 4);
}

/// Rows of (key, entity): a join key from a few values and a person from a few, either
/// possibly missing.
fn keyed_rows() -> impl Strategy<Value = Vec<(Option<u8>, Option<u8>)>> {
    let value = |n: u8| prop_oneof![1 => Just(None), 5 => (0..n).prop_map(Some)];
    prop::collection::vec((value(6), value(5)), 1..40)
}

/// The people of rows: distinct entities, a row without one being a person of its own.
fn distinct_people<'a>(rows: impl Iterator<Item = &'a (Option<u8>, Option<u8>)>) -> usize {
    let mut named = BTreeSet::new();
    let mut anonymous = 0;
    for (_, who) in rows {
        match who {
            Some(w) => {
                named.insert(*w);
            }
            None => anonymous += 1,
        }
    }
    named.len() + anonymous
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// A key step between two views that declare people: its people figures (in the JSON)
    /// equal a brute-force count of the distinct people among the linked records.
    #[test]
    fn a_join_step_counts_the_people_it_links(left in keyed_rows(), right in keyed_rows()) {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, rows: &[(Option<u8>, Option<u8>)]| {
            let mut text = String::from("key,who,a\n");
            for (i, (key, who)) in rows.iter().enumerate() {
                let show = |v: &Option<u8>| v.map_or(String::new(), |v| v.to_string());
                text.push_str(&format!("{},{},{}\n", show(key), show(who), i % 3));
            }
            std::fs::write(dir.path().join(name), text).unwrap();
        };
        write("left.csv", &left);
        write("right.csv", &right);
        let plan = r#"
[policy]
k = 2

[[source]]
name = "left"
path = "left.csv"
columns = { key = "other", who = "other", a = "qi" }
entity = "who"

[[source]]
name = "right"
path = "right.csv"
columns = { key = "other", who = "other", a = "qi" }
entity = "who"

[[join]]
name = "by key"
left = "left"
right = "right"
kind = "key"
on = ["key"]
"#;
        std::fs::write(dir.path().join("plan.toml"), plan).unwrap();
        let plan = linkrisk::plan::Plan::load(&dir.path().join("plan.toml")).unwrap();
        let report = linkrisk::audit(&linkrisk::AuditOptions { plan, show_values: false, records: false }).unwrap();
        let people = report.joins[0].people.as_ref().expect("both inputs declare people");
        let left_keys: BTreeSet<u8> = left.iter().filter_map(|r| r.0).collect();
        let right_keys: BTreeSet<u8> = right.iter().filter_map(|r| r.0).collect();
        prop_assert_eq!(people.left, distinct_people(left.iter()));
        prop_assert_eq!(people.right, distinct_people(right.iter()));
        prop_assert_eq!(
            people.matched_left,
            distinct_people(left.iter().filter(|r| r.0.is_some_and(|k| right_keys.contains(&k))))
        );
        prop_assert_eq!(
            people.matched_right,
            distinct_people(right.iter().filter(|r| r.0.is_some_and(|k| left_keys.contains(&k))))
        );
        prop_assert_eq!(people.entity_right.as_deref(), Some("who"));
    }
}

/// The demo's purchases step counts the 860 people it links, not their 3,485 transactions:
/// in the JSON, the summary's step line, its finding and its violation.
#[test]
fn the_demo_purchases_step_counts_people() {
    let plan = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/retail/audit.toml");
    let json = common::linkrisk_json(&["audit", plan, "--format", "json"]);
    let step = json["joins"]
        .as_array()
        .unwrap()
        .iter()
        .find(|j| j["name"] == "purchases by loyalty id")
        .unwrap();
    assert_eq!(step["people"]["matched_right"], 860);
    assert_eq!(step["people"]["entity_right"], "loyalty_id");
    // The records are still there, named as records.
    assert!(step["matched_right"].as_u64().unwrap() > 860);
    let finding = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "join_breaks_anonymity")
        .unwrap();
    assert_eq!(finding["subject"], "purchases by loyalty id");
    assert_eq!(finding["figures"]["reidentified_people"], 860.0);
    assert!(
        finding["message"]
            .as_str()
            .unwrap()
            .contains("860 of 2,611 transactions' people (by loyalty_id)")
    );
    let violation = json["policy"]["violations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["rule"] == "identities_attached" && v["view"] == "transactions")
        .unwrap();
    let expected = 860.0 / 2611.0;
    assert!((violation["actual"].as_f64().unwrap() - expected).abs() < 1e-12);
    assert!(
        violation["message"]
            .as_str()
            .unwrap()
            .contains("transactions' people (by loyalty_id)")
    );
    let out = linkrisk(&["audit", plan, "--detail", "summary", "--format", "markdown"]);
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(table.contains("860 of 2,611 people"), "{table}");
}
