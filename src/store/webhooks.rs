//! Webhook endpoints and their deliveries (see `domain::webhook` and
//! `domain::webhook_delivery`). Endpoints are keyed (tenant, endpoint), so
//! finding a tenant's endpoints when a change is recorded is one range,
//! empty for most tenants. Deliveries are kept after their tries (they are
//! the endpoint's delivery log); the due index holds only pending ones.
//!
//! A worker claims a delivery before trying it, as the mail outbox does:
//! the claim is a lease written in its own transaction, the due time moves
//! to the lease's end, and a worker that starts releases the claims of
//! workers that are gone (on redb all of them; on PostgreSQL expired
//! leases and its own), so a try cut short is made again with the same id.

use super::codec::{decode, encode, Record};
use super::error::StoreError;
use super::outbox::Lease;
use super::tables::{
    WEBHOOKS, WEBHOOK_CLAIMS, WEBHOOK_DELIVERIES, WEBHOOK_DELIVERIES_BY_ENDPOINT, WEBHOOK_DUE,
};
use super::tx::{redb_or_pg, redb_write_or_pg, Readable, RedbReadable, Writable};
use crate::domain::ids::{TenantId, WebhookDeliveryId, WebhookId};
use crate::domain::webhook::WebhookEndpoint;
use crate::domain::webhook_delivery::WebhookDelivery;
use chrono::{DateTime, Utc};
use redb::{ReadableTable, WriteTransaction};
use std::ops::Bound;
use uuid::Uuid;

/// Layout version 1 (see `codec::Record` for how a layout changes).
impl Record for WebhookEndpoint {}
/// Layout version 1 (see `codec::Record` for how a layout changes).
impl Record for WebhookDelivery {}

/// Every endpoint of the tenant, oldest first (at most
/// `MAX_WEBHOOKS_PER_TENANT`).
pub fn of_tenant(tx: &impl Readable, tenant: TenantId) -> Result<Vec<WebhookEndpoint>, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| super::pg::webhooks::of_tenant(pg, tenant));
    let table = tx.table(WEBHOOKS)?;
    let mut out = Vec::new();
    for entry in table.range((tenant.0, Uuid::nil())..=(tenant.0, Uuid::max()))? {
        out.push(decode(entry?.1.value())?);
    }
    Ok(out)
}

/// Every endpoint of these tenants: one range each on redb, one query on
/// PostgreSQL (a community's members may be many).
pub fn of_tenants(
    tx: &impl Readable,
    tenants: &[TenantId],
) -> Result<Vec<WebhookEndpoint>, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| super::pg::webhooks::of_tenants(pg, tenants));
    let table = tx.table(WEBHOOKS)?;
    let mut out = Vec::new();
    for tenant in tenants {
        for entry in table.range((tenant.0, Uuid::nil())..=(tenant.0, Uuid::max()))? {
            out.push(decode(entry?.1.value())?);
        }
    }
    Ok(out)
}

pub fn get(
    tx: &impl Readable,
    tenant: TenantId,
    id: WebhookId,
) -> Result<Option<WebhookEndpoint>, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| super::pg::webhooks::get(pg, tenant, id));
    let table = tx.table(WEBHOOKS)?;
    let found = table.get((tenant.0, id.0))?;
    found.map(|v| decode(v.value())).transpose()
}

pub fn put(tx: &impl Writable, endpoint: &WebhookEndpoint) -> Result<(), StoreError> {
    let tx = redb_write_or_pg!(tx, |pg| super::pg::webhooks::put(pg, endpoint));
    tx.open_table(WEBHOOKS)?.insert(
        (endpoint.tenant.0, endpoint.id.0),
        encode(endpoint)?.as_slice(),
    )?;
    Ok(())
}

/// Removes the endpoint and its deliveries; false when the tenant had no
/// such endpoint.
pub fn delete(tx: &impl Writable, tenant: TenantId, id: WebhookId) -> Result<bool, StoreError> {
    let tx = redb_write_or_pg!(tx, |pg| super::pg::webhooks::delete(pg, tenant, id));
    if tx.open_table(WEBHOOKS)?.remove((tenant.0, id.0))?.is_none() {
        return Ok(false);
    }
    let ids: Vec<Uuid> = {
        let index = tx.open_table(WEBHOOK_DELIVERIES_BY_ENDPOINT)?;
        let mut ids = Vec::new();
        for key in index.range((id.0, Uuid::nil())..=(id.0, Uuid::max()))? {
            ids.push(key?.0.value().1);
        }
        ids
    };
    for delivery in ids {
        unindex(tx, delivery)?;
        tx.open_table(WEBHOOK_DELIVERIES)?.remove(delivery)?;
        tx.open_table(WEBHOOK_DELIVERIES_BY_ENDPOINT)?
            .remove((id.0, delivery))?;
    }
    Ok(true)
}

