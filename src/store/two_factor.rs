//! Users' authenticators (see `domain::two_factor`), keyed (tenant, user)
//! so a tenant's are one range. Kept apart from the user record: the user
//! record is read on every request for its roles, the secret only at
//! sign-in, and each accepted code writes the last step used, which must
//! not rewrite (and unsettle the cached lookups of) the user itself.

use super::codec::{decode, encode, Record};
use super::error::StoreError;
use super::tables::TWO_FACTOR;
use super::tx::{redb_or_pg, redb_write_or_pg, Readable, RedbReadable, Writable};
use crate::domain::ids::{TenantId, UserId};
use crate::domain::two_factor::TwoFactor;
use redb::ReadableTable;
use uuid::Uuid;

/// Layout version 1 (see `codec::Record` for how a layout changes).
impl Record for TwoFactor {}

pub fn get(
    tx: &impl Readable,
    tenant: TenantId,
    user: UserId,
) -> Result<Option<TwoFactor>, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| super::pg::two_factor::get(pg, tenant, user));
    let table = tx.table(TWO_FACTOR)?;
    let found = table.get((tenant.0, user.0))?;
    found.map(|v| decode(v.value())).transpose()
}

/// Every enrolled user of the tenant, in user id order.
pub fn of_tenant(tx: &impl Readable, tenant: TenantId) -> Result<Vec<TwoFactor>, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| super::pg::two_factor::of_tenant(pg, tenant));
    let table = tx.table(TWO_FACTOR)?;
    let mut out = Vec::new();
    for entry in table.range((tenant.0, Uuid::nil())..=(tenant.0, Uuid::max()))? {
        out.push(decode(entry?.1.value())?);
    }
    Ok(out)
}

/// Creates or replaces the user's record.
pub fn put(tx: &impl Writable, record: &TwoFactor) -> Result<(), StoreError> {
    let tx = redb_write_or_pg!(tx, |pg| super::pg::two_factor::put(pg, record));
    tx.open_table(TWO_FACTOR)?
        .insert((record.tenant.0, record.user.0), encode(record)?.as_slice())?;
    Ok(())
}

/// Removes the user's record; false when there was none.
pub fn delete(tx: &impl Writable, tenant: TenantId, user: UserId) -> Result<bool, StoreError> {
    let tx = redb_write_or_pg!(tx, |pg| super::pg::two_factor::delete(pg, tenant, user));
    let mut table = tx.open_table(TWO_FACTOR)?;
    let removed = table.remove((tenant.0, user.0))?.is_some();
    Ok(removed)
}
