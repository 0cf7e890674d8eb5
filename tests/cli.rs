//! The binary as a user meets it: exit codes, one-line errors, report files.

use std::path::Path;
use std::process::Command;

mod common;
use common::{linkrisk, one_line_error, scratch};

#[test]
fn missing_file() {
    let out = linkrisk(&["scan", "no/such/file.csv", "--qi", "a"]);
    one_line_error(&out, "no/such/file.csv");
}

#[test]
fn empty_file() {
    let dir = scratch("cli-empty");
    let path = dir.join("empty.csv");
    std::fs::write(&path, "").unwrap();
    let out = linkrisk(&["scan", path.to_str().unwrap(), "--qi", "a"]);
    one_line_error(&out, "empty");
}

#[test]
fn header_only_file() {
    let dir = scratch("cli-header");
    let path = dir.join("header.csv");
    std::fs::write(&path, "a,b\n").unwrap();
    let out = linkrisk(&["scan", path.to_str().unwrap(), "--qi", "a"]);
    one_line_error(&out, "no data rows");
}

#[test]
fn unknown_quasi_identifier_is_named_without_the_header() {
    let out = linkrisk(&["scan", "fixtures/small/hand.csv", "--qi", "zip,postcode"]);
    one_line_error(&out, "has no column 'postcode'");
    assert!(!String::from_utf8_lossy(&out.stderr).contains("disease"));
}

#[test]
fn ragged_csv_row() {
    let dir = scratch("cli-ragged");
    let path = dir.join("ragged.csv");
    std::fs::write(&path, "a,b\n1,2\n3,4,5\n6,7\n").unwrap();
    let out = linkrisk(&["scan", path.to_str().unwrap(), "--qi", "a"]);
    one_line_error(&out, "ragged.csv");
}

#[test]
fn corrupt_parquet() {
    let dir = scratch("cli-corrupt");
    let path = dir.join("broken.parquet");
    std::fs::write(&path, b"PAR1 this is not really parquet").unwrap();
    let out = linkrisk(&["scan", path.to_str().unwrap(), "--qi", "a"]);
    one_line_error(&out, "broken.parquet");
}

/// A file whose footer is sound but whose pages are damaged: the direct Parquet reader gives
/// way, and the polars path words the error.
#[test]
fn damaged_parquet_pages() {
    use polars::prelude::{ParquetWriter, df};
    let dir = scratch("cli-damaged");
    let path = dir.join("damaged.parquet");
    let mut frame =
        df!["a" => (0..5000).map(|i| format!("v{}", i % 7)).collect::<Vec<_>>()].unwrap();
    ParquetWriter::new(std::fs::File::create(&path).unwrap())
        .finish(&mut frame)
        .unwrap();
    let mut bytes = std::fs::read(&path).unwrap();
    // The pages lie between the leading magic and the footer.
    let end = bytes.len() / 2;
    for byte in &mut bytes[8..end] {
        *byte = 0xFF;
    }
    std::fs::write(&path, &bytes).unwrap();
    let out = linkrisk(&["scan", path.to_str().unwrap(), "--qi", "a"]);
    one_line_error(&out, "damaged.parquet");
}

#[test]
fn unknown_format() {
    let out = linkrisk(&[
        "scan",
        "fixtures/small/hand.csv",
        "--qi",
        "zip",
        "--format",
        "xml",
    ]);
    one_line_error(&out, "xml");
}

#[test]
fn check_exits_one_when_the_policy_fails_and_zero_when_it_holds() {
    let fails = linkrisk(&[
        "scan",
        "fixtures/small/hand.csv",
        "--qi",
        "zip,age",
        "--check",
    ]);
    assert_eq!(fails.status.code(), Some(1));
    let holds = linkrisk(&[
        "scan",
        "fixtures/small/hand.csv",
        "--qi",
        "zip",
        "--k",
        "5",
        "--check",
    ]);
    assert_eq!(holds.status.code(), Some(0));
    // Without --check a failed policy is reported, not an error.
    let reported = linkrisk(&["scan", "fixtures/small/hand.csv", "--qi", "zip,age"]);
    assert_eq!(reported.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&reported.stdout).contains("FAIL"));
    // l below the policy l also fails.
    let l_fails = linkrisk(&[
        "scan",
        "fixtures/small/hand.csv",
        "--qi",
        "zip",
        "--sensitive",
        "disease",
        "--k",
        "1",
        "--l",
        "3",
        "--check",
    ]);
    assert_eq!(l_fails.status.code(), Some(1));
}

