//! Group commit. One thread runs every write transaction, one after another
//! as redb requires anyway, and shares one `fsync` among all the writes that
//! queued up while the previous one was syncing:
//!
//! - each write is its own redb transaction, so it stays all-or-nothing: a
//!   use case that returns `Err` (or panics) aborts only itself;
//! - all but the last write of a batch commit with `Durability::None`, the
//!   last with `Durability::Immediate`, whose single `fsync` persists every
//!   non-durable commit before it (redb's documented rule); when the last
//!   write aborted, an empty durable commit does that job;
//! - nobody is answered before that durable commit returned, so a caller
//!   never hears "done" for a write a crash could still lose. After a crash
//!   redb opens at the last durable commit: unanswered writes may be lost,
//!   answered ones never.
//!
//! Which writes form a batch is fair between tenants (`fair_queue`): one
//! round of their lanes, so one tenant's queue of large writes holds
//! another's small write back by one round at most, not by its whole queue.
//! A round's small writes are a batch of their own, committed first.
//!
//! Non-durable commits are visible to readers at once. A reader that may
//! have seen one waits (`Committer::barrier`) for the next durable commit
//! before it answers, so no response, and no email the outbox worker sends,
//! rests on a write a crash could take back. `visible` counts commits begun
//! and `durable` the count covered by the last durable commit; with no write
//! in flight they are equal and a read pays nothing.

use super::error::StoreError;
use super::fair_queue::{FairQueue, Lane};
use redb::{Database, Durability, WriteTransaction};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::{JoinHandle, ThreadId};

/// Answers one queued request once its batch is durable (or failed to be).
type Release = Box<dyn FnOnce(Result<(), Arc<StoreError>>) + Send>;

/// Runs one write transaction with the durability it is given; returns
/// whether it committed, and how to answer its caller.
type Transaction = Box<dyn FnOnce(&Database, Durability) -> (Outcome, Release) + Send>;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Committed,
    Aborted,
    Failed,
}

/// Upper bound on writes sharing one durable commit, so the first of a
/// huge queue is not held back behind all the others.
const MAX_BATCH: usize = 256;

/// Writes of at most this cost (values written) are small: in each round
/// they commit, durably, and are answered before the round's large writes
/// run, so a one-value write waits behind the large write in progress but
/// not also behind the ones taken in its own round.
const SMALL_WRITE: u64 = 100;

/// One round of writes (see `SMALL_WRITE`) and the barriers waiting for it.
struct Round {
    small: Vec<Transaction>,
    large: Vec<Transaction>,
    barriers: Vec<Release>,
}

/// What waits for the committer thread. Writes wait in their lanes (see
/// `fair_queue`); barriers commit nothing, so every one waiting when a
/// batch is formed is answered after that batch's durable commit.
#[derive(Default)]
struct Waiting {
    writes: FairQueue<Transaction>,
    barriers: Vec<Release>,
    closed: bool,
}

#[derive(Default)]
struct Queue {
    waiting: Mutex<Waiting>,
    arrived: Condvar,
}

impl Queue {
    fn lock(&self) -> MutexGuard<'_, Waiting> {
        // A panic while holding the lock leaves the queue itself whole.
        self.waiting.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The next round of the writes' lanes, small writes apart, and every
    /// barrier; `None` once the committer is closed and nothing is left.
    fn next_round(&self) -> Option<Round> {
        let mut waiting = self.lock();
        loop {
            if !waiting.writes.is_empty() || !waiting.barriers.is_empty() {
                let (small, large) = waiting.writes.next_round(MAX_BATCH, SMALL_WRITE);
                let barriers = std::mem::take(&mut waiting.barriers);
                return Some(Round {
                    small,
                    large,
                    barriers,
                });
            }
            if waiting.closed {
                return None;
            }
            waiting = self
                .arrived
                .wait(waiting)
                .unwrap_or_else(|e| e.into_inner());
        }
    }
}

#[derive(Default)]
pub(super) struct Progress {
    visible: AtomicU64,
    durable: AtomicU64,
    /// Commits begun and finished, by anyone (the committer, or
    /// `Store::write_blocking`): equal when none is in flight, which is
    /// when a reader's snapshot can be named exactly (see `memo`).
    begun: AtomicU64,
    finished: AtomicU64,
}

