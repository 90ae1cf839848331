//! Proof Key for Code Exchange (RFC 7636), S256 only: the code the provider
//! sends back is useless to whoever intercepts it without the verifier,
//! which never leaves this server and the browser's signed cookie.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};

/// A fresh verifier: 32 random bytes, 43 characters.
pub fn new_verifier() -> String {
    crate::auth::password::generate_secret(32)
}

/// The `code_challenge` of a verifier.
pub fn challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_challenge_is_rfc_7636_s256() {
        // RFC 7636, appendix B.
        assert_eq!(
            challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        assert_eq!(new_verifier().len(), 43);
    }
}
