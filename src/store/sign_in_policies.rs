//! Each tenant's sign-in policy, one record per tenant that chose one; a
//! tenant without a record has the defaults. Read only by sign-in and the
//! pages that show it, never on the path of an ordinary request.

use super::codec::{decode, encode, Record};
use super::error::StoreError;
use super::tables::SIGN_IN_POLICIES;
use super::tx::{redb_or_pg, redb_write_or_pg, Readable, RedbReadable, Writable};
use crate::domain::ids::TenantId;
use crate::domain::sign_in_policy::SignInPolicy;
use redb::ReadableTable;

/// Layout version 1 (see `codec::Record` for how a layout changes).
impl Record for SignInPolicy {}

/// The tenant's policy as stored, `None` when it never chose one.
pub fn stored(tx: &impl Readable, tenant: TenantId) -> Result<Option<SignInPolicy>, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| super::pg::sign_in_policies::get(pg, tenant));
    let table = tx.table(SIGN_IN_POLICIES)?;
    let found = table.get(tenant.0)?;
    found.map(|v| decode(v.value())).transpose()
}

/// The policy the tenant's sign-ins follow: its own, else the defaults.
pub fn of_tenant(tx: &impl Readable, tenant: TenantId) -> Result<SignInPolicy, StoreError> {
    Ok(stored(tx, tenant)?.unwrap_or_default())
}

pub fn put(tx: &impl Writable, tenant: TenantId, policy: &SignInPolicy) -> Result<(), StoreError> {
    let tx = redb_write_or_pg!(tx, |pg| super::pg::sign_in_policies::put(
        pg, tenant, policy
    ));
    tx.open_table(SIGN_IN_POLICIES)?
        .insert(tenant.0, encode(policy)?.as_slice())?;
    Ok(())
}
