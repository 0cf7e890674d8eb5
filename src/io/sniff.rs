//! Delimiter sniffing for delimited text.

/// Picks the delimiter of a CSV-like file from its header line: the most frequent of
/// tab, semicolon, pipe and comma outside quotes; `.tsv` files default to tab and anything
/// without a candidate to comma.
pub fn sniff_delimiter(header: &[u8], path: &str) -> u8 {
    let candidates = [b',', b'\t', b';', b'|'];
    let mut counts = [0usize; 4];
    let mut in_quotes = false;
    for &b in header {
        if b == b'"' {
            in_quotes = !in_quotes;
        } else if !in_quotes && let Some(i) = candidates.iter().position(|&c| c == b) {
            counts[i] += 1;
        }
    }
    let best = (0..4)
        .max_by_key(|&i| (counts[i], usize::from(i == 0)))
        .unwrap_or(0);
    if counts[best] == 0 {
        let lower = path.to_ascii_lowercase();
        if lower.ends_with(".tsv") || lower.ends_with(".tsv.gz") || lower.ends_with(".tab") {
            return b'\t';
        }
        return b',';
    }
    candidates[best]
}

#[cfg(test)]
mod tests {
    use super::sniff_delimiter;

    #[test]
    fn picks_the_most_frequent_delimiter() {
        assert_eq!(sniff_delimiter(b"a,b,c", "x.csv"), b',');
        assert_eq!(sniff_delimiter(b"a\tb\tc", "x.csv"), b'\t');
        assert_eq!(sniff_delimiter(b"a;b;c,d", "x.csv"), b';');
        assert_eq!(sniff_delimiter(b"\"a;b\",c", "x.csv"), b',');
        assert_eq!(sniff_delimiter(b"single", "x.tsv"), b'\t');
    }
}
