//! argon2id hashes of passwords and client secrets. Hashing is deliberately
//! slow, so it runs on the blocking pool and at most a few at a time, which
//! (with the throttle) keeps login floods from starving the server.

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use std::sync::{Arc, OnceLock};
use tokio::sync::Semaphore;

#[derive(Clone)]
pub struct Passwords {
    permits: Arc<Semaphore>,
}

impl Default for Passwords {
    fn default() -> Self {
        Self::new(2)
    }
}

impl Passwords {
    pub fn new(concurrent: usize) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(concurrent.max(1))),
        }
    }

    pub async fn hash(&self, secret: String) -> Result<String, String> {
        let _permit = self.permits.acquire().await.map_err(|e| e.to_string())?;
        tokio::task::spawn_blocking(move || hash_now(&secret))
            .await
            .map_err(|e| e.to_string())?
    }

    /// Checks a secret. `None` for `hash` (unknown user) still does the work,
    /// so response time does not reveal which accounts exist.
    pub async fn verify(&self, secret: String, hash: Option<String>) -> bool {
        let Ok(_permit) = self.permits.acquire().await else {
            return false;
        };
        tokio::task::spawn_blocking(move || {
            let known = hash.is_some();
            let hash = hash.unwrap_or_else(|| dummy_hash().to_string());
            verify_now(&secret, &hash) && known
        })
        .await
        .unwrap_or(false)
    }
}

pub fn hash_now(secret: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(secret.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

fn verify_now(secret: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(secret.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_now("not a real password").unwrap_or_default())
}

/// A random secret for generated passwords and client secrets.
pub fn generate_secret(bytes: usize) -> String {
    use base64::Engine;
    let raw: Vec<u8> = (0..bytes).map(|_| rand::random::<u8>()).collect();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_only_the_right_secret() {
        let p = Passwords::default();
        let hash = p.hash("correct horse".into()).await.unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(p.verify("correct horse".into(), Some(hash.clone())).await);
        assert!(!p.verify("wrong".into(), Some(hash)).await);
        assert!(!p.verify("anything".into(), None).await);
    }
}
