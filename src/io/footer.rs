//! A check of a Parquet file's footer before any Parquet reader decodes it. The footer is a
//! Thrift (compact protocol) structure whose lists and strings declare their own lengths;
//! the decoder polars uses allocates what they declare, so a damaged or hostile footer that
//! claims a list of billions of entries aborts the process (an allocation failure is not a
//! panic the guard can catch). This walk decodes nothing: it checks that every declared length
//! fits in the bytes that remain, so that no allocation can exceed the footer's own size.

use std::io::{Read, Seek, SeekFrom};

/// The most a footer may hold.
const MAX_FOOTER: u64 = 256 << 20;
/// The deepest nesting of structures and containers a footer may have.
const MAX_DEPTH: usize = 64;

/// Whether the Parquet file `file` of `len` bytes ends in a footer whose every length fits:
/// `Err` with what is wrong, in the user's words.
pub fn check(file: &mut (impl Read + Seek), len: u64) -> Result<(), &'static str> {
    if len < 12 {
        return Err("is not a valid Parquet file (it is too short)");
    }
    let mut tail = [0u8; 8];
    file.seek(SeekFrom::Start(len - 8))
        .map_err(|_| "cannot be read")?;
    file.read_exact(&mut tail).map_err(|_| "cannot be read")?;
    if &tail[4..] != b"PAR1" {
        return Err("is not a valid Parquet file (no PAR1 at its end)");
    }
    let footer = u32::from_le_bytes(tail[..4].try_into().expect("four bytes")) as u64;
    if footer == 0 || footer > len - 12 || footer > MAX_FOOTER {
        return Err("is not a valid Parquet file (its footer length is impossible)");
    }
    let mut bytes = vec![0u8; footer as usize];
    file.seek(SeekFrom::Start(len - 8 - footer))
        .map_err(|_| "cannot be read")?;
    file.read_exact(&mut bytes).map_err(|_| "cannot be read")?;
    let mut walk = Walk {
        bytes: &bytes,
        at: 0,
    };
    walk.structure(0)
        .ok_or("is not a valid Parquet file (its footer is damaged)")
}

struct Walk<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Walk<'_> {
    fn remaining(&self) -> usize {
        self.bytes.len() - self.at
    }

    fn byte(&mut self) -> Option<u8> {
        let b = *self.bytes.get(self.at)?;
        self.at += 1;
        Some(b)
    }

    fn skip(&mut self, n: usize) -> Option<()> {
        (n <= self.remaining()).then(|| self.at += n)
    }

    fn varint(&mut self) -> Option<u64> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            value |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Some(value);
            }
        }
        None
    }

    /// A declared count or length: it must fit in what remains (every element takes at least
    /// one byte).
    fn length(&mut self) -> Option<usize> {
        let n = usize::try_from(self.varint()?).ok()?;
        (n <= self.remaining()).then_some(n)
    }

    fn structure(&mut self, depth: usize) -> Option<()> {
        if depth > MAX_DEPTH {
            return None;
        }
        loop {
            let header = self.byte()?;
            if header == 0 {
                return Some(());
            }
            if header >> 4 == 0 {
                self.varint()?; // the field id, zigzag-encoded
            }
            self.value(header & 0x0f, depth)?;
        }
    }

    fn value(&mut self, kind: u8, depth: usize) -> Option<()> {
        match kind {
            1 | 2 => Some(()),
            3 => self.skip(1),
            4..=6 => self.varint().map(|_| ()),
            7 => self.skip(8),
            8 => {
                let n = self.length()?;
                self.skip(n)
            }
            9 | 10 => {
                let header = self.byte()?;
                let count = match header >> 4 {
                    15 => self.length()?,
                    n => n as usize,
                };
                if count > self.remaining() {
                    return None;
                }
                let element = header & 0x0f;
                for _ in 0..count {
                    // A boolean element is one byte of its own in a list.
                    if element == 1 || element == 2 {
                        self.skip(1)?;
                    } else {
                        self.value(element, depth + 1)?;
                    }
                }
                Some(())
            }
            11 => {
                let count = self.length()?;
                if count == 0 {
                    return Some(());
                }
                let types = self.byte()?;
                for _ in 0..count {
                    self.value(types >> 4, depth + 1)?;
                    self.value(types & 0x0f, depth + 1)?;
                }
                Some(())
            }
            12 => self.structure(depth + 1),
            13 => self.skip(16),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::check;

    fn file(footer: &[u8]) -> std::io::Cursor<Vec<u8>> {
        let mut bytes = b"PAR1".to_vec();
        bytes.extend_from_slice(footer);
        bytes.extend_from_slice(&(footer.len() as u32).to_le_bytes());
        bytes.extend_from_slice(b"PAR1");
        std::io::Cursor::new(bytes)
    }

    #[test]
    fn a_list_longer_than_the_footer_is_refused() {
        // Field 1, a list of i64 (type 9; header 0xf6: size follows, element i64) claiming
        // about 110 billion entries.
        let mut footer = vec![0x19, 0xf6];
        footer.extend_from_slice(&[0x80, 0x80, 0x80, 0x80, 0x80, 0x03]);
        footer.push(0);
        let mut f = file(&footer);
        let len = f.get_ref().len() as u64;
        assert!(check(&mut f, len).is_err());
        // A list of two i64 fits.
        let mut f = file(&[0x19, 0x26, 0x02, 0x04, 0x00]);
        let len = f.get_ref().len() as u64;
        assert_eq!(check(&mut f, len), Ok(()));
    }

    #[test]
    fn an_impossible_footer_length_is_refused() {
        let mut bytes = b"PAR1".to_vec();
        bytes.extend_from_slice(&[0; 8]);
        bytes.extend_from_slice(&u32::MAX.to_le_bytes());
        bytes.extend_from_slice(b"PAR1");
        let len = bytes.len() as u64;
        assert!(check(&mut std::io::Cursor::new(bytes), len).is_err());
    }
}
