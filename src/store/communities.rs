//! Communities, their per-owner name index and the shares counted in them.

use super::codec::{decode, encode, Record};
use super::error::StoreError;
use super::lookup::Lookup;
use super::memo;
use super::tables::{COMMUNITIES, COMMUNITY_NAMES, SHARES};
use super::tx::{redb_or_pg, redb_write_or_pg, Readable, RedbReadable, Writable};
use crate::domain::community::Community;
use crate::domain::ids::{CommunityId, PrincipalId, TenantId};
use redb::{ReadableTable, ReadableTableMetadata};
use uuid::Uuid;

/// Layout version 1 (see `codec::Record` for how a layout changes).
impl Record for Community {}

pub fn get(tx: &impl Readable, id: CommunityId) -> Result<Option<Community>, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| pg.recall(Lookup::community(id), || {
        super::pg::communities::get(pg, id)
    }));
    tx.recall(Lookup::community(id), || {
        let table = tx.table(COMMUNITIES)?;
        let found = table.get(id.0)?;
        found.map(|v| decode(v.value())).transpose()
    })
}

/// Every community, in id order: for the operator's commands (a full
/// scan is fine there).
pub fn all(tx: &impl Readable) -> Result<Vec<Community>, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| super::pg::communities::all(pg));
    let table = tx.table(COMMUNITIES)?;
    let mut out = Vec::new();
    for entry in table.range::<Uuid>(..)? {
        out.push(decode(entry?.1.value())?);
    }
    Ok(out)
}

/// `viewer`'s view of `community`, as worked out by `load`, which also says
/// whether the view holds for the whole snapshot; only then is it
/// remembered until the next commit.
pub fn recall_view<V: Clone + 'static, E>(
    tx: &impl Readable,
    community: CommunityId,
    viewer: PrincipalId,
    tenant: TenantId,
    load: impl FnOnce() -> Result<(V, bool), E>,
) -> Result<V, E> {
    let lookup = Lookup::community_view(community, viewer, tenant);
    memo::recall_if(tx.snapshot(), lookup, load)
}

/// Inserts or replaces a community. Returns false (writing nothing) when the
/// owner already has another community of that name.
pub fn put(tx: &impl Writable, community: &Community) -> Result<bool, StoreError> {
    let tx = redb_write_or_pg!(tx, |pg| super::pg::communities::put(pg, community));
    let old = get(tx, community.id)?;
    let mut names = tx.open_table(COMMUNITY_NAMES)?;
    let key = community.name.unique_key();
    let holder = names
        .get((community.owner.0, key.as_str()))?
        .map(|v| v.value());
    if holder.is_some_and(|h| h != community.id.0) {
        return Ok(false);
    }
    if let Some(old) = old {
        names.remove((old.owner.0, old.name.unique_key().as_str()))?;
    }
    names.insert((community.owner.0, key.as_str()), community.id.0)?;
    tx.open_table(COMMUNITIES)?
        .insert(community.id.0, encode(community)?.as_slice())?;
    Ok(true)
}

pub fn delete(tx: &impl Writable, community: &Community) -> Result<(), StoreError> {
    let tx = redb_write_or_pg!(tx, |pg| {
        super::pg::communities::delete(pg, community)?;
        super::usage::forget_community(tx, community.id)?;
        super::trusted_domains::forget(tx, community.id)?;
        super::profiles::set_community_region(tx, community.id, None)
    });
    tx.open_table(COMMUNITY_NAMES)?
        .remove((community.owner.0, community.name.unique_key().as_str()))?;
    tx.open_table(COMMUNITIES)?.remove(community.id.0)?;
    super::profiles::set_community_region(tx, community.id, None)?;
    super::usage::forget_community(tx, community.id)?;
    super::trusted_domains::forget(tx, community.id)?;
    tx.open_table(SHARES)?.retain_in(
        (community.id.0, Uuid::nil(), "")..(community.id.0, Uuid::max(), "\u{10FFFF}"),
        |_, _| false,
    )?;
    Ok(())
}

/// How many streams each tenant shares into the community (tenants that
/// share none are absent), in one walk of the community's shares.
pub fn share_counts(
    tx: &impl Readable,
    community: CommunityId,
) -> Result<Vec<(TenantId, u64)>, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| pg
        .recall(Lookup::community_share_counts(community), || {
            super::pg::communities::share_counts(pg, community)
        }));
    tx.recall(Lookup::community_share_counts(community), || {
        let shares = tx.table(SHARES)?;
        let mut out: Vec<(TenantId, u64)> = Vec::new();
        if shares.is_empty()? {
            return Ok(out);
        }
        for entry in shares
            .range((community.0, Uuid::nil(), "")..(community.0, Uuid::max(), "\u{10FFFF}"))?
        {
            let tenant = TenantId(entry?.0.value().1);
            // Keys come in tenant order: a new tenant starts a new count.
            match out.last_mut() {
                Some((last, n)) if *last == tenant => *n += 1,
                _ => out.push((tenant, 1)),
            }
        }
        Ok(out)
    })
}
