//! The outbox as the mail worker works it. The worker only sends; what to
//! send, what to settle unsent, and what an outcome means for the counters
//! and for readiness is decided here:
//! - a claim takes due entries under a lease, in its own transaction;
//! - an entry whose cause was overtaken (its invitation resent, withdrawn
//!   or answered) is dropped, not sent: its link would not work;
//! - an entry whose tries never finished is given up after the most tries;
//! - an entry this process already tried only has its outcome written.

use super::{AppError, Context};
use crate::domain::ids::OutboxId;
use crate::domain::invitation::InvitationState;
use crate::domain::notification::{DeliveryStatus, Notice, OutboxEntry};
use crate::store::{identities, invitations, outbox, Readable, WriteTx};
use crate::telemetry::metrics::OutboxEvent;
use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;

/// How many tries an email gets.
pub fn max_attempts(ctx: &Context) -> u32 {
    ctx.settings.mail_max_attempts.max(1)
}

/// Releases the claims of workers that are gone (on redb every claim, as
/// the database admits one process; on PostgreSQL expired leases only, as
/// other instances' workers may be alive), so their entries are due now:
/// run when a worker starts. Answers how many were released.
pub async fn release_claims(ctx: &Context) -> Result<usize, AppError> {
    let now = ctx.clock.now();
    let ctx_instance = ctx.instance;
    ctx.store
        .write_leased(move |tx| Ok(outbox::release_claims(tx, now, ctx_instance)?))
        .await
}

/// When the soonest pending entry is due (ms), if any.
pub async fn next_due(ctx: &Context) -> Result<Option<i64>, AppError> {
    ctx.store.read(|tx| Ok(outbox::next_due(tx)?)).await
}

/// Claims up to `want` due entries for `lease` and answers those to send.
/// `held` are outcomes this process has not written yet: those entries are
/// settled with them instead of being sent again.
pub async fn claim(
    ctx: &Context,
    want: usize,
    lease: std::time::Duration,
    held: HashMap<OutboxId, OutboxEntry>,
) -> Result<Vec<OutboxEntry>, AppError> {
    let now = ctx.clock.now();
    let lease = outbox::Lease {
        until: now + Duration::from_std(lease).unwrap_or(Duration::minutes(5)),
        holder: ctx.instance,
    };
    let max_attempts = max_attempts(ctx);
    let claimed = ctx
        .store
        .write_leased(move |tx| claim_in(tx, now, want, lease, &held, max_attempts))
        .await?;
    // Counted once committed: an aborted claim dropped nothing.
    for _ in 0..claimed.dropped {
        ctx.metrics.outbox(OutboxEvent::Dropped);
    }
    Ok(claimed.to_send)
}

/// Writes the outcomes of finished tries, in one transaction.
pub async fn record(ctx: &Context, outcomes: Vec<OutboxEntry>) -> Result<(), AppError> {
    ctx.store
        .write_leased(move |tx| {
            for entry in &outcomes {
                outbox::settle(tx, entry)?;
            }
            Ok(())
        })
        .await
}

/// Gives back claimed entries a stopping worker never started, so they are
/// due again now rather than when their lease ends.
pub async fn give_back(ctx: &Context, unstarted: Vec<OutboxEntry>) -> Result<(), AppError> {
    let now = ctx.clock.now();
    ctx.store
        .write_leased(move |tx| {
            for mut entry in unstarted.iter().cloned() {
                entry.unclaim(now);
                outbox::settle(tx, &entry)?;
            }
            Ok(())
        })
        .await
}

/// Counts a finished try, and keeps the mail transport's last known state
/// (readiness reports it) up to date.
pub fn tried(ctx: &Context, entry: &OutboxEntry) {
    let now = ctx.clock.now();
    let event = match entry.status {
        DeliveryStatus::Sent { .. } => {
            ctx.health.mail_sent(now);
            OutboxEvent::Sent
        }
        DeliveryStatus::Failed | DeliveryStatus::Retrying => {
            let error = entry.last_error.as_deref().unwrap_or_default();
            ctx.health.mail_failed(now, error);
            if entry.status == DeliveryStatus::Failed {
                OutboxEvent::Failed
            } else {
                OutboxEvent::Retrying
            }
        }
        DeliveryStatus::Queued | DeliveryStatus::Dropped { .. } => return,
    };
    ctx.metrics.outbox(event);
}

/// What one claim transaction decided.
struct Claimed {
    to_send: Vec<OutboxEntry>,
    /// Entries settled as not worth sending (superseded meanwhile).
    dropped: usize,
}

/// The claim transaction: takes due entries and decides, for each, whether
/// to send it now or settle it right away.
fn claim_in(
    tx: &WriteTx,
    now: DateTime<Utc>,
    limit: usize,
    lease: outbox::Lease,
    held: &HashMap<OutboxId, OutboxEntry>,
    max_attempts: u32,
) -> Result<Claimed, AppError> {
    let mut to_send = Vec::new();
    let mut dropped = 0;
    for claimed in outbox::claim_due(tx, now, limit, lease)? {
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

/// An invitation email (or its reminder) whose invitation was resent,
/// withdrawn or answered meanwhile is not worth sending: its link would
/// not work. Nor is a
/// set-password email whose links expired while it waited.
fn superseded(
    tx: &impl Readable,
    entry: &OutboxEntry,
    now: DateTime<Utc>,
) -> Result<Option<String>, AppError> {
    if let Notice::PasswordReset { expires, .. } = entry.notice {
        return Ok((expires <= now).then(|| "its links expired before it could be sent".into()));
    }
    if let Notice::UserInvitation {
        user,
        generation,
        expires,
        ..
    } = entry.notice
    {
        if expires <= now {
            return Ok(Some("its link expired before it could be sent".into()));
        }
        return Ok(match identities::get_user(tx, user)? {
            None => Some("the invited user no longer exists".into()),
            Some(u) if u.password_generation != generation => Some(
                "the invitation was resent or withdrawn, or a password was set meanwhile".into(),
            ),
            Some(_) => None,
        });
    }
    // A reminder is overtaken exactly as the invitation email it repeats.
    let (Notice::Invitation {
        invitation,
        generation,
        ..
    }
    | Notice::InvitationReminder {
        invitation,
        generation,
        ..
    }) = entry.notice
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::email::EmailAddress;
    use crate::store::instance::Instance;
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
        let lease = outbox::Lease {
            until: now + Duration::minutes(5),
            holder: Instance(uuid::Uuid::nil()),
        };
        store
            .write_blocking(|tx| claim_in(tx, now, 10, lease, held, max_attempts))
            .unwrap()
            .to_send
    }

    fn release(store: &Store, now: DateTime<Utc>) {
        store
            .write_blocking(|tx| outbox::release_claims(tx, now, Instance(uuid::Uuid::nil())))
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
