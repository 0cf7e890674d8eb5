//! The direct CSV-to-codes reader against the polars path: same values row by row, same ranks
//! for numeric columns, same errors, on random files with blank lines, CRLF, missing values,
//! surrounding spaces and `--null-values`.

mod common;

use common::polars_values;
use std::io::Write;

use linkrisk::engine::{EncodedColumn, encode_columns};
use linkrisk::io::coded_csv::read_coded;
use linkrisk::io::{LoadOptions, load};
use linkrisk::source::Source;
use proptest::prelude::*;

const POOL: &[&str] = &[
    "",
    "a",
    " a",
    "a ",
    "b",
    "1",
    "1.0",
    "-2",
    "10",
    "3e2",
    "NA",
    "  ",
    "x y",
    "é",
    "a value longer than 16 bytes",
    " a value longer than 16 bytes",
];

fn write_temp(text: &str) -> tempfile::NamedTempFile {
    let mut file = tempfile::Builder::new().suffix(".csv").tempfile().unwrap();
    file.write_all(text.as_bytes()).unwrap();
    file
}

/// A random file, its field count and how many records it holds (blank lines are not records).
fn random_file() -> impl Strategy<Value = (String, usize, usize)> {
    (1usize..5, 1usize..30).prop_flat_map(|(fields, rows)| {
        let row = prop::collection::vec(0..POOL.len(), fields);
        let line = (row, 0u8..12);
        (prop::collection::vec(line, rows), 0u8..4).prop_map(move |(lines, ending)| {
            let final_nl = ending > 0;
            let header: Vec<String> = (0..fields).map(|f| format!("c{f}")).collect();
            let mut text = header.join(",") + "\n";
            for (i, (row, style)) in lines.iter().enumerate() {
                // Some blank lines (empty, a lone \r, spaces) between records, some CRLF
                // endings.
                match style {
                    0 => text.push('\n'),
                    1 => text.push_str("\r\n"),
                    10 => text.push_str("  \n"),
                    11 => text.push_str(" \r\n"),
                    _ => {}
                }
                let values: Vec<&str> = row.iter().map(|&v| POOL[v]).collect();
                // A record whose only field is empty or spaces is a blank line.
                if fields == 1 && values[0].trim_matches(' ').is_empty() {
                    text.push('x');
                }
                text.push_str(&values.join(","));
                let last = i + 1 == lines.len();
                if !last || final_nl {
                    text.push_str(if *style == 2 { "\r\n" } else { "\n" });
                }
            }
            // Sometimes blank lines after the last record.
            if ending == 3 {
                text.push_str("\n\r\n   ");
            }
            (text, fields, lines.len())
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn direct_reader_equals_polars_path(
        (text, fields, records) in random_file(),
        strip in any::<bool>(),
        nulls in any::<bool>(),
        pick in prop::collection::vec(0usize..4, 1..4),
    ) {
        let file = write_temp(&text);
        let path = file.path().to_str().unwrap();
        let mut wanted: Vec<String> = Vec::new();
        for p in pick {
            let name = format!("c{}", p % fields);
            if !wanted.contains(&name) {
                wanted.push(name);
            }
        }
        let opts = LoadOptions {
            strip,
            null_values: if nulls { vec!["NA".into()] } else { Vec::new() },
            // As `scan` reads: the QIs (here the first column) dictionary-encoded.
            dictionary: wanted[..1].to_vec(),
            ..LoadOptions::default()
        };
        let (coded, rows) = read_coded(path, &wanted, &opts).unwrap().expect("a plain file");
        let df = load(path, &wanted, &opts).unwrap();
        prop_assert_eq!(rows, records);
        prop_assert_eq!(rows, df.height());
        for column in &coded {
            let direct: Vec<Option<String>> = column.codes.iter()
                .map(|&c| column.dictionary.value(c))
                .collect();
            prop_assert_eq!(direct, polars_values(&df, &column.name), "column {}", &column.name);
        }
        // Numeric columns are ranked alike on both paths.
        let (qis, sensitive, rows) = Source::file(path, opts.clone()).encoded(&wanted[..1], &wanted[1..])
            .unwrap();
        let want = encode_columns(&df, &wanted, &wanted[1..]).unwrap();
        let got: Vec<&EncodedColumn> = qis.iter().chain(&sensitive).collect();
        prop_assert_eq!(rows, df.height());
        for (g, w) in got.iter().zip(&want) {
            prop_assert_eq!(&g.name, &w.name);
            prop_assert_eq!(g.numeric, w.numeric, "numeric {}", &g.name);
            prop_assert_eq!(g.has_missing, w.has_missing);
            if g.numeric {
                prop_assert_eq!(&g.codes, &w.codes);
            }
        }
    }
}

#[test]
fn ragged_rows_give_the_polars_path_error() {
    for text in [
        "a,b\n1,2\n3,4,5\n",
        "a,b\n1,2\n\n3\n",
        "a,b\r\n1,2\r\n3\r\n",
        "a,b\n1,2\n3",
    ] {
        let file = write_temp(text);
        let path = file.path().to_str().unwrap();
        let wanted = vec!["a".to_string()];
        let direct = read_coded(path, &wanted, &LoadOptions::default()).unwrap_err();
        let polars = load(path, &wanted, &LoadOptions::default()).unwrap_err();
        assert_eq!(direct.to_string(), polars.to_string(), "{text:?}");
    }
}

/// A duplicated header name is an error on both paths (tests/hardening.rs has the message).
#[test]
fn a_duplicated_header_name_is_an_error() {
    let file = write_temp("a,a\n1,2\n");
    let path = file.path().to_str().unwrap();
    let wanted = vec!["a".to_string()];
    assert!(read_coded(path, &wanted, &LoadOptions::default()).is_err());
    assert!(load(path, &wanted, &LoadOptions::default()).is_err());
}

#[test]
fn files_it_does_not_handle_go_to_the_polars_path() {
    let wanted = vec!["a".to_string()];
    for text in ["a,b\n\"1\",2\n", "a,b\n", "b,c\n1,2\n"] {
        let file = write_temp(text);
        let path = file.path().to_str().unwrap();
        assert!(
            read_coded(path, &wanted, &LoadOptions::default())
                .unwrap()
                .is_none(),
            "{text:?}"
        );
    }
}
