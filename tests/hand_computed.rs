//! Figures worked out by hand on tiny tables (see fixtures/small/README.md).

use linkrisk::engine::class_table;
use linkrisk::io::{LoadOptions, load};
use linkrisk::metrics::{MeasureOptions, ViewMetrics, measure};

fn strings(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

fn measure_file(path: &str, qis: &[&str], sensitive: &[&str], opts: MeasureOptions) -> ViewMetrics {
    let qis = strings(qis);
    let sensitive = strings(sensitive);
    let mut columns = qis.clone();
    columns.extend(sensitive.iter().cloned());
    let df = load(path, &columns, &LoadOptions::default()).unwrap();
    let table = class_table(&df, &qis, &sensitive).unwrap();
    measure(&table, opts)
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-12
}

#[test]
fn k_anonymity_and_risk_by_hand() {
    // Classes: (1,a) 3 records, (1,b) 2, (2,a) 4, (2,b) 1.
    let opts = MeasureOptions {
        policy_k: 3,
        recursive_l: 2,
        population: None,
    };
    let m = measure_file("fixtures/small/hand.csv", &["zip", "age"], &[], opts);
    assert_eq!(m.k_anonymity.k, 1);
    assert_eq!(m.k_anonymity.classes, 4);
    assert_eq!(m.k_anonymity.uniques, 1);
    assert!(close(m.k_anonymity.unique_fraction, 0.1));
    let sizes: Vec<(u32, usize, usize)> = m
        .k_anonymity
        .class_size_histogram
        .iter()
        .map(|b| (b.size, b.classes, b.records))
        .collect();
    assert_eq!(sizes, vec![(1, 1, 1), (2, 1, 2), (3, 1, 3), (4, 1, 4)]);
    assert!(close(m.prosecutor.max, 1.0));
    assert!(close(m.prosecutor.avg, 0.4));
    // Policy k = 3: the classes of sizes 1 and 2 are at risk, 3 of 10 records.
    assert!(close(m.prosecutor.records_at_risk, 0.3));
    assert!(close(m.marketer, 0.4));
}

#[test]
fn l_diversity_and_categorical_t_closeness_by_hand() {
    let m = measure_file(
        "fixtures/small/hand.csv",
        &["zip", "age"],
        &["disease"],
        MeasureOptions::default(),
    );
    let ld = &m.l_diversity["disease"];
    // Class (1,b) holds only "flu" and (2,b) only "hiv".
    assert_eq!(ld.distinct, 1);
    assert!(close(ld.entropy, 1.0));
    assert_eq!(ld.recursive_c, None);
    // Q = flu .5, cancer .2, hiv .2, missing .1; the class (2,b) = {hiv} is farthest:
    // ½(|0-.5| + |0-.2| + |1-.2| + |0-.1|) = 0.8.
    assert!(close(m.t_closeness["disease"], 0.8));
}

#[test]
fn ordered_t_closeness_with_missing_value_by_hand() {
    let m = measure_file(
        "fixtures/small/hand.csv",
        &["zip", "age"],
        &["salary"],
        MeasureOptions::default(),
    );
    // Sorted values 3,4,5,6,9,11,missing (m = 7), Q CDF .2,.3,.4,.6,.7,.9.
    // Class (2,b) = {11}: P CDF 0,0,0,0,0,1 → (.2+.3+.4+.6+.7+.1)/6 = 2.3/6.
    assert!(close(m.t_closeness["salary"], 2.3 / 6.0));
    assert_eq!(m.l_diversity["salary"].distinct, 1);
}

#[test]
fn every_class_on_its_own_by_hand() {
    // One QI, `zip`, so that the classes are {1,a..} (5 records) and {2,..} (5 records).
    let m = measure_file(
        "fixtures/small/hand.csv",
        &["zip"],
        &["disease", "salary"],
        MeasureOptions::default(),
    );
    let ld = &m.l_diversity["disease"];
    // zip 1: flu×4, cancer×1; zip 2: hiv×2, cancer, missing, flu.
    assert_eq!(ld.distinct, 2);
    let h1 = -(0.8f64 * 0.8f64.ln() + 0.2 * 0.2f64.ln());
    assert!(close(ld.entropy, h1.exp()));
    // zip 1: 4 / 1 = 4; zip 2: sorted 2,1,1,1 → 2 / 3.
    assert!(close(ld.recursive_c.unwrap(), 4.0));
    // Q = flu .5 cancer .2 hiv .2 missing .1; zip 1 P = flu .8 cancer .2:
    // ½(.3 + 0 + .2 + .1) = 0.3; zip 2 P = flu .2 cancer .2 hiv .4 missing .2:
    // ½(.3 + 0 + .2 + .1) = 0.3.
    assert!(close(m.t_closeness["disease"], 0.3));
    // salary, zip 1 = 3,4,5,6,6 → P CDF .2,.4,.6,1,1,1 vs Q .2,.3,.4,.6,.7,.9:
    // 0+.1+.2+.4+.3+.1 = 1.1; zip 2 = 11,9,11,missing,3 → P .2,.2,.2,.2,.4,.8:
    // 0+.1+.2+.4+.3+.1 = 1.1. Both 1.1/6.
    assert!(close(m.t_closeness["salary"], 1.1 / 6.0));
}

#[test]
fn recursive_cl_diversity_by_hand() {
    // x: counts 3,2,1 → c = 3/(2+1) = 1 for l = 2 and 3/1 = 3 for l = 3;
    // y: counts 4,1 → c = 4/1 = 4 for l = 2, and has too few values for l = 3.
    let l2 = measure_file(
        "fixtures/small/recursive.csv",
        &["group"],
        &["answer"],
        MeasureOptions {
            policy_k: 5,
            recursive_l: 2,
            population: None,
        },
    );
    let ld = &l2.l_diversity["answer"];
    assert_eq!(ld.recursive_c, Some(4.0));
    assert_eq!(ld.distinct, 2);
    // min(exp H(1/2,1/3,1/6), exp H(.8,.2)).
    assert!(close(ld.entropy, 1.6493848884661177));
    let l3 = measure_file(
        "fixtures/small/recursive.csv",
        &["group"],
        &["answer"],
        MeasureOptions {
            policy_k: 5,
            recursive_l: 3,
            population: None,
        },
    );
    assert_eq!(l3.l_diversity["answer"].recursive_c, None);
}

#[test]
fn wildcard_missing_values_by_hand() {
    use linkrisk::engine::{NullMode, class_table_with};
    // zip,sex: (1,M) (1,M) (1,?) (2,F) (?,F). Under wildcard each (1,M) matches the two
    // (1,M) and (1,?): 3; (1,?) matches both (1,M), itself and (?,F): 4; (2,F) matches itself
    // and (?,F): 2; (?,F) matches (1,?), (2,F) and itself: 3. As values of their own,
    // (1,?), (2,F) and (?,F) are unique.
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("linkrisk-wild");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("w.csv");
    std::fs::write(&path, "zip,sex\n1,M\n1,M\n1,\n2,F\n,F\n").unwrap();
    let qis = strings(&["zip", "sex"]);
    let df = load(path.to_str().unwrap(), &qis, &LoadOptions::default()).unwrap();
    let value = measure(
        &class_table_with(&df, &qis, &[], NullMode::Value, false).unwrap(),
        MeasureOptions::default(),
    );
    assert_eq!(value.k_anonymity.uniques, 3);
    let wild = measure(
        &class_table_with(&df, &qis, &[], NullMode::Wildcard, false).unwrap(),
        MeasureOptions::default(),
    );
    assert_eq!(wild.k_anonymity.k, 2);
    assert_eq!(wild.k_anonymity.uniques, 0);
    // avg = (1/3 + 1/3 + 1/4 + 1/2 + 1/3) / 5 = 0.35.
    assert!(close(wild.prosecutor.avg, 0.35));
}

#[test]
fn journalist_risk_against_a_population_table_by_hand() {
    use linkrisk::engine::{NullMode, class_table_with_population};
    // Sample classes on zip: 1 (5 records), 2 (5 records). A population table with zip 1 ×20,
    // zip 2 ×8 and zip 3 ×7: F = 20 and 8. max = 1/8; marketer = (5/20 + 5/8)/10 = 0.0875;
    // success = max(u/ΣF = 2/28, 0.0875) = 0.0875.
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("linkrisk-pop");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("pop.csv");
    let mut text = String::from("zip\n");
    for (zip, count) in [(1, 20), (2, 8), (3, 7)] {
        for _ in 0..count {
            text.push_str(&format!("{zip}\n"));
        }
    }
    std::fs::write(&path, text).unwrap();
    let qis = strings(&["zip"]);
    let sample = load("fixtures/small/hand.csv", &qis, &LoadOptions::default()).unwrap();
    let population = load(path.to_str().unwrap(), &qis, &LoadOptions::default()).unwrap();
    let table =
        class_table_with_population(&sample, &qis, &[], NullMode::Value, &population, false)
            .unwrap();
    let m = measure(&table, MeasureOptions::default());
    let j = m.journalist.unwrap();
    assert!(close(j.max, 1.0 / 8.0));
    assert!(close(m.marketer, 0.0875));
    assert!(close(j.success, 0.0875));
}
