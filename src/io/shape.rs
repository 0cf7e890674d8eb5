//! A structural check of delimited text: every record must have as many fields as the
//! header. Polars pads short rows with nulls and ignores extra fields of unread columns, which
//! would silently change the classes; a privacy review wants the broken line named instead.

use std::io::Read;

use anyhow::bail;

use crate::Result;

/// Scans `reader` (quote-aware, `"` escapes by doubling, CRLF or LF) and fails on the first
/// record whose field count differs from the header's, naming `path` and the line.
pub fn check_field_counts(reader: impl Read, delimiter: u8, path: &str) -> Result<()> {
    let mut reader = std::io::BufReader::with_capacity(1 << 20, reader);
    let mut buf = vec![0u8; 1 << 20];
    let mut in_quotes = false;
    let mut fields = 1usize;
    let mut line = 1usize;
    let mut record_start_line = 1usize;
    let mut expected: Option<usize> = None;
    let mut record_empty = true;
    loop {
        let n = reader.read(&mut buf)?;
        if n == 0 {
            break;
        }
        for &b in &buf[..n] {
            if b == b'"' {
                in_quotes = !in_quotes;
                record_empty = false;
            } else if b == b'\n' {
                line += 1;
                if in_quotes {
                    continue;
                }
                if !record_empty {
                    check(&mut expected, fields, record_start_line, path)?;
                }
                fields = 1;
                record_empty = true;
                record_start_line = line;
            } else if in_quotes {
                record_empty = false;
            } else if b == delimiter {
                fields += 1;
                record_empty = false;
            } else if b != b'\r' {
                record_empty = false;
            }
        }
    }
    if !record_empty {
        check(&mut expected, fields, record_start_line, path)?;
    }
    Ok(())
}

fn check(expected: &mut Option<usize>, fields: usize, line: usize, path: &str) -> Result<()> {
    match *expected {
        None => *expected = Some(fields),
        Some(want) if want != fields => {
            bail!("{path} line {line} has {fields} fields, but the header has {want}")
        }
        Some(_) => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check_field_counts;

    fn check(text: &str) -> Result<(), String> {
        check_field_counts(text.as_bytes(), b',', "t.csv").map_err(|e| e.to_string())
    }

    #[test]
    fn accepts_quoted_delimiters_newlines_and_crlf() {
        assert!(check("a,b\r\n1,2\r\n\"x,y\",\"multi\nline\"\n\n").is_ok());
    }

    #[test]
    fn names_the_line_of_a_ragged_record() {
        assert_eq!(
            check("a,b\n1,2\n3,4,5\n").unwrap_err(),
            "t.csv line 3 has 3 fields, but the header has 2"
        );
        assert_eq!(
            check("a,b\n1,2\n3\n").unwrap_err(),
            "t.csv line 3 has 1 fields, but the header has 2"
        );
    }
}
