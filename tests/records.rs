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
