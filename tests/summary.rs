//! The report a privacy reviewer reads first: the summary opens the table and Markdown
//! reports, fits the width, and the policy judges only what is meant to be anonymous.

mod common;
use common::{linkrisk_json, one_line_error};

const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/retail/audit.toml");

/// Runs the binary with `COLUMNS` set and returns its standard output.
fn with_columns(columns: &str, args: &[&str]) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_linkrisk"))
        .args(args)
        .env("NO_COLOR", "1")
        .env("COLUMNS", columns)
        .output()
        .unwrap();
    common::assert_ran(&out);
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn the_demo_report_opens_with_the_summary_and_fits_the_width() {
    let table = with_columns("80", &["audit", DEMO]);
    let first = table.lines().next().unwrap();
    assert!(first.starts_with("FAIL: "), "{first}");
    assert!(
        table
            .lines()
            .nth(2)
            .unwrap()
            .starts_with("Anonymity breaks at step")
    );
    assert!(
        table.lines().all(|l| l.chars().count() <= 80),
        "a line is wider than 80"
    );
    let markdown = with_columns("80", &["audit", DEMO, "--format", "markdown"]);
    assert!(
        markdown.starts_with("# linkrisk report\n\n## Summary\n\n**FAIL: "),
        "{}",
        &markdown[..200]
    );

    let summary = with_columns("80", &["audit", DEMO, "--detail", "summary"]);
    // Every report ends with its provenance, the summary too.
    let summary = summary.split("Provenance: ").next().unwrap().to_string();
    assert!(
        summary.lines().count() <= 60,
        "{} lines",
        summary.lines().count()
    );
    assert!(
        table.starts_with(&summary),
        "the summary is the full report's first screen"
    );
    assert!(summary.contains("Most severe findings (5 of"));
    // Each failing anonymous view's cheapest remedy closes the screen.
    let remedies = summary
        .split("Cheapest remedy per view")
        .nth(1)
        .expect("the remedies");
    assert!(remedies.contains("- survey: ") && remedies.contains("- transactions: "));
    // Every join step has its line, before → after.
    let report = linkrisk_json(&["audit", DEMO, "--format", "json"]);
    for join in report["joins"].as_array().unwrap() {
        let name = join["name"].as_str().unwrap();
        let first_word = name.split(' ').next().unwrap();
        assert!(summary.contains(first_word), "{name}");
    }
    // A wider terminal gets wider tables.
    let wide = with_columns("120", &["audit", DEMO, "--detail", "summary"]);
    assert!(wide.lines().all(|l| l.chars().count() <= 120));
    assert!(wide.lines().any(|l| l.chars().count() > 80));
}

#[test]
fn the_policy_judges_what_is_meant_to_be_anonymous() {
    let report = linkrisk_json(&["audit", DEMO, "--format", "json"]);
    let identified = |name: &str| {
        common::find(&report, "views", "name", name)["identified_by_design"]
            .as_bool()
            .unwrap()
    };
    for crm in ["loyalty", "ecommerce", "partner"] {
        assert!(identified(crm), "{crm}");
    }
    assert!(!identified("survey"));
    let violations = report["policy"]["violations"].as_array().unwrap();
    for v in violations {
        let view = v["view"].as_str().unwrap();
        assert!(
            !identified(view),
            "{view} is identified by design but violates: {v}"
        );
    }
    // The survey's re-identification is a violation of its own, at the linkage's fraction.
    let quasi = common::find(&report, "joins", "kind", "quasi");
    let attached = violations
        .iter()
        .find(|v| v["view"] == "survey" && v["rule"] == "identities_attached")
        .expect("the survey's records are identified by the quasi step");
    assert_eq!(
        attached["actual"],
        quasi["linkage"]["expected_reidentification_fraction"]
    );
    // And it is high, among the five most severe findings.
    let findings = report["findings"].as_array().unwrap();
    let at = findings
        .iter()
        .position(|f| f["code"] == "quasi_linkage")
        .unwrap();
    assert!(at < 5, "the survey re-identification is finding {}", at + 1);
    assert_eq!(findings[at]["severity"], "high");
}

