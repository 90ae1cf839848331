//! Storage: one function per read or write a use case needs, on one of two
//! backends chosen at start. redb in the data dir is the default (zero
//! setup, one process); PostgreSQL (`database_url`) lets several instances
//! serve one deployment. A use case passes a closure to `Store::write`,
//! which commits only when it returns `Ok` and answers only once the
//! commit is durable; the closure sees a `WriteTx` (or a `ReadTx` for
//! `Store::read`) and never learns which backend runs it.

pub mod audit_events;
pub mod authorization_code_clients;
pub mod authorization_codes;
pub mod backup;
pub mod backup_check;
pub mod backup_file;
pub mod census;
pub mod clients;
pub mod codec;
mod committer;
pub mod communities;
pub mod copy;
pub mod counts;
pub mod custom_roles;
pub mod error;
mod fair_queue;
pub mod grants;
pub mod identities;
pub mod identity_providers;
pub mod instance;
pub mod invitations;
pub mod large_work;
mod lookup;
pub mod memberships;
mod memo;
pub mod meta;
mod migrate;
pub mod namespace_access;
pub mod namespace_lists;
pub mod namespaces;
pub mod outbox;
pub mod pg;
pub mod prefetch;
pub mod private_files;
pub mod profiles;
mod redb_store;
pub mod sds_streams;
pub mod sds_types;
pub mod sds_values;
pub mod secrets;
pub mod sessions;
pub mod shares;
pub mod sign_in_policies;
pub mod stream_defaults;
pub mod tables;
pub mod tenants;
pub mod throttles;
pub mod trusted_domains;
pub mod two_factor;
pub(crate) mod tx;
pub mod usage;
pub mod user_invitations;
pub mod webhooks;

pub use error::StoreError;
pub use fair_queue::Lane;
pub use pg::DatabaseUrl;
pub use redb_store::{RedbStore, FILE_NAME, SCHEMA_VERSION};
pub use tx::{ReadTx, Readable, Writable, WriteTx};

use pg::PgStore;
use std::path::Path;
use std::sync::Arc;
use tx::{ReadSide, WriteSide};

#[derive(Clone)]
pub struct Store {
    backend: Backend,
}

#[derive(Clone)]
enum Backend {
    Redb(RedbStore),
    Pg(Arc<PgStore>),
}

impl Store {
    /// Opens (or creates) the redb database in `data_dir`.
    pub fn open(data_dir: &Path) -> Result<Self, StoreError> {
        Ok(Self {
            backend: Backend::Redb(RedbStore::open(data_dir)?),
        })
    }

    /// The backend the settings name: PostgreSQL at `database_url` when it
    /// is set (bringing its schema up to date), else redb in `data_dir`.
    pub fn open_configured(
        data_dir: &Path,
        database_url: &str,
        connections: usize,
    ) -> Result<Self, StoreError> {
        if database_url.is_empty() {
            return Self::open(data_dir);
        }
        let url = DatabaseUrl::parse(database_url)?;
        Ok(Self {
            backend: Backend::Pg(PgStore::connect(&url, connections)?),
        })
    }

    /// The redb backend, for what only it has (its file, backups, the
    /// fair write queue); `None` on PostgreSQL.
    pub fn redb(&self) -> Option<&RedbStore> {
        match &self.backend {
            Backend::Redb(store) => Some(store),
            Backend::Pg(_) => None,
        }
    }

    /// Where the data is, for messages: a file, or a URL without password.
    pub fn describe(&self) -> String {
        match &self.backend {
            Backend::Redb(store) => store.path().display().to_string(),
            Backend::Pg(store) => store.describe(),
        }
    }

    /// Waits (up to `limit`) until this is the last handle on the store,
    /// so dropping it closes it cleanly (see `RedbStore`).
    pub async fn wait_until_sole_owner(&self, limit: std::time::Duration) -> bool {
        match &self.backend {
            Backend::Redb(store) => store.wait_until_sole_owner(limit).await,
            Backend::Pg(_) => true,
        }
    }

    /// Runs `f` in one write transaction and waits for its durable commit,
    /// blocking the calling thread. For startup and the admin commands;
    /// the server's use cases go through `write`.
    pub fn write_blocking<T: Send, E: From<StoreError> + Send>(
        &self,
        f: impl Fn(&WriteTx) -> Result<T, E> + Send,
    ) -> Result<T, E> {
        match &self.backend {
            Backend::Redb(store) => store.write_blocking(|tx| f(&WriteTx(WriteSide::Redb(tx)))),
            Backend::Pg(store) => {
                store.run_sync(move |store| store.write_here(|pg| f(&WriteTx(WriteSide::Pg(pg)))))
            }
        }
    }

