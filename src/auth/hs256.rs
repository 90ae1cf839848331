//! Compact JWTs signed with HMAC-SHA256, the only kind this server issues
//! (access tokens and link tokens). A JWT library would bring RSA and
//! elliptic-curve code along; this is the little HS256 needs. The header is
//! byte for byte what the JWT library wrote, so tokens issued before still
//! verify and the other way round.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sha2::Sha256;

const HEADER: &str = r#"{"typ":"JWT","alg":"HS256"}"#;

/// Longest token accepted; ours are a few hundred bytes.
const MAX_TOKEN_BYTES: usize = 8 * 1024;

/// The token is malformed, not HS256, or its signature does not match.
#[derive(Debug, PartialEq, Eq)]
pub struct Invalid;

#[derive(Deserialize)]
struct Header {
    alg: String,
}

fn mac(key: &[u8]) -> Hmac<Sha256> {
    // HMAC takes a key of any length.
    <Hmac<Sha256> as Mac>::new_from_slice(key).unwrap_or_else(|_| unreachable!())
}

pub fn sign<T: Serialize>(claims: &T, key: &[u8]) -> Result<String, String> {
    let payload = serde_json::to_vec(claims).map_err(|e| e.to_string())?;
    let mut token = URL_SAFE_NO_PAD.encode(HEADER);
    token.push('.');
    token.push_str(&URL_SAFE_NO_PAD.encode(payload));
    let mut mac = mac(key);
    mac.update(token.as_bytes());
    let signature = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
    token.push('.');
    token.push_str(&signature);
    Ok(token)
}

/// Checks the signature (in constant time) before reading the claims.
pub fn verify<T: DeserializeOwned>(token: &str, key: &[u8]) -> Result<T, Invalid> {
    if token.len() > MAX_TOKEN_BYTES {
        return Err(Invalid);
    }
    let (signed, signature) = token.rsplit_once('.').ok_or(Invalid)?;
    let (header, payload) = signed.split_once('.').ok_or(Invalid)?;
    let signature = URL_SAFE_NO_PAD.decode(signature).map_err(|_| Invalid)?;
    let mut mac = mac(key);
    mac.update(signed.as_bytes());
    mac.verify_slice(&signature).map_err(|_| Invalid)?;
    let header = URL_SAFE_NO_PAD.decode(header).map_err(|_| Invalid)?;
    let header: Header = serde_json::from_slice(&header).map_err(|_| Invalid)?;
    if header.alg != "HS256" {
        return Err(Invalid);
    }
    let payload = URL_SAFE_NO_PAD.decode(payload).map_err(|_| Invalid)?;
    serde_json::from_slice(&payload).map_err(|_| Invalid)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    #[test]
    fn round_trip_and_tampering() {
        let token = sign(&json!({"sub": "x", "exp": 1}), b"key").unwrap();
        assert_eq!(
            verify::<Value>(&token, b"key").unwrap(),
            json!({"sub": "x", "exp": 1})
        );
        assert_eq!(verify::<Value>(&token, b"other key"), Err(Invalid));
        let (head, rest) = token.split_once('.').unwrap();
        let (_, signature) = rest.split_once('.').unwrap();
        let forged = format!(
            "{head}.{}.{signature}",
            URL_SAFE_NO_PAD.encode(br#"{"sub":"y","exp":1}"#)
        );
        assert_eq!(verify::<Value>(&forged, b"key"), Err(Invalid));
        for junk in ["", ".", "..", "a.b.c", "a.b", &"x".repeat(10_000)] {
            assert_eq!(verify::<Value>(junk, b"key"), Err(Invalid), "{junk}");
        }
    }

    #[test]
    fn an_unsigned_or_differently_signed_header_is_refused() {
        let none = URL_SAFE_NO_PAD.encode(r#"{"alg":"none"}"#);
        let body = URL_SAFE_NO_PAD.encode(r#"{"sub":"x"}"#);
        let unsigned = format!("{none}.{body}.");
        assert_eq!(verify::<Value>(&unsigned, b"key"), Err(Invalid));
        // Correctly keyed MAC, but the header names another algorithm.
        let hs512 = URL_SAFE_NO_PAD.encode(r#"{"alg":"HS512"}"#);
        let signed = format!("{hs512}.{body}");
        let mut m = mac(b"key");
        m.update(signed.as_bytes());
        let sig = URL_SAFE_NO_PAD.encode(m.finalize().into_bytes());
        assert_eq!(
            verify::<Value>(&format!("{signed}.{sig}"), b"key"),
            Err(Invalid)
        );
    }
}
