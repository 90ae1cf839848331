//! The audit log (see `domain::audit`): events keyed by their time-ordered
//! id, and an index of the events each tenant sees. Nothing here changes
//! an event: it is appended, listed, and removed only by the retention
//! sweep, oldest first.

use super::codec::{decode, encode, Record};
use super::error::StoreError;
use super::tables::{AUDIT_EVENTS, AUDIT_EVENTS_BY_TENANT};
use super::tx::{redb_or_pg, redb_write_or_pg, Readable, RedbReadable, Writable};
use crate::domain::audit::{
    AuditEvent, AuditEventId, AuditEvents, AuditFilter, AuditKind, AuditPage, AUDIT_SCAN_LIMIT,
};
use crate::domain::ids::TenantId;
use chrono::{DateTime, Utc};
use redb::ReadableTable;

/// Layout version 1 (see `codec::Record` for how a layout changes).
impl Record for AuditEvent {}

/// Writes `event` and makes it visible to its tenants.
pub fn append(tx: &impl Writable, event: &AuditEvent) -> Result<(), StoreError> {
    let tx = redb_write_or_pg!(tx, |pg| super::pg::audit_events::append(pg, event));
    tx.open_table(AUDIT_EVENTS)?
        .insert(event.id.0, encode(event)?.as_slice())?;
    let mut index = tx.open_table(AUDIT_EVENTS_BY_TENANT)?;
    let actor = event.actor_uuid();
    for tenant in &event.visible_to {
        index.insert((tenant.0, event.id.0), (event.kind.name(), actor))?;
    }
    Ok(())
}

/// One page of the events `tenant` sees that pass `filter`, newest first.
/// Keyset-paged: a page starts below the previous page's `next`, so any
/// page costs what the first does. At most `AUDIT_SCAN_LIMIT` index
/// entries are read per page (see `AuditEvents`).
pub fn list(
    tx: &impl Readable,
    tenant: TenantId,
    filter: &AuditFilter,
    page: AuditPage,
) -> Result<AuditEvents, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| super::pg::audit_events::list(
        pg, tenant, filter, page
    ));
    let mut found = AuditEvents {
        events: Vec::new(),
        next: None,
    };
    let (low, high) = filter.id_range(page.after);
    if low >= high || page.count == 0 {
        return Ok(found);
    }
    let index = tx.table(AUDIT_EVENTS_BY_TENANT)?;
    let events = tx.table(AUDIT_EVENTS)?;
    for (read, entry) in index
        .range((tenant.0, low)..(tenant.0, high))?
        .rev()
        .enumerate()
    {
        let (key, value) = entry?;
        let id = key.value().1;
        let (kind, actor) = value.value();
        let admitted = AuditKind::parse(kind).is_some_and(|kind| filter.admits(kind, actor));
        if admitted {
            let bytes = events.get(id)?.ok_or_else(|| {
                StoreError::Codec(format!("audit event {id:032x} is indexed but missing"))
            })?;
            found.events.push(decode(bytes.value())?);
        }
        if found.events.len() == page.count || read + 1 == AUDIT_SCAN_LIMIT {
            found.next = Some(AuditEventId(id));
            break;
        }
    }
    Ok(found)
}

/// Every event, oldest first, from just after `after`: up to `count`
/// (for copying a deployment, whoever sees them).
pub fn all_after(
    tx: &impl Readable,
    after: Option<AuditEventId>,
    count: usize,
) -> Result<Vec<AuditEvent>, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| super::pg::audit_events::all_after(
        pg, after, count
    ));
    let table = tx.table(AUDIT_EVENTS)?;
    let mut out = Vec::new();
    let range = match after {
        Some(after) => table.range(after.0 + 1..)?,
        None => table.range(0..)?,
    };
    for entry in range.take(count) {
        out.push(decode(entry?.1.value())?);
    }
    Ok(out)
}

/// Removes up to `batch` of the oldest events made before `cutoff`, with
/// their index entries; returns how many. The retention sweep's, and the
/// only way an event goes.
pub fn sweep_older_than(
    tx: &impl Writable,
    cutoff: DateTime<Utc>,
    batch: usize,
) -> Result<usize, StoreError> {
    let tx = redb_write_or_pg!(tx, |pg| super::pg::audit_events::sweep_older_than(
        pg, cutoff, batch
    ));
    let bound = AuditEventId::first_at(cutoff).0;
    let mut old: Vec<AuditEvent> = Vec::new();
    {
        let table = tx.open_table(AUDIT_EVENTS)?;
        for entry in table.range(..bound)?.take(batch) {
            old.push(decode(entry?.1.value())?);
        }
    }
    let mut events = tx.open_table(AUDIT_EVENTS)?;
    let mut index = tx.open_table(AUDIT_EVENTS_BY_TENANT)?;
    for event in &old {
        for tenant in &event.visible_to {
            index.remove((tenant.0, event.id.0))?;
        }
        events.remove(event.id.0)?;
    }
    Ok(old.len())
}