pub fn delivery(
    tx: &impl Readable,
    id: WebhookDeliveryId,
) -> Result<Option<WebhookDelivery>, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| super::pg::webhooks::delivery(pg, id));
    let table = tx.table(WEBHOOK_DELIVERIES)?;
    let found = table.get(id.0)?;
    found.map(|v| decode(v.value())).transpose()
}

/// Stores a delivery (new, or redelivered), due at its next attempt while
/// pending; a claim on it stays.
pub fn put_delivery(tx: &impl Writable, delivery: &WebhookDelivery) -> Result<(), StoreError> {
    let tx = redb_write_or_pg!(tx, |pg| super::pg::webhooks::put_delivery(pg, delivery));
    unindex_due(tx, delivery.id.0)?;
    write(tx, delivery)
}

/// Takes the delivery out of the due index (at its stored due time).
fn unindex_due(tx: &WriteTransaction, id: Uuid) -> Result<(), StoreError> {
    let old: Option<WebhookDelivery> = tx
        .open_table(WEBHOOK_DELIVERIES)?
        .get(id)?
        .map(|v| decode(v.value()))
        .transpose()?;
    if let Some(old) = old {
        tx.open_table(WEBHOOK_DUE)?
            .remove((old.next_attempt.timestamp_millis(), id))?;
    }
    Ok(())
}

/// Takes the delivery out of the due index and ends any claim on it.
fn unindex(tx: &WriteTransaction, id: Uuid) -> Result<(), StoreError> {
    unindex_due(tx, id)?;
    if let Some(lease) = tx.open_table(WEBHOOK_CLAIMS)?.remove(id)? {
        tx.open_table(WEBHOOK_DUE)?.remove((lease.value(), id))?;
    }
    Ok(())
}

/// Stores the delivery and indexes it: every write of one comes here.
fn write(tx: &WriteTransaction, delivery: &WebhookDelivery) -> Result<(), StoreError> {
    let id = delivery.id.0;
    if delivery.is_pending() {
        tx.open_table(WEBHOOK_DUE)?
            .insert((delivery.next_attempt.timestamp_millis(), id), ())?;
    }
    tx.open_table(WEBHOOK_DELIVERIES_BY_ENDPOINT)?
        .insert((delivery.endpoint.0, id), ())?;
    tx.open_table(WEBHOOK_DELIVERIES)?
        .insert(id, encode(delivery)?.as_slice())?;
    Ok(())
}

/// Claims up to `limit` due deliveries, soonest first: each one's due time
/// moves to the lease's end and a claim records the lease.
pub fn claim_due(
    tx: &impl Writable,
    now: DateTime<Utc>,
    limit: usize,
    lease: Lease,
) -> Result<Vec<WebhookDelivery>, StoreError> {
    let Lease { until, holder } = lease;
    let tx = redb_write_or_pg!(tx, |pg| super::pg::webhooks::claim_due(
        pg, now, limit, until, holder.0
    ));
    let keys: Vec<(i64, Uuid)> = {
        let index = tx.open_table(WEBHOOK_DUE)?;
        let range = index.range(..=(now.timestamp_millis(), Uuid::max()))?;
        let mut keys = Vec::new();
        for key in range.take(limit) {
            keys.push(key?.0.value());
        }
        keys
    };
    let mut claimed = Vec::with_capacity(keys.len());
    for (due_ms, id) in keys {
        tx.open_table(WEBHOOK_DUE)?.remove((due_ms, id))?;
        let raw = tx
            .open_table(WEBHOOK_DELIVERIES)?
            .get(id)?
            .map(|v| v.value().to_vec());
        let Some(raw) = raw else {
            continue; // an index key left behind
        };
        let mut delivery: WebhookDelivery = match decode(&raw) {
            Ok(delivery) => delivery,
            Err(e) => {
                // Out of the queue, kept in the log for an operator.
                tracing::error!(delivery = %id, error = %e, "a webhook delivery cannot be read; it will not be tried");
                continue;
            }
        };
        if !delivery.is_pending() {
            continue;
        }
        delivery.claim(until);
        tx.open_table(WEBHOOK_CLAIMS)?
            .insert(id, until.timestamp_millis())?;
        write(tx, &delivery)?;
        claimed.push(delivery);
    }
    Ok(claimed)
}

