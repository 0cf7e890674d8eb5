//! Class tables as the seam between where data lives and what is measured: the SQL that
//! `linkrisk sql` writes, run in a real engine (DuckDB from PyPI, which `.ci/run` installs),
//! gives a class table whose `scan --class-table` figures equal those of `scan` on the records
//! — on Adult and on every demo source, per record and per person, with population models and
//! wildcard nulls; each dialect's statement is also kept as golden text.

use std::path::{Path, PathBuf};

use serde_json::Value;

mod common;

const RETAIL: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/retail");

fn adult() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(common::ADULT)
        .to_string_lossy()
        .to_string()
}

/// The Python with DuckDB that `.ci/run` prepares; `LINKRISK_PYTHON` names another.
fn python() -> String {
    std::env::var("LINKRISK_PYTHON").unwrap_or_else(|_| {
        format!(
            "{}/.cache/linkrisk-venv/bin/python3",
            std::env::var("HOME").unwrap()
        )
    })
}

/// Runs `sql` in DuckDB and saves its result as `out` (CSV or Parquet by extension).
fn duckdb(sql: &str, out: &Path) {
    let script = "import duckdb, sys\n\
                  rel = duckdb.sql(open(sys.argv[1]).read())\n\
                  out = sys.argv[2]\n\
                  rel.write_parquet(out) if out.endswith('.parquet') else rel.write_csv(out)\n";
    let file = out.with_extension("sql");
    std::fs::write(&file, sql).unwrap();
    let run = std::process::Command::new(python())
        .args(["-c", script, file.to_str().unwrap(), out.to_str().unwrap()])
        .output()
        .expect("the CI's Python runs (.ci/run installs duckdb)");
    assert!(
        run.status.success(),
        "duckdb: {}",
        String::from_utf8_lossy(&run.stderr)
    );
}

/// One comparison: `scan FILE <args>` against `scan --class-table` of the class table that
/// `linkrisk sql` computes in DuckDB from the same file, as CSV and as Parquet.
fn same_figures(dir: &Path, file: &str, qi: &str, extra: &[&str], all_varchar: bool) {
    let mut sql_args = vec![
        "sql".to_string(),
        "--dialect".into(),
        "duckdb".into(),
        "--query".into(),
        format!(
            "SELECT * FROM read_csv('{file}'{})",
            if all_varchar {
                ", all_varchar = true"
            } else {
                ""
            }
        ),
        "--qi".into(),
        qi.into(),
    ];
    let mut scan_args: Vec<String> = vec!["--qi".into(), qi.into()];
    let mut rest = extra.iter();
    while let Some(flag) = rest.next() {
        let value = rest.next().copied();
        if matches!(*flag, "--sensitive" | "--entity") {
            sql_args.push(flag.to_string());
            sql_args.push(value.unwrap().to_string());
        }
        scan_args.push(flag.to_string());
        if let Some(v) = value {
            scan_args.push(v.to_string());
        }
    }
    let args: Vec<&str> = sql_args.iter().map(String::as_str).collect();
    let sql = common::linkrisk(&args);
    common::assert_ran(&sql);
    let sql = String::from_utf8(sql.stdout).unwrap();

    let mut records = vec!["scan", file];
    records.extend(scan_args.iter().map(String::as_str));
    records.extend(["--format", "json"]);
    let expected = view(&common::linkrisk_json(&records));
    for ext in ["csv", "parquet"] {
        let stem = Path::new(file)
            .file_stem()
            .unwrap()
            .to_string_lossy()
            .to_string();
        let table: PathBuf = dir.join(format!("{stem}-{}.{ext}", qi.len()));
        duckdb(&sql, &table);
        let mut classes = vec!["scan", "--class-table", table.to_str().unwrap()];
        classes.extend(scan_args.iter().map(String::as_str));
        classes.extend(["--format", "json"]);
        let measured = view(&common::linkrisk_json(&classes));
        assert_eq!(
            measured, expected,
            "{file} {qi} {extra:?} from the {ext} class table"
        );
    }
}

/// A report's view without its name (a class table's file is named otherwise).
fn view(report: &Value) -> Value {
    let mut view = report["views"][0].clone();
    view.as_object_mut().unwrap().remove("name");
    view
}

#[test]
fn adult_from_a_class_table_gives_the_records_figures() {
    let dir = common::scratch("class-tables-adult");
    let all = common::ADULT_QIS.join(",");
    // ARX's eight QIs, typed by DuckDB (ages as numbers), and a set of four read as text.
    same_figures(
        &dir,
        &adult(),
        &all,
        &["--sensitive", "salary-class", "--sampling-fraction", "0.1"],
        false,
    );
    same_figures(
        &dir,
        &adult(),
        "age,sex,race,marital-status",
        &["--sensitive", "salary-class", "--population", "300000"],
        true,
    );
}

#[test]
fn every_demo_source_from_a_class_table_gives_the_records_figures() {
    let dir = common::scratch("class-tables-demo");
    let file = |name: &str| format!("{RETAIL}/{name}.csv");
    let cases: [(&str, &str, &[&str]); 7] = [
        (
            "loyalty",
            "zip5,birth_date,gender",
            &["--sampling-fraction", "0.05"],
        ),
        // Missing genders: the same classes and, matching anything, the same frequencies.
        (
            "loyalty",
            "zip5,birth_date,gender",
            &["--nulls", "wildcard"],
        ),
        ("ecommerce", "zip5,birth_year,gender", &[]),
        (
            "web_analytics",
            "city,age_band",
            &["--sensitive", "categories_viewed"],
        ),
        // Per person: a member's class is the multiset of their purchases' stores.
        (
            "transactions",
            "store",
            &["--sensitive", "category", "--entity", "loyalty_id"],
        ),
        // Missing income bands: a sensitive value of its own.
        (
            "survey",
            "zip3,birth_year,gender",
            &["--sensitive", "health_interest,income_band"],
        ),
        // A numeric sensitive attribute: t-closeness by the ordered distance.
        ("partner", "age,zip5", &["--sensitive", "estimated_income"]),
    ];
    for (name, qi, extra) in cases {
        same_figures(&dir, &file(name), qi, extra, true);
    }
}

