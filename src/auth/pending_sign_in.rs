//! A sign-in half done: the password was right, a one-time code (or an
//! enrolment) is still owed. It travels with the page as a short-lived
//! signed value, so any instance can finish it and none must remember it;
//! it names the user and the password generation it was made under (a
//! password change or a deactivation in between kills it) and where the
//! person was going (`next`, so invitation links still land).

use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use uuid::Uuid;

use crate::domain::ids::UserId;

/// How long the second step may take: long enough to install an
/// authenticator app and enrol, short enough that a page left open on a
/// shared computer goes stale.
pub const LIFETIME_MINUTES: i64 = 10;

/// What is still owed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Owed {
    /// A code from the enrolled authenticator, or a recovery code.
    SignInCode,
    /// The tenant requires codes and the user has no authenticator yet.
    SignInEnrolment,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pending {
    pub owed: Owed,
    pub user: UserId,
    pub generation: u32,
    pub next: String,
}

#[derive(Serialize, Deserialize)]
struct Claims {
    aud: Owed,
    sub: Uuid,
    gen: u32,
    next: String,
    exp: i64,
}

#[derive(Clone)]
pub struct PendingSignIns {
    key: Vec<u8>,
}

impl PendingSignIns {
    /// Keyed from the link key, under a name of its own, so neither kind
    /// of token can pass for the other.
    pub fn new(link_key: &[u8]) -> Self {
        let mut mac =
            <Hmac<Sha256> as Mac>::new_from_slice(link_key).unwrap_or_else(|_| unreachable!());
        mac.update(b"communityd pending sign-in");
        Self {
            key: mac.finalize().into_bytes().to_vec(),
        }
    }

    pub fn issue(&self, pending: &Pending, now: DateTime<Utc>) -> Result<String, String> {
        let claims = Claims {
            aud: pending.owed,
            sub: pending.user.0,
            gen: pending.generation,
            next: pending.next.clone(),
            exp: (now + Duration::minutes(LIFETIME_MINUTES)).timestamp(),
        };
        super::hs256::sign(&claims, &self.key)
    }

    /// The half-done sign-in, if this server signed it for `owed` and it
    /// has not expired.
    pub fn verify(&self, token: &str, owed: Owed, now: DateTime<Utc>) -> Option<Pending> {
        let claims: Claims = super::hs256::verify(token, &self.key).ok()?;
        (claims.aud == owed && now.timestamp() < claims.exp).then_some(Pending {
            owed,
            user: UserId(claims.sub),
            generation: claims.gen,
            next: claims.next,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pending_sign_in_is_bound_to_its_purpose_key_and_time() {
        let pending = PendingSignIns::new(b"kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk");
        let now = Utc::now();
        let half = Pending {
            owed: Owed::SignInCode,
            user: UserId::generate(),
            generation: 3,
            next: "/invitations/abc".into(),
        };
        let token = pending.issue(&half, now).unwrap();
        assert_eq!(pending.verify(&token, Owed::SignInCode, now), Some(half));
        assert_eq!(pending.verify(&token, Owed::SignInEnrolment, now), None);
        let later = now + Duration::minutes(LIFETIME_MINUTES) + Duration::seconds(1);
        assert_eq!(pending.verify(&token, Owed::SignInCode, later), None);
        let other = PendingSignIns::new(b"jjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjj");
        assert_eq!(other.verify(&token, Owed::SignInCode, now), None);
        // A link token made with the same key is not a pending sign-in.
        let link = crate::auth::link_token::LinkTokens::new(b"kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk")
            .issue_password(
                crate::auth::link_token::PasswordLink {
                    user: UserId::generate(),
                    generation: 0,
                },
                now + Duration::minutes(5),
            )
            .unwrap();
        assert_eq!(pending.verify(&link, Owed::SignInCode, now), None);
    }
}
