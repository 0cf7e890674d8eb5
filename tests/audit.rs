//! `linkrisk audit` and `link`: the demo plan, linkage figures against brute force and the
//! synth truth, hashed-identifier detection, plan errors and the no-leak promise.

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Output;

use linkrisk::internals::audit::View;
use linkrisk::internals::audit::hashed::detect;
use linkrisk::internals::normalize::HashAlgorithm;
use linkrisk::io::{LoadOptions, load};
use linkrisk::plan::Role;
use polars::prelude::*;

mod common;
use common::{linkrisk, polars_values};

fn demo_json() -> serde_json::Value {
    let out = linkrisk(&["audit", "--format", "json", "--quiet"]);
    common::assert_ran(&out);
    serde_json::from_slice(&out.stdout).unwrap()
}

fn read(path: &str, columns: &[&str]) -> DataFrame {
    let columns: Vec<String> = columns.iter().map(|s| s.to_string()).collect();
    load(path, &columns, &LoadOptions::default()).unwrap()
}

fn strings(df: &DataFrame, name: &str) -> Vec<Option<String>> {
    polars_values(df, name)
}

/// `link` of the demo's survey to its loyalty file on `on`, as JSON (it must exit 0).
fn link_survey_to_loyalty(on: &str) -> serde_json::Value {
    let out = linkrisk(&[
        "link",
        "fixtures/retail/loyalty.csv",
        "fixtures/retail/survey.csv",
        "--on",
        on,
        "--format",
        "json",
        "--quiet",
    ]);
    common::assert_ran(&out);
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Writes a plan into a folder of its own (`RETAIL` stands for the fixture folder) and runs
/// `audit` on it with `args`.
fn audit_plan(name: &str, plan: &str, args: &[&str]) -> Output {
    let dir =
        std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("linkrisk-plan-{name}"));
    std::fs::create_dir_all(&dir).unwrap();
    let retail = std::fs::canonicalize("fixtures/retail").unwrap();
    let path: PathBuf = dir.join("plan.toml");
    std::fs::write(&path, plan.replace("RETAIL", retail.to_str().unwrap())).unwrap();
    let mut all = vec!["audit", path.to_str().unwrap()];
    all.extend(args);
    linkrisk(&all)
}