/// The statement of each dialect, for a QI named `select` (a keyword), one with a space and a
/// sensitive attribute with a double quote and a backtick, per record and per person, as
/// golden text (`LINKRISK_BLESS=1` rewrites it).
#[test]
fn each_dialect_quotes_and_writes_its_statement() {
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/sql");
    let bless = std::env::var_os("LINKRISK_BLESS").is_some();
    if bless {
        std::fs::create_dir_all(&golden).unwrap();
    }
    for dialect in ["postgres", "spark", "duckdb", "bigquery", "snowflake"] {
        for entity in [None, Some("who")] {
            let mut args = vec![
                "sql",
                "--dialect",
                dialect,
                "--table",
                "crm.loyalty members",
                "--qi",
                "select,zip code",
                "--sensitive",
                "say \"hi\" `now`",
            ];
            if let Some(e) = entity {
                args.extend(["--entity", e]);
            }
            let out = common::linkrisk(&args);
            common::assert_ran(&out);
            let text = String::from_utf8(out.stdout).unwrap();
            let name = format!(
                "{dialect}{}.sql",
                if entity.is_some() { "-people" } else { "" }
            );
            let path = golden.join(&name);
            if bless {
                std::fs::write(&path, &text).unwrap();
            }
            let expected = std::fs::read_to_string(&path)
                .unwrap_or_else(|_| panic!("{name} is missing: LINKRISK_BLESS=1 writes it"));
            assert_eq!(text, expected, "{name}");
        }
    }
    // The quoting itself, read off the golden text.
    let postgres = std::fs::read_to_string(golden.join("postgres.sql")).unwrap();
    assert!(postgres.contains("src.\"select\""));
    assert!(postgres.contains("src.\"zip code\""));
    assert!(postgres.contains("\"say \"\"hi\"\" `now`\""));
    assert!(postgres.contains("FROM \"crm\".\"loyalty members\" AS src"));
    let spark = std::fs::read_to_string(golden.join("spark.sql")).unwrap();
    assert!(spark.contains("`say \"hi\" ``now```"));
    let bigquery = std::fs::read_to_string(golden.join("bigquery.sql")).unwrap();
    assert!(bigquery.contains("`say \"hi\" \\`now\\``"));
}

/// A class table that is not one is refused in one line naming the file and what is wrong:
/// the count column missing, a count that is not a whole number (with its line), records
/// asked of it.
#[test]
fn a_broken_class_table_is_one_line() {
    let dir = common::scratch("class-tables-broken");
    let write = |name: &str, text: &str| {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path.to_string_lossy().to_string()
    };
    let no_count = write("no-count.csv", "zip,n\n021,3\n");
    common::one_line_error(
        &common::linkrisk(&["scan", "--class-table", &no_count, "--qi", "zip"]),
        "has no column '__records'",
    );
    let bad = write("bad.csv", "zip,__records\n021,3\n100,x\n");
    common::one_line_error(
        &common::linkrisk(&["scan", "--class-table", &bad, "--qi", "zip"]),
        "line 3: '__records' must be a whole number of at least 1",
    );
    let good = write("good.csv", "zip,__records\n021,3\n100,7\n");
    common::one_line_error(
        &common::linkrisk(&[
            "scan",
            "--class-table",
            &good,
            "--qi",
            "zip",
            "--records",
            &dir.join("r.csv").to_string_lossy(),
        ]),
        "--class-table holds classes, not records",
    );
    let people = write("people.csv", "__class,__records,__people\na,3,2\na,1,3\n");
    common::one_line_error(
        &common::linkrisk(&[
            "scan",
            "--class-table",
            &people,
            "--qi",
            "zip",
            "--entity",
            "who",
        ]),
        "line 3: the cell gives its class another number of people",
    );
    // And a good one measures: 2 classes of 3 and 7 records.
    let report = common::linkrisk_json(&[
        "scan",
        "--class-table",
        &good,
        "--qi",
        "zip",
        "--format",
        "json",
    ]);
    assert_eq!(report["views"][0]["rows"], 10);
    assert_eq!(report["views"][0]["k"], 3);
    assert_eq!(report["views"][0]["classes"], 2);
}

/// The URL of the PostgreSQL server `.ci/run` starts (tests/postgres_server.sh), which holds
/// Adult as `adult` and the demo's sources in schema `crm`.
fn postgres() -> String {
    std::env::var("LINKRISK_PG_URL").expect(
        "LINKRISK_PG_URL is not set: run the tests through .ci/run, which starts PostgreSQL \
         (tests/postgres_server.sh start DIR prints the URL)",
    )
}

/// The URL of the Spark Connect server `.ci/run` starts (tests/spark_server.sh), which holds
/// Adult as `adult` and the demo's sources in database `crm`, with its token.
fn spark() -> String {
    std::env::var("LINKRISK_SPARK_URL").expect(
        "LINKRISK_SPARK_URL is not set: run the tests through .ci/run, which starts Spark \
         Connect (tests/spark_server.sh start DIR prints the URL)",
    )
}

/// The secret of a database URL the reports must never show: PostgreSQL's password, Spark's
/// token.
fn secret_of(url: &str) -> String {
    match url.split_once(";token=") {
        Some((_, token)) => token.to_string(),
        None => "linkrisk-test".to_string(),
    }
}

/// `scan` of a PostgreSQL table (the server groups, only the cells come back) gives the
/// figures of `scan` on the same records as a file: Adult's two QI sets and every demo source,
/// per person, with wildcard nulls, with typed columns (ages as integers, dates, timestamps,
/// amounts as numeric) compared as text. `--show-values` fetches the named columns instead,
/// and agrees too.
#[test]
fn postgres_tables_give_the_files_figures() {
    tables_give_the_files_figures(&postgres());
}

