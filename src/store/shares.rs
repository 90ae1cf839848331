//! Streams shared into communities: (community, tenant, `namespace/stream`).
//! A row exists exactly while the stream's access control list gives the
//! community's Community Member role Read.

use super::error::StoreError;
use super::tables::SHARES;
use super::tx::{redb_or_pg, redb_write_or_pg, Readable, RedbReadable, Writable};
use crate::domain::ids::{CommunityId, TenantId};
use redb::ReadableTable;
use uuid::Uuid;

/// The stream part of a share key.
pub fn stream_ref(namespace: &str, stream_key: &str) -> String {
    format!("{namespace}/{stream_key}")
}

/// (namespace, stream key) from a share key.
pub fn split_ref(stream_ref: &str) -> (&str, &str) {
    stream_ref
        .split_once('/')
        .unwrap_or(("default", stream_ref))
}

pub fn add(
    tx: &impl Writable,
    community: CommunityId,
    tenant: TenantId,
    stream_ref: &str,
) -> Result<(), StoreError> {
    let tx = redb_write_or_pg!(tx, |pg| super::pg::shares::add(
        pg, community, tenant, stream_ref
    ));
    tx.open_table(SHARES)?
        .insert((community.0, tenant.0, stream_ref), ())?;
    Ok(())
}

pub fn remove(
    tx: &impl Writable,
    community: CommunityId,
    tenant: TenantId,
    stream_ref: &str,
) -> Result<(), StoreError> {
    let tx = redb_write_or_pg!(tx, |pg| super::pg::shares::remove(
        pg, community, tenant, stream_ref
    ));
    tx.open_table(SHARES)?
        .remove((community.0, tenant.0, stream_ref))?;
    Ok(())
}

/// (tenant, stream ref) of every share in a community, by tenant.
pub fn of_community(
    tx: &impl Readable,
    community: CommunityId,
) -> Result<Vec<(TenantId, String)>, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| super::pg::shares::of_community(pg, community));
    let table = tx.table(SHARES)?;
    let mut out = Vec::new();
    for entry in
        table.range((community.0, Uuid::nil(), "")..(community.0, Uuid::max(), "\u{10FFFF}"))?
    {
        let (key, _) = entry?;
        let (_, tenant, stream) = key.value();
        out.push((TenantId(tenant), stream.to_string()));
    }
    Ok(out)
}

/// The first `limit` shares of a community (of one tenant of it, when
/// `only` names one), by tenant: a search's bounded look at what is shared.
pub fn first_of_community(
    tx: &impl Readable,
    community: CommunityId,
    only: Option<TenantId>,
    limit: usize,
) -> Result<Vec<(TenantId, String)>, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| super::pg::shares::first_of_community(
        pg, community, only, limit
    ));
    let table = tx.table(SHARES)?;
    let (low, high) = only.map_or((Uuid::nil(), Uuid::max()), |t| (t.0, t.0));
    let mut out = Vec::new();
    for entry in table
        .range((community.0, low, "")..(community.0, high, "\u{10FFFF}"))?
        .take(limit)
    {
        let (key, _) = entry?;
        let (_, tenant, stream) = key.value();
        out.push((TenantId(tenant), stream.to_string()));
    }
    Ok(out)
}

/// The stream refs one tenant shares into a community.
pub fn of_tenant(
    tx: &impl Readable,
    community: CommunityId,
    tenant: TenantId,
) -> Result<Vec<String>, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| super::pg::shares::of_tenant(pg, community, tenant));
    let table = tx.table(SHARES)?;
    let mut out = Vec::new();
    for entry in table.range((community.0, tenant.0, "")..(community.0, tenant.0, "\u{10FFFF}"))? {
        out.push(entry?.0.value().2.to_string());
    }
    Ok(out)
}

pub fn contains(
    tx: &impl Readable,
    community: CommunityId,
    tenant: TenantId,
    stream_ref: &str,
) -> Result<bool, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| super::pg::shares::contains(
        pg, community, tenant, stream_ref
    ));
    let found = tx
        .table(SHARES)?
        .get((community.0, tenant.0, stream_ref))?
        .is_some();
    Ok(found)
}
