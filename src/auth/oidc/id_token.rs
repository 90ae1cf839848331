//! Checking an ID token (OpenID Connect Core 1.0, 3.1.3.7): the signature
//! by one of the provider's keys under an algorithm from a fixed list
//! (never `none`, never HMAC: a provider's public key is not a secret), then
//! the issuer, the audience, the time, the nonce this browser was given,
//! and a verified email address.

use super::jwks::{Key, PublicKey};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use ring::signature::{self, UnparsedPublicKey};
use serde::Deserialize;
use serde_json::Value;

/// Longest ID token accepted.
const MAX_TOKEN_BYTES: usize = 16 * 1024;
/// Clock difference allowed between the provider and this server.
const LEEWAY_SECONDS: i64 = 60;

/// What the token must say.
pub struct Expected<'a> {
    pub issuer: &'a str,
    pub client_id: &'a str,
    pub nonce: &'a str,
    pub now: DateTime<Utc>,
}

/// What a checked token says of the person.
#[derive(Clone, Debug, PartialEq)]
pub struct Person {
    pub subject: String,
    pub email: String,
    /// Every claim, for a tenant's groups claim.
    pub claims: serde_json::Map<String, Value>,
}

impl Person {
    /// The values of claim `name` as a list of strings: a JSON array of
    /// strings, or one string; anything else is no groups. Bounded.
    pub fn groups(&self, name: &str) -> Vec<String> {
        let as_text = |v: &Value| v.as_str().map(|s| s.chars().take(256).collect::<String>());
        match self.claims.get(name) {
            Some(Value::Array(items)) => items.iter().take(1000).filter_map(as_text).collect(),
            Some(v) => as_text(v).into_iter().collect(),
            None => Vec::new(),
        }
    }
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum Rejected {
    #[error("its ID token is not a signed JWT")]
    Malformed,
    #[error("its ID token uses the algorithm '{0}', which is not accepted")]
    Algorithm(String),
    #[error("its ID token is signed with a key it does not publish")]
    UnknownKey,
    #[error("its ID token's signature does not match")]
    Signature,
    #[error("its ID token was issued by '{0}', not by this provider")]
    Issuer(String),
    #[error("its ID token is for another application (audience)")]
    Audience,
    #[error("its ID token has expired")]
    Expired,
    #[error("its ID token is not the answer to this sign-in (nonce)")]
    Nonce,
    #[error("it did not give an email address")]
    NoEmail,
    #[error("it has not verified the email address {0}")]
    EmailNotVerified(String),
}

#[derive(Deserialize)]
struct Header {
    alg: String,
    kid: Option<String>,
}

/// The key id a token names, read before its keys are fetched.
pub fn key_id(token: &str) -> Option<String> {
    header(token).ok().and_then(|h| h.kid)
}

fn header(token: &str) -> Result<Header, Rejected> {
    let encoded = token.split('.').next().ok_or(Rejected::Malformed)?;
    let bytes = URL_SAFE_NO_PAD
        .decode(encoded)
        .map_err(|_| Rejected::Malformed)?;
    serde_json::from_slice(&bytes).map_err(|_| Rejected::Malformed)
}

/// How an accepted `alg` checks a signature.
#[derive(Clone, Copy)]
enum Algorithm {
    Rsa(&'static signature::RsaParameters),
    Ec(&'static signature::EcdsaVerificationAlgorithm, &'static str),
}

fn algorithm(alg: &str) -> Option<Algorithm> {
    Some(match alg {
        "RS256" => Algorithm::Rsa(&signature::RSA_PKCS1_2048_8192_SHA256),
        "RS384" => Algorithm::Rsa(&signature::RSA_PKCS1_2048_8192_SHA384),
        "RS512" => Algorithm::Rsa(&signature::RSA_PKCS1_2048_8192_SHA512),
        "PS256" => Algorithm::Rsa(&signature::RSA_PSS_2048_8192_SHA256),
        "PS384" => Algorithm::Rsa(&signature::RSA_PSS_2048_8192_SHA384),
        "PS512" => Algorithm::Rsa(&signature::RSA_PSS_2048_8192_SHA512),
        "ES256" => Algorithm::Ec(&signature::ECDSA_P256_SHA256_FIXED, "P-256"),
        "ES384" => Algorithm::Ec(&signature::ECDSA_P384_SHA384_FIXED, "P-384"),
        _ => return None,
    })
}

impl Algorithm {
    /// Whether `key` is of the kind this algorithm checks.
    fn fits(self, key: &PublicKey) -> bool {
        match (self, key) {
            (Algorithm::Rsa(_), PublicKey::Rsa { .. }) => true,
            (Algorithm::Ec(_, want), PublicKey::Ec { curve, .. }) => curve == want,
            _ => false,
        }
    }

