//! Namespaces' access control lists: one record per namespace whose list
//! was set, and the tenant's default list for namespaces (AVEVA's
//! `AccessControl/Namespaces`). The default is stored under the empty
//! namespace, which no namespace id can be; only this module knows that.

use super::error::StoreError;
use super::namespace_lists::Lists;
use super::tables::SDS_NAMESPACE_ACCESS;
use super::tx::{Readable, Writable};
use crate::domain::ids::TenantId;
use crate::domain::sds::acl::AccessControlList;

/// Where the tenant's default list is kept.
const TENANT_DEFAULT: &str = "";

const LISTS: Lists = Lists {
    redb: SDS_NAMESPACE_ACCESS,
    pg: "sds_namespace_access",
};

/// A namespace's own list, `None` when none was set.
pub fn of_namespace(
    tx: &impl Readable,
    tenant: TenantId,
    namespace: &str,
) -> Result<Option<AccessControlList>, StoreError> {
    LISTS.get(tx, tenant, namespace)
}

/// The tenant's default list for namespaces, `None` when none was set.
pub fn tenant_default(
    tx: &impl Readable,
    tenant: TenantId,
) -> Result<Option<AccessControlList>, StoreError> {
    LISTS.get(tx, tenant, TENANT_DEFAULT)
}

pub fn put_of_namespace(
    tx: &impl Writable,
    tenant: TenantId,
    namespace: &str,
    acl: &AccessControlList,
) -> Result<(), StoreError> {
    debug_assert!(!namespace.is_empty());
    LISTS.put(tx, tenant, namespace, acl)
}

pub fn put_tenant_default(
    tx: &impl Writable,
    tenant: TenantId,
    acl: &AccessControlList,
) -> Result<(), StoreError> {
    LISTS.put(tx, tenant, TENANT_DEFAULT, acl)
}

/// Every list the tenant set, the default (empty namespace) first (for
/// copying a store; a tenant has few).
pub fn of_tenant(
    tx: &impl Readable,
    tenant: TenantId,
) -> Result<Vec<(String, AccessControlList)>, StoreError> {
    LISTS.of_tenant(tx, tenant)
}

/// Puts a row `of_tenant` read (a copy of a store).
pub fn put_row(
    tx: &impl Writable,
    tenant: TenantId,
    namespace: &str,
    acl: &AccessControlList,
) -> Result<(), StoreError> {
    LISTS.put(tx, tenant, namespace, acl)
}
