//! Names and paths as they may appear in a message: control characters shown as escapes (an
//! escape sequence in a header never reaches the terminal raw) and long names cut, so that a
//! message stays one short line. Messages quote column names and paths only, never data
//! values.

use std::path::Path;

/// The most characters of a name a message shows.
pub const MAX_SHOWN: usize = 64;

/// A column or key name for a message: quoted, control characters escaped, cut to
/// [`MAX_SHOWN`] characters.
pub fn name(name: &str) -> String {
    format!("'{}'", cut(name))
}

/// A path for a message: control characters escaped, cut to 4 × [`MAX_SHOWN`] characters.
pub fn path(path: &Path) -> String {
    let text = path.to_string_lossy();
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        if i == 4 * MAX_SHOWN {
            out.push('…');
            break;
        }
        push_escaped(&mut out, c);
    }
    out
}

/// A whole message line with its control characters escaped.
pub fn line(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        push_escaped(&mut out, c);
    }
    out
}

fn cut(text: &str) -> String {
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        if i == MAX_SHOWN {
            out.push('…');
            break;
        }
        push_escaped(&mut out, c);
    }
    out
}

fn push_escaped(out: &mut String, c: char) {
    if c.is_control() {
        out.extend(c.escape_default());
    } else {
        out.push(c);
    }
}

/// The one name of `candidates` within edit distance 2 of `wanted` (the closest; none when
/// several are equally close or none is close), for "did you mean".
pub fn suggestion<'a>(
    wanted: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let candidates: Vec<&str> = candidates.into_iter().collect();
    // A header that cannot be one is a data row: none of it may be quoted back.
    if !plausible_header(&candidates) {
        return None;
    }
    let mut best: Option<(&str, usize)> = None;
    let mut tie = false;
    for &c in &candidates {
        if c.chars().count() > 4 * MAX_SHOWN {
            continue;
        }
        let d = distance(wanted, c);
        if d > 2 || d == 0 {
            continue;
        }
        match best {
            Some((_, b)) if d > b => {}
            Some((_, b)) if d == b => tie = true,
            _ => {
                best = Some((c, d));
                tie = false;
            }
        }
    }
    if let Some((c, _)) = best {
        return (!tie).then_some(c);
    }
    // No near spelling: the one column that extends the name (`salary` → `salary-class`).
    let lower = wanted.to_lowercase();
    let extending: Vec<&str> = candidates_of(&lower, &candidates);
    match extending.as_slice() {
        [one] if wanted.chars().count() >= 3 => Some(one),
        _ => None,
    }
}

/// The candidates whose name starts with `prefix` followed by a separator (`-`, `_`, ` `, `.`).
fn candidates_of<'a>(prefix: &str, candidates: &[&'a str]) -> Vec<&'a str> {
    candidates
        .iter()
        .copied()
        .filter(|c| c.chars().count() <= 4 * MAX_SHOWN)
        .filter(|c| {
            let lower = c.to_lowercase();
            lower.len() > prefix.len()
                && lower.starts_with(prefix)
                && lower[prefix.len()..].starts_with(['-', '_', ' ', '.'])
        })
        .collect()
}

/// Whether a header name looks like a data value rather than a column name: empty, a
/// number (`02139`, `42.5`), a date (`1987-02-18`), an email (`@`), a phone-like run of
/// digits, or holding a control character. A column name rarely is any of these.
pub fn looks_like_data(name: &str) -> bool {
    let trimmed = name.trim();
    let digits = trimmed.chars().filter(char::is_ascii_digit).count();
    trimmed.is_empty()
        || trimmed.parse::<f64>().is_ok()
        || trimmed.contains('@')
        || name.chars().any(char::is_control)
        || digits >= 6
        || (digits >= 4
            && trimmed
                .chars()
                .all(|c| c.is_ascii_digit() || "-/.: T".contains(c)))
}

/// Whether a header line can be one: its names differ and none looks like data. When it
/// cannot, the file most likely has no header and its first data row was read as one.
pub fn plausible_header(names: &[&str]) -> bool {
    !names.iter().any(|n| looks_like_data(n))
        && names
            .iter()
            .enumerate()
            .all(|(i, n)| !names[..i].contains(n))
}

