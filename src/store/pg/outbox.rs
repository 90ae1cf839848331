//! The outbox on PostgreSQL (schema: `migrations/0001/40_outbox.sql`).
//!
//! Several instances work one outbox, so a claim locks the due rows it
//! takes with `FOR UPDATE SKIP LOCKED`: two workers never take one row, and
//! neither waits for the other. A claim is a lease: the row's due time
//! moves to the lease's end, so an entry whose worker died comes due again
//! by itself when its lease ends, and only expired leases are released.

use super::tx::PgTx;
use crate::domain::ids::OutboxId;
use crate::domain::notification::{DeliveryReport, DeliveryStatus, OutboxEntry};
use crate::store::codec::{decode, encode};
use crate::store::error::StoreError;
use chrono::{DateTime, Utc};
use tokio_postgres::Row;
use uuid::Uuid;

/// What claiming found: an entry now leased to the caller, or the id of an
/// unreadable one (set aside) with the reason.
pub type Claim = Result<OutboxEntry, (OutboxId, String)>;

pub fn get(pg: &PgTx, id: OutboxId) -> Result<Option<OutboxEntry>, StoreError> {
    let row = pg.query_opt("SELECT body FROM outbox WHERE id = $1", &[&id.0])?;
    row.map(|row| decode(row.try_get::<_, &[u8]>(0)?))
        .transpose()
}

/// Stores the entry; a claim on it stays (as on redb, where `put` leaves
/// the claim row alone).
pub fn put(pg: &PgTx, entry: &OutboxEntry) -> Result<(), StoreError> {
    write(
        pg,
        entry,
        "INSERT INTO outbox (id, due_ms, retrying, body) VALUES ($1, $2, $3, $4)
         ON CONFLICT (id) DO UPDATE SET due_ms = excluded.due_ms,
             retrying = excluded.retrying, body = excluded.body",
    )
}

/// Stores the outcome of a claimed entry and ends the claim. Written whole,
/// so an entry set aside meanwhile is stored again.
pub fn settle(pg: &PgTx, entry: &OutboxEntry) -> Result<(), StoreError> {
    write(
        pg,
        entry,
        "INSERT INTO outbox (id, due_ms, retrying, body) VALUES ($1, $2, $3, $4)
         ON CONFLICT (id) DO UPDATE SET due_ms = excluded.due_ms,
             lease_until_ms = NULL, leased_to = NULL, retrying = excluded.retrying,
             body = excluded.body",
    )
}

/// Runs `sql` with the entry's id, due time (while pending), `retrying`
/// and body: every write of an entry's columns comes through here.
fn write(pg: &PgTx, entry: &OutboxEntry, sql: &str) -> Result<(), StoreError> {
    let due_ms = entry
        .status
        .is_pending()
        .then(|| entry.next_attempt.timestamp_millis());
    let retrying = entry.status == DeliveryStatus::Retrying;
    let body = encode(entry)?;
    pg.execute(sql, &[&entry.id.0, &due_ms, &retrying, &body])?;
    Ok(())
}

/// Claims up to `limit` due entries, soonest first, skipping rows another
/// transaction holds: each one's due time and lease move to `lease_until`.
/// Two round trips however many it takes (an unreadable one costs one more).
pub fn claim_due(
    pg: &PgTx,
    now: DateTime<Utc>,
    limit: usize,
    lease_until: DateTime<Utc>,
    holder: Uuid,
) -> Result<Vec<Claim>, StoreError> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = pg.query(
        "SELECT id, body FROM outbox WHERE due_ms <= $1
         ORDER BY due_ms, id LIMIT $2 FOR UPDATE SKIP LOCKED",
        &[&now.timestamp_millis(), &limit],
    )?;
    let mut claims = Vec::with_capacity(rows.len());
    let mut leased = Leased::default();
    let mut settled = Vec::new();
    for row in &rows {
        let id: Uuid = row.try_get(0)?;
        match decode::<OutboxEntry>(row.try_get(1)?) {
            Err(e) => {
                let reason = e.to_string();
                quarantine(pg, id, &reason, now)?;
                claims.push(Err((OutboxId(id), reason)));
            }
            // Settled by a send that outlived its claim: no longer due.
            Ok(entry) if !entry.status.is_pending() => settled.push(id),
            Ok(mut entry) => {
                entry.claim(lease_until);
                leased.ids.push(id);
                leased.bodies.push(encode(&entry)?);
                claims.push(Ok(entry));
            }
        }
    }
    leased.store(pg, lease_until, holder)?;
    if !settled.is_empty() {
        pg.execute(
            "UPDATE outbox SET due_ms = NULL WHERE id = ANY($1)",
            &[&settled],
        )?;
    }
    Ok(claims)
}

