//! Portal sessions, keyed by the SHA-256 of the cookie value so a copy of the
//! database does not hand out live sessions.

use super::codec::{decode, encode, Record};
use super::error::StoreError;
use super::tables::{SESSIONS, SESSIONS_BY_EXPIRY};
use super::tx::Readable;
use crate::domain::session::Session;
use redb::{ReadableTable, WriteTransaction};

/// Layout version 1 (see `codec::Record` for how a layout changes).
impl Record for Session {}

pub fn get(tx: &impl Readable, key: &[u8]) -> Result<Option<Session>, StoreError> {
    let table = tx.table(SESSIONS)?;
    let found = table.get(key)?;
    found.map(|v| decode(v.value())).transpose()
}

pub fn put(tx: &WriteTransaction, key: &[u8], session: &Session) -> Result<(), StoreError> {
    if let Some(old) = get(tx, key)? {
        tx.open_table(SESSIONS_BY_EXPIRY)?
            .remove((old.expires.timestamp_millis(), key))?;
    }
    tx.open_table(SESSIONS_BY_EXPIRY)?
        .insert((session.expires.timestamp_millis(), key), ())?;
    tx.open_table(SESSIONS)?
        .insert(key, encode(session)?.as_slice())?;
    Ok(())
}

pub fn delete(tx: &WriteTransaction, key: &[u8]) -> Result<(), StoreError> {
    if let Some(old) = get(tx, key)? {
        tx.open_table(SESSIONS_BY_EXPIRY)?
            .remove((old.expires.timestamp_millis(), key))?;
    }
    tx.open_table(SESSIONS)?.remove(key)?;
    Ok(())
}

/// Deletes up to `limit` sessions that expired by `now`; returns how many.
pub fn delete_expired(
    tx: &WriteTransaction,
    now: chrono::DateTime<chrono::Utc>,
    limit: usize,
) -> Result<usize, StoreError> {
    let mut keys = Vec::new();
    {
        let index = tx.open_table(SESSIONS_BY_EXPIRY)?;
        for entry in index
            .range::<(i64, &[u8])>(..(now.timestamp_millis(), &[][..]))?
            .take(limit)
        {
            keys.push(entry?.0.value().1.to_vec());
        }
    }
    for key in &keys {
        delete(tx, key)?;
    }
    Ok(keys.len())
}