#[test]
fn json_report_file_is_private_and_follows_the_schema() {
    let dir = scratch("cli-json");
    let path = dir.join("report.json");
    let out = linkrisk(&[
        "scan",
        "fixtures/small/hand.csv",
        "--qi",
        "zip,age",
        "--sensitive",
        "disease,salary",
        "--format",
        "json",
        "--output",
        path.to_str().unwrap(),
    ]);
    common::assert_ran(&out);
    assert!(out.stdout.is_empty());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    let report: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(report["schema_version"], 1);
    assert_eq!(report["tool"]["name"], "linkrisk");
    assert_eq!(report["policy"]["passed"], false);
    let view = &report["views"][0];
    assert_eq!(view["name"], "hand");
    assert_eq!(view["rows"], 10);
    assert_eq!(view["k"], 1);
    assert_eq!(view["classes"], 4);
    assert_eq!(view["uniques"], 1);
    assert_eq!(view["unique_fraction"], 0.1);
    assert_eq!(view["prosecutor"]["avg"], 0.4);
    assert_eq!(view["l_diversity"]["disease"]["distinct"], 1);
    assert!(view["l_diversity"]["disease"]["recursive_c"].is_null());
    assert_eq!(view["t_closeness"]["disease"], 0.8);
    assert_eq!(view["class_size_histogram"][0]["size"], 1);
    assert!(
        report["missing_values"]
            .as_str()
            .unwrap()
            .contains("value of its own")
    );
    // Only the report is left in the folder: no temporary file.
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
}

#[test]
fn unwritable_output_leaves_nothing_behind() {
    let out = linkrisk(&[
        "scan",
        "fixtures/small/hand.csv",
        "--qi",
        "zip",
        "--output",
        "/no/such/dir/report.txt",
    ]);
    one_line_error(&out, "/no/such/dir/report.txt");
    assert!(!Path::new("/no/such/dir/report.txt").exists());
}

#[test]
fn table_and_markdown_show_the_headline_and_the_missing_value_note() {
    for format in ["table", "markdown"] {
        let out = linkrisk(&[
            "scan",
            "fixtures/small/hand.csv",
            "--qi",
            "zip,age",
            "--sensitive",
            "disease",
            "--format",
            format,
        ]);
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0));
        assert!(text.contains("value of its own"), "{format}: {text}");
        assert!(
            text.contains("10.00%"),
            "{format}: uniques % missing: {text}"
        );
        assert!(
            text.contains("3-4") && text.contains("20+"),
            "{format}: buckets missing"
        );
        assert!(!text.contains('\x1b'), "{format}: colour with NO_COLOR");
        // No value of the data appears, only column names and figures.
        assert!(
            !text.contains("flu") && !text.contains("hiv"),
            "{format}: leaked a value"
        );
    }
}

