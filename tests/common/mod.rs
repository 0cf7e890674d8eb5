//! Shared by the integration tests that read the real data in ../shared/data.

/// The UCI Adult extract ARX ships.
pub const ADULT: &str = "../shared/data/adult/adult.csv";

/// The eight quasi-identifiers of ARX's Adult figures.
pub const ADULT_QIS: [&str; 8] = [
    "age",
    "sex",
    "race",
    "marital-status",
    "education",
    "native-country",
    "workclass",
    "occupation",
];