    /// Runs `f` in one read transaction, blocking the calling thread.
    pub fn read_blocking<T: Send, E: From<StoreError> + Send>(
        &self,
        f: impl FnOnce(&ReadTx) -> Result<T, E> + Send,
    ) -> Result<T, E> {
        match &self.backend {
            Backend::Redb(store) => store.read_blocking(|tx| f(&ReadTx(ReadSide::Redb(tx)))),
            Backend::Pg(store) => {
                store.run_sync(|store| store.read_here(|pg| f(&ReadTx(ReadSide::Pg(pg)))))
            }
        }
    }

    /// One write transaction; answers once it is durable. `f` may run more
    /// than once (PostgreSQL retries a serialization failure), so it must
    /// not consume what it captured.
    pub async fn write<T, E>(
        &self,
        f: impl Fn(&WriteTx) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        self.write_in(Lane::Service, 1, f).await
    }

    /// `write`, for a write whose rows are all taken by row locks or
    /// leases (the outbox worker's claims and outcomes), which therefore
    /// needs no SERIALIZABLE checks: on PostgreSQL it runs READ COMMITTED.
    /// SERIALIZABLE would lock the worker's reads of the due range as
    /// predicates, and every email queued meanwhile (every invitation
    /// being created) would then conflict with it and run again.
    pub async fn write_leased<T, E>(
        &self,
        f: impl Fn(&WriteTx) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        match &self.backend {
            Backend::Redb(_) => self.write(f).await,
            Backend::Pg(store) => pg_write(store, pg::Isolation::ReadCommitted, f).await,
        }
    }

    /// `write`, queued fairly in `lane` (the tenant it is done for) at
    /// `cost`, the values it writes. On redb, one committer runs every
    /// write and the lanes keep a tenant's large writes from going before
    /// everyone else's; PostgreSQL runs writes side by side, as many as
    /// the pool has connections.
    pub async fn write_in<T, E>(
        &self,
        lane: Lane,
        cost: u64,
        f: impl Fn(&WriteTx) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        match &self.backend {
            Backend::Redb(store) => {
                store
                    .write_in(lane, cost, move |tx| f(&WriteTx(WriteSide::Redb(tx))))
                    .await
            }
            Backend::Pg(store) => pg_write(store, pg::Isolation::Serializable, f).await,
        }
    }

    /// Writes waiting for redb's commit thread, of every tenant (0 on
    /// PostgreSQL, which has no such queue).
    pub fn queued_writes(&self) -> usize {
        self.redb().map_or(0, RedbStore::queued_writes)
    }

    /// One read transaction (see `RedbStore::read`: on redb it runs right
    /// here; on PostgreSQL on the backend's own threads).
    pub async fn read<T, E>(
        &self,
        f: impl FnOnce(&ReadTx) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        match &self.backend {
            Backend::Redb(store) => store.read(move |tx| f(&ReadTx(ReadSide::Redb(tx)))).await,
            Backend::Pg(store) => pg_read(store, f).await,
        }
    }

    /// One read transaction that may be large, at most as many at once as
    /// `slots` has permits (see `RedbStore::read_large`).
    pub async fn read_large<T, E>(
        &self,
        slots: &Arc<tokio::sync::Semaphore>,
        f: impl FnOnce(&ReadTx) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        match &self.backend {
            Backend::Redb(store) => {
                store
                    .read_large(slots, move |tx| f(&ReadTx(ReadSide::Redb(tx))))
                    .await
            }
            Backend::Pg(store) => {
                let _slot = slots
                    .acquire()
                    .await
                    .map_err(|_| StoreError::Task("the large-work slots are closed".into()))?;
                pg_read(store, f).await
            }
        }
    }
}

/// A use case's write on PostgreSQL, on the backend's own threads.
async fn pg_write<T, E>(
    store: &Arc<PgStore>,
    isolation: pg::Isolation,
    f: impl Fn(&WriteTx) -> Result<T, E> + Send + 'static,
) -> Result<T, E>
where
    T: Send + 'static,
    E: From<StoreError> + Send + 'static,
{
    let write =
        move |store: &Arc<PgStore>| store.write_as(isolation, |pg| f(&WriteTx(WriteSide::Pg(pg))));
    store.run(write).await?
}

/// A use case's read on PostgreSQL, on the backend's own threads.
async fn pg_read<T, E>(
    store: &Arc<PgStore>,
    f: impl FnOnce(&ReadTx) -> Result<T, E> + Send + 'static,
) -> Result<T, E>
where
    T: Send + 'static,
    E: From<StoreError> + Send + 'static,
{
    let read = move |store: &Arc<PgStore>| store.read_here(|pg| f(&ReadTx(ReadSide::Pg(pg))));
    store.run(read).await?
}
