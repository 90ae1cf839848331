//! Counts for the metrics gauges, read in one snapshot: emails waiting in
//! the outbox (through the due index, so only pending entries are read)
//! and invitations by state at `now`.

use super::codec::decode;
use super::error::StoreError;
use super::tables::{INVITATIONS, OUTBOX, OUTBOX_DUE};
use super::tx::Readable;
use crate::domain::invitation::{Invitation, InvitationState};
use crate::domain::notification::{DeliveryStatus, OutboxEntry};
use chrono::{DateTime, Utc};
use redb::ReadableTable;
use uuid::Uuid;

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Census {
    pub outbox_queued: u64,
    pub outbox_retrying: u64,
    /// Every state name, with zero for states nobody is in.
    pub invitations: Vec<(&'static str, u64)>,
}

const STATES: [InvitationState; 5] = [
    InvitationState::InvitationCreated,
    InvitationState::InvitationAccepted,
    InvitationState::InvitationDeclined,
    InvitationState::InvitationExpired,
    InvitationState::InvitationCompleted,
];

pub fn take(tx: &impl Readable, now: DateTime<Utc>) -> Result<Census, StoreError> {
    let mut census = Census::default();
    let due = tx.table(OUTBOX_DUE)?;
    let outbox = tx.table(OUTBOX)?;
    for key in due.range::<(i64, Uuid)>(..)? {
        let id = key?.0.value().1;
        if let Some(bytes) = outbox.get(id)? {
            let entry: OutboxEntry = decode(bytes.value())?;
            match entry.status {
                DeliveryStatus::Retrying => census.outbox_retrying += 1,
                _ => census.outbox_queued += 1,
            }
        }
    }
    let mut counts: Vec<(&'static str, u64)> = STATES.iter().map(|s| (s.name(), 0)).collect();
    for row in tx.table(INVITATIONS)?.iter()? {
        let invitation: Invitation = decode(row?.1.value())?;
        if invitation.withdrawn.is_some() {
            continue;
        }
        let name = invitation.state_at(now).name();
        if let Some(slot) = counts.iter_mut().find(|(n, _)| *n == name) {
            slot.1 += 1;
        }
    }
    census.invitations = counts;
    Ok(census)
}
