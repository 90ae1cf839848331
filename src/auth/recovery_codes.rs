//! Recovery codes: one-time codes a person keeps on paper for when their
//! authenticator is lost. Each carries 60 random bits, so a plain SHA-256
//! is enough to store it (a slow hash guards guessable secrets, and the
//! sign-in throttle bounds guessing online); only the hash is kept.

use super::totp::base32;
use sha2::{Digest, Sha256};

/// Codes made at each enrolment.
pub const COUNT: usize = 10;
/// Random bytes behind a code: 60 bits, twelve base32 characters after
/// dropping the last four bits.
const BYTES: usize = 8;
const CHARS: usize = 12;

/// A new code as shown: `abcd-efgh-ijkl`.
pub fn new_code() -> String {
    use rand::RngCore;
    let mut raw = [0u8; BYTES];
    rand::rng().fill_bytes(&mut raw);
    let text = base32(&raw).to_ascii_lowercase();
    let chars: Vec<char> = text.chars().take(CHARS).collect();
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// A code as typed, reduced to what it is: lower case, no dashes or
/// spaces; `None` when it cannot be a code.
pub fn normalize(typed: &str) -> Option<String> {
    let bare: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_lowercase())
        .collect();
    let alphabet = |c: char| c.is_ascii_lowercase() || ('2'..='7').contains(&c);
    (bare.chars().count() == CHARS && bare.chars().all(alphabet)).then_some(bare)
}

/// The stored form of a code (typed or new).
pub fn hash(typed: &str) -> Option<Vec<u8>> {
    normalize(typed).map(|bare| Sha256::digest(bare.as_bytes()).to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_hashes_the_same_however_it_is_typed() {
        let code = new_code();
        assert_eq!(code.len(), 14, "{code}");
        assert_eq!(code.matches('-').count(), 2, "{code}");
        let stored = hash(&code).unwrap();
        assert_eq!(hash(&code.to_uppercase()), Some(stored.clone()));
        assert_eq!(hash(&code.replace('-', " ")), Some(stored));
        assert_ne!(new_code(), code);
        assert_eq!(hash("123456"), None);
        assert_eq!(hash("abcd-efgh-ijk1"), None);
    }
}
