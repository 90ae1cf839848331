//! User invitations: one per user, with a tenant index that lists them and
//! finds one by its id.

use super::codec::{decode, encode, Record};
use super::error::StoreError;
use super::tables::{USER_INVITATIONS, USER_INVITATIONS_BY_TENANT};
use super::tx::{redb_or_pg, redb_write_or_pg, Readable, RedbReadable, Writable};
use crate::domain::ids::{TenantId, UserId};
use crate::domain::paging::Page;
use crate::domain::user_invitation::UserInvitation;
use redb::ReadableTable;
use uuid::Uuid;

/// Layout version 1 (see `codec::Record` for how a layout changes).
impl Record for UserInvitation {}

/// The invitation of `user`, if it has one.
pub fn of_user(tx: &impl Readable, user: UserId) -> Result<Option<UserInvitation>, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| super::pg::user_invitations::of_user(pg, user));
    let table = tx.table(USER_INVITATIONS)?;
    let found = table.get(user.0)?;
    found.map(|v| decode(v.value())).transpose()
}

/// The tenant's invitation with this id.
pub fn get(
    tx: &impl Readable,
    tenant: TenantId,
    id: Uuid,
) -> Result<Option<UserInvitation>, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| super::pg::user_invitations::get(pg, tenant, id));
    let user = {
        let index = tx.table(USER_INVITATIONS_BY_TENANT)?;
        let found = index.get((tenant.0, id))?;
        found.map(|v| UserId(v.value()))
    };
    match user {
        Some(user) => of_user(tx, user),
        None => Ok(None),
    }
}

/// One page of the tenant's invitations, oldest first.
pub fn page_of_tenant(
    tx: &impl Readable,
    tenant: TenantId,
    page: Page,
) -> Result<Vec<UserInvitation>, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| super::pg::user_invitations::page_of_tenant(
        pg, tenant, page
    ));
    let users: Vec<Uuid> = {
        let index = tx.table(USER_INVITATIONS_BY_TENANT)?;
        let range = index.range((tenant.0, Uuid::nil())..=(tenant.0, Uuid::max()))?;
        let mut out = Vec::new();
        for entry in range.skip(page.skip).take(page.count) {
            out.push(entry?.1.value());
        }
        out
    };
    let mut out = Vec::new();
    for user in users {
        out.extend(of_user(tx, UserId(user))?);
    }
    Ok(out)
}

/// Writes the user's invitation, replacing any earlier one.
pub fn put(tx: &impl Writable, invitation: &UserInvitation) -> Result<(), StoreError> {
    let tx = redb_write_or_pg!(tx, |pg| super::pg::user_invitations::put(pg, invitation));
    let old = of_user(tx, invitation.user)?;
    let mut index = tx.open_table(USER_INVITATIONS_BY_TENANT)?;
    if let Some(old) = old {
        index.remove((old.tenant.0, old.id))?;
    }
    index.insert((invitation.tenant.0, invitation.id), invitation.user.0)?;
    tx.open_table(USER_INVITATIONS)?
        .insert(invitation.user.0, encode(invitation)?.as_slice())?;
    Ok(())
}

/// Removes the user's invitation; false when there was none.
pub fn delete(tx: &impl Writable, user: UserId) -> Result<bool, StoreError> {
    let tx = redb_write_or_pg!(tx, |pg| super::pg::user_invitations::delete(pg, user));
    let Some(old) = of_user(tx, user)? else {
        return Ok(false);
    };
    tx.open_table(USER_INVITATIONS_BY_TENANT)?
        .remove((old.tenant.0, old.id))?;
    tx.open_table(USER_INVITATIONS)?.remove(user.0)?;
    Ok(true)
}
