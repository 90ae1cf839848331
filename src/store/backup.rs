//! Consistent copies of the database while it is in use. A read
//! transaction is a snapshot (redb is MVCC), so copying every table inside
//! one gives the state of a single instant, however many writes commit
//! meanwhile. The copy is a fresh, compact redb file, sealed with a
//! manifest (`backup_file`: checksums and each table's record count),
//! written under a temporary name and renamed into place only when
//! complete, readable only by its owner from its creation (it holds
//! password hashes and the token signing keys).

use super::backup_file;
use super::error::StoreError;
use super::private_files;
use super::tables::{each_table, EachTable, NAMES};
use super::tx::{Readable, RedbTx, Side};
use redb::{
    Database, Key, ReadTransaction, ReadableTable, TableDefinition, TableHandle, Value,
    WriteTransaction,
};
use std::collections::BTreeMap;
use std::path::Path;

/// Copies the snapshot `from` into a new backup file at `dest`.
/// Returns how many rows were copied.
pub fn write_snapshot(from: &impl Readable, dest: &Path) -> Result<u64, StoreError> {
    let from = match from.side() {
        Side::Redb(RedbTx::Read(tx)) => tx,
        _ => return Err(StoreError::Backup(
            "on PostgreSQL, back up with pg_dump or a replica, or copy the data into a redb file with `communityd store copy`".into(),
        )),
    };
    let partial = dest.with_extension("partial");
    let _ = std::fs::remove_file(&partial);
    drop(private_files::create_new(&partial)?);
    let tables = {
        let target = Database::create(&partial)?;
        let tx = target.begin_write()?;
        let tables = copy_all(from, &tx)?;
        tx.commit()?;
        tables
    };
    let version = super::meta::schema_version(from)?.unwrap_or(super::SCHEMA_VERSION);
    let manifest = backup_file::seal(&partial, version, tables)?;
    std::fs::rename(&partial, dest).map_err(|e| StoreError::file(dest, e))?;
    Ok(manifest.tables.values().sum())
}

/// Copies each table row by row, typed by its own key and value.
struct Copy<'t> {
    from: &'t ReadTransaction,
    to: &'t WriteTransaction,
    /// Rows per table copied, for the manifest.
    tables: BTreeMap<String, u64>,
}

impl EachTable for Copy<'_> {
    fn table<K: Key + 'static, V: Value + 'static>(
        &mut self,
        def: TableDefinition<'static, K, V>,
    ) -> Result<(), StoreError> {
        let source = match self.from.open_table(def) {
            Ok(t) => t,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(()),
            Err(e) => return Err(e.into()),
        };
        let mut target = self.to.open_table(def)?;
        let mut rows = 0;
        for row in source.iter()? {
            let (k, v) = row?;
            target.insert(k.value(), v.value())?;
            rows += 1;
        }
        self.tables.insert(def.name().to_string(), rows);
        Ok(())
    }
}

/// Every registered table. A table in the file that the registry does not
/// declare (one written by a newer build, or created outside `tables!`)
/// would be silently lost from the backup, so the copy refuses it.
fn copy_all(
    from: &ReadTransaction,
    to: &WriteTransaction,
) -> Result<BTreeMap<String, u64>, StoreError> {
    for table in from.list_tables()? {
        if !NAMES.contains(&table.name()) {
            return Err(StoreError::Task(format!(
                "the backup does not know table {}; declare it in store/tables.rs",
                table.name()
            )));
        }
    }
    let mut copy = Copy {
        from,
        to,
        tables: BTreeMap::new(),
    };
    each_table(&mut copy)?;
    Ok(copy.tables)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::tables::SECRETS;
    use crate::store::RedbStore as Store;

    #[test]
    fn a_snapshot_holds_every_table_and_opens_as_a_store() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("live")).unwrap();
        store
            .write_blocking(|tx| {
                tx.open_table(SECRETS)?.insert("k", &b"v"[..])?;
                Ok::<_, StoreError>(())
            })
            .unwrap();
        let dest = dir.path().join("copy.redb");
        let rows = store.read_blocking(|tx| write_snapshot(tx, &dest)).unwrap();
        assert_eq!(rows, 2, "schema version and the secret");
        let sealed = crate::store::backup_check::verify(&dest).unwrap();
        assert_eq!(sealed.manifest.schema_version, crate::store::SCHEMA_VERSION);
        assert_eq!(sealed.manifest.tables["SECRETS"], 1);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&dest).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let restored = dir.path().join("restored");
        std::fs::create_dir_all(&restored).unwrap();
        sealed
            .copy_database(&restored.join(crate::store::FILE_NAME))
            .unwrap();
        let reopened = Store::open(&restored).unwrap();
        let secret = reopened
            .read_blocking(|tx| {
                Ok::<_, StoreError>(
                    tx.open_table(SECRETS)?
                        .get("k")?
                        .map(|v| v.value().to_vec()),
                )
            })
            .unwrap();
        assert_eq!(secret.as_deref(), Some(&b"v"[..]));
    }

    #[test]
    fn a_table_the_backup_does_not_know_fails_the_backup() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        const STRAY: TableDefinition<u64, u64> = TableDefinition::new("STRAY");
        store
            .write_blocking(|tx| {
                tx.open_table(STRAY)?.insert(1, 2)?;
                Ok::<_, StoreError>(())
            })
            .unwrap();
        let err = store
            .read_blocking(|tx| write_snapshot(tx, &dir.path().join("b.redb")))
            .unwrap_err()
            .to_string();
        assert!(err.contains("STRAY"), "{err}");
    }
}
