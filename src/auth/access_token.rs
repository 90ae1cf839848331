//! Bearer access tokens (HS256 JWT) for the REST API.

use super::verified_tokens::{self, Verified};
use crate::domain::identity::Caller;
use crate::domain::ids::{ClientId, PrincipalId, PrincipalKind, TenantId, UserId};
use crate::domain::role::RoleSet;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicU64, Ordering};
use uuid::Uuid;

pub const LIFETIME_SECONDS: i64 = 3600;
const AUDIENCE: &str = "communityd-api";

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    iss: String,
    aud: String,
    sub: Uuid,
    tid: Uuid,
    kind: PrincipalKind,
    /// Tenant roles at issue time, for the caller's information; every
    /// request re-reads roles from the store.
    roles: Vec<String>,
    iat: i64,
    exp: i64,
}

/// An OpenID Connect ID token's claims: who signed in, for which
/// application. Its audience is the application, never this API, so it
/// is refused where an access token is expected.
#[derive(Debug, Serialize, Deserialize)]
struct IdClaims {
    iss: String,
    aud: String,
    sub: Uuid,
    tid: Uuid,
    email: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    nonce: Option<String>,
    iat: i64,
    exp: i64,
}

/// Who an ID token speaks of, and to whom.
pub struct IdentityStatement {
    pub user: UserId,
    pub tenant: TenantId,
    pub email: String,
    /// The application's client id.
    pub audience: String,
    pub nonce: Option<String>,
}

#[derive(Clone)]
pub struct AccessTokens {
    key: Vec<u8>,
    issuer: String,
    /// Names this verifier in the per-thread memory of checked tokens.
    id: u64,
}

/// Hands each verifier its own id.
static VERIFIERS: AtomicU64 = AtomicU64::new(1);

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the access token is malformed or its signature is invalid")]
    Invalid,
    #[error("the access token has expired")]
    Expired,
}

impl AccessTokens {
    pub fn new(key: &[u8], issuer: String) -> Self {
        Self {
            key: key.to_vec(),
            issuer,
            id: VERIFIERS.fetch_add(1, Ordering::Relaxed),
        }
    }

    pub fn issue(
        &self,
        caller: Caller,
        roles: RoleSet,
        now: DateTime<Utc>,
    ) -> Result<String, String> {
        let claims = Claims {
            iss: self.issuer.clone(),
            aud: AUDIENCE.into(),
            sub: caller.principal.as_uuid(),
            tid: caller.tenant.0,
            kind: caller.principal.kind(),
            roles: roles.roles().iter().map(|r| r.name().to_string()).collect(),
            iat: now.timestamp(),
            exp: now.timestamp() + LIFETIME_SECONDS,
        };
        super::hs256::sign(&claims, &self.key)
    }

    /// An ID token (OpenID Connect Core 2), signed as access tokens are
    /// and living as long.
    pub fn issue_id_token(
        &self,
        statement: IdentityStatement,
        now: DateTime<Utc>,
    ) -> Result<String, String> {
        let claims = IdClaims {
            iss: self.issuer.clone(),
            aud: statement.audience,
            sub: statement.user.0,
            tid: statement.tenant.0,
            email: statement.email,
            nonce: statement.nonce,
            iat: now.timestamp(),
            exp: now.timestamp() + LIFETIME_SECONDS,
        };
        super::hs256::sign(&claims, &self.key)
    }

    /// Checks signature, issuer and audience, then expiry against `now` (our
    /// clock, not the library's, so tests can move time). A token this
    /// verifier already found genuine skips straight to the expiry check.
    pub fn verify(&self, token: &str, now: DateTime<Utc>) -> Result<Caller, TokenError> {
        let verified = match verified_tokens::recall(self.id, token) {
            Some(verified) => verified,
            None => {
                let verified = self.check(token)?;
                verified_tokens::remember(self.id, token, verified);
                verified
            }
        };
        if now.timestamp() >= verified.expires {
            return Err(TokenError::Expired);
        }
        Ok(verified.caller)
    }