/// The same for Spark Connect: Spark computes each class table, and only its cells come back
/// (the rows received, counted by the timing lines, are the classes, never the records).
#[test]
fn spark_tables_give_the_files_figures() {
    let url = spark();
    tables_give_the_files_figures(&url);
    let out = common::linkrisk_env(
        &[
            "scan",
            &url,
            "--table",
            "adult",
            "--qi",
            &common::ADULT_QIS.join(","),
            "--format",
            "json",
        ],
        &[("LINKRISK_TIMINGS", "1")],
    );
    common::assert_ran(&out);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let classes = report["views"][0]["classes"].as_u64().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let received = stderr
        .lines()
        .find_map(|l| {
            l.strip_prefix("timing: spark: computing a class table: ")?
                .split(' ')
                .next()?
                .parse::<u64>()
                .ok()
        })
        .expect("a timing line for the class table");
    assert_eq!(received, classes, "{stderr}");
    assert!(
        !stderr.contains("fetching the named columns"),
        "records fetched: {stderr}"
    );
    assert!(
        classes < 30_162,
        "the records, not their classes, came back"
    );
}

fn tables_give_the_files_figures(url: &str) {
    let url = url.to_string();
    let secret = secret_of(&url);
    let adult = adult();
    let all = common::ADULT_QIS.join(",");
    let file = |name: &str| format!("{RETAIL}/{name}.csv");
    let cases: Vec<(String, String, &str, Vec<&str>)> = vec![
        (
            adult.clone(),
            "adult".into(),
            &all,
            vec!["--sensitive", "salary-class", "--sampling-fraction", "0.1"],
        ),
        (
            adult.clone(),
            "adult".into(),
            "age,sex,race,marital-status",
            vec!["--sensitive", "salary-class"],
        ),
        (
            file("loyalty"),
            "crm.loyalty".into(),
            "zip5,birth_date,gender",
            vec!["--nulls", "wildcard"],
        ),
        (
            file("ecommerce"),
            "crm.ecommerce".into(),
            "zip5,birth_year,gender",
            vec![],
        ),
        (
            file("web_analytics"),
            "crm.web_analytics".into(),
            "city,age_band",
            vec!["--sensitive", "categories_viewed"],
        ),
        (
            file("transactions"),
            "crm.transactions".into(),
            "store",
            vec![
                "--sensitive",
                "category,basket_value",
                "--entity",
                "loyalty_id",
            ],
        ),
        (
            file("survey"),
            "crm.survey".into(),
            "zip3,birth_year,gender",
            vec!["--sensitive", "health_interest,income_band"],
        ),
        (
            file("partner"),
            "crm.partner".into(),
            "age,zip5",
            vec!["--sensitive", "estimated_income", "--population", "100000"],
        ),
    ];
    for (path, table, qi, extra) in &cases {
        let mut local = vec!["scan", path.as_str(), "--qi", qi];
        local.extend(extra.iter().copied());
        local.extend(["--format", "json"]);
        let expected = view(&common::linkrisk_json(&local));
        let mut remote = vec!["scan", url.as_str(), "--table", table.as_str(), "--qi", qi];
        remote.extend(extra.iter().copied());
        remote.extend(["--format", "json"]);
        let report = common::linkrisk_json(&remote);
        let mut measured = view(&report);
        measured["rows"] = expected["rows"].clone();
        assert_eq!(measured, expected, "{table} {qi} {extra:?}");
        assert_eq!(report["views"][0]["rows"], expected["rows"], "{table}");
        // The report names the server and the table, never the password.
        let text = report.to_string();
        assert!(!text.contains(&secret), "a secret in the report");
        assert!(
            report["provenance"]["inputs"][0]["location"]
                .as_str()
                .unwrap()
                .ends_with(&format!("table {table}"))
        );
    }
    // The fetching path (named columns through binary COPY) agrees with the pushed-down one.
    let fetched = common::linkrisk_json(&[
        "scan",
        &url,
        "--table",
        "crm.survey",
        "--qi",
        "zip3,birth_year,gender",
        "--show-values",
        "--format",
        "json",
    ]);
    let pushed = common::linkrisk_json(&[
        "scan",
        &url,
        "--table",
        "crm.survey",
        "--qi",
        "zip3,birth_year,gender",
        "--format",
        "json",
    ]);
    for key in [
        "k",
        "classes",
        "uniques",
        "class_size_histogram",
        "prosecutor",
    ] {
        assert_eq!(fetched["views"][0][key], pushed["views"][0][key], "{key}");
    }
}

/// A quasi `link` between two PostgreSQL tables (or a table and a file) gives the figures of
/// the same link between the files: the web shop's accounts against the survey on birth year
/// and gender, with the truth columns.
#[test]
fn a_link_between_postgres_tables_equals_the_files() {
    a_link_between_tables_equals_the_files(&postgres());
}

/// The same for tables in Spark.
#[test]
fn a_link_between_spark_tables_equals_the_files() {
    a_link_between_tables_equals_the_files(&spark());
}

fn a_link_between_tables_equals_the_files(url: &str) {
    let url = url.to_string();
    let on = "birth_year,gender";
    let files = common::linkrisk_json(&[
        "link",
        &format!("{RETAIL}/ecommerce.csv"),
        &format!("{RETAIL}/survey.csv"),
        "--on",
        on,
        "--format",
        "json",
    ]);
    let both = common::linkrisk_json(&[
        "link",
        &url,
        &url,
        "--left-table",
        "crm.ecommerce",
        "--right-table",
        "crm.survey",
        "--on",
        on,
        "--format",
        "json",
    ]);
    let mixed = common::linkrisk_json(&[
        "link",
        &format!("{RETAIL}/ecommerce.csv"),
        &url,
        "--right-query",
        "SELECT * FROM crm.survey",
        "--on",
        on,
        "--format",
        "json",
    ]);
    let linkage = |r: &Value| {
        let mut join = r["joins"][0].clone();
        for key in ["name", "left", "right"] {
            join.as_object_mut().unwrap().remove(key);
        }
        for snapshot in ["before_left", "before_right", "after"] {
            join[snapshot].as_object_mut().unwrap().remove("view");
        }
        join
    };
    assert_eq!(linkage(&both), linkage(&files));
    assert_eq!(linkage(&mixed), linkage(&files));
    assert!(
        files["joins"][0]["linkage"]["expected_reidentifications"]
            .as_f64()
            .unwrap()
            > 0.0
    );
    assert_eq!(both["views"][0]["name"], "ecommerce");
    assert_eq!(mixed["views"][1]["name"], "query");
}