/// [`audit_plan`]'s JSON report, which must exit 0.
fn audit_json(name: &str, plan: &str) -> serde_json::Value {
    let out = audit_plan(name, plan, &["--format", "json", "--quiet"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{name}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn demo_plan_has_every_join_kind_and_breaks_the_policy() {
    let report = demo_json();
    let kinds: Vec<&str> = report["joins"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["kind"].as_str().unwrap())
        .collect();
    for kind in ["key", "normalized", "hashed", "quasi"] {
        assert!(kinds.contains(&kind), "no {kind} step in {kinds:?}");
    }
    assert_eq!(report["policy"]["passed"], false);
    // At least one step takes a view that met the policy k to one that does not.
    let broken = report["joins"].as_array().unwrap().iter().any(|j| {
        j["before_right"]["k"].as_u64().unwrap() >= 5 && j["after"]["k"].as_u64().unwrap() < 5
    });
    assert!(broken, "no step breaks the policy");
    let first = &report["findings"][0]["message"];
    assert!(
        first
            .as_str()
            .unwrap()
            .starts_with("Anonymity breaks at step"),
        "{first}"
    );
}

#[test]
fn demo_linkage_equals_the_count_from_the_truth_files() {
    let report = demo_json();
    let quasi = report["joins"]
        .as_array()
        .unwrap()
        .iter()
        .find(|j| j["kind"] == "quasi")
        .unwrap();
    let link = &quasi["linkage"];

    let loyalty = read(
        "fixtures/retail/loyalty.csv",
        &["loyalty_id", "zip5", "birth_date", "gender"],
    );
    let survey = read(
        "fixtures/retail/survey.csv",
        &["respondent_id", "zip3", "birth_year", "gender"],
    );
    let truth = |path: &str, key: &str| -> HashMap<String, String> {
        let df = read(path, &[key, "person_id"]);
        strings(&df, key)
            .into_iter()
            .zip(strings(&df, "person_id"))
            .map(|(k, p)| (k.unwrap(), p.unwrap()))
            .collect()
    };
    let loyalty_person = truth("fixtures/retail/truth/loyalty.csv", "loyalty_id");
    let survey_person = truth("fixtures/retail/truth/survey.csv", "respondent_id");

    // Brute force: every identified record's key, then every target's candidates.
    let mut candidates: HashMap<(String, String, String), Vec<String>> = HashMap::new();
    let (ids, zips, dobs, genders) = (
        strings(&loyalty, "loyalty_id"),
        strings(&loyalty, "zip5"),
        strings(&loyalty, "birth_date"),
        strings(&loyalty, "gender"),
    );
    for i in 0..loyalty.height() {
        if let (Some(z), Some(d), Some(g)) = (&zips[i], &dobs[i], &genders[i]) {
            candidates
                .entry((z[..3].to_string(), d[..4].to_string(), g.clone()))
                .or_default()
                .push(loyalty_person[ids[i].as_ref().unwrap()].clone());
        }
    }
    let (rids, zip3s, years, sgenders) = (
        strings(&survey, "respondent_id"),
        strings(&survey, "zip3"),
        strings(&survey, "birth_year"),
        strings(&survey, "gender"),
    );
    let mut target_counts: HashMap<(String, String, String), usize> = HashMap::new();
    let keys: Vec<Option<(String, String, String)>> = (0..survey.height())
        .map(|i| Some((zip3s[i].clone()?, years[i].clone()?, sgenders[i].clone()?)))
        .collect();
    for k in keys.iter().flatten() {
        *target_counts.entry(k.clone()).or_default() += 1;
    }
    let (mut unique, mut correct, mut expected) = (0usize, 0usize, 0.0f64);
    for (i, key) in keys.iter().enumerate() {
        let Some(key) = key else { continue };
        let Some(c) = candidates.get(key) else {
            continue;
        };
        expected += 1.0 / c.len() as f64;
        if c.len() == 1 && target_counts[key] == 1 {
            unique += 1;
            if c[0] == survey_person[rids[i].as_ref().unwrap()] {
                correct += 1;
            }
        }
    }
    assert_eq!(link["unique_matches"].as_u64().unwrap() as usize, unique);
    assert_eq!(
        link["correct_unique_matches"].as_u64().unwrap() as usize,
        correct
    );
    assert!((link["expected_reidentifications"].as_f64().unwrap() - expected).abs() < 1e-9);
    assert_eq!(
        link["target_rows"].as_u64().unwrap() as usize,
        survey.height()
    );
}

fn source_view(name: &str, path: &str, columns: &[&str]) -> View {
    let df = read(path, columns);
    View::new(
        name,
        df,
        columns
            .iter()
            .map(|c| (c.to_string(), Role::Other))
            .collect(),
    )
}

#[test]
fn hashed_identifiers_are_found_and_random_hex_is_not() {
    let loyalty = source_view(
        "loyalty",
        "fixtures/retail/loyalty.csv",
        &["email", "phone"],
    );
    let web = source_view(
        "web_analytics",
        "fixtures/retail/web_analytics.csv",
        &["email_sha256", "device"],
    );
    let found = detect(&[loyalty.clone(), web]).unwrap();
    let hit = found
        .iter()
        .find(|h| h.view == "web_analytics" && h.source_view == "loyalty")
        .expect("found");
    assert_eq!(hit.column, "email_sha256");
    assert_eq!(hit.source_column, "email");
    assert_eq!(hit.algorithm, "SHA-256");
    assert!(hit.match_rate > 0.5, "{}", hit.match_rate);

    let random: Vec<String> = (0..500)
        .map(|i| HashAlgorithm::Sha256.hex(&format!("salt-{i}-x")))
        .collect();
    let md5: Vec<String> = (0..500)
        .map(|i| HashAlgorithm::Md5.hex(&format!("other-{i}")))
        .collect();
    let noise = View::new(
        "noise",
        DataFrame::new_infer_height(vec![
            Column::new("token".into(), random),
            Column::new("tag".into(), md5),
        ])
        .unwrap(),
        vec![],
    );
    assert!(detect(&[loyalty, noise]).unwrap().is_empty());
}

fn plan_error(name: &str, plan: &str, needle: &str) {
    let out = audit_plan(name, plan, &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{name}: {stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{name}: {stderr}");
    assert!(
        stderr.contains(needle),
        "{name}: '{needle}' not in {stderr}"
    );
    assert!(out.stdout.is_empty());
}

const SOURCES: &str = r#"
[[source]]
name = "loyalty"
path = "RETAIL/loyalty.csv"
columns = { email = "id", zip5 = "qi", gender = "qi" }

[[source]]
name = "survey"
path = "RETAIL/survey.csv"
columns = { zip3 = "qi", gender = "qi", household_size = "other" }
"#;

#[test]
fn plan_errors_name_the_key_or_step() {
    plan_error(
        "unknown-key",
        &format!("[policy]\nk = 5\nkay = 3\n{SOURCES}"),
        "kay",
    );
    plan_error(
        "unknown-source",
        &format!(
            "{SOURCES}\n[[join]]\nname = \"j\"\nleft = \"loyalty\"\nright = \"surveys\"\nkind = \"quasi\"\non = [\"gender\"]\n"
        ),
        "surveys",
    );
    plan_error(
        "missing-column",
        &format!(
            "{SOURCES}\n[[join]]\nname = \"j\"\nleft = \"loyalty\"\nright = \"survey\"\nkind = \"quasi\"\non = [\"zip5\"]\n"
        ),
        "'survey' has no column 'zip5'",
    );
    plan_error(
        "later-step",
        &format!(
            "{SOURCES}\n[[join]]\nname = \"first\"\nleft = \"second\"\nright = \"survey\"\nkind = \"quasi\"\non = [\"gender\"]\n\n[[join]]\nname = \"second\"\nleft = \"loyalty\"\nright = \"survey\"\nkind = \"quasi\"\non = [\"gender\"]\n"
        ),
        "'second', a step that comes later",
    );
    plan_error(
        "duplicate",
        &format!(
            "{SOURCES}{}",
            SOURCES
                .split("[[source]]")
                .nth(2)
                .map(|s| format!("[[source]]{s}"))
                .unwrap()
        ),
        "duplicate name 'survey'",
    );
    plan_error(
        "hierarchy",
        &SOURCES.replace(
            "columns = { zip3 = \"qi\"",
            "generalize = { zip3 = { hierarchy = \"nope.csv\" } }\ncolumns = { zip3 = \"qi\"",
        ),
        "nope.csv",
    );
    plan_error(
        "types",
        &format!(
            "{}\n[[source]]\nname = \"people\"\npath = \"RETAIL/truth/people.parquet\"\ncolumns = {{ household_size = \"qi\" }}\n\n[[join]]\nname = \"typed\"\nleft = \"survey\"\nright = \"people\"\nkind = \"key\"\non = [\"household_size\"]\n",
            SOURCES
        ),
        "join 'typed': survey.household_size holds text and people.household_size holds numbers",
    );
}

#[test]
fn no_identifier_appears_in_any_output() {
    let loyalty = read(
        "fixtures/retail/loyalty.csv",
        &["full_name", "email", "phone"],
    );
    let mut secrets: Vec<String> = Vec::new();
    for c in ["full_name", "email", "phone"] {
        secrets.extend(strings(&loyalty, c).into_iter().flatten());
    }
    let partner = read("fixtures/retail/partner.csv", &["email", "phone"]);
    for c in ["email", "phone"] {
        secrets.extend(strings(&partner, c).into_iter().flatten());
    }
    assert!(secrets.len() > 3000);
    for format in ["table", "json", "markdown"] {
        let out = linkrisk(&["audit", "--format", format, "--quiet"]);
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.len() > 1000);
        for s in &secrets {
            assert!(
                !text.contains(s.as_str()),
                "{format} output leaks an identifier"
            );
        }
    }
}

#[test]
fn link_command_reports_the_same_figures_as_the_plan() {
    let report = link_survey_to_loyalty("zip5=zip3,birth_date=birth_year,gender");
    let link = &report["joins"][0]["linkage"];
    let demo = demo_json();
    let planned = demo["joins"]
        .as_array()
        .unwrap()
        .iter()
        .find(|j| j["kind"] == "quasi")
        .unwrap();
    for key in [
        "unique_matches",
        "targets_with_candidates",
        "candidate_pairs",
        "expected_reidentifications",
        "candidate_histogram",
        "target_rows",
        "identified_rows",
    ] {
        assert_eq!(link[key], planned["linkage"][key], "{key}");
    }
    for key in ["rows_out", "matched_left", "matched_right"] {
        assert_eq!(report["joins"][0][key], planned[key], "{key}");
    }
    // The target view as the plan measures it.
    let survey = |r: &serde_json::Value| {
        r["views"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["name"] == "survey")
            .unwrap()
            .clone()
    };
    for key in ["k", "classes", "uniques"] {
        assert_eq!(survey(&report)[key], survey(&demo)[key], "{key}");
    }
    let bad = linkrisk(&[
        "link",
        "fixtures/retail/ecommerce.csv",
        "fixtures/retail/survey.csv",
        "--on",
        "zipcode",
    ]);
    assert_eq!(bad.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&bad.stderr)
            .trim_end()
            .lines()
            .count(),
        1
    );
}

#[test]
fn many_to_many_key_join_is_refused_with_its_estimate() {
    // Loyalty × survey on gender alone: the estimate is Σ over genders of the two counts'
    // product, counted here independently of linkrisk.
    let count = |path: &str| -> HashMap<String, u64> {
        let mut counts = HashMap::new();
        for g in strings(&read(path, &["gender"]), "gender")
            .into_iter()
            .flatten()
        {
            if !g.trim().is_empty() {
                *counts.entry(g).or_insert(0) += 1;
            }
        }
        counts
    };
    let (l, r) = (
        count("fixtures/retail/loyalty.csv"),
        count("fixtures/retail/survey.csv"),
    );
    let pairs: u64 = l
        .iter()
        .map(|(g, n)| n * r.get(g).copied().unwrap_or(0))
        .sum();
    assert!(pairs > 1000);
    let shown = pairs
        .to_string()
        .as_bytes()
        .rchunks(3)
        .rev()
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect::<Vec<_>>()
        .join(",");
    plan_error(
        "max-rows",
        &format!(
            "[policy]\nmax_join_rows = 1000\n{SOURCES}\n[[join]]\nname = \"everyone\"\nleft = \"loyalty\"\nright = \"survey\"\nkind = \"key\"\non = [\"gender\"]\n"
        ),
        &format!("join 'everyone' would produce {shown} rows, above max_join_rows = 1,000"),
    );
    // A quasi step on the same column is linkage from class tables: it builds no pairs and
    // is not refused.
    let report = audit_json(
        "quasi-gender",
        &format!(
            "[policy]\nmax_join_rows = 1000\n{SOURCES}\n[[join]]\nname = \"everyone\"\nleft = \"loyalty\"\nright = \"survey\"\nkind = \"quasi\"\non = [\"gender\"]\n"
        ),
    );
    assert_eq!(
        report["joins"][0]["linkage"]["candidate_pairs"].as_u64(),
        Some(pairs)
    );
}

#[test]
fn hierarchy_generalisation_from_an_arx_file() {
    let adult = std::fs::canonicalize("../shared/data/adult").unwrap();
    let plan = |generalize: &str| {
        format!(
            "[[source]]\nname = \"adult\"\npath = \"{a}/adult.csv\"\ncolumns = {{ age = \"qi\", sex = \"qi\" }}\n{generalize}\n",
            a = adult.display()
        )
    };
    let run = |text: String| audit_json("hierarchy", &text);
    let raw = run(plan(""));
    let general = run(plan(&format!(
        "generalize = {{ age = {{ hierarchy = \"{}/hierarchy_age.csv\", level = 2 }} }}",
        adult.display()
    )));
    // Level 2 of ARX's age hierarchy is 10-year bands, and it files 90 under 80-89: ages
    // 17-90 fall into 8 bands, × 2 sexes = 16 classes (counted independently with awk).
    assert!(raw["views"][0]["classes"].as_u64().unwrap() > 100);
    assert_eq!(general["views"][0]["classes"].as_u64().unwrap(), 16);
}

#[test]
fn demo_quasi_view_has_one_row_per_survey_record_and_broker_links_are_judged() {
    let report = demo_json();
    let joins = report["joins"].as_array().unwrap();
    let step = |name: &str| joins.iter().find(|j| j["name"] == name).unwrap();
    let survey = read("fixtures/retail/survey.csv", &["respondent_id"]).height();
    let quasi = step("survey re-identified via zip3 + birth year + gender");
    assert_eq!(quasi["rows_out"].as_u64().unwrap() as usize, survey);
    let view = report["views"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == quasi["name"])
        .unwrap();
    assert_eq!(view["rows"].as_u64().unwrap() as usize, survey);

    // Broker by phone, counted from the files: digits only, a leading 1 of 11 digits dropped.
    let phones = |path: &str, truth: &str, key: &str| -> Vec<(String, String)> {
        let df = read(path, &[key, "phone"]);
        let people = read(truth, &[key, "person_id"]);
        let person: HashMap<String, String> = strings(&people, key)
            .into_iter()
            .zip(strings(&people, "person_id"))
            .map(|(k, p)| (k.unwrap(), p.unwrap()))
            .collect();
        strings(&df, key)
            .into_iter()
            .zip(strings(&df, "phone"))
            .filter_map(|(k, p)| {
                let digits: String = p?.chars().filter(char::is_ascii_digit).collect();
                let digits = match digits.strip_prefix('1') {
                    Some(rest) if digits.len() == 11 => rest.to_string(),
                    _ => digits,
                };
                (!digits.is_empty()).then(|| (digits, person[&k.unwrap()].clone()))
            })
            .collect()
    };
    let left = phones(
        "fixtures/retail/loyalty.csv",
        "fixtures/retail/truth/loyalty.csv",
        "loyalty_id",
    );
    let right = phones(
        "fixtures/retail/partner.csv",
        "fixtures/retail/truth/partner.csv",
        "record_id",
    );
    let (mut links, mut correct) = (0u64, 0u64);
    for (lp, lw) in &left {
        for (rp, rw) in &right {
            if lp == rp {
                links += 1;
                correct += (lw == rw) as u64;
            }
        }
    }
    let broker = step("broker list by phone");
    assert_eq!(broker["rows_out"].as_u64(), Some(links));
    assert_eq!(broker["truth"]["correct_links"].as_u64(), Some(correct));
    assert_eq!(
        broker["truth"]["false_links"].as_u64(),
        Some(links - correct)
    );
    // Every identifier the attacker holds finds more of the shared people than one.
    let any = step("broker list by email or phone");
    assert!(
        any["truth"]["found_records"].as_u64().unwrap()
            > broker["truth"]["found_records"].as_u64().unwrap()
    );
    assert_eq!(any["identifiers"].as_array().unwrap().len(), 2);
}

#[test]
fn columns_that_do_not_match_up_are_named() {
    // Survey household sizes against loyalty genders: no target record finds a candidate.
    let report = link_survey_to_loyalty("gender,gender=household_size");
    let finding = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "columns_not_comparable")
        .expect("a columns_not_comparable finding");
    assert_eq!(finding["severity"], "low");
    let message = finding["message"].as_str().unwrap();
    assert!(message.contains("gender=household_size"), "{message}");
    assert!(!message.contains("gender ("), "{message}");
    assert_eq!(
        report["joins"][0]["linkage"]["targets_with_candidates"].as_u64(),
        Some(0)
    );
}

/// Writes a Parquet file of `columns` into `dir`.
fn parquet(dir: &std::path::Path, name: &str, columns: Vec<Column>) {
    let mut df = DataFrame::new_infer_height(columns).unwrap();
    let file = std::fs::File::create(dir.join(name)).unwrap();
    ParquetWriter::new(file).finish(&mut df).unwrap();
}

/// A plan of two sources, `a` (`key` and a QI `gender`) and `b` (`key` and a QI `band`),
/// joined by key on `key`, with policy k = `k`; written beside the files as `<b>.toml`.
fn key_plan(dir: &std::path::Path, a: &str, b: &str, key: &str, k: u32) -> std::path::PathBuf {
    let plan = dir.join(format!("{b}.toml"));
    std::fs::write(
        &plan,
        format!(
            "[policy]\nk = {k}\n\n[[source]]\nname = \"a\"\npath = \"{a}\"\ncolumns = {{ {key} = \"other\", gender = \"qi\" }}\n\n[[source]]\nname = \"b\"\npath = \"{b}\"\ncolumns = {{ {key} = \"other\", band = \"qi\" }}\n\n[[join]]\nname = \"by {key}\"\nleft = \"a\"\nright = \"b\"\nkind = \"key\"\non = [\"{key}\"]\n"
        ),
    )
    .unwrap();
    plan
}

/// The joins of the audit of `plan` (JSON).
fn audit_joins(plan: &std::path::Path) -> serde_json::Value {
    let report = common::linkrisk_json(&[
        "audit",
        plan.to_str().unwrap(),
        "--format",
        "json",
        "--quiet",
    ]);
    report["joins"].clone()
}

#[test]
fn integer_ids_join_float_ids_by_value_and_a_join_linking_nobody_passes() {
    let dir = tempfile::tempdir().unwrap();
    let genders: Vec<&str> = (0..10)
        .map(|i| if i % 2 == 0 { "F" } else { "M" })
        .collect();
    parquet(
        dir.path(),
        "a.parquet",
        vec![
            Column::new("token".into(), (1..=10i64).collect::<Vec<_>>()),
            Column::new("gender".into(), genders),
        ],
    );
    let bands = vec!["x"; 8];
    // The same ids as integers and as floats (`-0.0` among them, equal to `0`).
    let ints: Vec<i64> = vec![0, 2, 3, 4, 5, 6, 7, 99];
    let floats: Vec<f64> = vec![-0.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 99.0];
    parquet(
        dir.path(),
        "b_int.parquet",
        vec![
            Column::new("token".into(), ints),
            Column::new("band".into(), bands.clone()),
        ],
    );
    parquet(
        dir.path(),
        "b_float.parquet",
        vec![
            Column::new("token".into(), floats),
            Column::new("band".into(), bands.clone()),
        ],
    );
    let matched = |right: &str| -> (u64, u64) {
        let joins = audit_joins(&key_plan(dir.path(), "a.parquet", right, "token", 2));
        let join = &joins[0];
        (
            join["matched_right"].as_u64().unwrap(),
            join["rows_out"].as_u64().unwrap(),
        )
    };
    let by_ints = matched("b_int.parquet");
    assert_eq!(by_ints, (6, 6));
    assert_eq!(matched("b_float.parquet"), by_ints);

    // Ids that occur on one side only: the join links nobody, its view is empty, and an
    // empty view singles out nobody, so --check passes when nothing else fails.
    parquet(
        dir.path(),
        "b_none.parquet",
        vec![
            Column::new("token".into(), vec![100.5f64; 8]),
            Column::new("band".into(), bands),
        ],
    );
    let plan = key_plan(dir.path(), "a.parquet", "b_none.parquet", "token", 2);
    let out = linkrisk(&[
        "audit",
        plan.to_str().unwrap(),
        "--check",
        "--format",
        "json",
        "--quiet",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["joins"][0]["rows_out"], 0);
    assert_eq!(report["policy"]["passed"], true);
    let empty = common::find(&report, "findings", "code", "empty_view");
    assert_eq!(empty["subject"], "by token");
}

#[test]
fn text_timestamps_with_offsets_join_the_instants_they_name() {
    let dir = tempfile::tempdir().unwrap();
    // The same instants, written with three offsets on one side and in UTC on the other.
    std::fs::write(
        dir.path().join("a.csv"),
        "ts,gender\n2024-03-01T10:00:00+02:00,F\n2024-03-01T03:00:00-05:00,M\n2024-03-01 08:00:00Z,F\n2024-03-02T00:30:00+01:00,M\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("b.csv"),
        "ts,band\n2024-03-01T08:00:00Z,x\n2024-03-01 23:30:00+00:00,x\n",
    )
    .unwrap();
    let joins = audit_joins(&key_plan(dir.path(), "a.csv", "b.csv", "ts", 1));
    let join = &joins[0];
    // 08:00Z matches three left rows; 23:30Z matches the one at 00:30+01:00.
    assert_eq!(join["rows_out"], 4);
    assert_eq!(join["matched_right"], 2);
    assert_eq!(join["matched_left"], 4);
}

#[test]
fn link_compares_text_timestamps_with_offsets_as_instants() {
    let dir = tempfile::tempdir().unwrap();
    // Three distinct instants on each side, written with other offsets on the target side.
    let identified = dir.path().join("id.csv");
    let target = dir.path().join("target.csv");
    std::fs::write(
        &identified,
        "ts\n2024-03-01 08:00:00Z\n2024-03-01 09:00:00Z\n2024-03-01 10:00:00Z\n",
    )
    .unwrap();
    std::fs::write(
        &target,
        "ts\n2024-03-01T10:00:00+02:00\n2024-03-01T04:00:00-05:00\n2024-03-01T11:00:00+0100\n",
    )
    .unwrap();
    let report = common::linkrisk_json(&[
        "link",
        identified.to_str().unwrap(),
        target.to_str().unwrap(),
        "--on",
        "ts",
        "--format",
        "json",
    ]);
    assert_eq!(report["joins"][0]["linkage"]["unique_matches"], 3);
}

/// The survey linked back to the loyalty members on ZIP + birth + gender, with a policy the
/// survey meets by itself (`k = 1`), so only the identities the step attaches are judged.
fn survey_plan(policy: &str, step_policy: &str) -> String {
    format!(
        r#"
[policy]
k = 1
{policy}

[[source]]
name = "loyalty"
path = "RETAIL/loyalty.csv"
columns = {{ loyalty_id = "id", email = "id", zip5 = "qi", birth_date = "qi", gender = "qi" }}

[[source]]
name = "survey"
path = "RETAIL/survey.csv"
columns = {{ respondent_id = "other", zip3 = "qi", birth_year = "qi", gender = "qi" }}

[[join]]
name = "survey linked"
left = "loyalty"
right = "survey"
kind = "quasi"
left_on = ["zip5", "birth_date", "gender"]
right_on = ["zip3", "birth_year", "gender"]
{step_policy}
"#
    )
}

/// A policy that tolerates the measured re-identification passes; the default (0) fails, and
/// a step's own `policy` replaces the plan's.
#[test]
fn a_policy_says_how_much_re_identification_it_tolerates() {
    let strict = audit_plan(
        "tolerance-default",
        &survey_plan("", ""),
        &["--check", "--quiet"],
    );
    assert_eq!(strict.status.code(), Some(1));
    let report = audit_json("tolerance-measured", &survey_plan("", ""));
    let violation = &report["policy"]["violations"][0];
    assert_eq!(violation["rule"], "identities_attached");
    assert_eq!(violation["limit"], 0.0);
    let measured = violation["actual"].as_f64().unwrap();
    assert!(measured > 0.2 && measured < 0.25, "{measured}");

    let tolerant = format!("max_reidentified_fraction = {}", measured + 0.01);
    let out = audit_plan(
        "tolerance-plan",
        &survey_plan(&tolerant, ""),
        &["--check", "--quiet"],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let below = format!("max_reidentified_fraction = {}", measured - 0.01);
    let out = audit_plan(
        "tolerance-below",
        &survey_plan(&below, ""),
        &["--check", "--quiet"],
    );
    assert_eq!(out.status.code(), Some(1));
    let report = audit_json("tolerance-below-json", &survey_plan(&below, ""));
    let violation = &report["policy"]["violations"][0];
    assert!((violation["limit"].as_f64().unwrap() - (measured - 0.01)).abs() < 1e-12);
    assert!(
        violation["message"]
            .as_str()
            .unwrap()
            .contains("above the policy's")
    );

    // The step's own policy wins over the plan's.
    let step = format!(
        "policy = {{ max_reidentified_fraction = {} }}",
        measured + 0.01
    );
    let out = audit_plan(
        "tolerance-step",
        &survey_plan("", &step),
        &["--check", "--quiet"],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Every threshold of the policy: set just below what a view measures it fails, naming the
/// rule, the view and both figures; set at what it measures it passes.
#[test]
fn every_policy_threshold_fails_a_view_past_it_and_passes_one_within() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("linkrisk-thresholds");
    std::fs::create_dir_all(&dir).unwrap();
    // Six people's purchases (store, day), two each with two diagnoses (so that every class
    // is 2-diverse and recursive (c, 2)-diversity has a finite c); zip + age as QIs.
    let mut csv = String::from("who,zip,age,diagnosis,store,day\n");
    let rows = [
        ("p1", "021", "30", "flu", "s1", "1"),
        ("p1", "021", "30", "cold", "s2", "2"),
        ("p2", "021", "30", "cold", "s1", "1"),
        ("p2", "021", "30", "asthma", "s3", "3"),
        ("p3", "021", "30", "flu", "s1", "2"),
        ("p3", "021", "30", "asthma", "s1", "3"),
        ("p4", "104", "40", "flu", "s2", "1"),
        ("p4", "104", "40", "cold", "s2", "4"),
        ("p5", "104", "40", "asthma", "s4", "1"),
        ("p5", "104", "40", "flu", "s4", "2"),
        ("p6", "104", "50", "cold", "s1", "1"),
        ("p6", "104", "50", "flu", "s1", "5"),
    ];
    for r in rows {
        csv.push_str(&format!(
            "{},{},{},{},{},{}\n",
            r.0, r.1, r.2, r.3, r.4, r.5
        ));
    }
    std::fs::write(dir.join("people.csv"), csv).unwrap();
    let plan = |policy: &str| {
        let k = if policy.starts_with("k =") {
            ""
        } else {
            "k = 1"
        };
        let text = format!(
            r#"
[policy]
{k}
population = 1000
unicity_max_points = 2
{policy}

[[source]]
name = "people"
path = "people.csv"
columns = {{ who = "other", zip = "qi", age = "qi", diagnosis = "sensitive", store = "other", day = "other" }}
entity = "who"
points = ["store", "day"]
"#
        );
        std::fs::write(dir.join("plan.toml"), text).unwrap();
        let plan = linkrisk::plan::Plan::load(&dir.join("plan.toml")).unwrap();
        linkrisk::audit(&linkrisk::AuditOptions {
            plan,
            show_values: false,
            records: false,
        })
        .unwrap()
    };
    let measured = plan("");
    assert!(measured.policy.passed);
    let view = &measured.views[0];
    let m = &view.metrics;
    let ld = &m.l_diversity["diagnosis"];
    let unicity = view.unicity.as_ref().unwrap().curve[1]
        .unique_fraction
        .unwrap();
    let population = m.population.as_ref().unwrap().dankar.unwrap().fraction;
    // (key, rule, measured, a failing threshold, a passing threshold)
    let cases: Vec<(&str, &str, f64, String, String)> = vec![
        (
            "k",
            "k",
            m.k_anonymity.k as f64,
            format!("{}", m.k_anonymity.k + 1),
            format!("{}", m.k_anonymity.k),
        ),
        (
            "max_unique_fraction",
            "max_unique_fraction",
            m.k_anonymity.unique_fraction,
            format!("{}", m.k_anonymity.unique_fraction / 2.0),
            format!("{}", m.k_anonymity.unique_fraction),
        ),
        (
            "l",
            "l",
            ld.distinct as f64,
            format!("{}", ld.distinct + 1),
            format!("{}", ld.distinct),
        ),
        (
            "entropy_l",
            "entropy_l",
            ld.entropy,
            format!("{}", ld.entropy + 0.1),
            format!("{}", ld.entropy.max(1.0)),
        ),
        (
            "recursive_c",
            "recursive_c",
            ld.recursive_c.unwrap_or(f64::INFINITY),
            "0.01".into(),
            "1000".into(),
        ),
        (
            "t",
            "t",
            m.t_closeness["diagnosis"],
            format!("{}", m.t_closeness["diagnosis"] / 2.0),
            format!("{}", m.t_closeness["diagnosis"]),
        ),
        (
            "max_prosecutor_avg",
            "max_prosecutor_avg",
            m.prosecutor.avg,
            format!("{}", m.prosecutor.avg / 2.0),
            format!("{}", m.prosecutor.avg),
        ),
        (
            "max_prosecutor_max",
            "max_prosecutor_max",
            m.prosecutor.max,
            format!("{}", m.prosecutor.max / 2.0),
            format!("{}", m.prosecutor.max),
        ),
        (
            "max_unicity",
            "max_unicity",
            unicity,
            format!("{}\nunicity_p = 2", unicity / 2.0),
            format!("{unicity}\nunicity_p = 2"),
        ),
        (
            "max_population_unique_fraction",
            "max_population_unique_fraction",
            population,
            format!("{}", population / 2.0),
            format!("{population}"),
        ),
    ];
    for (key, rule, actual, failing, passing) in cases {
        assert!(actual > 0.0, "{key}: the test table must measure something");
        let report = plan(&format!("{key} = {failing}"));
        assert!(!report.policy.passed, "{key} = {failing}");
        let broken: Vec<_> = report
            .policy
            .violations
            .iter()
            .filter(|v| v.rule.as_str() == rule)
            .collect();
        assert_eq!(broken.len(), 1, "{key}: {:?}", report.policy.violations);
        assert_eq!(broken[0].view, "people");
        if actual.is_finite() {
            assert!(
                (broken[0].actual - actual).abs() < 1e-9,
                "{key}: {} vs {actual}",
                broken[0].actual
            );
        }
        let report = plan(&format!("{key} = {passing}"));
        assert!(
            report.policy.passed,
            "{key} = {passing}: {:?}",
            report.policy.violations
        );
    }
}

/// A threshold that means nothing is refused with one line naming it.
#[test]
fn a_meaningless_threshold_is_refused_naming_it() {
    for (policy, step, expected) in [
        ("t = 1.5", "", "policy.t must be between 0 and 1"),
        (
            "entropy_l = 0.5",
            "",
            "policy.entropy_l must be a number of at least 1",
        ),
        (
            "unicity_p = 0",
            "",
            "policy.unicity_p must be from 1 to 100",
        ),
        (
            "",
            "policy = { max_reidentified_fraction = -1 }",
            "join 'survey linked': policy.max_reidentified_fraction must be between 0 and 1",
        ),
        ("", "policy = { z = 1 }", "unknown field `z`"),
    ] {
        let out = audit_plan("bad-threshold", &survey_plan(policy, step), &["--quiet"]);
        assert_eq!(out.status.code(), Some(2), "{policy} {step}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(expected), "{err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    }
}

/// An email column declared `other` in a source meant to be anonymous gets the
/// identifier-pattern finding, naming the column and the pattern and no value; declared
/// `pseudonym` it gets none.
#[test]
fn an_email_declared_other_is_named_without_its_values() {
    let plan = |role: &str| {
        format!(
            r#"
[policy]
k = 1

[[source]]
name = "members"
path = "RETAIL/loyalty.csv"
columns = {{ email = "{role}", zip5 = "qi", gender = "qi" }}
"#
        )
    };
    let report = audit_json("email-other", &plan("other"));
    let findings = report["findings"].as_array().unwrap();
    let found: Vec<&serde_json::Value> = findings
        .iter()
        .filter(|f| f["code"] == "identifier_pattern")
        .collect();
    assert_eq!(found.len(), 1, "{findings:?}");
    let message = found[0]["message"].as_str().unwrap();
    assert!(
        message.starts_with("members.email is declared other"),
        "{message}"
    );
    assert!(message.contains("look like email addresses"), "{message}");
    assert!(found[0]["figures"]["share"].as_f64().unwrap() >= 0.9);
    // No email of the file appears anywhere in the report.
    let emails = read("fixtures/retail/loyalty.csv", &["email"]);
    let text = report.to_string();
    for email in strings(&emails, "email").into_iter().flatten().take(200) {
        assert!(!text.contains(&email), "the report quotes a value");
    }
    let report = audit_json("email-pseudonym", &plan("pseudonym"));
    assert!(
        !report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"] == "identifier_pattern")
    );
}

/// A join step's column typo gets one line with a suggestion, as a source's does.
#[test]
fn a_join_column_typo_is_named_with_a_suggestion() {
    let plan = survey_plan("", "").replace(
        r#"left_on = ["zip5", "birth_date", "gender"]"#,
        r#"left_on = ["zip5", "birth_dat", "gender"]"#,
    );
    let out = audit_plan("join-typo", &plan, &["--quiet"]);
    let line = common::one_line_error(&out, "has no column 'birth_dat'");
    assert!(line.contains("did you mean 'birth_date'?"), "{line}");
}
