//! Hostile input and hostile output paths: every case gets exit 2 and one line that names the
//! file or key and holds no data value, and no input or special file is ever replaced.

use std::path::Path;

mod common;
use common::{linkrisk, linkrisk_with_stdin, one_line_error};

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

const PEOPLE: &str = "zip3,gender,name\n021,F,Alice Smith\n021,M,Bob Jones\n022,F,Carol White\n";

#[test]
fn a_report_never_replaces_an_input() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "s.csv", PEOPLE);
    let out = linkrisk(&["scan", &file, "--qi", "zip3,gender", "-o", &file]);
    one_line_error(&out, "it is an input of this run");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), PEOPLE);

    // Through another name for the same file (a hard link).
    let other = dir.path().join("alias.csv");
    std::fs::hard_link(&file, &other).unwrap();
    let out = linkrisk(&[
        "link",
        &file,
        &file,
        "--on",
        "zip3",
        "-o",
        other.to_str().unwrap(),
    ]);
    one_line_error(&out, "it is an input of this run");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), PEOPLE);
}

#[test]
fn an_audit_report_never_replaces_its_plan_or_sources() {
    let dir = tempfile::tempdir().unwrap();
    let data = write(dir.path(), "s.csv", PEOPLE);
    let plan_text = "[[source]]\nname = \"s\"\npath = \"s.csv\"\ncolumns = { zip3 = \"qi\", gender = \"qi\" }\n";
    let plan = write(dir.path(), "p.toml", plan_text);
    for target in [&plan, &data] {
        let out = linkrisk(&["audit", &plan, "-o", target]);
        one_line_error(&out, "it is an input of this run");
    }
    assert_eq!(std::fs::read_to_string(&plan).unwrap(), plan_text);
    assert_eq!(std::fs::read_to_string(&data).unwrap(), PEOPLE);
}

#[test]
fn a_report_never_replaces_a_link_fifo_or_device() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "s.csv", PEOPLE);
    let elsewhere = write(dir.path(), "elsewhere.txt", "keep me");
    let link = dir.path().join("link.txt");
    std::os::unix::fs::symlink(&elsewhere, &link).unwrap();
    let out = linkrisk(&["scan", &file, "--qi", "zip3", "-o", link.to_str().unwrap()]);
    one_line_error(&out, "symbolic link");
    assert_eq!(std::fs::read_to_string(&elsewhere).unwrap(), "keep me");
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );

    let fifo = dir.path().join("fifo");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let out = linkrisk(&["scan", &file, "--qi", "zip3", "-o", fifo.to_str().unwrap()]);
    one_line_error(&out, "not a regular file");
    use std::os::unix::fs::FileTypeExt;
    assert!(
        std::fs::symlink_metadata(&fifo)
            .unwrap()
            .file_type()
            .is_fifo()
    );

    let out = linkrisk(&["scan", &file, "--qi", "zip3", "-o", "/dev/null"]);
    one_line_error(&out, "not a regular file");
    assert!(
        std::fs::symlink_metadata("/dev/null")
            .unwrap()
            .file_type()
            .is_char_device()
    );

    let out = linkrisk(&[
        "scan",
        &file,
        "--qi",
        "zip3",
        "-o",
        dir.path().to_str().unwrap(),
    ]);
    one_line_error(&out, "not a regular file");
}

#[test]
fn dash_output_is_standard_output() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "s.csv", PEOPLE);
    let out = linkrisk(&["scan", &file, "--qi", "zip3", "-o", "-", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["views"][0]["rows"], 3);
    assert!(!Path::new("-").exists());
}

#[test]
fn synth_never_writes_through_a_link_or_into_a_fifo() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("out");
    std::fs::create_dir_all(out_dir.join("truth")).unwrap();
    let outside = write(dir.path(), "outside.csv", "keep me");
    std::os::unix::fs::symlink(&outside, out_dir.join("loyalty.csv")).unwrap();
    let out = linkrisk(&[
        "synth",
        "--customers",
        "50",
        "--out",
        out_dir.to_str().unwrap(),
        "--force",
        "-q",
    ]);
    one_line_error(&out, "symbolic link");
    assert_eq!(std::fs::read_to_string(&outside).unwrap(), "keep me");

    std::fs::remove_file(out_dir.join("loyalty.csv")).unwrap();
    assert!(
        std::process::Command::new("mkfifo")
            .arg(out_dir.join("loyalty.csv"))
            .status()
            .unwrap()
            .success()
    );
    // Would block forever if the FIFO were opened.
    let out = linkrisk(&[
        "synth",
        "--customers",
        "50",
        "--out",
        out_dir.to_str().unwrap(),
        "--force",
        "-q",
    ]);
    one_line_error(&out, "not a regular file");
}

#[test]
fn synth_refuses_a_size_it_cannot_write_before_creating_anything() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("huge");
    for customers in ["100000000", "18446744073709551615"] {
        let out = linkrisk(&[
            "synth",
            "--customers",
            customers,
            "--out",
            out_dir.to_str().unwrap(),
        ]);
        one_line_error(&out, "--customers");
        assert!(!out_dir.exists());
    }
}

#[test]
fn a_missing_column_never_lists_the_header() {
    let dir = tempfile::tempdir().unwrap();
    // A headerless file: its "header" is a person's record.
    let file = write(
        dir.path(),
        "h.csv",
        "021,F,Alice Smith,alice@example.com\n022,M,Bob Jones,bob@example.com\n",
    );
    let out = linkrisk(&["scan", &file, "--qi", "zip3"]);
    let line = one_line_error(&out, "has no column 'zip3'");
    assert!(
        !line.contains("Alice") && !line.contains("alice@"),
        "{line}"
    );

    // A near name is suggested (one, within two edits).
    let file = write(dir.path(), "s.csv", PEOPLE);
    let out = linkrisk(&["scan", &file, "--qi", "zip", "--format", "json"]);
    one_line_error(&out, "did you mean 'zip3'?");
}

#[test]
fn control_characters_in_a_column_name_are_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "s.csv", PEOPLE);
    let out = linkrisk(&["scan", &file, "--qi", "zi\u{1b}[31mp3"]);
    let line = one_line_error(&out, "has no column");
    assert!(!line.contains('\u{1b}'), "{line:?}");
}

