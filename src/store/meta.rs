//! The META table: the schema version stamped on the file.

use super::error::StoreError;
use super::tables::META;
use super::tx::{redb_or_pg, Readable, RedbReadable};
use redb::ReadableTable;

/// The stamped schema version; reading it proves the file is readable.
/// PostgreSQL stamps its migrations instead, and keeps records in the
/// layouts of this release's `SCHEMA_VERSION`: reading the migrations
/// table proves the database answers (`/health/ready`), and a database
/// with none applied has no schema yet (`None`).
pub fn schema_version(tx: &impl Readable) -> Result<Option<u64>, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| Ok(
        (super::pg::migrate::applied(pg)? > 0).then_some(super::SCHEMA_VERSION)
    ));
    let version = tx.table(META)?.get("schema_version")?.map(|v| v.value());
    Ok(version)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::pg::testing;
    use crate::store::{Store, SCHEMA_VERSION};

    /// `/health/ready` reads the version to prove the database answers: it
    /// is this release's on either backend.
    #[test]
    fn both_backends_answer_this_releases_version() {
        let dir = tempfile::tempdir().unwrap();
        let redb = Store::open(dir.path()).unwrap();
        let version = |store: &Store| store.read_blocking(|tx| schema_version(tx)).unwrap();
        assert_eq!(version(&redb), Some(SCHEMA_VERSION));
        let Some(pg) = testing::fresh_store(&dir.path().join("pg")) else {
            eprintln!("skipped: {} is unset", testing::TEST_DATABASE_URL);
            return;
        };
        assert_eq!(version(&pg.unwrap()), Some(SCHEMA_VERSION));
    }
}