#[test]
fn stdin_gzip_tsv_and_strip_and_null_values() {
    use std::io::Write;
    let dir = scratch("cli-formats");
    // UCI-style values with leading spaces and '?' for missing, tab-separated and gzipped.
    let tsv = "zip\tsex\n 1\t M\n1\tM\n 2\t?\n2\t ?\n";
    let gz = dir.join("data.tsv.gz");
    let mut enc = flate2_writer(&gz);
    enc.write_all(tsv.as_bytes()).unwrap();
    drop(enc);
    let out = linkrisk(&[
        "scan",
        gz.to_str().unwrap(),
        "--qi",
        "zip,sex",
        "--strip",
        "--null-values",
        "?",
        "--format",
        "json",
    ]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        report["views"][0]["classes"],
        2,
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(report["views"][0]["k"], 2);
    // Without --strip the leading spaces make four classes.
    let raw = linkrisk(&[
        "scan",
        gz.to_str().unwrap(),
        "--qi",
        "zip,sex",
        "--format",
        "json",
    ]);
    let report: serde_json::Value = serde_json::from_slice(&raw.stdout).unwrap();
    assert_eq!(report["views"][0]["classes"], 4);

    let mut child = Command::new(env!("CARGO_BIN_EXE_linkrisk"))
        .args(["scan", "-", "--qi", "a", "--format", "json"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"a;b\nx;1\nx;2\ny;3\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["views"][0]["classes"], 2);
    assert_eq!(report["views"][0]["uniques"], 1);
}

fn flate2_writer(path: &Path) -> impl std::io::Write {
    flate2::write::GzEncoder::new(
        std::fs::File::create(path).unwrap(),
        flate2::Compression::default(),
    )
}

#[test]
fn population_figures_and_their_input_errors() {
    let out = linkrisk(&[
        "scan",
        "../shared/data/adult/adult.csv",
        "--qi",
        "age,sex,race,marital-status,education,native-country,workclass,occupation",
        "--sampling-fraction",
        "0.01",
        "--format",
        "json",
    ]);
    common::assert_ran(&out);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let p = &report["views"][0]["population"];
    assert_eq!(p["size"], 3_016_200.0);
    assert!(p["snb"].is_null(), "SNB is not available here");
    assert_eq!(p["dankar"]["model"], "pitman");
    assert!((p["pitman"]["uniques"].as_f64().unwrap() - 361_577.919).abs() < 0.5);
    let table = linkrisk(&[
        "scan",
        "fixtures/small/hand.csv",
        "--qi",
        "zip,age",
        "--population",
        "1000",
    ]);
    assert!(String::from_utf8_lossy(&table.stdout).contains("population uniques, Dankar"));

    let small = linkrisk(&[
        "scan",
        "fixtures/small/hand.csv",
        "--qi",
        "zip",
        "--population",
        "5",
    ]);
    one_line_error(&small, "smaller than the sample");
    for bad in ["0", "1.5", "-0.2"] {
        let arg = format!("--sampling-fraction={bad}");
        let out = linkrisk(&["scan", "fixtures/small/hand.csv", "--qi", "zip", &arg]);
        one_line_error(&out, "--sampling-fraction must be in (0, 1]");
    }
}

#[test]
fn keys_reports_attribution_without_values() {
    let out = linkrisk(&[
        "keys",
        "fixtures/small/hand.csv",
        "--qi",
        "zip,age,disease",
        "--format",
        "json",
    ]);
    common::assert_ran(&out);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let a = &report["attribution"];
    assert_eq!(a["rows"], 10);
    assert_eq!(a["distinction"].as_array().unwrap().len(), 4);
    assert_eq!(a["best_subsets"].as_array().unwrap().len(), 3);
    assert!(a["msu"]["count"].as_u64().unwrap() > 0);
    for format in ["table", "markdown"] {
        let out = linkrisk(&[
            "keys",
            "fixtures/small/hand.csv",
            "--qi",
            "zip,age,disease",
            "--format",
            format,
        ]);
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("Distinction") && text.contains("SUDA"),
            "{format}"
        );
        assert!(
            !text.contains("flu") && !text.contains("hiv"),
            "{format} leaks a value"
        );
    }
    let bad = linkrisk(&["keys", "fixtures/small/hand.csv", "--qi", "zip,nope"]);
    one_line_error(&bad, "no column 'nope'");
    let bad = linkrisk(&[
        "keys",
        "fixtures/small/hand.csv",
        "--qi",
        "zip",
        "--dis-fraction",
        "2",
    ]);
    one_line_error(&bad, "--dis-fraction");
}

#[test]
fn population_table_missing_a_quasi_identifier() {
    let out = linkrisk(&[
        "scan",
        "fixtures/small/hand.csv",
        "--qi",
        "zip,age",
        "--population-table",
        "fixtures/small/recursive.csv",
    ]);
    one_line_error(
        &out,
        "population table: fixtures/small/recursive.csv has no column 'zip'",
    );
}

#[test]
fn show_values_lists_small_classes_only_when_asked() {
    let plain = linkrisk(&[
        "scan",
        "fixtures/small/hand.csv",
        "--qi",
        "zip,age",
        "--format",
        "json",
    ]);
    let report: serde_json::Value = serde_json::from_slice(&plain.stdout).unwrap();
    assert!(report["views"][0].get("small_classes").is_none());
    let shown = linkrisk(&[
        "scan",
        "fixtures/small/hand.csv",
        "--qi",
        "zip,age",
        "--show-values",
        "--format",
        "json",
    ]);
    let report: serde_json::Value = serde_json::from_slice(&shown.stdout).unwrap();
    let small = report["views"][0]["small_classes"].as_array().unwrap();
    // Policy k = 5: all four classes (sizes 1, 2, 3, 4), smallest first.
    assert_eq!(small.len(), 4);
    assert_eq!(small[0]["size"], 1);
    assert_eq!(
        small[0]["values"],
        serde_json::json!([["zip", "2"], ["age", "b"]])
    );
    let table = linkrisk(&[
        "scan",
        "fixtures/small/hand.csv",
        "--qi",
        "zip,age",
        "--show-values",
    ]);
    assert!(String::from_utf8_lossy(&table.stdout).contains("zip=2, age=b"));
}

/// A named pipe (what `<(command)` gives) is read once, like standard input: the direct CSV
/// reader, which reads blocks at their offsets, leaves it to the loader.
#[cfg(unix)]
#[test]
fn named_pipe_is_read_once() {
    let dir = scratch("cli-pipe");
    let fifo = dir.join("in.csv");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::write(&fifo, "a,b\n1,x\n1,x\n2,y\n").unwrap())
    };
    let out = linkrisk(&[
        "scan",
        fifo.to_str().unwrap(),
        "--qi",
        "a,b",
        "--format",
        "json",
        "--quiet",
    ]);
    writer.join().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["views"][0]["rows"], 3);
    assert_eq!(report["views"][0]["classes"], 2);
    assert_eq!(report["views"][0]["k"], 1);
}

