//! The META table: the schema version stamped on the file.

use super::error::StoreError;
use super::tables::META;
use super::tx::{redb_or_pg, Readable, RedbReadable};
use redb::ReadableTable;

/// The stamped schema version; reading it proves the file is readable.
pub fn schema_version(tx: &impl Readable) -> Result<Option<u64>, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| Err(super::pg::pending("meta::schema_version", pg)));
    let version = tx.table(META)?.get("schema_version")?.map(|v| v.value());
    Ok(version)
}
