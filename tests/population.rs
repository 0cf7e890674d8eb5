//! Population uniqueness against ARX's figures on the Adult extract.

use linkrisk::engine::class_table;
use linkrisk::io::{LoadOptions, load};
use linkrisk::metrics::population::population_uniqueness;
use linkrisk::metrics::{MeasureOptions, measure};

mod common;
use common::{ADULT, ADULT_QIS as QIS};

fn adult_histogram() -> (Vec<linkrisk::metrics::SizeBin>, usize) {
    let qis: Vec<String> = QIS.iter().map(|s| s.to_string()).collect();
    let df = load(ADULT, &qis, &LoadOptions::default()).unwrap();
    let table = class_table(&df, &qis, &[]).unwrap();
    let m = measure(&table, MeasureOptions::default());
    (m.k_anonymity.class_size_histogram, table.rows)
}

fn assert_rel(actual: f64, expected: f64, what: &str) {
    let rel = ((actual - expected) / expected).abs();
    assert!(
        rel < 1e-6,
        "{what}: {actual} vs ARX {expected} (relative error {rel:e})"
    );
}

#[test]
fn adult_at_one_percent_matches_arx() {
    let (hist, rows) = adult_histogram();
    let p = population_uniqueness(&hist, rows, 3_016_200.0);
    assert_rel(p.sampling_fraction, 0.01, "sampling fraction");
    let pitman = p.pitman.expect("Pitman converges");
    assert_rel(pitman.uniques, 361_577.919, "Pitman uniques");
    assert_rel(pitman.fraction, 0.1198786284, "Pitman fraction");
    let zayatz = p.zayatz.expect("Zayatz is available");
    assert_rel(zayatz.uniques, 674_264.164_2, "Zayatz uniques");
    assert_rel(zayatz.fraction, 0.2235475645, "Zayatz fraction");
    assert!(
        p.snb.is_none(),
        "ARX reports SNB as not available: {:?}",
        p.snb
    );
    let dankar = p.dankar.unwrap();
    assert_eq!(
        dankar.model,
        linkrisk::metrics::population::PopulationModel::Pitman
    );
    assert_rel(dankar.uniques, 361_577.919, "Dankar uniques");
}

#[test]
fn adult_at_ten_percent_matches_arx() {
    let (hist, rows) = adult_histogram();
    let p = population_uniqueness(&hist, rows, 301_620.0);
    assert_rel(p.pitman.unwrap().uniques, 72_139.034_7, "Pitman uniques");
    assert_rel(p.zayatz.unwrap().uniques, 82_637.151_7, "Zayatz uniques");
    assert_eq!(p.dankar.unwrap().model.as_str(), "pitman");
}
