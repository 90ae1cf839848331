//! Whether a share is visible now: the one rule every read of another
//! tenant's shared streams applies (the SDS reads, the community search,
//! the portal's Tenants tab). Hiding never deletes: a share hidden by a
//! pause or a deactivation shows again, unchanged, once both sides are
//! Active again.

use super::membership::CommunityTenantStatus;
use super::role::{Role, RoleSet};
use super::tenant::TenantState;

/// One side of a share as it stands now: the tenant's membership status in
/// the community and the tenant's own provisioning state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Standing {
    pub membership: CommunityTenantStatus,
    pub tenant: TenantState,
}

/// Whether the sharing tenant's shares are shown to the community now:
/// its sharing there is Active and the tenant itself is Active. A
/// deactivated tenant can no longer sign in to unshare, so its shares hide
/// exactly as a pause hides them.
pub fn sharer_shown(sharer: Standing) -> bool {
    sharer.membership == CommunityTenantStatus::Active && sharer.tenant.is_active()
}

/// Whether a reader sees other tenants' shares: its own tenant stands as a
/// shown sharer would (both sides Active), and the identity holds Community
/// Member there.
pub fn reader_sees(reader: Standing, roles: RoleSet) -> bool {
    roles.contains(Role::CommunityMember) && sharer_shown(reader)
}

#[cfg(test)]
mod tests {
    use super::*;
    use CommunityTenantStatus as M;
    use TenantState as T;

    fn at(membership: M, tenant: T) -> Standing {
        Standing { membership, tenant }
    }

    #[test]
    fn only_an_active_tenant_sharing_actively_is_shown() {
        assert!(sharer_shown(at(M::Active, T::Active)));
        for m in [M::Paused, M::AwaitingConfirmation, M::None, M::Remove] {
            assert!(!sharer_shown(at(m, T::Active)), "{m:?}");
        }
        for t in [T::Deactivated, T::Deactivating, T::Locked, T::Deleting] {
            assert!(!sharer_shown(at(M::Active, t)), "{t:?}");
        }
    }

    #[test]
    fn a_reader_needs_community_member_as_well() {
        let member = RoleSet::of(&[Role::CommunityMember]);
        let admin_only = RoleSet::of(&[Role::TenantAdministrator]);
        assert!(reader_sees(at(M::Active, T::Active), member));
        assert!(!reader_sees(at(M::Active, T::Active), admin_only));
        assert!(!reader_sees(at(M::Paused, T::Active), member));
        assert!(!reader_sees(at(M::Active, T::Deactivated), member));
    }
}