/// Records the outcome of a claimed delivery and ends its claim.
pub fn settle(tx: &impl Writable, delivery: &WebhookDelivery) -> Result<(), StoreError> {
    let tx = redb_write_or_pg!(tx, |pg| super::pg::webhooks::settle(pg, delivery));
    unindex(tx, delivery.id.0)?;
    write(tx, delivery)
}

/// Releases claims left by workers that are gone, making their deliveries
/// due at `now`; answers how many (see the module comment for which).
pub fn release_claims(
    tx: &impl Writable,
    now: DateTime<Utc>,
    holder: super::instance::Instance,
) -> Result<usize, StoreError> {
    let tx = redb_write_or_pg!(tx, |pg| super::pg::webhooks::release_claims(
        pg, now, holder.0
    ));
    let claims: Vec<(Uuid, i64)> = {
        let table = tx.open_table(WEBHOOK_CLAIMS)?;
        let mut claims = Vec::new();
        for row in table.range::<Uuid>(..)? {
            let (id, lease) = row?;
            claims.push((id.value(), lease.value()));
        }
        claims
    };
    let mut claims_table = tx.open_table(WEBHOOK_CLAIMS)?;
    let mut due = tx.open_table(WEBHOOK_DUE)?;
    let mut deliveries = tx.open_table(WEBHOOK_DELIVERIES)?;
    for (id, lease_ms) in &claims {
        claims_table.remove(*id)?;
        if due.remove((*lease_ms, *id))?.is_none() {
            continue;
        }
        due.insert((now.timestamp_millis(), *id), ())?;
        let stored: Option<WebhookDelivery> = deliveries
            .get(*id)?
            .map(|v| decode(v.value()))
            .transpose()?;
        if let Some(mut delivery) = stored {
            delivery.next_attempt = now;
            deliveries.insert(*id, encode(&delivery)?.as_slice())?;
        }
    }
    Ok(claims.len())
}

/// When the soonest pending delivery is due (ms), if any.
pub fn next_due(tx: &impl Readable) -> Result<Option<i64>, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| super::pg::webhooks::next_due(pg));
    let index = tx.table(WEBHOOK_DUE)?;
    let first = index.range::<(i64, Uuid)>(..)?.next().transpose()?;
    Ok(first.map(|(k, _)| k.value().0))
}

/// An endpoint's delivery log, newest first: up to `count` deliveries
/// made before `before` (keyset paging by id, which is time-ordered).
pub fn log_of(
    tx: &impl Readable,
    endpoint: WebhookId,
    before: Option<WebhookDeliveryId>,
    count: usize,
) -> Result<Vec<WebhookDelivery>, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| super::pg::webhooks::log_of(
        pg, endpoint, before, count
    ));
    let index = tx.table(WEBHOOK_DELIVERIES_BY_ENDPOINT)?;
    let deliveries = tx.table(WEBHOOK_DELIVERIES)?;
    let high = before.map_or(Bound::Included((endpoint.0, Uuid::max())), |b| {
        Bound::Excluded((endpoint.0, b.0))
    });
    let mut out = Vec::new();
    for key in index
        .range((Bound::Included((endpoint.0, Uuid::nil())), high))?
        .rev()
        .take(count)
    {
        let id = key?.0.value().1;
        if let Some(bytes) = deliveries.get(id)? {
            out.push(decode(bytes.value())?);
        }
    }
    Ok(out)
}

/// Up to `count` deliveries with ids after `after`, in id order: a walk of
/// them all in bounded pieces (for copying a deployment).
pub fn deliveries_after(
    tx: &impl Readable,
    after: Option<WebhookDeliveryId>,
    count: usize,
) -> Result<Vec<WebhookDelivery>, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| super::pg::webhooks::deliveries_after(
        pg, after, count
    ));
    let table = tx.table(WEBHOOK_DELIVERIES)?;
    let lower = after.map_or(Bound::Unbounded, |id| Bound::Excluded(id.0));
    let mut out = Vec::new();
    for row in table.range::<Uuid>((lower, Bound::Unbounded))?.take(count) {
        out.push(decode(row?.1.value())?);
    }
    Ok(out)
}

/// True when the delivery is claimed (being tried, or left by a dead
/// worker).
pub fn is_claimed(tx: &impl Readable, id: WebhookDeliveryId) -> Result<bool, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| super::pg::webhooks::is_claimed(pg, id));
    let claimed = tx.table(WEBHOOK_CLAIMS)?.get(id.0)?.is_some();
    Ok(claimed)
}
