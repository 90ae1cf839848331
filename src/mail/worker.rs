//! The outbox worker: keeps up to `mail_connections` emails in flight,
//! claiming each (a lease, in its own transaction) before sending it and
//! recording the outcome after.
//!
//! What it promises:
//! - a crash resends at most the emails in flight, once, with the same
//!   Message-ID (claims left behind are released when a worker starts);
//! - an outcome that cannot be written is held in memory and written later;
//!   the email is never sent again while this process lives;
//! - an entry that cannot be read is set aside (quarantined) and reported,
//!   and one that cannot be rendered fails with the reason; neither stops
//!   the rest of the queue;
//! - on stop it claims nothing new, waits for emails in flight up to
//!   `mail_shutdown_deadline`, and leaves the rest queued.
//!
//! Which entries are worth sending, and what an outcome means for the
//! counters and readiness, is the outbox use case's (`app::outbox`).

use super::compose::Composer;
use super::send_error::SendError;
use super::smtp::SEND_TIMEOUT;
use super::transport::Transport;
use crate::app::{outbox, Context};
use crate::domain::ids::OutboxId;
use crate::domain::notification::{backoff, OutboxEntry};
use chrono::Duration;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use tera::Tera;
use tokio::sync::watch;
use tokio::task::{JoinError, JoinSet};

/// How long a claim holds an entry: longer than a claimed entry can wait
/// for a free connection plus the longest send, so an entry is never
/// claimed twice while this process is still working on it.
const LEASE: std::time::Duration = std::time::Duration::from_secs(5 * 60);
/// How often the worker looks even when nobody woke it (retries fall due).
const IDLE_POLL: std::time::Duration = std::time::Duration::from_secs(30);
/// How soon to try again after the database refused a claim or a record.
const STORE_RETRY: std::time::Duration = std::time::Duration::from_secs(1);

#[derive(Clone)]
pub struct Worker {
    inner: Arc<Inner>,
}

struct Inner {
    ctx: Context,
    transport: Transport,
    composer: Composer,
    /// Outcomes of finished tries not yet written to the outbox. They
    /// survive a restart of the worker task (not of the process).
    unrecorded: Mutex<HashMap<OutboxId, OutboxEntry>>,
}

/// One worker run's emails: claimed and waiting for a connection, or in flight.
struct Batch {
    waiting: VecDeque<OutboxEntry>,
    in_flight: JoinSet<OutboxEntry>,
    /// Which entry each task sends, to record a task that panicked.
    tasks: HashMap<tokio::task::Id, OutboxEntry>,
}

impl Worker {
    pub fn new(ctx: Context, transport: Transport, tera: Arc<Tera>) -> Result<Self, String> {
        let composer = Composer::new(ctx.clone(), tera)?;
        Ok(Self {
            inner: Arc::new(Inner {
                ctx,
                transport,
                composer,
                unrecorded: Mutex::new(HashMap::new()),
            }),
        })
    }

    /// Runs until `stop` turns true (see the module comment for what a stop waits for).
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        let inner = self.inner;
        tracing::info!(transport = %inner.transport.describe(), connections = inner.connections(), "mail worker started");
        let health = inner.ctx.health.clone();
        let _alive = health.worker_started();
        inner.release_claims().await;
        let mut batch = Batch {
            waiting: VecDeque::new(),
            in_flight: JoinSet::new(),
            tasks: HashMap::new(),
        };
        while !*stop.borrow() {
            let mut store_failed = !inner.write_unrecorded().await;
            // A read first: claiming is a write, and most wake-ups find
            // nothing new due.
            let next_due = inner.next_due().await;
            let now = inner.ctx.clock.now().timestamp_millis();
            let due_now = next_due.is_some_and(|ms| ms <= now);
            if !store_failed && due_now && batch.waiting.len() < inner.connections() {
                store_failed = !inner.claim_into(&mut batch).await;
            }
            inner.start_waiting(&mut batch);
            let room = batch.in_flight.len() < inner.connections();
            let wait = match next_due {
                _ if store_failed => STORE_RETRY,
                // More is due than one claim took: claim again at once.
                _ if due_now && room => std::time::Duration::ZERO,
                Some(ms) if ms > now => std::time::Duration::from_millis((ms - now) as u64),
                _ => IDLE_POLL,
            }
            .min(IDLE_POLL);
            tokio::select! {
                done = batch.in_flight.join_next_with_id(), if !batch.in_flight.is_empty() => {
                    let mut finished = vec![batch.finished(done)];
                    while let Some(more) = batch.in_flight.try_join_next_with_id() {
                        finished.push(batch.finished(Some(more)));
                    }
                    inner.start_waiting(&mut batch);
                    inner.record(finished.into_iter().flatten().collect()).await;
                }
                _ = inner.ctx.mail_ready.notified() => {}
                _ = tokio::time::sleep(wait) => {}
                changed = stop.changed() => {
                    if changed.is_err() {
                        break;
                    }
                }
            }
        }
        inner.shut_down(batch).await;
        tracing::info!("mail worker stopped");
    }
}