impl Progress {
    /// Commits `tx`, counted as begun and then finished whatever happens.
    pub(super) fn commit(&self, tx: WriteTransaction) -> Result<(), redb::CommitError> {
        self.begun.fetch_add(1, Ordering::SeqCst);
        let committed = tx.commit();
        self.finished.fetch_add(1, Ordering::SeqCst);
        committed
    }
}

pub(super) struct Committer {
    queue: Arc<Queue>,
    thread: Mutex<Option<JoinHandle<()>>>,
    thread_id: ThreadId,
    progress: Arc<Progress>,
}

impl Committer {
    pub(super) fn start(db: Arc<Database>) -> Result<Self, StoreError> {
        let queue = Arc::new(Queue::default());
        let progress = Arc::new(Progress::default());
        let (jobs, shared) = (queue.clone(), progress.clone());
        let thread = std::thread::Builder::new()
            .name("communityd-committer".into())
            .spawn(move || run(&db, &jobs, &shared))
            .map_err(StoreError::Committer)?;
        Ok(Self {
            thread_id: thread.thread().id(),
            queue,
            thread: Mutex::new(Some(thread)),
            progress,
        })
    }

    /// Queues `f` as one write transaction in `lane`, costing `cost` (the
    /// values it writes); `reply` gets its result once it is durable (or
    /// could not be made so).
    pub(super) fn submit<T, E>(
        &self,
        lane: Lane,
        cost: u64,
        f: impl FnOnce(&WriteTransaction) -> Result<T, E> + Send + 'static,
        reply: impl FnOnce(Result<T, E>) + Send + 'static,
    ) -> Result<(), StoreError>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        let progress = self.progress.clone();
        // The use case's span (its request), so what `f` logs on this
        // thread says which request it belongs to.
        let span = tracing::Span::current();
        let write: Transaction = Box::new(move |db: &Database, durability| {
            let (outcome, result) = span.in_scope(|| transact(db, durability, &progress, f));
            let release: Release = Box::new(move |durable| {
                reply(match durable {
                    Err(e) if outcome != Outcome::Aborted => {
                        Err(E::from(StoreError::NotDurable(e)))
                    }
                    _ => result,
                })
            });
            (outcome, release)
        });
        self.enqueue(|waiting| waiting.writes.push(lane, cost, write))
    }

    /// Commits finished so far; read before a snapshot is taken.
    pub(super) fn finished(&self) -> u64 {
        self.progress.finished.load(Ordering::SeqCst)
    }

    /// Commits begun so far; read after a snapshot is taken.
    pub(super) fn begun(&self) -> u64 {
        self.progress.begun.load(Ordering::SeqCst)
    }

    /// For commits made outside the committer thread.
    pub(super) fn progress(&self) -> &Progress {
        &self.progress
    }

    /// How many commits a reader that began now may see.
    pub(super) fn visible(&self) -> u64 {
        self.progress.visible.load(Ordering::SeqCst)
    }

    pub(super) fn is_durable(&self, seen: u64) -> bool {
        self.progress.durable.load(Ordering::SeqCst) >= seen
    }

    /// Writes waiting for their turn (not counting the one running).
    pub(super) fn queued(&self) -> usize {
        self.queue.lock().writes.len()
    }

    /// Queues a barrier; `reply` runs after the next durable commit.
    pub(super) fn barrier(
        &self,
        reply: impl FnOnce(Result<(), Arc<StoreError>>) + Send + 'static,
    ) -> Result<(), StoreError> {
        self.enqueue(|waiting| waiting.barriers.push(Box::new(reply)))
    }

    fn enqueue(&self, add: impl FnOnce(&mut Waiting)) -> Result<(), StoreError> {
        let mut waiting = self.queue.lock();
        if waiting.closed {
            return Err(closed());
        }
        add(&mut waiting);
        drop(waiting);
        self.queue.arrived.notify_one();
        Ok(())
    }
}