#[test]
fn command_line_errors_are_one_line_naming_what_is_missing() {
    let out = linkrisk(&[]);
    one_line_error(&out, "a command is required");
    let out = linkrisk(&["scan"]);
    one_line_error(&out, "scan needs");
    let line = one_line_error(&linkrisk(&["scan", "x.csv"]), "--qi");
    assert!(line.contains("usage: linkrisk scan"), "{line}");
    one_line_error(
        &linkrisk(&["scan", "x.csv", "--qi", "a", "--population", "nan"]),
        "not a finite number",
    );
    one_line_error(
        &linkrisk(&["scan", "x.csv", "--qi", "a", "--population", "inf"]),
        "not a finite number",
    );
}

#[test]
fn plan_values_are_checked_for_range_and_finiteness() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "s.csv", PEOPLE);
    let source = "[[source]]\nname = \"s\"\npath = \"s.csv\"\ncolumns = { zip3 = \"qi\" }\n";
    for (policy, key) in [
        (
            "max_unique_fraction = nan",
            "policy.max_unique_fraction is not a finite number",
        ),
        (
            "max_unique_fraction = 1.5",
            "policy.max_unique_fraction must be between 0 and 1",
        ),
        ("l = 0", "policy.l must be at least 1"),
        (
            "population = inf",
            "policy.population is not a finite number",
        ),
        ("population = 2.0", "smaller than view"),
        (
            "max_join_rows = 0",
            "policy.max_join_rows must be at least 1",
        ),
    ] {
        let plan = write(
            dir.path(),
            "p.toml",
            &format!("[policy]\n{policy}\n{source}"),
        );
        one_line_error(&linkrisk(&["audit", &plan, "--check"]), key);
    }
    // A join given both `on` and `left_on`/`right_on`: which columns it means is unclear.
    let both = format!(
        "{source}[[join]]\nname = \"j\"\nleft = \"s\"\nright = \"s\"\nkind = \"key\"\n\
         on = [\"zip3\"]\nleft_on = [\"zip3\"]\nright_on = [\"zip3\"]\n"
    );
    let plan = write(dir.path(), "p.toml", &both);
    one_line_error(
        &linkrisk(&["audit", &plan]),
        "join 'j': give either 'on' or 'left_on' and 'right_on', not both",
    );
    // No source, or an empty file: nothing was audited, which is no PASS.
    for text in ["", "[policy]\nk = 5\n"] {
        let plan = write(dir.path(), "p.toml", text);
        one_line_error(&linkrisk(&["audit", &plan, "--check"]), "no [[source]]");
    }
}

#[test]
fn a_population_table_smaller_than_the_sample_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "s.csv", PEOPLE);
    let small = write(dir.path(), "p.csv", "zip3,gender\n021,F\n");
    let out = linkrisk(&[
        "scan",
        &file,
        "--qi",
        "zip3,gender",
        "--population-table",
        &small,
    ]);
    one_line_error(&out, "smaller than the sample");
}

fn band_plan(dir: &Path, ages: &str) -> String {
    write(dir, "a.csv", ages);
    write(
        dir,
        "p.toml",
        "[[source]]\nname = \"a\"\npath = \"a.csv\"\ncolumns = { age = \"qi\" }\ngeneralize = { age = \"band:10\" }\n",
    )
}

#[test]
fn bands_floor_and_need_numbers() {
    let dir = tempfile::tempdir().unwrap();
    // floor(v / 10) · 10: −3 in −10, 3 in 0, −13 in −20, 13 in 10: four classes, none merged.
    let plan = band_plan(dir.path(), "age\n-3\n3\n-13\n13\n-3\n");
    let report = common::linkrisk_json(&["audit", &plan, "--format", "json", "--quiet"]);
    assert_eq!(report["views"][0]["classes"], 4);
    assert_eq!(report["views"][0]["uniques"], 3);

    let plan = band_plan(dir.path(), "age\n31\nforty-two\n50\n");
    let line = one_line_error(&linkrisk(&["audit", &plan, "--quiet"]), "'age'");
    assert!(
        line.contains("not a number") && line.contains("row 2"),
        "{line}"
    );
    assert!(!line.contains("forty"), "{line}");
}

#[test]
fn a_duplicated_header_name_is_refused_on_both_readers() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "d.csv", "zip3,zip3,gender\n021,022,F\n");
    let line = one_line_error(
        &linkrisk(&["scan", &file, "--qi", "gender"]),
        "same name in columns 1 and 2",
    );
    // The name is not quoted: in a file without a header line it is a data value.
    assert!(!line.contains("zip3"), "{line}");
    // Standard input takes the polars path.
    let out = linkrisk_with_stdin(&["scan", "-", "--qi", "gender"], &file);
    let line = one_line_error(&out, "same name in columns 1 and 2");
    assert!(!line.contains("zip3"), "{line}");
}

#[test]
fn wildcard_nulls_with_more_than_64_quasi_identifiers_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let names: Vec<String> = (0..70).map(|i| format!("c{i}")).collect();
    let mut text = names.join(",") + "\n";
    text.push_str(&(vec!["1"; 69].join(",") + ",\n"));
    text.push_str(&(vec!["2"; 70].join(",") + "\n"));
    let file = write(dir.path(), "w.csv", &text);
    let out = linkrisk(&[
        "scan",
        &file,
        "--qi",
        &names.join(","),
        "--nulls",
        "wildcard",
    ]);
    one_line_error(&out, "at most 64 quasi-identifiers, got 70");
}

#[test]
fn a_toml_error_gives_its_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let plan = write(
        dir.path(),
        "p.toml",
        "[policy]\nk = 5\n[[source]]\nname = \"s\"\npath = = \"x\"\n",
    );
    one_line_error(&linkrisk(&["audit", &plan]), "(line 5, column 8)");
}

#[test]
fn a_repeated_key_in_an_attach_or_hierarchy_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "s.csv", "id,zip3\n1,021\n2,022\n");
    write(dir.path(), "t.csv", "id,truth\n1,a\n2,b\n1,c\n");
    let plan = write(
        dir.path(),
        "p.toml",
        "[[source]]\nname = \"s\"\npath = \"s.csv\"\ncolumns = { zip3 = \"qi\" }\nattach = { path = \"t.csv\", on = \"id\" }\n",
    );
    one_line_error(
        &linkrisk(&["audit", &plan]),
        "repeats a key of column 'id' on line 4",
    );

    write(dir.path(), "h.csv", "021;02*\n022;02*\n021;0**\n");
    let plan = write(
        dir.path(),
        "p.toml",
        "[[source]]\nname = \"s\"\npath = \"s.csv\"\ncolumns = { zip3 = \"qi\" }\ngeneralize = { zip3 = { hierarchy = \"h.csv\", level = 1 } }\n",
    );
    one_line_error(
        &linkrisk(&["audit", &plan]),
        "line 3 repeats the value of line 1",
    );
}

