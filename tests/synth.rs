//! `linkrisk synth`: determinism, documented overlaps and null rates, the hashed email, the
//! uniqueness the demo relies on, and its input errors.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use linkrisk::engine::class_table;
use linkrisk::internals::normalize::{EmailRules, HashAlgorithm, normalize_email};
use linkrisk::internals::synth::sources as src;
use linkrisk::io::{LoadOptions, load};
use linkrisk::metrics::{MeasureOptions, measure};
use polars::prelude::*;

mod common;
use common::{linkrisk, one_line_error, scratch};

const CUSTOMERS: usize = 20_000;

/// One generated population shared by the tests of this file.
fn population() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = scratch("synth-population");
        let out = linkrisk(&[
            "synth",
            "--customers",
            &CUSTOMERS.to_string(),
            "--out",
            dir.to_str().unwrap(),
            "--seed",
            "11",
            "--quiet",
        ]);
        common::assert_ran(&out);
        dir
    })
}

fn read(path: &Path, columns: &[&str]) -> DataFrame {
    let columns: Vec<String> = columns.iter().map(|s| s.to_string()).collect();
    load(path.to_str().unwrap(), &columns, &LoadOptions::default()).unwrap()
}

fn strings(df: &DataFrame, name: &str) -> Vec<Option<String>> {
    df.column(name)
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .map(|v| v.map(str::to_string))
        .collect()
}

fn null_rate(df: &DataFrame, name: &str) -> f64 {
    df.column(name).unwrap().null_count() as f64 / df.height() as f64
}

fn near(actual: f64, expected: f64, tolerance: f64, what: &str) {
    assert!(
        (actual - expected).abs() <= tolerance,
        "{what}: {actual} is not within {tolerance} of {expected}"
    );
}

fn files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for sub in [dir.to_path_buf(), dir.join("truth")] {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(&sub)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_file())
            .collect();
        entries.sort();
        for p in entries {
            let bytes = std::fs::read(&p).unwrap();
            out.push((p.strip_prefix(dir).unwrap().to_path_buf(), bytes));
        }
    }
    out
}

#[test]
fn same_seed_same_bytes_and_other_seeds_differ() {
    let (a, b, c) = (
        scratch("synth-seed-a"),
        scratch("synth-seed-b"),
        scratch("synth-seed-c"),
    );
    for (dir, seed) in [(&a, "5"), (&b, "5"), (&c, "6")] {
        let out = linkrisk(&[
            "synth",
            "--customers",
            "800",
            "--out",
            dir.to_str().unwrap(),
            "--seed",
            seed,
            "-q",
        ]);
        assert_eq!(out.status.code(), Some(0));
    }
    let (fa, fb, fc) = (files(&a), files(&b), files(&c));
    assert_eq!(fa.len(), 13, "6 sources, 6 truth maps and the people");
    assert_eq!(fa, fb);
    for ((name, x), (_, y)) in fa.iter().zip(&fc) {
        assert_ne!(x, y, "{} is the same for seeds 5 and 6", name.display());
    }
}

#[test]
fn overlaps_and_null_rates_hold() {
    let dir = population();
    let n = CUSTOMERS as f64;
    let loyalty = read(&dir.join("loyalty.csv"), &["email", "phone", "gender"]);
    near(
        loyalty.height() as f64 / n,
        src::LOYALTY_SHARE,
        0.015,
        "loyalty share",
    );
    near(
        null_rate(&loyalty, "email"),
        src::LOYALTY_EMAIL_MISSING,
        0.01,
        "loyalty email missing",
    );
    near(
        null_rate(&loyalty, "phone"),
        src::LOYALTY_PHONE_MISSING,
        0.01,
        "loyalty phone missing",
    );
    near(
        null_rate(&loyalty, "gender"),
        src::LOYALTY_GENDER_MISSING,
        0.005,
        "loyalty gender missing",
    );
    let survey = read(&dir.join("survey.csv"), &["income_band"]);
    near(
        survey.height() as f64 / n,
        src::SURVEY_SHARE,
        0.015,
        "survey share",
    );
    near(
        null_rate(&survey, "income_band"),
        src::SURVEY_INCOME_MISSING,
        0.01,
        "survey income missing",
    );
    let partner = read(&dir.join("partner.csv"), &["record_id"]);
    near(
        partner.height() as f64 / n,
        src::PARTNER_SHARE,
        0.015,
        "partner share",
    );
    let ecommerce = read(&dir.join("ecommerce.csv"), &["birth_year"]);
    near(
        null_rate(&ecommerce, "birth_year"),
        src::ECOMMERCE_BIRTH_YEAR_MISSING,
        0.01,
        "birth year missing",
    );

    // Overlap: the share of e-commerce account holders who are loyalty members.
    let person = |name: &str, key: &str| -> Vec<i64> {
        let df = read(
            &dir.join("truth").join(format!("{name}.csv")),
            &[key, "person_id"],
        );
        strings(&df, "person_id")
            .into_iter()
            .map(|v| v.unwrap().parse().unwrap())
            .collect()
    };
    let members: std::collections::HashSet<i64> =
        person("loyalty", "loyalty_id").into_iter().collect();
    let accounts = person("ecommerce", "account_id");
    let both = accounts.iter().filter(|p| members.contains(p)).count() as f64;
    let expected_both = src::LOYALTY_SHARE * src::ECOMMERCE_SHARE_MEMBERS;
    let expected_all = expected_both + (1.0 - src::LOYALTY_SHARE) * src::ECOMMERCE_SHARE_OTHERS;
    near(
        accounts.len() as f64 / n,
        expected_all,
        0.015,
        "e-commerce share",
    );
    near(
        both / accounts.len() as f64,
        expected_both / expected_all,
        0.03,
        "accounts that are members",
    );
}

