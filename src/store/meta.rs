//! The META table: the schema version stamped on the file.

use super::error::StoreError;
use super::tables::META;
use super::tx::Readable;
use redb::ReadableTable;

/// The stamped schema version; reading it proves the file is readable.
pub fn schema_version(tx: &impl Readable) -> Result<Option<u64>, StoreError> {
    Ok(tx.table(META)?.get("schema_version")?.map(|v| v.value()))
}