/// "FILE has the same name in columns i and j of its header": the name itself is not quoted,
/// since in a file without a header line it is a data value.
pub fn duplicated_column(file: &str, first: usize, second: usize) -> String {
    format!(
        "{} has the same name in columns {} and {} of its header line; names must differ (does the file have a header line?)",
        path(Path::new(file)),
        first + 1,
        second + 1
    )
}

/// Levenshtein distance (characters).
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        current[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitute = previous[j] + usize::from(ca != cb);
            current[j + 1] = substitute.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

/// "FILE has no column 'x'" with at most one suggestion; the header is never listed (in a
/// headerless file it is a data row).
pub fn missing_column<'a>(
    file: &str,
    wanted: &str,
    columns: impl IntoIterator<Item = &'a str>,
) -> String {
    let columns: Vec<&str> = columns.into_iter().collect();
    let mut message = format!("{} has no column {}", path(Path::new(file)), name(wanted));
    if !columns.is_empty() && !plausible_header(&columns) {
        message.push_str(" (its first line does not look like a header: does the file have one?)");
    } else if let Some(close) = suggestion(wanted, columns) {
        message.push_str(&format!(" (did you mean {}?)", name(close)));
    }
    message
}

/// A URL's password replaced by `***` (in its user information, `postgres://user:secret@host`,
/// and in a `password=` parameter); any other text unchanged.
pub fn redact_url(arg: &str) -> String {
    let Some(scheme_end) = arg.find("://") else {
        return arg.to_string();
    };
    let rest = &arg[scheme_end + 3..];
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let mut out = match rest[..authority_end].rfind('@') {
        Some(at) => match rest[..at].split_once(':') {
            Some((user, _)) => format!("{}{user}:***{}", &arg[..scheme_end + 3], &rest[at..]),
            None => arg.to_string(),
        },
        None => arg.to_string(),
    };
    // `?password=...&` or `;password=...` (Spark's connection strings use `;`).
    for key in ["password=", "token="] {
        let mut searched = 0;
        while let Some(found) = out[searched..].to_lowercase().find(key) {
            let start = searched + found + key.len();
            let end = out[start..]
                .find(['&', ';'])
                .map_or(out.len(), |e| start + e);
            out.replace_range(start..end, "***");
            searched = start + 3;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped_and_long_names_cut() {
        assert_eq!(name("a\u{1b}[31mb"), "'a\\u{1b}[31mb'");
        let long = "x".repeat(100);
        assert_eq!(name(&long).chars().count(), MAX_SHOWN + 3);
    }

    #[test]
    fn one_suggestion_within_distance_two() {
        assert_eq!(suggestion("zip", ["zip3", "gender"]), Some("zip3"));
        assert_eq!(suggestion("zipcode", ["zip3", "gender"]), None);
        assert_eq!(suggestion("ab", ["abc", "abd"]), None);
        // A name that one column extends.
        assert_eq!(
            suggestion("salary", ["age", "salary-class"]),
            Some("salary-class")
        );
        assert_eq!(suggestion("zip", ["zip_3", "zip_5"]), None);
        assert_eq!(distance("kitten", "sitting"), 3);
    }

    #[test]
    fn a_data_row_read_as_a_header_is_never_suggested() {
        // The first row of a headerless file: a ZIP code makes it a data row.
        assert_eq!(suggestion("smith", ["Smyth", "02139", "F"]), None);
        assert_eq!(suggestion("zip", ["zip3", "1987-02-18"]), None);
        assert!(looks_like_data("jane@example.com"));
        assert!(looks_like_data("555 0101 2233"));
        assert!(!looks_like_data("zip5"));
        assert!(!looks_like_data("birth_date"));
        let message = missing_column("t.csv", "smith", ["Smyth", "02139"]);
        assert!(
            !message.contains("Smyth") && !message.contains("02139"),
            "{message}"
        );
    }
}