/// The entries one claim leased, with their bodies counting the new try.
#[derive(Default)]
struct Leased {
    ids: Vec<Uuid>,
    bodies: Vec<Vec<u8>>,
}

impl Leased {
    /// Writes every lease in one statement.
    fn store(&self, pg: &PgTx, lease_until: DateTime<Utc>, holder: Uuid) -> Result<(), StoreError> {
        if self.ids.is_empty() {
            return Ok(());
        }
        pg.execute(
            "UPDATE outbox SET due_ms = $1, lease_until_ms = $1, leased_to = $4,
                 body = claimed.body
             FROM unnest($2::uuid[], $3::bytea[]) AS claimed (id, body)
             WHERE outbox.id = claimed.id",
            &[
                &lease_until.timestamp_millis(),
                &self.ids,
                &self.bodies,
                &holder,
            ],
        )?;
        Ok(())
    }
}

/// Moves an unreadable entry, its bytes as stored, to the quarantine table.
fn quarantine(pg: &PgTx, id: Uuid, reason: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
    pg.execute(
        "WITH moved AS (DELETE FROM outbox WHERE id = $1 RETURNING id, body)
         INSERT INTO outbox_quarantine (id, set_aside_ms, reason, bytes)
         SELECT id, $2, $3, body FROM moved
         ON CONFLICT (id) DO UPDATE SET set_aside_ms = excluded.set_aside_ms,
             reason = excluded.reason, bytes = excluded.bytes",
        &[&id, &now.timestamp_millis(), &reason],
    )?;
    Ok(())
}

/// Makes the entries whose lease ended by `now`, and those `holder` leased
/// in an earlier life (it is starting, so none of its sends is in flight),
/// due at `now`. Other leases still running belong to workers that may be
/// alive on another instance, so they are left alone; a row being claimed
/// right now is skipped too.
pub fn release_claims(pg: &PgTx, now: DateTime<Utc>, holder: Uuid) -> Result<usize, StoreError> {
    let released = pg.execute(
        "UPDATE outbox SET lease_until_ms = NULL, leased_to = NULL,
             due_ms = CASE WHEN due_ms = lease_until_ms THEN $1 ELSE due_ms END
         WHERE id IN (SELECT id FROM outbox
                      WHERE lease_until_ms <= $1
                         OR (lease_until_ms IS NOT NULL AND leased_to = $2)
                      FOR UPDATE SKIP LOCKED)",
        &[&now.timestamp_millis(), &holder],
    )?;
    Ok(usize::try_from(released).unwrap_or(usize::MAX))
}

/// How an email is doing, in one query over both tables.
pub fn delivery(pg: &PgTx, id: OutboxId) -> Result<Option<DeliveryReport>, StoreError> {
    let row = pg.query_one(
        "SELECT o.body, q.reason FROM (SELECT $1::uuid AS id) AS wanted
         LEFT JOIN outbox o USING (id) LEFT JOIN outbox_quarantine q USING (id)",
        &[&id.0],
    )?;
    if let Some(body) = row.try_get::<_, Option<&[u8]>>(0)? {
        return Ok(Some(match decode::<OutboxEntry>(body) {
            Ok(entry) => DeliveryReport::of(&entry),
            Err(e) => DeliveryReport::unreadable(&e.to_string()),
        }));
    }
    let reason: Option<&str> = row.try_get(1)?;
    Ok(reason.map(DeliveryReport::unreadable))
}

