//! Each community's trusted domains, one record per community whose
//! administrators set them; a community without one invites any domain.
//! Read by every invitation, acceptance and confirmation in the community,
//! and by the community's view.

use super::codec::{decode, encode, Record};
use super::error::StoreError;
use super::lookup::Lookup;
use super::tables::COMMUNITY_TRUSTED_DOMAINS;
use super::tx::{redb_or_pg, redb_write_or_pg, Readable, RedbReadable, Writable};
use crate::domain::ids::CommunityId;
use crate::domain::trusted_domains::TrustedDomains;
use redb::ReadableTable;

/// Layout version 1 (see `codec::Record` for how a layout changes).
impl Record for TrustedDomains {}

/// The record as stored, `None` when the community never set one.
pub fn stored(
    tx: &impl Readable,
    community: CommunityId,
) -> Result<Option<TrustedDomains>, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| pg
        .recall(Lookup::community_trusted_domains(community), || {
            super::pg::trusted_domains::get(pg, community)
        }));
    tx.recall(Lookup::community_trusted_domains(community), || {
        let table = tx.table(COMMUNITY_TRUSTED_DOMAINS)?;
        let found = table.get(community.0)?;
        found.map(|v| decode(v.value())).transpose()
    })
}

/// The trusted domains the community's invitations follow: its own, else
/// none (any domain, nobody confirmed automatically).
pub fn of_community(
    tx: &impl Readable,
    community: CommunityId,
) -> Result<TrustedDomains, StoreError> {
    Ok(stored(tx, community)?.unwrap_or_default())
}

pub fn put(
    tx: &impl Writable,
    community: CommunityId,
    trusted: &TrustedDomains,
) -> Result<(), StoreError> {
    let tx = redb_write_or_pg!(tx, |pg| super::pg::trusted_domains::put(
        pg, community, trusted
    ));
    tx.open_table(COMMUNITY_TRUSTED_DOMAINS)?
        .insert(community.0, encode(trusted)?.as_slice())?;
    Ok(())
}

/// Removes the community's record, with the community.
pub fn forget(tx: &impl Writable, community: CommunityId) -> Result<(), StoreError> {
    let tx = redb_write_or_pg!(tx, |pg| super::pg::trusted_domains::delete(pg, community));
    tx.open_table(COMMUNITY_TRUSTED_DOMAINS)?
        .remove(community.0)?;
    Ok(())
}
