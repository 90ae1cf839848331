//! Memberships (`CommunityTenant`), indexed by community and by tenant.

use super::codec::{decode, encode, Record};
use super::error::StoreError;
use super::tables::{MEMBERSHIPS, MEMBERSHIPS_BY_TENANT};
use super::tx::Readable;
use crate::domain::ids::{CommunityId, TenantId};
use crate::domain::membership::Membership;
use crate::domain::paging::Page;
use redb::{ReadableTable, WriteTransaction};
use uuid::Uuid;

/// Layout version 1 (see `codec::Record` for how a layout changes).
impl Record for Membership {}

pub fn get(
    tx: &impl Readable,
    community: CommunityId,
    tenant: TenantId,
) -> Result<Option<Membership>, StoreError> {
    let table = tx.table(MEMBERSHIPS)?;
    let found = table.get((community.0, tenant.0))?;
    found.map(|v| decode(v.value())).transpose()
}

/// Writes a membership. The by-tenant index lists only communities the
/// tenant is in (Active or Paused): an awaiting tenant has not joined yet.
pub fn put(tx: &WriteTransaction, membership: &Membership) -> Result<(), StoreError> {
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
    tx: &WriteTransaction,
    community: CommunityId,
    tenant: TenantId,
) -> Result<(), StoreError> {
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
    let table = tx.table(MEMBERSHIPS)?;
    let mut out = Vec::new();
    for entry in table.range((community.0, Uuid::nil())..=(community.0, Uuid::max()))? {
        out.push(decode(entry?.1.value())?);
    }
    Ok(out)
}

/// One page of the communities a tenant is in, oldest first.
pub fn communities_of_tenant(
    tx: &impl Readable,
    tenant: TenantId,
    page: Page,
) -> Result<Vec<CommunityId>, StoreError> {
    let index = tx.table(MEMBERSHIPS_BY_TENANT)?;
    let mut out = Vec::new();
    let range = index.range((tenant.0, Uuid::nil())..=(tenant.0, Uuid::max()))?;
    for entry in range.skip(page.skip).take(page.count) {
        out.push(CommunityId(entry?.0.value().1));
    }
    Ok(out)
}
