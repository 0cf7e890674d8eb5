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
/// A pretty-printed report without its top-level `provenance` (the time, the command line and
/// the paths of this checkout change from run to run; `tests/provenance` checks it).
fn without_provenance(report: &str) -> String {
    let mut lines: Vec<&str> = report.lines().collect();
    let Some(start) = lines.iter().position(|l| *l == "  \"provenance\": {") else {
        return report.to_string();
    };
    let end = start
        + lines[start..]
            .iter()
            .position(|l| *l == "  }" || *l == "  },")
            .unwrap();
    let last = lines[end] == "  }";
    lines.drain(start..=end);
    let mut text: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    if last && start > 0 {
        // The key before it is now the last: it loses its comma.
        let previous = &mut text[start - 1];
        if previous.ends_with(',') {
            previous.pop();
        }
    }
    text.join("\n") + "\n"
}

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
        let report = without_provenance(&String::from_utf8(out.stdout).unwrap());
        if bless {
            std::fs::write(&path, &report).unwrap();
            continue;
        }
        let golden = std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("{path} is missing"));
        if golden != report {
            changed.push(name);
        }
    }
    assert!(changed.is_empty(), "reports changed: {changed:?}");
}

/// Every report says where it came from: the plan and each input with its bytes' SHA-256 and
/// rows, the version, the command line without its password, and the UTC time.
#[test]
fn reports_carry_their_provenance() {
    use sha2::{Digest, Sha256};
    let plan = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/retail/audit.toml");
    let report = common::linkrisk_json(&["audit", plan, "--format", "json"]);
    let provenance = &report["provenance"];
    assert_eq!(provenance["version"], env!("CARGO_PKG_VERSION"));
    let at = provenance["generated_at"].as_str().unwrap();
    assert!(at.len() == 20 && at.ends_with('Z'), "{at}");
    let line: Vec<&str> = provenance["command_line"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert_eq!(&line[1..], ["audit", plan, "--format", "json"]);
    let inputs = provenance["inputs"].as_array().unwrap();
    let sha = |path: &str| {
        Sha256::digest(std::fs::read(path).unwrap())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    assert_eq!(inputs[0]["role"], "plan");
    assert_eq!(inputs[0]["sha256"], sha(plan));
    let loyalty = inputs.iter().find(|i| i["role"] == "loyalty").unwrap();
    assert_eq!(
        loyalty["sha256"],
        sha(loyalty["location"].as_str().unwrap())
    );
    assert_eq!(loyalty["rows"], 2055);
    assert!(inputs.iter().any(|i| i["role"] == "attach"));
    // Every source of the plan is there.
    for source in [
        "loyalty",
        "ecommerce",
        "web_analytics",
        "transactions",
        "survey",
        "partner",
    ] {
        assert!(inputs.iter().any(|i| i["role"] == source), "{source}");
    }
}