#[test]
fn web_hash_is_the_sha256_of_the_normalised_loyalty_email() {
    let dir = population();
    let loyalty = read(&dir.join("loyalty.csv"), &["loyalty_id", "email"]);
    let truth_l = read(&dir.join("truth/loyalty.csv"), &["loyalty_id", "person_id"]);
    let web_truth = read(
        &dir.join("truth/web_analytics.csv"),
        &["email_sha256", "person_id"],
    );
    let person_of: HashMap<String, String> = strings(&truth_l, "loyalty_id")
        .into_iter()
        .zip(strings(&truth_l, "person_id"))
        .map(|(k, p)| (k.unwrap(), p.unwrap()))
        .collect();
    let email_of_person: HashMap<String, String> = strings(&loyalty, "loyalty_id")
        .into_iter()
        .zip(strings(&loyalty, "email"))
        .filter_map(|(id, email)| Some((person_of[&id.unwrap()].clone(), email?)))
        .collect();
    let mut overlapping = 0;
    for (hash, person) in strings(&web_truth, "email_sha256")
        .into_iter()
        .zip(strings(&web_truth, "person_id"))
    {
        if let Some(email) = email_of_person.get(&person.unwrap()) {
            overlapping += 1;
            let expected =
                HashAlgorithm::Sha256.hex(&normalize_email(email, EmailRules::default()));
            assert_eq!(hash.unwrap(), expected);
        }
    }
    assert!(
        overlapping > CUSTOMERS / 10,
        "only {overlapping} web visitors are loyalty members"
    );
}

fn unique_fraction(path: &Path, qis: &[&str]) -> f64 {
    let df = read(path, qis);
    let qis: Vec<String> = qis.iter().map(|s| s.to_string()).collect();
    let table = class_table(&df, &qis, &[]).unwrap();
    measure(&table, MeasureOptions::default())
        .k_anonymity
        .unique_fraction
}

#[test]
fn loyalty_is_mostly_unique_and_the_survey_mostly_not() {
    let dir = population();
    let loyalty = unique_fraction(&dir.join("loyalty.csv"), &["zip5", "birth_date", "gender"]);
    assert!(loyalty > 0.63, "loyalty unique fraction {loyalty}");
    let survey = unique_fraction(&dir.join("survey.csv"), &["zip3", "birth_year", "gender"]);
    assert!(survey < 0.5, "survey unique fraction {survey}");
}

#[test]
fn bad_requests_exit_2_with_one_line() {
    let dir = scratch("synth-bad");
    one_line_error(
        &linkrisk(&["synth", "--customers", "0", "--out", dir.to_str().unwrap()]),
        "--customers",
    );
    // A folder below a regular file cannot be created, even by root.
    one_line_error(
        &linkrisk(&["synth", "--customers", "5", "--out", "Cargo.toml/out"]),
        "Cargo.toml/out",
    );
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("keep.txt"), "mine").unwrap();
    one_line_error(
        &linkrisk(&["synth", "--customers", "5", "--out", dir.to_str().unwrap()]),
        "--force",
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("keep.txt")).unwrap(),
        "mine"
    );
    let forced = linkrisk(&[
        "synth",
        "--customers",
        "5",
        "--out",
        dir.to_str().unwrap(),
        "--force",
        "-q",
    ]);
    assert_eq!(forced.status.code(), Some(0));
}

#[test]
fn parquet_output_reads_back() {
    let dir = scratch("synth-parquet");
    let out = linkrisk(&[
        "synth",
        "--customers",
        "300",
        "--out",
        dir.to_str().unwrap(),
        "--format",
        "parquet",
        "-q",
    ]);
    common::assert_ran(&out);
    let survey = read(
        &dir.join("survey.parquet"),
        &["zip3", "birth_year", "gender"],
    );
    assert!(survey.height() > 30);

    // The purchase times are typed in Parquet, and are the CSV's times.
    let csv_dir = scratch("synth-parquet-times-csv");
    let out = linkrisk(&[
        "synth",
        "--customers",
        "300",
        "--out",
        csv_dir.to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let typed = read(&dir.join("transactions.parquet"), &["timestamp"]);
    let column = typed.column("timestamp").unwrap();
    assert_eq!(
        column.dtype(),
        &polars::prelude::DataType::Datetime(polars::prelude::TimeUnit::Microseconds, None)
    );
    let as_text = column.cast(&polars::prelude::DataType::String).unwrap();
    let text = read(&csv_dir.join("transactions.csv"), &["timestamp"]);
    let csv: Vec<Option<String>> = text
        .column("timestamp")
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .map(|v| v.map(|v| format!("{v}.000000")))
        .collect();
    let parquet: Vec<Option<String>> = as_text
        .str()
        .unwrap()
        .iter()
        .map(|v| v.map(str::to_string))
        .collect();
    assert!(!csv.is_empty() && csv.iter().all(Option::is_some));
    assert_eq!(parquet, csv);
}