/// A join that passes max_join_rows (50M pairs on one constant key) but not the memory budget
/// is refused before any pair is built, naming the limit that applied.
#[test]
fn a_join_beyond_the_memory_budget_is_refused_before_it_runs() {
    let dir = tempfile::tempdir().unwrap();
    let left: String = (0..2000)
        .map(|i| format!("L{i},same,{:03}\n", i % 50))
        .collect();
    let right: String = (0..25000)
        .map(|i| format!("R{i},same,{}\n", i % 70))
        .collect();
    write(dir.path(), "l.csv", &format!("id,k,zip3\n{left}"));
    write(dir.path(), "r.csv", &format!("rid,k,age\n{right}"));
    let plan = write(
        dir.path(),
        "j.toml",
        "[[source]]\nname = \"l\"\npath = \"l.csv\"\ncolumns = { id = \"id\", k = \"other\", zip3 = \"qi\" }\n\
         [[source]]\nname = \"r\"\npath = \"r.csv\"\ncolumns = { rid = \"id\", k = \"other\", age = \"qi\" }\n\
         [[join]]\nname = \"by k\"\nleft = \"l\"\nright = \"r\"\nkind = \"key\"\non = [\"k\"]\n",
    );
    let started = std::time::Instant::now();
    let out = linkrisk(&["audit", &plan, "--max-memory", "1G"]);
    let line = one_line_error(&out, "above the memory budget of 1.0 GiB (--max-memory)");
    assert!(line.contains("50,000,000 rows"), "{line}");
    assert!(started.elapsed().as_secs() < 20, "the join ran");

    // Under `ulimit -v` the budget comes from the address-space limit.
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -v 3000000; exec '{}' audit '{plan}'",
            env!("CARGO_BIN_EXE_linkrisk")
        ))
        .output()
        .unwrap();
    one_line_error(&out, "ulimit -v");
}

/// `keys` refuses a lattice that would read more than --max-work rows, before searching.
#[test]
fn keys_refuses_a_search_beyond_its_work_bound() {
    let dir = tempfile::tempdir().unwrap();
    let names: Vec<String> = (0..20).map(|i| format!("c{i}")).collect();
    let mut text = names.join(",") + "\n";
    for r in 0..2000 {
        let row: Vec<String> = (0..20).map(|c| ((r * (c + 7)) % 13).to_string()).collect();
        text.push_str(&(row.join(",") + "\n"));
    }
    let file = write(dir.path(), "w.csv", &text);
    // 20 columns up to 5: 21,699 subsets × 2,000 rows ≈ 4.3e7 visits.
    let out = linkrisk(&[
        "keys",
        &file,
        "--qi",
        &names.join(","),
        "--max-msu",
        "5",
        "--max-work",
        "10000000",
    ]);
    let line = one_line_error(&out, "lower --max-msu");
    assert!(line.contains("21699 subsets of up to 5 columns"), "{line}");
    let out = linkrisk(&[
        "keys",
        &file,
        "--qi",
        &names.join(","),
        "--max-msu",
        "2",
        "--max-work",
        "10000000",
        "--format",
        "json",
    ]);
    common::assert_ran(&out);
}

/// Messages speak the user's terms: what is wrong with the file, not which part of polars
/// noticed; a device is refused rather than read forever.
#[test]
fn damaged_files_are_described_in_the_users_terms() {
    let dir = tempfile::tempdir().unwrap();
    let quote = write(dir.path(), "q.gz.csv", "a,b\n1,\"Alice Secret\n");
    let out = linkrisk_with_stdin(&["scan", "-", "--qi", "a"], &quote);
    let line = one_line_error(&out, "a quote is not closed");
    assert!(!line.contains("Alice"), "{line}");

    let parquet = write(dir.path(), "bad.parquet", "PAR1 this is not parquet");
    let line = one_line_error(
        &linkrisk(&["scan", &parquet, "--qi", "a"]),
        "is not a valid Parquet file",
    );
    assert!(!line.contains("out of specification"), "{line}");

    let started = std::time::Instant::now();
    let out = linkrisk(&["scan", "/dev/zero", "--qi", "a", "--input-format", "csv"]);
    one_line_error(&out, "is a device or socket, not a data file");
    assert!(started.elapsed().as_secs() < 10);
}

/// A synth run that fails part-way removes the files it had written, and nothing else.
#[test]
fn a_failed_synth_removes_what_it_wrote() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("out");
    std::fs::create_dir_all(out_dir.join("truth")).unwrap();
    let keep = write(&out_dir, "notes.txt", "mine");
    // The second file synth writes is truth/loyalty.csv: a link there stops the run.
    let outside = write(dir.path(), "outside.csv", "keep me");
    std::os::unix::fs::symlink(&outside, out_dir.join("truth").join("loyalty.csv")).unwrap();
    let out = linkrisk(&[
        "synth",
        "--customers",
        "50",
        "--out",
        out_dir.to_str().unwrap(),
        "--force",
        "-q",
    ]);
    one_line_error(&out, "symbolic link");
    assert!(
        !out_dir.join("loyalty.csv").exists(),
        "the first source was left behind"
    );
    assert_eq!(std::fs::read_to_string(&keep).unwrap(), "mine");
    assert!(std::fs::symlink_metadata(out_dir.join("truth").join("loyalty.csv")).is_ok());
    assert_eq!(std::fs::read_to_string(&outside).unwrap(), "keep me");
}

#[test]
fn a_failed_report_write_names_the_report_not_a_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "s.csv", PEOPLE);
    let target = dir.path().join("missing").join("r.txt");
    let line = one_line_error(
        &linkrisk(&[
            "scan",
            &file,
            "--qi",
            "zip3",
            "-o",
            target.to_str().unwrap(),
        ]),
        "its folder does not exist",
    );
    assert!(!line.contains(".linkrisk-"), "{line}");
}

/// What a message may show of an input: its header names and the path, never a run of more
/// than 3 of its other bytes. The inputs' data are drawn from letters no message uses
/// (`QWJXZ`, `7`, `3`), so a window holding two of them can only come from the input (a window
/// of separators or plan keywords could be the message's own words).
fn leaks(stderr: &str, input: &[u8], allowed: &[&str]) -> Option<String> {
    let mut shown = stderr.to_string();
    for a in allowed {
        if a.len() >= 4 {
            shown = shown.replace(a, "");
        }
    }
    input
        .windows(4)
        .filter_map(|w| std::str::from_utf8(w).ok())
        .filter(|w| w.chars().filter(|c| "QWJXZ73".contains(*c)).count() >= 2)
        .find(|w| shown.contains(w))
        .map(str::to_string)
}

