//! The redb backend: one `Database` per process, its group committer and
//! the per-thread memo of records read. Every change is one write
//! transaction; `write` commits only when the closure returns `Ok` and
//! answers only once the commit is durable. Concurrent writes share one
//! `fsync` (see `committer`).

use super::committer::Committer;
use super::error::StoreError;
use super::fair_queue::Lane;
use super::{large_work, memo, migrate, private_files, tables, tenants, tx};
use redb::{Database, ReadTransaction, ReadableDatabase, ReadableTable, WriteTransaction};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Bumped when a redb table's key or value types change, with a step in
/// `migrate`. A record's own layout is versioned by `codec::Record`
/// instead; PostgreSQL's schema has its own numbered migrations (`pg`).
pub const SCHEMA_VERSION: u64 = 4;
pub const FILE_NAME: &str = "communityd.redb";

/// A data dir that cannot be created or written, in one line with the fix.
fn unusable(data_dir: &Path, source: std::io::Error) -> StoreError {
    StoreError::DataDir {
        dir: data_dir.to_path_buf(),
        source,
    }
}

#[derive(Clone)]
pub struct RedbStore {
    inner: Arc<Inner>,
}

struct Inner {
    /// Names this store in the per-thread memo of records read.
    id: u64,
    // Dropped first: the committer finishes what is queued and lets go of
    // its handle, so dropping the last `Store` closes the file.
    committer: Committer,
    db: Arc<Database>,
    path: PathBuf,
}

