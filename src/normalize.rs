//! Normalisation of direct identifiers, as a retailer does before matching them, and the
//! hashes ad-tech applies to them.

use md5::Md5;
use sha1::Sha1;
use sha2::{Digest, Sha256};

/// How emails are normalised: always trimmed and lowercased; optionally without `+tags`
/// and without the dots of gmail local parts (gmail ignores both).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct EmailRules {
    #[serde(default)]
    pub drop_tags: bool,
    #[serde(default)]
    pub gmail_dots: bool,
}

/// Normalises an email: trim, lowercase, then the optional rules.
pub fn normalize_email(raw: &str, rules: EmailRules) -> String {
    let email = raw.trim().to_lowercase();
    let Some((local, domain)) = email.rsplit_once('@') else {
        return email;
    };
    let mut local = local.to_string();
    if rules.drop_tags
        && let Some(plus) = local.find('+')
    {
        local.truncate(plus);
    }
    if rules.gmail_dots && (domain == "gmail.com" || domain == "googlemail.com") {
        local.retain(|c| c != '.');
    }
    format!("{local}@{domain}")
}

/// Normalises a phone number to its national digits: digits only, and a leading country
/// code `1` dropped from 11-digit (North American) numbers.
pub fn normalize_phone(raw: &str) -> String {
    let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
    match digits.strip_prefix('1') {
        Some(national) if digits.len() == 11 => national.to_string(),
        _ => digits,
    }
}

/// The hash functions seen on "pseudonymised" identifiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum HashAlgorithm {
    Md5,
    Sha1,
    Sha256,
}

impl HashAlgorithm {
    pub const ALL: [HashAlgorithm; 3] = [
        HashAlgorithm::Md5,
        HashAlgorithm::Sha1,
        HashAlgorithm::Sha256,
    ];

    /// Length of the hex digest.
    pub fn hex_len(self) -> usize {
        match self {
            HashAlgorithm::Md5 => 32,
            HashAlgorithm::Sha1 => 40,
            HashAlgorithm::Sha256 => 64,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            HashAlgorithm::Md5 => "MD5",
            HashAlgorithm::Sha1 => "SHA-1",
            HashAlgorithm::Sha256 => "SHA-256",
        }
    }

    /// Lowercase hex digest of `value`.
    pub fn hex(self, value: &str) -> String {
        // Two table lookups per byte: formatting each byte would allocate 32-64 strings per
        // digest, and millions of identifiers are hashed per audit.
        fn hex_of(bytes: &[u8]) -> String {
            const DIGITS: &[u8; 16] = b"0123456789abcdef";
            let mut out = String::with_capacity(bytes.len() * 2);
            for &b in bytes {
                out.push(DIGITS[(b >> 4) as usize] as char);
                out.push(DIGITS[(b & 15) as usize] as char);
            }
            out
        }
        match self {
            HashAlgorithm::Md5 => hex_of(&Md5::digest(value.as_bytes())),
            HashAlgorithm::Sha1 => hex_of(&Sha1::digest(value.as_bytes())),
            HashAlgorithm::Sha256 => hex_of(&Sha256::digest(value.as_bytes())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_normalise() {
        let all = EmailRules {
            drop_tags: true,
            gmail_dots: true,
        };
        assert_eq!(
            normalize_email("  Ann.Lee+shop@GMail.com ", all),
            "annlee@gmail.com"
        );
        assert_eq!(
            normalize_email("Ann.Lee+shop@GMail.com", EmailRules::default()),
            "ann.lee+shop@gmail.com"
        );
        assert_eq!(normalize_email("a.b+x@yahoo.com", all), "a.b@yahoo.com");
    }

    #[test]
    fn phones_normalise() {
        assert_eq!(normalize_phone("(312) 555-0123"), "3125550123");
        assert_eq!(normalize_phone("+1 312.555.0123"), "3125550123");
        assert_eq!(normalize_phone("3125550123"), "3125550123");
    }

    #[test]
    fn hashes_match_known_digests() {
        assert_eq!(
            HashAlgorithm::Md5.hex("abc"),
            "900150983cd24fb0d6963f7d28e17f72"
        );
        assert_eq!(
            HashAlgorithm::Sha1.hex("abc"),
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
        assert_eq!(
            HashAlgorithm::Sha256.hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
