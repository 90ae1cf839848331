//! Portal sessions, keyed by the SHA-256 of the cookie value so a copy of the
//! database does not hand out live sessions.

use super::codec::{decode, encode};
use super::error::StoreError;
use super::tables::SESSIONS;
use super::tx::Readable;
use crate::domain::session::Session;
use redb::{ReadableTable, WriteTransaction};

pub fn get(tx: &impl Readable, key: &[u8]) -> Result<Option<Session>, StoreError> {
    let table = tx.table(SESSIONS)?;
    let found = table.get(key)?;
    found.map(|v| decode(v.value())).transpose()
}

pub fn put(tx: &WriteTransaction, key: &[u8], session: &Session) -> Result<(), StoreError> {
    tx.open_table(SESSIONS)?
        .insert(key, encode(session)?.as_slice())?;
    Ok(())
}

pub fn delete(tx: &WriteTransaction, key: &[u8]) -> Result<(), StoreError> {
    tx.open_table(SESSIONS)?.remove(key)?;
    Ok(())
}
