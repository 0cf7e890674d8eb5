//! Remedies: every one reported meets the policy once pasted into the plan (re-measured by a
//! second audit), and none has a strictly less coarse combination that meets it (brute force
//! over a whole lattice).

use std::collections::BTreeMap;

use linkrisk::plan::{Generalization, Plan};
use serde_json::Value;

mod common;

fn audit(plan: &Plan) -> Value {
    let report = linkrisk::audit(&linkrisk::AuditOptions {
        plan: plan.clone(),
        show_values: false,
        records: false,
    })
    .unwrap();
    serde_json::to_value(&report).unwrap()
}

fn remedies(report: &Value) -> Vec<&Value> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "remedy")
        .collect()
}

/// `plan` with a remedy's steps pasted into each source's `generalize`, as its `source_steps`
/// figure lists them (and the columns out of `hierarchies`, which a plan refuses alongside).
fn pasted(plan: &Plan, sources: &Value) -> Plan {
    let mut plan = plan.clone();
    for (name, steps) in sources.as_object().unwrap() {
        let source = plan
            .sources
            .iter_mut()
            .find(|s| s.name == *name)
            .unwrap_or_else(|| panic!("a remedy for {name}, which is not a source"));
        for (column, step) in steps.as_object().unwrap() {
            let step: Generalization = serde_json::from_value(step.clone()).unwrap();
            source.hierarchies.remove(column);
            source.generalize.insert(column.clone(), step);
        }
    }
    plan
}

/// Every remedy of `plan`'s report, applied, gives the figures it promised, and they meet
/// the policy. Returns how many were checked.
fn every_remedy_holds(plan: &Plan) -> usize {
    let report = audit(plan);
    let policy = &report["policy"];
    let found = remedies(&report);
    for remedy in &found {
        let figures = &remedy["figures"];
        assert_eq!(figures["suppressed_records"], 0.0, "{remedy}");
        let view = remedy["subject"].as_str().unwrap();
        let again = audit(&pasted(plan, &figures["source_steps"]));
        let measured = common::find(&again, "views", "name", view);
        assert_eq!(measured["k"].as_f64(), figures["k"].as_f64(), "{remedy}");
        let unique = measured["unique_fraction"].as_f64().unwrap();
        assert!((unique - figures["unique_fraction"].as_f64().unwrap()).abs() < 1e-12);
        assert!(measured["k"].as_u64().unwrap() >= policy["k"].as_u64().unwrap());
        if let Some(max) = policy["max_unique_fraction"].as_f64() {
            assert!(unique <= max, "{remedy}");
        }
        if let Some(l) = policy["l"].as_u64() {
            for (attribute, ld) in measured["l_diversity"].as_object().unwrap() {
                assert_eq!(
                    ld["distinct"].as_f64(),
                    figures["l"][attribute].as_f64(),
                    "{remedy}"
                );
                assert!(ld["distinct"].as_u64().unwrap() >= l, "{remedy}");
            }
        }
        for (attribute, ld) in measured["l_diversity"].as_object().unwrap() {
            let close = |a: &Value, b: f64| (a.as_f64().unwrap() - b).abs() < 1e-9;
            if let Some(e) = figures["entropy_l"][attribute].as_f64() {
                assert!(close(&ld["entropy"], e), "{remedy}");
                assert!(e >= policy["entropy_l"].as_f64().unwrap());
            }
            if let Some(c) = figures["recursive_c"][attribute].as_f64() {
                assert!(close(&ld["recursive_c"], c), "{remedy}");
                assert!(c <= policy["recursive_c"].as_f64().unwrap());
            }
            if let Some(t) = figures["t"][attribute].as_f64() {
                assert!(close(&measured["t_closeness"][attribute], t), "{remedy}");
                assert!(t <= policy["t"].as_f64().unwrap());
            }
        }
        if let Some(avg) = figures["prosecutor_avg"].as_f64() {
            let measured_avg = measured["prosecutor"]["avg"].as_f64().unwrap();
            assert!((measured_avg - avg).abs() < 1e-12, "{remedy}");
            assert!(avg <= policy["max_prosecutor_avg"].as_f64().unwrap());
        }
        // The view itself now passes: no violation of its own is left.
        let own = again["policy"]["violations"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|v| v["view"] == view && v["rule"] != "identities_attached")
            .count();
        assert_eq!(own, 0, "{remedy}");
    }
    found.len()
}

