//! Proof Key for Code Exchange (RFC 7636), S256 only: the application
//! sends base64url(SHA-256(verifier)) when it asks for a code, and the
//! verifier itself when it trades the code, so a code caught on its way
//! back (another program on the loopback port, a log) is worth nothing.
//! `plain` is refused: it would hand the verifier to whoever sees the URL.
//! The same rules serve both sides: applications signing in here, and
//! communityd signing in at a tenant's identity provider.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};

/// The characters RFC 7636 allows in a verifier.
fn unreserved(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~')
}

/// A verifier as RFC 7636 4.1 has it: 43 to 128 unreserved characters.
pub fn valid_verifier(verifier: &str) -> bool {
    (43..=128).contains(&verifier.len()) && verifier.chars().all(unreserved)
}

/// An S256 challenge: 32 bytes of hash in base64url without padding,
/// so exactly 43 characters of that alphabet.
pub fn valid_challenge(challenge: &str) -> bool {
    challenge.len() == 43
        && challenge
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// A fresh verifier, for when communityd is the one signing in (at a
/// tenant's identity provider): 32 random bytes, 43 characters.
pub fn new_verifier() -> String {
    crate::auth::password::generate_secret(32)
}

pub fn challenge_of(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// Whether `verifier` is the one `challenge` was made from; compared in
/// constant time.
pub fn verifies(verifier: &str, challenge: &str) -> bool {
    if !valid_verifier(verifier) {
        return false;
    }
    let made = challenge_of(verifier);
    made.len() == challenge.len()
        && made
            .bytes()
            .zip(challenge.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rfc_example_verifies_and_nothing_else_does() {
        // RFC 7636 appendix B.
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
        assert_eq!(challenge_of(verifier), challenge);
        assert!(valid_challenge(challenge));
        assert!(verifies(verifier, challenge));
        assert!(!verifies(
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXK",
            challenge
        ));
        assert!(!verifies(challenge, challenge));
        assert!(!verifies("short", &challenge_of("short")));
        assert!(!valid_challenge(
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-c+"
        ));
        assert!(!valid_verifier(&"a".repeat(129)));
        assert!(valid_verifier(&new_verifier()));
    }
}