/// Every way a database source goes wrong is one line naming the server and the table,
/// never the password: a URL that is not one, a refused connection, a bad password, a missing
/// table or column, a statement that fails on the server.
#[test]
fn postgres_errors_are_one_line_without_the_password() {
    let url = postgres();
    let (head, tail) = url.split_once("linkrisk-test").unwrap();
    let wrong = format!("{head}not-the-password{tail}");
    let closed = "postgresql://ann:s3cret@127.0.0.1:1/crm";
    let cases: [(&[&str], &str); 6] = [
        (
            &[
                "scan",
                "postgresql://ann:s3cret@[::1",
                "--table",
                "t",
                "--qi",
                "a",
            ],
            "is not a PostgreSQL URL",
        ),
        (
            &["scan", closed, "--table", "t", "--qi", "a"],
            "postgresql://ann@127.0.0.1:1/crm table t: error connecting to server",
        ),
        (
            &["scan", &wrong, "--table", "adult", "--qi", "age"],
            "password authentication failed",
        ),
        (
            &["scan", &url, "--table", "crm.nothing", "--qi", "a"],
            "table crm.nothing: relation \"crm.nothing\" does not exist",
        ),
        (
            &["scan", &url, "--table", "adult", "--qi", "agee"],
            "table adult has no column 'agee' (did you mean 'age'?)",
        ),
        (
            &[
                "scan",
                &url,
                "--query",
                "SELECT 1 / (age - age) AS x FROM adult",
                "--qi",
                "x",
            ],
            "query: the statement failed on a value of the data (SQLSTATE 22012)",
        ),
    ];
    for (args, needle) in cases {
        let out = common::linkrisk(args);
        let line = common::one_line_error(&out, needle);
        for secret in ["s3cret", "not-the-password", "linkrisk-test"] {
            assert!(!line.contains(secret), "{line}");
        }
    }
}

/// The Spark SQL normalisation of emails and phones (and the hashes of normalised emails)
/// equals linkrisk's normaliser on every distinct value of the demo's web shop, partner and
/// loyalty members, and on values written to be hard: Unicode spaces, upper case beyond ASCII,
/// two `@`, none, `+tags`, gmail dots, country codes, nothing but punctuation.
#[test]
fn spark_normalisation_equals_linkrisks_on_every_demo_value() {
    use linkrisk::internals::normalize::{
        EmailRules, HashAlgorithm, normalize_email, normalize_phone,
    };
    use linkrisk::source::sql::spark_identifiers as spark_sql;
    let url = spark();
    let all = EmailRules {
        drop_tags: true,
        gmail_dots: true,
    };
    let hard = [
        "  Ann.Lee+shop@GMail.com ",
        "\u{00a0}Zoë.Ünal@Example.COM\u{2003}",
        "a@b@c.com",
        "no-at-sign",
        "x+y+z@googlemail.com",
        "@",
        "+1 (312) 555-0123",
        "1-800",
        "12345678901",
        "22345678901",
        "--",
        "",
    ];
    let values: Vec<String> = hard
        .iter()
        .map(|v| format!("('{}')", v.replace('\\', "\\\\").replace('\'', "\\'")))
        .collect();
    let columns = |c: &str| {
        format!(
            "{c} AS raw, {} AS email, {} AS email_all, {} AS phone, {} AS md5, {} AS sha1, {} AS sha256",
            spark_sql::email(c, EmailRules::default()),
            spark_sql::email(c, all),
            spark_sql::phone(c),
            spark_sql::hashed(
                &spark_sql::email(c, EmailRules::default()),
                HashAlgorithm::Md5
            ),
            spark_sql::hashed(
                &spark_sql::email(c, EmailRules::default()),
                HashAlgorithm::Sha1
            ),
            spark_sql::hashed(
                &spark_sql::email(c, EmailRules::default()),
                HashAlgorithm::Sha256
            ),
        )
    };
    let mut parts = vec![format!(
        "SELECT {} FROM (VALUES {}) AS hard(v)",
        columns("v"),
        values.join(", ")
    )];
    for (table, column) in [
        ("crm.ecommerce", "email"),
        ("crm.ecommerce", "phone"),
        ("crm.partner", "email"),
        ("crm.partner", "phone"),
        ("crm.loyalty", "email"),
        ("crm.loyalty", "phone"),
    ] {
        parts.push(format!("SELECT DISTINCT {} FROM {table}", columns(column)));
    }
    let query = parts.join(" UNION ALL ");
    let source =
        linkrisk::source::Source::open(&url, None, Some(&query), Default::default(), false)
            .unwrap();
    let names: Vec<String> = [
        "raw",
        "email",
        "email_all",
        "phone",
        "md5",
        "sha1",
        "sha256",
    ]
    .map(String::from)
    .to_vec();
    let df = source.frame(&names).unwrap();
    let text = |name: &str| -> Vec<Option<String>> {
        df.column(name)
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .map(|v| v.map(str::to_string))
            .collect()
    };
    let blank = |v: String| (!v.is_empty()).then_some(v);
    let raw = text("raw");
    assert!(raw.len() > 3_000, "{} values", raw.len());
    let mut compared = 0;
    for (name, expect) in [
        (
            "email",
            Box::new(|r: &str| blank(normalize_email(r, EmailRules::default())))
                as Box<dyn Fn(&str) -> Option<String>>,
        ),
        (
            "email_all",
            Box::new(|r: &str| blank(normalize_email(r, all))),
        ),
        ("phone", Box::new(|r: &str| blank(normalize_phone(r)))),
        (
            "md5",
            Box::new(|r: &str| {
                blank(normalize_email(r, EmailRules::default())).map(|e| HashAlgorithm::Md5.hex(&e))
            }),
        ),
        (
            "sha1",
            Box::new(|r: &str| {
                blank(normalize_email(r, EmailRules::default()))
                    .map(|e| HashAlgorithm::Sha1.hex(&e))
            }),
        ),
        (
            "sha256",
            Box::new(|r: &str| {
                blank(normalize_email(r, EmailRules::default()))
                    .map(|e| HashAlgorithm::Sha256.hex(&e))
            }),
        ),
    ] {
        for (raw, spark) in raw.iter().zip(text(name)) {
            let expected = raw.as_deref().and_then(&expect);
            assert_eq!(spark, expected, "{name} of {raw:?}");
            compared += 1;
        }
    }
    assert!(compared > 18_000);
}