fn demo_plan() -> Plan {
    Plan::load(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/retail/audit.toml"
    )))
    .unwrap()
}

#[test]
fn every_demo_remedy_meets_the_policy_once_pasted() {
    let plan = demo_plan();
    let checked = every_remedy_holds(&plan);
    // The survey's three cheapest; suppressing the transactions' only QI is no remedy.
    assert_eq!(checked, 3);
    let report = audit(&plan);
    let survey: Vec<&Value> = remedies(&report)
        .into_iter()
        .filter(|f| f["subject"] == "survey")
        .collect();
    assert_eq!(survey.len(), 3);
    // Ranked by information loss, and each figure is the one docs/findings.md names.
    let losses: Vec<f64> = survey
        .iter()
        .map(|f| f["figures"]["information_loss"].as_f64().unwrap())
        .collect();
    assert!(losses.windows(2).all(|w| w[0] <= w[1]), "{losses:?}");
    for f in &survey {
        assert_eq!(f["figures"]["k_before"], 1.0);
        assert_eq!(f["severity"], "low");
        assert!(
            f["message"]
                .as_str()
                .unwrap()
                .contains("In the plan: generalize = {")
        );
    }
    // No identified source gets a remedy: the policy does not judge them.
    for f in remedies(&report) {
        assert!(["survey", "transactions"].contains(&f["subject"].as_str().unwrap()));
    }
}

/// With suppression allowed the cheapest remedy is cheaper, and it says how many records to
/// drop; it meets the policy on the records kept.
#[test]
fn suppression_buys_a_cheaper_remedy() {
    let mut plan = demo_plan();
    let strict = audit(&plan);
    plan.policy.max_suppression = 0.05;
    let loose = audit(&plan);
    let cheapest = |report: &Value| {
        remedies(report)
            .into_iter()
            .find(|f| f["subject"] == "survey")
            .unwrap()
            .clone()
    };
    let (strict, loose) = (cheapest(&strict), cheapest(&loose));
    let loss = |f: &Value| f["figures"]["information_loss"].as_f64().unwrap();
    assert!(loss(&loose) < loss(&strict));
    let suppressed = loose["figures"]["suppressed_records"].as_f64().unwrap();
    assert!(suppressed > 0.0 && suppressed <= (0.05f64 * 767.0).floor());
    assert!(loose["figures"]["k"].as_f64().unwrap() >= 5.0);
    assert!(loose["message"].as_str().unwrap().contains("drop the"));
}

/// Adult with ARX's eight QIs (each with its hierarchy file) and salary-class sensitive, under
/// the `[policy]` lines `policy`.
fn adult_plan(policy: &str) -> Plan {
    let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/adult");
    let hierarchies = common::ADULT_QIS
        .iter()
        .map(|q| format!("\"{q}\" = \"hierarchy_{q}.csv\""))
        .collect::<Vec<_>>()
        .join(", ");
    let columns = common::ADULT_QIS
        .iter()
        .map(|q| format!("\"{q}\" = \"qi\""))
        .collect::<Vec<_>>()
        .join(", ");
    let text = format!(
        "[policy]\n{policy}\n\n[[source]]\nname = \"adult\"\npath = \"adult.csv\"\ncolumns = {{ {columns}, \"salary-class\" = \"sensitive\" }}\nhierarchies = {{ {hierarchies} }}\n"
    );
    let mut plan = Plan::parse(&text).unwrap();
    plan.base = data.canonicalize().unwrap();
    plan
}

