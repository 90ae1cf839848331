//! Signed, expiring link tokens for email buttons. A token is bound to one
//! invitation, one purpose and one link generation; the invitation record
//! decides whether that generation is still current, so Resend and Delete
//! kill older links without storing any token.

use crate::domain::ids::InvitationId;
use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LinkPurpose {
    /// VIEW COMMUNITY INVITE, to the recipient.
    Invite,
    /// VIEW PENDING INVITATIONS, to the inviter.
    Pending,
}

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    aud: LinkPurpose,
    sub: Uuid,
    gen: u32,
    exp: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LinkClaims {
    pub invitation: InvitationId,
    pub generation: u32,
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum LinkError {
    #[error("the link is not one this server signed, or it was altered")]
    Invalid,
    /// Validly signed but past its expiry; the claims say what it was for.
    #[error("the link has expired")]
    Expired(LinkClaims),
}

#[derive(Clone)]
pub struct LinkTokens {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl LinkTokens {
    pub fn new(key: &[u8]) -> Self {
        Self {
            encoding: EncodingKey::from_secret(key),
            decoding: DecodingKey::from_secret(key),
        }
    }

    pub fn issue(
        &self,
        purpose: LinkPurpose,
        claims: LinkClaims,
        expires: DateTime<Utc>,
    ) -> Result<String, String> {
        let claims = Claims {
            aud: purpose,
            sub: claims.invitation.0,
            gen: claims.generation,
            exp: expires.timestamp(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| e.to_string())
    }

    pub fn verify(
        &self,
        token: &str,
        purpose: LinkPurpose,
        now: DateTime<Utc>,
    ) -> Result<LinkClaims, LinkError> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.validate_exp = false;
        validation.validate_aud = false;
        validation.set_required_spec_claims(&["exp", "sub"]);
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation)
            .map_err(|_| LinkError::Invalid)?;
        if data.claims.aud != purpose {
            return Err(LinkError::Invalid);
        }
        let claims = LinkClaims {
            invitation: InvitationId(data.claims.sub),
            generation: data.claims.gen,
        };
        if now.timestamp() >= data.claims.exp {
            return Err(LinkError::Expired(claims));
        }
        Ok(claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn a_link_is_bound_to_its_purpose_and_expiry() {
        let links = LinkTokens::new(b"kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk");
        let now = Utc::now();
        let claims = LinkClaims {
            invitation: InvitationId::generate(),
            generation: 3,
        };
        let token = links
            .issue(LinkPurpose::Invite, claims, now + Duration::days(1))
            .unwrap();
        assert_eq!(links.verify(&token, LinkPurpose::Invite, now), Ok(claims));
        assert_eq!(
            links.verify(&token, LinkPurpose::Pending, now),
            Err(LinkError::Invalid)
        );
        assert_eq!(
            links.verify(&token, LinkPurpose::Invite, now + Duration::days(2)),
            Err(LinkError::Expired(claims))
        );
        let mut tampered = token.clone();
        tampered.insert(tampered.len() - 3, 'x');
        assert_eq!(
            links.verify(&tampered, LinkPurpose::Invite, now),
            Err(LinkError::Invalid)
        );
    }
}
