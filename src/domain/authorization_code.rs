//! A one-time authorization code: what the authorization endpoint hands a
//! signed-in person's application, to trade once, within a minute, for
//! tokens. It is bound to the client, the exact redirect URI and the PKCE
//! challenge of the request that made it. Only its hash is stored (see
//! `store::authorization_codes`), so a copy of the database holds no
//! usable code.

use super::ids::{AuthorizationCodeClientId, TenantId, UserId};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// How long a code may wait to be traded.
pub const LIFETIME_SECONDS: i64 = 60;
/// Longest `state` or `nonce` carried (they come back in a URL or a token).
pub const MAX_CARRIED_CHARS: usize = 500;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorizationCode {
    pub client: AuthorizationCodeClientId,
    pub tenant: TenantId,
    pub user: UserId,
    pub redirect_uri: String,
    /// The S256 challenge: base64url(SHA-256(verifier)).
    pub code_challenge: String,
    /// Returned in the ID token, so the application can tell its own
    /// sign-in from a replayed one.
    pub nonce: Option<String>,
    pub issued: DateTime<Utc>,
    pub expires: DateTime<Utc>,
}

impl AuthorizationCode {
    pub fn new(
        client: AuthorizationCodeClientId,
        tenant: TenantId,
        user: UserId,
        redirect_uri: String,
        code_challenge: String,
        nonce: Option<String>,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            client,
            tenant,
            user,
            redirect_uri,
            code_challenge,
            nonce,
            issued: now,
            expires: now + Duration::seconds(LIFETIME_SECONDS),
        }
    }

    pub fn is_live_at(&self, now: DateTime<Utc>) -> bool {
        now < self.expires
    }
}
