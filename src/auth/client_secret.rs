//! Making a client secret: 256 random bits, shown once; what is kept is
//! its argon2id hash and a fingerprint (the first eight bytes of its
//! SHA-256). The fingerprint only says which of a client's hashes to
//! check: with 256 random bits behind it, it gives a reader of the
//! database nothing to search.

use super::password::{generate_secret, hash_now};
use crate::domain::identity::NewSecret;
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

/// The fingerprint of a presented or new secret.
pub fn fingerprint(secret: &str) -> u64 {
    let digest = Sha256::digest(secret.as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    u64::from_be_bytes(first)
}

/// A new secret: the plain text (to show once) and what is stored. Slow
/// (argon2): call it off the async workers and outside any transaction.
pub fn make(
    description: String,
    expires: Option<DateTime<Utc>>,
) -> Result<(String, NewSecret), String> {
    let plain = generate_secret(32);
    let hash = hash_now(&plain)?;
    let stored = NewSecret {
        hash,
        fingerprint: fingerprint(&plain),
        description,
        expires,
    };
    Ok((plain, stored))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_made_secret_carries_its_own_fingerprint_and_not_itself() {
        let (plain, stored) = make("ci".into(), None).unwrap();
        assert_eq!(stored.fingerprint, fingerprint(&plain));
        assert_ne!(fingerprint(&plain), fingerprint("another"));
        assert!(!stored.hash.contains(&plain));
        assert!(stored.hash.starts_with("$argon2id$"));
    }
}
