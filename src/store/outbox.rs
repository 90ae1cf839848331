//! The durable email outbox. Entries are kept after sending (their status is
//! what the invitation list shows); the due index holds only pending ones.
//!
//! A worker claims an entry before sending it: the claim (a lease with an
//! expiry) is written in its own transaction, and the entry's due time moves
//! to the lease's end. A process that dies mid-send leaves the claim behind;
//! the next worker releases it (on PostgreSQL, shared by several instances,
//! once its lease has ended), so at most the messages in flight are sent
//! again, once, with the same Message-ID. An entry whose bytes cannot be
//! read is moved to a quarantine table instead of blocking the queue.

use super::codec::{decode, encode, Record};
use super::counts::{self, Counted};
use super::error::StoreError;
use super::instance::Instance;
use super::tables::{OUTBOX, OUTBOX_CLAIMS, OUTBOX_DUE, OUTBOX_QUARANTINE};
use super::tx::{redb_or_pg, redb_write_or_pg, Readable, RedbReadable, Writable};
use crate::domain::ids::OutboxId;
use crate::domain::notification::{DeliveryReport, OutboxEntry};
use chrono::{DateTime, Utc};
use redb::{ReadableTable, WriteTransaction};
use uuid::Uuid;

/// Layout version 1 (see `codec::Record` for how a layout changes).
impl Record for OutboxEntry {}

pub fn get(tx: &impl Readable, id: OutboxId) -> Result<Option<OutboxEntry>, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| super::pg::outbox::get(pg, id));
    let table = tx.table(OUTBOX)?;
    let found = table.get(id.0)?;
    found.map(|v| decode(v.value())).transpose()
}

pub fn put(tx: &impl Writable, entry: &OutboxEntry) -> Result<(), StoreError> {
    let tx = redb_write_or_pg!(tx, |pg| super::pg::outbox::put(pg, entry));
    if let Some(old) = get(tx, entry.id)? {
        tx.open_table(OUTBOX_DUE)?
            .remove((old.next_attempt.timestamp_millis(), old.id.0))?;
    }
    write(tx, entry)
}

/// Stores the entry, indexes it as due when it is still pending, and moves
/// it between the counts: every write of an entry comes through here.
fn write(tx: &WriteTransaction, entry: &OutboxEntry) -> Result<(), StoreError> {
    let before = get(tx, entry.id);
    if entry.status.is_pending() {
        tx.open_table(OUTBOX_DUE)?
            .insert((entry.next_attempt.timestamp_millis(), entry.id.0), ())?;
    }
    tx.open_table(OUTBOX)?
        .insert(entry.id.0, encode(entry)?.as_slice())?;
    match before {
        Ok(old) => counts::shift(
            tx,
            old.as_ref().and_then(Counted::of_outbox),
            Counted::of_outbox(entry),
        ),
        // The row it replaces could not be read, so its count is unknown.
        Err(_) => counts::store_outbox_recount(tx),
    }
}

/// A claim's lease: until when, and which instance holds it (on redb one
/// process serves, and the holder is not kept).
#[derive(Clone, Copy, Debug)]
pub struct Lease {
    pub until: DateTime<Utc>,
    pub holder: Instance,
}

#[cfg(test)]
impl Lease {
    /// A lease until `until` for an instance no other test uses.
    pub fn for_tests(until: DateTime<Utc>) -> Self {
        Self {
            until,
            holder: Instance(Uuid::nil()),
        }
    }
}

/// What claiming found at the head of the queue.
#[derive(Debug)]
pub enum Claimed {
    /// Now leased to the caller until `lease_until`; `attempts` already counts this try.
    Entry(OutboxEntry),
    /// Its bytes could not be decoded; it was moved to the quarantine table.
    Poison { id: OutboxId, reason: String },
}

impl From<super::pg::outbox::Claim> for Claimed {
    fn from(claim: super::pg::outbox::Claim) -> Self {
        match claim {
            Ok(entry) => Claimed::Entry(entry),
            Err((id, reason)) => Claimed::Poison { id, reason },
        }
    }
}

