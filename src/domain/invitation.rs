//! Invitations and their state machine:
//! Created -> Accepted -> Completed, Created -> Declined,
//! Created | Accepted -> Expired (time), Created | Expired -> Created (resend).

use super::email::EmailAddress;
use super::ids::{CommunityId, InvitationId, OutboxId, PrincipalId, TenantId};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// `CommunityInvitationState`. `None` is never stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum InvitationState {
    None,
    InvitationCreated,
    InvitationAccepted,
    InvitationDeclined,
    InvitationExpired,
    InvitationCompleted,
}

impl InvitationState {
    pub fn name(self) -> &'static str {
        match self {
            Self::None => "None",
            Self::InvitationCreated => "InvitationCreated",
            Self::InvitationAccepted => "InvitationAccepted",
            Self::InvitationDeclined => "InvitationDeclined",
            Self::InvitationExpired => "InvitationExpired",
            Self::InvitationCompleted => "InvitationCompleted",
        }
    }

    /// Words for people, as the OCS portal shows them.
    pub fn label(self) -> &'static str {
        match self {
            Self::None => "None",
            Self::InvitationCreated => "Invitation Pending",
            Self::InvitationAccepted => "Invitation Accepted",
            Self::InvitationDeclined => "Invitation Declined",
            Self::InvitationExpired => "Invitation Expired",
            Self::InvitationCompleted => "Invitation Completed",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invitation {
    pub id: InvitationId,
    pub community: CommunityId,
    pub issuing_tenant: TenantId,
    pub issued_by: PrincipalId,
    pub recipient: EmailAddress,
    pub issued: DateTime<Utc>,
    pub expires: DateTime<Utc>,
    pub accepted: Option<DateTime<Utc>>,
    /// The stored state; read `state_at(now)` for the effective one.
    pub state: InvitationState,
    pub invited_tenant: Option<TenantId>,
    pub accepted_by: Option<PrincipalId>,
    pub accepted_user_email: Option<EmailAddress>,
    /// Bumped by Resend; a link carries the generation it was minted for.
    pub generation: u32,
    /// Set when the inviting side deleted (withdrew) the invitation.
    pub withdrawn: Option<DateTime<Utc>>,
    /// The outbox entry of the latest invitation email.
    pub last_email: Option<OutboxId>,
    /// The generation whose "expires soon" reminder is settled (queued, or
    /// found not to be due); 0: none yet. A generation is reminded once.
    pub reminded: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum InvitationError {
    #[error("the invitation is {}; it cannot be {action}", .state.name())]
    WrongState {
        state: InvitationState,
        action: &'static str,
    },
    #[error("the invitation was withdrawn by the inviting tenant")]
    Withdrawn,
}

impl Invitation {
    pub fn new(
        community: CommunityId,
        issuing_tenant: TenantId,
        issued_by: PrincipalId,
        recipient: EmailAddress,
        now: DateTime<Utc>,
        ttl: Duration,
    ) -> Self {
        Self {
            id: InvitationId::generate(),
            community,
            issuing_tenant,
            issued_by,
            recipient,
            issued: now,
            expires: now + ttl,
            accepted: None,
            state: InvitationState::InvitationCreated,
            invited_tenant: None,
            accepted_by: None,
            accepted_user_email: None,
            generation: 1,
            withdrawn: None,
            last_email: None,
            reminded: 0,
        }
    }

    /// The state as of `now`: Created and Accepted invitations expire on read.
    pub fn state_at(&self, now: DateTime<Utc>) -> InvitationState {
        match self.state {
            InvitationState::InvitationCreated | InvitationState::InvitationAccepted
                if now >= self.expires =>
            {
                InvitationState::InvitationExpired
            }
            state => state,
        }
    }

    /// Live invitations block a second invitation to the same address.
    pub fn is_live_at(&self, now: DateTime<Utc>) -> bool {
        self.withdrawn.is_none()
            && matches!(
                self.state_at(now),
                InvitationState::InvitationCreated | InvitationState::InvitationAccepted
            )
    }

    fn require(
        &self,
        now: DateTime<Utc>,
        allowed: &[InvitationState],
        action: &'static str,
    ) -> Result<(), InvitationError> {
        if self.withdrawn.is_some() {
            return Err(InvitationError::Withdrawn);
        }
        let state = self.state_at(now);
        if allowed.contains(&state) {
            Ok(())
        } else {
            Err(InvitationError::WrongState { state, action })
        }
    }

    pub fn accept(
        &mut self,
        now: DateTime<Utc>,
        tenant: TenantId,
        by: PrincipalId,
        user_email: Option<EmailAddress>,
    ) -> Result<(), InvitationError> {
        self.require(now, &[InvitationState::InvitationCreated], "accepted")?;
        self.state = InvitationState::InvitationAccepted;
        self.accepted = Some(now);
        self.invited_tenant = Some(tenant);
        self.accepted_by = Some(by);
        self.accepted_user_email = user_email;
        Ok(())
    }

    pub fn decline(&mut self, now: DateTime<Utc>) -> Result<(), InvitationError> {
        self.require(now, &[InvitationState::InvitationCreated], "declined")?;
        self.state = InvitationState::InvitationDeclined;
        Ok(())
    }

    pub fn confirm(&mut self, now: DateTime<Utc>) -> Result<(), InvitationError> {
        self.require(now, &[InvitationState::InvitationAccepted], "confirmed")?;
        self.state = InvitationState::InvitationCompleted;
        Ok(())
    }

    /// A fresh link and a fresh lifetime; every older link stops working.
    pub fn resend(&mut self, now: DateTime<Utc>, ttl: Duration) -> Result<(), InvitationError> {
        self.require(
            now,
            &[
                InvitationState::InvitationCreated,
                InvitationState::InvitationExpired,
            ],
            "resent",
        )?;
        self.state = InvitationState::InvitationCreated;
        self.issued = now;
        self.expires = now + ttl;
        self.generation += 1;
        // An acceptance that expired unconfirmed does not carry over: the
        // invitation starts over and any tenant owning the address may answer.
        self.accepted = None;
        self.invited_tenant = None;
        self.accepted_by = None;
        self.accepted_user_email = None;
        Ok(())
    }

    /// Makes a time-based expiry durable (the sweep). Returns whether it changed.
    pub fn settle_expiry(&mut self, now: DateTime<Utc>) -> bool {
        let effective = self.state_at(now);
        let changed = effective != self.state;
        self.state = effective;
        changed
    }

    /// Still owes its current generation a reminder: stored Created, not
    /// withdrawn, not yet reminded. Accepting, declining or withdrawing it
    /// settles that for good; a Resend (a new generation) owes one again.
    pub fn awaits_reminder(&self) -> bool {
        self.withdrawn.is_none()
            && self.state == InvitationState::InvitationCreated
            && self.reminded < self.generation
    }

    /// When the recipient is reminded, `before` the expiry; `None` when
    /// the whole lifetime given at sending was no longer than `before`
    /// (the email just sent already says how long is left) or reminders
    /// are off (`before` is zero).
    pub fn reminder_due(&self, before: Duration) -> Option<DateTime<Utc>> {
        let lifetime = self.expires - self.issued;
        (before > Duration::zero() && lifetime > before).then(|| self.expires - before)
    }

    /// Marks the current generation reminded (whether an email went out or
    /// none was due).
    pub fn settle_reminder(&mut self) {
        self.reminded = self.generation;
    }

    pub fn withdraw(&mut self, now: DateTime<Utc>) -> Result<(), InvitationError> {
        if self.withdrawn.is_some() {
            return Err(InvitationError::Withdrawn);
        }
        self.withdrawn = Some(now);
        self.generation += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::UserId;
    use InvitationState as S;

    fn invitation(now: DateTime<Utc>) -> Invitation {
        Invitation::new(
            CommunityId::generate(),
            TenantId::generate(),
            PrincipalId::User(UserId::generate()),
            EmailAddress::parse("b@example.com").unwrap(),
            now,
            Duration::days(14),
        )
    }

    fn by() -> PrincipalId {
        PrincipalId::User(UserId::generate())
    }

    #[test]
    fn the_happy_path_is_created_accepted_completed() {
        let now = Utc::now();
        let mut inv = invitation(now);
        assert_eq!(inv.state_at(now), S::InvitationCreated);
        inv.accept(now, TenantId::generate(), by(), None).unwrap();
        assert_eq!(inv.state, S::InvitationAccepted);
        assert!(inv.invited_tenant.is_some() && inv.accepted == Some(now));
        inv.confirm(now).unwrap();
        assert_eq!(inv.state, S::InvitationCompleted);
    }

    #[test]
    fn only_created_invitations_can_be_declined_or_accepted() {
        let now = Utc::now();
        let mut inv = invitation(now);
        inv.decline(now).unwrap();
        let err = inv
            .accept(now, TenantId::generate(), by(), None)
            .unwrap_err();
        assert_eq!(
            err,
            InvitationError::WrongState {
                state: S::InvitationDeclined,
                action: "accepted"
            }
        );
        assert!(inv.decline(now).is_err());
        assert!(inv.confirm(now).is_err());
    }

    #[test]
    fn double_accept_is_refused_and_names_the_state() {
        let now = Utc::now();
        let mut inv = invitation(now);
        inv.accept(now, TenantId::generate(), by(), None).unwrap();
        let err = inv
            .accept(now, TenantId::generate(), by(), None)
            .unwrap_err();
        assert!(err.to_string().contains("InvitationAccepted"));
    }

    #[test]
    fn created_and_accepted_invitations_expire_on_read() {
        let now = Utc::now();
        let later = now + Duration::days(15);
        let mut inv = invitation(now);
        assert_eq!(inv.state_at(later), S::InvitationExpired);
        assert!(inv.accept(later, TenantId::generate(), by(), None).is_err());
        inv.accept(now, TenantId::generate(), by(), None).unwrap();
        assert_eq!(inv.state_at(later), S::InvitationExpired);
        assert!(inv.confirm(later).is_err());
        assert!(inv.settle_expiry(later));
        assert_eq!(inv.state, S::InvitationExpired);
    }

    #[test]
    fn completed_and_declined_invitations_never_expire() {
        let now = Utc::now();
        let mut inv = invitation(now);
        inv.decline(now).unwrap();
        assert_eq!(
            inv.state_at(now + Duration::days(30)),
            S::InvitationDeclined
        );
    }

    #[test]
    fn resend_renews_expiry_and_bumps_the_generation() {
        let now = Utc::now();
        let later = now + Duration::days(20);
        let mut inv = invitation(now);
        inv.resend(later, Duration::days(14)).unwrap();
        assert_eq!(inv.generation, 2);
        assert_eq!(inv.expires, later + Duration::days(14));
        assert_eq!(inv.state_at(later), S::InvitationCreated);
        inv.accept(later, TenantId::generate(), by(), None).unwrap();
        assert!(inv.resend(later, Duration::days(14)).is_err());
    }

    #[test]
    fn resending_an_expired_acceptance_starts_the_invitation_over() {
        let now = Utc::now();
        let mut inv = invitation(now);
        inv.accept(now, TenantId::generate(), by(), None).unwrap();
        let later = now + Duration::days(15);
        inv.resend(later, Duration::days(14)).unwrap();
        assert_eq!(inv.state_at(later), S::InvitationCreated);
        assert!(inv.accepted.is_none() && inv.invited_tenant.is_none());
        assert!(inv.accepted_by.is_none());
    }

    #[test]
    fn a_reminder_is_owed_once_per_generation_while_unanswered() {
        let now = Utc::now();
        let mut inv = invitation(now);
        assert!(inv.awaits_reminder());
        inv.settle_reminder();
        assert!(!inv.awaits_reminder(), "none twice");
        inv.resend(now, Duration::days(14)).unwrap();
        assert!(inv.awaits_reminder(), "a new generation earns one");
        let mut accepted = invitation(now);
        accepted
            .accept(now, TenantId::generate(), by(), None)
            .unwrap();
        assert!(!accepted.awaits_reminder());
        let mut declined = invitation(now);
        declined.decline(now).unwrap();
        assert!(!declined.awaits_reminder());
        let mut withdrawn = invitation(now);
        withdrawn.withdraw(now).unwrap();
        assert!(!withdrawn.awaits_reminder());
    }

    #[test]
    fn the_reminder_is_due_before_expiry_unless_the_lifetime_was_shorter() {
        let now = Utc::now();
        let inv = invitation(now);
        assert_eq!(
            inv.reminder_due(Duration::days(2)),
            Some(inv.expires - Duration::days(2))
        );
        assert_eq!(inv.reminder_due(Duration::zero()), None, "off");
        assert_eq!(inv.reminder_due(Duration::days(14)), None);
        assert_eq!(inv.reminder_due(Duration::days(20)), None);
    }

    #[test]
    fn withdrawn_invitations_refuse_everything() {
        let now = Utc::now();
        let mut inv = invitation(now);
        inv.withdraw(now).unwrap();
        assert_eq!(
            inv.accept(now, TenantId::generate(), by(), None),
            Err(InvitationError::Withdrawn)
        );
        assert_eq!(inv.withdraw(now), Err(InvitationError::Withdrawn));
        assert!(!inv.is_live_at(now));
    }
}
