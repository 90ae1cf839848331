//! The durable email outbox. Entries are kept after sending (their status is
//! what the invitation list shows); the due index holds only pending ones.

use super::codec::{decode, encode, Record};
use super::error::StoreError;
use super::tables::{OUTBOX, OUTBOX_DUE};
use super::tx::Readable;
use crate::domain::ids::OutboxId;
use crate::domain::notification::OutboxEntry;
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
    if entry.status.is_pending() {
        tx.open_table(OUTBOX_DUE)?
            .insert((entry.next_attempt.timestamp_millis(), entry.id.0), ())?;
    }
    tx.open_table(OUTBOX)?
        .insert(entry.id.0, encode(entry)?.as_slice())?;
    Ok(())
}

/// Pending entries whose next attempt is due, soonest first.
pub fn due(
    tx: &impl Readable,
    now: DateTime<Utc>,
    limit: usize,
) -> Result<Vec<OutboxEntry>, StoreError> {
    let index = tx.table(OUTBOX_DUE)?;
    let mut ids = Vec::new();
    for entry in index
        .range(..=(now.timestamp_millis(), Uuid::max()))?
        .take(limit)
    {
        ids.push(OutboxId(entry?.0.value().1));
    }
    drop(index);
    let mut out = Vec::new();
    for id in ids {
        out.extend(get(tx, id)?);
    }
    Ok(out)
}

/// When the soonest pending entry is due, if any.
pub fn next_due(tx: &impl Readable) -> Result<Option<i64>, StoreError> {
    let index = tx.table(OUTBOX_DUE)?;
    let first = index.range::<(i64, Uuid)>(..)?.next().transpose()?;
    Ok(first.map(|(k, _)| k.value().0))
}