    /// Signature, issuer and audience: everything but expiry.
    fn check(&self, token: &str) -> Result<Verified, TokenError> {
        let claims: Claims =
            super::hs256::verify(token, &self.key).map_err(|_| TokenError::Invalid)?;
        if claims.iss != self.issuer || claims.aud != AUDIENCE {
            return Err(TokenError::Invalid);
        }
        let principal = match claims.kind {
            PrincipalKind::User => PrincipalId::User(UserId(claims.sub)),
            PrincipalKind::Client => PrincipalId::Client(ClientId(claims.sub)),
        };
        Ok(Verified {
            caller: Caller {
                principal,
                tenant: TenantId(claims.tid),
            },
            expires: claims.exp,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn caller() -> Caller {
        Caller {
            principal: PrincipalId::Client(ClientId::generate()),
            tenant: TenantId::generate(),
        }
    }

    #[test]
    fn tokens_round_trip_and_expire() {
        let tokens = AccessTokens::new(
            b"0123456789abcdef0123456789abcdef",
            "http://x/identity".into(),
        );
        let now = Utc::now();
        let c = caller();
        let t = tokens.issue(c, RoleSet::EMPTY, now).unwrap();
        assert_eq!(tokens.verify(&t, now), Ok(c));
        assert_eq!(
            tokens.verify(&t, now + Duration::seconds(3600)),
            Err(TokenError::Expired)
        );
    }

    #[test]
    fn tampered_or_foreign_tokens_are_invalid() {
        let tokens = AccessTokens::new(
            b"0123456789abcdef0123456789abcdef",
            "http://x/identity".into(),
        );
        let other = AccessTokens::new(
            b"ffffffffffffffffffffffffffffffff",
            "http://x/identity".into(),
        );
        let now = Utc::now();
        let t = other.issue(caller(), RoleSet::EMPTY, now).unwrap();
        assert_eq!(tokens.verify(&t, now), Err(TokenError::Invalid));
        assert_eq!(tokens.verify("abc.def.ghi", now), Err(TokenError::Invalid));
    }

    #[test]
    fn a_token_remembered_by_one_verifier_is_not_taken_by_another() {
        let key = b"0123456789abcdef0123456789abcdef";
        let here = AccessTokens::new(key, "http://x/identity".into());
        let other_key = AccessTokens::new(
            b"ffffffffffffffffffffffffffffffff",
            "http://x/identity".into(),
        );
        let other_issuer = AccessTokens::new(key, "http://y/identity".into());
        let now = Utc::now();
        let c = caller();
        let t = here.issue(c, RoleSet::EMPTY, now).unwrap();
        // Twice: the second answer comes from memory.
        assert_eq!(here.verify(&t, now), Ok(c));
        assert_eq!(here.verify(&t, now), Ok(c));
        assert_eq!(other_key.verify(&t, now), Err(TokenError::Invalid));
        assert_eq!(other_issuer.verify(&t, now), Err(TokenError::Invalid));
        // A clone is the same verifier, with the same key.
        assert_eq!(here.clone().verify(&t, now), Ok(c));
    }

    #[test]
    fn an_id_token_is_not_an_access_token() {
        let tokens = AccessTokens::new(
            b"0123456789abcdef0123456789abcdef",
            "http://x/identity".into(),
        );
        let now = Utc::now();
        let statement = IdentityStatement {
            user: UserId::generate(),
            tenant: TenantId::generate(),
            email: "ann@contoso.example".into(),
            audience: "communityd-api".into(),
            nonce: Some("n-1".into()),
        };
        let id_token = tokens.issue_id_token(statement, now).unwrap();
        let claims: IdClaims =
            crate::auth::hs256::verify(&id_token, b"0123456789abcdef0123456789abcdef").unwrap();
        assert_eq!(claims.nonce.as_deref(), Some("n-1"));
        assert_eq!(claims.iss, "http://x/identity");
        // Even with the API's audience it lacks what an access token holds.
        assert_eq!(tokens.verify(&id_token, now), Err(TokenError::Invalid));
    }

    /// Issued by the earlier JWT-library code with this key and these
    /// claims: the same bytes come out now, and the token still verifies.
    const EARLIER: &str = "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJodHRwOi8veC9pZGVudGl0eSIsImF1ZCI6ImNvbW11bml0eWQtYXBpIiwic3ViIjoiMDE5M2E1YzItMTExMS03MjIyLTgzMzMtNDQ0NDU1NTU2NjY2IiwidGlkIjoiMDE5M2E1YzItOTk5OS03MjIyLTgzMzMtNDQ0NDU1NTU2NjY2Iiwia2luZCI6ImNsaWVudCIsInJvbGVzIjpbXSwiaWF0Ijo0MTAyNDQ0ODAwLCJleHAiOjQxMDI0NDg0MDB9.uBdoXoZjs-kUj2Gaw4mLgoFhfB2R3BR3koMxQ8HA0Cg";

    #[test]
    fn tokens_of_the_earlier_release_still_verify() {
        let tokens = AccessTokens::new(
            b"0123456789abcdef0123456789abcdef",
            "http://x/identity".into(),
        );
        let id = |s: &str| Uuid::parse_str(s).unwrap();
        let caller = Caller {
            principal: PrincipalId::Client(ClientId(id("0193a5c2-1111-7222-8333-444455556666"))),
            tenant: TenantId(id("0193a5c2-9999-7222-8333-444455556666")),
        };
        let at = DateTime::from_timestamp(4_102_444_800, 0).unwrap();
        assert_eq!(tokens.issue(caller, RoleSet::EMPTY, at).unwrap(), EARLIER);
        assert_eq!(tokens.verify(EARLIER, at), Ok(caller));
        let elsewhere = AccessTokens::new(
            b"0123456789abcdef0123456789abcdef",
            "http://y/identity".into(),
        );
        assert_eq!(elsewhere.verify(EARLIER, at), Err(TokenError::Invalid));
    }
}
