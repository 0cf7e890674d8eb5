//! ARX's figures on the UCI Adult extract in ../shared/data (the same file ARX ships).

use linkrisk::engine::{ClassTable, NullMode, class_table};
use linkrisk::io::{LoadOptions, load};
use linkrisk::metrics::{MeasureOptions, ViewMetrics, measure};
use linkrisk::source::Source;

mod common;
use common::{ADULT, ADULT_QIS};

fn measure_adult(qis: &[&str], sensitive: &[&str]) -> (usize, ViewMetrics) {
    let qis: Vec<String> = qis.iter().map(|s| s.to_string()).collect();
    let sensitive: Vec<String> = sensitive.iter().map(|s| s.to_string()).collect();
    let mut columns = qis.clone();
    columns.extend(sensitive.iter().cloned());
    // The path `scan` takes: the CSV read straight into codes.
    let opts = LoadOptions::default();
    let (qi_cols, sens_cols, rows) = Source::file(ADULT, opts.clone())
        .encoded(&qis, &sensitive)
        .unwrap();
    let table = ClassTable::build(qi_cols.clone(), &sens_cols, rows, NullMode::Value, false);
    let metrics = measure(&table, MeasureOptions::default());
    // The frame path (`audit`, `--show-values`) groups the same records alike.
    let df = load(ADULT, &columns, &opts).unwrap();
    let frame = measure(
        &class_table(&df, &qis, &sensitive).unwrap(),
        MeasureOptions::default(),
    );
    assert_eq!(frame.k_anonymity, metrics.k_anonymity);
    assert_eq!(frame.prosecutor, metrics.prosecutor);
    (table.rows, metrics)
}

fn assert_close(actual: f64, expected: f64, what: &str) {
    assert!(
        (actual - expected).abs() < 5e-9,
        "{what}: {actual} differs from ARX's {expected}"
    );
}

#[test]
fn adult_eight_quasi_identifiers_match_arx() {
    let (rows, m) = measure_adult(&ADULT_QIS, &[]);
    assert_eq!(rows, 30_162);
    assert_eq!(m.k_anonymity.classes, 18_109);
    assert_eq!(m.k_anonymity.k, 1);
    assert_eq!(m.k_anonymity.uniques, 14_021);
    assert_close(m.k_anonymity.unique_fraction, 0.46485644, "unique fraction");
    assert_close(m.prosecutor.avg, 0.60039122, "average prosecutor risk");
    assert_close(m.prosecutor.records_at_risk, 0.72863205, "records at risk");
    assert_close(m.prosecutor.max, 1.0, "max prosecutor risk");
    let records: usize = m
        .k_anonymity
        .class_size_histogram
        .iter()
        .map(|b| b.records)
        .sum();
    assert_eq!(records, rows);
}

#[test]
fn adult_four_quasi_identifiers_match_arx() {
    let (rows, m) = measure_adult(&["age", "sex", "race", "marital-status"], &["salary-class"]);
    assert_eq!(rows, 30_162);
    assert_eq!(m.k_anonymity.classes, 1_690);
    assert_eq!(m.k_anonymity.uniques, 543);
    assert_close(m.prosecutor.avg, 0.05603077, "average prosecutor risk");
    assert_close(m.prosecutor.records_at_risk, 0.06047344, "records at risk");
    // A unique record's class holds one salary class, so distinct l is 1 and t is large.
    let ld = &m.l_diversity["salary-class"];
    assert_eq!(ld.distinct, 1);
    assert_eq!(ld.recursive_c, None);
    assert!(m.t_closeness["salary-class"] > 0.5);
}

/// The Parquet path (`age` a typed integer column, ranked through a table; text columns
/// through polars' dictionaries) measures Adult exactly as the CSV path does, with `age` as a
/// QI and as an ordered sensitive attribute.
#[test]
fn adult_as_parquet_measures_like_the_csv() {
    use polars::prelude::{DataType, IntoLazy, ParquetWriter, col};
    let opts = LoadOptions::default();
    let all: Vec<String> = [ADULT_QIS.as_slice(), &["salary-class"]]
        .concat()
        .iter()
        .map(|s| s.to_string())
        .collect();
    let mut df = load(ADULT, &all, &opts)
        .unwrap()
        .lazy()
        .with_column(col("age").cast(DataType::Int64))
        .collect()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let parquet = dir.path().join("adult.parquet");
    ParquetWriter::new(std::fs::File::create(&parquet).unwrap())
        .finish(&mut df)
        .unwrap();
    let parquet = parquet.to_str().unwrap();
    let views: [(Vec<&str>, Vec<&str>); 2] = [
        (ADULT_QIS.to_vec(), vec!["salary-class"]),
        (
            vec!["sex", "race", "marital-status"],
            vec!["age", "salary-class"],
        ),
    ];
    for (qis, sensitive) in views {
        let qis: Vec<String> = qis.iter().map(|s| s.to_string()).collect();
        let sensitive: Vec<String> = sensitive.iter().map(|s| s.to_string()).collect();
        let figures = |path: &str| {
            let (q, s, rows) = Source::file(path, opts.clone())
                .encoded(&qis, &sensitive)
                .unwrap();
            let table = ClassTable::build(q, &s, rows, NullMode::Value, false);
            measure(&table, MeasureOptions::default())
        };
        let from_csv = figures(ADULT);
        assert_eq!(figures(parquet), from_csv);
        assert!(from_csv.t_closeness.contains_key(&sensitive[0]));
    }
}
