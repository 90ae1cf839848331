//! A tenant's webhook endpoint: a URL its own systems listen on, told of
//! the changes of the communities the tenant is a member of, signed as the
//! Standard Webhooks specification says so ready-made verifiers work.
//!
//! The signing secret is kept whole (it must sign every delivery) and shown
//! once, when the endpoint is made, as `whsec_` and its base64.

use super::audit::AuditKind;
use super::ids::{TenantId, WebhookId};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// Most endpoints one tenant may have.
pub const MAX_WEBHOOKS_PER_TENANT: usize = 20;
/// The longest URL accepted, in bytes.
pub const MAX_URL_BYTES: usize = 2000;
const MAX_DESCRIPTION_CHARS: usize = 500;
/// Most entries an `Events` list may hold (repeats included).
const MAX_EVENT_NAMES: usize = 50;
const SECRET_BYTES: usize = 32;
const SECRET_PREFIX: &str = "whsec_";

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookEndpoint {
    pub id: WebhookId,
    pub tenant: TenantId,
    pub url: String,
    /// What it is told of, each kind once, in `WEBHOOK_EVENTS` order.
    pub events: Vec<AuditKind>,
    pub description: String,
    /// The HMAC key, as raw bytes.
    pub secret: Vec<u8>,
    /// Set when the endpoint was switched off (by the service after
    /// failing too long, or by an administrator): why.
    pub disabled: Option<String>,
    pub created: DateTime<Utc>,
    /// Since when every try has failed; cleared by any success.
    pub failing_since: Option<DateTime<Utc>>,
}

impl WebhookEndpoint {
    pub fn new(
        tenant: TenantId,
        url: String,
        events: Vec<AuditKind>,
        description: String,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            id: WebhookId::generate(),
            tenant,
            url,
            events,
            description,
            secret: (0..SECRET_BYTES).map(|_| rand::random::<u8>()).collect(),
            disabled: None,
            created: now,
            failing_since: None,
        }
    }

    pub fn is_enabled(&self) -> bool {
        self.disabled.is_none()
    }

    /// Whether a delivery of `kind` goes to this endpoint now.
    pub fn wants(&self, kind: AuditKind) -> bool {
        self.is_enabled() && self.events.contains(&kind)
    }

    /// The secret as receivers configure it.
    pub fn shown_secret(&self) -> String {
        format!("{SECRET_PREFIX}{}", STANDARD.encode(&self.secret))
    }

    /// The `webhook-signature` header of a delivery.
    pub fn signature(&self, id: &str, timestamp: i64, body: &[u8]) -> String {
        sign(&self.secret, id, timestamp, body)
    }
}

/// `v1,` and the base64 of HMAC-SHA256(secret, "{id}.{timestamp}.{body}").
pub fn sign(secret: &[u8], id: &str, timestamp: i64, body: &[u8]) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret) else {
        unreachable!("HMAC takes a key of any length")
    };
    mac.update(format!("{id}.{timestamp}.").as_bytes());
    mac.update(body);
    format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
}

/// The event names an endpoint may subscribe to, for an error message.
pub fn event_names() -> String {
    let names: Vec<&str> = AuditKind::WEBHOOK_EVENTS.iter().map(|k| k.name()).collect();
    names.join(", ")
}

/// An `Events` list: at least one known event name, any case, each kept
/// once in the documented order.
pub fn validate_events(names: &[String]) -> Result<Vec<AuditKind>, String> {
    if names.is_empty() {
        return Err(format!("must name at least one of: {}", event_names()));
    }
    if names.len() > MAX_EVENT_NAMES {
        return Err(format!("must hold at most {MAX_EVENT_NAMES} names"));
    }
    let mut kinds = Vec::new();
    for name in names {
        match AuditKind::parse(name).filter(|k| k.is_webhook_event()) {
            Some(kind) => kinds.push(kind),
            None => {
                let shown: String = name.chars().take(60).collect();
                return Err(format!(
                    "'{shown}' is not an event; the events are: {}",
                    event_names()
                ));
            }
        }
    }
    Ok(AuditKind::WEBHOOK_EVENTS
        .iter()
        .copied()
        .filter(|k| kinds.contains(k))
        .collect())
}

/// A description: at most 500 characters after trimming, no control
/// characters.
pub fn validate_description(description: &str) -> Result<String, &'static str> {
    let description = description.trim();
    if description.chars().count() > MAX_DESCRIPTION_CHARS {
        return Err("must be at most 500 characters");
    }
    if description.chars().any(char::is_control) {
        return Err("must not hold control characters");
    }
    Ok(description.to_string())
}

/// A URL's form: http or https, a host, no user name or password, at most
/// `MAX_URL_BYTES`. Where its host points is checked apart (see
/// `webhook_target`), as that needs the network.
pub fn validate_url(raw: &str) -> Result<url::Url, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err("must not be empty".into());
    }
    if raw.len() > MAX_URL_BYTES {
        return Err(format!("must be at most {MAX_URL_BYTES} bytes"));
    }
    let url = url::Url::parse(raw).map_err(|e| format!("is not a URL ({e})"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("must be an http or https URL".into());
    }
    if url.host().is_none() {
        return Err("must name a host".into());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not hold a user name or password".into());
    }
    if url.fragment().is_some() {
        return Err("must not hold a fragment (#...)".into());
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_known_names_kept_once_in_order() {
        let names = |n: &[&str]| n.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let kinds = validate_events(&names(&[
            "share.added",
            "Invitation.Created",
            "Share.Added",
        ]));
        assert_eq!(
            kinds.unwrap(),
            [AuditKind::InvitationCreated, AuditKind::ShareAdded]
        );
        let unknown = validate_events(&names(&["User.Created"])).unwrap_err();
        assert!(unknown.contains("Membership.Confirmed"), "{unknown}");
        assert!(validate_events(&[]).is_err());
        assert!(validate_events(&vec!["Share.Added".into(); 51]).is_err());
    }

    #[test]
    fn urls_are_http_with_a_host_and_no_credentials() {
        assert!(validate_url("https://hooks.example.com/in?x=1").is_ok());
        for bad in [
            "",
            "ftp://example.com/",
            "https://user:pw@example.com/",
            "https://user@example.com/",
            "not a url",
            "file:///etc/passwd",
        ] {
            assert!(validate_url(bad).is_err(), "{bad}");
        }
        let long = format!("https://example.com/{}", "a".repeat(MAX_URL_BYTES));
        assert!(validate_url(&long).is_err());
    }

    /// The test vector of the Standard Webhooks specification.
    #[test]
    fn signatures_match_the_specification() {
        let secret = STANDARD.decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let body = br#"{"test": 2432232314}"#;
        assert_eq!(
            sign(&secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }
}