/// Claims up to `limit` due entries, soonest first: each one's due time
/// moves to `lease_until` and a claim row records the lease. The caller
/// decides (in the same transaction, with [`settle`]) about any entry it
/// will not send.
pub fn claim_due(
    tx: &impl Writable,
    now: DateTime<Utc>,
    limit: usize,
    lease: Lease,
) -> Result<Vec<Claimed>, StoreError> {
    let Lease {
        until: lease_until,
        holder,
    } = lease;
    let tx = redb_write_or_pg!(tx, |pg| {
        let claims = super::pg::outbox::claim_due(pg, now, limit, lease_until, holder.0)?;
        Ok(claims.into_iter().map(Claimed::from).collect())
    });
    let keys: Vec<(i64, Uuid)> = {
        let index = tx.open_table(OUTBOX_DUE)?;
        let range = index.range(..=(now.timestamp_millis(), Uuid::max()))?;
        let mut keys = Vec::new();
        for key in range.take(limit) {
            keys.push(key?.0.value());
        }
        keys
    };
    let mut claimed = Vec::with_capacity(keys.len());
    for (due_ms, id) in keys {
        tx.open_table(OUTBOX_DUE)?.remove((due_ms, id))?;
        let raw = tx.open_table(OUTBOX)?.get(id)?.map(|v| v.value().to_vec());
        let Some(raw) = raw else {
            continue; // an index key left behind; nothing to send
        };
        let mut entry: OutboxEntry = match decode(&raw) {
            Ok(entry) => entry,
            Err(e) => {
                let reason = e.to_string();
                quarantine(tx, OutboxId(id), &raw, &reason, now)?;
                claimed.push(Claimed::Poison {
                    id: OutboxId(id),
                    reason,
                });
                continue;
            }
        };
        if !entry.status.is_pending() {
            continue; // already settled by a send that outlived its claim
        }
        entry.claim(lease_until);
        tx.open_table(OUTBOX_CLAIMS)?
            .insert(id, lease_until.timestamp_millis())?;
        write(tx, &entry)?;
        claimed.push(Claimed::Entry(entry));
    }
    Ok(claimed)
}

/// Records the outcome of a claimed entry and ends its claim. The entry is
/// written whole from what the caller holds, so a row that changed or broke
/// meanwhile cannot stop the outcome from being recorded.
pub fn settle(tx: &impl Writable, entry: &OutboxEntry) -> Result<(), StoreError> {
    let tx = redb_write_or_pg!(tx, |pg| super::pg::outbox::settle(pg, entry));
    let lease = {
        let mut claims = tx.open_table(OUTBOX_CLAIMS)?;
        let removed = claims.remove(entry.id.0)?;
        removed.map(|v| v.value())
    };
    if let Some(lease_ms) = lease {
        tx.open_table(OUTBOX_DUE)?.remove((lease_ms, entry.id.0))?;
    }
    write(tx, entry)
}

/// Releases claims left by workers that are gone, making their entries due
/// at `now`; answers how many. Run when a worker starts. On redb every
/// claim is released: the database admits one process, so a claim found
/// then belongs to a worker that is gone (a crash, or a task that was
/// stopped mid-send). On PostgreSQL only expired leases are: a running one
/// may belong to a worker of another instance.
pub fn release_claims(
    tx: &impl Writable,
    now: DateTime<Utc>,
    holder: Instance,
) -> Result<usize, StoreError> {
    let tx = redb_write_or_pg!(tx, |pg| super::pg::outbox::release_claims(
        pg, now, holder.0
    ));
    let claims: Vec<(Uuid, i64)> = {
        let table = tx.open_table(OUTBOX_CLAIMS)?;
        let mut claims = Vec::new();
        for row in table.range::<Uuid>(..)? {
            let (id, lease) = row?;
            claims.push((id.value(), lease.value()));
        }
        claims
    };
    let mut claims_table = tx.open_table(OUTBOX_CLAIMS)?;
    let mut due = tx.open_table(OUTBOX_DUE)?;
    for (id, lease_ms) in &claims {
        claims_table.remove(*id)?;
        if due.remove((*lease_ms, *id))?.is_some() {
            due.insert((now.timestamp_millis(), *id), ())?;
        }
    }
    Ok(claims.len())
}

/// Moves an unreadable entry out of the outbox, keeping its bytes and the
/// reason for an operator to look at.
fn quarantine(
    tx: &WriteTransaction,
    id: OutboxId,
    raw: &[u8],
    reason: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    tx.open_table(OUTBOX_QUARANTINE)?
        .insert(id.0, (now.timestamp_millis(), reason, raw))?;
    tx.open_table(OUTBOX)?.remove(id.0)?;
    if let Some(lease) = tx.open_table(OUTBOX_CLAIMS)?.remove(id.0)? {
        tx.open_table(OUTBOX_DUE)?.remove((lease.value(), id.0))?;
    }
    // Unreadable, it cannot say which count it was in: count again.
    counts::store_outbox_recount(tx)
}

