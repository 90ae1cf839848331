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

use super::compose::Composer;
use super::smtp::SEND_TIMEOUT;
use super::transport::{SendError, Transport};
use crate::app::{AppError, Context};
use crate::domain::ids::OutboxId;
use crate::domain::invitation::InvitationState;
use crate::domain::notification::{backoff, DeliveryStatus, Notice, OutboxEntry};
use crate::store::{invitations, outbox, Readable, WriteTransaction};
use crate::telemetry::metrics::OutboxEvent;
use chrono::{DateTime, Duration, Utc};
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
        self.ctx.settings.mail_max_attempts.max(1)
    }

    async fn release_claims(&self) {
        let now = self.ctx.clock.now();
        let released = self
            .ctx
            .store
            .write(move |tx| Ok::<_, AppError>(outbox::release_claims(tx, now)?))
            .await;
        match released {
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
        let now = self.ctx.clock.now();
        let lease_until = now + Duration::from_std(LEASE).unwrap_or(Duration::minutes(5));
        let held = self.lock_unrecorded().clone();
        let max_attempts = self.max_attempts();
        let claimed = self
            .ctx
            .store
            .write(move |tx| claim(tx, now, want, lease_until, &held, max_attempts))
            .await;
        match claimed {
            Ok(claimed) => {
                // Counted once committed: an aborted claim dropped nothing.
                for _ in 0..claimed.dropped {
                    self.ctx.metrics.outbox(OutboxEvent::Dropped);
                }
                batch.waiting.extend(claimed.to_send);
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
                self.ctx.metrics.outbox(OutboxEvent::Sent);
                self.ctx.health.mail_sent(self.ctx.clock.now());
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
        if let DeliveryStatus::Failed | DeliveryStatus::Retrying = entry.status {
            let error = entry.last_error.as_deref().unwrap_or_default();
            self.ctx.health.mail_failed(self.ctx.clock.now(), error);
            self.ctx.metrics.outbox(match entry.status {
                DeliveryStatus::Failed => OutboxEvent::Failed,
                _ => OutboxEvent::Retrying,
            });
        }
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
        let written = self
            .ctx
            .store
            .write(move |tx| {
                for entry in &held {
                    outbox::settle(tx, entry)?;
                }
                Ok::<_, AppError>(())
            })
            .await;
        match written {
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
        let next = self
            .ctx
            .store
            .read(|tx| Ok::<_, AppError>(outbox::next_due(tx)?))
            .await;
        next.unwrap_or_else(|e| {
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
            let now = self.ctx.clock.now();
            let unstarted_count = unstarted.len();
            let given_back = self
                .ctx
                .store
                .write(move |tx| {
                    for mut entry in unstarted {
                        entry.unclaim(now);
                        outbox::settle(tx, &entry)?;
                    }
                    Ok::<_, AppError>(())
                })
                .await;
            if let Err(e) = given_back {
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

/// What one claim transaction decided.
struct Claimed {
    to_send: Vec<OutboxEntry>,
    /// Entries settled as not worth sending (superseded meanwhile).
    dropped: usize,
}

/// The claim transaction: takes due entries and decides, for each, whether
/// to send it now or settle it right away.
fn claim(
    tx: &WriteTransaction,
    now: DateTime<Utc>,
    limit: usize,
    lease_until: DateTime<Utc>,
    held: &HashMap<OutboxId, OutboxEntry>,
    max_attempts: u32,
) -> Result<Claimed, AppError> {
    let mut to_send = Vec::new();
    let mut dropped = 0;
    for claimed in outbox::claim_due(tx, now, limit, lease_until)? {
        let mut entry = match claimed {
            outbox::Claimed::Entry(entry) => entry,
            outbox::Claimed::Poison { id, reason } => {
                tracing::error!(outbox_id = %id, reason = %reason, "an outbox entry cannot be read; it was set aside and will not be sent");
                continue;
            }
        };
        if let Some(outcome) = held.get(&entry.id) {
            // Already tried by this process; its outcome only needs writing.
            outbox::settle(tx, outcome)?;
            continue;
        }
        if entry.tries_exhausted(max_attempts) {
            tracing::error!(outbox_id = %entry.id, attempts = entry.attempts, "an email's tries never finished; giving up");
            entry.give_up(format!(
                "gave up after {max_attempts} tries that did not finish (the service stopped while sending)"
            ));
            outbox::settle(tx, &entry)?;
            continue;
        }
        if let Some(reason) = superseded(tx, &entry, now)? {
            entry.drop_as(reason);
            outbox::settle(tx, &entry)?;
            dropped += 1;
            continue;
        }
        to_send.push(entry);
    }
    Ok(Claimed { to_send, dropped })
}

/// An invitation email whose invitation was resent, withdrawn or answered
/// meanwhile is not worth sending: its link would not work.
fn superseded(
    tx: &impl Readable,
    entry: &OutboxEntry,
    now: DateTime<Utc>,
) -> Result<Option<String>, AppError> {
    let Notice::Invitation {
        invitation,
        generation,
        ..
    } = entry.notice
    else {
        return Ok(None);
    };
    Ok(match invitations::get(tx, invitation)? {
        None => Some("the invitation no longer exists".into()),
        Some(i) if i.withdrawn.is_some() => Some("the invitation was withdrawn".into()),
        Some(i) if i.generation != generation => {
            Some("the invitation was resent; a newer email replaces this one".into())
        }
        Some(i) if i.state_at(now) != InvitationState::InvitationCreated => {
            Some(format!("the invitation is {}", i.state_at(now).name()))
        }
        Some(_) => None,
    })
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::email::EmailAddress;
    use crate::domain::notification::DeliveryStatus;
    use crate::store::{Store, StoreError};

    fn queued(store: &Store, now: DateTime<Utc>) -> OutboxEntry {
        let entry = OutboxEntry::new(
            vec![EmailAddress::parse("a@b.example").unwrap()],
            Notice::Removed {
                community_name: "Plant".into(),
                tenant_name: "Fabrikam".into(),
                by_community: false,
            },
            now,
        );
        store.write_blocking(|tx| outbox::put(tx, &entry)).unwrap();
        entry
    }

    fn claim_now(
        store: &Store,
        now: DateTime<Utc>,
        held: &HashMap<OutboxId, OutboxEntry>,
        max_attempts: u32,
    ) -> Vec<OutboxEntry> {
        let lease = now + Duration::minutes(5);
        store
            .write_blocking(|tx| claim(tx, now, 10, lease, held, max_attempts))
            .unwrap()
            .to_send
    }

    fn release(store: &Store, now: DateTime<Utc>) {
        store
            .write_blocking(|tx| outbox::release_claims(tx, now))
            .unwrap();
    }

    fn stored(store: &Store, id: OutboxId) -> OutboxEntry {
        store
            .read_blocking(|tx| Ok::<_, StoreError>(outbox::get(tx, id)?.unwrap()))
            .unwrap()
    }

    /// The send succeeded but its outcome could not be written: when the
    /// entry comes due again, the held outcome is written; nothing is sent.
    #[test]
    fn an_outcome_not_yet_written_is_written_when_due_again_never_resent() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let now = Utc::now();
        let entry = queued(&store, now);
        let mut sending = claim_now(&store, now, &HashMap::new(), 8);
        assert_eq!(sending.len(), 1);
        let mut sent = sending.remove(0);
        sent.sent(now);
        let held = HashMap::from([(sent.id, sent.clone())]);

        release(&store, now);
        assert!(
            claim_now(&store, now, &held, 8).is_empty(),
            "not sent again"
        );
        assert_eq!(
            stored(&store, entry.id).status,
            DeliveryStatus::Sent { at: now }
        );
        assert!(claim_now(&store, now, &HashMap::new(), 8).is_empty());
    }

    /// A try that never finishes (the process dies every time it sends
    /// this email) ends after `mail_max_attempts` claims.
    #[test]
    fn tries_that_never_finish_end_in_failure() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let now = Utc::now();
        let entry = queued(&store, now);
        for _ in 0..3 {
            assert_eq!(claim_now(&store, now, &HashMap::new(), 3).len(), 1);
            release(&store, now);
        }
        assert!(claim_now(&store, now, &HashMap::new(), 3).is_empty());
        let failed = stored(&store, entry.id);
        assert_eq!(failed.status, DeliveryStatus::Failed);
        assert!(failed.last_error.unwrap().contains("did not finish"));
    }
}
