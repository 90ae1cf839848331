//! The access control list a namespace gives its new streams, one record
//! per (tenant, namespace) whose tenant chose one; a namespace without a
//! record gives the built-in list (`stream_access::default_acl`).

use super::codec::Record;
use super::error::StoreError;
use super::namespace_lists::Lists;
use super::tables::SDS_STREAM_DEFAULTS;
use super::tx::{Readable, Writable};
use crate::domain::ids::TenantId;
use crate::domain::sds::acl::AccessControlList;

/// Layout version 1 (see `codec::Record` for how a layout changes).
impl Record for AccessControlList {}

const LISTS: Lists = Lists {
    redb: SDS_STREAM_DEFAULTS,
    pg: "sds_stream_defaults",
};

/// The namespace's chosen list, `None` when its tenant never chose one.
pub fn get(
    tx: &impl Readable,
    tenant: TenantId,
    namespace: &str,
) -> Result<Option<AccessControlList>, StoreError> {
    LISTS.get(tx, tenant, namespace)
}

pub fn put(
    tx: &impl Writable,
    tenant: TenantId,
    namespace: &str,
    acl: &AccessControlList,
) -> Result<(), StoreError> {
    LISTS.put(tx, tenant, namespace, acl)
}

/// Every namespace of the tenant that chose a list, in namespace order.
pub fn of_tenant(
    tx: &impl Readable,
    tenant: TenantId,
) -> Result<Vec<(String, AccessControlList)>, StoreError> {
    LISTS.of_tenant(tx, tenant)
}
