//! Custom roles on PostgreSQL (see `store::custom_roles`): one row per
//! role, `(tenant, id)` its key so a tenant's roles list in redb's order,
//! `(tenant, name_key)` unique as redb's name index.

use super::tx::PgTx;
use crate::domain::custom_role::CustomRole;
use crate::domain::ids::{CustomRoleId, TenantId};
use crate::store::codec::{decode, encode};
use crate::store::error::StoreError;

pub fn of_tenant(tx: &PgTx, tenant: TenantId) -> Result<Vec<CustomRole>, StoreError> {
    tx.query(
        "SELECT body FROM custom_roles WHERE tenant = $1 ORDER BY id",
        &[&tenant.0],
    )?
    .iter()
    .map(|row| decode(row.get::<_, &[u8]>(0)))
    .collect()
}

pub fn get(
    tx: &PgTx,
    tenant: TenantId,
    id: CustomRoleId,
) -> Result<Option<CustomRole>, StoreError> {
    tx.query_opt(
        "SELECT body FROM custom_roles WHERE tenant = $1 AND id = $2",
        &[&tenant.0, &id.0],
    )?
    .map(|row| decode(row.get::<_, &[u8]>(0)))
    .transpose()
}

/// As on redb: false, writing nothing, when another role has the name.
/// Two writers racing for one name meet the unique index, and the loser
/// runs again and finds the name taken.
pub fn put(tx: &PgTx, role: &CustomRole) -> Result<bool, StoreError> {
    let key = role.name_key();
    let taken = tx.query_opt(
        "SELECT 1 FROM custom_roles WHERE tenant = $1 AND name_key = $2 AND id <> $3",
        &[&role.tenant.0, &key, &role.id.0],
    )?;
    if taken.is_some() {
        return Ok(false);
    }
    tx.execute(
        "INSERT INTO custom_roles (tenant, id, name_key, body) VALUES ($1, $2, $3, $4)
         ON CONFLICT (tenant, id) DO UPDATE
         SET name_key = EXCLUDED.name_key, body = EXCLUDED.body",
        &[&role.tenant.0, &role.id.0, &key, &encode(role)?],
    )?;
    Ok(true)
}

pub fn delete(tx: &PgTx, tenant: TenantId, id: CustomRoleId) -> Result<bool, StoreError> {
    Ok(tx.execute(
        "DELETE FROM custom_roles WHERE tenant = $1 AND id = $2",
        &[&tenant.0, &id.0],
    )? > 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::custom_roles;
    use crate::store::pg::communities::{on_both, read, write};
    use chrono::Utc;
    use uuid::Uuid;

    fn role(tenant: TenantId, id: u128, name: &str) -> CustomRole {
        CustomRole {
            id: CustomRoleId(Uuid::from_u128(id)),
            tenant,
            name: name.into(),
            description: String::new(),
            created: Utc::now(),
        }
    }

    #[test]
    fn custom_roles_list_rename_clash_and_delete_like_on_redb() {
        let (tenant, other) = (TenantId::generate(), TenantId::generate());
        // The high bit set sorts last bytewise, first as signed numbers.
        let steward = role(tenant, 0xff00 << 112, "Data Steward");
        let auditor = role(tenant, 1, "Auditor");
        let answers = on_both(|store| {
            let puts = write(store, |tx| {
                Ok([
                    custom_roles::put(tx, &steward)?,
                    custom_roles::put(tx, &auditor)?,
                    // Another role of the tenant with a taken name, any case.
                    custom_roles::put(tx, &role(tenant, 2, "data STEWARD"))?,
                    // The same name in another tenant.
                    custom_roles::put(tx, &role(other, 3, "Data Steward"))?,
                    // A rename frees the old name.
                    custom_roles::put(tx, &role(tenant, 1, "Reviewer"))?,
                    custom_roles::put(tx, &role(tenant, 4, "Auditor"))?,
                ])
            })?;
            let names = |store: &crate::store::Store| {
                read(store, |tx| {
                    Ok(custom_roles::of_tenant(tx, tenant)?
                        .into_iter()
                        .map(|r| r.name)
                        .collect::<Vec<_>>())
                })
            };
            let before = names(store)?;
            let deleted = write(store, |tx| {
                Ok([
                    custom_roles::delete(tx, tenant, steward.id)?,
                    custom_roles::delete(tx, tenant, steward.id)?,
                    custom_roles::put(tx, &role(tenant, 5, "Data Steward"))?,
                ])
            })?;
            let found = read(store, |tx| {
                Ok(custom_roles::get(tx, tenant, auditor.id)?.map(|r| r.name))
            })?;
            Ok((puts, before, deleted, names(store)?, found))
        });
        let Some((puts, before, deleted, after, found)) = answers else {
            return;
        };
        assert_eq!(puts, [true, true, false, true, true, true]);
        assert_eq!(before, ["Reviewer", "Auditor", "Data Steward"]);
        assert_eq!(deleted, [true, false, true]);
        assert_eq!(after, ["Reviewer", "Auditor", "Data Steward"]);
        assert_eq!(found.as_deref(), Some("Reviewer"));
    }
}
