//! A client's secrets: several at once, so a script's secret can be
//! rotated without a moment in which none works. Each has a small id
//! (unique within its client, never reused), a description, a creation
//! time and an optional expiry. Only an argon2id hash of the secret is
//! kept, with a short fingerprint that picks which hash to check.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// How many secrets one client may hold at once.
pub const MAX_SECRETS_PER_CLIENT: usize = 10;

/// How many clients one tenant may hold.
pub const MAX_CLIENTS_PER_TENANT: usize = 200;

/// How many tags a client may carry, and how long each may be.
pub const MAX_TAGS: usize = 20;
const MAX_TAG_CHARS: usize = 100;
const MAX_DESCRIPTION_CHARS: usize = 255;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientSecret {
    pub id: u32,
    pub description: String,
    /// argon2id hash of the secret.
    pub hash: String,
    /// The first bytes of the secret's SHA-256, so the token endpoint runs
    /// argon2 against the one secret presented rather than against each.
    /// `None` for a secret made before fingerprints existed: it is always
    /// checked.
    pub fingerprint: Option<u64>,
    pub created: DateTime<Utc>,
    /// `None`: never expires.
    pub expires: Option<DateTime<Utc>>,
}

impl ClientSecret {
    /// Whether the secret may still buy tokens at `now`.
    pub fn is_live_at(&self, now: DateTime<Utc>) -> bool {
        self.expires.is_none_or(|e| e > now)
    }

    /// Whether the secret is worth an argon2 check for a presented secret
    /// with this fingerprint.
    pub fn may_match(&self, fingerprint: u64) -> bool {
        self.fingerprint.is_none_or(|f| f == fingerprint)
    }
}

/// A secret's description: at most 255 characters after trimming (empty is
/// allowed).
pub fn validate_secret_description(text: &str) -> Result<String, &'static str> {
    let text = text.trim();
    if text.chars().count() > MAX_DESCRIPTION_CHARS {
        return Err("must be at most 255 characters");
    }
    Ok(text.to_string())
}

/// A new or changed expiry must lie in the future.
pub fn validate_expiry(
    expires: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, &'static str> {
    match expires {
        Some(e) if e <= now => Err("must be in the future"),
        other => Ok(other),
    }
}

/// A client's tags: at most 20, each 1..100 characters after trimming.
pub fn validate_tags(tags: &[String]) -> Result<Vec<String>, &'static str> {
    if tags.len() > MAX_TAGS {
        return Err("must hold at most 20 tags");
    }
    tags.iter()
        .map(|t| {
            let t = t.trim();
            match t.chars().count() {
                0 => Err("must not hold an empty tag"),
                n if n > MAX_TAG_CHARS => Err("must hold tags of at most 100 characters"),
                _ => Ok(t.to_string()),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn secret(expires: Option<DateTime<Utc>>, fingerprint: Option<u64>) -> ClientSecret {
        ClientSecret {
            id: 1,
            description: String::new(),
            hash: "h".into(),
            fingerprint,
            created: Utc::now(),
            expires,
        }
    }

    #[test]
    fn a_secret_is_live_until_its_expiry_and_forever_without_one() {
        let now = Utc::now();
        assert!(secret(None, None).is_live_at(now));
        assert!(secret(Some(now + Duration::seconds(1)), None).is_live_at(now));
        assert!(!secret(Some(now), None).is_live_at(now));
        assert!(!secret(Some(now - Duration::days(1)), None).is_live_at(now));
    }

    #[test]
    fn only_a_secret_with_the_same_or_no_fingerprint_is_checked() {
        assert!(secret(None, Some(7)).may_match(7));
        assert!(!secret(None, Some(7)).may_match(8));
        assert!(secret(None, None).may_match(8));
    }

    #[test]
    fn descriptions_expiries_and_tags_are_bounded() {
        let now = Utc::now();
        assert_eq!(validate_secret_description("  ci  ").unwrap(), "ci");
        assert!(validate_secret_description(&"x".repeat(256)).is_err());
        assert!(validate_expiry(Some(now), now).is_err());
        assert!(validate_expiry(Some(now + Duration::hours(1)), now).is_ok());
        assert_eq!(validate_expiry(None, now), Ok(None));
        assert!(validate_tags(&vec!["a".into(); 21]).is_err());
        assert!(validate_tags(&[" ".into()]).is_err());
        assert_eq!(validate_tags(&[" a ".into()]).unwrap(), ["a"]);
    }
}