/// Every way a Spark source goes wrong is one line naming the server and the table, never
/// the token: a URL that is not one, a server that is not there, a refused token, a token
/// without TLS to another machine, a missing table or column, a statement Spark refuses.
#[test]
fn spark_errors_are_one_line_without_the_token() {
    let url = spark();
    let token = secret_of(&url);
    let wrong = url.replace(&token, "not-the-token");
    let address = url
        .strip_prefix("sc://")
        .and_then(|rest| rest.split('/').next())
        .unwrap()
        .to_string();
    let without = format!("sc://{address}");
    type Case<'a> = (Vec<&'a str>, String, Vec<(&'a str, &'a str)>);
    let cases: Vec<Case> = vec![
        (
            vec![
                "scan",
                "sc://host/path/;token=s3cret",
                "--table",
                "t",
                "--qi",
                "a",
            ],
            "is not a Spark Connect URL".into(),
            vec![],
        ),
        (
            vec![
                "scan",
                "sc://127.0.0.1:1/;token=s3cret",
                "--table",
                "t",
                "--qi",
                "a",
            ],
            "sc://127.0.0.1:1 table t (reading the column names): cannot reach the server".into(),
            vec![],
        ),
        (
            vec!["scan", &wrong, "--table", "adult", "--qi", "age"],
            "the server refused the token".into(),
            vec![],
        ),
        (
            vec!["scan", &without, "--table", "adult", "--qi", "age"],
            "the server refused the token".into(),
            vec![("SPARK_CONNECT_TOKEN", "not-the-token")],
        ),
        (
            vec![
                "scan",
                "sc://spark.example.com:443/;token=s3cret;use_ssl=false",
                "--table",
                "t",
                "--qi",
                "a",
            ],
            "a token is sent only over TLS".into(),
            vec![],
        ),
        (
            vec!["scan", &url, "--table", "crm.nothing", "--qi", "a"],
            format!(
                "{without} table crm.nothing (reading the column names): [TABLE_OR_VIEW_NOT_FOUND]"
            ),
            vec![],
        ),
        (
            vec!["scan", &url, "--table", "adult", "--qi", "agee"],
            "table adult has no column 'agee' (did you mean 'age'?)".into(),
            vec![],
        ),
        (
            vec![
                "scan",
                &url,
                "--query",
                "SELECT nope() FROM adult",
                "--qi",
                "x",
            ],
            format!("{without} query (reading the column names): [UNRESOLVED_ROUTINE]"),
            vec![],
        ),
    ];
    for (args, needle, env) in &cases {
        let out = common::linkrisk_env(args, env);
        let line = common::one_line_error(&out, needle);
        for secret in ["s3cret", "not-the-token", token.as_str()] {
            assert!(!line.contains(secret), "{line}");
        }
    }
    // A plan's source that fails in Spark names the source.
    let dir = common::scratch("spark-plan-error");
    let plan = dir.join("audit.toml");
    std::fs::write(
        &plan,
        format!(
            "[[source]]\nname = \"survey\"\nurl = \"{url}\"\ntable = \"crm.nosuch\"\ncolumns = {{ zip3 = \"qi\" }}\n"
        ),
    )
    .unwrap();
    let out = common::linkrisk(&["audit", plan.to_str().unwrap()]);
    let line = common::one_line_error(
        &out,
        &format!(
            "source 'survey': {without} table crm.nosuch (reading the column names): [TABLE_OR_VIEW_NOT_FOUND]"
        ),
    );
    assert!(!line.contains(&token), "{line}");
    // A peer that accepts the connection and never answers (not a server of the kind named,
    // or hung) is reported after LINKRISK_CONNECT_TIMEOUT seconds, for both kinds of URL.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for connection in silent.incoming() {
            held.push(connection);
        }
    });
    for (url, needle) in [
        (
            format!("sc://127.0.0.1:{port}"),
            "the server did not answer in 2 s: is it a Spark Connect server?",
        ),
        (
            format!("postgresql://ann:s3cret@127.0.0.1:{port}/crm"),
            "the server did not answer in 2 s: is it a PostgreSQL server?",
        ),
    ] {
        let started = std::time::Instant::now();
        let out = common::linkrisk_env(
            &["scan", &url, "--table", "t", "--qi", "a"],
            &[("LINKRISK_CONNECT_TIMEOUT", "2")],
        );
        let line = common::one_line_error(&out, needle);
        assert!(!line.contains("s3cret"), "{line}");
        assert!(started.elapsed().as_secs() < 20);
    }
    // The token from the environment is the one sent.
    let report = common::linkrisk_json_env(
        &[
            "scan", &without, "--table", "adult", "--qi", "sex", "--format", "json",
        ],
        &[("SPARK_CONNECT_TOKEN", token.as_str())],
    );
    assert_eq!(report["views"][0]["rows"], 30_162);
}

/// The demo plan with its six sources read from PostgreSQL (`url` and `table` instead of
/// `path`; the truth files stay files) gives the report of the demo on files: every view, join
/// step, finding and the verdict. Only the data row numbers of the riskiest records may differ:
/// a table has no row order (PostgreSQL fills free space left by a bulk load out of order).
#[test]
fn the_demo_audit_from_postgres_equals_the_files() {
    the_demo_audit_from_equals_the_files(&postgres(), "postgres");
}

/// The same with the six sources in Spark.
#[test]
fn the_demo_audit_from_spark_equals_the_files() {
    the_demo_audit_from_equals_the_files(&spark(), "spark");
}

