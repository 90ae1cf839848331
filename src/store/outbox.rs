//! The durable email outbox. Entries are kept after sending (their status is
//! what the invitation list shows); the due index holds only pending ones.
//!
//! A worker claims an entry before sending it: the claim (a lease with an
//! expiry) is written in its own transaction, and the entry's due time moves
//! to the lease's end. A process that dies mid-send leaves the claim behind;
//! the next worker releases it, so at most the messages in flight are sent
//! again, once, with the same Message-ID. An entry whose bytes cannot be
//! read is moved to a quarantine table instead of blocking the queue.

use super::codec::{decode, encode, Record};
use super::error::StoreError;
use super::tables::{OUTBOX, OUTBOX_CLAIMS, OUTBOX_DUE, OUTBOX_QUARANTINE};
use super::tx::Readable;
use crate::domain::ids::OutboxId;
use crate::domain::notification::{DeliveryReport, OutboxEntry};
use chrono::{DateTime, Utc};
use redb::{ReadableTable, WriteTransaction};
use uuid::Uuid;

/// Layout version 1 (see `codec::Record` for how a layout changes).
impl Record for OutboxEntry {}

pub fn get(tx: &impl Readable, id: OutboxId) -> Result<Option<OutboxEntry>, StoreError> {
    let table = tx.table(OUTBOX)?;
    let found = table.get(id.0)?;
    found.map(|v| decode(v.value())).transpose()
}

pub fn put(tx: &WriteTransaction, entry: &OutboxEntry) -> Result<(), StoreError> {
    if let Some(old) = get(tx, entry.id)? {
        tx.open_table(OUTBOX_DUE)?
            .remove((old.next_attempt.timestamp_millis(), old.id.0))?;
    }
    write(tx, entry)
}

/// Stores the entry and indexes it as due when it is still pending.
fn write(tx: &WriteTransaction, entry: &OutboxEntry) -> Result<(), StoreError> {
    if entry.status.is_pending() {
        tx.open_table(OUTBOX_DUE)?
            .insert((entry.next_attempt.timestamp_millis(), entry.id.0), ())?;
    }
    tx.open_table(OUTBOX)?
        .insert(entry.id.0, encode(entry)?.as_slice())?;
    Ok(())
}

/// What claiming found at the head of the queue.
#[derive(Debug)]
pub enum Claimed {
    /// Now leased to the caller until `lease_until`; `attempts` already counts this try.
    Entry(OutboxEntry),
    /// Its bytes could not be decoded; it was moved to the quarantine table.
    Poison { id: OutboxId, reason: String },
}

/// Claims up to `limit` due entries, soonest first: each one's due time
/// moves to `lease_until` and a claim row records the lease. The caller
/// decides (in the same transaction, with [`settle`]) about any entry it
/// will not send.
pub fn claim_due(
    tx: &WriteTransaction,
    now: DateTime<Utc>,
    limit: usize,
    lease_until: DateTime<Utc>,
) -> Result<Vec<Claimed>, StoreError> {
    let keys: Vec<(i64, Uuid)> = {
        let index = tx.open_table(OUTBOX_DUE)?;
        let range = index.range(..=(now.timestamp_millis(), Uuid::max()))?;
        let mut keys = Vec::new();
        for key in range.take(limit) {
            keys.push(key?.0.value());
        }
        keys
    };
    let mut claimed = Vec::with_capacity(keys.len());
    for (due_ms, id) in keys {
        tx.open_table(OUTBOX_DUE)?.remove((due_ms, id))?;
        let raw = tx.open_table(OUTBOX)?.get(id)?.map(|v| v.value().to_vec());
        let Some(raw) = raw else {
            continue; // an index key left behind; nothing to send
        };
        let mut entry: OutboxEntry = match decode(&raw) {
            Ok(entry) => entry,
            Err(e) => {
                let reason = e.to_string();
                quarantine(tx, OutboxId(id), &raw, &reason, now)?;
                claimed.push(Claimed::Poison {
                    id: OutboxId(id),
                    reason,
                });
                continue;
            }
        };
        if !entry.status.is_pending() {
            continue; // already settled by a send that outlived its claim
        }
        entry.claim(lease_until);
        tx.open_table(OUTBOX_CLAIMS)?
            .insert(id, lease_until.timestamp_millis())?;
        write(tx, &entry)?;
        claimed.push(Claimed::Entry(entry));
    }
    Ok(claimed)
}

