//! The PostgreSQL side of `store::counts`: counts worked out by the
//! database when asked, from the rows themselves. No counter row is kept:
//! every write of an invitation or an email would update it, so under
//! SERIALIZABLE every two such writes would conflict on it.

use super::invitations::{state_code, state_of};
use super::tx::PgTx;
use crate::domain::invitation::InvitationState;
use crate::domain::notification::{DeliveryStatus, OutboxEntry};
use crate::store::codec::decode;
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
///
/// Which of the two an entry is only its body says, so the pending rows'
/// bodies are read; one that cannot be read is not counted (claiming sets
/// it aside), as on redb. A row the outbox still has to send has `due_ms`
/// set; one leased to a worker is counted too, whichever column it has.
pub fn outbox_pending(tx: &PgTx) -> Result<(u64, u64), StoreError> {
    let rows = tx.query(
        "SELECT body FROM outbox WHERE due_ms IS NOT NULL OR lease_until_ms IS NOT NULL",
        &[],
    )?;
    let (mut queued, mut retrying) = (0, 0);
    for row in &rows {
        match decode::<OutboxEntry>(row.get(0)).map(|e| e.status) {
            Ok(DeliveryStatus::Queued) => queued += 1,
            Ok(DeliveryStatus::Retrying) => retrying += 1,
            _ => {}
        }
    }
    Ok((queued, retrying))
}

/// `count(*)` is never negative.
fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}
