//! The direct Parquet-to-codes reader against the polars path, on random tables written by
//! polars with small row groups and pages (so that chunks have several pages, and wide columns
//! fall back from dictionary to plain pages), under several compressions: same values row by
//! row, same ranks for numeric columns, the same partition of rows for the others.

mod common;

use common::polars_values;
use linkrisk::engine::{EncodedColumn, encode_columns};
use linkrisk::io::coded_parquet::read_coded;
use linkrisk::io::{LoadOptions, load};
use linkrisk::source::Source;
use polars::prelude::*;
use proptest::prelude::*;

const POOL: &[&str] = &[
    "", "a", " a", "a ", "b", "1", "1.0", "-2", "10", "NA", "  ", "é", "x y",
];

/// A row of the random table: a small-domain text value, a numeric-looking text value, a wide
/// (mostly distinct) text value, a small integer, a wide-ranging integer; `None` is missing.
type Row = (
    Option<usize>,
    Option<i32>,
    Option<u32>,
    Option<i16>,
    Option<i64>,
);

fn frame(rows: &[Row]) -> DataFrame {
    let text: Vec<Option<&str>> = rows.iter().map(|r| r.0.map(|v| POOL[v])).collect();
    let numeric_text: Vec<Option<String>> =
        rows.iter().map(|r| r.1.map(|v| v.to_string())).collect();
    let wide: Vec<Option<String>> = rows
        .iter()
        .map(|r| r.2.map(|v| format!("value-{v:08}")))
        .collect();
    let small: Vec<Option<i16>> = rows.iter().map(|r| r.3).collect();
    let big: Vec<Option<i64>> = rows.iter().map(|r| r.4).collect();
    df![
        "text" => text,
        "numeric_text" => numeric_text,
        "wide" => wide,
        "small" => small,
        "big" => big,
    ]
    .unwrap()
}

fn row() -> impl Strategy<Value = Row> {
    (
        prop::option::weighted(0.9, 0..POOL.len()),
        prop::option::weighted(0.9, -5i32..5),
        prop::option::weighted(0.95, any::<u32>()),
        prop::option::weighted(0.9, prop_oneof![-3i16..3, Just(i16::MIN), Just(i16::MAX)]),
        prop::option::weighted(
            0.9,
            prop_oneof![-2i64..2, Just(i64::MIN), Just(i64::MAX), any::<i64>()],
        ),
    )
}

