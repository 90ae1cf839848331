//! Client secrets already proven right, so a correct secret is never
//! refused or kept waiting because others sent wrong ones for the same
//! client (throttles and the hashing queue count failures per source, and
//! behind one shared address everyone is one source).
//!
//! What is remembered is a tag: an HMAC, under a key of this process, of
//! the stored secret hash read for this request together with the secret
//! presented. A new secret is a new stored hash, so every tag of the old
//! one stops matching at once, on every instance that reads the database,
//! with nothing to tell them: the memory holds no flag of its own about
//! whether a secret is still good. Only a secret that verified gets a tag,
//! so a guess can never take the short way.
//!
//! Client secrets only: they are generated with 256 bits of randomness, so
//! a tag (fast to compute, unlike argon2) gives nothing to brute-force.
//! People's passwords are not remembered this way.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};

/// Tags kept; the set is emptied when it fills, costing each live client
/// one more full check.
const CAPACITY: usize = 16_384;

type Tag = [u8; 32];

#[derive(Clone)]
pub struct RememberedSecrets {
    key: Arc<[u8; 32]>,
    tags: Arc<Mutex<HashSet<Tag>>>,
}

impl Default for RememberedSecrets {
    fn default() -> Self {
        Self {
            key: Arc::new(rand::random()),
            tags: Arc::default(),
        }
    }
}

impl RememberedSecrets {
    /// Whether `secret` was proven right against exactly `stored_hash`.
    pub fn recall(&self, stored_hash: &str, secret: &str) -> bool {
        let tag = self.tag(stored_hash, secret);
        self.lock().contains(&tag)
    }

    /// Notes that `secret` verified against `stored_hash`.
    pub fn remember(&self, stored_hash: &str, secret: &str) {
        let tag = self.tag(stored_hash, secret);
        let mut tags = self.lock();
        if tags.len() >= CAPACITY {
            tags.clear();
        }
        tags.insert(tag);
    }

    fn tag(&self, stored_hash: &str, secret: &str) -> Tag {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.key[..])
            .expect("HMAC takes a key of any length");
        // Length first, so no two (hash, secret) pairs run together alike.
        mac.update(&(stored_hash.len() as u64).to_be_bytes());
        mac.update(stored_hash.as_bytes());
        mac.update(secret.as_bytes());
        mac.finalize().into_bytes().into()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashSet<Tag>> {
        self.tags.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_proven_secret_against_the_same_stored_hash_is_recalled() {
        let memory = RememberedSecrets::default();
        assert!(!memory.recall("$hash-1", "right"));
        memory.remember("$hash-1", "right");
        assert!(memory.recall("$hash-1", "right"));
        assert!(!memory.recall("$hash-1", "wrong"));
        // The secret was changed (by this or another instance): the
        // stored hash read for the request differs, so nothing matches.
        assert!(!memory.recall("$hash-2", "right"));
        // Another process (or instance) has its own key.
        assert!(!RememberedSecrets::default().recall("$hash-1", "right"));
    }
}
