//! A structural check of delimited text: every record must have as many fields as the
//! header. Polars pads short rows with nulls and ignores extra fields of unread columns, which
//! would silently change the classes; a privacy review wants the broken line named instead.
//!
//! The same pass counts blank lines (empty, or only spaces and `\r`), which are not records,
//! and refuses a line longer than the line bound before holding more than one chunk of it.
//!
//! The text is read in 4 MiB chunks. Until the first quote character, the scanner jumps
//! between delimiters and newlines with `memchr`; from there on it walks byte by byte so that
//! quoted delimiters and newlines are handled (`"` escapes by doubling).

use std::io::Read;

use crate::bail;

use crate::Result;

struct Scanner<'a> {
    path: &'a str,
    delimiter: u8,
    expected: Option<usize>,
    fields: usize,
    line: usize,
    record_line: usize,
    record_empty: bool,
    in_quotes: bool,
    quoted: bool,
    /// Bytes of the current physical line so far, and the most a line may hold.
    line_bytes: u64,
    max_line_bytes: u64,
    blank_lines: usize,
}

/// What the structural check learnt of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    /// Lines that are empty or hold only spaces and `\r`: not records, but polars would read
    /// them as records, so the frame path drops them first.
    pub blank_lines: usize,
}

/// A line is blank when it holds nothing but these.
fn is_blank_byte(b: u8) -> bool {
    b == b'\r' || b == b' '
}

impl Scanner<'_> {
    fn end_record(&mut self, at_end: bool) -> Result<()> {
        // The empty "line" after a final line end is not a line at all.
        if self.record_empty && (!at_end || self.line_bytes > 0) {
            self.blank_lines += 1;
        }
        if !self.record_empty {
            match self.expected {
                None => self.expected = Some(self.fields),
                Some(want) if want != self.fields => bail!(
                    "{} line {} has {} fields, but the header has {want}",
                    self.path,
                    self.record_line,
                    self.fields
                ),
                Some(_) => {}
            }
        }
        self.fields = 1;
        self.record_empty = true;
        self.record_line = self.line;
        Ok(())
    }

    fn byte(&mut self, b: u8) -> Result<()> {
        if b == b'"' {
            self.in_quotes = !self.in_quotes;
            self.record_empty = false;
        } else if b == b'\n' {
            // The bound names the line that ends here; a record's count names where it began.
            self.end_line()?;
            self.line += 1;
            self.line_bytes = 0;
            if !self.in_quotes {
                self.end_record(false)?;
            }
            return Ok(());
        } else if self.in_quotes {
            self.record_empty = false;
        } else if b == self.delimiter {
            self.fields += 1;
            self.record_empty = false;
        } else if !is_blank_byte(b) {
            self.record_empty = false;
        }
        self.add_line_bytes(1)
    }

    fn add_line_bytes(&mut self, n: usize) -> Result<()> {
        self.line_bytes += n as u64;
        self.end_line()
    }

    /// Fails once the current line passes the bound.
    fn end_line(&self) -> Result<()> {
        if self.line_bytes > self.max_line_bytes {
            bail!(
                "{} line {} is longer than {}; --max-line-bytes raises the bound",
                self.path,
                self.line,
                crate::budget::shown(self.max_line_bytes)
            );
        }
        Ok(())
    }

    /// A stretch without newlines or quotes.
    fn segment(&mut self, text: &[u8]) -> Result<()> {
        let delimiters = text.iter().filter(|&&b| b == self.delimiter).count();
        self.fields += delimiters;
        if delimiters > 0 || text.iter().any(|&b| !is_blank_byte(b)) {
            self.record_empty = false;
        }
        self.add_line_bytes(text.len())
    }

    fn chunk(&mut self, bytes: &[u8]) -> Result<()> {
        if !self.quoted && memchr::memchr(b'"', bytes).is_some() {
            self.quoted = true;
        }
        if self.quoted {
            return bytes.iter().try_for_each(|&b| self.byte(b));
        }
        // Newlines are sparse: find them with memchr, and count a line's delimiters with a
        // plain (vectorised) count.
        let mut last = 0;
        for at in memchr::memchr_iter(b'\n', bytes) {
            self.segment(&bytes[last..at])?;
            self.byte(b'\n')?;
            last = at + 1;
        }
        self.segment(&bytes[last..])
    }
}