/// Whether two code columns put the same rows together.
fn same_partition(a: &[u32], b: &[u32]) -> bool {
    let mut forward = std::collections::HashMap::new();
    let mut backward = std::collections::HashMap::new();
    a.iter().zip(b).all(|(x, y)| {
        *forward.entry(*x).or_insert(*y) == *y && *backward.entry(*y).or_insert(*x) == *x
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn direct_reader_equals_polars_path(
        rows in prop::collection::vec(row(), 1..400),
        // Polars gives up the dictionary of a mostly distinct column in groups of over 128.
        group in prop_oneof![1usize..60, 129usize..400],
        page in prop_oneof![Just(None), (64usize..2048).prop_map(Some)],
        compression in 0u8..3,
        strip in any::<bool>(),
        nulls in any::<bool>(),
    ) {
        let mut df = frame(&rows);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.parquet");
        let compression = match compression {
            0 => ParquetCompression::Uncompressed,
            1 => ParquetCompression::Snappy,
            _ => ParquetCompression::Zstd(None),
        };
        ParquetWriter::new(std::fs::File::create(&path).unwrap())
            .with_row_group_size(Some(group))
            .with_data_page_size(page)
            .with_compression(compression)
            .finish(&mut df)
            .unwrap();
        let path = path.to_str().unwrap();
        let wanted: Vec<String> =
            ["text", "numeric_text", "wide", "small", "big"].map(String::from).to_vec();
        let opts = LoadOptions {
            strip,
            null_values: if nulls { vec!["NA".into()] } else { Vec::new() },
            ..LoadOptions::default()
        };
        let (coded, count) = read_coded(path, &wanted, &opts).unwrap().expect("a plain file");
        let df = load(path, &wanted, &opts).unwrap();
        prop_assert_eq!(count, df.height());
        for column in &coded {
            let direct: Vec<Option<String>> =
                column.codes.iter().map(|&c| column.dictionary.value(c)).collect();
            prop_assert_eq!(direct, polars_values(&df, &column.name), "column {}", &column.name);
        }
        // Every column as an ordered sensitive attribute, and every column as a QI.
        for (qis, ordered) in [(&wanted[..1], &wanted[1..]), (&wanted[..], &[][..])] {
            let (q, s, count) = Source::file(path, opts.clone()).encoded(qis, ordered).unwrap();
            prop_assert_eq!(count, df.height());
            let want = encode_columns(&df, &wanted, ordered).unwrap();
            let got: Vec<&EncodedColumn> = q.iter().chain(&s).collect();
            prop_assert_eq!(got.len(), want.len());
            for (g, w) in got.iter().zip(&want) {
                prop_assert_eq!(&g.name, &w.name);
                prop_assert_eq!(g.numeric, w.numeric, "numeric {}", &g.name);
                prop_assert_eq!(g.has_missing, w.has_missing, "missing {}", &g.name);
                prop_assert!(same_partition(&g.codes, &w.codes), "partition {}", &g.name);
                if g.numeric {
                    prop_assert_eq!(&g.codes, &w.codes, "ranks {}", &g.name);
                    prop_assert_eq!(g.distinct, w.distinct);
                }
            }
        }
    }
}

/// A column this reader does not code (floating point) leaves the file to the polars path,
/// which still reads it.
#[test]
fn floats_take_the_polars_path() {
    let mut df = df!["x" => [1.5f64, 2.0, 1.5], "t" => ["a", "b", "a"]].unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f.parquet");
    ParquetWriter::new(std::fs::File::create(&path).unwrap())
        .finish(&mut df)
        .unwrap();
    let path = path.to_str().unwrap();
    let wanted = vec!["x".to_string(), "t".to_string()];
    assert!(
        read_coded(path, &wanted, &LoadOptions::default())
            .unwrap()
            .is_none()
    );
    let (qis, _, rows) = Source::file(path, LoadOptions::default())
        .encoded(&wanted, &[])
        .unwrap();
    assert_eq!(rows, 3);
    assert_eq!(qis[0].codes[0], qis[0].codes[2]);
    assert_ne!(qis[0].codes[0], qis[0].codes[1]);
    // Text alone is coded directly.
    let text = vec!["t".to_string()];
    let (coded, _) = read_coded(path, &text, &LoadOptions::default())
        .unwrap()
        .expect("a text column");
    assert_eq!(
        coded[0].dictionary.value(coded[0].codes[1]).as_deref(),
        Some("b")
    );
}

/// Writes a text column and an integer column with polars' Parquet writer directly, with the
/// options `ParquetWriter` does not expose: required (non-nullable) columns, version-2 data
/// pages, and the encoding of the data pages.
fn write_low_level(
    path: &std::path::Path,
    text: &[Option<String>],
    numbers: &[Option<i32>],
    nullable: bool,
    version: polars_parquet::write::Version,
    encoding: polars_parquet::write::Encoding,
) {
    use polars_arrow::array::{Array, PrimitiveArray, Utf8ViewArray};
    use polars_arrow::datatypes::{ArrowDataType, ArrowSchema, Field};
    use polars_arrow::record_batch::RecordBatchT;
    use polars_parquet::write::{
        CompressionOptions, FileWriter, RowGroupIterator, StatisticsOptions, WriteOptions,
    };
    let schema = ArrowSchema::from_iter([
        Field::new("t".into(), ArrowDataType::Utf8View, nullable),
        Field::new("n".into(), ArrowDataType::Int32, nullable),
    ]);
    let arrays: Vec<Box<dyn Array>> = vec![
        Utf8ViewArray::from_slice(text).boxed(),
        PrimitiveArray::<i32>::from(numbers.to_vec()).boxed(),
    ];
    let batch = RecordBatchT::new(text.len(), std::sync::Arc::new(schema.clone()), arrays);
    let options = WriteOptions {
        statistics: StatisticsOptions::empty(),
        version,
        compression: CompressionOptions::Snappy,
        data_page_size: Some(64),
    };
    let encodings = polars_buffer::Buffer::from_vec(vec![vec![encoding], vec![encoding]]);
    let groups =
        RowGroupIterator::try_new(std::iter::once(Ok(batch)), &schema, options, encodings).unwrap();
    let mut writer =
        FileWriter::try_new(std::fs::File::create(path).unwrap(), schema, options).unwrap();
    for group in groups {
        writer.write(text.len() as u64, group.unwrap()).unwrap();
    }
    writer.end(None).unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Required columns (no definition levels) and version-2 pages, dictionary or plain, read
    /// as the polars path reads them.
    #[test]
    fn required_columns_and_version_2_pages(
        values in prop::collection::vec((0usize..40, -3i32..3), 1..300),
        missing in prop::collection::vec(any::<bool>(), 300),
        nullable in any::<bool>(),
        v2 in any::<bool>(),
        dictionary in any::<bool>(),
    ) {
        use polars_parquet::write::{Encoding, Version};
        let text: Vec<Option<String>> = values
            .iter()
            .zip(&missing)
            .map(|((t, _), &m)| (!(nullable && m)).then(|| format!("v{t}")))
            .collect();
        let numbers: Vec<Option<i32>> = values
            .iter()
            .zip(missing.iter().rev())
            .map(|((_, n), &m)| (!(nullable && m)).then_some(*n))
            .collect();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("low.parquet");
        write_low_level(
            &path,
            &text,
            &numbers,
            nullable,
            if v2 { Version::V2 } else { Version::V1 },
            if dictionary { Encoding::RleDictionary } else { Encoding::Plain },
        );
        let path = path.to_str().unwrap();
        let wanted = vec!["t".to_string(), "n".to_string()];
        let opts = LoadOptions::default();
        let (coded, count) = read_coded(path, &wanted, &opts).unwrap().expect("a plain file");
        let df = load(path, &wanted, &opts).unwrap();
        prop_assert_eq!(count, values.len());
        for column in &coded {
            let direct: Vec<Option<String>> =
                column.codes.iter().map(|&c| column.dictionary.value(c)).collect();
            prop_assert_eq!(direct, polars_values(&df, &column.name), "column {}", &column.name);
        }
    }
}