/// The demo plan with each source of `generalize` given that `generalize` table, read from
/// the files and from the database at `url`, gives the same report, and so does the plan run
/// in Spark. The database applies the prefixes, decades and suppression itself; bands stay
/// local.
#[test]
fn generalised_sources_from_postgres_and_spark_equal_the_files() {
    let generalize = [
        ("loyalty", r#"{ zip5 = "zip3", birth_date = "year" }"#),
        ("ecommerce", r#"{ zip5 = "zip1", birth_year = "decade" }"#),
        ("web_analytics", r#"{ age_band = "suppress" }"#),
        ("survey", r#"{ birth_year = "decade" }"#),
        ("partner", r#"{ zip5 = "zip3", age = "band:10" }"#),
    ];
    the_demo_audit_from_equals_the_files_with(&postgres(), "postgres-generalised", &generalize);
    the_demo_audit_from_equals_the_files_with(&spark(), "spark-generalised", &generalize);
    // Run in Spark: the band is applied here to each fetched view that holds the column,
    // the partner's and every step's that joins it.
    let timings = the_demo_audit_from_equals_the_files_moving(
        &spark(),
        "spark-pushdown-generalised",
        &generalize,
        true,
    );
    assert!(timings.contains("join 'broker list by phone': linking the records"));
}

/// The demo plan with its six sources and its truth maps in Spark (`attach = { url, table, on
/// }`) runs in Spark (`audit::pushdown`) and gives the report of the demo on files. The
/// statements' rows received (`LINKRISK_TIMINGS`) show what travelled: each step's figures
/// are one-row aggregates, each source's sample is bounded, and only the measured columns of
/// each view come back, one row per record.
#[test]
fn the_demo_audit_run_in_spark_equals_the_files() {
    let timings =
        the_demo_audit_from_equals_the_files_moving(&spark(), "spark-pushdown", &[], true);
    let received: Vec<(String, usize)> = timings
        .lines()
        .filter_map(|line| {
            let statement = line.strip_prefix("timing: spark: ")?;
            let (step, rest) = statement.rsplit_once(": ")?;
            let rows = step.rsplit_once(": ")?.1.split(' ').next()?.parse().ok()?;
            let _ = rest;
            Some((step.rsplit_once(": ")?.0.to_string(), rows))
        })
        .collect();
    let joins: Vec<&(String, usize)> = received
        .iter()
        .filter(|(step, _)| step.starts_with("join '"))
        .collect();
    assert!(
        joins.len() >= 5 * 3,
        "every identifier step ran in Spark: {joins:?}"
    );
    for (step, rows) in &joins {
        assert!(*rows <= 1, "{step} received {rows} rows");
    }
    let fetched: Vec<&(String, usize)> = received
        .iter()
        .filter(|(step, _)| step.starts_with("fetching the measured columns of "))
        .collect();
    let rows_of = |what: &str| {
        fetched
            .iter()
            .find(|(step, _)| step.ends_with(what))
            .unwrap_or_else(|| panic!("no fetch of {what}: {fetched:?}"))
            .1
    };
    // One row per record of each source, and per linked pair of each step.
    assert_eq!(rows_of("table crm.loyalty"), 2055);
    assert_eq!(rows_of("table crm.transactions"), 8822);
    assert_eq!(rows_of("join 'purchases by loyalty id'"), 3485);
    // Each source, each identifier step, and the survey again as its remedy releases it
    // (besides the frames fetched again).
    let first: Vec<_> = fetched
        .iter()
        .filter(|(step, _)| !step.ends_with(" again"))
        .collect();
    assert_eq!(first.len(), 6 + 5 + 1, "{fetched:?}");
    for (step, rows) in &received {
        if step.starts_with("sampling the columns of ") {
            assert!(*rows <= 1000 * 9, "{step} received {rows} rows");
        } else if step.starts_with("looking for hashed identifiers")
            || step.starts_with("counting")
            || step.starts_with("checking")
            || step.starts_with("guessing")
        {
            assert!(*rows <= 500, "{step} received {rows} rows");
        } else if step.starts_with("fetching the measured columns of view ") {
            // A frame given back after its view was measured, fetched again for a quasi step
            // or a remedy.
            assert!(step.ends_with(" again"), "{step}");
        } else if !step.starts_with("fetching the measured columns of ") {
            assert!(*rows <= 1, "{step} received {rows} rows");
        }
    }
    assert!(timings.contains("spark: releasing the session: done"));
}

/// The demo plan with its sources and truth maps in PostgreSQL (`attach = { url, table, on }`)
/// runs here, attaching each truth table as it attaches a file, and gives the files' report.
#[test]
fn truth_maps_attached_from_postgres_equal_the_files() {
    let timings =
        the_demo_audit_from_equals_the_files_moving(&postgres(), "postgres-attach", &[], true);
    assert!(!timings.contains("timing: spark:"));
}

/// In a plan run in Spark, a quasi step's output stays here: an identifier step that reads it
/// is refused with one line naming the step and the view.
#[test]
fn a_plan_run_in_spark_refuses_an_identifier_step_on_a_quasi_output() {
    let url = spark();
    let dir = common::scratch("class-tables-spark-quasi-then-key");
    let plan = dir.join("plan.toml");
    std::fs::write(
        &plan,
        format!(
            r#"[[source]]
name = "loyalty"
url = "{url}"
table = "crm.loyalty"
columns = {{ loyalty_id = "id", zip5 = "qi", birth_date = "qi", gender = "qi" }}

[[source]]
name = "survey"
url = "{url}"
table = "crm.survey"
columns = {{ zip3 = "qi", birth_year = "qi", gender = "qi" }}

[[join]]
name = "survey re-identified"
left = "loyalty"
right = "survey"
kind = "quasi"
left_on = ["zip5", "birth_date", "gender"]
right_on = ["zip3", "birth_year", "gender"]

[[join]]
name = "back to the members"
left = "survey re-identified"
right = "loyalty"
kind = "key"
on = ["loyalty_id"]
"#
        ),
    )
    .unwrap();
    let out = common::linkrisk(&["audit", plan.to_str().unwrap()]);
    let line = common::one_line_error(&out, "'survey re-identified' is a quasi step's output");
    assert!(line.contains("join 'back to the members'"), "{line}");
    assert!(!line.contains(&secret_of(&url)));
}

/// A column named like linkrisk's row number in a plan run in Spark is refused by name.
#[test]
fn a_plan_run_in_spark_refuses_a_column_named_like_its_row_number() {
    let url = spark();
    let dir = common::scratch("class-tables-spark-row-column");
    let plan = dir.join("plan.toml");
    std::fs::write(
        &plan,
        format!(
            r#"[[source]]
name = "loyalty"
url = "{url}"
query = "SELECT loyalty_id AS __lr_row, zip5 FROM crm.loyalty"
columns = {{ __lr_row = "other", zip5 = "qi" }}
"#
        ),
    )
    .unwrap();
    let out = common::linkrisk(&["audit", plan.to_str().unwrap()]);
    let line = common::one_line_error(&out, "column __lr_row is linkrisk's row number");
    assert!(line.contains("source 'loyalty'"), "{line}");
}

/// An `attach` names one place: a file, or a database with a table or a query.
#[test]
fn an_attach_that_names_no_place_or_two_is_one_line() {
    let dir = common::scratch("class-tables-attach-errors");
    let cases = [
        (
            r#"attach = { on = "id" }"#,
            "attach has no path (a file) or url",
        ),
        (
            r#"attach = { path = "t.csv", url = "sc://localhost:1", table = "t", on = "id" }"#,
            "attach has both path and url",
        ),
        (
            r#"attach = { url = "sc://localhost:1", on = "id" }"#,
            "attach url needs table or query",
        ),
        (
            r#"attach = { url = "mysql://h/db", table = "t", on = "id" }"#,
            "attach url must be a postgresql:// or sc:// URL",
        ),
        (
            r#"attach = { path = "t.csv", table = "t", on = "id" }"#,
            "attach table and query name a database's records",
        ),
    ];
    std::fs::write(dir.join("s.csv"), "id,zip\n1,123\n").unwrap();
    for (attach, message) in cases {
        let plan = dir.join("plan.toml");
        std::fs::write(
            &plan,
            format!(
                "[[source]]\nname = \"s\"\npath = \"s.csv\"\ncolumns = {{ id = \"other\", zip = \"qi\" }}\n{attach}\n"
            ),
        )
        .unwrap();
        let out = common::linkrisk(&["audit", plan.to_str().unwrap()]);
        common::one_line_error(&out, message);
    }
}

fn the_demo_audit_from_equals_the_files(url: &str, label: &str) {
    the_demo_audit_from_equals_the_files_with(url, label, &[]);
}

fn the_demo_audit_from_equals_the_files_with(url: &str, label: &str, generalize: &[(&str, &str)]) {
    the_demo_audit_from_equals_the_files_moving(url, label, generalize, false);
}

/// Runs the demo plan with its sources moved to the database at `url` (and its truth maps too
/// with `attach_tables`) and on files, asserts both reports are the same, and returns the
/// database run's `LINKRISK_TIMINGS` lines.
fn the_demo_audit_from_equals_the_files_moving(
    url: &str,
    label: &str,
    generalize: &[(&str, &str)],
    attach_tables: bool,
) -> String {
    let url = url.to_string();
    let secret = secret_of(&url);
    let plan = std::fs::read_to_string(format!("{RETAIL}/audit.toml")).unwrap();
    let mut text = String::new();
    let mut files = String::new();
    for line in plan.lines() {
        let local = line.replace("path = \"", &format!("path = \"{RETAIL}/"));
        let truth = line
            .strip_prefix("attach = { path = \"truth/")
            .and_then(|rest| rest.split_once(".csv\", on = \""));
        let moved = match line
            .strip_prefix("path = \"")
            .and_then(|rest| rest.strip_suffix(".csv\""))
        {
            Some(table) => format!("url = \"{url}\"\ntable = \"crm.{table}\""),
            None => match truth {
                Some((source, on)) if attach_tables => format!(
                    "attach = {{ url = \"{url}\", table = \"crm.truth_{source}\", on = \"{on}"
                ),
                _ => local.clone(),
            },
        };
        for (out, line) in [(&mut text, moved), (&mut files, local)] {
            out.push_str(&line);
            out.push('\n');
            for (source, table) in generalize {
                if line == format!("name = \"{source}\"") {
                    out.push_str(&format!("generalize = {table}\n"));
                }
            }
        }
    }
    assert_eq!(text.matches("\nurl = ").count(), 6, "six sources moved");
    assert_eq!(
        files.matches("generalize = ").count(),
        generalize.len(),
        "every generalisation placed"
    );
    let dir = common::scratch(&format!("class-tables-audit-{label}"));
    let moved = dir.join("audit.toml");
    std::fs::write(&moved, &text).unwrap();
    let on_files = dir.join("files.toml");
    std::fs::write(&on_files, &files).unwrap();
    let comparable = |mut report: Value| {
        report.as_object_mut().unwrap().remove("provenance");
        for view in report["views"].as_array_mut().unwrap() {
            if let Some(records) = view["attribution"]["msu"]["records"].as_array_mut() {
                for record in records {
                    record.as_object_mut().unwrap().remove("row");
                }
            }
        }
        report
    };
    if attach_tables {
        assert_eq!(text.matches("table = \"crm.truth_").count(), 4);
    }
    let out = common::linkrisk_env(
        &["audit", moved.to_str().unwrap(), "--format", "json"],
        &[("LINKRISK_TIMINGS", "1")],
    );
    common::assert_ran(&out);
    let remote: Value = serde_json::from_slice(&out.stdout).unwrap();
    let timings = String::from_utf8_lossy(&out.stderr).to_string();
    let inputs = remote["provenance"]["inputs"].as_array().unwrap();
    assert!(inputs.iter().any(|i| {
        i["location"]
            .as_str()
            .unwrap()
            .ends_with("table crm.survey")
    }));
    assert!(
        !remote.to_string().contains(&secret),
        "a secret in the report"
    );
    let local = common::linkrisk_json(&["audit", on_files.to_str().unwrap(), "--format", "json"]);
    assert_eq!(comparable(remote), comparable(local));
    timings
}

/// `linkrisk sql`'s PostgreSQL statement run by `psql` (as the README shows) and saved as CSV
/// gives `scan --class-table` the figures of the file: Adult's eight QIs, and the purchases per
/// person with a numeric sensitive amount.
#[test]
fn the_postgres_statement_run_by_psql_gives_the_files_figures() {
    let url = postgres();
    let dir = common::scratch("class-tables-psql");
    let cases: [(&str, String, &str, &[&str]); 2] = [
        (
            "adult",
            adult(),
            &common::ADULT_QIS.join(","),
            &["--sensitive", "salary-class"],
        ),
        (
            "crm.transactions",
            format!("{RETAIL}/transactions.csv"),
            "store",
            &[
                "--sensitive",
                "category,basket_value",
                "--entity",
                "loyalty_id",
            ],
        ),
    ];
    for (table, file, qi, extra) in cases {
        let mut args = vec!["sql", "--dialect", "postgres", "--table", table, "--qi", qi];
        args.extend(extra.iter().copied());
        let sql = common::linkrisk(&args);
        common::assert_ran(&sql);
        let sql = String::from_utf8(sql.stdout).unwrap();
        let out = std::process::Command::new("psql")
            .args([
                url.as_str(),
                "-c",
                &format!("COPY ({sql}) TO STDOUT WITH (FORMAT csv, HEADER)"),
            ])
            .output()
            .expect("psql (Debian's postgresql-client, installed with the server) runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let path = dir.join(format!("{table}.csv"));
        std::fs::write(&path, &out.stdout).unwrap();
        let mut classes = vec!["scan", "--class-table", path.to_str().unwrap(), "--qi", qi];
        classes.extend(extra.iter().copied());
        classes.extend(["--format", "json"]);
        let mut records = vec!["scan", file.as_str(), "--qi", qi];
        records.extend(extra.iter().copied());
        records.extend(["--format", "json"]);
        assert_eq!(
            view(&common::linkrisk_json(&classes)),
            view(&common::linkrisk_json(&records)),
            "{table}"
        );
    }
}

/// `keys` of a PostgreSQL table (its named columns fetched: attribution needs the records)
/// gives the attribution of the file, but for the row numbers of the riskiest records (a table
/// has no row order).
#[test]
fn keys_of_a_postgres_table_equals_the_files() {
    keys_of_a_table_equals_the_files(&postgres());
}

/// The same for a table in Spark.
#[test]
fn keys_of_a_spark_table_equals_the_files() {
    keys_of_a_table_equals_the_files(&spark());
}

fn keys_of_a_table_equals_the_files(url: &str) {
    let url = url.to_string();
    let qi = "zip3,birth_year,gender,income_band";
    let strip = |mut report: Value| {
        report.as_object_mut().unwrap().remove("provenance");
        report.as_object_mut().unwrap().remove("view");
        for record in report["attribution"]["msu"]["records"]
            .as_array_mut()
            .unwrap()
        {
            record.as_object_mut().unwrap().remove("row");
        }
        report
    };
    let remote = common::linkrisk_json(&[
        "keys",
        &url,
        "--table",
        "crm.survey",
        "--qi",
        qi,
        "--format",
        "json",
    ]);
    assert_eq!(remote["view"], "survey");
    let local = common::linkrisk_json(&[
        "keys",
        &format!("{RETAIL}/survey.csv"),
        "--qi",
        qi,
        "--format",
        "json",
    ]);
    assert!(
        local["attribution"]["msu"]["records"]
            .as_array()
            .is_some_and(|r| !r.is_empty())
    );
    assert_eq!(strip(remote), strip(local));
}

/// `unicity` of purchases in PostgreSQL (each row's person and points grouped by the server,
/// repeated here) gives the file's people and traces; the seeded draws meet them in another
/// order (a table has none), so each point of the curve lies within the file's 95% interval:
/// the demo's purchases by member, points store and day.
#[test]
fn unicity_of_a_postgres_table_equals_the_files() {
    unicity_of_a_table_equals_the_files(&postgres());
}

/// The same for purchases in Spark.
#[test]
fn unicity_of_a_spark_table_equals_the_files() {
    unicity_of_a_table_equals_the_files(&spark());
}

fn unicity_of_a_table_equals_the_files(url: &str) {
    let url = url.to_string();
    let args = [
        "--entity",
        "loyalty_id",
        "--points",
        "store,timestamp",
        "--time",
        "timestamp:day",
        "--format",
        "json",
    ];
    let mut remote = vec!["unicity", url.as_str(), "--table", "crm.transactions"];
    remote.extend(args);
    let file = format!("{RETAIL}/transactions.csv");
    let mut local = vec!["unicity", file.as_str()];
    local.extend(args);
    let (remote, local) = (
        common::linkrisk_json(&remote),
        common::linkrisk_json(&local),
    );
    let (remote, local) = (&remote["unicity"], &local["unicity"]);
    for key in [
        "people",
        "median_points",
        "missing_entity_rows",
        "missing_point_rows",
    ] {
        assert_eq!(remote[key], local[key], "{key}");
    }
    let (r, l) = (
        remote["curve"].as_array().unwrap(),
        local["curve"].as_array().unwrap(),
    );
    assert_eq!(r.len(), l.len());
    assert!(l.iter().any(|p| p["unique_fraction"].as_f64().is_some()));
    for (r, l) in r.iter().zip(l) {
        assert_eq!(r["people"], l["people"]);
        if let (Some(x), Some(low), Some(high)) = (
            r["unique_fraction"].as_f64(),
            l["ci_low"].as_f64(),
            l["ci_high"].as_f64(),
        ) {
            assert!(
                low <= x && x <= high,
                "p = {}: {x} outside [{low}, {high}]",
                l["p"]
            );
        }
    }
}