/// Records the outcome of a claimed entry and ends its claim. The entry is
/// written whole from what the caller holds, so a row that changed or broke
/// meanwhile cannot stop the outcome from being recorded.
pub fn settle(tx: &WriteTransaction, entry: &OutboxEntry) -> Result<(), StoreError> {
    let lease = {
        let mut claims = tx.open_table(OUTBOX_CLAIMS)?;
        let removed = claims.remove(entry.id.0)?;
        removed.map(|v| v.value())
    };
    if let Some(lease_ms) = lease {
        tx.open_table(OUTBOX_DUE)?.remove((lease_ms, entry.id.0))?;
    }
    write(tx, entry)
}

/// Makes every claimed entry due at `now`. Run when a worker starts: the
/// database admits one process, so a claim found then belongs to a worker
/// that is gone (a crash, or a task that was stopped mid-send).
pub fn release_claims(tx: &WriteTransaction, now: DateTime<Utc>) -> Result<usize, StoreError> {
    let claims: Vec<(Uuid, i64)> = {
        let table = tx.open_table(OUTBOX_CLAIMS)?;
        let mut claims = Vec::new();
        for row in table.range::<Uuid>(..)? {
            let (id, lease) = row?;
            claims.push((id.value(), lease.value()));
        }
        claims
    };
    let mut claims_table = tx.open_table(OUTBOX_CLAIMS)?;
    let mut due = tx.open_table(OUTBOX_DUE)?;
    for (id, lease_ms) in &claims {
        claims_table.remove(*id)?;
        if due.remove((*lease_ms, *id))?.is_some() {
            due.insert((now.timestamp_millis(), *id), ())?;
        }
    }
    Ok(claims.len())
}

/// Moves an unreadable entry out of the outbox, keeping its bytes and the
/// reason for an operator to look at.
fn quarantine(
    tx: &WriteTransaction,
    id: OutboxId,
    raw: &[u8],
    reason: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    tx.open_table(OUTBOX_QUARANTINE)?
        .insert(id.0, (now.timestamp_millis(), reason, raw))?;
    tx.open_table(OUTBOX)?.remove(id.0)?;
    if let Some(lease) = tx.open_table(OUTBOX_CLAIMS)?.remove(id.0)? {
        tx.open_table(OUTBOX_DUE)?.remove((lease.value(), id.0))?;
    }
    Ok(())
}

/// How an email is doing, for the invitation list. Never fails on an entry
/// that cannot be read: that shows as failed, with the reason.
pub fn delivery(tx: &impl Readable, id: OutboxId) -> Result<Option<DeliveryReport>, StoreError> {
    let raw = tx.table(OUTBOX)?.get(id.0)?.map(|v| v.value().to_vec());
    if let Some(raw) = raw {
        return Ok(Some(match decode::<OutboxEntry>(&raw) {
            Ok(entry) => DeliveryReport::of(&entry),
            Err(e) => DeliveryReport::unreadable(&e.to_string()),
        }));
    }
    let table = tx.table(OUTBOX_QUARANTINE)?;
    let quarantined = table.get(id.0)?;
    Ok(quarantined.map(|row| DeliveryReport::unreadable(row.value().1)))
}

/// Entries set aside as unreadable: (id, when, reason), oldest id first.
pub fn quarantined(
    tx: &impl Readable,
) -> Result<Vec<(OutboxId, DateTime<Utc>, String)>, StoreError> {
    let table = tx.table(OUTBOX_QUARANTINE)?;
    let mut out = Vec::new();
    for row in table.range::<Uuid>(..)? {
        let (id, value) = row?;
        let (at_ms, reason, _) = value.value();
        let at = DateTime::from_timestamp_millis(at_ms).unwrap_or_default();
        out.push((OutboxId(id.value()), at, reason.to_string()));
    }
    Ok(out)
}

/// When the soonest pending entry is due, if any.
pub fn next_due(tx: &impl Readable) -> Result<Option<i64>, StoreError> {
    let index = tx.table(OUTBOX_DUE)?;
    let first = index.range::<(i64, Uuid)>(..)?.next().transpose()?;
    Ok(first.map(|(k, _)| k.value().0))
}

/// True when the entry is claimed (being sent, or left by a dead worker).
pub fn is_claimed(tx: &impl Readable, id: OutboxId) -> Result<bool, StoreError> {
    Ok(tx.table(OUTBOX_CLAIMS)?.get(id.0)?.is_some())
}
