//! A user invitation: a Tenant Administrator asks a user of the tenant (by
//! email) to set a password and sign in. One per user. The email carries a
//! set-password link signed for the user's password generation at the time
//! it was issued, so the first password set through it (or any later
//! change, a resend, a withdrawal) kills the link; no token is stored.

use super::ids::{TenantId, UserId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserInvitation {
    pub id: Uuid,
    pub tenant: TenantId,
    pub user: UserId,
    pub issued: DateTime<Utc>,
    pub expires: DateTime<Utc>,
    /// When the user set a password through the invitation's link.
    pub accepted: Option<DateTime<Utc>>,
    /// Whether an email was sent for this issue of the invitation.
    pub send_invitation: bool,
    /// The user's password generation the link was signed for.
    pub generation: u32,
}

/// AVEVA's `UserInvitationState` (`None`, `InvitationEmailSent`,
/// `InvitationAccepted`), plus `InvitationExpired` for a link that ran out
/// unused, which the library's enum has no value for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UserInvitationState {
    None,
    InvitationEmailSent,
    InvitationAccepted,
    InvitationExpired,
}

impl UserInvitationState {
    pub fn name(self) -> &'static str {
        match self {
            UserInvitationState::None => "None",
            UserInvitationState::InvitationEmailSent => "InvitationEmailSent",
            UserInvitationState::InvitationAccepted => "InvitationAccepted",
            UserInvitationState::InvitationExpired => "InvitationExpired",
        }
    }

    /// How the portal's Users page says it.
    pub fn label(self) -> &'static str {
        match self {
            UserInvitationState::None => "Invited, no email sent",
            UserInvitationState::InvitationEmailSent => "Invitation sent",
            UserInvitationState::InvitationAccepted => "Accepted",
            UserInvitationState::InvitationExpired => "Invitation expired",
        }
    }
}

impl UserInvitation {
    /// A fresh invitation for `user`, whose password generation is
    /// `generation`, working until `expires`.
    pub fn issue(
        tenant: TenantId,
        user: UserId,
        generation: u32,
        send_invitation: bool,
        now: DateTime<Utc>,
        expires: DateTime<Utc>,
    ) -> Self {
        Self {
            id: Uuid::now_v7(),
            tenant,
            user,
            issued: now,
            expires,
            accepted: None,
            send_invitation,
            generation,
        }
    }

    /// Issued again (a resend): a new link under the user's new password
    /// generation, a new expiry, not accepted. The id stays.
    pub fn reissue(
        &mut self,
        generation: u32,
        send_invitation: bool,
        now: DateTime<Utc>,
        expires: DateTime<Utc>,
    ) {
        self.issued = now;
        self.expires = expires;
        self.accepted = None;
        self.send_invitation = send_invitation;
        self.generation = generation;
    }

    /// Derived from the stored facts at `now`.
    pub fn state_at(&self, now: DateTime<Utc>) -> UserInvitationState {
        if self.accepted.is_some() {
            UserInvitationState::InvitationAccepted
        } else if self.expires <= now {
            UserInvitationState::InvitationExpired
        } else if self.send_invitation {
            UserInvitationState::InvitationEmailSent
        } else {
            UserInvitationState::None
        }
    }

    /// Whether a set-password link under `generation` is this invitation's
    /// own, still waiting to be used.
    pub fn is_answered_by(&self, generation: u32) -> bool {
        self.accepted.is_none() && self.generation == generation
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn the_state_follows_acceptance_expiry_and_whether_an_email_went() {
        let now = Utc::now();
        let mut i = UserInvitation::issue(
            TenantId::generate(),
            UserId::generate(),
            3,
            true,
            now,
            now + Duration::days(7),
        );
        assert_eq!(i.state_at(now), UserInvitationState::InvitationEmailSent);
        assert_eq!(
            i.state_at(now + Duration::days(7)),
            UserInvitationState::InvitationExpired
        );
        assert!(i.is_answered_by(3) && !i.is_answered_by(2));
        i.accepted = Some(now);
        assert_eq!(
            i.state_at(now + Duration::days(8)),
            UserInvitationState::InvitationAccepted
        );
        assert!(!i.is_answered_by(3));
        i.reissue(5, false, now, now + Duration::days(1));
        assert_eq!(i.state_at(now), UserInvitationState::None);
        assert!(i.is_answered_by(5));
    }
}
