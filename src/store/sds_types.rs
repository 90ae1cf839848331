//! SdsTypes, keyed (tenant, namespace, lower-cased id).

use super::codec::{decode, encode, layout, Record};
use super::error::StoreError;
use super::tables::SDS_TYPES;
use super::tx::{redb_or_pg, redb_write_or_pg, Readable, RedbReadable, Writable};
use crate::domain::ids::TenantId;
use crate::domain::paging::Page;
use crate::domain::sds::acl::{AccessControlList, Trustee};
use crate::domain::sds::identifier;
use crate::domain::sds::index_key::KeyPart;
use crate::domain::sds::read_modes::ReadModes;
use crate::domain::sds::sds_type::SdsType;
use chrono::{DateTime, Utc};
use redb::{ReadableTable, TableDefinition};
use serde::{Deserialize, Serialize};
use std::ops::Bound;
use uuid::Uuid;

impl Record for SdsType {
    const VERSION: u8 = 3;

    fn decode_older(version: u8, body: &[u8]) -> Result<Self, StoreError> {
        match version {
            1 => Ok(layout::<SdsTypeV1>(body)?.into()),
            2 => Ok(layout::<SdsTypeV2>(body)?.into()),
            _ => Err(StoreError::Codec(format!(
                "unknown type record version {version}"
            ))),
        }
    }
}

/// A type as stored before types had an access control list and owner.
#[derive(Serialize, Deserialize)]
struct SdsTypeV1 {
    id: String,
    name: String,
    description: String,
    code: u16,
    keys: Vec<KeyPart>,
    properties: String,
    created: DateTime<Utc>,
    modified: DateTime<Utc>,
}

impl From<SdsTypeV1> for SdsType {
    fn from(v1: SdsTypeV1) -> Self {
        Self {
            id: v1.id,
            name: v1.name,
            description: v1.description,
            code: v1.code,
            keys: v1.keys,
            properties: v1.properties,
            created: v1.created,
            modified: v1.modified,
            acl: None,
            owner: None,
            modes: ReadModes::default(),
        }
    }
}

/// A type as stored before types kept their interpolation and
/// extrapolation modes.
#[derive(Serialize, Deserialize)]
struct SdsTypeV2 {
    id: String,
    name: String,
    description: String,
    code: u16,
    keys: Vec<KeyPart>,
    properties: String,
    created: DateTime<Utc>,
    modified: DateTime<Utc>,
    acl: Option<AccessControlList>,
    owner: Option<Trustee>,
}

impl From<SdsTypeV2> for SdsType {
    fn from(v2: SdsTypeV2) -> Self {
        Self {
            id: v2.id,
            name: v2.name,
            description: v2.description,
            code: v2.code,
            keys: v2.keys,
            properties: v2.properties,
            created: v2.created,
            modified: v2.modified,
            acl: v2.acl,
            owner: v2.owner,
            modes: ReadModes::default(),
        }
    }
}

pub fn get(
    tx: &impl Readable,
    tenant: TenantId,
    namespace: &str,
    id: &str,
) -> Result<Option<SdsType>, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| super::pg::sds_types::get(
        pg, tenant, namespace, id
    ));
    let table = tx.table(SDS_TYPES)?;
    let found = table.get((tenant.0, namespace, identifier::key(id).as_str()))?;
    found.map(|v| decode(v.value())).transpose()
}

pub fn put(
    tx: &impl Writable,
    tenant: TenantId,
    namespace: &str,
    sds_type: &SdsType,
) -> Result<(), StoreError> {
    let tx = redb_write_or_pg!(tx, |pg| super::pg::sds_types::put(
        pg, tenant, namespace, sds_type
    ));
    let key = identifier::key(&sds_type.id);
    tx.open_table(SDS_TYPES)?.insert(
        (tenant.0, namespace, key.as_str()),
        encode(sds_type)?.as_slice(),
    )?;
    Ok(())
}

pub fn delete(
    tx: &impl Writable,
    tenant: TenantId,
    namespace: &str,
    id: &str,
) -> Result<bool, StoreError> {
    let tx = redb_write_or_pg!(tx, |pg| super::pg::sds_types::delete(
        pg, tenant, namespace, id
    ));
    let key = identifier::key(id);
    let removed = tx
        .open_table(SDS_TYPES)?
        .remove((tenant.0, namespace, key.as_str()))?
        .is_some();
    Ok(removed)
}