impl RedbStore {
    /// Opens (or creates) the database in `data_dir`, creating every table
    /// and checking the schema version.
    pub fn open(data_dir: &Path) -> Result<Self, StoreError> {
        private_files::data_dir(data_dir).map_err(|e| unusable(data_dir, e))?;
        let path = data_dir.join(FILE_NAME);
        // Made owner-only before redb opens it, whatever the umask.
        private_files::existing_file(&path).map_err(|e| unusable(data_dir, e))?;
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
        let db = Arc::new(db);
        static STORES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        let store = Self {
            inner: Arc::new(Inner {
                id: STORES.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
                committer: Committer::start(db.clone())?,
                db,
                path,
            }),
        };
        store.prepare_tables()?;
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// Waits (up to `limit`) until this is the last handle on the database,
    /// so dropping it closes the file cleanly and the next start needs no
    /// repair. HTTP worker threads let go of theirs a moment after the
    /// server reports it has stopped.
    pub async fn wait_until_sole_owner(&self, limit: std::time::Duration) -> bool {
        let started = std::time::Instant::now();
        while Arc::strong_count(&self.inner) > 1 {
            if started.elapsed() >= limit {
                return false;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        true
    }

    fn prepare_tables(&self) -> Result<(), StoreError> {
        self.write_blocking(|tx| {
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
            // After the migrations: a table a step re-keys would not open
            // under its new types before the step has run.
            tx::create_all_tables(tx)?;
            tenants::index_names(tx)?;
            Ok(())
        })
    }

    /// Runs `f` in one write transaction on the calling thread and commits
    /// it durably on Ok, with an `fsync` of its own. For startup and the
    /// admin commands; the server's use cases go through `write`.
    pub fn write_blocking<T, E>(
        &self,
        f: impl FnOnce(&WriteTransaction) -> Result<T, E>,
    ) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        let tx = self.inner.db.begin_write().map_err(StoreError::from)?;
        let value = f(&tx)?;
        // Counted, so readers on other threads forget what they remembered.
        self.inner
            .committer
            .progress()
            .commit(tx)
            .map_err(StoreError::from)?;
        Ok(value)
    }

    /// Runs `f` in one read transaction on the calling thread. If it may
    /// have seen a write that is not durable yet, waits until it is, so
    /// nothing read is shown that a crash could take back.
    pub fn read_blocking<T, E>(
        &self,
        f: impl FnOnce(&ReadTransaction) -> Result<T, E>,
    ) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        let (result, seen) = self.read_now(f)?;
        if !self.inner.committer.is_durable(seen) {
            let (reply, answer) = std::sync::mpsc::sync_channel(1);
            self.inner.committer.barrier(move |durable| {
                let _ = reply.send(durable);
            })?;
            durability_answer(answer.recv().ok())?;
        }
        result
    }

    /// One write transaction, run by the committer; answers once it is
    /// durable. Writes that arrive together share one durable commit, but
    /// each is its own transaction: `f` returning `Err` aborts only it.
    pub async fn write<T, E>(
        &self,
        f: impl FnOnce(&WriteTransaction) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        self.write_in(Lane::Service, 1, f).await
    }

    /// `write`, queued fairly in `lane` (the tenant it is done for) at
    /// `cost`, the values it writes: a tenant's many or large writes take
    /// their turn with everyone else's instead of going before them.
    pub async fn write_in<T, E>(
        &self,
        lane: Lane,
        cost: u64,
        f: impl FnOnce(&WriteTransaction) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        let (reply, answer) = tokio::sync::oneshot::channel();
        self.inner.committer.submit(lane, cost, f, move |result| {
            let _ = reply.send(result);
        })?;
        answer
            .await
            .map_err(|_| E::from(StoreError::Task("the write transaction panicked".into())))?
    }

    /// Writes waiting for the commit thread, of every tenant: how far
    /// behind it is.
    pub fn queued_writes(&self) -> usize {
        self.inner.committer.queued()
    }

    /// One read transaction, run right here: redb reads are short (a few
    /// B-tree lookups in its page cache), so a hop to the blocking pool
    /// would cost more than the read. Waits for durability like
    /// `read_blocking`, without blocking the executor.
    pub async fn read<T, E>(
        &self,
        f: impl FnOnce(&ReadTransaction) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        let (result, seen) = self.read_now(f)?;
        self.durable(seen).await?;
        result
    }

    /// Waits, without blocking the executor, until the `seen` commits a
    /// read may have shown are durable.
    async fn durable(&self, seen: u64) -> Result<(), StoreError> {
        if !self.inner.committer.is_durable(seen) {
            let (reply, answer) = tokio::sync::oneshot::channel();
            self.inner.committer.barrier(move |durable| {
                let _ = reply.send(durable);
            })?;
            durability_answer(answer.await.ok())?;
        }
        Ok(())
    }

    /// One read transaction that may be large (a window of values, a search
    /// over every shared stream, a list, a backup), run on the blocking pool
    /// so the async workers keep answering everyone else. At most as many
    /// run at once as `slots` has permits: a caller waits for one without
    /// blocking its worker, and the permit travels into the blocking work,
    /// so a caller that goes away (a client hanging up) does not free it
    /// while the read still runs. The records the read remembers go to the
    /// memo of the pool thread it ran on, under the same snapshot rules.
    pub async fn read_large<T, E>(
        &self,
        slots: &Arc<tokio::sync::Semaphore>,
        f: impl FnOnce(&ReadTransaction) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        let store = self.clone();
        let (result, seen) = large_work::run(slots, move || store.read_now(f)).await??;
        // The slot is free again by now: waiting for the fsync needs no thread.
        self.durable(seen).await?;
        result
    }

    /// Runs `f` and says how many commits its snapshot may include.
    fn read_now<T, E>(
        &self,
        f: impl FnOnce(&ReadTransaction) -> Result<T, E>,
    ) -> Result<(Result<T, E>, u64), StoreError> {
        let committer = &self.inner.committer;
        let finished = committer.finished();
        let tx = self.inner.db.begin_read()?;
        // Read after the snapshot is taken: any commit it contains was
        // counted before it became visible.
        let seen = committer.visible();
        // Every commit finished before the snapshot and none begun since
        // (`begun` is counted before a commit can show): the snapshot is
        // exactly the state after `finished` commits, and may use the memo.
        let exact = (committer.begun() == finished).then_some(memo::Snapshot {
            store: self.inner.id,
            commits: finished,
        });
        Ok((memo::within(exact, || f(&tx)), seen))
    }
}

fn durability_answer(answer: Option<Result<(), Arc<StoreError>>>) -> Result<(), StoreError> {
    match answer {
        Some(Ok(())) => Ok(()),
        Some(Err(e)) => Err(StoreError::NotDurable(e)),
        None => Err(StoreError::Task("the database is closed".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta_value(store: &RedbStore, key: &str) -> Option<u64> {
        store
            .read_blocking(|tx| {
                let meta = tx.open_table(tables::META).map_err(StoreError::from)?;
                let found = meta.get(key).map_err(StoreError::from)?;
                Ok::<_, StoreError>(found.map(|v| v.value()))
            })
            .expect("read")
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_writes_share_commits_yet_each_aborts_alone() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = RedbStore::open(dir.path()).expect("open");
        let mut tasks = Vec::new();
        for i in 0..64u64 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                store
                    .write(move |tx| {
                        tx.open_table(tables::META)?
                            .insert(format!("k{i}").as_str(), i)?;
                        if i % 2 == 1 {
                            return Err(StoreError::Task("refused".into()));
                        }
                        Ok(i)
                    })
                    .await
            }));
        }
        for (i, task) in tasks.into_iter().enumerate() {
            let result = task.await.expect("task");
            assert_eq!(result.is_ok(), i % 2 == 0, "write {i}: {result:?}");
        }
        drop(store);
        let store = RedbStore::open(dir.path()).expect("reopen");
        for i in 0..64u64 {
            let expected = (i % 2 == 0).then_some(i);
            assert_eq!(meta_value(&store, &format!("k{i}")), expected, "key k{i}");
        }
    }