impl Batch {
    /// The entry a finished task sent, with its outcome; a task that
    /// panicked fails its entry with the panic's message.
    fn finished(
        &mut self,
        done: Option<Result<(tokio::task::Id, OutboxEntry), JoinError>>,
    ) -> Option<OutboxEntry> {
        match done? {
            Ok((id, entry)) => {
                self.tasks.remove(&id);
                Some(entry)
            }
            Err(e) => {
                let mut entry = self.tasks.remove(&e.id())?;
                if e.is_panic() {
                    let reason = panic_text(e.into_panic());
                    tracing::error!(outbox_id = %entry.id, panic = %reason, "sending an email panicked; it is marked failed");
                    entry.give_up(format!("sending failed unexpectedly: {reason}"));
                    Some(entry)
                } else {
                    None // aborted at shutdown: its claim is released at the next start
                }
            }
        }
    }
}

impl Inner {
    fn connections(&self) -> usize {
        self.ctx.settings.mail_connections.max(1)
    }

    fn max_attempts(&self) -> u32 {
        outbox::max_attempts(&self.ctx)
    }

    async fn release_claims(&self) {
        match outbox::release_claims(&self.ctx).await {
            Ok(0) => {}
            Ok(n) => tracing::warn!(
                emails = n,
                "emails claimed by an earlier run were not recorded as sent; sending them again"
            ),
            Err(e) => tracing::error!(error = %e, "could not release earlier claims"),
        }
    }

    /// Claims due entries until `waiting` holds two rounds of work. Entries
    /// not worth sending (superseded, out of tries, or with an outcome
    /// held in memory) are settled in the same transaction. False when the
    /// database refused.
    async fn claim_into(&self, batch: &mut Batch) -> bool {
        let want = 2 * self.connections() - batch.waiting.len();
        let held = self.lock_unrecorded().clone();
        match outbox::claim(&self.ctx, want, LEASE, held).await {
            Ok(to_send) => {
                batch.waiting.extend(to_send);
                true
            }
            Err(e) => {
                tracing::error!(error = %e, "mail worker could not claim from the outbox");
                false
            }
        }
    }

    fn start_waiting(self: &Arc<Self>, batch: &mut Batch) {
        while batch.in_flight.len() < self.connections() {
            let Some(entry) = batch.waiting.pop_front() else {
                return;
            };
            let me = self.clone();
            let task = batch.in_flight.spawn(me.deliver(entry.clone()));
            batch.tasks.insert(task.id(), entry);
        }
    }

    /// One try of one claimed entry; returns it with the outcome applied.
    async fn deliver(self: Arc<Self>, mut entry: OutboxEntry) -> OutboxEntry {
        let now = self.ctx.clock.now();
        let result = match self.composer.message(&entry, now) {
            Ok(message) => self.transport.send(message).await,
            Err(e) => Err(SendError {
                message: e,
                permanent: true,
            }),
        };
        match result {
            Ok(()) => {
                entry.sent(self.ctx.clock.now());
                tracing::info!(outbox_id = %entry.id, message_id = %self.composer.message_id(&entry), attempts = entry.attempts, "email sent");
            }
            Err(e) if e.permanent => {
                tracing::error!(outbox_id = %entry.id, attempts = entry.attempts, error = %e.message, "email cannot be sent; marked failed");
                entry.try_failed(e.message, true, self.max_attempts(), now);
            }
            Err(e) => {
                tracing::warn!(outbox_id = %entry.id, attempts = entry.attempts, error = %e.message, "email not sent");
                let retry_at = self.ctx.clock.now() + self.backoff(entry.attempts);
                entry.try_failed(e.message, e.permanent, self.max_attempts(), retry_at);
            }
        }
        outbox::tried(&self.ctx, &entry);
        entry
    }

