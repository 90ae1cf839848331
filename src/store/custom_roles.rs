//! The roles tenants make for themselves, keyed (tenant, role) so a
//! tenant's roles are one range, oldest first, with a name index that keeps
//! names unique in a tenant whatever their case. Who holds a role is on the
//! user or client record (`custom_roles`), so a request's rights need no
//! read beyond its caller's record.

use super::codec::{decode, encode, Record};
use super::error::StoreError;
use super::tables::{CUSTOM_ROLES, CUSTOM_ROLE_NAMES};
use super::tx::{redb_or_pg, redb_write_or_pg, Readable, RedbReadable, Writable};
use crate::domain::custom_role::CustomRole;
use crate::domain::ids::{CustomRoleId, TenantId};
use redb::ReadableTable;
use uuid::Uuid;

/// Layout version 1 (see `codec::Record` for how a layout changes).
impl Record for CustomRole {}

/// Every custom role of the tenant, oldest first (a tenant has at most
/// `MAX_CUSTOM_ROLES_PER_TENANT`).
pub fn of_tenant(tx: &impl Readable, tenant: TenantId) -> Result<Vec<CustomRole>, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| super::pg::custom_roles::of_tenant(pg, tenant));
    let table = tx.table(CUSTOM_ROLES)?;
    let mut out = Vec::new();
    for entry in table.range((tenant.0, Uuid::nil())..=(tenant.0, Uuid::max()))? {
        out.push(decode(entry?.1.value())?);
    }
    Ok(out)
}

pub fn get(
    tx: &impl Readable,
    tenant: TenantId,
    id: CustomRoleId,
) -> Result<Option<CustomRole>, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| super::pg::custom_roles::get(pg, tenant, id));
    let table = tx.table(CUSTOM_ROLES)?;
    let found = table.get((tenant.0, id.0))?;
    found.map(|v| decode(v.value())).transpose()
}

/// Creates or replaces the role. False, writing nothing, when another role
/// of the tenant has its name.
pub fn put(tx: &impl Writable, role: &CustomRole) -> Result<bool, StoreError> {
    let tx = redb_write_or_pg!(tx, |pg| super::pg::custom_roles::put(pg, role));
    let key = role.name_key();
    let mut names = tx.open_table(CUSTOM_ROLE_NAMES)?;
    let holder = names.get((role.tenant.0, key.as_str()))?.map(|v| v.value());
    if holder.is_some_and(|id| id != role.id.0) {
        return Ok(false);
    }
    let mut roles = tx.open_table(CUSTOM_ROLES)?;
    let old: Option<CustomRole> = roles
        .get((role.tenant.0, role.id.0))?
        .map(|v| decode(v.value()))
        .transpose()?;
    if let Some(old) = old {
        names.remove((old.tenant.0, old.name_key().as_str()))?;
    }
    names.insert((role.tenant.0, key.as_str()), role.id.0)?;
    roles.insert((role.tenant.0, role.id.0), encode(role)?.as_slice())?;
    Ok(true)
}

/// Removes the role; false when the tenant had no such role.
pub fn delete(tx: &impl Writable, tenant: TenantId, id: CustomRoleId) -> Result<bool, StoreError> {
    let tx = redb_write_or_pg!(tx, |pg| super::pg::custom_roles::delete(pg, tenant, id));
    let old: Option<CustomRole> = {
        let mut roles = tx.open_table(CUSTOM_ROLES)?;
        let removed = roles.remove((tenant.0, id.0))?;
        removed.map(|v| decode(v.value())).transpose()?
    };
    let Some(old) = old else {
        return Ok(false);
    };
    tx.open_table(CUSTOM_ROLE_NAMES)?
        .remove((tenant.0, old.name_key().as_str()))?;
    Ok(true)
}