    #[tokio::test]
    async fn a_panicking_write_fails_alone_and_later_writes_go_on() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = RedbStore::open(dir.path()).expect("open");
        let panicked = store
            .write(|tx| -> Result<(), StoreError> {
                tx.open_table(tables::META)?.insert("half", 1)?;
                panic!("a use case bug");
            })
            .await;
        assert!(matches!(panicked, Err(StoreError::Task(_))), "{panicked:?}");
        store
            .write(|tx| {
                tx.open_table(tables::META)?.insert("after", 2)?;
                Ok::<_, StoreError>(())
            })
            .await
            .expect("later write");
        assert_eq!(meta_value(&store, "half"), None);
        assert_eq!(meta_value(&store, "after"), Some(2));
    }

    /// A gate the blocking reads wait at until the test opens it (at the
    /// latest when it ends, so a failing test does not hang on its reads).
    #[derive(Default)]
    struct Gate {
        open: std::sync::Mutex<bool>,
        opened: std::sync::Condvar,
    }

    impl Gate {
        fn wait(&self) {
            let mut open = self.open.lock().expect("gate");
            while !*open {
                open = self.opened.wait(open).expect("gate");
            }
        }

        fn open(&self) {
            *self.open.lock().unwrap_or_else(|e| e.into_inner()) = true;
            self.opened.notify_all();
        }
    }

    struct OpensOnDrop(Arc<Gate>);

    impl Drop for OpensOnDrop {
        fn drop(&mut self) {
            self.0.open();
        }
    }

    /// One async thread: if a large read, or the wait for its slot,
    /// blocked the caller's thread, the point read below could not run.
    #[tokio::test(flavor = "current_thread")]
    async fn large_reads_run_a_slot_at_a_time_off_the_callers_thread() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let dir = tempfile::tempdir().expect("temp dir");
        let store = RedbStore::open(dir.path()).expect("open");
        store
            .write(|tx| {
                tx.open_table(tables::META)?.insert("answer", 42)?;
                Ok::<_, StoreError>(())
            })
            .await
            .expect("write");
        let slots = Arc::new(tokio::sync::Semaphore::new(2));
        let gate = Arc::new(Gate::default());
        let _opens = OpensOnDrop(gate.clone());
        let running = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let (entered, mut entries) = tokio::sync::mpsc::unbounded_channel();
        let callers: Vec<_> = (0..6)
            .map(|_| {
                let (store, slots, gate) = (store.clone(), slots.clone(), gate.clone());
                let (running, most, entered) = (running.clone(), most.clone(), entered.clone());
                tokio::spawn(async move {
                    store
                        .read_large(&slots, move |tx| {
                            let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                            most.fetch_max(now, Ordering::SeqCst);
                            let _ = entered.send(());
                            gate.wait();
                            running.fetch_sub(1, Ordering::SeqCst);
                            let meta = tx.open_table(tables::META).map_err(StoreError::from)?;
                            let found = meta.get("answer").map_err(StoreError::from)?;
                            Ok::<_, StoreError>(found.map(|v| v.value()))
                        })
                        .await
                })
            })
            .collect();
        for _ in 0..2 {
            entries.recv().await.expect("a read began");
        }
        assert_eq!(slots.available_permits(), 0, "both slots are taken");
        let point = store
            .read(|tx| {
                let meta = tx.open_table(tables::META).map_err(StoreError::from)?;
                let found = meta.get("answer").map_err(StoreError::from)?;
                Ok::<_, StoreError>(found.map(|v| v.value()))
            })
            .await
            .expect("point read");
        assert_eq!(point, Some(42), "the caller's thread is free meanwhile");
        assert!(callers.iter().all(|c| !c.is_finished()));
        gate.open();
        for caller in callers {
            let found = caller.await.expect("task").expect("large read");
            assert_eq!(found, Some(42));
        }
        assert_eq!(most.load(Ordering::SeqCst), 2, "never more than the slots");
        assert_eq!(slots.available_permits(), 2, "every slot is given back");
    }

    /// A caller that goes away (its client hung up) while its read runs
    /// must not give the slot back before the read ends.
    #[tokio::test(flavor = "current_thread")]
    async fn a_large_read_keeps_its_slot_when_its_caller_goes_away() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = RedbStore::open(dir.path()).expect("open");
        let slots = Arc::new(tokio::sync::Semaphore::new(1));
        let gate = Arc::new(Gate::default());
        let _opens = OpensOnDrop(gate.clone());
        let (entered, mut entries) = tokio::sync::mpsc::unbounded_channel();
        let caller = {
            let (store, slots, gate) = (store.clone(), slots.clone(), gate.clone());
            tokio::spawn(async move {
                store
                    .read_large(&slots, move |_| {
                        let _ = entered.send(());
                        gate.wait();
                        Ok::<_, StoreError>(())
                    })
                    .await
            })
        };
        entries.recv().await.expect("the read began");
        caller.abort();
        assert!(caller.await.expect_err("aborted").is_cancelled());
        assert_eq!(slots.available_permits(), 0, "the read still holds it");
        gate.open();
        let _back = slots.acquire().await.expect("the slot comes back");
    }

    /// The memo of records read must forget them at the next commit,
    /// whichever door it came through: the committer (the API's writes) or
    /// `write_blocking` (the operator's commands while the server runs).
    #[tokio::test]
    async fn records_remembered_by_reads_are_forgotten_at_the_next_commit() {
        use crate::domain::ids::TenantId;
        use crate::domain::tenant::{Tenant, TenantState};
        let dir = tempfile::tempdir().expect("temp dir");
        let store = RedbStore::open(dir.path()).expect("open");
        let now = chrono::Utc::now();
        let mut tenant = Tenant {
            id: TenantId::generate(),
            company_name: "Contoso".into(),
            alias: "contoso".into(),
            state: TenantState::Active,
            created: now,
            last_updated: now,
        };
        let put = |tenant: Tenant| {
            move |tx: &WriteTransaction| {
                tenants::put(tx, &tenant).map(|clash| assert!(clash.is_ok()))
            }
        };
        let state = |store: &RedbStore, id| {
            store
                .read_blocking(|tx| tenants::get(tx, id))
                .expect("read")
                .expect("tenant")
                .state
        };
        store.write_blocking(put(tenant.clone())).expect("write");
        assert_eq!(state(&store, tenant.id), TenantState::Active);
        assert_eq!(state(&store, tenant.id), TenantState::Active, "from memory");

        tenant.state = TenantState::Deactivated;
        store
            .write_blocking(put(tenant.clone()))
            .expect("operator write");
        assert_eq!(state(&store, tenant.id), TenantState::Deactivated);

        tenant.state = TenantState::Active;
        store.write(put(tenant.clone())).await.expect("API write");
        assert_eq!(state(&store, tenant.id), TenantState::Active);

        // An aborted write changes nothing, and nothing is forgotten wrongly.
        let refused = store
            .write(|_| Err::<(), _>(StoreError::Task("refused".into())))
            .await;
        assert!(refused.is_err());
        assert_eq!(state(&store, tenant.id), TenantState::Active);
    }
}