    fn backoff(&self, attempts: u32) -> Duration {
        let base =
            Duration::from_std(self.ctx.settings.mail_retry_base).unwrap_or(Duration::seconds(2));
        backoff(base, attempts)
    }

    /// Holds the outcomes, then writes everything held.
    async fn record(&self, finished: Vec<OutboxEntry>) {
        if finished.is_empty() {
            return;
        }
        {
            let mut held = self.lock_unrecorded();
            for entry in finished {
                held.insert(entry.id, entry);
            }
        }
        self.write_unrecorded().await;
    }

    /// Writes the held outcomes in one transaction; true when none is left.
    async fn write_unrecorded(&self) -> bool {
        let held: Vec<OutboxEntry> = self.lock_unrecorded().values().cloned().collect();
        if held.is_empty() {
            return true;
        }
        let ids: Vec<OutboxId> = held.iter().map(|e| e.id).collect();
        match outbox::record(&self.ctx, held).await {
            Ok(()) => {
                let mut unrecorded = self.lock_unrecorded();
                for id in ids {
                    unrecorded.remove(&id);
                }
                true
            }
            Err(e) => {
                tracing::error!(emails = ids.len(), error = %e, "could not record email outcomes; holding them and retrying (they are not sent again)");
                false
            }
        }
    }

    fn lock_unrecorded(&self) -> std::sync::MutexGuard<'_, HashMap<OutboxId, OutboxEntry>> {
        self.unrecorded
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// When the soonest pending entry is due (ms), if any.
    async fn next_due(&self) -> Option<i64> {
        outbox::next_due(&self.ctx).await.unwrap_or_else(|e| {
            tracing::error!(error = %e, "mail worker could not read the outbox");
            None
        })
    }

    /// Gives back entries that never started, waits for those in flight up
    /// to the deadline, and stops the rest (their claims are released at
    /// the next start, so they are sent then).
    async fn shut_down(&self, mut batch: Batch) {
        let unstarted: Vec<OutboxEntry> = batch.waiting.drain(..).collect();
        if !unstarted.is_empty() {
            let unstarted_count = unstarted.len();
            if let Err(e) = outbox::give_back(&self.ctx, unstarted).await {
                tracing::warn!(emails = unstarted_count, error = %e, "could not give back unsent claims; the next start releases them");
            }
        }
        let deadline = self.ctx.settings.mail_shutdown_deadline;
        let in_flight = batch.in_flight.len();
        if in_flight > 0 {
            tracing::info!(emails = in_flight, deadline = ?deadline, "waiting for emails being sent");
        }
        let drained = tokio::time::timeout(deadline, async {
            while let Some(done) = batch.in_flight.join_next_with_id().await {
                let finished = batch.finished(Some(done));
                self.record(finished.into_iter().collect()).await;
            }
        })
        .await;
        if drained.is_err() {
            tracing::warn!(
                emails = batch.in_flight.len(),
                "emails still being sent at the shutdown deadline stay queued for the next start"
            );
            batch.in_flight.abort_all();
            while batch.in_flight.join_next().await.is_some() {}
        }
        if !self.write_unrecorded().await {
            tracing::error!("email outcomes could not be recorded before stopping; those emails may be sent again at the next start");
        }
        self.transport.close().await;
    }
}

/// What a panic said, for the log.
pub fn panic_text(payload: Box<dyn std::any::Any + Send>) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".into())
}

// The lease must outlast the longest send.
const _: () = assert!(LEASE.as_secs() > 2 * SEND_TIMEOUT.as_secs());
