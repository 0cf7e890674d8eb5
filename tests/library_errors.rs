//! The library's errors are typed: work refused by the memory budget is `Error::OverBudget`
//! with its figures, everything else `Error::Invalid` with the one line the binary prints.
//! (Its own test binary: the budget set here holds for the whole process.)

use linkrisk::Error;

#[test]
fn errors_say_what_kind_they_are() {
    let loyalty = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/retail/loyalty.csv");
    let keys = |qi: &[&str]| linkrisk::KeysOptions {
        file: loyalty.to_string(),
        table: None,
        query: None,
        qi: qi.iter().map(|q| q.to_string()).collect(),
        entity: None,
        attribution: Default::default(),
        max_work: linkrisk::commands::keys::DEFAULT_MAX_WORK,
        load: Default::default(),
        records: false,
    };
    match linkrisk::keys(&keys(&["zip5", "no_such_column"])) {
        Err(Error::Invalid(line)) => {
            assert!(line.contains("no column 'no_such_column'"), "{line}")
        }
        other => panic!("{other:?}"),
    }
    linkrisk::internals::budget::set_max_memory(1024);
    match linkrisk::keys(&keys(&["zip5", "birth_date", "gender"])) {
        Err(Error::OverBudget(over)) => {
            assert_eq!(over.budget.bytes, 1024);
            assert_eq!(over.budget.limit, "--max-memory");
            assert!(over.needed > 1024, "{over:?}");
            assert!(over.what.contains("attribution lattice"), "{}", over.what);
            assert!(
                over.to_string()
                    .contains("above the memory budget of 1 KiB"),
                "{over}"
            );
        }
        other => panic!("{other:?}"),
    }
}