/// How an email is doing, for the invitation list. Never fails on an entry
/// that cannot be read: that shows as failed, with the reason.
pub fn delivery(tx: &impl Readable, id: OutboxId) -> Result<Option<DeliveryReport>, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| super::pg::outbox::delivery(pg, id));
    let raw = tx.table(OUTBOX)?.get(id.0)?.map(|v| v.value().to_vec());
    if let Some(raw) = raw {
        return Ok(Some(match decode::<OutboxEntry>(&raw) {
            Ok(entry) => DeliveryReport::of(&entry),
            Err(e) => DeliveryReport::unreadable(&e.to_string()),
        }));
    }
    let table = tx.table(OUTBOX_QUARANTINE)?;
    let quarantined = table.get(id.0)?;
    Ok(quarantined.map(|row| DeliveryReport::unreadable(row.value().1)))
}

/// Entries set aside as unreadable: (id, when, reason), oldest id first.
pub fn quarantined(
    tx: &impl Readable,
) -> Result<Vec<(OutboxId, DateTime<Utc>, String)>, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| super::pg::outbox::quarantined(pg));
    let table = tx.table(OUTBOX_QUARANTINE)?;
    let mut out = Vec::new();
    for row in table.range::<Uuid>(..)? {
        let (id, value) = row?;
        let (at_ms, reason, _) = value.value();
        let at = DateTime::from_timestamp_millis(at_ms).unwrap_or_default();
        out.push((OutboxId(id.value()), at, reason.to_string()));
    }
    Ok(out)
}

/// When the soonest pending entry is due, if any.
pub fn next_due(tx: &impl Readable) -> Result<Option<i64>, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| super::pg::outbox::next_due(pg));
    let index = tx.table(OUTBOX_DUE)?;
    let first = index.range::<(i64, Uuid)>(..)?.next().transpose()?;
    Ok(first.map(|(k, _)| k.value().0))
}

/// Up to `limit` entries (sent or not) with ids after `after`, in id
/// order: a walk of the whole outbox in bounded pieces.
pub fn page_after(
    tx: &impl Readable,
    after: Option<OutboxId>,
    limit: usize,
) -> Result<Vec<OutboxEntry>, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| super::pg::outbox::page_after(pg, after, limit));
    let table = tx.table(OUTBOX)?;
    let lower = after.map_or(std::ops::Bound::Unbounded, |id| {
        std::ops::Bound::Excluded(id.0)
    });
    let mut out = Vec::new();
    for row in table
        .range::<Uuid>((lower, std::ops::Bound::Unbounded))?
        .take(limit)
    {
        out.push(decode(row?.1.value())?);
    }
    Ok(out)
}

