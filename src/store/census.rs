//! Counts for the metrics gauges, read in one snapshot from the stored
//! counts (see `counts`), so a scrape costs the same at a million records
//! as at a thousand.
//!
//! Invitations past their `Expires` are expired on read before the sweep
//! stores them so; the census does the same for up to `DUE_LOOKAHEAD` of
//! them (the sweep stores them in batches smaller than that), so the gauge
//! agrees with what readers see without walking every invitation.

use super::counts::{self, Counted};
use super::error::StoreError;
use super::invitations;
use super::pg::{counts as pg_counts, invitations as pg_invitations, PgTx};
use super::tx::{redb_or_pg, Readable};
use crate::domain::invitation::{Invitation, InvitationState};
use chrono::{DateTime, Utc};

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Census {
    pub outbox_queued: u64,
    pub outbox_retrying: u64,
    /// Every state name, with zero for states nobody is in.
    pub invitations: Vec<(&'static str, u64)>,
}

/// How many due but not yet swept invitations a census looks at.
const DUE_LOOKAHEAD: usize = 1024;

/// The invitation states the census counts, in `Counted::ALL`'s order.
fn invitation_states() -> impl Iterator<Item = InvitationState> {
    Counted::ALL.into_iter().filter_map(|c| match c {
        Counted::Invitations(state) => Some(state),
        _ => None,
    })
}

pub fn take(tx: &impl Readable, now: DateTime<Utc>) -> Result<Census, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| take_pg(pg, now));
    let mut invitations_by_state = Vec::new();
    for state in invitation_states() {
        let n = counts::get(tx, Counted::Invitations(state))?;
        invitations_by_state.push((state, n));
    }
    for id in invitations::due_for_expiry(tx, now, DUE_LOOKAHEAD)? {
        let Some(inv) = invitations::get(tx, id)? else {
            continue;
        };
        expire_on_read(&mut invitations_by_state, &inv, now);
    }
    Ok(Census {
        outbox_queued: counts::get(tx, Counted::OutboxQueued)?,
        outbox_retrying: counts::get(tx, Counted::OutboxRetrying)?,
        invitations: named(invitations_by_state),
    })
}

/// `take` on PostgreSQL: the same figures, in three queries (the counts
/// by state, the due invitations' records, the pending emails).
fn take_pg(pg: &PgTx, now: DateTime<Utc>) -> Result<Census, StoreError> {
    let counted = pg_counts::invitations_by_state(pg)?;
    let mut invitations_by_state: Vec<(InvitationState, u64)> = invitation_states()
        .map(|state| {
            let n = counted.iter().find(|(s, _)| *s == state).map_or(0, |c| c.1);
            (state, n)
        })
        .collect();
    for inv in pg_invitations::due_records(pg, now, DUE_LOOKAHEAD)? {
        expire_on_read(&mut invitations_by_state, &inv, now);
    }
    let (outbox_queued, outbox_retrying) = pg_counts::outbox_pending(pg)?;
    Ok(Census {
        outbox_queued,
        outbox_retrying,
        invitations: named(invitations_by_state),
    })
}

/// Moves a due invitation from its stored state's count to the one
/// readers see, when they differ.
fn expire_on_read(by_state: &mut [(InvitationState, u64)], inv: &Invitation, now: DateTime<Utc>) {
    let (stored, seen) = (inv.state, inv.state_at(now));
    if stored != seen {
        for (state, n) in by_state.iter_mut() {
            if *state == stored {
                *n = n.saturating_sub(1);
            } else if *state == seen {
                *n += 1;
            }
        }
    }
}

fn named(by_state: Vec<(InvitationState, u64)>) -> Vec<(&'static str, u64)> {
    by_state
        .into_iter()
        .map(|(state, n)| (state.name(), n))
        .collect()
}

