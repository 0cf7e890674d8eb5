//! Hashed-identifier detection: a column of md5/sha1/sha256 hex is tested against the hashes
//! of the normalised emails and phones of every other source. A match rate above 5% means
//! the column is pseudonymised, not anonymous, and links the two sources.

use hashbrown::HashSet;
use polars::prelude::*;
use rayon::prelude::*;
use serde::Serialize;

use super::view::View;
use crate::Result;
use crate::normalize::{EmailRules, HashAlgorithm, normalize_email, normalize_phone};

/// Match rate above which a hashed column is reported.
pub const FINDING_THRESHOLD: f64 = 0.05;

#[derive(Debug, Clone, Serialize)]
pub struct HashedMatch {
    pub view: String,
    pub column: String,
    pub algorithm: &'static str,
    pub source_view: String,
    pub source_column: String,
    pub match_rate: f64,
}

fn texts(column: &Column) -> Result<Vec<String>> {
    let text = column.cast(&DataType::String)?;
    Ok(text.str()?.iter().flatten().map(str::to_string).collect())
}

/// The first non-missing values of a column, for judging what it holds without copying all
/// of it.
fn sample(column: &Column, n: usize) -> Result<Vec<String>> {
    let head = column.drop_nulls().slice(0, n);
    texts(&head)
}

/// The algorithm a column's values are the hex digest of, if ≥ 90% of a sample look so.
pub(super) fn hex_algorithm(values: &[String]) -> Option<HashAlgorithm> {
    let sample: Vec<&String> = values.iter().take(1000).collect();
    if sample.is_empty() {
        return None;
    }
    HashAlgorithm::ALL.into_iter().find(|a| {
        let hits = sample
            .iter()
            .filter(|v| v.len() == a.hex_len() && v.bytes().all(|b| b.is_ascii_hexdigit()))
            .count();
        hits * 10 >= sample.len() * 9
    })
}

/// Whether a column holds emails or phone numbers (on a sample), and so is worth hashing.
pub(super) enum Plain {
    Email,
    Phone,
}

pub(super) fn plain_kind(name: &str, values: &[String]) -> Option<Plain> {
    let sample: Vec<&String> = values.iter().take(500).collect();
    if sample.is_empty() {
        return None;
    }
    let emails = sample.iter().filter(|v| v.contains('@')).count();
    if emails * 2 >= sample.len() {
        return Some(Plain::Email);
    }
    let phones = sample
        .iter()
        .filter(|v| (10..=11).contains(&normalize_phone(v).len()))
        .count();
    if name.to_lowercase().contains("phone") || phones * 10 >= sample.len() * 9 {
        return Some(Plain::Phone);
    }
    None
}

/// Tests every hex-looking column of every view against the other views' emails and phones.
pub fn detect(views: &[View]) -> Result<Vec<HashedMatch>> {
    let mut found = Vec::new();
    for target in views {
        for name in target.df.get_column_names_owned() {
            let column = target.df.column(&name)?;
            let Some(algo) = hex_algorithm(&sample(column, 1000)?) else {
                continue;
            };
            let values = texts(column)?;
            let hashes: Vec<String> = values.iter().map(|v| v.to_ascii_lowercase()).collect();
            for source in views.iter().filter(|v| v.name != target.name) {
                for plain_name in source.df.get_column_names_owned() {
                    let column = source.df.column(&plain_name)?;
                    let Some(kind) = plain_kind(&plain_name, &sample(column, 500)?) else {
                        continue;
                    };
                    let plain = texts(column)?;
                    // Normalised and hashed on all cores, each distinct value once.
                    let normalised: HashSet<String> = plain
                        .par_iter()
                        .map(|v| match kind {
                            Plain::Email => normalize_email(v, EmailRules::default()),
                            Plain::Phone => normalize_phone(v),
                        })
                        .collect::<Vec<String>>()
                        .into_iter()
                        .collect();
                    let digests: HashSet<String> = normalised
                        .into_iter()
                        .collect::<Vec<String>>()
                        .par_iter()
                        .map(|v| algo.hex(v))
                        .collect::<Vec<String>>()
                        .into_iter()
                        .collect();
                    let hits = hashes.iter().filter(|h| digests.contains(*h)).count();
                    let rate = hits as f64 / hashes.len() as f64;
                    if rate > FINDING_THRESHOLD {
                        found.push(HashedMatch {
                            view: target.name.clone(),
                            column: name.to_string(),
                            algorithm: algo.name(),
                            source_view: source.name.clone(),
                            source_column: plain_name.to_string(),
                            match_rate: rate,
                        });
                    }
                }
            }
        }
    }
    Ok(found)
}
