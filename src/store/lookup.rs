//! What `memo` remembers answers to. A `Lookup<T>` names one lookup and,
//! in its type, the record remembered for it. Lookups are made only by the
//! constructors below, each of which fixes its kind's record type, so a
//! key cannot be met with a record of another type: a recall either finds
//! its own record or nothing.

use crate::domain::community::Community;
use crate::domain::identity::Holder;
use crate::domain::ids::{CommunityId, InvitationId, PrincipalId, TenantId};
use crate::domain::invitation::Invitation;
use crate::domain::membership::Membership;
use crate::domain::role::RoleSet;
use crate::domain::tenant::Tenant;
use crate::domain::trusted_domains::TrustedDomains;
use std::any::TypeId;
use std::marker::PhantomData;

/// The kinds of lookup. Each is made by one constructor of `Lookup`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub(super) enum Kind {
    Tenant,
    Principal,
    Community,
    CommunityShareCounts,
    CommunityRegion,
    CommunityTrustedDomains,
    Invitation,
    Membership,
    CommunityMemberships,
    MemberProfile,
    Grant,
    GrantCounts,
    /// A use case's view of a community. The view's type belongs to the
    /// use case, so it is part of the kind: two types never share a key.
    CommunityView(TypeId),
}

/// One lookup: its kind and up to three ids; `T` is what it answers.
pub struct Lookup<T> {
    pub(super) kind: Kind,
    pub(super) ids: [u128; 3],
    record: PhantomData<fn() -> T>,
}

impl<T> Lookup<T> {
    /// For a kind whose record type lives with its table (see
    /// `profiles::MemberProfile`); every other kind has its constructor here.
    pub(super) fn new(kind: Kind, ids: [u128; 3]) -> Self {
        Self {
            kind,
            ids,
            record: PhantomData,
        }
    }
}

impl Lookup<Option<Tenant>> {
    pub(super) fn tenant(id: TenantId) -> Self {
        Self::new(Kind::Tenant, [id.0.as_u128(), 0, 0])
    }
}

impl Lookup<Option<Holder>> {
    /// A user's or client's tenant and the tenant roles it holds.
    pub(super) fn principal(id: PrincipalId) -> Self {
        Self::new(
            Kind::Principal,
            [id.as_uuid().as_u128(), id.kind() as u128, 0],
        )
    }
}

impl Lookup<Option<Community>> {
    pub(super) fn community(id: CommunityId) -> Self {
        Self::new(Kind::Community, [id.0.as_u128(), 0, 0])
    }
}

impl Lookup<Vec<(TenantId, u64)>> {
    /// Streams shared into a community, counted by sharing tenant.
    pub(super) fn community_share_counts(community: CommunityId) -> Self {
        Self::new(Kind::CommunityShareCounts, [community.0.as_u128(), 0, 0])
    }
}

impl Lookup<Option<String>> {
    pub(super) fn community_region(community: CommunityId) -> Self {
        Self::new(Kind::CommunityRegion, [community.0.as_u128(), 0, 0])
    }
}

impl Lookup<Option<TrustedDomains>> {
    pub(super) fn community_trusted_domains(community: CommunityId) -> Self {
        Self::new(Kind::CommunityTrustedDomains, [community.0.as_u128(), 0, 0])
    }
}

impl Lookup<Option<Invitation>> {
    pub(super) fn invitation(id: InvitationId) -> Self {
        Self::new(Kind::Invitation, [id.0.as_u128(), 0, 0])
    }
}

impl Lookup<Option<Membership>> {
    pub(super) fn membership(community: CommunityId, tenant: TenantId) -> Self {
        Self::new(
            Kind::Membership,
            [community.0.as_u128(), tenant.0.as_u128(), 0],
        )
    }
}

impl Lookup<Vec<Membership>> {
    pub(super) fn community_memberships(community: CommunityId) -> Self {
        Self::new(Kind::CommunityMemberships, [community.0.as_u128(), 0, 0])
    }
}

impl Lookup<RoleSet> {
    pub(super) fn grant(community: CommunityId, tenant: TenantId, who: PrincipalId) -> Self {
        Self::new(
            Kind::Grant,
            [
                community.0.as_u128(),
                tenant.0.as_u128(),
                who.as_uuid().as_u128(),
            ],
        )
    }
}

impl Lookup<(u32, u32)> {
    /// Users and clients of `tenant` holding a role in `community`.
    pub(super) fn grant_counts(community: CommunityId, tenant: TenantId) -> Self {
        Self::new(
            Kind::GrantCounts,
            [community.0.as_u128(), tenant.0.as_u128(), 0],
        )
    }
}

impl<V: 'static> Lookup<V> {
    /// `viewer`'s view of `community` as one of `tenant`'s principals.
    pub(super) fn community_view(
        community: CommunityId,
        viewer: PrincipalId,
        tenant: TenantId,
    ) -> Self {
        Self::new(
            Kind::CommunityView(TypeId::of::<V>()),
            [
                community.0.as_u128(),
                viewer.as_uuid().as_u128(),
                tenant.0.as_u128(),
            ],
        )
    }
}
