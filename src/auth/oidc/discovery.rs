//! A provider's discovery document (OpenID Connect Discovery 1.0): where
//! to send the browser, where to redeem the code, where the keys are. Its
//! `issuer` must be exactly the configured one, or its tokens could be
//! another issuer's.

use super::http::{ProviderError, ProviderHttp};
use serde::Deserialize;

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