mod random_input {
    use super::*;
    use proptest::prelude::*;

    fn check(
        out: &std::process::Output,
        input: &[u8],
        allowed: &[&str],
    ) -> Result<(), TestCaseError> {
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        prop_assert!(matches!(out.status.code(), Some(0..=2)), "{stderr}");
        prop_assert!(
            !stderr.contains("internal error") && !stderr.contains("panicked"),
            "{stderr}"
        );
        prop_assert!(stderr.lines().count() <= 1, "{stderr}");
        prop_assert_eq!(leaks(&stderr, input, allowed), None, "{}", stderr);
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        #[test]
        fn random_bytes_as_a_csv_never_panic_or_leak(body in prop::collection::vec(
            prop_oneof![
                8 => prop::sample::select(b"QWJXZ73ab,,,\"\n\n\r ;\t".to_vec()),
                1 => any::<u8>(),
            ],
            0..400,
        )) {
            let dir = tempfile::tempdir().unwrap();
            let mut bytes = b"a,b\n".to_vec();
            bytes.extend(&body);
            let path = dir.path().join("r.csv");
            std::fs::write(&path, &bytes).unwrap();
            let out = linkrisk(&["scan", path.to_str().unwrap(), "--qi", "a", "--sensitive", "b"]);
            let p = path.to_str().unwrap().to_string();
            check(&out, &body, &[&p])?;
        }

        #[test]
        fn random_bytes_as_a_parquet_footer_never_panic_or_leak(body in prop::collection::vec(any::<u8>(), 0..300)) {
            let dir = tempfile::tempdir().unwrap();
            let mut bytes = b"PAR1".to_vec();
            bytes.extend(&body);
            bytes.extend((body.len() as u32).to_le_bytes());
            bytes.extend(b"PAR1");
            let path = dir.path().join("r.parquet");
            std::fs::write(&path, &bytes).unwrap();
            let out = linkrisk(&["scan", path.to_str().unwrap(), "--qi", "a"]);
            let p = path.to_str().unwrap().to_string();
            check(&out, &body, &[&p])?;
        }

        #[test]
        fn random_bytes_as_a_plan_never_panic_or_leak(body in prop::collection::vec(
            prop_oneof![
                6 => prop::sample::select(b"[]{}=\"\n source name path columns join qi kind=QWJXZ73".to_vec()),
                1 => any::<u8>(),
            ],
            0..300,
        )) {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("p.toml");
            std::fs::write(&path, &body).unwrap();
            let out = linkrisk(&["audit", path.to_str().unwrap()]);
            let p = path.to_str().unwrap().to_string();
            check(&out, &body, &[&p])?;
        }
    }
}

#[test]
fn the_leak_check_sees_a_leak() {
    assert_eq!(
        leaks("error: bad value QWJX7 in a.csv", b"a,b\nQWJX7\n", &[]),
        Some("QWJX".to_string())
    );
    assert_eq!(
        leaks(
            "error: /tmp/QWJX7/a.csv is empty",
            b"QWJX7",
            &["/tmp/QWJX7/a.csv"]
        ),
        None
    );
}

/// A gzip bomb and an endless stream are refused at the bound while they are read.
#[test]
fn decompressed_and_streamed_input_is_bounded() {
    let dir = tempfile::tempdir().unwrap();
    // 300 MiB of zeros after a header compress to about 300 KiB: past both 256 MiB and 100x.
    let bomb = dir.path().join("bomb.csv.gz");
    let made = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "(printf 'a\\n'; head -c 314572800 /dev/zero) | gzip -1 > '{}'",
            bomb.display()
        ))
        .status()
        .unwrap();
    assert!(made.success());
    let line = one_line_error(
        &linkrisk(&["scan", bomb.to_str().unwrap(), "--qi", "a"]),
        "decompresses to more than 256 MiB",
    );
    assert!(line.contains("--max-decompressed-bytes"), "{line}");

    // Standard input past an explicit bound.
    let big = write(dir.path(), "big.csv", &format!("a\n{}", "1\n".repeat(4000)));
    let out = linkrisk_with_stdin(
        &["scan", "-", "--qi", "a", "--max-decompressed-bytes", "4K"],
        &big,
    );
    one_line_error(&out, "standard input holds more than 4 KiB");
    let out = linkrisk_with_stdin(
        &[
            "scan",
            "-",
            "--qi",
            "a",
            "--max-decompressed-bytes",
            "1M",
            "--format",
            "json",
        ],
        &big,
    );
    assert_eq!(out.status.code(), Some(0));
}

/// A line past `--max-line-bytes` is refused with its line number, on the direct reader (a
/// plain file), the polars path (a quoted file) and in the header.
#[test]
fn a_line_past_the_line_bound_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let long = "x".repeat(3000);
    let plain = write(
        dir.path(),
        "plain.csv",
        &format!("a,b\n1,2\n3,{long}\n4,5\n"),
    );
    let quoted = write(
        dir.path(),
        "quoted.csv",
        &format!("a,b\n\"1\",2\n3,{long}\n"),
    );
    let header = write(dir.path(), "header.csv", &format!("a,{long}\n1,2\n"));
    for (file, line) in [(&plain, 3), (&quoted, 3), (&header, 1)] {
        let out = linkrisk(&["scan", file, "--qi", "a", "--max-line-bytes", "2K"]);
        let error = one_line_error(&out, &format!("line {line} is longer than 2 KiB"));
        assert!(error.contains("--max-line-bytes"), "{error}");
        assert!(!error.contains("xxxx"), "{error}");
        // Under the default bound (16 MiB) the same files are read.
        if line != 1 {
            let out = linkrisk(&["scan", file, "--qi", "a", "--format", "json"]);
            assert_eq!(out.status.code(), Some(0), "{file}");
        }
    }
}

/// Blank lines (empty, spaces, `\r`) are not records: a 1-anonymous file padded with blank
/// lines no longer passes `--k 5` under `--nulls wildcard`, on either reader.
#[test]
fn blank_lines_are_not_records() {
    let dir = tempfile::tempdir().unwrap();
    let blanks = "\n  \n\r\n \r\n".repeat(3);
    let plain = write(
        dir.path(),
        "plain.csv",
        &format!("zip,age\n021,34\n{blanks}"),
    );
    let quoted = write(
        dir.path(),
        "quoted.csv",
        &format!("zip,age\n\"021\",34\n{blanks}"),
    );
    for file in [&plain, &quoted] {
        let out = linkrisk(&[
            "scan", file, "--qi", "zip,age", "--nulls", "wildcard", "--k", "5", "--check",
            "--format", "json",
        ]);
        assert_eq!(out.status.code(), Some(1), "{file}");
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(report["views"][0]["rows"], 1, "{file}");
    }
}

