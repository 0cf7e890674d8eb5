//! What the readers that code values directly ([`super::coded_csv`], [`super::coded_parquet`])
//! hand over: columns as dictionary codes, and the one way both build a column's final
//! dictionary from their local ones.

use hashbrown::HashMap;

use super::LoadOptions;

/// One column as dictionary codes: `0` is a missing value, `i + 1` is the dictionary's entry
/// `i`.
#[derive(Debug, Clone)]
pub struct CodedColumn {
    pub name: String,
    pub dictionary: Dictionary,
    pub codes: Vec<u32>,
}

/// The values a column's codes stand for.
#[derive(Debug, Clone, PartialEq)]
pub enum Dictionary {
    /// Text values, in no particular order.
    Text(Vec<String>),
    /// Integers read as such (Parquet), ascending: codes follow numeric order.
    Integers(Vec<i64>),
}

impl Dictionary {
    /// The number of values.
    pub fn len(&self) -> usize {
        match self {
            Dictionary::Text(values) => values.len(),
            Dictionary::Integers(values) => values.len(),
        }
    }

    /// Whether there are no values (every row is missing).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The value code `code` stands for, as text; `None` for a missing value.
    pub fn value(&self, code: u32) -> Option<String> {
        let at = (code as usize).checked_sub(1)?;
        match self {
            Dictionary::Text(values) => values.get(at).cloned(),
            Dictionary::Integers(values) => values.get(at).map(i64::to_string),
        }
    }
}

/// A column's final text dictionary, built from the readers' local dictionaries one distinct
/// raw value at a time. This is where `--strip` and `--null-values` apply: once per distinct
/// value, not once per row.
#[derive(Debug, Default)]
pub struct DictionaryBuilder {
    values: Vec<String>,
    codes: HashMap<String, u32>,
}

impl DictionaryBuilder {
    /// The final code of a raw value (`0` when it means missing); `None` when it is not UTF-8.
    pub fn code(&mut self, raw: &[u8], opts: &LoadOptions) -> Option<u32> {
        let Some(value) = clean_value(std::str::from_utf8(raw).ok()?, opts) else {
            return Some(0);
        };
        if let Some(&code) = self.codes.get(value) {
            return Some(code);
        }
        self.values.push(value.to_string());
        let code = self.values.len() as u32;
        self.codes.insert(value.to_string(), code);
        Some(code)
    }

    /// The dictionary: final code `i + 1` is entry `i`.
    pub fn finish(self) -> Dictionary {
        Dictionary::Text(self.values)
    }
}

/// One text value as `--strip` and `--null-values` leave it; `None` when it means missing (as
/// the polars path's `clean_text` treats it).
fn clean_value<'a>(text: &'a str, opts: &LoadOptions) -> Option<&'a str> {
    let value = if opts.strip { text.trim() } else { text };
    (!opts.null_values.iter().any(|n| n == value)).then_some(value)
}
