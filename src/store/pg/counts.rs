//! The PostgreSQL side of `store::counts`: counts worked out by the
//! database when asked, from the rows themselves. No counter row is kept:
//! every write of an invitation or an email would update it, so under
//! SERIALIZABLE every two such writes would conflict on it.

use super::invitations::{state_code, state_of};
use super::tx::PgTx;
use crate::domain::invitation::InvitationState;
use crate::store::error::StoreError;

/// Invitations not withdrawn, by stored state (states nobody is in are
/// left out).
pub fn invitations_by_state(tx: &PgTx) -> Result<Vec<(InvitationState, u64)>, StoreError> {
    let rows = tx.query(
        "SELECT state, count(*) FROM invitations WHERE NOT withdrawn GROUP BY state",
        &[],
    )?;
    Ok(rows
        .iter()
        .filter_map(|row| Some((state_of(row.get(0))?, count(row.get(1)))))
        .collect())
}

/// Invitations not withdrawn in one stored state.
pub fn invitations_in(tx: &PgTx, state: InvitationState) -> Result<u64, StoreError> {
    let row = tx.query_one(
        "SELECT count(*) FROM invitations WHERE NOT withdrawn AND state = $1",
        &[&state_code(state)],
    )?;
    Ok(count(row.get(0)))
}

/// Pending emails: (waiting for their first try, waiting for another).
/// A pending row has `due_ms` set (a claimed one too: its lease's end),
/// and `retrying` tells the two apart (see `40_outbox.sql`).
pub fn outbox_pending(tx: &PgTx) -> Result<(u64, u64), StoreError> {
    let row = tx.query_one(
        "SELECT count(*) FILTER (WHERE NOT retrying), count(*) FILTER (WHERE retrying)
         FROM outbox WHERE due_ms IS NOT NULL",
        &[],
    )?;
    Ok((count(row.get(0)), count(row.get(1))))
}

/// `count(*)` is never negative.
fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::super::invitations::Twin;

    use crate::domain::notification::{DeliveryStatus, OutboxEntry};
    use crate::store::codec::encode;
    use crate::store::counts::{self, Counted};
    use crate::store::tx::WriteSide;
    use crate::store::{census, outbox, StoreError, Writable, WriteTx};
    use chrono::{DateTime, Duration, Utc};

    fn entry(now: DateTime<Utc>) -> OutboxEntry {
        OutboxEntry::sample(now)
    }

    /// Stores an entry as each backend's outbox does: on redb through
    /// `outbox::put`; on PostgreSQL as `pg::outbox` writes its row (a
    /// claimed one due when its lease ends).
    fn store(tx: &WriteTx, entry: &OutboxEntry) -> Result<(), StoreError> {
        let WriteSide::Pg(pg) = tx.write_side() else {
            return outbox::put(tx, entry);
        };
        let due_ms = entry
            .status
            .is_pending()
            .then(|| entry.next_attempt.timestamp_millis());
        let lease_ms = due_ms.filter(|_| entry.attempts > 0);
        let retrying = entry.status == DeliveryStatus::Retrying;
        pg.execute(
            "INSERT INTO outbox (id, due_ms, lease_until_ms, retrying, body)
             VALUES ($1, $2, $3, $4, $5)",
            &[&entry.id.0, &due_ms, &lease_ms, &retrying, &encode(entry)?],
        )?;
        Ok(())
    }

    #[test]
    fn pending_emails_count_as_on_redb() {
        let Some(twin) = Twin::new() else { return };
        let now = Utc::now();
        let lease = now + Duration::minutes(5);
        let mut entries = Vec::new();
        for _ in 0..3 {
            entries.push(entry(now));
        }
        let mut claimed = entry(now);
        claimed.claim(lease);
        let mut retrying = entry(now);
        retrying.claim(lease);
        retrying.try_failed("451 busy".into(), false, 5, now + Duration::minutes(1));
        let mut claimed_retry = retrying.clone();
        claimed_retry.id = crate::domain::ids::OutboxId::generate();
        claimed_retry.claim(lease);
        let mut sent = entry(now);
        sent.sent(now);
        let mut failed = entry(now);
        failed.try_failed("550 no such user".into(), true, 5, now);
        let mut dropped = entry(now);
        dropped.drop_as("withdrawn".into());
        entries.extend([claimed, retrying, claimed_retry, sent, failed, dropped]);
        twin.write(|tx| entries.iter().try_for_each(|e| store(tx, e)));

        let all = twin.read("counts::recount", |tx| counts::recount(tx));
        let find = |c: Counted| all.iter().find(|(k, _)| *k == c).map(|(_, n)| *n);
        assert_eq!(find(Counted::OutboxQueued), Some(4));
        assert_eq!(find(Counted::OutboxRetrying), Some(2));
        for counted in [Counted::OutboxQueued, Counted::OutboxRetrying] {
            twin.read("counts::get", |tx| counts::get(tx, counted));
        }
        twin.read("counts::recount_outbox", |tx| counts::recount_outbox(tx));
        let taken = twin.read("census::take", |tx| census::take(tx, now));
        let recounted = twin.read("census::recount", |tx| census::recount(tx, now));
        assert_eq!(taken, recounted);
        assert_eq!((taken.outbox_queued, taken.outbox_retrying), (4, 2));
        // Nothing is stored to recount on PostgreSQL; the figures stay.
        twin.write(|tx| counts::store_outbox_recount(tx));
        twin.write(|tx| counts::store_recount(tx));
        twin.read("census::take", |tx| census::take(tx, now));
    }
}
