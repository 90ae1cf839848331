//! Counts of records by state, kept in the database beside the records and
//! changed in the same write transaction that changes a record's state, so
//! a scrape reads a handful of rows however many records there are, and
//! every process on the database sees the same numbers (a counter in one
//! process's memory would be wrong for the others, and after a restart).
//!
//! The record modules call [`shift`] from their single write path
//! (`invitations::put` and `purge`, `outbox::write` and `quarantine`);
//! nothing else writes those tables, so no transition is missed.
//!
//! PostgreSQL keeps no counts: it works them out from the rows' indexed
//! columns when asked (`pg::counts`), since one counter row that every
//! write of an invitation updates would make every two such writes
//! conflict. There `shift` and the stored recounts do nothing.

use super::codec::decode;
use super::error::StoreError;
use super::pg::{counts as pg_counts, PgTx};
use super::tables::{COUNTS, INVITATIONS, OUTBOX, OUTBOX_DUE};
use super::tx::{redb_or_pg, redb_write_or_pg, Readable, RedbReadable, Writable};
use crate::domain::invitation::{Invitation, InvitationState};
use crate::domain::notification::{DeliveryStatus, OutboxEntry};
use redb::{ReadableTable, WriteTransaction};

/// One counted state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Counted {
    /// Invitations not withdrawn, by stored state.
    Invitations(InvitationState),
    /// Emails waiting for their first try.
    OutboxQueued,
    /// Emails waiting for another try.
    OutboxRetrying,
}

impl Counted {
    /// Every counted state, each one row of `COUNTS`.
    pub const ALL: [Counted; 7] = [
        Self::Invitations(InvitationState::InvitationCreated),
        Self::Invitations(InvitationState::InvitationAccepted),
        Self::Invitations(InvitationState::InvitationDeclined),
        Self::Invitations(InvitationState::InvitationExpired),
        Self::Invitations(InvitationState::InvitationCompleted),
        Self::OutboxQueued,
        Self::OutboxRetrying,
    ];

    /// Where an invitation counts, if anywhere (withdrawn ones do not).
    pub fn of_invitation(inv: &Invitation) -> Option<Self> {
        match inv.state {
            _ if inv.withdrawn.is_some() => None,
            InvitationState::None => None,
            state => Some(Self::Invitations(state)),
        }
    }

    /// Where an outbox entry counts, if anywhere (only pending ones do).
    pub fn of_outbox(entry: &OutboxEntry) -> Option<Self> {
        match entry.status {
            DeliveryStatus::Queued => Some(Self::OutboxQueued),
            DeliveryStatus::Retrying => Some(Self::OutboxRetrying),
            _ => None,
        }
    }

    fn key(self) -> &'static str {
        match self {
            Self::Invitations(state) => match state {
                InvitationState::InvitationCreated => "invitations/created",
                InvitationState::InvitationAccepted => "invitations/accepted",
                InvitationState::InvitationDeclined => "invitations/declined",
                InvitationState::InvitationExpired => "invitations/expired",
                InvitationState::InvitationCompleted => "invitations/completed",
                InvitationState::None => "invitations/none",
            },
            Self::OutboxQueued => "outbox/queued",
            Self::OutboxRetrying => "outbox/retrying",
        }
    }

    fn is_outbox(self) -> bool {
        matches!(self, Self::OutboxQueued | Self::OutboxRetrying)
    }
}

/// How many records are in `counted`.
pub fn get(tx: &impl Readable, counted: Counted) -> Result<u64, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| get_pg(pg, counted));
    let n = tx
        .table(COUNTS)?
        .get(counted.key())?
        .map_or(0, |v| v.value());
    Ok(n)
}

/// A record moved from one counted state to another (`None`: not counted,
/// or not there).
pub fn shift(
    tx: &impl Writable,
    from: Option<Counted>,
    to: Option<Counted>,
) -> Result<(), StoreError> {
    let tx = redb_write_or_pg!(tx, |_pg| Ok(()));
    if from == to {
        return Ok(());
    }
    let mut table = tx.open_table(COUNTS)?;
    if let Some(from) = from {
        let n = table.get(from.key())?.map_or(0, |v| v.value());
        table.insert(from.key(), n.saturating_sub(1))?;
    }
    if let Some(to) = to {
        let n = table.get(to.key())?.map_or(0, |v| v.value());
        table.insert(to.key(), n + 1)?;
    }
    Ok(())
}

