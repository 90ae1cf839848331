//! Signed, expiring link tokens for email buttons. A token is bound to one
//! invitation, one purpose and one link generation; the invitation record
//! decides whether that generation is still current, so Resend and Delete
//! kill older links without storing any token. A set-password link is bound
//! the same way to one user and that user's password generation, so the
//! first password set through it (or any other change) kills it.

use crate::domain::ids::{InvitationId, UserId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LinkPurpose {
    /// VIEW COMMUNITY INVITE, to the recipient.
    Invite,
    /// VIEW PENDING INVITATIONS, to the inviter.
    Pending,
    /// Set a new password, from a forgot-password email.
    #[serde(rename = "password")]
    SetPassword,
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

/// What a set-password link is for: one user, under one password generation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PasswordLink {
    pub user: UserId,
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
    key: Vec<u8>,
}

impl LinkTokens {
    pub fn new(key: &[u8]) -> Self {
        Self { key: key.to_vec() }
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
        super::hs256::sign(&claims, &self.key)
    }

    pub fn verify(
        &self,
        token: &str,
        purpose: LinkPurpose,
        now: DateTime<Utc>,
    ) -> Result<LinkClaims, LinkError> {
        let claims: Claims =
            super::hs256::verify(token, &self.key).map_err(|_| LinkError::Invalid)?;
        if claims.aud != purpose {
            return Err(LinkError::Invalid);
        }
        let expires = claims.exp;
        let claims = LinkClaims {
            invitation: InvitationId(claims.sub),
            generation: claims.gen,
        };
        if now.timestamp() >= expires {
            return Err(LinkError::Expired(claims));
        }
        Ok(claims)
    }

    pub fn issue_password(
        &self,
        link: PasswordLink,
        expires: DateTime<Utc>,
    ) -> Result<String, String> {
        let claims = Claims {
            aud: LinkPurpose::SetPassword,
            sub: link.user.0,
            gen: link.generation,
            exp: expires.timestamp(),
        };
        super::hs256::sign(&claims, &self.key)
    }

    /// The link's user and generation; `None` for a link this server did
    /// not sign for this purpose, or one past its expiry (the public is
    /// told the same either way).
    pub fn verify_password(&self, token: &str, now: DateTime<Utc>) -> Option<PasswordLink> {
        let claims: Claims = super::hs256::verify(token, &self.key).ok()?;
        (claims.aud == LinkPurpose::SetPassword && now.timestamp() < claims.exp).then_some(
            PasswordLink {
                user: UserId(claims.sub),
                generation: claims.gen,
            },
        )
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

    #[test]
    fn a_set_password_link_is_bound_to_its_purpose_and_expiry() {
        let links = LinkTokens::new(b"kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk");
        let now = Utc::now();
        let link = PasswordLink {
            user: UserId::generate(),
            generation: 7,
        };
        let token = links
            .issue_password(link, now + Duration::minutes(30))
            .unwrap();
        assert_eq!(links.verify_password(&token, now), Some(link));
        assert_eq!(
            links.verify_password(&token, now + Duration::minutes(30)),
            None
        );
        assert_eq!(
            links.verify(&token, LinkPurpose::Invite, now),
            Err(LinkError::Invalid)
        );
        let invite = links
            .issue(
                LinkPurpose::Invite,
                LinkClaims {
                    invitation: InvitationId(link.user.0),
                    generation: 7,
                },
                now + Duration::days(1),
            )
            .unwrap();
        assert_eq!(links.verify_password(&invite, now), None);
        let mut tampered = token.clone();
        tampered.insert(tampered.len() - 3, 'x');
        assert_eq!(links.verify_password(&tampered, now), None);
    }

    #[test]
    fn links_of_the_earlier_release_still_verify() {
        const EARLIER: &str = "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJhdWQiOiJpbnZpdGUiLCJzdWIiOiIwMTkzYTVjMi0xMTExLTcyMjItODMzMy00NDQ0NTU1NTY2NjYiLCJnZW4iOjMsImV4cCI6NDEwMjQ0NDgwMH0.ie1IVkw3DGlddraqsuITB1LHwAlB4K2iLRgGLFBGLJ0";
        let links = LinkTokens::new(b"kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk");
        let claims = LinkClaims {
            invitation: InvitationId(
                Uuid::parse_str("0193a5c2-1111-7222-8333-444455556666").unwrap(),
            ),
            generation: 3,
        };
        let expires = DateTime::from_timestamp(4_102_444_800, 0).unwrap();
        let token = links.issue(LinkPurpose::Invite, claims, expires).unwrap();
        assert_eq!(token, EARLIER);
        let before = expires - Duration::days(1);
        assert_eq!(
            links.verify(EARLIER, LinkPurpose::Invite, before),
            Ok(claims)
        );
    }
}