#[test]
fn every_adult_remedy_meets_the_policy_once_pasted() {
    let plan = adult_plan("k = 5\nl = 2");
    let report = audit(&plan);
    let first = remedies(&report)[0]["figures"].clone();
    // The whole lattice of the eight QIs' hierarchies (5·4·3·3·3·3·2·2 nodes) was settled
    // within the budget.
    assert_eq!(first["lattice_nodes"], 6480.0);
    assert_eq!(first["search_cut"], 0.0);
    assert!(first["nodes_evaluated"].as_f64().unwrap() <= 2000.0);
    // Paths paste back as the plan wrote them.
    let age = &first["generalization"]["age"];
    if !age.is_null() {
        assert_eq!(age["hierarchy"], "hierarchy_age.csv");
    }
    assert_eq!(every_remedy_holds(&plan), 3);
}

/// A policy of every rule a generalisation can meet (entropy and recursive l, t, both
/// prosecutor risks, next to k and l): each remedy of Adult, pasted, gives the figures it
/// promised and the view breaks none of them.
#[test]
fn remedies_meet_every_rule_of_the_policy() {
    let plan = adult_plan(
        "k = 5\nl = 2\nentropy_l = 1.2\nrecursive_c = 20\nt = 0.5\nmax_prosecutor_avg = 0.01\nmax_prosecutor_max = 0.1",
    );
    let report = audit(&plan);
    let rules: std::collections::BTreeSet<String> = report["policy"]["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["rule"].as_str().unwrap().to_string())
        .collect();
    // Adult as released breaks the new rules too, so the search had them to meet.
    for rule in [
        "entropy_l",
        "recursive_c",
        "t",
        "max_prosecutor_avg",
        "max_prosecutor_max",
    ] {
        assert!(rules.contains(rule), "{rule} not broken: {rules:?}");
    }
    let first = &remedies(&report)[0]["figures"];
    // max_prosecutor_max = 0.1 is k = 10, the stricter bound.
    assert!(first["k"].as_f64().unwrap() >= 10.0, "{first}");
    assert_eq!(every_remedy_holds(&plan), 3);
}

/// A joined view's remedy names the sources its columns come from: pasted there, the joined
/// view gives what the remedy promised. The loyalty and web shop files as pseudonymised
/// exports (identifiers declared `pseudonym`), linked by normalised email; the shop's `zip5`
/// is the joined view's `shop.zip5`.
#[test]
fn a_joined_view_remedy_is_pasted_into_its_sources() {
    let text = r#"
[policy]
k = 5

[[source]]
name = "members"
path = "loyalty.csv"
columns = { loyalty_id = "pseudonym", full_name = "other", email = "pseudonym", phone = "pseudonym", zip5 = "qi", birth_date = "qi", gender = "other" }

[[source]]
name = "shop"
path = "ecommerce.csv"
columns = { account_id = "pseudonym", email = "pseudonym", phone = "pseudonym", zip5 = "qi", birth_year = "qi", gender = "other" }

[[join]]
name = "members and shop"
left = "members"
right = "shop"
kind = "normalized"
on = ["email"]
normalize = "email"
"#;
    let mut plan = Plan::parse(text).unwrap();
    plan.base = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/retail");
    let report = audit(&plan);
    let joined: Vec<&Value> = remedies(&report)
        .into_iter()
        .filter(|f| f["subject"] == "members and shop")
        .collect();
    assert!(!joined.is_empty(), "the joined view gets remedies");
    for remedy in &joined {
        let sources = remedy["figures"]["source_steps"].as_object().unwrap();
        assert!(sources.keys().all(|s| s == "members" || s == "shop"));
        // Each column of the joined view under its source's own name.
        for (column, step) in remedy["figures"]["generalization"].as_object().unwrap() {
            let (source, original) = match column.as_str() {
                "shop.zip5" => ("shop", "zip5"),
                "birth_year" => ("shop", "birth_year"),
                other => ("members", other),
            };
            assert_eq!(&sources[source][original], step, "{remedy}");
        }
        assert!(
            remedy["message"]
                .as_str()
                .unwrap()
                .contains("In the plan, in the sources: "),
            "{remedy}"
        );
    }
    assert_eq!(every_remedy_holds(&plan), remedies(&report).len());
}

/// A small view whose every ladder step merges values: the whole lattice (ZIP 4 levels × date
/// 5 × gender 2 = 40 nodes) is audited one node at a time, and the reported remedies are
/// exactly the cheapest of its minimal passing nodes.
#[test]
fn remedies_are_the_minimal_passing_nodes_of_a_brute_forced_lattice() {
    let dir = common::scratch("remedy-lattice");
    let mut seed: u64 = 7;
    let mut next = |n: u64| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) % n
    };
    let zips = ["02139", "02141", "02210", "10001", "10003", "10452"];
    let interests = ["none", "fitness", "diabetes"];
    let mut csv = String::from("zip5,birth_date,gender,interest\n");
    for _ in 0..120 {
        csv.push_str(&format!(
            "{},{}-{:02}-{:02},{},{}\n",
            zips[next(6) as usize],
            1960 + next(40),
            1 + next(2),
            1 + next(3),
            ["F", "M"][next(2) as usize],
            interests[next(3) as usize]
        ));
    }
    std::fs::write(dir.join("people.csv"), csv).unwrap();
    let base = "[policy]\nk = 3\nl = 2\nmax_unique_fraction = 0.05\n\n[[source]]\nname = \"people\"\npath = \"people.csv\"\ncolumns = { zip5 = \"qi\", birth_date = \"qi\", gender = \"qi\", interest = \"sensitive\" }\n";
    let ladders: [(&str, &[&str]); 3] = [
        ("zip5", &["zip3", "zip1", "suppress"]),
        ("birth_date", &["month", "year", "decade", "suppress"]),
        ("gender", &["suppress"]),
    ];
    let plan_of = |levels: &[usize]| -> Plan {
        let steps: Vec<String> = ladders
            .iter()
            .zip(levels)
            .filter(|(_, l)| **l > 0)
            .map(|((c, steps), &l)| format!("{c} = \"{}\"", steps[l - 1]))
            .collect();
        let text = if steps.is_empty() {
            base.to_string()
        } else {
            format!("{base}generalize = {{ {} }}\n", steps.join(", "))
        };
        let mut plan = Plan::parse(&text).unwrap();
        plan.base = dir.clone();
        plan
    };
    let mut passing: Vec<Vec<usize>> = Vec::new();
    for z in 0..=3 {
        for d in 0..=4 {
            for g in 0..=1 {
                let levels = vec![z, d, g];
                let report = audit(&plan_of(&levels));
                if report["policy"]["passed"] == true {
                    passing.push(levels);
                }
            }
        }
    }
    let below = |a: &[usize], b: &[usize]| a != b && a.iter().zip(b).all(|(x, y)| x <= y);
    let minimal: Vec<Vec<usize>> = passing
        .iter()
        .filter(|n| !passing.iter().any(|p| below(p, n)))
        .cloned()
        .collect();
    assert!(!minimal.is_empty() && minimal.len() < passing.len());
    let loss = |n: &[usize]| (n[0] as f64 / 3.0 + n[1] as f64 / 4.0 + n[2] as f64) / 3.0;

    let report = audit(&plan_of(&[0, 0, 0]));
    assert_eq!(report["policy"]["passed"], false);
    let found = remedies(&report);
    let figures = &found[0]["figures"];
    assert_eq!(figures["lattice_nodes"], 40.0);
    assert_eq!(
        figures["remedies"].as_f64().unwrap() as usize,
        minimal.len()
    );
    let mut losses: Vec<f64> = minimal.iter().map(|n| loss(n)).collect();
    losses.sort_by(f64::total_cmp);
    for (rank, remedy) in found.iter().enumerate() {
        let steps: BTreeMap<String, String> =
            serde_json::from_value(remedy["figures"]["generalization"].clone()).unwrap();
        let levels: Vec<usize> = ladders
            .iter()
            .map(|(c, ladder)| {
                steps
                    .get(*c)
                    .map_or(0, |s| ladder.iter().position(|x| x == s).unwrap() + 1)
            })
            .collect();
        assert!(minimal.contains(&levels), "{levels:?} is not minimal");
        let reported = remedy["figures"]["information_loss"].as_f64().unwrap();
        assert!((reported - loss(&levels)).abs() < 1e-12);
        assert!((reported - losses[rank]).abs() < 1e-12, "not the cheapest");
    }
    assert_eq!(found.len(), minimal.len().min(3));
}

