//! Consistent copies of the database while it is in use. A read
//! transaction is a snapshot (redb is MVCC), so copying every table inside
//! one gives the state of a single instant, however many writes commit
//! meanwhile. The copy is a fresh, compact redb file, written under a
//! temporary name and renamed into place only when complete, readable only
//! by its owner (it holds password hashes and the token signing keys).

use super::error::StoreError;
use super::tables::{each_table, EachTable, NAMES};
use redb::{
    Database, Key, ReadTransaction, ReadableDatabase, ReadableTable, TableDefinition, TableHandle,
    Value, WriteTransaction,
};
use std::path::Path;

/// Copies the snapshot `from` into a new database file at `dest`.
/// Returns how many rows were copied.
pub fn write_snapshot(from: &ReadTransaction, dest: &Path) -> Result<u64, StoreError> {
    let partial = dest.with_extension("partial");
    let _ = std::fs::remove_file(&partial);
    let rows = {
        let target = Database::create(&partial)?;
        let tx = target.begin_write()?;
        let rows = copy_all(from, &tx)?;
        tx.commit()?;
        rows
    };
    restrict_to_owner(&partial)?;
    std::fs::rename(&partial, dest).map_err(|e| io(dest, e))?;
    Ok(rows)
}

/// Checks that a file is a communityd database this release can open
/// (schema version not newer than this build's); returns its version.
pub fn inspect(file: &Path) -> Result<u64, StoreError> {
    let db = Database::open(file)?;
    let tx = db.begin_read()?;
    let version = super::meta::schema_version(&tx)?.ok_or_else(|| {
        StoreError::Task(format!("{} is not a communityd database", file.display()))
    })?;
    if version > super::SCHEMA_VERSION {
        return Err(StoreError::SchemaMismatch {
            found: version,
            expected: super::SCHEMA_VERSION,
        });
    }
    Ok(version)
}

fn io(path: &Path, source: std::io::Error) -> StoreError {
    StoreError::File {
        path: path.to_path_buf(),
        source,
    }
}

#[cfg(unix)]
fn restrict_to_owner(path: &Path) -> Result<(), StoreError> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).map_err(|e| io(path, e))
}

#[cfg(not(unix))]
fn restrict_to_owner(_: &Path) -> Result<(), StoreError> {
    Ok(())
}

/// Copies each table row by row, typed by its own key and value.
struct Copy<'t> {
    from: &'t ReadTransaction,
    to: &'t WriteTransaction,
    rows: u64,
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
        for row in source.iter()? {
            let (k, v) = row?;
            target.insert(k.value(), v.value())?;
            self.rows += 1;
        }
        Ok(())
    }
}

/// Every registered table. A table in the file that the registry does not
/// declare (one written by a newer build, or created outside `tables!`)
/// would be silently lost from the backup, so the copy refuses it.
fn copy_all(from: &ReadTransaction, to: &WriteTransaction) -> Result<u64, StoreError> {
    for table in from.list_tables()? {
        if !NAMES.contains(&table.name()) {
            return Err(StoreError::Task(format!(
                "the backup does not know table {}; declare it in store/tables.rs",
                table.name()
            )));
        }
    }
    let mut copy = Copy { from, to, rows: 0 };
    each_table(&mut copy)?;
    Ok(copy.rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::tables::SECRETS;
    use crate::store::Store;

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
        assert_eq!(inspect(&dest).unwrap(), crate::store::SCHEMA_VERSION);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&dest).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let restored = dir.path().join("restored");
        std::fs::create_dir_all(&restored).unwrap();
        std::fs::copy(&dest, restored.join(crate::store::FILE_NAME)).unwrap();
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