    fn signature_ok(self, key: &PublicKey, signed: &[u8], sig: &[u8]) -> bool {
        match (self, key) {
            (Algorithm::Rsa(params), PublicKey::Rsa { n, e }) => {
                signature::RsaPublicKeyComponents { n, e }
                    .verify(params, signed, sig)
                    .is_ok()
            }
            (Algorithm::Ec(alg, _), PublicKey::Ec { point, .. }) => {
                UnparsedPublicKey::new(alg, point)
                    .verify(signed, sig)
                    .is_ok()
            }
            _ => false,
        }
    }
}

/// Checks `token` against the provider's `keys` and what it must say.
pub fn verify(token: &str, keys: &[Key], expected: &Expected) -> Result<Person, Rejected> {
    if token.len() > MAX_TOKEN_BYTES {
        return Err(Rejected::Malformed);
    }
    let (signed, sig) = token.rsplit_once('.').ok_or(Rejected::Malformed)?;
    let (_, payload) = signed.split_once('.').ok_or(Rejected::Malformed)?;
    let header = header(token)?;
    let alg = algorithm(&header.alg).ok_or_else(|| Rejected::Algorithm(shown(&header.alg)))?;
    let sig = URL_SAFE_NO_PAD
        .decode(sig)
        .map_err(|_| Rejected::Malformed)?;
    let candidates: Vec<&Key> = keys
        .iter()
        .filter(|k| alg.fits(&k.key))
        .filter(|k| header.kid.is_none() || k.kid == header.kid)
        .collect();
    if candidates.is_empty() {
        return Err(Rejected::UnknownKey);
    }
    if !candidates
        .iter()
        .any(|k| alg.signature_ok(&k.key, signed.as_bytes(), &sig))
    {
        return Err(Rejected::Signature);
    }
    let payload = URL_SAFE_NO_PAD
        .decode(payload)
        .map_err(|_| Rejected::Malformed)?;
    let claims: serde_json::Map<String, Value> =
        serde_json::from_slice(&payload).map_err(|_| Rejected::Malformed)?;
    check_claims(claims, expected)
}

fn shown(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).take(40).collect()
}

fn check_claims(
    claims: serde_json::Map<String, Value>,
    expected: &Expected,
) -> Result<Person, Rejected> {
    let text = |name: &str| claims.get(name).and_then(Value::as_str);
    let issuer = text("iss").unwrap_or_default();
    if issuer != expected.issuer {
        return Err(Rejected::Issuer(shown(issuer)));
    }
    let audience_ok = match claims.get("aud") {
        Some(Value::String(a)) => a == expected.client_id,
        // With several audiences the token must be issued to us (`azp`).
        Some(Value::Array(list)) => {
            list.iter().any(|a| a.as_str() == Some(expected.client_id))
                && (list.len() == 1 || text("azp") == Some(expected.client_id))
        }
        _ => false,
    };
    if !audience_ok {
        return Err(Rejected::Audience);
    }
    let now = expected.now.timestamp();
    let exp = claims.get("exp").and_then(Value::as_i64);
    if exp.is_none_or(|exp| exp + LEEWAY_SECONDS <= now) {
        return Err(Rejected::Expired);
    }
    if text("nonce").is_none_or(|n| !same(n, expected.nonce)) {
        return Err(Rejected::Nonce);
    }
    let subject = text("sub").unwrap_or_default().to_string();
    let email = text("email").unwrap_or_default().trim().to_string();
    if subject.is_empty() || email.is_empty() {
        return Err(Rejected::NoEmail);
    }
    // Some providers send the flag as a string.
    let verified = match claims.get("email_verified") {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s == "true",
        _ => false,
    };
    if !verified {
        return Err(Rejected::EmailNotVerified(shown(&email)));
    }
    Ok(Person {
        subject,
        email,
        claims,
    })
}

/// Constant-time equality for the nonce.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use ring::rand::SystemRandom;
    use ring::signature::{EcdsaKeyPair, KeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
    use serde_json::json;

    struct Signer {
        pair: EcdsaKeyPair,
        kid: &'static str,
    }

    impl Signer {
        fn new(kid: &'static str) -> Self {
            let rng = SystemRandom::new();
            let pkcs8 =
                EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
            let pair =
                EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng)
                    .unwrap();
            Self { pair, kid }
        }

        fn key(&self) -> Key {
            Key {
                kid: Some(self.kid.into()),
                key: PublicKey::Ec {
                    curve: "P-256".into(),
                    point: self.pair.public_key().as_ref().to_vec(),
                },
            }
        }

        fn sign(&self, header: Value, claims: Value) -> String {
            let signed = format!(
                "{}.{}",
                URL_SAFE_NO_PAD.encode(header.to_string()),
                URL_SAFE_NO_PAD.encode(claims.to_string())
            );
            let sig = self
                .pair
                .sign(&SystemRandom::new(), signed.as_bytes())
                .unwrap();
            format!("{signed}.{}", URL_SAFE_NO_PAD.encode(sig.as_ref()))
        }

        fn token(&self, claims: Value) -> String {
            self.sign(json!({"alg": "ES256", "kid": self.kid}), claims)
        }
    }

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).unwrap()
    }

    fn expected() -> Expected<'static> {
        Expected {
            issuer: "https://idp.example",
            client_id: "communityd",
            nonce: "n-0S6_WzA2Mj",
            now: now(),
        }
    }

    fn good_claims() -> Value {
        json!({
            "iss": "https://idp.example",
            "aud": "communityd",
            "sub": "248289761001",
            "exp": now().timestamp() + 300,
            "iat": now().timestamp(),
            "nonce": "n-0S6_WzA2Mj",
            "email": "ada@contoso.example",
            "email_verified": true,
            "groups": ["admins", "ops"]
        })
    }

    fn with(change: &str, value: Value) -> Value {
        let mut c = good_claims();
        c[change] = value;
        c
    }

    #[test]
    fn a_good_token_says_who_the_person_is() {
        let s = Signer::new("k1");
        let person = verify(&s.token(good_claims()), &[s.key()], &expected()).unwrap();
        assert_eq!(person.email, "ada@contoso.example");
        assert_eq!(person.subject, "248289761001");
        assert_eq!(person.groups("groups"), ["admins", "ops"]);
        assert!(person.groups("roles").is_empty());
    }

    #[test]
    fn each_claim_is_checked() {
        let s = Signer::new("k1");
        let keys = [s.key()];
        let check = |claims: Value| verify(&s.token(claims), &keys, &expected());
        assert_eq!(
            check(with("iss", json!("https://evil.example"))),
            Err(Rejected::Issuer("https://evil.example".into()))
        );
        assert_eq!(
            check(with("aud", json!("another-app"))),
            Err(Rejected::Audience)
        );
        assert_eq!(
            check(with("aud", json!(["communityd", "another-app"]))),
            Err(Rejected::Audience)
        );
        let mut two = with("aud", json!(["communityd", "another-app"]));
        two["azp"] = json!("communityd");
        assert!(check(two).is_ok());
        assert_eq!(
            check(with("exp", json!(now().timestamp() - 61))),
            Err(Rejected::Expired)
        );
        // Within the leeway a token is still good.
        assert!(check(with("exp", json!(now().timestamp() - 30))).is_ok());
        assert_eq!(check(with("nonce", json!("another"))), Err(Rejected::Nonce));
        let mut no_nonce = good_claims();
        no_nonce.as_object_mut().unwrap().remove("nonce");
        assert_eq!(check(no_nonce), Err(Rejected::Nonce));
        assert_eq!(
            check(with("email_verified", json!(false))),
            Err(Rejected::EmailNotVerified("ada@contoso.example".into()))
        );
        assert!(check(with("email_verified", json!("true"))).is_ok());
        assert_eq!(check(with("email", json!(null))), Err(Rejected::NoEmail));
    }

    #[test]
    fn alg_none_hmac_and_strangers_keys_are_refused() {
        let s = Signer::new("k1");
        let keys = [s.key()];
        let payload = URL_SAFE_NO_PAD.encode(good_claims().to_string());
        let none = format!(
            "{}.{payload}.",
            URL_SAFE_NO_PAD.encode(json!({"alg": "none"}).to_string())
        );
        assert_eq!(
            verify(&none, &keys, &expected()),
            Err(Rejected::Algorithm("none".into()))
        );
        let hs = s.sign(json!({"alg": "HS256", "kid": "k1"}), good_claims());
        assert_eq!(
            verify(&hs, &keys, &expected()),
            Err(Rejected::Algorithm("HS256".into()))
        );
        // A key id the provider does not publish.
        let stranger = Signer::new("k2");
        assert_eq!(
            verify(&stranger.token(good_claims()), &keys, &expected()),
            Err(Rejected::UnknownKey)
        );
        // A published key id, but another key signed it.
        let impostor = Signer {
            kid: "k1",
            ..Signer::new("k1")
        };
        assert_eq!(
            verify(&impostor.token(good_claims()), &keys, &expected()),
            Err(Rejected::Signature)
        );
        // An RSA algorithm named over an EC key finds no key of its kind.
        let rs = s.sign(json!({"alg": "RS256", "kid": "k1"}), good_claims());
        assert_eq!(verify(&rs, &keys, &expected()), Err(Rejected::UnknownKey));
        // A changed payload under the old signature.
        let good = s.token(good_claims());
        let parts: Vec<&str> = good.split('.').collect();
        let forged = format!(
            "{}.{}.{}",
            parts[0],
            URL_SAFE_NO_PAD.encode(with("email", json!("eve@contoso.example")).to_string()),
            parts[2]
        );
        assert_eq!(
            verify(&forged, &keys, &expected()),
            Err(Rejected::Signature)
        );
        assert_eq!(verify("junk", &keys, &expected()), Err(Rejected::Malformed));
        assert_eq!(key_id(&good).as_deref(), Some("k1"));
    }
}
