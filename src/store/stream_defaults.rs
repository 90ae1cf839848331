//! The access control list a namespace gives its new streams, one record
//! per (tenant, namespace) whose tenant chose one; a namespace without a
//! record gives the built-in list (`stream_access::default_acl`).

use super::codec::{decode, encode, Record};
use super::error::StoreError;
use super::tables::SDS_STREAM_DEFAULTS;
use super::tx::{redb_or_pg, redb_write_or_pg, Readable, RedbReadable, Writable};
use crate::domain::ids::TenantId;
use crate::domain::sds::acl::AccessControlList;
use redb::ReadableTable;

/// Layout version 1 (see `codec::Record` for how a layout changes).
impl Record for AccessControlList {}

/// The namespace's chosen list, `None` when its tenant never chose one.
pub fn get(
    tx: &impl Readable,
    tenant: TenantId,
    namespace: &str,
) -> Result<Option<AccessControlList>, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| super::pg::stream_defaults::get(
        pg, tenant, namespace
    ));
    let table = tx.table(SDS_STREAM_DEFAULTS)?;
    let found = table.get((tenant.0, namespace))?;
    found.map(|v| decode(v.value())).transpose()
}

pub fn put(
    tx: &impl Writable,
    tenant: TenantId,
    namespace: &str,
    acl: &AccessControlList,
) -> Result<(), StoreError> {
    let tx = redb_write_or_pg!(tx, |pg| super::pg::stream_defaults::put(
        pg, tenant, namespace, acl
    ));
    tx.open_table(SDS_STREAM_DEFAULTS)?
        .insert((tenant.0, namespace), encode(acl)?.as_slice())?;
    Ok(())
}

/// Every namespace of the tenant that chose a list, in namespace order
/// (for copying a store; a tenant has few).
pub fn of_tenant(
    tx: &impl Readable,
    tenant: TenantId,
) -> Result<Vec<(String, AccessControlList)>, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| super::pg::stream_defaults::of_tenant(pg, tenant));
    let table = tx.table(SDS_STREAM_DEFAULTS)?;
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
