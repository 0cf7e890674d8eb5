//! A structural check of delimited text: every record must have as many fields as the
//! header. Polars pads short rows with nulls and ignores extra fields of unread columns, which
//! would silently change the classes; a privacy review wants the broken line named instead.
//!
//! The text is read in 4 MiB chunks. Until the first quote character, the scanner jumps
//! between delimiters and newlines with `memchr`; from there on it walks byte by byte so that
//! quoted delimiters and newlines are handled (`"` escapes by doubling).

use std::io::Read;

use anyhow::bail;

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
}

impl Scanner<'_> {
    fn end_record(&mut self) -> Result<()> {
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
            self.line += 1;
            if !self.in_quotes {
                self.end_record()?;
            }
        } else if self.in_quotes {
            self.record_empty = false;
        } else if b == self.delimiter {
            self.fields += 1;
            self.record_empty = false;
        } else if b != b'\r' {
            self.record_empty = false;
        }
        Ok(())
    }

    /// A stretch without newlines or quotes.
    fn segment(&mut self, text: &[u8]) {
        let delimiters = text.iter().filter(|&&b| b == self.delimiter).count();
        self.fields += delimiters;
        if delimiters > 0 || text.iter().any(|&b| b != b'\r') {
            self.record_empty = false;
        }
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
            self.segment(&bytes[last..at]);
            self.byte(b'\n')?;
            last = at + 1;
        }
        self.segment(&bytes[last..]);
        Ok(())
    }
}

/// Fails on the first record whose field count differs from the header's, naming `path` and
/// the line.
pub fn check_field_counts(mut reader: impl Read, delimiter: u8, path: &str) -> Result<()> {
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
    };
    let mut buf = vec![0u8; 4 << 20];
    loop {
        let n = reader.read(&mut buf)?;
        if n == 0 {
            break;
        }
        scanner.chunk(&buf[..n])?;
    }
    scanner.end_record()
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
