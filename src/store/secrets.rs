//! Signing keys, generated on first start and kept in the database so that
//! tokens and links survive a restart. Never logged.

use super::error::StoreError;
use super::tables::SECRETS;
use super::tx::{redb_or_pg, redb_write_or_pg, Readable, RedbReadable, Writable};
use redb::ReadableTable;

/// Returns the named key, generating 32 random bytes the first time.
pub fn get_or_create(tx: &impl Writable, name: &str) -> Result<Vec<u8>, StoreError> {
    let tx = redb_write_or_pg!(tx, |pg| super::pg::secrets::get_or_create(
        pg,
        name,
        &rand::random::<[u8; 32]>()
    ));
    let mut table = tx.open_table(SECRETS)?;
    if let Some(existing) = table.get(name)? {
        return Ok(existing.value().to_vec());
    }
    let key: [u8; 32] = rand::random();
    table.insert(name, key.as_slice())?;
    Ok(key.to_vec())
}

/// The named key, if there is one (for `store copy`, which must not make
/// one up).
pub fn get(tx: &impl Readable, name: &str) -> Result<Option<Vec<u8>>, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| super::pg::secrets::get(pg, name));
    let table = tx.table(SECRETS)?;
    let found = table.get(name)?;
    Ok(found.map(|v| v.value().to_vec()))
}

/// Stores the named key as given, replacing any (for `store copy`, which
/// moves a deployment's keys so its tokens and links stay valid).
pub fn put(tx: &impl Writable, name: &str, key: &[u8]) -> Result<(), StoreError> {
    let tx = redb_write_or_pg!(tx, |pg| super::pg::secrets::put(pg, name, key));
    tx.open_table(SECRETS)?.insert(name, key)?;
    Ok(())
}