/// One page of a namespace's types, by id.
pub fn list(
    tx: &impl Readable,
    tenant: TenantId,
    namespace: &str,
    page: Page,
) -> Result<Vec<SdsType>, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| super::pg::sds_types::list(
        pg, tenant, namespace, page
    ));
    let table = tx.table(SDS_TYPES)?;
    let mut out = Vec::new();
    let range = table.range((tenant.0, namespace, "")..(tenant.0, namespace, "\u{10FFFF}"))?;
    for entry in range.skip(page.skip).take(page.count) {
        out.push(decode(entry?.1.value())?);
    }
    Ok(out)
}

/// Up to `limit` of a tenant's types in every namespace, as (namespace,
/// type), after the (namespace, lower-cased id) `after`, in key order: a
/// walk of a tenant's types in bounded pieces.
pub fn page_of_tenant(
    tx: &impl Readable,
    tenant: TenantId,
    after: Option<(&str, &str)>,
    limit: usize,
) -> Result<Vec<(String, SdsType)>, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| super::pg::sds_types::page_of_tenant(
        pg, tenant, after, limit
    ));
    tenant_page(tx, SDS_TYPES, tenant, after, limit)
}

/// A (tenant, namespace, lower-cased id) -> record table's records of one
/// tenant after `after`, up to `limit`, in key order, each with its
/// namespace: what walks a tenant's types or streams in bounded pieces.
pub(super) fn tenant_page<T: Record>(
    tx: &impl RedbReadable,
    table: TableDefinition<(Uuid, &str, &str), &[u8]>,
    tenant: TenantId,
    after: Option<(&str, &str)>,
    limit: usize,
) -> Result<Vec<(String, T)>, StoreError> {
    let table = tx.table(table)?;
    let lower = match after {
        Some((namespace, key)) => Bound::Excluded((tenant.0, namespace, key)),
        None => Bound::Included((tenant.0, "", "")),
    };
    let mut out = Vec::new();
    for entry in table.range::<(Uuid, &str, &str)>((lower, Bound::Unbounded))? {
        let (key, value) = entry?;
        let (owner, namespace, _) = key.value();
        if owner != tenant.0 || out.len() == limit {
            break;
        }
        out.push((namespace.to_string(), decode(value.value())?));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_type_stored_before_type_access_control_still_decodes() {
        let now = Utc::now();
        let old = SdsTypeV1 {
            id: "Reading".into(),
            name: "Reading".into(),
            description: "old".into(),
            code: 1,
            keys: Vec::new(),
            properties: "[]".into(),
            created: now,
            modified: now,
        };
        let mut bytes = vec![1u8];
        bytes.extend(bincode::serde::encode_to_vec(&old, bincode::config::standard()).unwrap());
        let back: SdsType = decode(&bytes).unwrap();
        assert_eq!(
            (back.id.as_str(), back.description.as_str()),
            ("Reading", "old")
        );
        assert_eq!(
            (&back.acl, &back.owner),
            (&None, &None),
            "the tenant's default applies"
        );
        assert_eq!(encode(&back).unwrap()[0], 3);
    }

    #[test]
    fn a_type_stored_before_read_modes_still_decodes() {
        let now = Utc::now();
        let old = SdsTypeV2 {
            id: "Reading".into(),
            name: "Reading".into(),
            description: "two".into(),
            code: 1,
            keys: Vec::new(),
            properties: "[]".into(),
            created: now,
            modified: now,
            acl: Some(AccessControlList::default()),
            owner: None,
        };
        let mut bytes = vec![2u8];
        bytes.extend(bincode::serde::encode_to_vec(&old, bincode::config::standard()).unwrap());
        let back: SdsType = decode(&bytes).unwrap();
        assert_eq!(back.description, "two");
        assert_eq!(back.acl, Some(AccessControlList::default()));
        assert_eq!(back.modes, ReadModes::default(), "no modes: SDS's defaults");
        assert_eq!(encode(&back).unwrap()[0], 3);
    }
}
