//! A tenant's membership of a community (`CommunityTenant`) and its status
//! machine: AwaitingConfirmation -> Active <-> Paused; removal deletes it.

use super::ids::{CommunityId, InvitationId, TenantId};
use super::invitation::{Invitation, InvitationState};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// `CommunityTenantStatus` as OCS names it. `None` and `Remove` are never
/// stored: `Remove` is a request, and a removed membership is deleted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CommunityTenantStatus {
    None,
    AwaitingConfirmation,
    Paused,
    Active,
    Remove,
}

impl CommunityTenantStatus {
    /// Words for people, as the portal shows them.
    pub fn label(self) -> &'static str {
        match self {
            Self::None => "None",
            Self::AwaitingConfirmation => "Awaiting Confirmation",
            Self::Paused => "Sharing Paused",
            Self::Active => "Sharing Active",
            Self::Remove => "Removed",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::None => "None",
            Self::AwaitingConfirmation => "AwaitingConfirmation",
            Self::Paused => "Paused",
            Self::Active => "Active",
            Self::Remove => "Remove",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Membership {
    pub community: CommunityId,
    pub tenant: TenantId,
    pub status: CommunityTenantStatus,
    pub is_owner: bool,
    pub joined: DateTime<Utc>,
    /// This tenant's own name for the community; `None` shows the name.
    pub alias: Option<String>,
    /// The invitation through which the tenant joined (none for the owner).
    pub invitation: Option<InvitationId>,
    /// Who paused it, while Paused: decides who may resume (SPEC 3).
    pub paused_by: Option<PausedBy>,
}

/// Which side put a membership in Paused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PausedBy {
    /// The member tenant paused its own sharing.
    Itself,
    /// The owner tenant's Community Administrator paused it.
    Owner,
}

/// What a requested status means for the current one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatusChange {
    Confirm,
    Pause,
    Resume,
    Remove,
    /// The membership already has the requested status.
    Unchanged,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StatusError {
    #[error("the tenant's status is {current}; it cannot become {requested}", current = .current.name(), requested = .requested.name())]
    Illegal {
        current: CommunityTenantStatus,
        requested: CommunityTenantStatus,
    },
    #[error("the owner tenant cannot be removed from its community and cannot leave it; delete the community instead")]
    OwnerCannotLeave,
    #[error("{requested} is not a status that can be requested; use Active, Paused or Remove", requested = .0.name())]
    NotRequestable(CommunityTenantStatus),
}

impl Membership {
    /// Decides what a request for `requested` does to this membership.
    pub fn change_to(&self, requested: CommunityTenantStatus) -> Result<StatusChange, StatusError> {
        use CommunityTenantStatus as S;
        let illegal = StatusError::Illegal {
            current: self.status,
            requested,
        };
        match (self.status, requested) {
            (_, S::None | S::AwaitingConfirmation) => Err(StatusError::NotRequestable(requested)),
            (_, S::Remove) if self.is_owner => Err(StatusError::OwnerCannotLeave),
            (_, S::Remove) => Ok(StatusChange::Remove),
            (S::AwaitingConfirmation, S::Active) => Ok(StatusChange::Confirm),
            (S::Paused, S::Active) => Ok(StatusChange::Resume),
            (S::Active, S::Paused) => Ok(StatusChange::Pause),
            (current, wanted) if current == wanted => Ok(StatusChange::Unchanged),
            _ => Err(illegal),
        }
    }

    /// An awaiting membership lasts only while the accepted invitation it
    /// waits on does: once that invitation expired (even before the sweep
    /// stores it so), was withdrawn or started over by a Resend, the tenant
    /// is no longer waiting and may be invited and accept again. Other
    /// statuses do not depend on an invitation.
    pub fn is_current(&self, waiting_on: Option<&Invitation>, now: DateTime<Utc>) -> bool {
        if self.status != CommunityTenantStatus::AwaitingConfirmation {
            return true;
        }
        waiting_on.is_some_and(|inv| {
            Some(inv.id) == self.invitation
                && inv.invited_tenant == Some(self.tenant)
                && inv.is_live_at(now)
                && inv.state_at(now) == InvitationState::InvitationAccepted
        })
    }

    /// Active and Paused tenants are in the community; an awaiting one is not yet.
    pub fn is_in(&self) -> bool {
        matches!(
            self.status,
            CommunityTenantStatus::Active | CommunityTenantStatus::Paused
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use CommunityTenantStatus as S;

    fn member(status: S, is_owner: bool) -> Membership {
        Membership {
            community: CommunityId::generate(),
            tenant: TenantId::generate(),
            status,
            is_owner,
            joined: Utc::now(),
            alias: None,
            invitation: None,
            paused_by: None,
        }
    }

    #[test]
    fn every_transition_of_the_status_machine() {
        let cases = [
            (
                S::AwaitingConfirmation,
                S::Active,
                Ok(StatusChange::Confirm),
            ),
            (S::AwaitingConfirmation, S::Paused, Err(())),
            (S::AwaitingConfirmation, S::Remove, Ok(StatusChange::Remove)),
            (S::Active, S::Paused, Ok(StatusChange::Pause)),
            (S::Active, S::Active, Ok(StatusChange::Unchanged)),
            (S::Active, S::Remove, Ok(StatusChange::Remove)),
            (S::Paused, S::Active, Ok(StatusChange::Resume)),
            (S::Paused, S::Paused, Ok(StatusChange::Unchanged)),
            (S::Paused, S::Remove, Ok(StatusChange::Remove)),
        ];
        for (from, to, expected) in cases {
            let got = member(from, false).change_to(to).map_err(|_| ());
            assert_eq!(got, expected, "{from:?} -> {to:?}");
        }
    }

    #[test]
    fn illegal_transitions_name_the_current_status() {
        let err = member(S::AwaitingConfirmation, false)
            .change_to(S::Paused)
            .unwrap_err();
        assert!(err.to_string().contains("AwaitingConfirmation"));
    }

    #[test]
    fn none_and_awaiting_cannot_be_requested() {
        for requested in [S::None, S::AwaitingConfirmation] {
            assert_eq!(
                member(S::Active, false).change_to(requested),
                Err(StatusError::NotRequestable(requested))
            );
        }
    }

    #[test]
    fn the_owner_cannot_be_removed_but_may_pause() {
        let owner = member(S::Active, true);
        assert_eq!(
            owner.change_to(S::Remove),
            Err(StatusError::OwnerCannotLeave)
        );
        assert_eq!(owner.change_to(S::Paused), Ok(StatusChange::Pause));
    }
}
