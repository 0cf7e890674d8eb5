//! Join steps against brute-force pair enumeration on random tables: quasi linkage from class
//! tables (with and without a generalised column on one side), and identifier links as a
//! union over several identifiers.

use std::collections::{BTreeMap, BTreeSet};

use linkrisk::internals::audit::View;
use linkrisk::internals::audit::join::run_join;
use linkrisk::plan::{Generalization, Identifier, JoinKind, JoinSpec, MatchSpec, Role, TruthSpec};
use polars::prelude::*;
use proptest::prelude::*;

mod common;
use common::polars_values;

/// One record: two QIs (`a` text, `n` a number), a sensitive value and the person.
#[derive(Debug, Clone)]
struct Record {
    a: Option<String>,
    n: Option<i64>,
    s: Option<String>,
    who: u8,
}

fn record() -> impl Strategy<Value = Record> {
    (
        prop_oneof![1 => Just(None), 8 => (0..3u8).prop_map(|v| Some(v.to_string()))],
        prop_oneof![1 => Just(None), 8 => (0..6i64).prop_map(Some)],
        prop_oneof![1 => Just(None), 6 => (0..2u8).prop_map(|v| Some(format!("s{v}")))],
        0..5u8,
    )
        .prop_map(|(a, n, s, who)| Record { a, n, s, who })
}

fn side(max: usize) -> impl Strategy<Value = Vec<Record>> {
    prop::collection::vec(record(), 0..max)
}

fn frame(rows: &[Record], band: bool) -> DataFrame {
    let n: Vec<Option<String>> = rows
        .iter()
        .map(|r| {
            r.n.map(|n| if band { n.div_euclid(2) * 2 } else { n }.to_string())
        })
        .collect();
    DataFrame::new_infer_height(vec![
        Column::new(
            "a".into(),
            rows.iter().map(|r| r.a.clone()).collect::<Vec<_>>(),
        ),
        Column::new("n".into(), n),
        Column::new(
            "s".into(),
            rows.iter().map(|r| r.s.clone()).collect::<Vec<_>>(),
        ),
        Column::new(
            "who".into(),
            rows.iter().map(|r| r.who.to_string()).collect::<Vec<_>>(),
        ),
    ])
    .unwrap()
}

fn view(name: &str, rows: &[Record], band: bool) -> View {
    let mut v = View::new(
        name,
        frame(rows, band),
        vec![
            ("a".into(), Role::Qi),
            ("n".into(), Role::Qi),
            ("s".into(), Role::Sensitive),
        ],
    );
    if band {
        v.generalized = vec![("n".into(), Generalization::Builtin("band:2".into()))];
    }
    v
}

fn quasi_step() -> JoinSpec {
    JoinSpec {
        name: "link".into(),
        left: "A".into(),
        right: "B".into(),
        kind: JoinKind::Quasi,
        on: vec!["a".into(), "n".into()],
        left_on: vec![],
        right_on: vec![],
        normalize: None,
        email_rules: Default::default(),
        hash: None,
        match_any: vec![],
        truth: Some(TruthSpec {
            left: "who".into(),
            right: "who".into(),
        }),
        policy: None,
        drop: vec![],
        keep: vec![],
    }
}

fn bucket(c: usize) -> &'static str {
    match c {
        0 => "0",
        1 => "1",
        2 => "2",
        3..=4 => "3-4",
        5..=9 => "5-9",
        _ => "10+",
    }
}

