//! The library runs every command: each crate-root function gives the report the binary
//! prints for the same options, and the bare `audit` runs the compiled-in demo from anywhere.

mod common;
use common::{ADULT, ADULT_QIS, linkrisk};

/// A library report as the binary's JSON would print it, read back the way the binary's is
/// (serde_json's default float parser may differ from the printed value in the last digit).
/// Both without their provenance, which differs by its time and command line.
fn as_json(report: &impl serde::Serialize) -> serde_json::Value {
    let mut json: serde_json::Value =
        serde_json::from_str(&serde_json::to_string(report).unwrap()).unwrap();
    json.as_object_mut().unwrap().remove("provenance");
    json
}

/// The binary's JSON report for `args`, without its provenance.
fn linkrisk_json(args: &[&str]) -> serde_json::Value {
    let mut json = common::linkrisk_json(args);
    json.as_object_mut().unwrap().remove("provenance");
    json
}

#[test]
fn scan_from_the_library_equals_the_binary() {
    let report = linkrisk::scan(&linkrisk::ScanOptions::new(ADULT, &ADULT_QIS)).unwrap();
    // ARX's Adult figures: k = 1 on the eight QIs.
    assert_eq!(report.views[0].metrics.k_anonymity.k, 1);
    let binary = linkrisk_json(&[
        "scan",
        ADULT,
        "--qi",
        &ADULT_QIS.join(","),
        "--format",
        "json",
    ]);
    assert_eq!(as_json(&report), binary);
    assert_eq!(
        linkrisk::ExitStatus::of(&report, true),
        linkrisk::ExitStatus::PolicyViolated
    );
    assert_eq!(linkrisk::ExitStatus::of(&report, false).code(), 0);
}

#[test]
fn link_keys_and_audit_from_the_library_equal_the_binary() {
    let dir = env!("CARGO_MANIFEST_DIR");
    let loyalty = format!("{dir}/fixtures/retail/loyalty.csv");
    let survey = format!("{dir}/fixtures/retail/survey.csv");
    let on = |pairs: &[(&str, &str)]| -> (Vec<String>, Vec<String>) {
        pairs
            .iter()
            .map(|(l, r)| (l.to_string(), r.to_string()))
            .unzip()
    };
    let (left, right) = on(&[
        ("zip5", "zip3"),
        ("birth_date", "birth_year"),
        ("gender", "gender"),
    ]);
    let opts = linkrisk::commands::link::link_options(&loyalty, &survey, left, right, 5);
    let report = linkrisk::link(&opts).unwrap();
    let binary = linkrisk_json(&[
        "link",
        &loyalty,
        &survey,
        "--on",
        "zip5=zip3,birth_date=birth_year,gender",
        "--format",
        "json",
    ]);
    assert_eq!(as_json(&report), binary);

    let keys = linkrisk::keys(&linkrisk::KeysOptions {
        file: loyalty.clone(),
        table: None,
        query: None,
        qi: vec!["zip5".into(), "birth_date".into(), "gender".into()],
        entity: None,
        attribution: Default::default(),
        max_work: linkrisk::commands::keys::DEFAULT_MAX_WORK,
        load: Default::default(),
        records: false,
    })
    .unwrap();
    let binary = linkrisk_json(&[
        "keys",
        &loyalty,
        "--qi",
        "zip5,birth_date,gender",
        "--format",
        "json",
    ]);
    assert_eq!(as_json(&keys), binary);

    let plan = linkrisk::plan::Plan::load(std::path::Path::new(&format!(
        "{dir}/fixtures/retail/audit.toml"
    )))
    .unwrap();
    let report = linkrisk::audit(&linkrisk::AuditOptions {
        plan,
        show_values: false,
        records: false,
    })
    .unwrap();
    let binary = linkrisk_json(&[
        "audit",
        &format!("{dir}/fixtures/retail/audit.toml"),
        "--format",
        "json",
    ]);
    assert_eq!(as_json(&report), binary);
}

