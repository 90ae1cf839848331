//! Users' authenticators on PostgreSQL (see `store::two_factor`): one row
//! per enrolled user, `(tenant, user_id)` its key so a tenant's list in
//! redb's order.

use super::tx::PgTx;
use crate::domain::ids::{TenantId, UserId};
use crate::domain::two_factor::TwoFactor;
use crate::store::codec::{decode, encode};
use crate::store::error::StoreError;

pub fn get(tx: &PgTx, tenant: TenantId, user: UserId) -> Result<Option<TwoFactor>, StoreError> {
    tx.query_opt(
        "SELECT body FROM two_factor WHERE tenant = $1 AND user_id = $2",
        &[&tenant.0, &user.0],
    )?
    .map(|row| decode(row.get::<_, &[u8]>(0)))
    .transpose()
}

pub fn of_tenant(tx: &PgTx, tenant: TenantId) -> Result<Vec<TwoFactor>, StoreError> {
    tx.query(
        "SELECT body FROM two_factor WHERE tenant = $1 ORDER BY user_id",
        &[&tenant.0],
    )?
    .iter()
    .map(|row| decode(row.get::<_, &[u8]>(0)))
    .collect()
}

pub fn put(tx: &PgTx, record: &TwoFactor) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO two_factor (tenant, user_id, body) VALUES ($1, $2, $3)
         ON CONFLICT (tenant, user_id) DO UPDATE SET body = EXCLUDED.body",
        &[&record.tenant.0, &record.user.0, &encode(record)?],
    )?;
    Ok(())
}

pub fn delete(tx: &PgTx, tenant: TenantId, user: UserId) -> Result<bool, StoreError> {
    Ok(tx.execute(
        "DELETE FROM two_factor WHERE tenant = $1 AND user_id = $2",
        &[&tenant.0, &user.0],
    )? > 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::pg::communities::{on_both, read, write};
    use crate::store::two_factor;
    use chrono::Utc;
    use uuid::Uuid;

    fn enrolled(tenant: TenantId, id: u128, last_step: i64) -> TwoFactor {
        TwoFactor {
            user: UserId(Uuid::from_u128(id)),
            tenant,
            secret: vec![7; 20],
            enrolled: Utc::now(),
            last_step,
            recovery: vec![vec![1; 32]],
        }
    }

    #[test]
    fn authenticators_list_replace_and_delete_like_on_redb() {
        let (tenant, other) = (TenantId::generate(), TenantId::generate());
        // The high bit set sorts last bytewise, first as signed numbers.
        let high = enrolled(tenant, 0xff00 << 112, 0);
        let low = enrolled(tenant, 1, 0);
        let answers = on_both(|store| {
            write(store, |tx| {
                two_factor::put(tx, &high)?;
                two_factor::put(tx, &low)?;
                two_factor::put(tx, &enrolled(other, 2, 0))?;
                // A code accepted: the same record with its step moved on.
                two_factor::put(tx, &enrolled(tenant, 1, 41))
            })?;
            let listed = read(store, |tx| {
                Ok(two_factor::of_tenant(tx, tenant)?
                    .into_iter()
                    .map(|f| (f.user, f.last_step))
                    .collect::<Vec<_>>())
            })?;
            let deleted = write(store, |tx| {
                Ok([
                    two_factor::delete(tx, tenant, high.user)?,
                    two_factor::delete(tx, tenant, high.user)?,
                ])
            })?;
            let found = read(store, |tx| {
                Ok((
                    two_factor::get(tx, tenant, high.user)?,
                    two_factor::get(tx, tenant, low.user)?.map(|f| f.last_step),
                    two_factor::get(tx, other, low.user)?,
                ))
            })?;
            Ok((listed, deleted, found))
        });
        let Some((listed, deleted, (gone, kept, elsewhere))) = answers else {
            return;
        };
        assert_eq!(listed, [(low.user, 41), (high.user, 0)]);
        assert_eq!(deleted, [true, false]);
        assert_eq!((gone, kept, elsewhere), (None, Some(41), None));
    }
}