/// Column types: decimals and half floats are read (as numbers); lists and durations are
/// refused by name when measured and ignored when not; a type polars cannot represent (an
/// interval) gets one line naming the file, never a panic.
#[test]
fn column_types_are_read_or_refused_by_name() {
    use polars::prelude::*;
    let dir = tempfile::tempdir().unwrap();
    let mut df = df! {
        "s" => ["a", "b", "a"],
        "d" => [1.5f64, 2.5, 1.5],
        "h" => [1.0f32, 2.0, 1.0],
        "n" => [1i64, 2, 3],
    }
    .unwrap();
    df = df
        .lazy()
        .with_columns([
            col("d").cast(DataType::Decimal(5, 2)),
            col("h").cast(DataType::Float16),
            concat_list([col("n")]).unwrap().alias("l"),
            col("n")
                .cast(DataType::Duration(TimeUnit::Milliseconds))
                .alias("t"),
        ])
        .collect()
        .unwrap();
    let parquet = dir.path().join("typed.parquet");
    let ipc = dir.path().join("typed.arrow");
    ParquetWriter::new(std::fs::File::create(&parquet).unwrap())
        .finish(&mut df.clone())
        .unwrap();
    IpcWriter::new(std::fs::File::create(&ipc).unwrap())
        .finish(&mut df)
        .unwrap();
    for file in [&parquet, &ipc] {
        let file = file.to_str().unwrap();
        // Columns nobody measures do not matter.
        let out = linkrisk(&["link", file, file, "--on", "s", "--format", "json"]);
        assert_eq!(out.status.code(), Some(0), "{file}");
        // Decimals and half floats are measured as their numbers.
        for (qi, want) in [("d", "1.5"), ("h", "1.0")] {
            let out = linkrisk(&[
                "scan",
                file,
                "--qi",
                qi,
                "--k",
                "3",
                "--show-values",
                "--format",
                "json",
            ]);
            assert_eq!(out.status.code(), Some(0), "{file} {qi}");
            let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            let shown = report["views"][0]["small_classes"].to_string();
            assert!(shown.contains(want), "{file} {qi}: {shown}");
        }
        for (qi, what) in [("l", "holds lists"), ("t", "holds durations")] {
            let out = linkrisk(&["scan", file, "--qi", qi, "--show-values"]);
            one_line_error(
                &out,
                &format!("column '{qi}' {what}, which linkrisk does not measure"),
            );
        }
    }
    // An interval column (written by pyarrow): polars panics on it; the guard turns that
    // into one line.
    let interval = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/types/interval.arrow");
    let out = linkrisk(&["link", interval, interval, "--on", "s"]);
    let line = one_line_error(
        &out,
        "interval.arrow holds a column or an encoding linkrisk cannot read",
    );
    assert!(
        !line.contains("internal error") && !line.contains("POLARS"),
        "{line}"
    );
}

/// synth refuses output larger than the free space of its target, creating nothing: a 1 MiB
/// file system (tmpfs, mounted when the tests run as root) cannot hold 10,000 customers.
#[test]
fn synth_refuses_output_beyond_the_free_space() {
    let dir = tempfile::tempdir().unwrap();
    let mount = dir.path().join("small");
    std::fs::create_dir(&mount).unwrap();
    let mounted = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=1M", "tmpfs"])
        .arg(&mount)
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        eprintln!("skipped: mounting a small tmpfs needs root");
        return;
    }
    let out_dir = mount.join("demo");
    let out = linkrisk(&[
        "synth",
        "--customers",
        "10000",
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    let _ = std::process::Command::new("umount").arg(&mount).status();
    let line = one_line_error(
        &out,
        "synth would write about 5 MiB, more than the 1 MiB free",
    );
    assert!(line.contains("demo"), "{line}");
    assert!(!out_dir.exists(), "synth created its folder");
}

/// Every estimated step names what it refuses and the budget: a link, an attach and the
/// attribution lattice under a tiny `--max-memory` (each command that does such work takes it;
/// synth, which does none, refuses it).
#[test]
fn link_attach_and_the_lattice_are_estimated_before_they_run() {
    let dir = tempfile::tempdir().unwrap();
    let rows: String = (0..2000)
        .map(|i| format!("{},{},{}\n", i, i % 7, i % 11))
        .collect();
    let file = write(dir.path(), "t.csv", &format!("id,a,b\n{rows}"));
    let out = linkrisk(&[
        "synth",
        "--customers",
        "10",
        "--out",
        dir.path().join("s").to_str().unwrap(),
        "--max-memory",
        "1G",
    ]);
    one_line_error(&out, "unexpected argument '--max-memory'");
    let out = linkrisk(&["link", &file, &file, "--on", "a,b", "--max-memory", "10K"]);
    let line = one_line_error(
        &out,
        "linking 't_target' to 't' (2,000 and 2,000 records) would need about",
    );
    assert!(
        line.contains("above the memory budget of 10 KiB (--max-memory)"),
        "{line}"
    );
    let out = linkrisk(&["keys", &file, "--qi", "a,b,id", "--max-memory", "10K"]);
    one_line_error(
        &out,
        "the attribution lattice of 3 quasi-identifiers up to size 3 over 2,000 records",
    );
    // The same runs pass under the default budget.
    for args in [
        vec!["link", &file, &file, "--on", "a,b", "--format", "json"],
        vec!["keys", &file, "--qi", "a,b,id", "--format", "json"],
    ] {
        assert_eq!(linkrisk(&args).status.code(), Some(0), "{args:?}");
    }

    write(
        dir.path(),
        "extra.csv",
        &format!(
            "id,segment\n{}",
            (0..2000)
                .map(|i| format!("{i},s{}\n", i % 3))
                .collect::<String>()
        ),
    );
    let plan = write(
        dir.path(),
        "p.toml",
        "[[source]]\nname = \"t\"\npath = \"t.csv\"\ncolumns = { id = \"other\", a = \"qi\", b = \"qi\" }\n\
         attach = { path = \"extra.csv\", on = \"id\" }\n",
    );
    let out = linkrisk(&["audit", &plan, "--max-memory", "10K"]);
    one_line_error(&out, "attaching ");
    let out = linkrisk(&["audit", &plan, "--format", "json"]);
    common::assert_ran(&out);
}

/// An attach file with a column the source already has is refused by name (polars would
/// rename one copy and fail on a second join with its own wording).
#[test]
fn an_attach_file_may_not_repeat_a_source_column() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "t.csv", "id,zip\n1,021\n2,022\n");
    write(
        dir.path(),
        "extra.csv",
        "id,zip,segment\n1,021,a\n2,022,b\n",
    );
    let plan = write(
        dir.path(),
        "p.toml",
        "[[source]]\nname = \"t\"\npath = \"t.csv\"\ncolumns = { id = \"other\", zip = \"qi\" }\n\
         attach = { path = \"extra.csv\", on = \"id\" }\n",
    );
    let out = linkrisk(&["audit", &plan]);
    one_line_error(&out, "has column 'zip', which the source already has");
}