/// A bare `audit` does not need the source tree: the demo is compiled in. Run from an empty
/// folder, it gives the report of the plan in fixtures/.
#[test]
fn the_bare_audit_runs_the_compiled_in_demo_from_anywhere() {
    let elsewhere = tempfile::tempdir().unwrap();
    let private_tmp = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_linkrisk"))
        .args(["audit", "--format", "json"])
        .current_dir(elsewhere.path())
        .env("TMPDIR", private_tmp.path())
        .output()
        .unwrap();
    common::assert_ran(&out);
    let mut bare: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let plan = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/retail/audit.toml");
    // The same inputs, byte for byte, whatever folder they were read from.
    let hashes = |report: &serde_json::Value| -> Vec<(String, String)> {
        report["provenance"]["inputs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| (i["role"].to_string(), i["sha256"].to_string()))
            .collect()
    };
    let from_fixtures = common::linkrisk_json(&["audit", plan, "--format", "json"]);
    assert_eq!(hashes(&bare), hashes(&from_fixtures));
    bare.as_object_mut().unwrap().remove("provenance");
    assert_eq!(bare, linkrisk_json(&["audit", plan, "--format", "json"]));
    // The unpacked demo is removed after the run.
    let left: Vec<_> = std::fs::read_dir(private_tmp.path()).unwrap().collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

#[test]
fn completions_and_the_man_page_describe_every_command() {
    for shell in ["bash", "zsh", "fish"] {
        let out = linkrisk(&["completions", shell]);
        assert_eq!(out.status.code(), Some(0));
        let script = String::from_utf8(out.stdout).unwrap();
        for command in ["scan", "link", "keys", "audit", "unicity", "synth"] {
            assert!(script.contains(command), "{shell}: {command}");
        }
    }
    let out = linkrisk(&["man"]);
    assert_eq!(out.status.code(), Some(0));
    let page = String::from_utf8(out.stdout).unwrap();
    assert!(
        page.starts_with(".ie") || page.contains(".TH linkrisk"),
        "{}",
        &page[..200.min(page.len())]
    );
    assert!(page.contains("scan") && page.contains("audit"));
    // One command's page.
    let out = linkrisk(&["man", "audit"]);
    assert_eq!(out.status.code(), Some(0));
    let page = String::from_utf8(out.stdout).unwrap();
    assert!(
        page.contains("linkrisk-audit") && page.contains("baseline"),
        "{}",
        &page[..300.min(page.len())]
    );
    let out = linkrisk(&["man", "nope"]);
    common::one_line_error(&out, "man: no command 'nope'");
}

/// The modules of src/, lowest first: a module may import only modules before it in this
/// list. docs/architecture.md lists the same order and describes each module.
const LAYERS: [&str; 18] = [
    "format",
    "escape",
    "timing",
    "budget",
    "error",
    "output",
    "normalize",
    "io",
    "engine",
    "source",
    "metrics",
    "plan",
    "model",
    "audit",
    "render",
    "synth",
    "commands",
    "cli",
];

/// Every `crate::module` a file of src/ names in code (comments left out), as (from, to).
fn crate_imports() -> std::collections::BTreeSet<(String, String)> {
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    walk(&src, &mut files);
    let mut edges = std::collections::BTreeSet::new();
    for file in files {
        let relative = file.strip_prefix(&src).unwrap();
        let first = relative
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy();
        let from = first.trim_end_matches(".rs").to_string();
        if from == "lib" || from == "main" {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        for line in text.lines().filter(|l| !l.trim_start().starts_with("//")) {
            for (at, _) in line.match_indices("crate::") {
                let to: String = line[at + 7..]
                    .chars()
                    .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                    .collect();
                if !to.is_empty() && to != from {
                    edges.insert((from.clone(), to));
                }
            }
        }
    }
    edges
}

#[test]
fn modules_import_only_the_layers_below_them() {
    let rank = |m: &str| LAYERS.iter().position(|l| *l == m);
    let edges = crate_imports();
    for (from, to) in &edges {
        assert!(rank(from).is_some(), "src/{from} is not placed in LAYERS");
        // Names of the crate root (`crate::Result`, `crate::bail!`) are not modules.
        let Some(to_rank) = rank(to) else { continue };
        if to_rank > rank(from).unwrap() {
            panic!("{from} imports {to}, a layer above it");
        }
    }
}

/// The model is plain data: it names the metric result types and the plan's steps it reports,
/// and nothing that computes (the audit) or renders.
#[test]
fn the_model_imports_only_metric_results_and_plan_steps() {
    let imported: Vec<String> = crate_imports()
        .into_iter()
        .filter(|(from, _)| from == "model")
        .map(|(_, to)| to)
        .filter(|to| LAYERS.contains(&to.as_str()))
        .collect();
    for to in &imported {
        assert!(
            ["metrics", "plan"].contains(&to.as_str()),
            "model imports {to}"
        );
    }
}

/// docs/architecture.md matches the code: its layer order is [`LAYERS`], its table has a row
/// for every module of src/, and every module it names in the table exists.
#[test]
fn the_architecture_document_names_every_module_in_order() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let doc = std::fs::read_to_string(root.join("docs/architecture.md")).unwrap();
    let order_line = doc
        .lines()
        .find(|l| l.starts_with("Layers, lowest first:"))
        .expect(
            "docs/architecture.md states the layer order on a line 'Layers, lowest first: ...'",
        );
    let order: Vec<&str> = order_line.split('`').skip(1).step_by(2).collect();
    assert_eq!(order, LAYERS, "the order in docs/architecture.md");
    let mut modules: Vec<String> = std::fs::read_dir(root.join("src"))
        .unwrap()
        .map(|e| {
            e.unwrap()
                .file_name()
                .to_string_lossy()
                .trim_end_matches(".rs")
                .to_string()
        })
        .filter(|m| m != "lib" && m != "main")
        .collect();
    modules.sort();
    let mut rows: Vec<String> = doc
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .map(|l| l[..l.find('`').unwrap()].to_string())
        .collect();
    rows.sort();
    assert_eq!(rows, modules, "the module table of docs/architecture.md");
}

/// Data is reached through `source::Source` only: above it, no module calls a reader of
/// `io` itself (so a database or Spark source plugs in at one place, and the panic guard
/// applied there covers every read).
#[test]
fn only_the_source_seam_calls_the_readers() {
    const READERS: [&str; 6] = [
        "io::load(",
        "io::scan(",
        "io::read_columns(",
        "io::column_names(",
        "coded_csv::read_coded(",
        "coded_parquet::read_coded(",
    ];
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut stack = vec![src.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let relative = path
                .strip_prefix(&src)
                .unwrap()
                .to_string_lossy()
                .to_string();
            if relative.starts_with("io") || relative.starts_with("source") {
                continue;
            }
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for line in text.lines().filter(|l| !l.trim_start().starts_with("//")) {
                for reader in READERS {
                    assert!(
                        !line.contains(reader),
                        "src/{relative} calls {reader}: ask source::Source"
                    );
                }
            }
        }
    }
}
