//! A provider's signing keys (its JWK Set), kept for a while so each
//! sign-in does not fetch them again, and fetched again at once when a
//! token names a key not yet seen: that is how a provider rotates keys.
//! The cache is this instance's own copy of the provider's public data, so
//! instances need not agree on it.

use super::http::{ProviderError, ProviderHttp};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long fetched keys are used before fetching them again.
const KEEP_FOR: Duration = Duration::from_secs(300);
/// A key set fetched this recently is not fetched again for an unknown
/// key id. ID tokens come from the token endpoint, not from the browser,
/// so only the provider names key ids; this only keeps a provider that
/// signs with a key it never publishes from being asked on every try.
const REFETCH_AFTER: Duration = Duration::from_secs(1);
/// Most key sets kept (one per provider); past it the cache starts over.
const MAX_SETS: usize = 1000;
/// Most keys read from one set.
const MAX_KEYS: usize = 50;

/// A public key that can check a signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PublicKey {
    Rsa {
        n: Vec<u8>,
        e: Vec<u8>,
    },
    /// P-256 or P-384, as the uncompressed point (0x04 | x | y).
    Ec {
        curve: String,
        point: Vec<u8>,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Key {
    pub kid: Option<String>,
    pub key: PublicKey,
}

#[derive(Deserialize)]
struct JwkSet {
    keys: Vec<serde_json::Value>,
}

#[derive(Deserialize)]
struct Jwk {
    kty: String,
    kid: Option<String>,
    #[serde(rename = "use")]
    use_: Option<String>,
    n: Option<String>,
    e: Option<String>,
    crv: Option<String>,
    x: Option<String>,
    y: Option<String>,
}

/// The signing keys of a set; keys of other kinds or for encryption are
/// skipped, not an error (a set may hold them).
pub fn parse(set: &serde_json::Value) -> Result<Vec<Key>, ProviderError> {
    let set: JwkSet = serde_json::from_value(set.clone())
        .map_err(|_| ProviderError::Malformed("its key set has no 'keys' list".into()))?;
    Ok(set
        .keys
        .into_iter()
        .take(MAX_KEYS)
        .filter_map(|v| serde_json::from_value::<Jwk>(v).ok())
        .filter(|k| k.use_.as_deref() != Some("enc"))
        .filter_map(|k| {
            let b = |s: &Option<String>| s.as_deref().and_then(|s| URL_SAFE_NO_PAD.decode(s).ok());
            let key = match k.kty.as_str() {
                "RSA" => PublicKey::Rsa {
                    n: b(&k.n)?,
                    e: b(&k.e)?,
                },
                "EC" => {
                    let mut point = vec![0x04];
                    point.extend(b(&k.x)?);
                    point.extend(b(&k.y)?);
                    PublicKey::Ec {
                        curve: k.crv?,
                        point,
                    }
                }
                _ => return None,
            };
            Some(Key { kid: k.kid, key })
        })
        .collect())
}

struct Fetched {
    at: Instant,
    keys: Vec<Key>,
}

/// Key sets by their URL.
#[derive(Default)]
pub struct KeyCache {
    sets: Mutex<HashMap<String, Fetched>>,
}

impl KeyCache {
    /// The keys at `jwks_uri` that may have signed a token naming `kid`:
    /// from the cache when it has that key (or, with no `kid`, any key)
    /// and is fresh, else fetched.
    pub async fn keys_for(
        &self,
        http: &ProviderHttp,
        jwks_uri: &str,
        kid: Option<&str>,
    ) -> Result<Vec<Key>, ProviderError> {
        let has =
            |keys: &[Key]| kid.is_none_or(|kid| keys.iter().any(|k| k.kid.as_deref() == Some(kid)));
        if let Some((keys, age)) = self.cached(jwks_uri) {
            if age < KEEP_FOR && has(&keys) {
                return Ok(keys);
            }
            if age < REFETCH_AFTER {
                return Ok(keys);
            }
        }
        let set: serde_json::Value = http.get_json(jwks_uri).await?;
        let keys = parse(&set)?;
        let mut sets = self.sets.lock().unwrap_or_else(|p| p.into_inner());
        if sets.len() >= MAX_SETS {
            sets.clear();
        }
        sets.insert(
            jwks_uri.to_string(),
            Fetched {
                at: Instant::now(),
                keys: keys.clone(),
            },
        );
        Ok(keys)
    }

    fn cached(&self, jwks_uri: &str) -> Option<(Vec<Key>, Duration)> {
        let sets = self.sets.lock().unwrap_or_else(|p| p.into_inner());
        sets.get(jwks_uri).map(|f| (f.keys.clone(), f.at.elapsed()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn signing_keys_are_read_and_others_skipped() {
        let set = json!({"keys": [
            {"kty": "RSA", "kid": "a", "n": "AQAB", "e": "AQAB", "use": "sig"},
            {"kty": "RSA", "kid": "b", "n": "AQAB", "e": "AQAB", "use": "enc"},
            {"kty": "EC", "kid": "c", "crv": "P-256", "x": "AQ", "y": "Ag"},
            {"kty": "oct", "kid": "d", "k": "AQAB"},
            {"kty": "RSA", "kid": "e"}
        ]});
        let keys = parse(&set).unwrap();
        let kids: Vec<_> = keys.iter().map(|k| k.kid.clone().unwrap()).collect();
        assert_eq!(kids, ["a", "c"]);
        assert_eq!(
            keys[1].key,
            PublicKey::Ec {
                curve: "P-256".into(),
                point: vec![4, 1, 2]
            }
        );
        assert!(parse(&json!({"nokeys": []})).is_err());
    }
}