/// A view of more than 30 QIs (the attribution lattice's limit) is measured, without its
/// attribution, instead of failing the audit.
#[test]
fn an_audit_view_of_more_than_30_qis_is_measured() {
    let dir = tempfile::tempdir().unwrap();
    let names: Vec<String> = (0..31).map(|i| format!("q{i}")).collect();
    let mut text = names.join(",") + "\n";
    for r in 0..40 {
        let row: Vec<String> = (0..31)
            .map(|c| ((r / (c % 5 + 1)) % 3).to_string())
            .collect();
        text.push_str(&(row.join(",") + "\n"));
    }
    write(dir.path(), "wide.csv", &text);
    let columns: Vec<String> = names.iter().map(|n| format!("{n} = \"qi\"")).collect();
    let plan = write(
        dir.path(),
        "p.toml",
        &format!(
            "[[source]]\nname = \"wide\"\npath = \"wide.csv\"\ncolumns = {{ {} }}\n",
            columns.join(", ")
        ),
    );
    let out = linkrisk(&["audit", &plan, "--format", "json"]);
    common::assert_ran(&out);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let view = &report["views"][0];
    assert_eq!(view["quasi_identifiers"].as_array().unwrap().len(), 31);
    assert!(view["attribution"].is_null());
    // The same figures as a scan of the file, which has no attribution either way.
    let scan = common::linkrisk_json(&[
        "scan",
        dir.path().join("wide.csv").to_str().unwrap(),
        "--qi",
        &names.join(","),
        "--format",
        "json",
    ]);
    assert_eq!(view["metrics"]["k"], scan["views"][0]["metrics"]["k"]);
}

/// `keys` on columns with no sample unique and no pair (all missing) reports DIS 0, not NaN.
#[test]
fn keys_on_all_missing_columns_reports_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "m.csv", "a,b\n,\n,\n,\n");
    let out = linkrisk(&["keys", &file, "--qi", "a,b"]);
    assert_eq!(out.status.code(), Some(0));
    // Titles wrap to the width: compare the words.
    let text = String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(text.contains("DIS 0.0000"), "{text}");
    assert!(!text.contains("NaN"), "{text}");
    let report = common::linkrisk_json(&["keys", &file, "--qi", "a,b", "--format", "json"]);
    assert_eq!(report["attribution"]["msu"]["dis"], 0.0, "{report}");
}

/// A chain of joins that brings the same source in twice gets distinct column names
/// (`t.zip`, then `t.zip.2`) instead of polars' "already exists".
#[test]
fn a_chain_of_joins_never_repeats_a_column_name() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.csv", "id,zip\n1,021\n2,022\n3,023\n");
    write(dir.path(), "t.csv", "id,zip\n1,021\n2,022\n3,029\n");
    let plan = write(
        dir.path(),
        "p.toml",
        "[[source]]\nname = \"a\"\npath = \"a.csv\"\ncolumns = { id = \"id\", zip = \"qi\" }\n\
         [[source]]\nname = \"t\"\npath = \"t.csv\"\ncolumns = { id = \"id\", zip = \"qi\" }\n\
         [[join]]\nname = \"once\"\nleft = \"a\"\nright = \"t\"\nkind = \"key\"\non = [\"id\"]\n\
         [[join]]\nname = \"twice\"\nleft = \"once\"\nright = \"t\"\nkind = \"key\"\non = [\"id\"]\n",
    );
    let out = linkrisk(&["audit", &plan, "--format", "json"]);
    common::assert_ran(&out);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let twice = report["views"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == "twice")
        .expect("the second join's view");
    let qis: Vec<&str> = twice["quasi_identifiers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q.as_str().unwrap())
        .collect();
    assert_eq!(qis, ["zip", "t.zip", "t.zip.2"], "{twice}");
}

/// NDJSON: a key that first appears after the first hundred lines is a column, and a broken
/// line is described without polars' words, which quote the data.
#[test]
fn ndjson_is_read_whole_and_described_in_the_users_terms() {
    let dir = tempfile::tempdir().unwrap();
    let mut late: String = (0..200).map(|i| format!("{{\"a\":{}}}\n", i % 3)).collect();
    late.push_str("{\"a\":1,\"b\":\"x\"}\n");
    let late = write(dir.path(), "late.ndjson", &late);
    let report = common::linkrisk_json(&["scan", &late, "--qi", "a,b", "--format", "json"]);
    assert_eq!(report["views"][0]["rows"], 201);
    let broken = write(dir.path(), "bad.ndjson", "{\"a\":1}\nnull-secret\n");
    let out = linkrisk(&["scan", &broken, "--qi", "a"]);
    let line = one_line_error(&out, "bad.ndjson is not valid NDJSON");
    assert!(!line.contains("secret") && !line.contains("'n'"), "{line}");
}

/// A Parquet footer that declares a list of about 110 billion entries would make the decoder
/// allocate them and abort; it is refused before any reader decodes it, on both paths.
#[test]
fn a_parquet_footer_that_claims_more_than_it_holds_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let footer: &[u8] = &[0x19, 0xf6, 0x80, 0x80, 0x80, 0x80, 0x80, 0x03, 0x00];
    let mut bytes = b"PAR1".to_vec();
    bytes.extend_from_slice(footer);
    bytes.extend_from_slice(&(footer.len() as u32).to_le_bytes());
    bytes.extend_from_slice(b"PAR1");
    let path = dir.path().join("hostile.parquet");
    std::fs::write(&path, &bytes).unwrap();
    let file = path.to_str().unwrap();
    for args in [
        vec!["scan", file, "--qi", "a"],
        vec!["scan", file, "--qi", "a", "--show-values"],
    ] {
        one_line_error(
            &linkrisk(&args),
            "hostile.parquet is not a valid Parquet file",
        );
    }
}