/// Fails on the first record whose field count differs from the header's, or the first line
/// longer than `max_line_bytes`, naming `path` and the line.
pub fn check_field_counts(
    mut reader: impl Read,
    delimiter: u8,
    path: &str,
    max_line_bytes: u64,
) -> Result<Shape> {
    let mut scanner = Scanner {
        path,
        delimiter,
        expected: None,
        fields: 1,
        line: 1,
        record_line: 1,
        record_empty: true,
        in_quotes: false,
        quoted: false,
        line_bytes: 0,
        max_line_bytes,
        blank_lines: 0,
    };
    let mut buf = vec![0u8; 4 << 20];
    loop {
        let n = reader.read(&mut buf)?;
        if n == 0 {
            break;
        }
        scanner.chunk(&buf[..n])?;
    }
    scanner.end_record(true)?;
    Ok(Shape {
        blank_lines: scanner.blank_lines,
    })
}

/// `text` without its blank lines (see [`Shape::blank_lines`]); a blank line inside a quoted
/// field is part of the value and stays.
pub fn without_blank_lines(text: &[u8]) -> Vec<u8> {
    let mut kept = Vec::with_capacity(text.len());
    let mut in_quotes = false;
    let mut start = 0;
    while start < text.len() {
        let end = memchr::memchr(b'\n', &text[start..]).map_or(text.len(), |at| start + at + 1);
        let line = &text[start..end];
        let body = line.strip_suffix(b"\n").unwrap_or(line);
        let blank = !in_quotes && body.iter().all(|&b| is_blank_byte(b));
        if !blank {
            kept.extend_from_slice(line);
        }
        in_quotes ^= line.iter().filter(|&&b| b == b'"').count() % 2 == 1;
        start = end;
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::{check_field_counts, without_blank_lines};

    fn check(text: &str) -> Result<usize, String> {
        check_field_counts(text.as_bytes(), b',', "t.csv", 1 << 20)
            .map(|shape| shape.blank_lines)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn counts_and_drops_blank_lines_outside_quotes() {
        let text = "a,b\n1,2\n\n  \r\n\"x\n\n\",3\n \n4,5\n   ";
        assert_eq!(check(text), Ok(4));
        assert_eq!(
            String::from_utf8(without_blank_lines(text.as_bytes())).unwrap(),
            "a,b\n1,2\n\"x\n\n\",3\n4,5\n"
        );
        assert_eq!(check("a,b\n1,2\n"), Ok(0));
    }

    #[test]
    fn refuses_a_line_past_the_bound() {
        let long = format!("a,b\n1,{}\n", "x".repeat(40));
        let err = check_field_counts(long.as_bytes(), b',', "t.csv", 32).unwrap_err();
        assert_eq!(
            err.to_string(),
            "t.csv line 2 is longer than 32 bytes; --max-line-bytes raises the bound"
        );
        let quoted = format!("a,b\n1,\"{}\"\n", "x".repeat(40));
        assert!(check_field_counts(quoted.as_bytes(), b',', "t.csv", 32).is_err());
    }

    #[test]
    fn accepts_quoted_delimiters_newlines_and_crlf() {
        assert!(check("a,b\r\n1,2\r\n\"x,y\",\"multi\nline\"\n\n").is_ok());
    }

    #[test]
    fn unquoted_fast_path_handles_blank_lines_and_crlf() {
        assert!(check("a,b\r\n1,2\r\n\r\n3,4").is_ok());
        assert_eq!(
            check("a,b\n1,2\n\n3\n").unwrap_err(),
            "t.csv line 4 has 1 fields, but the header has 2"
        );
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
        assert_eq!(
            check("a,b\n1,\"2\n\",3\n").unwrap_err(),
            "t.csv line 2 has 3 fields, but the header has 2"
        );
    }
}
