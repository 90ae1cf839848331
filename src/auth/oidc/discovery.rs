//! A provider's discovery document (OpenID Connect Discovery 1.0): where
//! to send the browser, where to redeem the code, where the keys are. Its
//! `issuer` must be exactly the configured one, or its tokens could be
//! another issuer's.

use super::http::{ProviderError, ProviderHttp};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a fetched document is used for sign-ins before it is fetched
/// again (adding a provider always fetches it).
const KEEP_FOR: Duration = Duration::from_secs(300);
/// Most documents kept (one per issuer); past it the cache starts over.
const MAX_DOCUMENTS: usize = 1000;

#[derive(Clone, Debug, Deserialize)]
pub struct Discovery {
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub jwks_uri: String,
}

/// Where the discovery document of `issuer` is.
pub fn address(issuer: &str) -> String {
    format!(
        "{}/.well-known/openid-configuration",
        issuer.trim_end_matches('/')
    )
}

/// Fetches and checks the document of `issuer`.
pub async fn fetch(http: &ProviderHttp, issuer: &str) -> Result<Discovery, ProviderError> {
    let doc: Discovery = http.get_json(&address(issuer)).await?;
    check(doc, issuer)
}

/// Documents by issuer, so pressing a sign-in button does not cost a call
/// to the provider each time. This instance's own copy of public data.
#[derive(Default)]
pub struct Documents {
    by_issuer: Mutex<HashMap<String, (Instant, Discovery)>>,
}

impl Documents {
    pub async fn get(&self, http: &ProviderHttp, issuer: &str) -> Result<Discovery, ProviderError> {
        let cached = {
            let map = self.by_issuer.lock().unwrap_or_else(|p| p.into_inner());
            map.get(issuer)
                .filter(|(at, _)| at.elapsed() < KEEP_FOR)
                .map(|(_, doc)| doc.clone())
        };
        if let Some(doc) = cached {
            return Ok(doc);
        }
        let doc = fetch(http, issuer).await?;
        let mut map = self.by_issuer.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= MAX_DOCUMENTS {
            map.clear();
        }
        map.insert(issuer.to_string(), (Instant::now(), doc.clone()));
        Ok(doc)
    }
}

fn check(doc: Discovery, issuer: &str) -> Result<Discovery, ProviderError> {
    if doc.issuer != issuer {
        let shown: String = doc.issuer.chars().take(200).collect();
        return Err(ProviderError::Malformed(format!(
            "its discovery document names the issuer '{shown}', not '{issuer}'"
        )));
    }
    for (name, url) in [
        ("authorization_endpoint", &doc.authorization_endpoint),
        ("token_endpoint", &doc.token_endpoint),
        ("jwks_uri", &doc.jwks_uri),
    ] {
        if crate::domain::identity_provider::validate_issuer(url).is_err() {
            return Err(ProviderError::Malformed(format!(
                "its {name} is not an https URL"
            )));
        }
    }
    Ok(doc)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(issuer: &str, token: &str) -> Discovery {
        Discovery {
            issuer: issuer.into(),
            authorization_endpoint: format!("{issuer}/authorize"),
            token_endpoint: token.into(),
            jwks_uri: format!("{issuer}/jwks"),
        }
    }

    #[test]
    fn the_issuer_must_match_exactly_and_endpoints_be_https() {
        let i = "https://idp.example";
        assert!(check(doc(i, "https://idp.example/token"), i).is_ok());
        assert!(check(doc("https://idp.example/", "https://idp.example/token"), i).is_err());
        assert!(check(doc("https://evil.example", "https://idp.example/token"), i).is_err());
        assert!(check(doc(i, "http://idp.example/token"), i).is_err());
        assert_eq!(
            address("https://idp.example/"),
            "https://idp.example/.well-known/openid-configuration"
        );
    }
}
