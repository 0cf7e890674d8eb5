//! `--records`: one row per record (or per person) with its class size, prosecutor risk and
//! unique flag (and SUDA score for keys), for scan, keys and audit; no value of the data
//! unless --show-values; written under the same output rules as reports.

mod common;
use common::{linkrisk, linkrisk_json, one_line_error};

use polars::prelude::*;

const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/retail");

fn read(path: &std::path::Path) -> DataFrame {
    let text = path.to_str().unwrap().to_string();
    if text.ends_with(".parquet") {
        ParquetReader::new(std::fs::File::open(path).unwrap())
            .finish()
            .unwrap()
    } else {
        CsvReadOptions::default()
            .with_has_header(true)
            .try_into_reader_with_file_path(Some(path.into()))
            .unwrap()
            .finish()
            .unwrap()
    }
}

fn count_true(df: &DataFrame, name: &str) -> usize {
    df.column(name)
        .unwrap()
        .bool()
        .unwrap()
        .iter()
        .flatten()
        .filter(|b| *b)
        .count()
}

#[test]
fn scan_exports_one_row_per_record_or_person() {
    let dir = tempfile::tempdir().unwrap();
    let survey = format!("{DEMO}/survey.csv");
    let out = dir.path().join("survey.csv");
    let report = linkrisk_json(&[
        "scan",
        &survey,
        "--qi",
        "zip3,birth_year,gender",
        "--records",
        out.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let df = read(&out);
    let view = &report["views"][0];
    assert_eq!(df.height() as u64, view["entities"].as_u64().unwrap());
    let names: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|n| n.to_string())
        .collect();
    assert_eq!(names, ["row", "class_size", "prosecutor_risk", "unique"]);
    assert_eq!(
        count_true(&df, "unique") as u64,
        view["uniques"].as_u64().unwrap()
    );
    // Risk is 1 / class size; the smallest class is k.
    let sizes = df
        .column("class_size")
        .unwrap()
        .cast(&DataType::Float64)
        .unwrap();
    let risks = df.column("prosecutor_risk").unwrap();
    for (s, r) in sizes.f64().unwrap().iter().zip(risks.f64().unwrap().iter()) {
        assert_eq!(r.unwrap(), 1.0 / s.unwrap());
    }
    assert_eq!(
        sizes.f64().unwrap().min().unwrap() as u64,
        view["k"].as_u64().unwrap()
    );
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&out).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }

    // Per person: one row each; the key only with --show-values.
    let transactions = format!("{DEMO}/transactions.csv");
    let people = dir.path().join("people.parquet");
    for show_values in [false, true] {
        let mut args = vec![
            "scan",
            &transactions,
            "--qi",
            "store",
            "--entity",
            "loyalty_id",
            "--records",
            people.to_str().unwrap(),
            "--format",
            "json",
        ];
        if show_values {
            args.push("--show-values");
        }
        let report = linkrisk_json(&args);
        let df = read(&people);
        assert_eq!(
            df.height() as u64,
            report["views"][0]["entities"].as_u64().unwrap()
        );
        assert_eq!(df.column("entity").is_ok(), show_values);
    }
}

