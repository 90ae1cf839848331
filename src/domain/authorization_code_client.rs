//! An application a tenant's people sign in to: OCS's "Authorization Code
//! Client". It has no secret (a script on a laptop or a page in a browser
//! cannot keep one), so the code it is sent is bound to the PKCE challenge
//! it made, and only to the redirect URIs its tenant's administrator
//! registered: a code is never sent anywhere else.

use super::ids::{AuthorizationCodeClientId, TenantId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Most authorization-code clients one tenant may have.
pub const MAX_AUTHORIZATION_CODE_CLIENTS_PER_TENANT: usize = 100;
/// Most URIs or origins in any one list of a client.
pub const MAX_URIS: usize = 10;
/// Longest URI or origin kept.
const MAX_URI_CHARS: usize = 2000;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorizationCodeClient {
    pub id: AuthorizationCodeClientId,
    pub tenant: TenantId,
    pub name: String,
    /// A disabled client gets no code and no token; it stays registered.
    pub enabled: bool,
    /// Where a code may be sent, compared as exact strings.
    pub redirect_uris: Vec<String>,
    /// Kept for OCS's shape; sign-out does not redirect yet.
    pub post_logout_redirect_uris: Vec<String>,
    /// Kept for OCS's shape: origins a browser application calls from.
    pub allowed_cors_origins: Vec<String>,
    pub created: DateTime<Utc>,
}

impl AuthorizationCodeClient {
    /// Whether `uri` is, character for character, one of the registered
    /// redirect URIs (RFC 6749 3.1.2.3: no prefix or pattern matching).
    pub fn redirects_to(&self, uri: &str) -> bool {
        self.redirect_uris.iter().any(|r| r == uri)
    }
}

/// Hosts where a plain-http redirect URI is allowed: the person's own
/// machine, where a native application listens for the code (RFC 8252).
fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// One redirect URI: absolute, https (http only on loopback), no fragment
/// and no user name, kept exactly as written.
fn redirect_uri(raw: &str) -> Result<String, &'static str> {
    if raw.chars().count() > MAX_URI_CHARS {
        return Err("holds a URI longer than 2000 characters");
    }
    if raw.trim() != raw || raw.chars().any(char::is_control) {
        return Err("holds a URI with spaces around it or control characters");
    }
    let url = url::Url::parse(raw).map_err(|_| "holds a URI that is not absolute")?;
    let secure = match url.scheme() {
        "https" => true,
        "http" => is_loopback(&url),
        _ => return Err("holds a URI that is neither https nor http"),
    };
    if !secure {
        return Err("holds an http URI that is not on loopback (localhost, 127.0.0.1, [::1])");
    }
    if url.fragment().is_some() {
        return Err("holds a URI with a fragment");
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("holds a URI with a user name or password");
    }
    Ok(raw.to_string())
}

/// One CORS origin: `scheme://host[:port]`, nothing after it.
fn origin(raw: &str) -> Result<String, &'static str> {
    if raw.chars().count() > MAX_URI_CHARS {
        return Err("holds an origin longer than 2000 characters");
    }
    let url = url::Url::parse(raw).map_err(|_| "holds an origin that is not absolute")?;
    if !matches!(url.scheme(), "http" | "https") || url.origin().ascii_serialization() != raw {
        return Err("holds something that is not an origin (scheme://host[:port])");
    }
    Ok(raw.to_string())
}

/// A list of at least `min` and at most `MAX_URIS` entries, each checked
/// by `one`, repeats dropped.
fn list(
    raw: &[String],
    min: usize,
    one: fn(&str) -> Result<String, &'static str>,
) -> Result<Vec<String>, &'static str> {
    if raw.len() > MAX_URIS {
        return Err("must hold at most 10 entries");
    }
    let mut out: Vec<String> = Vec::with_capacity(raw.len());
    for r in raw {
        let checked = one(r)?;
        if !out.contains(&checked) {
            out.push(checked);
        }
    }
    if out.len() < min {
        return Err("must hold at least one URI");
    }
    Ok(out)
}

pub fn validate_redirect_uris(raw: &[String]) -> Result<Vec<String>, &'static str> {
    list(raw, 1, redirect_uri)
}

pub fn validate_post_logout_redirect_uris(raw: &[String]) -> Result<Vec<String>, &'static str> {
    list(raw, 0, redirect_uri)
}

pub fn validate_cors_origins(raw: &[String]) -> Result<Vec<String>, &'static str> {
    list(raw, 0, origin)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uris(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn redirect_uris_are_https_or_loopback_http_and_kept_as_written() {
        let good = uris(&[
            "https://app.example/callback",
            "http://localhost:5004/callback.html",
            "http://127.0.0.1:8080/",
            "http://[::1]/cb",
            "https://app.example/callback",
        ]);
        assert_eq!(
            validate_redirect_uris(&good).unwrap(),
            good[..4].to_vec(),
            "a repeat is dropped, the rest kept as written"
        );
        for bad in [
            "http://app.example/callback",
            "/callback",
            "ftp://app.example/",
            "https://app.example/#frag",
            "https://user:pw@app.example/",
            " https://app.example/",
            "javascript:alert(1)",
        ] {
            assert!(validate_redirect_uris(&uris(&[bad])).is_err(), "{bad}");
        }
        assert!(validate_redirect_uris(&[]).is_err());
        let eleven: Vec<String> = (0..11)
            .map(|i| format!("https://app.example/{i}"))
            .collect();
        assert!(validate_redirect_uris(&eleven).is_err());
        let long = format!("https://app.example/{}", "x".repeat(2000));
        assert!(validate_redirect_uris(&[long]).is_err());
        assert_eq!(validate_post_logout_redirect_uris(&[]), Ok(vec![]));
    }

    #[test]
    fn origins_are_scheme_host_and_port_only() {
        assert!(validate_cors_origins(&uris(&["https://app.example:8443"])).is_ok());
        for bad in [
            "https://app.example/",
            "https://app.example/x",
            "app.example",
        ] {
            assert!(validate_cors_origins(&uris(&[bad])).is_err(), "{bad}");
        }
    }

    #[test]
    fn only_a_registered_uri_matches_exactly() {
        let client = AuthorizationCodeClient {
            id: AuthorizationCodeClientId::generate(),
            tenant: TenantId::generate(),
            name: "Notebook".into(),
            enabled: true,
            redirect_uris: uris(&["http://localhost:5004/callback.html"]),
            post_logout_redirect_uris: vec![],
            allowed_cors_origins: vec![],
            created: Utc::now(),
        };
        assert!(client.redirects_to("http://localhost:5004/callback.html"));
        for other in [
            "http://localhost:5004/callback.html?x=1",
            "http://localhost:5004/callback.htm",
            "http://LOCALHOST:5004/callback.html",
            "http://localhost:5004/callback.html/",
        ] {
            assert!(!client.redirects_to(other), "{other}");
        }
    }
}
