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

#[cfg(test)]
mod tests {
    use super::super::sds_types::both;
    use crate::domain::ids::TenantId;
    use crate::domain::sds::acl::AccessControlList;
    use crate::domain::sds::stream::SdsStream;
    use crate::store::{namespace_access, namespaces, sds_streams, stream_defaults, StoreError};
    use uuid::Uuid;

    fn stream(namespace: &str, id: &str) -> SdsStream {
        let now = chrono::Utc::now();
        SdsStream {
            storage: sds_streams::new_storage_id(),
            namespace: namespace.to_string(),
            id: id.to_string(),
            name: id.to_string(),
            description: String::new(),
            type_id: "t".to_string(),
            keys: Vec::new(),
            tags: Vec::new(),
            metadata: Vec::new(),
            indexes: "[]".to_string(),
            acl: Default::default(),
            owner: None,
            created: now,
            modified: now,
            last_write: None,
            modes: Default::default(),
        }
    }

    #[test]
    fn namespaces_are_found_once_each_across_tables_and_tenants() {
        let Some(both) = both() else { return };
        let tenant = TenantId(Uuid::now_v7());
        let acl = AccessControlList::default();
        let answer = both.same(|store| {
            store
                .write_blocking(|tx| {
                    for (ns, id) in [("b", "1"), ("b", "2"), ("a-z", "1"), ("a", "1")] {
                        sds_streams::put(tx, tenant, &stream(ns, id))?;
                    }
                    sds_streams::put(tx, TenantId(Uuid::nil()), &stream("other", "1"))?;
                    stream_defaults::put(tx, tenant, "c", &acl)?;
                    namespace_access::put_of_namespace(tx, tenant, "d", &acl)?;
                    namespace_access::put_tenant_default(tx, tenant, &acl)
                })
                .expect("put");
            store
                .read_blocking(|tx| {
                    Ok::<_, StoreError>((
                        namespaces::of_tenant(tx, tenant, 100)?,
                        namespaces::of_tenant(tx, tenant, 2)?,
                        namespaces::holds_anything(tx, tenant, "a-z")?,
                        namespaces::holds_anything(tx, tenant, "d")?,
                        namespaces::holds_anything(tx, tenant, "other")?,
                    ))
                })
                .expect("read")
        });
        assert_eq!(answer.0, vec!["a", "a-z", "b", "c", "d"]);
        assert_eq!(answer.1, vec!["a", "a-z"]);
        assert_eq!((answer.2, answer.3, answer.4), (true, true, false));
    }
}
