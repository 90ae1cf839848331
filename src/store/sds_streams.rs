//! SdsStreams, keyed (tenant, namespace, lower-cased id).

use super::codec::{decode, encode, Record};
use super::error::StoreError;
use super::tables::SDS_STREAMS;
use super::tx::{redb_or_pg, redb_write_or_pg, Readable, RedbReadable, Writable};
use crate::domain::ids::TenantId;
use crate::domain::sds::identifier;
use crate::domain::sds::stream::SdsStream;
use redb::ReadableTable;
use uuid::Uuid;

impl Record for SdsStream {}

pub fn get(
    tx: &impl Readable,
    tenant: TenantId,
    namespace: &str,
    id: &str,
) -> Result<Option<SdsStream>, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| super::pg::sds_streams::get(
        pg, tenant, namespace, id
    ));
    let table = tx.table(SDS_STREAMS)?;
    let found = table.get((tenant.0, namespace, identifier::key(id).as_str()))?;
    found.map(|v| decode(v.value())).transpose()
}

pub fn put(tx: &impl Writable, tenant: TenantId, stream: &SdsStream) -> Result<(), StoreError> {
    let tx = redb_write_or_pg!(tx, |pg| super::pg::sds_streams::put(pg, tenant, stream));
    let key = stream.key();
    tx.open_table(SDS_STREAMS)?.insert(
        (tenant.0, stream.namespace.as_str(), key.as_str()),
        encode(stream)?.as_slice(),
    )?;
    Ok(())
}

pub fn delete(tx: &impl Writable, tenant: TenantId, stream: &SdsStream) -> Result<(), StoreError> {
    let tx = redb_write_or_pg!(tx, |pg| super::pg::sds_streams::delete(pg, tenant, stream));
    let key = stream.key();
    tx.open_table(SDS_STREAMS)?
        .remove((tenant.0, stream.namespace.as_str(), key.as_str()))?;
    Ok(())
}

/// Visits a namespace's streams in id order until `visit` returns false.
pub fn each(
    tx: &impl Readable,
    tenant: TenantId,
    namespace: &str,
    mut visit: impl FnMut(SdsStream) -> bool,
) -> Result<(), StoreError> {
    let tx = &redb_or_pg!(tx, |pg| super::pg::sds_streams::each(
        pg, tenant, namespace, visit
    ));
    let table = tx.table(SDS_STREAMS)?;
    for entry in table.range((tenant.0, namespace, "")..(tenant.0, namespace, "\u{10FFFF}"))? {
        if !visit(decode(entry?.1.value())?) {
            break;
        }
    }
    Ok(())
}

/// A fresh storage id for a new stream's values.
pub fn new_storage_id() -> Uuid {
    Uuid::now_v7()
}

/// Up to `limit` of a tenant's streams in every namespace after the
/// (namespace, lower-cased id) `after`, in key order: a walk of a tenant's
/// streams in bounded pieces.
pub fn page_of_tenant(
    tx: &impl Readable,
    tenant: TenantId,
    after: Option<(&str, &str)>,
    limit: usize,
) -> Result<Vec<SdsStream>, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| super::pg::sds_streams::page_of_tenant(
        pg, tenant, after, limit
    ));
    let page = super::sds_types::tenant_page(tx, SDS_STREAMS, tenant, after, limit)?;
    Ok(page.into_iter().map(|(_, stream)| stream).collect())
}
