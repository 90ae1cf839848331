//! Counted reads of shared streams (see `domain::usage`), one row per
//! (community, day, reader tenant, owner tenant, `namespace/stream`). The
//! counter only grows: a flush adds to the stored row, whichever instance
//! wrote it before.

use super::error::StoreError;
use super::tables::USAGE;
use super::tx::{redb_or_pg, redb_write_or_pg, Readable, RedbReadable, Writable};
use crate::domain::ids::{CommunityId, TenantId};
use crate::domain::usage::{split_stream_ref, UsageCounts, UsageKey};
use redb::ReadableTable;
use std::ops::Bound;
use uuid::Uuid;

/// A stored row.
pub use crate::domain::usage::UsageRow as Row;

type RedbKey<'a> = (Uuid, i64, Uuid, Uuid, &'a str);

fn key_of((community, day, reader, owner, stream): RedbKey<'_>) -> UsageKey {
    let (namespace, stream) = split_stream_ref(stream);
    UsageKey {
        community: CommunityId(community),
        day,
        reader: TenantId(reader),
        owner: TenantId(owner),
        namespace,
        stream,
    }
}

fn counts_of((requests, values, refused): (u64, u64, u64)) -> UsageCounts {
    UsageCounts {
        requests,
        values,
        refused,
    }
}

/// Adds each row's counts to what is stored under its key.
pub fn add(tx: &impl Writable, rows: &[Row]) -> Result<(), StoreError> {
    let tx = redb_write_or_pg!(tx, |pg| super::pg::usage::add(pg, rows));
    let mut table = tx.open_table(USAGE)?;
    for (key, counts) in rows {
        let stream = key.stream_ref();
        let at = (
            key.community.0,
            key.day,
            key.reader.0,
            key.owner.0,
            stream.as_str(),
        );
        let mut sum = *counts;
        if let Some(stored) = table.get(at)? {
            sum.add(counts_of(stored.value()));
        }
        table.insert(at, (sum.requests, sum.values, sum.refused))?;
    }
    Ok(())
}

/// The rows of a community from day `from` to day `to` (both included)
/// in which `tenant` is the reader or the owner, at most `limit` of them
/// (the caller asks for one more than it accepts to learn of the rest).
pub fn of_tenant_in(
    tx: &impl Readable,
    community: CommunityId,
    (from, to): (i64, i64),
    tenant: TenantId,
    limit: usize,
) -> Result<Vec<Row>, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| super::pg::usage::of_tenant_in(
        pg,
        community,
        (from, to),
        tenant,
        limit
    ));
    let table = tx.table(USAGE)?;
    let lower: RedbKey = (community.0, from, Uuid::nil(), Uuid::nil(), "");
    let upper: RedbKey = (community.0, to, Uuid::max(), Uuid::max(), "\u{10FFFF}");
    let mut out = Vec::new();
    for entry in table.range(lower..=upper)? {
        let (key, value) = entry?;
        let key = key_of(key.value());
        if key.reader == tenant || key.owner == tenant {
            out.push((key, counts_of(value.value())));
            if out.len() >= limit {
                break;
            }
        }
    }
    Ok(out)
}

/// Up to `limit` rows of a community after `after`, in key order: a walk
/// of them in bounded pieces (the store copy).
pub fn page_of_community(
    tx: &impl Readable,
    community: CommunityId,
    after: Option<&UsageKey>,
    limit: usize,
) -> Result<Vec<Row>, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| super::pg::usage::page_of_community(
        pg, community, after, limit
    ));
    let table = tx.table(USAGE)?;
    let after_ref = after.map(UsageKey::stream_ref);
    let lower: Bound<RedbKey> = match (after, &after_ref) {
        (Some(k), Some(s)) => {
            Bound::Excluded((k.community.0, k.day, k.reader.0, k.owner.0, s.as_str()))
        }
        _ => Bound::Included((community.0, i64::MIN, Uuid::nil(), Uuid::nil(), "")),
    };
    let upper: RedbKey = (
        community.0,
        i64::MAX,
        Uuid::max(),
        Uuid::max(),
        "\u{10FFFF}",
    );
    let mut out = Vec::new();
    for entry in table
        .range::<RedbKey>((lower, Bound::Included(upper)))?
        .take(limit)
    {
        let (key, value) = entry?;
        out.push((key_of(key.value()), counts_of(value.value())));
    }
    Ok(out)
}

/// Forgets a community's counts (the community is being deleted).
pub fn forget_community(tx: &impl Writable, community: CommunityId) -> Result<(), StoreError> {
    let tx = redb_write_or_pg!(tx, |pg| super::pg::usage::forget_community(pg, community));
    let mut table = tx.open_table(USAGE)?;
    let lower: RedbKey = (community.0, i64::MIN, Uuid::nil(), Uuid::nil(), "");
    let upper: RedbKey = (
        community.0,
        i64::MAX,
        Uuid::max(),
        Uuid::max(),
        "\u{10FFFF}",
    );
    table.retain_in(lower..=upper, |_, _| false)?;
    Ok(())
}