/// Entries set aside as unreadable: (id, when, reason), oldest id first.
pub fn quarantined(pg: &PgTx) -> Result<Vec<(OutboxId, DateTime<Utc>, String)>, StoreError> {
    let rows = pg.query(
        "SELECT id, set_aside_ms, reason FROM outbox_quarantine ORDER BY id",
        &[],
    )?;
    rows.iter().map(set_aside).collect()
}

fn set_aside(row: &Row) -> Result<(OutboxId, DateTime<Utc>, String), StoreError> {
    let at = DateTime::from_timestamp_millis(row.try_get(1)?).unwrap_or_default();
    Ok((OutboxId(row.try_get(0)?), at, row.try_get(2)?))
}

/// When the soonest pending entry is due, if any.
pub fn next_due(pg: &PgTx) -> Result<Option<i64>, StoreError> {
    let row = pg.query_one("SELECT min(due_ms) FROM outbox", &[])?;
    Ok(row.try_get(0)?)
}

/// Up to `limit` entries with ids after `after`, in id order.
pub fn page_after(
    pg: &PgTx,
    after: Option<OutboxId>,
    limit: usize,
) -> Result<Vec<OutboxEntry>, StoreError> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = match after {
        None => pg.query("SELECT body FROM outbox ORDER BY id LIMIT $1", &[&limit])?,
        Some(id) => pg.query(
            "SELECT body FROM outbox WHERE id > $1 ORDER BY id LIMIT $2",
            &[&id.0, &limit],
        )?,
    };
    rows.iter()
        .map(|row| decode(row.try_get::<_, &[u8]>(0)?))
        .collect()
}

/// True when the entry is claimed (being sent, or its lease not yet released).
pub fn is_claimed(pg: &PgTx, id: OutboxId) -> Result<bool, StoreError> {
    let row = pg.query_one(
        "SELECT EXISTS (SELECT 1 FROM outbox WHERE id = $1 AND lease_until_ms IS NOT NULL)",
        &[&id.0],
    )?;
    Ok(row.try_get(0)?)
}

#[cfg(test)]
mod tests {

    use crate::domain::ids::OutboxId;
    use crate::domain::notification::{DeliveryStatus, OutboxEntry};
    use crate::store::instance::Instance;
    use crate::store::outbox::{self, Claimed};
    use crate::store::pg::testing::{fresh_database_url, fresh_store};
    use crate::store::tables::OUTBOX;
    use crate::store::tx::WriteSide;
    use crate::store::{Store, StoreError, Writable, WriteTx};
    use chrono::{DateTime, Duration, Utc};
    use std::collections::BTreeSet;
    use uuid::Uuid;

    fn entry(due: DateTime<Utc>) -> OutboxEntry {
        OutboxEntry::sample(due)
    }

    fn pg_store(dir: &std::path::Path) -> Option<Store> {
        let store = fresh_store(dir);
        if store.is_none() {
            eprintln!("COMMUNITYD_TEST_DATABASE_URL is unset: skipping a PostgreSQL test");
        }
        Some(store?.unwrap())
    }

    fn claim(
        store: &Store,
        now: DateTime<Utc>,
        limit: usize,
        lease: DateTime<Utc>,
    ) -> Vec<Claimed> {
        store
            .write_blocking(|tx| {
                outbox::claim_due(
                    tx,
                    now,
                    limit,
                    crate::store::outbox::Lease {
                        until: lease,
                        holder: CLAIMER,
                    },
                )
            })
            .unwrap()
    }

    fn claimed_entries(claims: Vec<Claimed>) -> Vec<OutboxEntry> {
        claims
            .into_iter()
            .map(|c| match c {
                Claimed::Entry(entry) => entry,
                poison => panic!("{poison:?}"),
            })
            .collect()
    }

    fn ids(entries: &[OutboxEntry]) -> Vec<OutboxId> {
        entries.iter().map(|e| e.id).collect()
    }

