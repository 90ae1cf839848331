//! Access control lists kept one per (tenant, namespace) on PostgreSQL
//! (see `store::namespace_lists`): one row per list set, in the table
//! each kind of list has.

use super::tx::PgTx;
use crate::domain::ids::TenantId;
use crate::domain::sds::acl::AccessControlList;
use crate::store::codec::{decode, encode};
use crate::store::error::StoreError;

pub fn get(
    tx: &PgTx,
    table: &str,
    tenant: TenantId,
    namespace: &str,
) -> Result<Option<AccessControlList>, StoreError> {
    tx.query_opt(
        &format!("SELECT body FROM {table} WHERE tenant = $1 AND namespace = $2"),
        &[&tenant.0, &namespace],
    )?
    .map(|row| decode(row.get::<_, &[u8]>(0)))
    .transpose()
}

pub fn put(
    tx: &PgTx,
    table: &str,
    tenant: TenantId,
    namespace: &str,
    acl: &AccessControlList,
) -> Result<(), StoreError> {
    tx.execute(
        &format!(
            "INSERT INTO {table} (tenant, namespace, body) VALUES ($1, $2, $3)
             ON CONFLICT (tenant, namespace) DO UPDATE SET body = EXCLUDED.body"
        ),
        &[&tenant.0, &namespace, &encode(acl)?],
    )?;
    Ok(())
}

pub fn of_tenant(
    tx: &PgTx,
    table: &str,
    tenant: TenantId,
) -> Result<Vec<(String, AccessControlList)>, StoreError> {
    tx.query(
        &format!("SELECT namespace, body FROM {table} WHERE tenant = $1 ORDER BY namespace"),
        &[&tenant.0],
    )?
    .iter()
    .map(|row| Ok((row.get::<_, String>(0), decode(row.get::<_, &[u8]>(1))?)))
    .collect()
}

#[cfg(test)]
mod tests {
    use crate::domain::ids::TenantId;
    use crate::domain::sds::acl::AccessControlList;
    use crate::store::pg::communities::{on_both, read, write};
    use crate::store::stream_defaults;

    #[test]
    fn a_namespace_has_no_default_until_chosen_and_tenants_keep_their_own() {
        let (tenant, other) = (TenantId::generate(), TenantId::generate());
        let chosen = AccessControlList::default();
        let answers = on_both(|store| {
            let before = read(store, |tx| stream_defaults::get(tx, tenant, "default"))?;
            write(store, |tx| {
                stream_defaults::put(tx, tenant, "plant", &chosen)?;
                stream_defaults::put(tx, tenant, "default", &chosen)?;
                stream_defaults::put(tx, other, "default", &chosen)
            })?;
            read(store, |tx| {
                Ok((
                    before,
                    stream_defaults::get(tx, tenant, "default")?,
                    stream_defaults::of_tenant(tx, tenant)?
                        .into_iter()
                        .map(|(n, _)| n)
                        .collect::<Vec<_>>(),
                ))
            })
        });
        let Some((before, after, namespaces)) = answers else {
            return;
        };
        assert_eq!(before, None);
        assert_eq!(after, Some(chosen));
        assert_eq!(namespaces, vec!["default".to_string(), "plant".to_string()]);
    }
}
