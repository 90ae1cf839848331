//! The permission table: which roles may perform which operation. Handlers
//! and use cases ask `Operation::allows`; nobody hand-codes a role check.
//! Conditions about *which side* of a community the caller is on (owner,
//! issuing tenant, own tenant) are rules of the use case, not of this table.
//!
//! A second, shorter table says what a paused membership may not do
//! (`Operation::allowed_while_paused`, `may_resume`). In SPEC's words: a
//! tenant that paused itself may resume; a tenant paused by the owner's
//! Community Administrator stays paused until the owner side resumes it;
//! and a paused tenant cannot invite.

use super::membership::PausedBy;
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
    /// Create, change and delete the tenant's clients and their secrets.
    ManageClients,
    /// Add, change, invite and remove the tenant's users.
    ManageUsers,
    /// Create, change and delete the tenant's custom roles.
    ManageRoles,
    /// Add, change and remove the tenant's identity providers.
    ManageSignIn,
    /// See who read the tenant's shared streams in a community, and its
    /// own reads there.
    ViewUsage,
    /// Read the tenant's audit log and export it.
    ViewAuditLog,
    /// Register, change and delete the tenant's webhook endpoints, read
    /// their delivery logs and send deliveries again.
    ManageWebhooks,
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
            UpdateTenant | CreateCommunity | AnswerInvitation | ManageClients | ManageUsers
            | ManageRoles | ManageSignIn | ViewAuditLog | ManageWebhooks => &[TenantAdministrator],
            ViewCommunity | ListCommunityRoles | ViewInvitations | ViewUsage => COMMUNITY_VIEWERS,
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

    /// What a tenant whose membership is Paused may still do. Pausing stops
    /// its sharing and its growing of the community: it sends no invitation
    /// (new or resent) and confirms no tenant until it is resumed.
    pub fn allowed_while_paused(self) -> bool {
        !matches!(self, InviteTenant | ResendInvitation | ConfirmTenant)
    }

    /// For error messages: "requires Community Administrator or Community Moderator".
    pub fn describe_roles(self) -> String {
        let names: Vec<&str> = self.allowed_roles().iter().map(|r| r.name()).collect();
        names.join(" or ")
    }
}

/// Who may resume a paused membership: the side that paused it. The tenant
/// itself resumes its own pause (the owner cannot switch a tenant's sharing
/// back on for it); a pause by the owner side is lifted only by the owner
/// side. `by_itself`: the caller is of the paused tenant; `by_owner_side`:
/// the caller is of the tenant that owns the community (both, when the
/// owner paused its own sharing). `None` (a pause of unknown origin) is
/// treated as the owner's.
pub fn may_resume(paused_by: Option<PausedBy>, by_itself: bool, by_owner_side: bool) -> bool {
    match paused_by {
        Some(PausedBy::Itself) => by_itself,
        Some(PausedBy::Owner) | None => by_owner_side,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_paused_tenant_cannot_invite_resend_or_confirm() {
        for op in [InviteTenant, ResendInvitation, ConfirmTenant] {
            assert!(!op.allowed_while_paused(), "{op:?}");
        }
        for op in [
            ViewCommunity,
            LeaveCommunity,
            PauseOrResumeTenant,
            WithdrawInvitation,
        ] {
            assert!(op.allowed_while_paused(), "{op:?}");
        }
    }

    #[test]
    fn only_the_side_that_paused_may_resume() {
        use PausedBy::*;
        // (paused by, caller is the tenant itself, caller is the owner side)
        let cases = [
            (Some(Itself), true, false, true),
            (Some(Itself), false, true, false),
            (Some(Owner), true, false, false),
            (Some(Owner), false, true, true),
            // the owner tenant pausing and resuming its own sharing
            (Some(Itself), true, true, true),
            (None, true, false, false),
            (None, false, true, true),
        ];
        for (by, itself, owner, expected) in cases {
            assert_eq!(
                may_resume(by, itself, owner),
                expected,
                "{by:?} {itself} {owner}"
            );
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