/// True when the entry is claimed (being sent, or left by a dead worker).
pub fn is_claimed(tx: &impl Readable, id: OutboxId) -> Result<bool, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| super::pg::outbox::is_claimed(pg, id));
    let claimed = tx.table(OUTBOX_CLAIMS)?.get(id.0)?.is_some();
    Ok(claimed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::email::EmailAddress;
    use crate::domain::notification::{DeliveryStatus, Notice};
    use crate::store::RedbStore as Store;
    use chrono::Duration;

    fn entry(now: DateTime<Utc>) -> OutboxEntry {
        OutboxEntry::sample(now)
    }

    fn claim(store: &Store, now: DateTime<Utc>, lease: DateTime<Utc>) -> Vec<Claimed> {
        store
            .write_blocking(|tx| claim_due(tx, now, 10, Lease::for_tests(lease)))
            .unwrap()
    }

    #[test]
    fn a_claimed_entry_is_not_claimed_again_until_released_then_settled_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let now = Utc::now();
        let lease = now + Duration::minutes(5);
        let queued = entry(now);
        store.write_blocking(|tx| put(tx, &queued)).unwrap();

        let first = claim(&store, now, lease);
        let [Claimed::Entry(claimed)] = first.as_slice() else {
            panic!("{first:?}")
        };
        assert_eq!(claimed.attempts, 1);
        assert!(claim(&store, now, lease).is_empty(), "leased");
        assert!(store.read_blocking(|tx| is_claimed(tx, queued.id)).unwrap());

        // A new worker (after a crash) releases the claim: due again, once.
        let released = store
            .write_blocking(|tx| release_claims(tx, now, Lease::for_tests(now).holder))
            .unwrap();
        assert_eq!(released, 1);
        let again = claim(&store, now, lease);
        let Ok::<[Claimed; 1], _>([Claimed::Entry(mut retried)]) = again.try_into() else {
            panic!("one entry due again")
        };
        assert_eq!(retried.attempts, 2, "the crashed try counts");
        retried.sent(now);
        store.write_blocking(|tx| settle(tx, &retried)).unwrap();
        assert!(!store.read_blocking(|tx| is_claimed(tx, queued.id)).unwrap());
        assert_eq!(store.read_blocking(next_due).unwrap(), None);
        let report = store.read_blocking(|tx| delivery(tx, queued.id)).unwrap();
        assert_eq!(report.unwrap().status, DeliveryStatus::Sent { at: now });
    }

    #[test]
    fn an_unreadable_entry_is_quarantined_and_the_next_one_is_claimed() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let now = Utc::now();
        let broken = entry(now - Duration::seconds(1));
        let good = entry(now);
        store
            .write_blocking(|tx| {
                put(tx, &broken)?;
                put(tx, &good)?;
                tx.open_table(OUTBOX)?
                    .insert(broken.id.0, [1u8, 0xff, 0xff].as_slice())?;
                Ok::<_, StoreError>(())
            })
            .unwrap();
        let claimed = claim(&store, now, now + Duration::minutes(5));
        assert!(
            matches!(&claimed[0], Claimed::Poison { id, .. } if *id == broken.id),
            "{claimed:?}"
        );
        assert!(matches!(&claimed[1], Claimed::Entry(e) if e.id == good.id));
        let report = store
            .read_blocking(|tx| delivery(tx, broken.id))
            .unwrap()
            .unwrap();
        assert_eq!(report.status, DeliveryStatus::Failed);
        assert!(report.last_error.unwrap().contains("could not be read"));
        let set_aside = store.read_blocking(quarantined).unwrap();
        assert_eq!(set_aside.len(), 1);
        assert_eq!(set_aside[0].0, broken.id);
        let kept = store
            .read_blocking(|tx| {
                let table = tx.open_table(OUTBOX_QUARANTINE)?;
                let row = table.get(broken.id.0)?.unwrap();
                Ok::<_, StoreError>(row.value().2.to_vec())
            })
            .unwrap();
        assert_eq!(
            kept,
            [1u8, 0xff, 0xff],
            "the bytes are kept for an operator"
        );
    }

    /// An outbox entry exactly as this release stores it (layout version 1).
    /// A later release must still read and send it: if this fails, the
    /// layout changed without a new version and a conversion.
    #[test]
    fn an_entry_queued_by_this_release_stays_readable() {
        let bytes = hex(GOLDEN_V1);
        let entry: OutboxEntry = decode(&bytes).unwrap();
        assert_eq!(entry, golden_entry());
        if OutboxEntry::VERSION == 1 {
            assert_eq!(
                encode(&golden_entry()).unwrap(),
                bytes,
                "the layout changed: bump OutboxEntry's VERSION and convert this layout in decode_older"
            );
        }
    }

    fn golden_entry() -> OutboxEntry {
        use crate::domain::ids::InvitationId;
        let at = DateTime::from_timestamp_millis(1_760_000_000_000).unwrap();
        OutboxEntry {
            id: OutboxId(Uuid::from_u128(0x0199_0000_0000_7000_8000_0000_0000_0001)),
            to: vec![EmailAddress::parse("b@fabrikam.example").unwrap()],
            notice: Notice::Invitation {
                invitation: InvitationId(Uuid::from_u128(2)),
                generation: 3,
                community_name: "Plant data".into(),
                inviting_tenant: "Contoso".into(),
                expires: at + Duration::days(14),
            },
            created: at,
            status: DeliveryStatus::Retrying,
            attempts: 2,
            next_attempt: at + Duration::seconds(4),
            last_error: Some("451 busy".into()),
        }
    }

    const GOLDEN_V1: &str = concat!(
        "0110019900000000700080000000000000010112624066616272696b616d2e65",
        "78616d706c65001000000000000000000000000000000002030a506c616e7420",
        "6461746107436f6e746f736f14323032352d31302d32335430383a35333a3230",
        "5a14323032352d31302d30395430383a35333a32305a010214323032352d3130",
        "2d30395430383a35333a32345a01083435312062757379",
    );

    fn hex(text: &str) -> Vec<u8> {
        (0..text.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
            .collect()
    }
}
