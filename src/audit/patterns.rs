//! Columns whose values look like direct identifiers although the plan calls them `other` or
//! `qi`: emails, phone numbers, payment card numbers, hex digests. The verdict depends on the
//! roles a plan declares (an `id` column makes a view identified by design), so a mislabelled
//! identifier is worth a finding. Only the pattern is named, never a value.

use polars::prelude::*;

use super::view::View;
use crate::Result;
use crate::normalize::HashAlgorithm;
use crate::plan::Role;

/// What a column's values look like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pattern {
    /// `name@domain.tld`.
    Email,
    /// 10 to 15 digits once `+`, spaces, dots, dashes and parentheses are dropped.
    Phone,
    /// 13 to 19 digits passing the Luhn check.
    Card,
    /// 32, 40 or 64 hex digits: an MD5, SHA-1 or SHA-256 digest.
    HexDigest,
}

impl Pattern {
    /// The pattern in words.
    pub fn words(self) -> &'static str {
        match self {
            Pattern::Email => "email addresses",
            Pattern::Phone => "phone numbers",
            Pattern::Card => "payment card numbers",
            Pattern::HexDigest => "hex digests (hashed identifiers)",
        }
    }

    fn matches(self, v: &str) -> bool {
        let v = v.trim();
        match self {
            Pattern::Email => {
                let Some((user, domain)) = v.split_once('@') else {
                    return false;
                };
                !user.is_empty()
                    && !user.contains(char::is_whitespace)
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !domain.contains(char::is_whitespace)
            }
            Pattern::Phone => {
                let allowed = v
                    .chars()
                    .all(|c| c.is_ascii_digit() || " +-.()".contains(c));
                let digits = v.chars().filter(char::is_ascii_digit).count();
                // A phone is written with a separator or a plus (a bare run of digits is more
                // often a number or an id).
                let written = v.chars().any(|c| " +-.()".contains(c));
                allowed && written && (10..=15).contains(&digits)
            }
            Pattern::Card => {
                let digits: Vec<u32> = v
                    .chars()
                    .filter(|c| !" -".contains(*c))
                    .map(|c| c.to_digit(10))
                    .collect::<Option<_>>()
                    .unwrap_or_default();
                (13..=19).contains(&digits.len()) && luhn(&digits)
            }
            Pattern::HexDigest => {
                HashAlgorithm::ALL.iter().any(|a| a.hex_len() == v.len())
                    && v.bytes().all(|b| b.is_ascii_hexdigit())
            }
        }
    }
}

/// The Luhn checksum of card numbers.
fn luhn(digits: &[u32]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            if i % 2 == 1 {
                let d = d * 2;
                if d > 9 { d - 9 } else { d }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// The share of a sample that must match a pattern for a column to be reported.
pub const SHARE: f64 = 0.9;

/// Values sampled per column.
const SAMPLE: usize = 1000;

/// A column declared `other` or `qi` whose values look like identifiers.
#[derive(Debug, Clone, PartialEq)]
pub struct Suspect {
    /// The source.
    pub view: String,
    /// The column.
    pub column: String,
    /// How it was declared.
    pub role: Role,
    /// What its values look like.
    pub pattern: Pattern,
    /// The share of its sampled values that do.
    pub share: f64,
}

/// Every `other` or `qi` column of the sources whose sampled values are at least [`SHARE`]
/// one identifier pattern.
pub fn suspects(views: &[&View]) -> Result<Vec<Suspect>> {
    let mut found = Vec::new();
    for view in views {
        for (name, role) in &view.roles {
            if !matches!(role, Role::Other | Role::Qi) {
                continue;
            }
            let Ok(column) = view.df.column(name) else {
                continue;
            };
            let text = column
                .drop_nulls()
                .slice(0, SAMPLE)
                .cast(&DataType::String)?;
            let values: Vec<&str> = text.str()?.iter().flatten().collect();
            if values.is_empty() {
                continue;
            }
            let best = [
                Pattern::Email,
                Pattern::Card,
                Pattern::Phone,
                Pattern::HexDigest,
            ]
            .into_iter()
            .map(|p| {
                let hits = values.iter().filter(|v| p.matches(v)).count();
                (p, hits as f64 / values.len() as f64)
            })
            .find(|&(_, share)| share >= SHARE);
            if let Some((pattern, share)) = best {
                found.push(Suspect {
                    view: view.name.clone(),
                    column: name.clone(),
                    role: *role,
                    pattern,
                    share,
                });
            }
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_pattern_on_hand_made_values() {
        assert!(Pattern::Email.matches("ann.lee+x@example.co.uk"));
        assert!(!Pattern::Email.matches("not an @ email"));
        assert!(Pattern::Phone.matches("+1 (617) 555-0134"));
        assert!(Pattern::Phone.matches("617-555-0134"));
        assert!(
            !Pattern::Phone.matches("6175550134"),
            "a bare run of digits"
        );
        assert!(Pattern::Card.matches("4111 1111 1111 1111"));
        assert!(!Pattern::Card.matches("4111 1111 1111 1112"), "fails Luhn");
        assert!(Pattern::HexDigest.matches("d41d8cd98f00b204e9800998ecf8427e"));
        assert!(!Pattern::HexDigest.matches("d41d8cd98f00b204e9800998ecf8427"));
    }
}