/// The remedy search's inputs: hierarchy files it climbs, and the suppression allowed.
#[test]
fn remedy_inputs_are_checked_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "s.csv",
        "id,zip3,age\n1,021,30\n2,022,31\n3,021,40\n",
    );
    let source =
        "[[source]]\nname = \"s\"\npath = \"s.csv\"\ncolumns = { zip3 = \"qi\", age = \"qi\" }\n";
    let audit = |extra: &str| {
        let plan = write(dir.path(), "p.toml", &format!("{source}{extra}"));
        linkrisk(&["audit", &plan])
    };
    // A file missing a value of the column: counted, never quoted.
    write(dir.path(), "only.csv", "021;02;*\n");
    let line = one_line_error(
        &audit("hierarchies = { zip3 = \"only.csv\" }\n"),
        "1 distinct values of column 'zip3' are not at level 0 of hierarchy file",
    );
    assert!(!line.contains("022"));
    // Applied at level 1, its level 2 must be a function of level 1.
    write(dir.path(), "fork.csv", "021;02;a;*\n022;02;b;*\n");
    one_line_error(
        &audit("generalize = { zip3 = { hierarchy = \"fork.csv\", level = 1 } }\n"),
        "fork.csv line 2 generalises a value of level 1 differently from line 1",
    );
    write(dir.path(), "twice.csv", "021;02;*\n022;02;*\n021;02;*\n");
    one_line_error(
        &audit("hierarchies = { zip3 = \"twice.csv\" }\n"),
        "line 3 repeats the value of line 1",
    );
    one_line_error(
        &audit("hierarchies = { id = \"only.csv\" }\n"),
        "hierarchies names column 'id', which is not one of its qi columns",
    );
    one_line_error(
        &audit("generalize = { zip3 = \"zip1\" }\nhierarchies = { zip3 = \"only.csv\" }\n"),
        "column 'zip3' is in generalize (or generalized) and in hierarchies",
    );
    let plan = write(
        dir.path(),
        "p.toml",
        &format!("[policy]\nmax_suppression = 1.0\n{source}"),
    );
    one_line_error(
        &linkrisk(&["audit", &plan]),
        "policy.max_suppression must be a fraction of at least 0 and below 1",
    );
    let plan = write(dir.path(), "p.toml", source);
    one_line_error(
        &linkrisk(&["audit", &plan, "--max-suppression=1.5"]),
        "a fraction of at least 0 and below 1",
    );
    // Within range, it is used: at k = 2 one record of three is left alone in its class.
    let plan = write(dir.path(), "p.toml", &format!("[policy]\nk = 2\n{source}"));
    let report = common::linkrisk_json(&[
        "audit",
        &plan,
        "--max-suppression",
        "0.9",
        "--format",
        "json",
    ]);
    let remedy = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "remedy")
        .expect("a remedy with suppression");
    assert_eq!(remedy["figures"]["suppressed_records"], 1.0);
}

/// The view figures that say how records group: k, classes, uniques and the histogram.
fn grouping_figures(out: &std::process::Output) -> serde_json::Value {
    common::assert_ran(out);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let view = &report["views"][0];
    serde_json::json!([
        view["k"],
        view["classes"],
        view["uniques"],
        view["class_size_histogram"],
        view["t_closeness"]
    ])
}

#[test]
fn quoted_and_unquoted_empty_fields_are_both_missing_on_both_readers() {
    let dir = tempfile::tempdir().unwrap();
    let plain = write(dir.path(), "plain.csv", "a,b\n1,\n1,x\n2,\n2,\n3,y\n");
    let quoted = write(
        dir.path(),
        "quoted.csv",
        "a,b\n1,\"\"\n1,x\n2,\"\"\n2,\n\"3\",y\n",
    );
    for nulls in ["value", "wildcard"] {
        let args = |file: &str| {
            vec![
                "scan".to_string(),
                file.to_string(),
                "--qi".into(),
                "a,b".into(),
                "--nulls".into(),
                nulls.into(),
                "--format".into(),
                "json".into(),
            ]
        };
        let run = |file: &str| {
            let args = args(file);
            linkrisk(&args.iter().map(String::as_str).collect::<Vec<_>>())
        };
        // The plain file on the direct reader, the quoted one on the polars path, and the
        // plain one again through standard input (the polars path too).
        let direct = grouping_figures(&run(&plain));
        assert_eq!(direct, grouping_figures(&run(&quoted)), "{nulls}");
        let stdin_args = args("-");
        let from_stdin = linkrisk_with_stdin(
            &stdin_args.iter().map(String::as_str).collect::<Vec<_>>(),
            &quoted,
        );
        assert_eq!(direct, grouping_figures(&from_stdin), "{nulls}");
    }
    // Value mode: classes {1,∅}, {1,x}, {2,∅}×2, {3,y}.
    let out = linkrisk(&["scan", &plain, "--qi", "a,b", "--format", "json"]);
    let figures = grouping_figures(&out);
    assert_eq!(figures[1], 4);
    assert_eq!(figures[2], 3);
}

#[test]
fn a_numeric_sensitive_column_with_quoted_empty_values_keeps_the_ordered_distance() {
    let dir = tempfile::tempdir().unwrap();
    // Sensitive s: missing, 10 | 20, 30. Missing sorts after every value, so the positions
    // are 10, 20, 30, missing and every class is at ordered EMD (1/4 + 0 + 1/4) / 3 = 1/6
    // from the view; the equal distance would be 1/2.
    let quoted = write(dir.path(), "q.csv", "a,s\n1,\"\"\n1,10\n2,20\n2,30\n");
    let plain = write(dir.path(), "p.csv", "a,s\n1,\n1,10\n2,20\n2,30\n");
    for file in [&quoted, &plain] {
        let out = linkrisk(&[
            "scan",
            file,
            "--qi",
            "a",
            "--sensitive",
            "s",
            "--format",
            "json",
        ]);
        let t = grouping_figures(&out)[4]["s"].as_f64().unwrap();
        assert!((t - 1.0 / 6.0).abs() < 1e-12, "{file}: t = {t}");
    }
}

