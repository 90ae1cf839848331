//! Checks a backup before anything trusts it: the checksums of its
//! manifest and database (`backup_file`), then every record of every table
//! decoded the way the service reads it and counted against the manifest.
//! Nothing is written, to the backup or anywhere else.

use super::backup_file::{self, damaged, Manifest, Sealed};
use super::error::StoreError;
use super::tables::{each_table, read_value, EachTable, NAMES};
use redb::{
    Key, ReadOnlyDatabase, ReadTransaction, ReadableDatabase, ReadableTable, TableDefinition,
    TableHandle, Value,
};
use std::collections::BTreeMap;
use std::panic::AssertUnwindSafe;
use std::path::Path;

/// Opens and checks the backup at `path`; returns it, ready to copy.
pub fn verify(path: &Path) -> Result<Sealed, StoreError> {
    let sealed = backup_file::open(path)?;
    let manifest = &sealed.manifest;
    if manifest.schema_version > super::SCHEMA_VERSION {
        return Err(StoreError::SchemaMismatch {
            found: manifest.schema_version,
            expected: super::SCHEMA_VERSION,
        });
    }
    let db = sealed.database()?;
    // redb's key types panic on bytes they cannot decode; a backup that
    // passed its checksum holds none, but a reader's panic is still a
    // refusal, not a crash.
    let counted = std::panic::catch_unwind(AssertUnwindSafe(|| read_everything(&db, manifest)))
        .map_err(|_| damaged("a record could not be decoded"))??;
    compare(&manifest.tables, &counted)?;
    Ok(sealed)
}

/// Decodes every record; returns how many each table holds.
fn read_everything(
    db: &ReadOnlyDatabase,
    manifest: &Manifest,
) -> Result<BTreeMap<String, u64>, StoreError> {
    let tx = db.begin_read()?;
    for table in tx.list_tables()? {
        if !NAMES.contains(&table.name()) {
            return Err(damaged(format!(
                "table {} is not one this release knows",
                table.name()
            )));
        }
    }
    let version = super::meta::schema_version(&tx)?;
    if version != Some(manifest.schema_version) {
        return Err(damaged(format!(
            "the database's schema version is {version:?}, the manifest says {}",
            manifest.schema_version
        )));
    }
    let mut reader = Reader {
        tx: &tx,
        counts: BTreeMap::new(),
    };
    each_table(&mut reader)?;
    Ok(reader.counts)
}

struct Reader<'t> {
    tx: &'t ReadTransaction,
    counts: BTreeMap<String, u64>,
}

impl EachTable for Reader<'_> {
    fn table<K: Key + 'static, V: Value + 'static>(
        &mut self,
        def: TableDefinition<'static, K, V>,
    ) -> Result<(), StoreError> {
        let name = def.name();
        let table = match self.tx.open_table(def) {
            Ok(t) => t,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(()),
            Err(e) => return Err(damaged(format!("table {name}: {e}"))),
        };
        let mut records = 0u64;
        let fail = |records: u64, e: &dyn std::fmt::Display| {
            damaged(format!("table {name}, record {}: {e}", records + 1))
        };
        for row in table.iter().map_err(|e| fail(records, &e))? {
            let (key, value) = row.map_err(|e| fail(records, &e))?;
            let _ = key.value();
            read_value(name, V::as_bytes(&value.value()).as_ref())
                .map_err(|e| fail(records, &e))?;
            records += 1;
        }
        self.counts.insert(name.to_string(), records);
        Ok(())
    }
}

/// Every table the manifest lists holds as many records as it says, and
/// the database holds no table the manifest does not list.
fn compare(
    listed: &BTreeMap<String, u64>,
    found: &BTreeMap<String, u64>,
) -> Result<(), StoreError> {
    let names: std::collections::BTreeSet<&String> = listed.keys().chain(found.keys()).collect();
    for name in names {
        let (expected, actual) = (listed.get(name), found.get(name));
        if expected != actual {
            let show =
                |n: Option<&u64>| n.map_or("no such table".to_string(), |n| format!("{n} records"));
            return Err(damaged(format!(
                "record count mismatch in table {name}: the manifest says {}, the database holds {}",
                show(expected),
                show(actual)
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::backup::write_snapshot;
    use crate::store::tables::{SECRETS, TENANTS};
    use crate::store::RedbStore as Store;

    /// A backup of a store holding a secret and, if given, a tenant record.
    fn backup_holding(dir: &Path, tenant_record: Option<&'static [u8]>) -> std::path::PathBuf {
        let store = Store::open(&dir.join("live")).unwrap();
        store
            .write_blocking(|tx| {
                tx.open_table(SECRETS)?.insert("k", &b"v"[..])?;
                if let Some(record) = tenant_record {
                    tx.open_table(TENANTS)?.insert(uuid::Uuid::nil(), record)?;
                }
                Ok::<_, StoreError>(())
            })
            .unwrap();
        let file = dir.join("backup.redb");
        store.read_blocking(|tx| write_snapshot(tx, &file)).unwrap();
        file
    }

    #[test]
    fn a_record_the_service_could_not_read_is_refused_naming_its_table() {
        let dir = tempfile::tempdir().unwrap();
        // Checksums and counts are right: only decoding finds it.
        let file = backup_holding(dir.path(), Some(&[1, 0xff, 0xff, 0xff]));
        let err = verify(&file).err().expect("refused").to_string();
        assert!(err.contains("table TENANTS, record 1"), "{err}");
    }

    #[test]
    fn a_count_that_does_not_match_is_refused_naming_table_and_counts() {
        let dir = tempfile::tempdir().unwrap();
        let file = backup_holding(dir.path(), None);
        let manifest = backup_file::open(&file).unwrap().manifest;
        // The same database, sealed again with one count off: both
        // checksums hold, only the count is wrong.
        let bytes = std::fs::read(&file).unwrap();
        let resealed = dir.path().join("resealed.redb");
        std::fs::write(&resealed, &bytes[..manifest.database_bytes as usize]).unwrap();
        let mut tables = manifest.tables.clone();
        *tables.get_mut("SECRETS").unwrap() += 1;
        backup_file::seal(&resealed, manifest.schema_version, tables).unwrap();
        let err = verify(&resealed).err().expect("refused").to_string();
        assert!(
            err.contains("count mismatch in table SECRETS")
                && err.contains("the manifest says 2 records, the database holds 1"),
            "{err}"
        );
    }
}
