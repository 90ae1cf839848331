//! Bearer access tokens (HS256 JWT) for the REST API.

use crate::domain::identity::Caller;
use crate::domain::ids::{ClientId, PrincipalId, PrincipalKind, TenantId, UserId};
use crate::domain::role::RoleSet;
use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
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

#[derive(Clone)]
pub struct AccessTokens {
    encoding: EncodingKey,
    decoding: DecodingKey,
    /// Built once: every API request verifies a token.
    validation: Validation,
    issuer: String,
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the access token is malformed or its signature is invalid")]
    Invalid,
    #[error("the access token has expired")]
    Expired,
}

impl AccessTokens {
    pub fn new(key: &[u8], issuer: String) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.validate_exp = false;
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.set_issuer(&[&issuer]);
        validation.set_audience(&[AUDIENCE]);
        Self {
            encoding: EncodingKey::from_secret(key),
            decoding: DecodingKey::from_secret(key),
            validation,
            issuer,
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
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| e.to_string())
    }

    /// Checks signature, issuer and audience, then expiry against `now` (our
    /// clock, not the library's, so tests can move time).
    pub fn verify(&self, token: &str, now: DateTime<Utc>) -> Result<Caller, TokenError> {
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map_err(|_| TokenError::Invalid)?;
        let claims = data.claims;
        if now.timestamp() >= claims.exp {
            return Err(TokenError::Expired);
        }
        let principal = match claims.kind {
            PrincipalKind::User => PrincipalId::User(UserId(claims.sub)),
            PrincipalKind::Client => PrincipalId::Client(ClientId(claims.sub)),
        };
        Ok(Caller {
            principal,
            tenant: TenantId(claims.tid),
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
}