#[test]
fn keys_exports_the_suda_score_of_every_record() {
    let dir = tempfile::tempdir().unwrap();
    let loyalty = format!("{DEMO}/loyalty.csv");
    let out = dir.path().join("keys.csv");
    let report = linkrisk_json(&[
        "keys",
        &loyalty,
        "--qi",
        "zip5,birth_date,gender",
        "--records",
        out.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let df = read(&out);
    assert_eq!(df.height() as u64, report["rows"].as_u64().unwrap());
    // A record has an MSU exactly when it is unique on all the QIs.
    let scored = df
        .column("suda")
        .unwrap()
        .f64()
        .unwrap()
        .iter()
        .flatten()
        .filter(|s| *s > 0.0)
        .count();
    assert_eq!(
        scored as u64,
        report["attribution"]["msu"]["sample_uniques"]
            .as_u64()
            .unwrap()
    );
    assert_eq!(scored, count_true(&df, "unique"));
}

#[test]
fn audit_exports_every_view_with_its_name() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("audit.csv");
    let report = linkrisk_json(&[
        "audit",
        "--records",
        out.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let df = read(&out);
    let views = df.column("view").unwrap().str().unwrap().clone();
    for view in report["views"].as_array().unwrap() {
        let name = view["name"].as_str().unwrap();
        let rows = views.iter().filter(|v| *v == Some(name)).count();
        assert_eq!(rows as u64, view["entities"].as_u64().unwrap(), "{name}");
    }
    assert!(df.column("entity").is_err());
}

#[test]
fn the_records_file_follows_the_output_rules() {
    let dir = tempfile::tempdir().unwrap();
    let survey = format!("{DEMO}/survey.csv");
    let same = dir.path().join("x.csv");
    let same = same.to_str().unwrap();
    one_line_error(
        &linkrisk(&[
            "scan",
            &survey,
            "--qi",
            "zip3",
            "-o",
            same,
            "--records",
            same,
        ]),
        "--records and --output name the same file",
    );
    one_line_error(
        &linkrisk(&["scan", &survey, "--qi", "zip3", "--records", "r.txt"]),
        "must end in .csv or .parquet",
    );
    // Never onto an input.
    let copy = dir.path().join("survey.csv");
    std::fs::copy(&survey, &copy).unwrap();
    let copy = copy.to_str().unwrap();
    let before = std::fs::read(copy).unwrap();
    let out = linkrisk(&["scan", copy, "--qi", "zip3", "--records", copy]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(std::fs::read(copy).unwrap(), before);
}

/// One random table for the records property: cells drawn from a few values, spelled with
/// and without surrounding spaces, empty, or a missing-value marker.
mod random_table {
    use proptest::prelude::*;

    /// A cell as written in the file (before quoting).
    pub fn cell() -> impl Strategy<Value = String> {
        prop::sample::select(vec!["1", "2", " 1", "2 ", "", " ", "NA", "?", "x"])
            .prop_map(str::to_string)
    }

    /// Rows of (a, b, person); the person column may be empty (a person of their own).
    pub fn rows() -> impl Strategy<Value = Vec<(String, String, String)>> {
        prop::collection::vec(
            (
                cell(),
                cell(),
                prop::sample::select(vec!["p1", "p2", "p3", "p4", ""]).prop_map(str::to_string),
            ),
            1..14,
        )
    }
}

/// A cell as the documented rule reads it: trimmed with --strip, then missing when empty or a
/// marker.
fn cleaned(cell: &str, strip: bool, markers: &[&str]) -> Option<String> {
    let value = if strip { cell.trim() } else { cell };
    (!value.is_empty() && !markers.contains(&value)).then(|| value.to_string())
}

/// The brute-force records: per record (or per person, in order of first row), its 1-based
/// first row and the number of records (people) it cannot be told apart from.
fn brute_force_records(
    tuples: &[Vec<Option<String>>],
    people: Option<&[String]>,
    wildcard: bool,
) -> Vec<(usize, u32)> {
    match people {
        None => tuples
            .iter()
            .enumerate()
            .map(|(row, t)| {
                let matches = |other: &Vec<Option<String>>| {
                    t.iter().zip(other).all(|(x, y)| match (x, y) {
                        (Some(x), Some(y)) => x == y,
                        (None, None) => true,
                        _ => wildcard,
                    })
                };
                (row + 1, tuples.iter().filter(|o| matches(o)).count() as u32)
            })
            .collect(),
        Some(people) => {
            // A person's multiset of tuples; an empty person value is a person of its own.
            let mut order: Vec<(usize, Vec<Vec<Option<String>>>)> = Vec::new();
            let mut named: std::collections::HashMap<&str, usize> = Default::default();
            for (row, (t, p)) in tuples.iter().zip(people).enumerate() {
                let at = if p.is_empty() {
                    None
                } else {
                    named.get(p.as_str()).copied()
                };
                match at {
                    Some(i) => order[i].1.push(t.clone()),
                    None => {
                        if !p.is_empty() {
                            named.insert(p, order.len());
                        }
                        order.push((row, vec![t.clone()]));
                    }
                }
            }
            for (_, multiset) in &mut order {
                multiset.sort();
            }
            order
                .iter()
                .map(|(row, m)| {
                    let size = order.iter().filter(|(_, o)| o == m).count() as u32;
                    (row + 1, size)
                })
                .collect()
        }
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(40))]
    /// For scan, keys and audit, under random options (null mode, --strip, --null-values,
    /// an entity, quoted or plain CSV, --show-values): every record's class size, risk and
    /// unique mark equal a brute-force count under the same options, and the records summed
    /// equal the report's uniques and records at risk.
    #[test]
    fn records_equal_a_brute_force_count_and_sum_to_the_report(
        rows in random_table::rows(),
        wildcard in proptest::prelude::any::<bool>(),
        strip in proptest::prelude::any::<bool>(),
        markers in proptest::sample::subsequence(vec!["NA", "?"], 0..=2),
        entity in proptest::prelude::any::<bool>(),
        quoted in proptest::prelude::any::<bool>(),
        show_values in proptest::prelude::any::<bool>(),
    ) {
        // Wildcard matching is not computed per person (docs/decisions.md).
        let wildcard = wildcard && !entity;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("t.csv");
        let quote = |c: &str| if quoted { format!("\"{c}\"") } else { c.to_string() };
        let mut text = String::from("a,b,person\n");
        for (a, b, p) in &rows {
            text.push_str(&format!("{},{},{}\n", quote(a), quote(b), quote(p)));
        }
        std::fs::write(&file, &text).unwrap();
        let tuples: Vec<Vec<Option<String>>> = rows
            .iter()
            .map(|(a, b, _)| vec![cleaned(a, strip, &markers), cleaned(b, strip, &markers)])
            .collect();
        let people: Vec<String> = rows
            .iter()
            .map(|(_, _, p)| cleaned(p, strip, &markers).unwrap_or_default())
            .collect();
        let want = brute_force_records(&tuples, entity.then_some(&people[..]), wildcard);
        let load = linkrisk::io::LoadOptions {
            strip,
            null_values: markers.iter().map(|m| m.to_string()).collect(),
            ..Default::default()
        };
        let k = 2u32;
        let check = |records: &[linkrisk::model::RecordRisk]| -> Result<(), proptest::test_runner::TestCaseError> {
            let got: Vec<(usize, u32)> = records.iter().map(|r| (r.row, r.class_size)).collect();
            proptest::prop_assert_eq!(&got, &want);
            for r in records {
                proptest::prop_assert_eq!(r.unique(), r.class_size == 1);
                proptest::prop_assert!((r.prosecutor_risk() - 1.0 / r.class_size as f64).abs() < 1e-12);
            }
            Ok(())
        };

        // scan
        let mut scan = linkrisk::ScanOptions::new(file.to_str().unwrap(), &["a", "b"]);
        scan.load = load.clone();
        scan.nulls = if wildcard { linkrisk::engine::NullMode::Wildcard } else { linkrisk::engine::NullMode::Value };
        scan.entity = entity.then(|| "person".to_string());
        scan.records = true;
        scan.show_values = show_values;
        scan.policy.k = k;
        scan.measure.policy_k = k;
        let report = linkrisk::scan(&scan).unwrap();
        check(&report.records)?;
        let m = &report.views[0].metrics;
        let uniques = report.records.iter().filter(|r| r.unique()).count();
        let at_risk = report.records.iter().filter(|r| r.class_size < k).count();
        proptest::prop_assert_eq!(m.k_anonymity.uniques, uniques);
        proptest::prop_assert!((m.prosecutor.records_at_risk * report.records.len() as f64 - at_risk as f64).abs() < 1e-9);
        if let Some(small) = &report.views[0].small_classes {
            // --show-values lists the smallest classes below k, with the sizes the records have.
            for class in small {
                proptest::prop_assert!(class.size < k);
                proptest::prop_assert!(report.records.iter().any(|r| r.class_size == class.size));
            }
        }

        // keys (missing values are values of their own there)
        if !wildcard {
            let keys = linkrisk::keys(&linkrisk::KeysOptions {
                file: file.to_str().unwrap().to_string(),
                table: None,
                query: None,
                qi: vec!["a".into(), "b".into()],
                entity: entity.then(|| "person".to_string()),
                attribution: linkrisk::metrics::attribution::AttributionOptions {
                    max_msu: None,
                    dis_fraction: 0.01,
                    top_records: 5,
                },
                max_work: u64::MAX,
                load: load.clone(),
                records: true,
            }).unwrap();
            check(&keys.records)?;
            let uniques = keys.records.iter().filter(|r| r.unique()).count();
            proptest::prop_assert_eq!(keys.attribution.msu.sample_uniques, uniques);
            for r in &keys.records {
                // A record with a minimal sample unique is unique on all the QIs.
                proptest::prop_assert!(r.suda.unwrap_or(0.0) == 0.0 || r.unique());
            }
        }

        // audit: a one-source plan with the same options
        let plan = format!(
            "[policy]\nk = {k}\nnulls = \"{}\"\n\n[[source]]\nname = \"t\"\npath = \"t.csv\"\nstrip = {strip}\nnull_values = [{}]\ncolumns = {{ a = \"qi\", b = \"qi\", person = \"other\" }}\n{}",
            if wildcard { "wildcard" } else { "value" },
            markers.iter().map(|m| format!("\"{m}\"")).collect::<Vec<_>>().join(", "),
            if entity { "entity = \"person\"\n" } else { "" },
        );
        let plan_path = dir.path().join("plan.toml");
        std::fs::write(&plan_path, plan).unwrap();
        let audit = linkrisk::audit(&linkrisk::AuditOptions {
            plan: linkrisk::plan::Plan::load(&plan_path).unwrap(),
            show_values,
            records: true,
        }).unwrap();
        check(&audit.records)?;
        let view = &audit.views[0];
        let uniques = audit.records.iter().filter(|r| r.unique()).count();
        proptest::prop_assert_eq!(view.metrics.k_anonymity.uniques, uniques);
        proptest::prop_assert!(audit.records.iter().all(|r| r.view.as_deref() == Some("t")));
    }
}
