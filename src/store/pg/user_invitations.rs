//! User invitations on PostgreSQL (see `store::user_invitations`): one row
//! per user, `(tenant, id)` unique for the tenant's list and lookups by id,
//! which therefore come in the same order as redb's.

use super::tx::PgTx;
use crate::domain::ids::{TenantId, UserId};
use crate::domain::paging::Page;
use crate::domain::user_invitation::UserInvitation;
use crate::store::codec::{decode, encode};
use crate::store::error::StoreError;
use uuid::Uuid;

fn sql_count(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

pub fn of_user(tx: &PgTx, user: UserId) -> Result<Option<UserInvitation>, StoreError> {
    tx.query_opt(
        "SELECT body FROM user_invitations WHERE user_id = $1",
        &[&user.0],
    )?
    .map(|row| decode(row.get::<_, &[u8]>(0)))
    .transpose()
}

pub fn get(tx: &PgTx, tenant: TenantId, id: Uuid) -> Result<Option<UserInvitation>, StoreError> {
    tx.query_opt(
        "SELECT body FROM user_invitations WHERE tenant = $1 AND id = $2",
        &[&tenant.0, &id],
    )?
    .map(|row| decode(row.get::<_, &[u8]>(0)))
    .transpose()
}

pub fn page_of_tenant(
    tx: &PgTx,
    tenant: TenantId,
    page: Page,
) -> Result<Vec<UserInvitation>, StoreError> {
    tx.query(
        "SELECT body FROM user_invitations WHERE tenant = $1 ORDER BY id OFFSET $2 LIMIT $3",
        &[&tenant.0, &sql_count(page.skip), &sql_count(page.count)],
    )?
    .iter()
    .map(|row| decode(row.get::<_, &[u8]>(0)))
    .collect()
}

pub fn put(tx: &PgTx, invitation: &UserInvitation) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO user_invitations (user_id, tenant, id, body) VALUES ($1, $2, $3, $4)
         ON CONFLICT (user_id) DO UPDATE
         SET tenant = EXCLUDED.tenant, id = EXCLUDED.id, body = EXCLUDED.body",
        &[
            &invitation.user.0,
            &invitation.tenant.0,
            &invitation.id,
            &encode(invitation)?,
        ],
    )?;
    Ok(())
}

pub fn delete(tx: &PgTx, user: UserId) -> Result<bool, StoreError> {
    Ok(tx.execute(
        "DELETE FROM user_invitations WHERE user_id = $1",
        &[&user.0],
    )? > 0)
}