/// Every count worked out from the records themselves: what the stored
/// counts must always equal.
pub fn recount(tx: &impl Readable) -> Result<Vec<(Counted, u64)>, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| recount_pg(pg, true));
    let mut counts = zeros();
    for row in tx.table(INVITATIONS)?.iter()? {
        add(
            &mut counts,
            Counted::of_invitation(&decode(row?.1.value())?),
        );
    }
    count_outbox(tx, &mut counts)?;
    Ok(counts)
}

/// Stores every count afresh from the records: once when the counts table
/// is added to an existing database.
pub fn store_recount(tx: &impl Writable) -> Result<(), StoreError> {
    let tx = redb_write_or_pg!(tx, |_pg| Ok(()));
    store(tx, recount(tx)?)
}

/// Stores the outbox counts afresh: after an entry whose bytes could not be
/// read left the outbox, as it could not say which count it was in.
pub fn store_outbox_recount(tx: &impl Writable) -> Result<(), StoreError> {
    let tx = redb_write_or_pg!(tx, |_pg| Ok(()));
    store(tx, recount_outbox(tx)?)
}

/// The outbox counts worked out from its records alone.
pub fn recount_outbox(tx: &impl Readable) -> Result<Vec<(Counted, u64)>, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| recount_pg(pg, false));
    let mut counts = zeros();
    count_outbox(tx, &mut counts)?;
    counts.retain(|(c, _)| c.is_outbox());
    Ok(counts)
}

/// One count, worked out by PostgreSQL.
fn get_pg(pg: &PgTx, counted: Counted) -> Result<u64, StoreError> {
    Ok(match counted {
        // Never counted (see `of_invitation`), so never more than 0.
        Counted::Invitations(InvitationState::None) => 0,
        Counted::Invitations(state) => pg_counts::invitations_in(pg, state)?,
        Counted::OutboxQueued => pg_counts::outbox_pending(pg)?.0,
        Counted::OutboxRetrying => pg_counts::outbox_pending(pg)?.1,
    })
}

/// Every count (or, without `invitations`, the outbox's), worked out by
/// PostgreSQL: the same queries `get` answers from.
fn recount_pg(pg: &PgTx, invitations: bool) -> Result<Vec<(Counted, u64)>, StoreError> {
    let mut counts = zeros();
    let mut set = |counted: Counted, n: u64| {
        if let Some(slot) = counts.iter_mut().find(|(c, _)| *c == counted) {
            slot.1 = n;
        }
    };
    if invitations {
        for (state, n) in pg_counts::invitations_by_state(pg)? {
            set(Counted::Invitations(state), n);
        }
    }
    let (queued, retrying) = pg_counts::outbox_pending(pg)?;
    set(Counted::OutboxQueued, queued);
    set(Counted::OutboxRetrying, retrying);
    if !invitations {
        counts.retain(|(c, _)| c.is_outbox());
    }
    Ok(counts)
}

fn zeros() -> Vec<(Counted, u64)> {
    Counted::ALL.iter().map(|c| (*c, 0)).collect()
}

fn add(counts: &mut [(Counted, u64)], counted: Option<Counted>) {
    if let Some(slot) = counts.iter_mut().find(|(c, _)| Some(*c) == counted) {
        slot.1 += 1;
    }
}

/// Pending entries are exactly those in the due index; one whose bytes
/// cannot be read is not counted (claiming will set it aside).
fn count_outbox(tx: &impl RedbReadable, counts: &mut [(Counted, u64)]) -> Result<(), StoreError> {
    let outbox = tx.table(OUTBOX)?;
    for key in tx.table(OUTBOX_DUE)?.iter()? {
        let id = key?.0.value().1;
        if let Some(bytes) = outbox.get(id)? {
            if let Ok(entry) = decode::<OutboxEntry>(bytes.value()) {
                add(counts, Counted::of_outbox(&entry));
            }
        }
    }
    Ok(())
}

fn store(tx: &WriteTransaction, counts: Vec<(Counted, u64)>) -> Result<(), StoreError> {
    let mut table = tx.open_table(COUNTS)?;
    for (counted, n) in counts {
        table.insert(counted.key(), n)?;
    }
    Ok(())
}