#[test]
fn a_plan_of_identified_views_judges_nothing_and_a_release_is_judged() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("crm.csv"),
        "id,zip,gender\n1,021,F\n2,022,M\n3,023,F\n",
    )
    .unwrap();
    let plan = |release: bool| {
        let path = dir.path().join(format!("p{release}.toml"));
        std::fs::write(
            &path,
            format!(
                "[[source]]\nname = \"crm\"\npath = \"crm.csv\"\nrelease = {release}\n\
                 columns = {{ id = \"id\", zip = \"qi\", gender = \"qi\" }}\n"
            ),
        )
        .unwrap();
        path.to_str().unwrap().to_string()
    };
    let identified = plan(false);
    let report = linkrisk_json(&["audit", &identified, "--format", "json"]);
    assert_eq!(report["policy"]["judged"], 0);
    assert!(
        report["policy"]["violations"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let table = with_columns("80", &["audit", &identified]);
    assert!(table.starts_with("NOTHING JUDGED: "), "{table}");
    // With --check, a verdict on nothing is no pass.
    let out = common::linkrisk(&["audit", &identified, "--check", "--format", "json"]);
    assert_eq!(out.status.code(), Some(2));

    let released = plan(true);
    let report = linkrisk_json(&["audit", &released, "--format", "json"]);
    assert_eq!(report["policy"]["judged"], 1);
    assert_eq!(report["policy"]["violations"][0]["rule"], "k");
    let out = common::linkrisk(&["audit", &released, "--check"]);
    assert_eq!(out.status.code(), Some(1));
    let _ = one_line_error;
}

/// `zip1`, `decade` and `suppress` are built-ins a plan can name: the survey generalised to
/// them is coarser (larger k) than as released.
#[test]
fn the_coarsest_builtins_can_be_pasted_into_a_plan() {
    let dir = tempfile::tempdir().unwrap();
    let plan = |generalize: &str| {
        let path = dir.path().join("p.toml");
        std::fs::write(
            &path,
            format!(
                "[[source]]\nname = \"survey\"\npath = \"{}/fixtures/retail/survey.csv\"\n\
                 columns = {{ zip3 = \"qi\", birth_year = \"qi\", gender = \"qi\" }}\n{generalize}",
                env!("CARGO_MANIFEST_DIR")
            ),
        )
        .unwrap();
        let report = linkrisk_json(&["audit", path.to_str().unwrap(), "--format", "json"]);
        report["views"][0]["k"].as_u64().unwrap()
    };
    let released = plan("");
    let coarse =
        plan("generalize = { zip3 = \"zip1\", birth_year = \"decade\", gender = \"suppress\" }\n");
    assert!(coarse > released, "k {released} → {coarse}");
}

/// One width rule for prose and tables: at `COLUMNS=100` the sentences fill lines past 80
/// characters as the tables do, and nothing passes 100; `keys` follows it too, and its
/// `--detail summary` keeps only the sections that say which columns to coarsen.
#[test]
fn prose_and_tables_share_one_width_and_keys_has_a_summary() {
    let wide = with_columns("100", &["audit", DEMO]);
    let longest = |text: &str| text.lines().map(|l| l.chars().count()).max().unwrap();
    assert!(longest(&wide) <= 100, "a line is wider than 100");
    let prose_past_80 = wide
        .lines()
        .filter(|l| !l.starts_with(['│', '┌', '└', '╞', '├']) && l.chars().count() > 80)
        .count();
    assert!(prose_past_80 > 0, "the sentences still wrap at 80");

    let adult = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/data/adult/adult.csv"
    );
    let qis = "age,sex,race,marital-status,education,native-country,workclass,occupation";
    let full = with_columns("60", &["keys", adult, "--qi", qis]);
    assert!(longest(&full) <= 60, "keys passes 60 columns:\n{full}");
    let summary = with_columns("60", &["keys", adult, "--qi", qis, "--detail", "summary"]);
    for kept in [
        "Without each column",
        "Fewest columns that single people out",
    ] {
        assert!(summary.contains(kept) && full.contains(kept), "{kept}");
    }
    for dropped in [
        "Distinction and separation",
        "Minimal sample uniques",
        "riskiest records",
    ] {
        assert!(full.contains(dropped), "{dropped}");
        assert!(!summary.contains(dropped), "{dropped} in the summary");
    }
}