impl Drop for Committer {
    /// Lets the thread finish what is queued and close the database, so a
    /// dropped store is a closed file. (Not when the last handle goes away
    /// on the committer thread itself, inside a write: it cannot wait for
    /// itself; it stops on its own once the queue is empty.)
    fn drop(&mut self) {
        self.queue.lock().closed = true;
        self.queue.arrived.notify_one();
        if std::thread::current().id() == self.thread_id {
            return;
        }
        if let Some(thread) = self.thread.lock().ok().and_then(|mut t| t.take()) {
            let _ = thread.join();
        }
    }
}

fn closed() -> StoreError {
    StoreError::Task("the database is closed".into())
}

fn run(db: &Database, queue: &Queue, progress: &Progress) {
    // Whether some commit is not yet covered by a durable one; stays true
    // after a failed durable commit, so the next batch tries again.
    let mut exposed = false;
    while let Some(round) = queue.next_round() {
        if round.small.is_empty() || round.large.is_empty() {
            let writes = round.small.into_iter().chain(round.large).collect();
            commit_batch(db, writes, round.barriers, progress, &mut exposed);
        } else {
            // One more fsync for the round, so its small writes need not wait for its large ones.
            commit_batch(db, round.small, round.barriers, progress, &mut exposed);
            commit_batch(db, round.large, Vec::new(), progress, &mut exposed);
        }
    }
}

fn commit_batch(
    db: &Database,
    writes: Vec<Transaction>,
    barriers: Vec<Release>,
    progress: &Progress,
    exposed: &mut bool,
) {
    let last = writes.len().checked_sub(1);
    let mut releases = barriers;
    for (i, transaction) in writes.into_iter().enumerate() {
        let durability = if Some(i) == last {
            Durability::Immediate
        } else {
            Durability::None
        };
        // A panic in a use case must not take the committer down;
        // its caller sees its reply channel close.
        match catch_unwind(AssertUnwindSafe(|| transaction(db, durability))) {
            Ok((outcome, release)) => {
                *exposed = match (outcome, durability) {
                    (Outcome::Committed, Durability::Immediate) => false,
                    (Outcome::Aborted, _) => *exposed,
                    _ => true,
                };
                releases.push(release);
            }
            Err(_) => *exposed = true,
        }
    }
    let durable = if *exposed { make_durable(db) } else { Ok(()) };
    if durable.is_ok() {
        *exposed = false;
        // Only this thread moves `visible`, so it is exact here.
        let visible = progress.visible.load(Ordering::SeqCst);
        progress.durable.store(visible, Ordering::SeqCst);
    } else if let Err(e) = &durable {
        tracing::error!(error = %e, "durable commit failed; the writes waiting on it are reported as failed");
    }
    for release in releases {
        release(durable.clone());
    }
}

/// An empty durable commit: it persists every non-durable commit before it.
fn make_durable(db: &Database) -> Result<(), Arc<StoreError>> {
    let sync = || -> Result<(), StoreError> {
        let mut tx = db.begin_write()?;
        tx.set_durability(Durability::Immediate)?;
        tx.commit()?;
        Ok(())
    };
    sync().map_err(Arc::new)
}

/// Runs `f` in its own write transaction; commits it when `f` returns Ok.
fn transact<T, E>(
    db: &Database,
    durability: Durability,
    progress: &Progress,
    f: impl FnOnce(&WriteTransaction) -> Result<T, E>,
) -> (Outcome, Result<T, E>)
where
    E: From<StoreError>,
{
    let mut tx = match db.begin_write() {
        Ok(tx) => tx,
        Err(e) => return (Outcome::Failed, Err(StoreError::from(e).into())),
    };
    if let Err(e) = tx.set_durability(durability) {
        return (Outcome::Failed, Err(StoreError::from(e).into()));
    }
    let value = match f(&tx) {
        Ok(value) => value,
        // Dropping the transaction aborts it: nothing of it is written.
        Err(e) => return (Outcome::Aborted, Err(e)),
    };
    // Counted before the commit is visible, so a reader that sees it also
    // sees the count and knows to wait for its durability.
    progress.visible.fetch_add(1, Ordering::SeqCst);
    match progress.commit(tx) {
        Ok(()) => (Outcome::Committed, Ok(value)),
        Err(e) => (Outcome::Failed, Err(StoreError::from(e).into())),
    }
}
