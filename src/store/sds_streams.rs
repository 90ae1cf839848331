//! SdsStreams, keyed (tenant, namespace, lower-cased id).

use super::codec::{decode, encode, layout, Record};
use super::error::StoreError;
use super::tables::SDS_STREAMS;
use super::tx::{redb_or_pg, redb_write_or_pg, Readable, RedbReadable, Writable};
use crate::domain::ids::TenantId;
use crate::domain::sds::acl::{AccessControlList, Trustee};
use crate::domain::sds::identifier;
use crate::domain::sds::index_key::KeyPart;
use crate::domain::sds::read_modes::ReadModes;
use crate::domain::sds::stream::SdsStream;
use chrono::{DateTime, Utc};
use redb::ReadableTable;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

impl Record for SdsStream {
    const VERSION: u8 = 2;

    fn decode_older(version: u8, body: &[u8]) -> Result<Self, StoreError> {
        match version {
            1 => Ok(layout::<SdsStreamV1>(body)?.into()),
            _ => Err(StoreError::Codec(format!(
                "unknown stream record version {version}"
            ))),
        }
    }
}

/// A stream as stored before streams kept their interpolation and
/// extrapolation settings.
#[derive(Serialize, Deserialize)]
struct SdsStreamV1 {
    storage: Uuid,
    namespace: String,
    id: String,
    name: String,
    description: String,
    type_id: String,
    keys: Vec<KeyPart>,
    tags: Vec<String>,
    metadata: Vec<(String, String)>,
    indexes: String,
    acl: AccessControlList,
    owner: Option<Trustee>,
    created: DateTime<Utc>,
    modified: DateTime<Utc>,
    last_write: Option<DateTime<Utc>>,
}

impl From<SdsStreamV1> for SdsStream {
    fn from(v1: SdsStreamV1) -> Self {
        Self {
            storage: v1.storage,
            namespace: v1.namespace,
            id: v1.id,
            name: v1.name,
            description: v1.description,
            type_id: v1.type_id,
            keys: v1.keys,
            tags: v1.tags,
            metadata: v1.metadata,
            indexes: v1.indexes,
            acl: v1.acl,
            owner: v1.owner,
            created: v1.created,
            modified: v1.modified,
            last_write: v1.last_write,
            modes: ReadModes::default(),
        }
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stream_stored_before_read_modes_still_decodes() {
        let now = Utc::now();
        let old = SdsStreamV1 {
            storage: Uuid::now_v7(),
            namespace: "default".into(),
            id: "Tank".into(),
            name: "Tank".into(),
            description: "old".into(),
            type_id: "Reading".into(),
            keys: Vec::new(),
            tags: vec!["t".into()],
            metadata: vec![("k".into(), "v".into())],
            indexes: "[]".into(),
            acl: AccessControlList::default(),
            owner: None,
            created: now,
            modified: now,
            last_write: Some(now),
        };
        let mut bytes = vec![1u8];
        bytes.extend(bincode::serde::encode_to_vec(&old, bincode::config::standard()).unwrap());
        let back: SdsStream = decode(&bytes).unwrap();
        assert_eq!((back.id.as_str(), back.storage), ("Tank", old.storage));
        assert_eq!(back.metadata, old.metadata);
        assert_eq!(back.last_write, Some(now));
        assert_eq!(
            back.modes,
            ReadModes::default(),
            "no settings: the type's apply"
        );
        assert_eq!(encode(&back).unwrap()[0], 2);
    }
}
