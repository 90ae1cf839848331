//! Namespaces' access control lists on PostgreSQL (see
//! `store::namespace_access`): one row per list set.

use super::tx::PgTx;
use crate::domain::ids::TenantId;
use crate::domain::sds::acl::AccessControlList;
use crate::store::codec::{decode, encode};
use crate::store::error::StoreError;

pub fn get(
    tx: &PgTx,
    tenant: TenantId,
    namespace: &str,
) -> Result<Option<AccessControlList>, StoreError> {
    tx.query_opt(
        "SELECT body FROM sds_namespace_access WHERE tenant = $1 AND namespace = $2",
        &[&tenant.0, &namespace],
    )?
    .map(|row| decode(row.get::<_, &[u8]>(0)))
    .transpose()
}

pub fn put(
    tx: &PgTx,
    tenant: TenantId,
    namespace: &str,
    acl: &AccessControlList,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO sds_namespace_access (tenant, namespace, body) VALUES ($1, $2, $3)
         ON CONFLICT (tenant, namespace) DO UPDATE SET body = EXCLUDED.body",
        &[&tenant.0, &namespace, &encode(acl)?],
    )?;
    Ok(())
}

pub fn of_tenant(
    tx: &PgTx,
    tenant: TenantId,
) -> Result<Vec<(String, AccessControlList)>, StoreError> {
    tx.query(
        "SELECT namespace, body FROM sds_namespace_access WHERE tenant = $1 ORDER BY namespace",
        &[&tenant.0],
    )?
    .iter()
    .map(|row| Ok((row.get::<_, String>(0), decode(row.get::<_, &[u8]>(1))?)))
    .collect()
}