/// Runs a quasi step and checks every figure against a scan of all pairs. With `band`, the
/// identified side's `n` was released in bands of 2 and the target's raw `n` must be brought
/// to the same bands before comparing.
fn check_quasi(a: &[Record], b: &[Record], band: bool) -> Result<(), TestCaseError> {
    let left = view("A", a, band);
    let right = view("B", b, false);
    let out = run_join(&quasi_step(), &left, &right, 0, None).unwrap();
    let link = out.linkage.clone().unwrap();
    let key_a = |r: &Record| {
        Some((
            r.a.clone()?,
            if band { r.n?.div_euclid(2) * 2 } else { r.n? },
        ))
    };
    let key_b = |r: &Record| {
        Some((
            r.a.clone()?,
            if band { r.n?.div_euclid(2) * 2 } else { r.n? },
        ))
    };
    let candidates = |rb: &Record| -> Vec<usize> {
        let Some(k) = key_b(rb) else { return vec![] };
        (0..a.len())
            .filter(|&i| key_a(&a[i]) == Some(k.clone()))
            .collect()
    };
    let (mut unique, mut correct, mut expected, mut with, mut pairs) = (0, 0, 0.0, 0, 0u64);
    let mut histogram: BTreeMap<&str, usize> = BTreeMap::new();
    let mut matched_left = BTreeSet::new();
    let mut disclosed_about_b = 0; // target records whose candidates agree on A's `s`
    for rb in b {
        let cands = candidates(rb);
        *histogram.entry(bucket(cands.len())).or_default() += 1;
        pairs += cands.len() as u64;
        matched_left.extend(cands.iter().copied());
        if cands.is_empty() {
            continue;
        }
        with += 1;
        expected += 1.0 / cands.len() as f64;
        let twins = b
            .iter()
            .filter(|x| key_b(x).is_some() && key_b(x) == key_b(rb))
            .count();
        if cands.len() == 1 && twins == 1 {
            unique += 1;
            if a[cands[0]].who == rb.who {
                correct += 1;
            }
        }
        let values: BTreeSet<Option<String>> = cands.iter().map(|&i| a[i].s.clone()).collect();
        if values.len() == 1 && !values.contains(&None) {
            disclosed_about_b += 1;
        }
    }
    // Identified records whose candidates (target records with their key) agree on B's `s`.
    let disclosed_about_a = a
        .iter()
        .filter(|ra| {
            let Some(k) = key_a(ra) else { return false };
            let values: BTreeSet<Option<String>> = b
                .iter()
                .filter(|rb| key_b(rb) == Some(k.clone()))
                .map(|rb| rb.s.clone())
                .collect();
            values.len() == 1 && !values.contains(&None)
        })
        .count();

    prop_assert_eq!(link.unique_matches, unique);
    prop_assert_eq!(link.correct_unique_matches, Some(correct));
    prop_assert_eq!(link.targets_with_candidates, with);
    prop_assert_eq!(link.candidate_pairs, pairs);
    prop_assert!((link.expected_reidentifications - expected).abs() < 1e-9);
    for bucket in &link.candidate_histogram {
        prop_assert_eq!(
            bucket.records,
            histogram.get(bucket.candidates).copied().unwrap_or(0),
            "bucket {}",
            bucket.candidates
        );
    }
    prop_assert_eq!(link.disclosures["B.s"].records, disclosed_about_a);
    prop_assert_eq!(link.disclosures["s"].records, disclosed_about_b);
    // The view: one row per target record, the identified record attached when it is the
    // only candidate.
    prop_assert_eq!(out.rows_out, b.len());
    prop_assert_eq!(out.view.df.height(), b.len());
    prop_assert_eq!(out.matched_right, with);
    prop_assert_eq!(out.matched_left, matched_left.len());
    let attached = polars_values(&out.view.df, "who");
    let own = polars_values(&out.view.df, "B.who");
    for (i, rb) in b.iter().enumerate() {
        let cands = candidates(rb);
        let expect = (cands.len() == 1).then(|| a[cands[0]].who.to_string());
        prop_assert_eq!(&attached[i], &expect);
        prop_assert_eq!(own[i].clone(), Some(rb.who.to_string()));
    }
    let truth = out.truth.unwrap();
    let given: Vec<(usize, usize)> = b
        .iter()
        .enumerate()
        .filter_map(|(i, rb)| {
            let c = candidates(rb);
            (c.len() == 1).then(|| (c[0], i))
        })
        .collect();
    prop_assert_eq!(truth.links, given.len() as u64);
    prop_assert_eq!(
        truth.correct_links,
        given.iter().filter(|&&(x, y)| a[x].who == b[y].who).count() as u64
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn quasi_linkage_equals_brute_force(a in side(30), b in side(30)) {
        check_quasi(&a, &b, false)?;
    }

    #[test]
    fn quasi_linkage_with_a_generalised_column_on_one_side(a in side(30), b in side(30)) {
        check_quasi(&a, &b, true)?;
    }
}

/// A record of an identifier join: an email and a phone, each possibly blank or missing.
#[derive(Debug, Clone)]
struct Contact {
    email: Option<String>,
    phone: Option<String>,
    who: u8,
}

fn contact() -> impl Strategy<Value = Contact> {
    let email = prop_oneof![
        1 => Just(None),
        1 => Just(Some("  ".to_string())),
        6 => (0..4u8, any::<bool>()).prop_map(|(v, upper)| {
            let e = format!("p{v}@x.org");
            Some(if upper { e.to_uppercase() } else { e })
        }),
    ];
    let phone = prop_oneof![
        1 => Just(None),
        1 => Just(Some("n/a".to_string())),
        6 => (0..4u8, any::<bool>()).prop_map(|(v, dashed)| {
            Some(if dashed { format!("555-010-000{v}") } else { format!("555010000{v}") })
        }),
    ];
    (email, phone, 0..4u8).prop_map(|(email, phone, who)| Contact { email, phone, who })
}

fn contacts(rows: &[Contact]) -> View {
    View::new(
        "side",
        DataFrame::new_infer_height(vec![
            Column::new(
                "email".into(),
                rows.iter().map(|r| r.email.clone()).collect::<Vec<_>>(),
            ),
            Column::new(
                "phone".into(),
                rows.iter().map(|r| r.phone.clone()).collect::<Vec<_>>(),
            ),
            Column::new(
                "who".into(),
                rows.iter().map(|r| r.who.to_string()).collect::<Vec<_>>(),
            ),
        ])
        .unwrap(),
        vec![("email".into(), Role::Id), ("phone".into(), Role::Id)],
    )
}

fn norm_email(e: &Option<String>) -> Option<String> {
    let e = e.as_ref()?.trim().to_lowercase();
    (!e.is_empty()).then_some(e)
}

fn norm_phone(p: &Option<String>) -> Option<String> {
    let p: String = p.as_ref()?.chars().filter(char::is_ascii_digit).collect();
    (!p.is_empty()).then_some(p)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn union_of_identifiers_equals_brute_force_or(a in prop::collection::vec(contact(), 0..25), b in prop::collection::vec(contact(), 0..25)) {
        let m = |column: &str, normalize: Identifier| MatchSpec {
            on: vec![column.into()], left_on: vec![], right_on: vec![],
            kind: None, normalize: Some(normalize), email_rules: Default::default(), hash: None,
        };
        let step = JoinSpec {
            name: "any".into(), left: "A".into(), right: "B".into(), kind: JoinKind::Normalized,
            on: vec![], left_on: vec![], right_on: vec![], normalize: None,
            email_rules: Default::default(), hash: None,
            match_any: vec![m("email", Identifier::Email), m("phone", Identifier::Phone)],
            truth: Some(TruthSpec { left: "who".into(), right: "who".into() }),
            policy: None,
            drop: vec![],
            keep: vec![],
        };
        let out = run_join(&step, &contacts(&a), &contacts(&b), u64::MAX, None).unwrap();
        let agree = |x: &Contact, y: &Contact, f: fn(&Option<String>) -> Option<String>, pick: fn(&Contact) -> &Option<String>| {
            matches!((f(pick(x)), f(pick(y))), (Some(p), Some(q)) if p == q)
        };
        let by_email = |x: &Contact, y: &Contact| agree(x, y, norm_email, |c| &c.email);
        let by_phone = |x: &Contact, y: &Contact| agree(x, y, norm_phone, |c| &c.phone);
        let mut pairs = Vec::new();
        let (mut email_links, mut phone_links) = (0u64, 0u64);
        for (i, x) in a.iter().enumerate() {
            for (j, y) in b.iter().enumerate() {
                email_links += by_email(x, y) as u64;
                phone_links += by_phone(x, y) as u64;
                if by_email(x, y) || by_phone(x, y) {
                    pairs.push((i, j));
                }
            }
        }
        prop_assert_eq!(out.rows_out, pairs.len());
        prop_assert_eq!(out.view.df.height(), pairs.len());
        prop_assert_eq!(out.identifiers[0].links, email_links);
        prop_assert_eq!(out.identifiers[1].links, phone_links);
        let lefts: BTreeSet<usize> = pairs.iter().map(|p| p.0).collect();
        let rights: BTreeSet<usize> = pairs.iter().map(|p| p.1).collect();
        prop_assert_eq!(out.matched_left, lefts.len());
        prop_assert_eq!(out.matched_right, rights.len());
        let correct = pairs.iter().filter(|&&(i, j)| a[i].who == b[j].who).count() as u64;
        let truth = out.truth.unwrap();
        prop_assert_eq!(truth.correct_links, correct);
        prop_assert_eq!(truth.false_links, pairs.len() as u64 - correct);
        // The joined rows are the pairs: left's who beside right's.
        let lw = polars_values(&out.view.df, "who");
        let rw = polars_values(&out.view.df, "side.who");
        let mut got: Vec<(String, String)> = lw.into_iter().zip(rw).map(|(l, r)| (l.unwrap(), r.unwrap())).collect();
        let mut want: Vec<(String, String)> = pairs.iter().map(|&(i, j)| (a[i].who.to_string(), b[j].who.to_string())).collect();
        got.sort();
        want.sort();
        prop_assert_eq!(got, want);
    }
}

#[test]
fn blank_and_missing_identifiers_never_link() {
    let blank = |email: Option<&str>, phone: Option<&str>| Contact {
        email: email.map(str::to_string),
        phone: phone.map(str::to_string),
        who: 0,
    };
    let rows = vec![
        blank(None, None),
        blank(Some(""), Some("---")),
        blank(Some("   "), Some("n/a")),
    ];
    let step = JoinSpec {
        name: "phone".into(),
        left: "A".into(),
        right: "B".into(),
        kind: JoinKind::Normalized,
        on: vec!["phone".into()],
        left_on: vec![],
        right_on: vec![],
        normalize: Some(Identifier::Phone),
        email_rules: Default::default(),
        hash: None,
        match_any: vec![],
        truth: None,
        policy: None,
        drop: vec![],
        keep: vec![],
    };
    let out = run_join(&step, &contacts(&rows), &contacts(&rows), u64::MAX, None).unwrap();
    assert_eq!(out.rows_out, 0);
    let email = JoinSpec {
        on: vec!["email".into()],
        normalize: Some(Identifier::Email),
        ..step
    };
    let out = run_join(&email, &contacts(&rows), &contacts(&rows), u64::MAX, None).unwrap();
    assert_eq!(out.rows_out, 0);
}
