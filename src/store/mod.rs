//! redb storage: one `Database` per process, one function per read or write
//! a use case needs. Every change is one write transaction; callers pass a
//! closure to `Store::write`, which commits only when it returns `Ok`.

pub mod backup;
pub mod census;
pub mod codec;
pub mod communities;
pub mod error;
pub mod grants;
pub mod identities;
pub mod invitations;
pub mod memberships;
pub mod meta;
mod migrate;
pub mod outbox;
pub mod profiles;
pub mod sds_streams;
pub mod sds_types;
pub mod sds_values;
pub mod secrets;
pub mod sessions;
pub mod shares;
pub mod tables;
pub mod tenants;
mod tx;

pub use error::StoreError;
pub use redb::{ReadTransaction, WriteTransaction};
pub use tx::Readable;

use redb::{Database, ReadableDatabase, ReadableTable};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Bumped when a table's key or value types change, with a step in
/// `migrate`. A record's own layout is versioned by `codec::Record` instead.
pub const SCHEMA_VERSION: u64 = 1;
pub const FILE_NAME: &str = "communityd.redb";

/// A data dir that cannot be created or written, in one line with the fix.
fn unusable(data_dir: &Path, e: std::io::Error) -> StoreError {
    StoreError::DataDir(format!(
        "the data dir {} cannot be used ({e}); give the server's user write access to it, or choose another with --data-dir or COMMUNITYD_DATA_DIR",
        data_dir.display()
    ))
}

#[derive(Clone)]
pub struct Store {
    db: Arc<Database>,
    path: PathBuf,
}

impl Store {
    /// Opens (or creates) the database in `data_dir`, creating every table
    /// and checking the schema version.
    pub fn open(data_dir: &Path) -> Result<Self, StoreError> {
        std::fs::create_dir_all(data_dir).map_err(|e| unusable(data_dir, e))?;
        let path = data_dir.join(FILE_NAME);
        let db = Database::builder()
            .set_repair_callback(|session| {
                tracing::warn!(
                    progress = session.progress(),
                    "repairing database after an unclean shutdown"
                );
            })
            .create(&path)
            .map_err(|e| match e {
                redb::DatabaseError::DatabaseAlreadyOpen => {
                    StoreError::Locked(path.display().to_string())
                }
                redb::DatabaseError::Storage(redb::StorageError::Io(io))
                    if io.kind() == std::io::ErrorKind::WouldBlock =>
                {
                    StoreError::Locked(path.display().to_string())
                }
                redb::DatabaseError::Storage(redb::StorageError::Io(io))
                    if io.kind() == std::io::ErrorKind::PermissionDenied =>
                {
                    unusable(data_dir, io)
                }
                other => other.into(),
            })?;
        let store = Self {
            db: Arc::new(db),
            path,
        };
        store.prepare_tables()?;
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Waits (up to `limit`) until this is the last handle on the database,
    /// so dropping it closes the file cleanly and the next start needs no
    /// repair. HTTP worker threads let go of theirs a moment after the
    /// server reports it has stopped.
    pub async fn wait_until_sole_owner(&self, limit: std::time::Duration) -> bool {
        let started = std::time::Instant::now();
        while Arc::strong_count(&self.db) > 1 {
            if started.elapsed() >= limit {
                return false;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        true
    }

    fn prepare_tables(&self) -> Result<(), StoreError> {
        self.write_blocking(|tx| {
            tx::create_all_tables(tx)?;
            tenants::index_names(tx)?;
            let found = tx
                .open_table(tables::META)?
                .get("schema_version")?
                .map(|v| v.value());
            match found {
                None => {
                    tx.open_table(tables::META)?
                        .insert("schema_version", SCHEMA_VERSION)?;
                }
                Some(v) if v == SCHEMA_VERSION => {}
                Some(v) => migrate::run(tx, v, SCHEMA_VERSION, migrate::STEPS)?,
            }
            Ok(())
        })
    }

    /// Runs `f` in one write transaction on the calling thread; commits on Ok.
    pub fn write_blocking<T, E>(
        &self,
        f: impl FnOnce(&WriteTransaction) -> Result<T, E>,
    ) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        let tx = self.db.begin_write().map_err(StoreError::from)?;
        let value = f(&tx)?;
        tx.commit().map_err(StoreError::from)?;
        Ok(value)
    }

    pub fn read_blocking<T, E>(
        &self,
        f: impl FnOnce(&ReadTransaction) -> Result<T, E>,
    ) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        let tx = self.db.begin_read().map_err(StoreError::from)?;
        f(&tx)
    }

    /// `write_blocking` on the blocking pool, so redb never stalls the executor.
    pub async fn write<T, E>(
        &self,
        f: impl FnOnce(&WriteTransaction) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        let store = self.clone();
        tokio::task::spawn_blocking(move || store.write_blocking(f))
            .await
            .map_err(|e| E::from(StoreError::Task(e.to_string())))?
    }

    pub async fn read<T, E>(
        &self,
        f: impl FnOnce(&ReadTransaction) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        let store = self.clone();
        tokio::task::spawn_blocking(move || store.read_blocking(f))
            .await
            .map_err(|e| E::from(StoreError::Task(e.to_string())))?
    }
}
