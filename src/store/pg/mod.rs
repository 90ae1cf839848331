//! The PostgreSQL backend: a pool of connections on a runtime of its own,
//! and transactions the use cases' (synchronous) closures run in.
//!
//! - Writes are SERIALIZABLE and run again from the start when PostgreSQL
//!   reports a serialization failure, a deadlock or a unique violation
//!   caused by a concurrent write; so a use case's closure must be
//!   re-runnable (it is `Fn`). No lock is taken around transactions: the
//!   database orders them.
//! - Reads are REPEATABLE READ and READ ONLY: one snapshot, like redb's.
//! - A commit returns once PostgreSQL made it durable, so, unlike redb's
//!   group commit, no read has to wait for an fsync.
//!
//! The closures are synchronous, so they run on the blocking threads of
//! this backend's own runtime, which drive the connections' futures to
//! completion (`PgTx`). No thread of the HTTP server ever waits on the
//! network for the database.

pub mod audit_events;
pub mod authorization_code_clients;
pub mod authorization_codes;
mod block;
pub mod clients;
pub mod communities;
mod connect;
pub mod counts;
pub mod custom_roles;
pub mod grants;
pub mod identities;
pub mod identity_providers;
pub mod invitations;
pub mod memberships;
pub mod migrate;
pub mod namespace_lists;
pub mod namespaces;
pub mod outbox;
pub mod prefetch;
pub mod profiles;
pub mod quota;
pub mod sds_streams;
pub mod sds_types;
pub mod sds_values;
pub mod secrets;
pub mod sessions;
pub mod shares;
pub mod sign_in_policies;
pub mod tenants;
pub mod testing;
pub mod throttles;
pub mod trusted_domains;
pub mod two_factor;
mod tx;
pub mod usage;
pub mod user_invitations;
pub mod webhooks;

pub use connect::DatabaseUrl;
pub use tx::{Isolation, PgTx};

use super::error::StoreError;
use block::block_on;
use deadpool_postgres::Pool;
use std::sync::Arc;

/// How long a write is tried again on conflicts before one is reported as
/// an error: long enough that contention on one row (a community's daily
/// invitation quota, say, with dozens of writers) never surfaces, short
/// enough that a bug that always conflicts does not loop for ever.
const RETRY_FOR: std::time::Duration = std::time::Duration::from_secs(10);

/// The longest pause between two tries; each pause is random below a
/// ceiling that doubles from 1 ms ("full jitter"), so writers that met
/// spread out instead of meeting again.
const MAX_PAUSE_MICROS: u64 = 50_000;

/// Quota spends are one short statement each: a few connections serve
/// every writer.
const QUOTA_CONNECTIONS: usize = 4;

pub struct PgStore {
    pool: Pool,
    /// For invitation quota spends, outside the writes (see `quota`).
    quota_pool: Pool,
    url: DatabaseUrl,
    runtime: Option<tokio::runtime::Runtime>,
}

impl Drop for PgStore {
    fn drop(&mut self) {
        // A runtime may not be dropped from inside another's worker; its
        // threads are told to stop and are not waited for.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

impl PgStore {
    /// Connects, checks the database answers, and brings its schema up to
    /// this release's (refusing one written by a newer release).
    pub fn connect(url: &DatabaseUrl, pool_size: usize) -> Result<Arc<Self>, StoreError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .max_blocking_threads(pool_size.max(4) * 2)
            .thread_name("communityd-pg")
            .enable_all()
            .build()
            .map_err(|e| StoreError::Task(format!("cannot start the database runtime: {e}")))?;
        let (pool, quota_pool) = {
            let _entered = runtime.enter();
            (
                connect::pool(url, pool_size)?,
                connect::unsynchronised_pool(url, QUOTA_CONNECTIONS)?,
            )
        };
        let store = Arc::new(Self {
            pool,
            quota_pool,
            url: url.clone(),
            runtime: Some(runtime),
        });
        store.run_sync(|store| migrate::run(&store.pool, &store.url))?;
        Ok(store)
    }

    /// The URL without its password, for messages.
    pub fn describe(&self) -> String {
        self.url.redacted()
    }

    fn handle(&self) -> &tokio::runtime::Handle {
        self.runtime.as_ref().expect("runtime until drop").handle()
    }

    /// A connection from the pool; on a blocking thread of the runtime.
    pub(super) fn client(&self) -> Result<deadpool_postgres::Object, StoreError> {
        block_on(self.pool.get()).map_err(|e| connect::unavailable(&self.url, e))
    }

    /// Runs `f` on a blocking thread of this backend's runtime and waits.
    /// The caller's thread may be anything: a server worker, the CLI, a
    /// test; it only waits. For startup and the admin commands.
    pub fn run_sync<T: Send>(self: &Arc<Self>, f: impl FnOnce(&Arc<Self>) -> T + Send) -> T {
        let handle = self.handle().clone();
        std::thread::scope(|scope| {
            scope
                .spawn(|| {
                    let _entered = handle.enter();
                    f(self)
                })
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        })
    }

    /// Runs `f` on a blocking thread of this backend's runtime, without
    /// blocking the caller's executor.
    pub async fn run<T: Send + 'static>(
        self: &Arc<Self>,
        f: impl FnOnce(&Arc<Self>) -> T + Send + 'static,
    ) -> Result<T, StoreError> {
        let store = self.clone();
        // The use case's log lines keep the request's span (its operation id).
        let span = tracing::Span::current();
        self.handle()
            .spawn_blocking(move || span.in_scope(|| f(&store)))
            .await
            .map_err(|_| StoreError::Task("the database transaction panicked".into()))
    }

    /// One REPEATABLE READ, READ ONLY transaction; on a blocking thread.
    pub fn read_here<T, E>(&self, f: impl FnOnce(&PgTx) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        let client = self.client()?;
        let pg = PgTx::reading(&client);
        let value = f(&pg)?;
        tracing::trace!(statements = pg.statements(), "read");
        pg.finish_read();
        Ok(value)
    }

    /// One SERIALIZABLE transaction, run again on a conflict; on a
    /// blocking thread.
    pub fn write_here<T, E>(&self, f: impl Fn(&PgTx) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        self.write_as(Isolation::Serializable, f)
    }

    /// One write transaction at `isolation`, run again on a conflict; on a
    /// blocking thread.
    pub fn write_as<T, E>(
        &self,
        isolation: Isolation,
        f: impl Fn(&PgTx) -> Result<T, E>,
    ) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        let client = self.client()?;
        let ledger = quota::Ledger::new(&self.quota_pool);
        let started = std::time::Instant::now();
        let mut attempt: u32 = 0;
        loop {
            let again = started.elapsed() < RETRY_FOR;
            let pg = PgTx::writing(&client, isolation, &ledger);
            let outcome = f(&pg);
            let conflicted = pg.conflicted();
            match outcome {
                Ok(value) => match pg.commit() {
                    Ok(()) => {
                        ledger.settle(Some(&pg.quota_spent()));
                        return Ok(value);
                    }
                    Err(e) if tx::is_conflict(&e) && again => {}
                    Err(e) => {
                        ledger.settle(None);
                        return Err(StoreError::from(e).into());
                    }
                },
                Err(_) if conflicted && again => pg.roll_back(),
                // Dropping the transaction rolls it back.
                Err(e) => {
                    ledger.settle(None);
                    return Err(e);
                }
            }
            attempt = attempt.saturating_add(1);
            let ceiling = (1_000u64 << attempt.min(6)).min(MAX_PAUSE_MICROS);
            std::thread::sleep(std::time::Duration::from_micros(
                rand::random::<u64>() % ceiling,
            ));
        }
    }
}
