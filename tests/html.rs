//! `--format html`: one self-contained page — the summary first, a chart per join-step figure
//! and a histogram per view, each with a title and a text alternative, no script and no
//! address to fetch — that leaks nothing the other formats do not.

mod common;
use common::linkrisk;

const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/retail");

#[test]
fn the_demo_report_is_one_self_contained_page() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.html");
    // The format comes from the file's extension.
    let out = linkrisk(&["audit", "-o", path.to_str().unwrap()]);
    common::assert_ran(&out);
    let html = std::fs::read_to_string(&path).unwrap();
    assert!(html.starts_with("<!doctype html>"));
    let summary = html.find("<section id=\"summary\">").expect("a summary");
    let views = html.find("<section id=\"views\">").expect("the views");
    assert!(summary < views, "the summary comes first");
    assert!(html.contains("FAIL: "));
    // The remedies: one row per remedy finding of the JSON report, the survey's among them.
    let remedies = html
        .find("<section id=\"remedies\">")
        .expect("the remedies");
    let policy = html.find("<section id=\"policy\">").expect("the policy");
    let section = &html[remedies..policy];
    let json = common::linkrisk_json(&["audit", "--format", "json"]);
    let remedy_findings = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "remedy" || f["code"] == "remedy_not_found")
        .count();
    assert!(remedy_findings >= 1);
    assert_eq!(section.matches("<tr><td>").count(), remedy_findings);
    assert!(section.contains("<td>survey</td>"));
    let lower = html.to_lowercase();
    for forbidden in [
        "<script", "http://", "https://", "src=", "href=", "@import", "url(",
    ] {
        assert!(!lower.contains(forbidden), "{forbidden}");
    }
    // Two step charts and one histogram per view, each titled and described.
    let report = common::linkrisk_json(&["audit", "--format", "json"]);
    let views = report["views"].as_array().unwrap().len();
    let charts = html.matches("<svg role=\"img\"").count();
    assert_eq!(charts, 2 + views);
    assert_eq!(html.matches("<title id=").count(), charts);
    assert_eq!(html.matches("<desc id=").count(), charts);
    // A step name too long for its chart label is cut with an ellipsis, the whole name its
    // tooltip.
    let long = "survey re-identified via zip3 + birth year + gender";
    assert!(
        html.contains(&format!(
            "<title>{long}</title>survey re-identified via zip3 + b…</text>"
        )),
        "the long step label"
    );

    // No value of the data: no name, email or phone of the CRM files appears.
    let files: [(&str, &[&str]); 2] = [
        ("loyalty.csv", &["full_name", "email", "phone"]),
        ("ecommerce.csv", &["email", "phone"]),
    ];
    for (file, columns) in files {
        let text = std::fs::read_to_string(format!("{DEMO}/{file}")).unwrap();
        let mut lines = text.lines();
        let header: Vec<&str> = lines.next().unwrap().split(',').collect();
        for column in columns {
            let at = header.iter().position(|h| h == column).unwrap();
            for line in lines.clone().take(300) {
                let value = line.split(',').nth(at).unwrap_or("");
                if value.len() >= 6 {
                    assert!(!html.contains(value), "{file}.{column} leaks");
                }
            }
        }
    }
}
