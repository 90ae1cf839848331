//! Namespaces' access control lists: one record per namespace whose list
//! was set, and the tenant's default list for namespaces (AVEVA's
//! `AccessControl/Namespaces`). The default is stored under the empty
//! namespace, which no namespace id can be; only this module knows that.

use super::codec::decode;
use super::codec::encode;
use super::error::StoreError;
use super::tables::SDS_NAMESPACE_ACCESS;
use super::tx::{redb_or_pg, redb_write_or_pg, Readable, RedbReadable, Writable};
use crate::domain::ids::TenantId;
use crate::domain::sds::acl::AccessControlList;
use redb::ReadableTable;

/// Where the tenant's default list is kept.
const TENANT_DEFAULT: &str = "";

/// A namespace's own list, `None` when none was set.
pub fn of_namespace(
    tx: &impl Readable,
    tenant: TenantId,
    namespace: &str,
) -> Result<Option<AccessControlList>, StoreError> {
    get(tx, tenant, namespace)
}

/// The tenant's default list for namespaces, `None` when none was set.
pub fn tenant_default(
    tx: &impl Readable,
    tenant: TenantId,
) -> Result<Option<AccessControlList>, StoreError> {
    get(tx, tenant, TENANT_DEFAULT)
}

pub fn put_of_namespace(
    tx: &impl Writable,
    tenant: TenantId,
    namespace: &str,
    acl: &AccessControlList,
) -> Result<(), StoreError> {
    debug_assert!(!namespace.is_empty());
    put(tx, tenant, namespace, acl)
}

pub fn put_tenant_default(
    tx: &impl Writable,
    tenant: TenantId,
    acl: &AccessControlList,
) -> Result<(), StoreError> {
    put(tx, tenant, TENANT_DEFAULT, acl)
}

fn get(
    tx: &impl Readable,
    tenant: TenantId,
    namespace: &str,
) -> Result<Option<AccessControlList>, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| super::pg::namespace_access::get(
        pg, tenant, namespace
    ));
    let table = tx.table(SDS_NAMESPACE_ACCESS)?;
    let found = table.get((tenant.0, namespace))?;
    found.map(|v| decode(v.value())).transpose()
}

fn put(
    tx: &impl Writable,
    tenant: TenantId,
    namespace: &str,
    acl: &AccessControlList,
) -> Result<(), StoreError> {
    let tx = redb_write_or_pg!(tx, |pg| super::pg::namespace_access::put(
        pg, tenant, namespace, acl
    ));
    tx.open_table(SDS_NAMESPACE_ACCESS)?
        .insert((tenant.0, namespace), encode(acl)?.as_slice())?;
    Ok(())
}

/// Every list the tenant set, the default (empty namespace) first (for
/// copying a store; a tenant has few).
pub fn of_tenant(
    tx: &impl Readable,
    tenant: TenantId,
) -> Result<Vec<(String, AccessControlList)>, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| super::pg::namespace_access::of_tenant(pg, tenant));
    let table = tx.table(SDS_NAMESPACE_ACCESS)?;
    let mut out = Vec::new();
    for row in table.range((tenant.0, "")..)? {
        let (key, value) = row?;
        let (owner, namespace) = key.value();
        if owner != tenant.0 {
            break;
        }
        out.push((namespace.to_string(), decode(value.value())?));
    }
    Ok(out)
}

/// Puts a row `of_tenant` read (a copy of a store).
pub fn put_row(
    tx: &impl Writable,
    tenant: TenantId,
    namespace: &str,
    acl: &AccessControlList,
) -> Result<(), StoreError> {
    put(tx, tenant, namespace, acl)
}