#[test]
fn many_missing_value_markers_give_the_classes_of_empty_fields_without_hanging() {
    let dir = tempfile::tempdir().unwrap();
    let markers: Vec<String> = (0..64).map(|i| format!("m{i}")).collect();
    // The same table twice: markers in one, empty fields in the other; quoted so that the
    // polars path reads it (where the markers once built an expression tree of 2^n nodes).
    let mut with_markers = String::from("a,b\n");
    let mut with_empty = String::from("a,b\n");
    for row in 0..300 {
        let a = row % 7;
        let b = if row % 3 == 0 {
            markers[row % 64].clone()
        } else {
            format!("v{}", row % 5)
        };
        let empty = if b.starts_with('m') {
            String::new()
        } else {
            b.clone()
        };
        with_markers.push_str(&format!("\"{a}\",\"{b}\"\n"));
        with_empty.push_str(&format!("\"{a}\",\"{empty}\"\n"));
    }
    let marked = write(dir.path(), "m.csv", &with_markers);
    let empty = write(dir.path(), "e.csv", &with_empty);
    let joined = markers.join(",");
    for nulls in ["value", "wildcard"] {
        let a = grouping_figures(&linkrisk(&[
            "scan",
            &marked,
            "--qi",
            "a,b",
            "--null-values",
            &joined,
            "--nulls",
            nulls,
            "--format",
            "json",
        ]));
        let b = grouping_figures(&linkrisk(&[
            "scan", &empty, "--qi", "a,b", "--nulls", nulls, "--format", "json",
        ]));
        assert_eq!(a, b, "{nulls}");
    }
}

#[test]
fn absurd_numbers_and_plan_gaps_are_one_line_errors() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "p.csv", "who,store\n1,a\n1,b\n2,a\n");
    for (flag, value) in [
        ("--max-points", "18446744073709551615"),
        ("--max-points", "0"),
        ("--draws", "99999999999"),
    ] {
        let out = linkrisk(&[
            "unicity", &file, "--entity", "who", "--points", "store", flag, value,
        ]);
        one_line_error(&out, flag);
    }
    let out = linkrisk(&[
        "keys",
        &file,
        "--qi",
        "store",
        "--top",
        "18446744073709551615",
    ]);
    one_line_error(&out, "--top");
    // A plan source with points but no entity.
    write(
        dir.path(),
        "plan.toml",
        "[[source]]\nname = \"p\"\npath = \"p.csv\"\ncolumns = { who = \"other\", store = \"qi\" }\npoints = [\"store\"]\n",
    );
    let plan = dir.path().join("plan.toml");
    one_line_error(
        &linkrisk(&["audit", plan.to_str().unwrap()]),
        "points needs entity",
    );
    for (value, needle) in [
        ("1000", "policy.unicity_max_points must be from 1 to 100"),
        // Past what TOML's integers hold: the parser names the line and column.
        ("18446744073709551615", "(line 2, column 22)"),
    ] {
        write(
            dir.path(),
            "plan.toml",
            &format!(
                "[policy]\nunicity_max_points = {value}\n\n[[source]]\nname = \"p\"\npath = \"p.csv\"\ncolumns = {{ who = \"other\", store = \"qi\" }}\n"
            ),
        );
        one_line_error(&linkrisk(&["audit", plan.to_str().unwrap()]), needle);
    }
}

#[test]
fn a_full_standard_output_is_one_line_and_exit_2() {
    if !Path::new("/dev/full").exists() {
        panic!("/dev/full is missing on this machine");
    }
    let dir = tempfile::tempdir().unwrap();
    let full = || {
        std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap()
    };
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_linkrisk"))
        .args(["synth", "--customers", "50", "--out"])
        .arg(dir.path().join("s"))
        .stdout(full())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("cannot write to standard output"),
        "{stderr}"
    );
    let file = write(dir.path(), "t.csv", "a\n1\n1\n");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_linkrisk"))
        .args(["scan", &file, "--qi", "a"])
        .stdout(full())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}

#[test]
fn a_data_row_read_as_a_header_is_never_quoted() {
    let dir = tempfile::tempdir().unwrap();
    // Planted values that must never appear in a message.
    let planted = ["Quentin Zyx", "qzyx@example.org", "02139", "1987-02-18"];
    let headerless = write(
        dir.path(),
        "h.csv",
        &format!(
            "{},{},{},{},{}\n{},{},{},{},{}\n",
            planted[0],
            planted[1],
            planted[2],
            planted[3],
            planted[2],
            planted[0],
            planted[1],
            planted[2],
            planted[3],
            planted[2]
        ),
    );
    let near = write(
        dir.path(),
        "n.csv",
        &format!("{},{},{}\nx,y,z\n", planted[0], planted[2], planted[3]),
    );
    let cr_only = write(
        dir.path(),
        "cr.csv",
        &format!(
            "zip,dob\r{},{}\r{},{}\r",
            planted[2], planted[3], planted[2], planted[3]
        ),
    );
    let runs = [
        linkrisk(&["scan", &headerless, "--qi", "zip"]),
        linkrisk_with_stdin(&["scan", "-", "--qi", "zip"], &headerless),
        // Within two edits of the first row's name, but the row is data.
        linkrisk(&["scan", &near, "--qi", "Quentin Zyy"]),
        linkrisk_with_stdin(&["scan", "-", "--qi", "Quentin Zyy"], &near),
        linkrisk(&["scan", &cr_only, "--qi", "zip"]),
        linkrisk(&["keys", &cr_only, "--qi", "dob"]),
    ];
    for out in &runs {
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        for value in planted {
            assert!(!stderr.contains(value), "{value} leaked: {stderr}");
        }
    }
}

#[test]
fn outputs_are_all_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "t.csv", "a,b\n1,x\n1,x\n2,y\n");
    let here = |name: &str| dir.path().join(name);
    // The report and the export named two ways: refused before any work.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_linkrisk"))
        .current_dir(dir.path())
        .args([
            "scan",
            "t.csv",
            "--qi",
            "a,b",
            "-o",
            "r.csv",
            "--records",
            "./r.csv",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("name the same file"), "{stderr}");
    assert!(!here("r.csv").exists());
    // An export that cannot be written leaves no report behind, for every command.
    let report = here("report.json");
    let records = here("missing-folder/r.csv");
    for args in [
        vec!["scan", &file, "--qi", "a,b"],
        vec!["keys", &file, "--qi", "a,b"],
    ] {
        let mut args: Vec<&str> = args;
        args.extend([
            "-o",
            report.to_str().unwrap(),
            "--records",
            records.to_str().unwrap(),
        ]);
        let out = linkrisk(&args);
        one_line_error(&out, "its folder does not exist");
        assert!(!report.exists(), "{args:?} left the report behind");
    }
    // With the report on standard output, nothing is printed when the export fails.
    let out = linkrisk(&[
        "scan",
        &file,
        "--qi",
        "a,b",
        "--records",
        records.to_str().unwrap(),
    ]);
    one_line_error(&out, "its folder does not exist");
    // No temporary file is left in the folder.
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.starts_with(".linkrisk-"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}
