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

/// The table. Read it as "operation: roles that may do it".
const PERMISSIONS: &[(Operation, &[Role])] = &[
    (ViewTenant, &[TenantMember, TenantAdministrator]),
    (UpdateTenant, &[TenantAdministrator]),
    (ListCommunities, &[TenantMember, TenantAdministrator]),
    (CreateCommunity, &[TenantAdministrator]),
    (
        ViewCommunity,
        &[
            CommunityMember,
            CommunityModerator,
            CommunityAdministrator,
            TenantAdministrator,
        ],
    ),
    (EditCommunity, &[CommunityAdministrator]),
    (DeleteCommunity, &[CommunityAdministrator]),
    (
        SetCommunityAlias,
        &[CommunityAdministrator, TenantAdministrator],
    ),
    (
        ViewSummary,
        &[
            CommunityMember,
            CommunityModerator,
            CommunityAdministrator,
            TenantMember,
            TenantAdministrator,
        ],
    ),
    (
        ListCommunityRoles,
        &[
            CommunityMember,
            CommunityModerator,
            CommunityAdministrator,
            TenantAdministrator,
        ],
    ),
    (InviteTenant, &[CommunityAdministrator, CommunityModerator]),
    (
        ViewInvitations,
        &[
            CommunityMember,
            CommunityModerator,
            CommunityAdministrator,
            TenantAdministrator,
        ],
    ),
    (
        ResendInvitation,
        &[CommunityAdministrator, CommunityModerator],
    ),
    (
        WithdrawInvitation,
        &[
            CommunityAdministrator,
            CommunityModerator,
            TenantAdministrator,
        ],
    ),
    (ConfirmTenant, &[CommunityAdministrator]),
    (AnswerInvitation, &[TenantAdministrator]),
    (PauseOrResumeTenant, &[CommunityAdministrator]),
    (RemoveTenant, &[CommunityAdministrator, CommunityModerator]),
    (
        LeaveCommunity,
        &[CommunityAdministrator, TenantAdministrator],
    ),
    (
        GrantCommunityRoles,
        &[
            CommunityAdministrator,
            CommunityModerator,
            TenantAdministrator,
        ],
    ),
    (
        GrantCommunityAdministrator,
        &[CommunityAdministrator, TenantAdministrator],
    ),
];

impl Operation {
    pub fn allowed_roles(self) -> &'static [Role] {
        PERMISSIONS
            .iter()
            .find(|(op, _)| *op == self)
            .map(|(_, roles)| *roles)
            .unwrap_or(&[])
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
    fn every_operation_has_a_row() {
        let all = [
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
        ];
        for op in all {
            assert!(!op.allowed_roles().is_empty(), "{op:?} has no roles");
        }
    }

    #[test]
    fn members_cannot_invite_but_moderators_can() {
        assert!(!InviteTenant.allows(RoleSet::of(&[CommunityMember, TenantMember])));
        assert!(InviteTenant.allows(RoleSet::of(&[CommunityModerator])));
        assert!(!ConfirmTenant.allows(RoleSet::of(&[CommunityModerator, TenantAdministrator])));
        assert!(AnswerInvitation.allows(RoleSet::of(&[TenantAdministrator])));
        assert!(!AnswerInvitation.allows(RoleSet::of(&[CommunityAdministrator])));
    }
}
