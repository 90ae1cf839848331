//! One-time authorization codes, keyed by the SHA-256 of the code (like
//! sessions), with an expiry index the sweep walks. They live in the
//! store, not in a process, so every instance sharing a database honours
//! a code any of them issued, and a code traded on one is spent on all.

use super::codec::{decode, encode, Record};
use super::error::StoreError;
use super::tables::{AUTHORIZATION_CODES, AUTHORIZATION_CODES_BY_EXPIRY};
use super::tx::{redb_or_pg, redb_write_or_pg, Readable, RedbReadable, Writable};
use crate::domain::authorization_code::AuthorizationCode;
use chrono::{DateTime, Utc};
use redb::ReadableTable;

/// Layout version 1 (see `codec::Record` for how a layout changes).
impl Record for AuthorizationCode {}

pub fn put(tx: &impl Writable, key: &[u8], code: &AuthorizationCode) -> Result<(), StoreError> {
    let tx = redb_write_or_pg!(tx, |pg| super::pg::authorization_codes::put(pg, key, code));
    tx.open_table(AUTHORIZATION_CODES_BY_EXPIRY)?
        .insert((code.expires.timestamp_millis(), key), ())?;
    tx.open_table(AUTHORIZATION_CODES)?
        .insert(key, encode(code)?.as_slice())?;
    Ok(())
}

pub fn get(tx: &impl Readable, key: &[u8]) -> Result<Option<AuthorizationCode>, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| super::pg::authorization_codes::get(pg, key));
    let table = tx.table(AUTHORIZATION_CODES)?;
    let found = table.get(key)?;
    found.map(|v| decode(v.value())).transpose()
}

/// Removes the code and returns it: whoever takes it first has it, and
/// nobody gets it again, whatever they then make of it.
pub fn take(tx: &impl Writable, key: &[u8]) -> Result<Option<AuthorizationCode>, StoreError> {
    let tx = redb_write_or_pg!(tx, |pg| super::pg::authorization_codes::take(pg, key));
    let old: Option<AuthorizationCode> = {
        let mut table = tx.open_table(AUTHORIZATION_CODES)?;
        let removed = table.remove(key)?;
        removed.map(|v| decode(v.value())).transpose()?
    };
    if let Some(old) = &old {
        tx.open_table(AUTHORIZATION_CODES_BY_EXPIRY)?
            .remove((old.expires.timestamp_millis(), key))?;
    }
    Ok(old)
}

/// Deletes up to `limit` codes that expired before `now`; returns how many.
pub fn delete_expired(
    tx: &impl Writable,
    now: DateTime<Utc>,
    limit: usize,
) -> Result<usize, StoreError> {
    let tx = redb_write_or_pg!(tx, |pg| super::pg::authorization_codes::delete_expired(
        pg, now, limit
    ));
    let mut keys = Vec::new();
    {
        let index = tx.open_table(AUTHORIZATION_CODES_BY_EXPIRY)?;
        for entry in index
            .range::<(i64, &[u8])>(..(now.timestamp_millis(), &[][..]))?
            .take(limit)
        {
            keys.push(entry?.0.value().1.to_vec());
        }
    }
    for key in &keys {
        take(tx, key)?;
    }
    Ok(keys.len())
}
