//! Memberships (`CommunityTenant`), indexed by community and by tenant.

use super::codec::{decode, encode, layout, Record};
use super::error::StoreError;
use super::lookup::Lookup;
use super::tables::{MEMBERSHIPS, MEMBERSHIPS_BY_TENANT};
use super::tx::{redb_or_pg, redb_write_or_pg, Readable, RedbReadable, Writable};
use crate::domain::ids::{CommunityId, InvitationId, TenantId};
use crate::domain::membership::{CommunityTenantStatus, Membership};
use crate::domain::paging::Page;
use chrono::{DateTime, Utc};
use redb::ReadableTable;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Layout 2 added `paused_by`; layout 1 is converted on read.
impl Record for Membership {
    const VERSION: u8 = 2;

    fn decode_older(version: u8, body: &[u8]) -> Result<Self, StoreError> {
        match version {
            1 => Ok(layout::<MembershipV1>(body)?.into()),
            _ => Err(StoreError::Codec(format!(
                "unknown membership record version {version}"
            ))),
        }
    }
}

/// A membership as the first release stored it, before `paused_by`.
#[derive(Serialize, Deserialize)]
struct MembershipV1 {
    community: CommunityId,
    tenant: TenantId,
    status: CommunityTenantStatus,
    is_owner: bool,
    joined: DateTime<Utc>,
    alias: Option<String>,
    invitation: Option<InvitationId>,
}

impl From<MembershipV1> for Membership {
    /// Who paused an old paused membership is not known; the owner side is
    /// assumed, so a pause nobody can prove was the tenant's own is not
    /// lifted by the tenant (the owner can still resume it).
    fn from(old: MembershipV1) -> Self {
        let paused_by = (old.status == CommunityTenantStatus::Paused)
            .then_some(crate::domain::membership::PausedBy::Owner);
        Membership {
            community: old.community,
            tenant: old.tenant,
            status: old.status,
            is_owner: old.is_owner,
            joined: old.joined,
            alias: old.alias,
            invitation: old.invitation,
            paused_by,
        }
    }
}

pub fn get(
    tx: &impl Readable,
    community: CommunityId,
    tenant: TenantId,
) -> Result<Option<Membership>, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| pg
        .recall(Lookup::membership(community, tenant), || {
            super::pg::memberships::get(pg, community, tenant)
        }));
    tx.recall(Lookup::membership(community, tenant), || {
        let table = tx.table(MEMBERSHIPS)?;
        let found = table.get((community.0, tenant.0))?;
        found.map(|v| decode(v.value())).transpose()
    })
}

/// Writes a membership. The by-tenant index lists only communities the
/// tenant is in (Active or Paused): an awaiting tenant has not joined yet.
pub fn put(tx: &impl Writable, membership: &Membership) -> Result<(), StoreError> {
    let tx = redb_write_or_pg!(tx, |pg| super::pg::memberships::put(pg, membership));
    let key = (membership.community.0, membership.tenant.0);
    tx.open_table(MEMBERSHIPS)?
        .insert(key, encode(membership)?.as_slice())?;
    let mut by_tenant = tx.open_table(MEMBERSHIPS_BY_TENANT)?;
    if membership.is_in() {
        by_tenant.insert((membership.tenant.0, membership.community.0), ())?;
    } else {
        by_tenant.remove((membership.tenant.0, membership.community.0))?;
    }
    Ok(())
}

pub fn remove(
    tx: &impl Writable,
    community: CommunityId,
    tenant: TenantId,
) -> Result<(), StoreError> {
    let tx = redb_write_or_pg!(tx, |pg| {
        super::pg::memberships::remove(pg, community, tenant)?;
        super::profiles::remove_member(tx, community, tenant)
    });
    tx.open_table(MEMBERSHIPS)?
        .remove((community.0, tenant.0))?;
    tx.open_table(MEMBERSHIPS_BY_TENANT)?
        .remove((tenant.0, community.0))?;
    super::profiles::remove_member(tx, community, tenant)
}

/// Every membership of a community, in tenant-id order.
pub fn of_community(
    tx: &impl Readable,
    community: CommunityId,
) -> Result<Vec<Membership>, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| pg
        .recall(Lookup::community_memberships(community), || {
            super::pg::memberships::of_community(pg, community)
        }));
    tx.recall(Lookup::community_memberships(community), || {
        let table = tx.table(MEMBERSHIPS)?;
        let mut out = Vec::new();
        for entry in table.range((community.0, Uuid::nil())..=(community.0, Uuid::max()))? {
            out.push(decode(entry?.1.value())?);
        }
        Ok(out)
    })
}

/// One page of the communities a tenant is in, oldest first.
pub fn communities_of_tenant(
    tx: &impl Readable,
    tenant: TenantId,
    page: Page,
) -> Result<Vec<CommunityId>, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| super::pg::memberships::communities_of_tenant(
        pg, tenant, page
    ));
    let index = tx.table(MEMBERSHIPS_BY_TENANT)?;
    let mut out = Vec::new();
    let range = index.range((tenant.0, Uuid::nil())..=(tenant.0, Uuid::max()))?;
    for entry in range.skip(page.skip).take(page.count) {
        out.push(CommunityId(entry?.0.value().1));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::membership::PausedBy;

    fn v1(status: CommunityTenantStatus) -> MembershipV1 {
        MembershipV1 {
            community: CommunityId::generate(),
            tenant: TenantId::generate(),
            status,
            is_owner: false,
            joined: Utc::now(),
            alias: Some("ours".into()),
            invitation: Some(InvitationId::generate()),
        }
    }

    /// Bytes exactly as the first release wrote them: version 1, then the
    /// bincode body of the old layout.
    fn old_bytes(old: &MembershipV1) -> Vec<u8> {
        let mut bytes = vec![1u8];
        bytes.extend(bincode::serde::encode_to_vec(old, bincode::config::standard()).unwrap());
        bytes
    }

    #[test]
    fn a_first_release_membership_still_decodes() {
        let old = v1(CommunityTenantStatus::Active);
        let (community, tenant, joined) = (old.community, old.tenant, old.joined);
        let back: Membership = decode(&old_bytes(&old)).unwrap();
        assert_eq!(back.community, community);
        assert_eq!(back.tenant, tenant);
        assert_eq!(back.joined, joined);
        assert_eq!(back.status, CommunityTenantStatus::Active);
        assert_eq!(back.alias.as_deref(), Some("ours"));
        assert_eq!(back.paused_by, None);
    }

    #[test]
    fn an_old_paused_membership_counts_as_paused_by_the_owner() {
        let back: Membership = decode(&old_bytes(&v1(CommunityTenantStatus::Paused))).unwrap();
        assert_eq!(back.paused_by, Some(PausedBy::Owner));
    }
}