/// The (view, rule) pairs the summary says remain after the cheapest remedies, read from its
/// sentence "After the cheapest remedies, N violations remain: rule (view, view); rule (view).".
fn remaining_in_words(summary: &str) -> std::collections::BTreeSet<(String, String)> {
    let line = summary
        .lines()
        .find(|l| l.starts_with("After the cheapest remedies"))
        .expect("the summary says what remains");
    let Some((_, list)) = line
        .split_once("remain: ")
        .or_else(|| line.split_once("remains: "))
    else {
        return Default::default();
    };
    let mut pairs = std::collections::BTreeSet::new();
    for part in list.trim_end_matches('.').split("; ") {
        let (rule, views) = part.split_once(" (").unwrap();
        for view in views.trim_end_matches(')').split(", ") {
            pairs.insert((view.to_string(), rule.to_string()));
        }
    }
    pairs
}

/// The violations of a report as (view, rule).
fn violated(report: &Value) -> std::collections::BTreeSet<(String, String)> {
    report["policy"]["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["view"].as_str().unwrap().to_string(),
                v["rule"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Pasting every view's cheapest remedy (read from the JSON) into the plan at `plan_path`
/// leaves exactly the violations the summary said would remain; pasting each step's `drop`
/// (also from the JSON) then clears every identity a key, normalised or hashed step attached
/// (a quasi step links on QIs: what it attaches is its linkage, with no drop).
fn remedies_leave_what_the_summary_said(plan_path: &std::path::Path) {
    let plan = Plan::load(plan_path).unwrap();
    let report = audit(&plan);
    let summary = common::linkrisk(&[
        "audit",
        plan_path.to_str().unwrap(),
        "--detail",
        "summary",
        "--format",
        "markdown",
    ]);
    let summary = String::from_utf8(summary.stdout).unwrap();
    let promised = remaining_in_words(&summary);
    assert!(!promised.is_empty());
    let mut remedied = plan.clone();
    let mut seen = Vec::new();
    for remedy in remedies(&report) {
        let view = remedy["subject"].as_str().unwrap().to_string();
        if seen.contains(&view) {
            continue;
        }
        remedied = pasted(&remedied, &remedy["figures"]["source_steps"]);
        seen.push(view);
    }
    let again = audit(&remedied);
    assert_eq!(violated(&again), promised);

    // Each step that attaches identities says which columns to leave out; pasted one step at
    // a time (a later step inherits an earlier one's output), no step attaches any.
    let mut dropped = remedied.clone();
    let mut after = again;
    for _ in 0..dropped.joins.len() {
        let next = after["findings"].as_array().unwrap().iter().find(|f| {
            f["code"] == "identifiers_attached"
                && f["figures"]["drop"]
                    .as_array()
                    .is_some_and(|d| !d.is_empty())
        });
        let Some(f) = next else { break };
        let columns: Vec<String> = serde_json::from_value(f["figures"]["drop"].clone()).unwrap();
        let step = dropped
            .joins
            .iter_mut()
            .find(|j| j.name == f["subject"].as_str().unwrap())
            .unwrap();
        step.drop = columns;
        after = audit(&dropped);
    }
    let quasi_targets: Vec<&str> = plan
        .joins
        .iter()
        .filter(|j| j.kind == linkrisk::plan::JoinKind::Quasi)
        .map(|j| j.right.as_str())
        .collect();
    for (view, rule) in violated(&after) {
        if rule == "identities_attached" {
            assert!(quasi_targets.contains(&view.as_str()), "{view}");
        }
    }
}

#[test]
fn pasted_remedies_leave_what_the_summary_said() {
    remedies_leave_what_the_summary_said(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/retail/audit.toml"
    )));
}

/// The same on 20,000 synthetic customers (`synth --seed 3`), with a plan written the way
/// docs/plan.md describes one: a per-source tolerance, t, renamed sources, five steps.
#[test]
fn pasted_remedies_leave_what_the_summary_said_on_synthetic_customers() {
    let dir = common::scratch("remedy-synth");
    common::assert_ran(&common::linkrisk(&[
        "synth",
        "--customers",
        "20000",
        "--seed",
        "3",
        "--out",
        dir.to_str().unwrap(),
    ]));
    std::fs::write(dir.join("audit.toml"), SYNTH_PLAN).unwrap();
    remedies_leave_what_the_summary_said(&dir.join("audit.toml"));
}

const SYNTH_PLAN: &str = r#"
[policy]
k = 5
max_unique_fraction = 0.05
l = 2
t = 0.6

[[source]]
name = "loyalty"
path = "loyalty.csv"
columns = { loyalty_id = "id", full_name = "id", email = "id", phone = "id", zip5 = "qi", birth_date = "qi", gender = "qi", signup_store = "other" }
entity = "loyalty_id"

[[source]]
name = "ecommerce"
path = "ecommerce.csv"
columns = { account_id = "id", email = "id", phone = "id", zip5 = "qi", birth_year = "qi", gender = "qi" }

[[source]]
name = "web"
path = "web_analytics.csv"
columns = { email_sha256 = "pseudonym", city = "qi", age_band = "qi", device = "other", browser = "other", categories_viewed = "sensitive" }

[[source]]
name = "purchases"
path = "transactions.csv"
columns = { transaction_id = "other", loyalty_id = "pseudonym", card_token = "pseudonym", store = "qi", category = "sensitive" }
entity = "loyalty_id"

[[source]]
name = "survey"
path = "survey.csv"
columns = { respondent_id = "other", zip3 = "qi", birth_year = "qi", gender = "qi", income_band = "qi", health_interest = "sensitive" }
policy = { max_reidentified_fraction = 0.01 }

[[source]]
name = "partner"
path = "partner.csv"
columns = { record_id = "other", email = "pseudonym", phone = "pseudonym", age = "qi", zip5 = "qi", estimated_income = "sensitive" }

[[join]]
name = "shop accounts"
left = "loyalty"
right = "ecommerce"
kind = "normalized"
on = ["email"]
normalize = "email"

[[join]]
name = "web by hashed email"
left = "loyalty"
right = "web"
kind = "hashed"
left_on = ["email"]
right_on = ["email_sha256"]
normalize = "email"
hash = "sha256"

[[join]]
name = "purchases by member"
left = "loyalty"
right = "purchases"
kind = "key"
on = ["loyalty_id"]

[[join]]
name = "survey by zip3, year, gender"
left = "loyalty"
right = "survey"
kind = "quasi"
left_on = ["zip5", "birth_date", "gender"]
right_on = ["zip3", "birth_year", "gender"]

[[join]]
name = "partner by phone"
left = "loyalty"
right = "partner"
kind = "normalized"
on = ["phone"]
normalize = "phone"
"#;

/// The rows of a CSV file as maps from column to value (a small file, read by hand: quoted
/// fields are not used by the demo's survey).
fn csv_rows(path: &std::path::Path) -> Vec<BTreeMap<String, String>> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    lines
        .map(|l| {
            header
                .iter()
                .zip(l.split(','))
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

/// `audit --apply-remedy 1 --out DIR` writes the survey as its cheapest remedy (with
/// suppression allowed) releases it: exactly the rows `--records` did not mark as dropped, the
/// birth years banded as the remedy said and every other value as it was, files readable by
/// the owner only; the plan written beside it re-audits to the figures the remedy promised.
#[test]
fn applied_remedies_reaudit_as_claimed() {
    let dir = common::scratch("apply-remedy");
    let plan = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/retail/audit.toml");
    let out = dir.join("released");
    let records = dir.join("records.csv");
    let report = common::linkrisk_json(&[
        "audit",
        plan,
        "--max-suppression",
        "0.05",
        "--apply-remedy",
        "1",
        "--out",
        out.to_str().unwrap(),
        "--records",
        records.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let remedy = remedies(&report)
        .into_iter()
        .find(|f| f["subject"] == "survey" && f["figures"]["rank"] == 1.0)
        .unwrap()
        .clone();
    let figures = &remedy["figures"];
    let dropped = figures["suppressed_records"].as_f64().unwrap() as usize;
    assert!(dropped > 0, "the cheapest remedy suppresses: {remedy}");
    let steps = figures["source_steps"]["survey"].as_object().unwrap();

    // The rows --records marks as dropped are the rows the written survey lacks.
    let marked: std::collections::BTreeSet<usize> = csv_rows(&records)
        .into_iter()
        .filter(|r| r["view"] == "survey" && r["dropped_by_remedy"] == "true")
        .map(|r| r["row"].parse().unwrap())
        .collect();
    assert_eq!(marked.len(), dropped);
    let original = csv_rows(&std::path::Path::new(plan).with_file_name("survey.csv"));
    let written = csv_rows(&out.join("survey.csv"));
    let kept: Vec<&BTreeMap<String, String>> = original
        .iter()
        .enumerate()
        .filter(|(i, _)| !marked.contains(&(i + 1)))
        .map(|(_, r)| r)
        .collect();
    assert_eq!(written.len(), original.len() - dropped);
    for (before, after) in kept.iter().zip(&written) {
        for (column, value) in *before {
            let expected = match steps.get(column).and_then(|s| s.as_str()) {
                None => value.clone(),
                Some(step) => {
                    // Only bands and suppression appear on the survey's ladders here.
                    if let Some(width) = step.strip_prefix("band:") {
                        let width: i64 = width.parse().unwrap();
                        let year: i64 = value.parse().unwrap();
                        (year.div_euclid(width) * width).to_string()
                    } else {
                        assert_eq!(step, "suppress", "{remedy}");
                        "*".to_string()
                    }
                }
            };
            assert_eq!(&after[column], &expected, "{column}");
        }
    }
    #[cfg(unix)]
    for file in ["survey.csv", "audit.toml"] {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(out.join(file))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{file}");
    }

    // Re-audited, the survey meets the policy with the figures the remedy claimed.
    let again = common::linkrisk_json(&[
        "audit",
        out.join("audit.toml").to_str().unwrap(),
        "--format",
        "json",
    ]);
    let survey = common::find(&again, "views", "name", "survey");
    assert_eq!(survey["rows"], written.len());
    assert_eq!(survey["k"].as_f64(), figures["k"].as_f64());
    assert_eq!(
        survey["unique_fraction"].as_f64(),
        figures["unique_fraction"].as_f64()
    );
    let own = again["policy"]["violations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["view"] == "survey" && v["rule"] != "identities_attached")
        .count();
    assert_eq!(own, 0);
}

/// `--apply-remedy` never writes over an input: an output folder holding the plan's own
/// sources is refused in one line, and nothing in it changes.
#[test]
fn applied_remedies_never_overwrite_an_input() {
    let dir = common::scratch("apply-remedy-inputs");
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/retail");
    for entry in std::fs::read_dir(&fixtures).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            std::fs::copy(&path, dir.join(path.file_name().unwrap())).unwrap();
        }
    }
    std::fs::create_dir_all(dir.join("truth")).unwrap();
    for entry in std::fs::read_dir(fixtures.join("truth")).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, dir.join("truth").join(path.file_name().unwrap())).unwrap();
    }
    let before = std::fs::read(dir.join("survey.csv")).unwrap();
    let plan = dir.join("audit.toml");
    let out = common::linkrisk(&[
        "audit",
        plan.to_str().unwrap(),
        "--apply-remedy",
        "survey:1",
        "--out",
        dir.to_str().unwrap(),
    ]);
    common::one_line_error(&out, "it is an input of this run");
    assert_eq!(std::fs::read(dir.join("survey.csv")).unwrap(), before);
    // A remedy the report does not have is named with those it has.
    let out = common::linkrisk(&[
        "audit",
        plan.to_str().unwrap(),
        "--apply-remedy",
        "survey:9",
        "--out",
        dir.join("x").to_str().unwrap(),
    ]);
    common::one_line_error(
        &out,
        "no remedy 9 for view 'survey'; the report has survey:1",
    );
}