const DEMO_PLAN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/retail/audit.toml");

/// The Python that `.ci/run` prepares with junitparser from PyPI (an independent JUnit XML
/// parser); `LINKRISK_PYTHON` names another.
fn python() -> String {
    std::env::var("LINKRISK_PYTHON").unwrap_or_else(|_| {
        format!(
            "{}/.cache/linkrisk-venv/bin/python3",
            std::env::var("HOME").unwrap()
        )
    })
}

/// `--check` alone is a CI log: the verdict, each violation and where anonymity breaks, on one
/// screen; `--detail full` still prints everything.
#[test]
fn check_alone_prints_the_verdict_and_the_violations() {
    let out = linkrisk(&["audit", DEMO_PLAN, "--check"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("FAIL: 9 violations"), "{text}");
    assert!(
        text.contains("[identities_attached]") && text.contains("[k] transactions"),
        "{text}"
    );
    assert!(
        text.lines().count() <= 50,
        "{} lines:\n{text}",
        text.lines().count()
    );
    assert!(!text.contains("View loyalty"), "{text}");
    let full = linkrisk(&["audit", DEMO_PLAN, "--check", "--detail", "full"]);
    assert!(
        String::from_utf8(full.stdout)
            .unwrap()
            .contains("View loyalty")
    );
}

/// `--baseline`: against itself the audit passes `--check`; with one more join step it fails,
/// naming only the new violations, and says what improved when a step is dropped.
#[test]
fn a_baseline_fails_only_on_what_got_worse() {
    let dir = tempfile::tempdir().unwrap();
    let plan_text = std::fs::read_to_string(DEMO_PLAN).unwrap().replace(
        "path = \"",
        &format!("path = \"{}/fixtures/retail/", env!("CARGO_MANIFEST_DIR")),
    );
    // The accepted audit: the demo without its survey step.
    let cut = plan_text.find("# 4. The research partner's").unwrap();
    let end = plan_text.find("# 5. The data broker's").unwrap();
    let without_survey = format!("{}{}", &plan_text[..cut], &plan_text[end..]);
    let accepted = dir.path().join("accepted.toml");
    std::fs::write(&accepted, &without_survey).unwrap();
    let baseline = dir.path().join("baseline.json");
    let out = linkrisk(&[
        "audit",
        accepted.to_str().unwrap(),
        "--format",
        "json",
        "-o",
        baseline.to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // The same audit against itself: nothing new.
    let same = linkrisk(&[
        "audit",
        accepted.to_str().unwrap(),
        "--check",
        "--baseline",
        baseline.to_str().unwrap(),
    ]);
    assert_eq!(
        same.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&same.stdout)
    );
    assert!(
        String::from_utf8(same.stdout)
            .unwrap()
            .contains("0 new, 0 fixed")
    );

    // One more join step: only its violation is new.
    let full = dir.path().join("full.toml");
    std::fs::write(&full, &plan_text).unwrap();
    let worse = linkrisk(&[
        "audit",
        full.to_str().unwrap(),
        "--check",
        "--baseline",
        baseline.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(worse.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&worse.stdout).unwrap();
    let new = report["baseline"]["new"].as_array().unwrap();
    assert_eq!(new.len(), 1, "{new:?}");
    assert_eq!(new[0]["rule"], "identities_attached");
    assert_eq!(new[0]["view"], "survey");
    assert!(report["baseline"]["fixed"].as_array().unwrap().is_empty());
    let unchanged = report["baseline"]["unchanged"].as_u64().unwrap();
    assert_eq!(
        unchanged as usize + 1,
        report["policy"]["violations"].as_array().unwrap().len()
    );

    // A file that is not a report is one line.
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{\"views\": []}").unwrap();
    let out = linkrisk(&[
        "audit",
        accepted.to_str().unwrap(),
        "--baseline",
        bad.to_str().unwrap(),
    ]);
    one_line_error(&out, "is not a linkrisk JSON report");
}

/// `--format junit` is read back by junitparser (PyPI) with one case per rule and subject,
/// failing exactly where the policy is violated.
#[test]
fn junit_is_read_by_an_independent_parser() {
    let dir = tempfile::tempdir().unwrap();
    let xml = dir.path().join("policy.xml");
    let out = linkrisk(&["audit", DEMO_PLAN, "-o", xml.to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let script = r#"
import sys
from junitparser import JUnitXml, Failure
xml = JUnitXml.fromfile(sys.argv[1])
for suite in xml:
    for case in suite:
        failed = any(isinstance(r, Failure) for r in case.result)
        print(f"{case.classname}\t{case.name}\t{'fail' if failed else 'pass'}")
"#;
    let parsed = Command::new(python())
        .args(["-c", script, xml.to_str().unwrap()])
        .output()
        .expect("the Python of .ci/run (with junitparser) runs");
    assert!(
        parsed.status.success(),
        "{}",
        String::from_utf8_lossy(&parsed.stderr)
    );
    let cases: Vec<Vec<String>> = String::from_utf8(parsed.stdout)
        .unwrap()
        .lines()
        .map(|l| l.split('\t').map(String::from).collect())
        .collect();
    let report = common::linkrisk_json(&["audit", DEMO_PLAN, "--format", "json"]);
    let violations = report["policy"]["violations"].as_array().unwrap();
    let failed: std::collections::BTreeSet<(String, String)> = cases
        .iter()
        .filter(|c| c[2] == "fail")
        .map(|c| (c[0].clone(), c[1].split(" · ").next().unwrap().to_string()))
        .collect();
    let violated: std::collections::BTreeSet<(String, String)> = violations
        .iter()
        .map(|v| {
            (
                v["view"].as_str().unwrap().to_string(),
                v["rule"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(failed, violated);
    // One case per rule and subject: no name twice.
    let names: std::collections::BTreeSet<&String> = cases.iter().map(|c| &c[1]).collect();
    assert_eq!(names.len(), cases.len());
    assert!(cases.iter().any(|c| c[2] == "pass"));
}

/// `--format sarif` validates against the SARIF 2.1.0 JSON Schema (OASIS's, committed under
/// tests/) and has one result per rule and subject.
#[test]
fn sarif_validates_against_the_oasis_schema() {
    let out = linkrisk(&["audit", DEMO_PLAN, "--format", "sarif"]);
    assert_eq!(out.status.code(), Some(0));
    let log: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("sarif-schema-2.1.0.json")).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(&log).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}");
    let results = log["runs"][0]["results"].as_array().unwrap();
    let fails = results.iter().filter(|r| r["kind"] == "fail").count();
    let report = common::linkrisk_json(&["audit", DEMO_PLAN, "--format", "json"]);
    assert_eq!(
        fails,
        report["policy"]["violations"].as_array().unwrap().len()
    );
    assert!(results.iter().all(|r| {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap()
            .ends_with("audit.toml")
    }));
}
