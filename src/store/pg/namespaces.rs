//! Which namespaces a tenant has, on PostgreSQL (see `store::namespaces`):
//! a recursive skip-scan of each keyed table, one index probe per namespace.

use super::tx::PgTx;
use crate::domain::ids::TenantId;
use crate::store::error::StoreError;
use std::collections::BTreeSet;

/// The distinct namespaces of `table` (whose primary key starts with
/// tenant, namespace), from the smallest, one index probe each.
fn skip_scan(
    tx: &PgTx,
    table: &str,
    tenant: TenantId,
    limit: i64,
) -> Result<Vec<String>, StoreError> {
    let sql = format!(
        "WITH RECURSIVE ns(namespace) AS (
             (SELECT namespace FROM {table} WHERE tenant = $1 AND namespace > ''
              ORDER BY namespace LIMIT 1)
             UNION ALL
             SELECT (SELECT t.namespace FROM {table} t
                     WHERE t.tenant = $1 AND t.namespace > ns.namespace
                     ORDER BY t.namespace LIMIT 1)
             FROM ns WHERE ns.namespace IS NOT NULL
         )
         SELECT namespace FROM ns WHERE namespace IS NOT NULL LIMIT $2"
    );
    Ok(tx
        .query(&sql, &[&tenant.0, &limit])?
        .iter()
        .map(|row| row.get(0))
        .collect())
}

const TABLES: [&str; 4] = [
    "sds_types",
    "sds_streams",
    "sds_stream_defaults",
    "sds_namespace_access",
];

pub fn of_tenant(tx: &PgTx, tenant: TenantId, limit: usize) -> Result<Vec<String>, StoreError> {
    let bound = i64::try_from(limit).unwrap_or(i64::MAX);
    let mut found = BTreeSet::new();
    for table in TABLES {
        found.extend(skip_scan(tx, table, tenant, bound)?);
    }
    Ok(found.into_iter().take(limit).collect())
}

pub fn holds_anything(tx: &PgTx, tenant: TenantId, namespace: &str) -> Result<bool, StoreError> {
    for table in TABLES {
        let sql =
            format!("SELECT EXISTS (SELECT 1 FROM {table} WHERE tenant = $1 AND namespace = $2)");
        if tx
            .query_one(&sql, &[&tenant.0, &namespace])?
            .get::<_, bool>(0)
        {
            return Ok(true);
        }
    }
    Ok(false)
}