    fn settle(store: &Store, entry: &OutboxEntry) {
        store
            .write_blocking(|tx| outbox::settle(tx, entry))
            .unwrap();
    }

    fn next_due(store: &Store) -> Option<i64> {
        store.read_blocking(|tx| outbox::next_due(tx)).unwrap()
    }

    fn is_claimed(store: &Store, id: OutboxId) -> bool {
        store
            .read_blocking(|tx| outbox::is_claimed(tx, id))
            .unwrap()
    }

    /// The instance the tests' claims are leased to, and another one.
    const CLAIMER: Instance = Instance(Uuid::from_u128(1));
    const ANOTHER: Instance = Instance(Uuid::from_u128(2));

    /// Releases as another instance starting would.
    fn release(store: &Store, now: DateTime<Utc>) -> usize {
        release_as(store, now, ANOTHER)
    }

    fn release_as(store: &Store, now: DateTime<Utc>, holder: Instance) -> usize {
        store
            .write_blocking(|tx| outbox::release_claims(tx, now, holder))
            .unwrap()
    }

    /// An instance that starts again on its data dir frees at once what
    /// its previous life held: none of it is being sent any more.
    #[test]
    fn a_restarted_instance_frees_its_own_running_leases() {
        let dir = tempfile::tempdir().unwrap();
        let Some(store) = pg_store(dir.path()) else {
            return;
        };
        let now = Utc::now();
        let queued = entry(now);
        store.write_blocking(|tx| outbox::put(tx, &queued)).unwrap();
        let lease = now + Duration::minutes(5);
        assert_eq!(claimed_entries(claim(&store, now, 10, lease)).len(), 1);
        assert_eq!(release(&store, now), 0, "not another instance's to free");
        assert_eq!(
            release_as(&store, now, CLAIMER),
            1,
            "its own, freed at once"
        );
        assert!(!is_claimed(&store, queued.id));
        assert_eq!(next_due(&store), Some(now.timestamp_millis()));
    }

    /// Overwrites an entry's stored bytes with some no release can read.
    fn break_body(tx: &WriteTx, id: OutboxId) -> Result<(), StoreError> {
        const BROKEN: &[u8] = &[1, 0xff, 0xff];
        match tx.write_side() {
            WriteSide::Redb(tx) => {
                tx.open_table(OUTBOX)?.insert(id.0, BROKEN)?;
            }
            WriteSide::Pg(pg) => {
                pg.execute(
                    "UPDATE outbox SET body = $2 WHERE id = $1",
                    &[&id.0, &BROKEN],
                )?;
            }
        }
        Ok(())
    }