/// The census worked out from every record, as `take` used to: what the
/// stored counts must agree with. Written against the store functions
/// alone, so it is the same code on both backends.
pub fn recount(tx: &impl Readable, now: DateTime<Utc>) -> Result<Census, StoreError> {
    let mut census = Census::default();
    let mut by_state: Vec<(InvitationState, u64)> = invitation_states().map(|s| (s, 0)).collect();
    for inv in invitations::all(tx)? {
        if inv.withdrawn.is_some() {
            continue;
        }
        let state = inv.state_at(now);
        if let Some(slot) = by_state.iter_mut().find(|(s, _)| *s == state) {
            slot.1 += 1;
        }
    }
    for (counted, n) in counts::recount_outbox(tx)? {
        match counted {
            Counted::OutboxQueued => census.outbox_queued = n,
            Counted::OutboxRetrying => census.outbox_retrying = n,
            Counted::Invitations(_) => {}
        }
    }
    census.invitations = named(by_state);
    Ok(census)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::email::EmailAddress;
    use crate::domain::ids::{CommunityId, PrincipalId, TenantId, UserId};
    use crate::domain::invitation::Invitation;
    use crate::domain::notification::OutboxEntry;
    use crate::store::{outbox, tables::OUTBOX, RedbStore as Store};
    use chrono::Duration;
    use uuid::Uuid;

    struct Fixture {
        _dir: tempfile::TempDir,
        store: Store,
        now: DateTime<Utc>,
    }

    impl Fixture {
        fn new() -> Self {
            let dir = tempfile::tempdir().unwrap();
            let store = Store::open(dir.path()).unwrap();
            Self {
                _dir: dir,
                store,
                now: Utc::now(),
            }
        }

        fn write<T>(&self, f: impl FnOnce(&redb::WriteTransaction) -> Result<T, StoreError>) -> T {
            self.store.write_blocking(f).unwrap()
        }

        /// The gauges from the stored counts equal a count of every record.
        fn assert_counts_agree(&self, after: &str) {
            let at = self.now;
            let kept = self.store.read_blocking(|tx| take(tx, at)).unwrap();
            let counted = self.store.read_blocking(|tx| recount(tx, at)).unwrap();
            assert_eq!(kept, counted, "after {after}");
        }

        fn invitation(&self) -> Invitation {
            let email = EmailAddress::parse(&format!("{}@b.example", Uuid::new_v4())).unwrap();
            let inv = Invitation::new(
                CommunityId::generate(),
                TenantId::generate(),
                PrincipalId::User(UserId::generate()),
                email,
                self.now,
                Duration::days(1),
            );
            self.write(|tx| invitations::put(tx, &inv));
            self.assert_counts_agree("create");
            inv
        }

        fn change(&self, inv: &mut Invitation, after: &str, f: impl FnOnce(&mut Invitation)) {
            f(inv);
            self.write(|tx| invitations::put(tx, inv));
            self.assert_counts_agree(after);
        }
    }

    #[test]
    fn stored_invitation_counts_follow_every_transition() {
        let mut fx = Fixture::new();
        let now = fx.now;
        let tenant = TenantId::generate();
        let by = PrincipalId::User(UserId::generate());
        let mut accepted = fx.invitation();
        fx.change(&mut accepted, "accept", |i| {
            i.accept(now, tenant, by, None).unwrap()
        });
        let mut completed = fx.invitation();
        fx.change(&mut completed, "accept", |i| {
            i.accept(now, tenant, by, None).unwrap()
        });
        fx.change(&mut completed, "confirm", |i| i.confirm(now).unwrap());
        let mut declined = fx.invitation();
        fx.change(&mut declined, "decline", |i| i.decline(now).unwrap());
        let mut withdrawn = fx.invitation();
        fx.change(&mut withdrawn, "withdraw", |i| i.withdraw(now).unwrap());
        let purged = fx.invitation();
        fx.write(|tx| invitations::purge(tx, &purged));
        fx.assert_counts_agree("purge");

        // Time passes: expired on read first (not yet swept), then stored.
        let mut swept = fx.invitation();
        fx.now = now + Duration::days(2);
        fx.assert_counts_agree("expiry on read");
        let later = fx.now;
        fx.change(&mut swept, "sweep", |i| {
            i.settle_expiry(later);
        });
        fx.change(&mut accepted, "sweep of an accepted one", |i| {
            i.settle_expiry(later);
        });
        fx.change(&mut swept, "resend", |i| {
            i.resend(later, Duration::days(1)).unwrap()
        });
        fx.write(|tx| invitations::purge(tx, &swept));
        fx.assert_counts_agree("purge of a resent one");
    }

    fn entry(now: DateTime<Utc>) -> OutboxEntry {
        OutboxEntry::sample(now)
    }

    fn claim_one(fx: &Fixture) -> OutboxEntry {
        let now = fx.now;
        let claimed = fx.write(|tx| {
            outbox::claim_due(
                tx,
                now,
                1,
                crate::store::outbox::Lease::for_tests(now + Duration::minutes(5)),
            )
        });
        fx.assert_counts_agree("claim");
        match claimed.into_iter().next() {
            Some(outbox::Claimed::Entry(entry)) => entry,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn stored_outbox_counts_follow_every_transition() {
        let fx = Fixture::new();
        let now = fx.now;
        for _ in 0..4 {
            let queued = entry(now);
            fx.write(|tx| outbox::put(tx, &queued));
            fx.assert_counts_agree("enqueue");
        }
        let mut sent = claim_one(&fx);
        sent.sent(now);
        fx.write(|tx| outbox::settle(tx, &sent));
        fx.assert_counts_agree("deliver");

        let mut retried = claim_one(&fx);
        retried.try_failed("451 busy".into(), false, 5, now);
        fx.write(|tx| outbox::settle(tx, &retried));
        fx.assert_counts_agree("retry");
        fx.write(|tx| {
            outbox::release_claims(tx, now, crate::store::outbox::Lease::for_tests(now).holder)
        });
        fx.assert_counts_agree("release");

        let mut failed = claim_one(&fx);
        failed.try_failed("550 no such user".into(), true, 5, now);
        fx.write(|tx| outbox::settle(tx, &failed));
        fx.assert_counts_agree("fail");

        let mut dropped = claim_one(&fx);
        dropped.drop_as("withdrawn".into());
        fx.write(|tx| outbox::put(tx, &dropped));
        fx.assert_counts_agree("drop");

        // An entry whose bytes break is set aside when its turn comes.
        let broken = entry(now - Duration::seconds(1));
        fx.write(|tx| {
            outbox::put(tx, &broken)?;
            tx.open_table(OUTBOX)?
                .insert(broken.id.0, [1u8, 0xff].as_slice())?;
            Ok(())
        });
        fx.write(|tx| {
            outbox::claim_due(
                tx,
                now,
                1,
                crate::store::outbox::Lease::for_tests(now + Duration::minutes(5)),
            )
        });
        fx.assert_counts_agree("quarantine");
    }

    #[test]
    fn a_database_from_before_the_counts_is_counted_when_opened() {
        let fx = Fixture::new();
        let mut accepted = fx.invitation();
        fx.change(&mut accepted, "accept", |i| {
            i.accept(
                fx.now,
                TenantId::generate(),
                PrincipalId::User(UserId::generate()),
                None,
            )
            .unwrap()
        });
        fx.invitation();
        let queued = entry(fx.now);
        fx.write(|tx| outbox::put(tx, &queued));
        // As the previous layout left it: version 1, no counts.
        fx.write(|tx| {
            tx.delete_table(crate::store::tables::COUNTS)?;
            tx.open_table(crate::store::tables::META)?
                .insert("schema_version", 1)?;
            Ok(())
        });
        let Fixture { _dir, store, now } = fx;
        drop(store);
        let fx = Fixture {
            store: Store::open(_dir.path()).unwrap(),
            _dir,
            now,
        };
        fx.assert_counts_agree("migration");
        let census = fx.store.read_blocking(|tx| take(tx, now)).unwrap();
        assert_eq!(census.outbox_queued, 1);
        assert_eq!(census.invitations[0], ("InvitationCreated", 1));
        assert_eq!(census.invitations[1], ("InvitationAccepted", 1));
    }
}
