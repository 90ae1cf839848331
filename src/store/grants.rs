//! Community roles held by users and clients, keyed (community, tenant,
//! principal) so a tenant's grants in a community are one range.

use super::error::StoreError;
use super::lookup::Lookup;
use super::tables::GRANTS;
use super::tx::{redb_or_pg, redb_write_or_pg, Readable, RedbReadable, Writable};
use crate::domain::ids::{CommunityId, PrincipalId, PrincipalKind, TenantId};
use crate::domain::role::RoleSet;
use redb::ReadableTable;
use uuid::Uuid;

pub fn get(
    tx: &impl Readable,
    community: CommunityId,
    tenant: TenantId,
    who: PrincipalId,
) -> Result<RoleSet, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| pg
        .recall(Lookup::grant(community, tenant, who), || {
            super::pg::grants::get(pg, community, tenant, who)
        }));
    tx.recall(Lookup::grant(community, tenant, who), || {
        let table = tx.table(GRANTS)?;
        let found = table.get((community.0, tenant.0, who.as_uuid()))?;
        Ok(found
            .map(|v| RoleSet::from_bits(v.value().1))
            .unwrap_or_default())
    })
}

/// Sets the roles; an empty set removes the grant.
pub fn set(
    tx: &impl Writable,
    community: CommunityId,
    tenant: TenantId,
    who: PrincipalId,
    roles: RoleSet,
) -> Result<(), StoreError> {
    let tx = redb_write_or_pg!(tx, |pg| super::pg::grants::set(
        pg, community, tenant, who, roles
    ));
    let mut table = tx.open_table(GRANTS)?;
    let key = (community.0, tenant.0, who.as_uuid());
    if roles.is_empty() {
        table.remove(key)?;
    } else {
        table.insert(key, (who.kind().code(), roles.bits()))?;
    }
    Ok(())
}

/// The grants of one tenant's identities in a community.
pub fn of_tenant(
    tx: &impl Readable,
    community: CommunityId,
    tenant: TenantId,
) -> Result<Vec<(PrincipalId, RoleSet)>, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| super::pg::grants::of_tenant(pg, community, tenant));
    let table = tx.table(GRANTS)?;
    let mut out = Vec::new();
    for entry in
        table.range((community.0, tenant.0, Uuid::nil())..=(community.0, tenant.0, Uuid::max()))?
    {
        let (key, value) = entry?;
        let (kind, bits) = value.value();
        if let Some(kind) = PrincipalKind::from_code(kind) {
            out.push((
                PrincipalId::from_parts(kind, key.value().2),
                RoleSet::from_bits(bits),
            ));
        }
    }
    Ok(out)
}

/// (users, clients) of a tenant holding any role in the community: one
/// range of the tenant's grants there, reading only the kind byte.
pub fn counts(
    tx: &impl Readable,
    community: CommunityId,
    tenant: TenantId,
) -> Result<(u32, u32), StoreError> {
    let tx = &redb_or_pg!(tx, |pg| pg
        .recall(Lookup::grant_counts(community, tenant), || {
            super::pg::grants::counts(pg, community, tenant)
        }));
    tx.recall(Lookup::grant_counts(community, tenant), || {
        let table = tx.table(GRANTS)?;
        let (mut users, mut clients) = (0, 0);
        for entry in table
            .range((community.0, tenant.0, Uuid::nil())..=(community.0, tenant.0, Uuid::max()))?
        {
            match PrincipalKind::from_code(entry?.1.value().0) {
                Some(PrincipalKind::User) => users += 1,
                Some(PrincipalKind::Client) => clients += 1,
                None => {}
            }
        }
        Ok((users, clients))
    })
}

pub fn remove_tenant(
    tx: &impl Writable,
    community: CommunityId,
    tenant: TenantId,
) -> Result<(), StoreError> {
    let tx = redb_write_or_pg!(tx, |pg| super::pg::grants::remove_tenant(
        pg, community, tenant
    ));
    tx.open_table(GRANTS)?.retain_in(
        (community.0, tenant.0, Uuid::nil())..=(community.0, tenant.0, Uuid::max()),
        |_, _| false,
    )?;
    Ok(())
}

/// Every grant in a community, whoever holds it: (tenant, principal,
/// roles) in key order. A kind this release does not know is skipped.
pub fn of_community(
    tx: &impl Readable,
    community: CommunityId,
) -> Result<Vec<(TenantId, PrincipalId, RoleSet)>, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| super::pg::grants::of_community(pg, community));
    let table = tx.table(GRANTS)?;
    let mut out = Vec::new();
    for entry in table
        .range((community.0, Uuid::nil(), Uuid::nil())..=(community.0, Uuid::max(), Uuid::max()))?
    {
        let (key, value) = entry?;
        let (_, tenant, principal) = key.value();
        let (kind, bits) = value.value();
        if let Some(kind) = PrincipalKind::from_code(kind) {
            out.push((
                TenantId(tenant),
                PrincipalId::from_parts(kind, principal),
                RoleSet::from_bits(bits),
            ));
        }
    }
    Ok(out)
}
