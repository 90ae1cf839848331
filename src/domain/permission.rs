//! The permission table: which roles may perform which operation. Handlers
//! and use cases ask `Operation::allows`; nobody hand-codes a role check.
//! Conditions about *which side* of a community the caller is on (owner,
//! issuing tenant, own tenant) are rules of the use case, not of this table.

use super::role::{Role, RoleSet};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    ViewTenant,
    UpdateTenant,
    ListCommunities,
    CreateCommunity,
    ViewCommunity,
    EditCommunity,
    DeleteCommunity,
    SetCommunityAlias,
    ViewSummary,
    ListCommunityRoles,
    InviteTenant,
    ViewInvitations,
    ResendInvitation,
    WithdrawInvitation,
    ConfirmTenant,
    AnswerInvitation,
    PauseOrResumeTenant,
    RemoveTenant,
    LeaveCommunity,
    GrantCommunityRoles,
    GrantCommunityAdministrator,
}

use Operation::*;
use Role::*;

/// Seeing a community: any community role, or administering a member tenant.
const COMMUNITY_VIEWERS: &[Role] = &[
    CommunityMember,
    CommunityModerator,
    CommunityAdministrator,
    TenantAdministrator,
];
const INVITERS: &[Role] = &[CommunityAdministrator, CommunityModerator];

impl Operation {
    /// The table. A `match`, so an operation without a row does not compile.
    pub fn allowed_roles(self) -> &'static [Role] {
        match self {
            ViewTenant | ListCommunities => &[TenantMember, TenantAdministrator],
            UpdateTenant | CreateCommunity | AnswerInvitation => &[TenantAdministrator],
            ViewCommunity | ListCommunityRoles | ViewInvitations => COMMUNITY_VIEWERS,
            ViewSummary => &[
                CommunityMember,
                CommunityModerator,
                CommunityAdministrator,
                TenantMember,
                TenantAdministrator,
            ],
            EditCommunity | DeleteCommunity | ConfirmTenant | PauseOrResumeTenant => {
                &[CommunityAdministrator]
            }
            SetCommunityAlias | LeaveCommunity | GrantCommunityAdministrator => {
                &[CommunityAdministrator, TenantAdministrator]
            }
            InviteTenant | ResendInvitation | RemoveTenant => INVITERS,
            WithdrawInvitation | GrantCommunityRoles => &[
                CommunityAdministrator,
                CommunityModerator,
                TenantAdministrator,
            ],
        }
    }

    pub fn allows(self, held: RoleSet) -> bool {
        self.allowed_roles().iter().any(|r| held.contains(*r))
    }

    /// For error messages: "requires Community Administrator or Community Moderator".
    pub fn describe_roles(self) -> String {
        let names: Vec<&str> = self.allowed_roles().iter().map(|r| r.name()).collect();
        names.join(" or ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_cannot_invite_but_moderators_can() {
        assert!(!InviteTenant.allows(RoleSet::of(&[CommunityMember, TenantMember])));
        assert!(InviteTenant.allows(RoleSet::of(&[CommunityModerator])));
        assert!(!ConfirmTenant.allows(RoleSet::of(&[CommunityModerator, TenantAdministrator])));
        assert!(AnswerInvitation.allows(RoleSet::of(&[TenantAdministrator])));
        assert!(!AnswerInvitation.allows(RoleSet::of(&[CommunityAdministrator])));
    }
}
