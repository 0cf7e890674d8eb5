//! Shared by the integration tests: the real data in ../shared/data, and helpers.

// Each test binary uses only some of these.
#![allow(dead_code)]

/// The UCI Adult extract ARX ships.
pub const ADULT: &str = "../shared/data/adult/adult.csv";

/// The eight quasi-identifiers of ARX's Adult figures.
pub const ADULT_QIS: [&str; 8] = [
    "age",
    "sex",
    "race",
    "marital-status",
    "education",
    "native-country",
    "workclass",
    "occupation",
];

/// Each row's value of a column on the polars path, as text (`None` when missing): what the
/// direct readers' codes must decode to.
pub fn polars_values(df: &polars::prelude::DataFrame, name: &str) -> Vec<Option<String>> {
    use polars::prelude::DataType;
    let column = df.column(name).unwrap().cast(&DataType::String).unwrap();
    column
        .str()
        .unwrap()
        .iter()
        .map(|v| v.map(str::to_string))
        .collect()
}

/// A fresh, empty folder for one test, under cargo's temporary folder for tests.
pub fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("linkrisk-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs the linkrisk binary under test with `args` (colours off).
pub fn linkrisk(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_linkrisk"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("runs")
}

/// Runs the linkrisk binary under test with `args` and the environment variables `env`.
pub fn linkrisk_env(args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_linkrisk"))
        .args(args)
        .env("NO_COLOR", "1")
        .envs(env.iter().copied())
        .output()
        .expect("runs")
}

/// Runs the binary, which must exit 0, and parses its JSON report.
pub fn linkrisk_json(args: &[&str]) -> serde_json::Value {
    let out = linkrisk(args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_severity_follows_the_verdict(&report);
    report
}

/// [`linkrisk_json`] with the environment variables `env`.
pub fn linkrisk_json_env(args: &[&str], env: &[(&str, &str)]) -> serde_json::Value {
    let out = linkrisk_env(args, env);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// No finding is high about a subject the policy passes: a view without a violation, or a
/// join step without one on its output or its right-hand input. Every JSON report the tests
/// read through [`linkrisk_json`] is checked.
pub fn assert_severity_follows_the_verdict(report: &serde_json::Value) {
    let (Some(findings), Some(violations)) = (
        report["findings"].as_array(),
        report["policy"]["violations"].as_array(),
    ) else {
        return;
    };
    let violated = |view: &str| violations.iter().any(|v| v["view"] == view);
    for f in findings.iter().filter(|f| f["severity"] == "high") {
        let subject = f["subject"].as_str().unwrap();
        let right = report["joins"]
            .as_array()
            .and_then(|joins| joins.iter().find(|j| j["name"] == subject))
            .and_then(|j| j["right"].as_str());
        assert!(
            violated(subject) || right.is_some_and(violated),
            "a high finding about {subject}, which the policy passes: {}",
            f["message"]
        );
    }
}

/// The first element of the report's array `list` whose `key` equals `value` (a join by its
/// kind, a view by its name).
pub fn find<'a>(
    report: &'a serde_json::Value,
    list: &str,
    key: &str,
    value: &str,
) -> &'a serde_json::Value {
    report[list]
        .as_array()
        .unwrap_or_else(|| panic!("no array {list}"))
        .iter()
        .find(|item| item[key] == value)
        .unwrap_or_else(|| panic!("no {list} with {key} = {value}"))
}

/// Asserts a run finished with exit 0, showing its standard error when it did not.
pub fn assert_ran(out: &std::process::Output) {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Asserts a run failed with exit 2 and one line on standard error that holds `needle`, and
/// nothing on standard output; returns the line.
pub fn one_line_error(out: &std::process::Output, needle: &str) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(2), "stderr: {stderr}");
    assert_eq!(stderr.lines().count(), 1, "more than one line: {stderr}");
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert!(stderr.contains(needle), "{needle:?} not in {stderr:?}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(out.stdout.is_empty(), "standard output was written");
    stderr
}

/// Runs the binary with `args`, standard input read from `file`.
pub fn linkrisk_with_stdin(args: &[&str], file: &str) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_linkrisk"))
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(std::fs::File::open(file).unwrap())
        .output()
        .expect("runs")
}