    /// One worker's life on `store`: queue, claim, settle, give back,
    /// retry, release an expired lease, set aside an unreadable entry. The
    /// answers are checked here and returned, to compare the backends.
    fn scenario(store: &Store, queued: &[OutboxEntry; 5], now: DateTime<Utc>) -> Vec<String> {
        let [a, b, c, later, poison] = queued;
        let lease = now + Duration::minutes(5);
        let mut seen = Vec::new();
        store
            .write_blocking(|tx| {
                for e in [a, b, c, later] {
                    outbox::put(tx, e)?;
                }
                Ok::<_, StoreError>(())
            })
            .unwrap();
        assert_eq!(next_due(store), Some(a.next_attempt.timestamp_millis()));

        let first = claimed_entries(claim(store, now, 2, lease));
        assert_eq!(ids(&first), [a.id, b.id], "soonest first, up to the limit");
        assert!(first.iter().all(|e| e.attempts == 1));
        assert!(is_claimed(store, a.id) && !is_claimed(store, c.id));
        assert_eq!(next_due(store), Some(c.next_attempt.timestamp_millis()));
        let second = claimed_entries(claim(store, now, 10, lease));
        assert_eq!(ids(&second), [c.id], "leased ones are not taken again");
        seen.push(format!("{first:?} {second:?}"));

        let (mut sent, mut failed, mut given_back) =
            (first[0].clone(), first[1].clone(), second[0].clone());
        sent.sent(now);
        failed.try_failed("451 busy".into(), false, 5, now + Duration::seconds(10));
        given_back.unclaim(now);
        for e in [&sent, &failed, &given_back] {
            settle(store, e);
        }
        assert!(!is_claimed(store, a.id) && !is_claimed(store, b.id));
        assert_eq!(next_due(store), Some(now.timestamp_millis()));
        assert_eq!(release(store, now), 0, "nothing left claimed");

        // The retry and the given-back entry come due; the retry's lease
        // then runs out, and its release makes it due again.
        let retry_at = now + Duration::seconds(10);
        let lease2 = retry_at + Duration::minutes(5);
        let third = claimed_entries(claim(store, retry_at, 10, lease2));
        assert_eq!(ids(&third), [c.id, b.id]);
        assert_eq!((third[0].attempts, third[1].attempts), (1, 2));
        let mut dropped = third[0].clone();
        dropped.drop_as("withdrawn".into());
        settle(store, &dropped);
        assert_eq!(release(store, lease2), 1, "the expired lease");
        assert!(!is_claimed(store, b.id));
        let fourth = claimed_entries(claim(store, lease2, 10, lease2 + Duration::minutes(5)));
        assert_eq!(ids(&fourth), [b.id]);
        assert_eq!(fourth[0].attempts, 3, "the lost try counts");
        let mut delivered = fourth[0].clone();
        delivered.sent(lease2);
        settle(store, &delivered);
        seen.push(format!("{third:?} {fourth:?}"));

        // An unreadable entry is set aside; the rest of the queue goes on.
        store
            .write_blocking(|tx| {
                outbox::put(tx, poison)?;
                break_body(tx, poison.id)
            })
            .unwrap();
        let fifth = claim(store, lease2, 10, lease2 + Duration::minutes(5));
        assert!(
            matches!(fifth.as_slice(), [Claimed::Poison { id, .. }] if *id == poison.id),
            "{fifth:?}"
        );
        seen.push(format!("{fifth:?}"));
        let set_aside = store.read_blocking(|tx| outbox::quarantined(tx)).unwrap();
        assert_eq!(set_aside.len(), 1);
        assert_eq!((set_aside[0].0, set_aside[0].1), (poison.id, lease2));
        seen.push(format!("{set_aside:?}"));
        assert_eq!(next_due(store), Some(later.next_attempt.timestamp_millis()));

        for e in queued {
            let (stored, report) = store
                .read_blocking(|tx| {
                    Ok::<_, StoreError>((outbox::get(tx, e.id)?, outbox::delivery(tx, e.id)?))
                })
                .unwrap();
            seen.push(format!("{stored:?} {report:?}"));
        }
        let report = |id| store.read_blocking(|tx| outbox::delivery(tx, id)).unwrap();
        assert_eq!(
            report(a.id).unwrap().status,
            DeliveryStatus::Sent { at: now }
        );
        assert_eq!(report(b.id).unwrap().attempts, 3);
        assert!(report(poison.id)
            .unwrap()
            .last_error
            .unwrap()
            .contains("could not be read"));
        assert_eq!(report(OutboxId(uuid::Uuid::new_v4())), None);
        seen
    }

    #[test]
    fn postgresql_answers_a_workers_life_as_redb_does() {
        let pg_dir = tempfile::tempdir().unwrap();
        let Some(pg) = pg_store(pg_dir.path()) else {
            return;
        };
        let redb_dir = tempfile::tempdir().unwrap();
        let redb = Store::open(redb_dir.path()).unwrap();
        let now = DateTime::from_timestamp_millis(1_760_000_000_000).unwrap();
        let queued = [
            entry(now - Duration::seconds(3)),
            entry(now - Duration::seconds(2)),
            entry(now - Duration::seconds(1)),
            entry(now + Duration::hours(1)),
            entry(now - Duration::seconds(4)),
        ];
        assert_eq!(scenario(&pg, &queued, now), scenario(&redb, &queued, now));
    }

