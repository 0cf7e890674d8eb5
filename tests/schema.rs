//! The JSON report follows docs/report.schema.json (draft 2020-12): the demo audit, a scan with
//! every optional figure, a link and a unicity report validate; a damaged report does not.

mod common;
use common::{ADULT, linkrisk_json};

fn validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/docs/report.schema.json"
    ))
    .unwrap();
    let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
    jsonschema::draft202012::new(&schema).expect("the schema is valid")
}

fn assert_valid(validator: &jsonschema::Validator, report: &serde_json::Value, what: &str) {
    let errors: Vec<String> = validator
        .iter_errors(report)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .take(5)
        .collect();
    assert!(errors.is_empty(), "{what}: {errors:?}");
}

#[test]
fn reports_validate_against_the_published_schema() {
    let validator = validator();
    let demo = linkrisk_json(&["audit", "--format", "json"]);
    assert_valid(&validator, &demo, "the demo audit");
    // Every finding carries its figures as numbers.
    for finding in demo["findings"].as_array().unwrap() {
        assert!(
            !finding["figures"].as_object().unwrap().is_empty(),
            "{finding}"
        );
    }

    let scan = linkrisk_json(&[
        "scan",
        ADULT,
        "--qi",
        "age,sex,race",
        "--sensitive",
        "occupation",
        "--sampling-fraction",
        "0.1",
        "--population-table",
        ADULT,
        "--format",
        "json",
    ]);
    assert_valid(&validator, &scan, "a scan with population figures");

    let dir = env!("CARGO_MANIFEST_DIR");
    let link = linkrisk_json(&[
        "link",
        &format!("{dir}/fixtures/retail/loyalty.csv"),
        &format!("{dir}/fixtures/retail/survey.csv"),
        "--on",
        "zip5=zip3,birth_date=birth_year,gender",
        "--format",
        "json",
    ]);
    assert_valid(&validator, &link, "a link");

    let unicity = linkrisk_json(&[
        "unicity",
        &format!("{dir}/fixtures/retail/transactions.csv"),
        "--entity",
        "loyalty_id",
        "--points",
        "store",
        "--format",
        "json",
    ]);
    assert_valid(&validator, &unicity, "a unicity report");

    // The schema rejects what a pipeline could not rely on.
    let mut damaged = demo.clone();
    damaged["findings"][0]["severity"] = "urgent".into();
    assert!(!validator.is_valid(&damaged));
    let mut damaged = demo;
    damaged["policy"].as_object_mut().unwrap().remove("judged");
    assert!(!validator.is_valid(&damaged));
}

/// The JSON reports a restructuring must leave byte for byte as they are: the demo audit,
/// scans and attribution of Adult, a link and a unicity report, compared with the files in
/// `fixtures/golden/` (recorded once the figures had been checked against the reference
/// tools, tests/reference_tools.rs). A change that means to alter a report regenerates them
/// with `LINKRISK_BLESS=1 cargo test --test schema golden` and says why in its commit.
#[test]
fn golden_reports_are_unchanged() {
    let dir = env!("CARGO_MANIFEST_DIR");
    let retail = |file: &str| format!("{dir}/fixtures/retail/{file}");
    let runs: Vec<(&str, Vec<String>)> = vec![
        ("demo-audit", vec!["audit".into()]),
        (
            "adult-scan",
            [
                "scan",
                ADULT,
                "--qi",
                "age,sex,race,marital-status,education,native-country,workclass,occupation",
                "--sensitive",
                "salary-class",
                "--sampling-fraction",
                "0.01",
            ]
            .map(String::from)
            .to_vec(),
        ),
        (
            "adult-scan-population-table",
            [
                "scan",
                ADULT,
                "--qi",
                "age,sex,race",
                "--sensitive",
                "occupation",
                "--population-table",
                ADULT,
                "--nulls",
                "wildcard",
            ]
            .map(String::from)
            .to_vec(),
        ),
        (
            "adult-keys",
            [
                "keys",
                ADULT,
                "--qi",
                "age,sex,race,marital-status,education",
            ]
            .map(String::from)
            .to_vec(),
        ),
        (
            "retail-link",
            vec![
                "link".into(),
                retail("loyalty.csv"),
                retail("survey.csv"),
                "--on".into(),
                "zip5=zip3,birth_date=birth_year,gender".into(),
            ],
        ),
        (
            "retail-unicity",
            vec![
                "unicity".into(),
                retail("transactions.csv"),
                "--entity".into(),
                "loyalty_id".into(),
                "--points".into(),
                "store".into(),
            ],
        ),
    ];
    let bless = std::env::var_os("LINKRISK_BLESS").is_some();
    let mut changed = Vec::new();
    for (name, args) in runs {
        let mut args: Vec<&str> = args.iter().map(String::as_str).collect();
        args.extend(["--format", "json", "--quiet"]);
        let out = common::linkrisk(&args);
        common::assert_ran(&out);
        let path = format!("{dir}/fixtures/golden/{name}.json");
        if bless {
            std::fs::write(&path, &out.stdout).unwrap();
            continue;
        }
        let golden = std::fs::read(&path).unwrap_or_else(|_| panic!("{path} is missing"));
        if golden != out.stdout {
            changed.push(name);
        }
    }
    assert!(changed.is_empty(), "reports changed: {changed:?}");
}