    /// A starting instance must not take back what a live worker of
    /// another instance holds: only a lease that ended is released.
    #[test]
    fn only_expired_leases_are_released() {
        let dir = tempfile::tempdir().unwrap();
        let Some(store) = pg_store(dir.path()) else {
            return;
        };
        let now = Utc::now();
        let lease = now + Duration::minutes(5);
        let queued = entry(now);
        store.write_blocking(|tx| outbox::put(tx, &queued)).unwrap();
        assert_eq!(claimed_entries(claim(&store, now, 10, lease)).len(), 1);

        assert_eq!(release(&store, now), 0, "the lease still runs");
        assert!(is_claimed(&store, queued.id));
        assert!(claim(&store, now, 10, lease).is_empty());
        assert_eq!(next_due(&store), Some(lease.timestamp_millis()));

        let after = lease + Duration::seconds(1);
        assert_eq!(release(&store, after), 1);
        assert!(!is_claimed(&store, queued.id));
        assert_eq!(next_due(&store), Some(after.timestamp_millis()));
        let again = claimed_entries(claim(&store, after, 10, after + Duration::minutes(5)));
        assert_eq!(ids(&again), [queued.id]);
        assert_eq!(again[0].attempts, 2);
    }

    /// Two instances on one database, three workers each, claiming at once:
    /// every due entry is taken exactly once, none that is not yet due.
    #[test]
    fn two_instances_claiming_together_take_each_due_entry_exactly_once() {
        let Some(url) = fresh_database_url() else {
            eprintln!("COMMUNITYD_TEST_DATABASE_URL is unset: skipping a PostgreSQL test");
            return;
        };
        let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let a = Store::open_configured(dir_a.path(), &url, 4).unwrap();
        let b = Store::open_configured(dir_b.path(), &url, 4).unwrap();
        let now = Utc::now();
        let due: Vec<OutboxEntry> = (0..300)
            .map(|i| entry(now - Duration::milliseconds(i % 7)))
            .collect();
        let not_yet: Vec<OutboxEntry> = (0..20).map(|_| entry(now + Duration::hours(1))).collect();
        for chunk in due.chunks(50).chain([not_yet.as_slice()]) {
            a.write_blocking(|tx| chunk.iter().try_for_each(|e| outbox::put(tx, e)))
                .unwrap();
        }

        let lease = now + Duration::minutes(5);
        let start = std::sync::Barrier::new(6);
        let work = |store: &Store| {
            start.wait();
            let mut mine = Vec::new();
            loop {
                let claimed = claimed_entries(claim(store, now, 5, lease));
                // Nothing free: done once nothing due is left (rows other
                // workers hold are leased when they commit).
                if claimed.is_empty()
                    && next_due(store).is_some_and(|ms| ms > now.timestamp_millis())
                {
                    return mine;
                }
                mine.extend(ids(&claimed));
            }
        };
        let per_worker: Vec<Vec<OutboxId>> = std::thread::scope(|scope| {
            let workers: Vec<_> = [&a, &a, &a, &b, &b, &b]
                .into_iter()
                .map(|store| scope.spawn(|| work(store)))
                .collect();
            workers.into_iter().map(|w| w.join().unwrap()).collect()
        });
        eprintln!(
            "claims per worker: {:?}",
            per_worker.iter().map(Vec::len).collect::<Vec<_>>()
        );

        let taken: Vec<OutboxId> = per_worker.into_iter().flatten().collect();
        let distinct: BTreeSet<OutboxId> = taken.iter().copied().collect();
        assert_eq!(taken.len(), distinct.len(), "an entry was claimed twice");
        assert_eq!(distinct, due.iter().map(|e| e.id).collect::<BTreeSet<_>>());
        let stored = b
            .read_blocking(|tx| {
                due.iter()
                    .map(|e| outbox::get(tx, e.id))
                    .collect::<Result<Vec<_>, _>>()
            })
            .unwrap();
        assert!(stored.iter().all(|e| e.as_ref().unwrap().attempts == 1));
        assert_eq!(release(&b, now), 0, "another instance's leases still run");
    }
}
